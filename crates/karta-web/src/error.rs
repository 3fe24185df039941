//! One error type for every HTTP answer: RFC 9457 problem+json with a
//! stable snake_case `code` and per-field errors. Internal details are
//! logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use karta_app::AppError;
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
    match code {
        "required" => "This field is required.",
        "too_long" => "This value is too long.",
        "invalid_email" => "Not a valid e-mail address.",
        "invalid_phone" => "Not a valid phone number.",
        "invalid_inn" => "Not a valid INN: 10 or 12 digits with correct check digits.",
        "invalid_kpp" => "Not a valid KPP: 9 characters.",
        "invalid_ogrn" => "Not a valid OGRN: 13 or 15 digits with a correct check digit.",
        "invalid_date" => "Not a valid date (YYYY-MM-DD).",
        "invalid_choice" => "Not one of the allowed values.",
        "unknown_field" => "Unknown field.",
        "invalid_merge_sources" => "Name 1 to 20 other records to merge, each once, not the surviving record itself.",
        "not_in_merge" => "This record is not one of those being merged.",
        "unknown_classifier_value" => "Not a value of this list.",
        "not_for_this_kind" => "This classifier kind has no such setting.",
        "invalid_utc_offset" => "Write the offset from UTC like +03:00 (from -12:00 to +14:00).",
        "unknown_user" => "No such active user.",
        "unknown_team" => "No such team.",
        "unknown_account" => "No such account.",
        "cannot_assign" => "You may not give records to another owner or team.",
        "field_not_allowed" => "You may not set this field.",
        "already_exists" => "This value is already taken.",
        "invalid_json" => "The request body is not valid JSON of the expected shape.",
        "password_too_short" => "The password must have at least 10 characters.",
        "invalid_number" => "Not a number.",
        "invalid_money" => "Not an amount of money (minor units, or text like 1 500,00).",
        "invalid_currency" => "A currency is a three-letter ISO code such as RUB.",
        "invalid_sku" => "An article has no spaces: letters, digits and signs such as - / . _",
        "invalid_vat_rate" => "VAT is 0, 5, 7, 10, 20 or 22 percent.",
        "invalid_discount" => "A discount is a percentage from 0 to 100 with at most two decimals.",
        "invalid_period" => "The end date is before the start date.",
        "duplicate_product" => "This product is listed twice.",
        "one_price_required" => "Give either a fixed price or a discount, not both.",
        "unknown_product" => "No such product.",
        "product_inactive" => "This product is withdrawn from sale.",
        "currency_mismatch" => "All lines must be in one currency.",
        "below_reserved" => "Confirmed orders hold more than that; ship or cancel them first.",
        "unknown_order" => "No such order.",
        "unknown_invoice" => "No such invoice.",
        "exceeds_order" => "More than is left to invoice of the order.",
        "exceeds_outstanding" => "More than the invoice still awaits.",
        "order_not_confirmed" => "Only a confirmed order is invoiced.",
        "order_invoiced" => "The order is invoiced in full.",
        "credit_hold" => "The customer is on credit hold: overdue invoices or over the credit limit.",
        "not_a_statement" => "The file has no date, amount and purpose columns of a bank statement.",
        "unknown_contract" => "No such contract of this account.",
        "contract_not_in_force" => "The contract is not active on this date.",
        "not_in_contract" => "The contract does not include this product.",
        "not_contract_price" => "The price differs from the contract's.",
        "deal_not_won" => "An order is made from a won deal.",
        "deal_has_no_lines" => "The deal has no products to order.",
        "order_exists" => "This deal already has an order.",
        "order_not_draft" => "Only a draft order's lines can change.",
        "invalid_transition" => "The order cannot move to that status from where it is.",
        "insufficient_stock" => "Not enough free stock for this order.",
        "amount_from_lines" => "The amount follows the deal's lines; change the lines instead.",
        "invalid_boolean" => "Not true or false.",
        "invalid_text" => "Not text.",
        "invalid_code" => "Not a valid code: lower-case letters, digits and _.",
        "invalid_scope" => "Not a token scope (<entity>:read, <entity>:write or lookup).",
        "invalid_password" => "Wrong password.",
        "kpp_needs_organisation_inn" => "A KPP needs the 10-digit INN of an organisation.",
        "lost_details_need_lost_status" => "lost_to_id and loss_reason need status lost.",
        "name_required" => "Give a name: first or last name (for a lead, a person or a company).",
        "unknown_role" => "No such role.",
        "unknown_entity" => "No such entity.",
        "unknown_status" => "No such status.",
        "invalid_id" => "Not an id (a UUID).",
        "cannot_demote_self" => "You cannot take away your own administrator rights.",
        "invalid_idempotency_key" => "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        "idempotency_key_reused" => {
            "This Idempotency-Key was already used for a different request."
        }
        "out_of_range" => "The number is outside the allowed range (probability 0–100, amounts not negative, max_days 1–3650).",
        "open_stage_required" => "A pipeline needs at least one open stage.",
        "terminal_stages_required" => "A pipeline needs a won stage and a lost stage.",
        "open_after_terminal" => "Open stages come before the won and lost stages.",
        "duplicate_stage" => "The same stage is listed twice.",
        "unknown_stage" => "No such stage (in this pipeline).",
        "stage_has_deals" => "A stage that holds deals cannot be removed; move the deals first.",
        "stage_not_in_pipeline" => "This stage belongs to another pipeline.",
        "unknown_pipeline" => "No such pipeline.",
        "no_pipeline" => "There is no sales pipeline yet; an administrator or head of sales creates one.",
        "loss_reason_required" => "A lost stage needs a loss_reason.",
        "not_a_competitor" => "Choose an account of type competitor.",
        "unknown_contact" => "No such contact.",
        "unknown_checklist_item" => "Not an action of this stage's checklist.",
        "link_required" => "An activity needs an account_id, contact_id or deal_id.",
        "direction_only_for_calls" => "Only calls have a direction.",
        "invalid_datetime" => "Not an RFC 3339 date and time, e.g. 2026-11-20T10:00:00+03:00.",
        "unknown_deal" => "No such deal.",
        "unknown_lead" => "No such lead.",
        "contact_required" => "Give an e-mail or a phone number to reach the person.",
        "disqualify_reason_required" => "A disqualified lead needs a disqualify_reason.",
        "consent_required" => "Tick the consent to the processing of personal data.",
        "one_target_required" => "A rule sends leads to exactly one of target_user_id or target_team_id.",
        "duplicate_account_hidden" => "An account with this name, INN, e-mail or phone already exists and belongs to another team; ask a head of sales to convert the lead.",
        "convert_to_qualify" => "A lead becomes qualified by converting it (POST /api/v1/leads/{id}/convert).",
        "too_many" => "Too many items in one request (at most 500).",
        "no_team" => "You are not in a team.",
        "key_not_for_entity" => "This key does not identify records of this kind (accounts: code, inn, external_id; contacts: email, phone, external_id).",
        "key_column_missing" => "No column is mapped to the key field.",
        "nothing_mapped" => "Map at least one column to a field.",
        "mapped_twice" => "Two columns are mapped to the same field.",
        "unknown_column" => "The file has no such column.",
        "invalid_mode" => "The mode is create, update or upsert.",
        "invalid_key" => "The key is code, inn, email, phone or external_id.",
        "empty_file" => "The file is empty or has no header row.",
        "unreadable_file" => "The file cannot be read as CSV.",
        "unreadable_workbook" => "The file looks like an XLSX workbook but cannot be read.",
        "no_cards" => "The file holds no vCard.",
        "invalid_version" => "The vCard version is 4.0 or 3.0.",
        "invalid_whole_number" => "Enter a whole number, e.g. 20 or 1,500.",
        "in_trash" => "The record with this key is in the trash.",
        _ => "Invalid value.",
    }
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
                StatusCode::CONFLICT,
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
