//! One error type for every HTTP answer: RFC 9457 problem+json with a
//! stable snake_case `code` and per-field errors. Internal details are
//! logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use karta_app::AppError;
use karta_core::codes::Code;
use serde::Serialize;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// One field problem in a response.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// The problem+json body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For a refusal by a business rule: what exactly stood in the way
    /// (the lines short of stock, the overdue invoices…).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub facts: Option<serde_json::Value>,
}

/// English text for a field error code (the UI translates codes itself).
pub fn field_message(code: &str) -> String {
    Code::parse(code)
        .map_or("Invalid value.", Code::message)
        .to_string()
}

impl ApiError {
    /// Status, code and title of this error.
    pub fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match &self.0 {
            // A value someone else holds is a conflict with stored data,
            // however it was found: by the check before the write, or by
            // the unique index refusing a concurrent one.
            AppError::Invalid(inv)
                if !inv.0.is_empty() && inv.0.iter().all(|e| e.code == "already_exists") =>
            {
                (
                    StatusCode::CONFLICT,
                    "already_exists",
                    "The value is already taken.",
                )
            }
            AppError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The input is not valid.",
            ),
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign in or send a valid API token.",
            ),
            AppError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "Wrong e-mail or password.",
            ),
            AppError::Throttled => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Too many attempts; try again later.",
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "You are not allowed to do this.",
            ),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", "No such record."),
            AppError::VersionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "Send If-Match with the version you read.",
            ),
            AppError::VersionMismatch { .. } => (
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                "The record was changed by someone else.",
            ),
            AppError::Conflict(code) => (
                StatusCode::CONFLICT,
                code,
                "The request conflicts with stored data or a request still running.",
            ),
            AppError::Refused { code, .. } => (
                karta_core::codes::Code::parse(code)
                    .and_then(|c| StatusCode::from_u16(c.status()).ok())
                    .unwrap_or(StatusCode::CONFLICT),
                code,
                "A business rule does not allow this; `facts` say why.",
            ),
            AppError::Db(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side.",
            ),
        }
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        let (status, code, title) = self.parts();
        debug_assert!(
            Code::parse(code).is_some_and(|c| c.status() == status.as_u16()),
            "answer code {code} ({status}) is not in karta_core::codes with that status"
        );
        let errors = match &self.0 {
            AppError::Invalid(inv) => inv
                .0
                .iter()
                .map(|f| FieldProblem {
                    field: f.field.clone(),
                    code: f.code,
                    message: field_message(f.code),
                })
                .collect(),
            _ => Vec::new(),
        };
        let current_version = match &self.0 {
            AppError::VersionMismatch { current } => Some(*current),
            _ => None,
        };
        let facts = match &self.0 {
            AppError::Refused { facts, .. } => Some(facts.clone()),
            _ => None,
        };
        Problem {
            kind: format!("/api/errors#{code}"),
            title: title.to_string(),
            status: status.as_u16(),
            code,
            errors,
            current_version,
            facts,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Db(e) = &self.0 {
            tracing::error!(error = %e, "storage error");
        }
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // Kept beside the body so pages can explain it in the reader's language.
        let mut response = (status, axum::Json(problem.clone())).into_response();
        response.extensions_mut().insert(problem);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// A 400 for a malformed request (bad query parameter, bad header).
pub fn bad_request(field: &str, code: &'static str) -> ApiError {
    ApiError(AppError::field(field, code))
}
