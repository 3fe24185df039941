//! The trash: every restorable kind of record in the registry, deleted and
//! not yet purged, as far as the caller may restore it; and restoring one.
//! A kind added to the registry shows up here without a line of its own.

use crate::registry::{self, Kind};
use crate::{App, AppError, Principal};
use karta_db::records::Record;
use uuid::Uuid;

/// A deleted record as the trash lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub id: Uuid,
    /// Its code or number and name (`Record::label_of`).
    pub label: String,
    /// The version a restore must name.
    pub version: i64,
    pub deleted_at: i64,
}

impl Deleted {
    pub(crate) fn of<E: Record>(m: &E::Model) -> Self {
        Self {
            id: E::id_of(m),
            label: E::label_of(m),
            version: E::version_of(m),
            deleted_at: E::deleted_at_of(m).unwrap_or_default(),
        }
    }
}

/// The newest `limit` deleted records of each kind the caller may restore,
/// newest first, per kind.
pub async fn list(
    app: &App,
    p: &Principal,
    limit: u64,
) -> Result<Vec<(Kind, Vec<Deleted>)>, AppError> {
    registry::trash_all(app, p, limit.min(crate::model::MAX_LIMIT)).await
}

/// Restores a record of the kind named `kind` (`Record::NAME`) at the
/// version the caller saw; an unknown or unrestorable kind is not found.
pub async fn restore(
    app: &App,
    p: &Principal,
    kind: &str,
    id: Uuid,
    expected: Option<i64>,
) -> Result<(), AppError> {
    registry::restore_any(app, p, kind, id, expected).await
}
