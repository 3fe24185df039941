//! Validation errors that name the field and carry a stable code.

use serde::Serialize;

/// One problem with one input field. `code` is stable and documented; the
/// human message is produced by the UI/API layer in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Field name as the client sent it (`inn`, `emails[1]`, `custom.size`).
    pub field: String,
    /// Stable snake_case code, e.g. `invalid_inn`, `required`.
    pub code: &'static str,
}

impl FieldError {
    /// A problem with `field`, identified by `code` (one of
    /// [`crate::codes::Code`]: a code missing there fails the tests).
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        debug_assert!(
            crate::codes::Code::parse(code).is_some(),
            "error code {code} is not in karta_core::codes"
        );
        Self {
            field: field.into(),
            code,
        }
    }
}

/// A set of field errors: input was rejected and nothing was changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {0:?}")]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// Adds an error for `field`.
    pub fn push(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError::new(field, code));
    }

    /// Collects the error of a parse result into this set, keeping the value.
    pub fn take<T>(&mut self, field: &str, result: Result<T, &'static str>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(code) => {
                self.push(field, code);
                None
            }
        }
    }

    /// `Ok(())` when no error was collected.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}
