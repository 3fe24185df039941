//! The application's error type: every failure a caller must tell apart.

use karta_core::Invalid;

/// What went wrong, in terms a handler can map to a response.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input rejected field by field; nothing was changed.
    #[error("invalid input")]
    Invalid(Invalid),
    /// Not signed in, or the credentials are not valid.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong e-mail or password (deliberately not saying which).
    #[error("wrong e-mail or password")]
    BadCredentials,
    /// Too many failed logins; try again later.
    #[error("too many attempts")]
    Throttled,
    /// Signed in, but not allowed to do this.
    #[error("forbidden")]
    Forbidden,
    /// No such record, or one the principal may not know exists.
    #[error("not found")]
    NotFound,
    /// A write without the version it was based on.
    #[error("version required")]
    VersionRequired,
    /// The record changed since the client read it.
    #[error("stale version")]
    VersionMismatch { current: i64 },
    /// The act conflicts with stored data or a request still running; the
    /// text is the stable error code clients see.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A business rule refused the act (not enough stock, credit hold…):
    /// `code` is stable, `facts` say exactly why; nothing was changed.
    #[error("refused: {code}")]
    Refused {
        code: &'static str,
        facts: serde_json::Value,
    },
    /// The database failed; details are logged, never shown.
    #[error("storage error: {0}")]
    Db(karta_db::DbErr),
}

/// A unique index refusing a value is the input's fault (the value is
/// taken, perhaps a moment ago by a concurrent request), not storage's.
impl From<karta_db::DbErr> for AppError {
    fn from(e: karta_db::DbErr) -> Self {
        match karta_db::unique::taken_field(&e) {
            Some(field) => AppError::field(field, "already_exists"),
            None => AppError::Db(e),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    /// A failure of ours that is no fault of the input (writing a file into
    /// memory, say): answered like a storage failure, details logged.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Db(karta_db::DbErr::Custom(e.to_string()))
    }

    /// One invalid field.
    pub fn field(field: &str, code: &'static str) -> Self {
        let mut e = Invalid::default();
        e.push(field, code);
        AppError::Invalid(e)
    }

    /// The same error with its fields reported under `prefix` (`next_contact.due_at`),
    /// for input nested in a larger request.
    pub fn nested(self, prefix: &str) -> Self {
        match self {
            AppError::Invalid(Invalid(fields)) => AppError::Invalid(Invalid(
                fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = format!("{prefix}.{}", f.field);
                        f
                    })
                    .collect(),
            )),
            other => other,
        }
    }
}
