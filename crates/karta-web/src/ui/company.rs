//! Settings → the company's requisites (реквизиты), which invoices and
//! proposals print: names and numbers, address, the bank with its BIK and
//! accounts, who signs. Errors are shown beside the fields, with what was
//! typed kept.

use super::PageCtx;
use super::forms::{self, FormField, FormHead};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use karta_app::company::{self, CompanyProfile};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The profile's fields, in the order the form shows them.
const FIELDS: [&str; 13] = [
    "name",
    "inn",
    "kpp",
    "ogrn",
    "address",
    "phone",
    "email",
    "bank",
    "bik",
    "settlement_account",
    "correspondent_account",
    "director",
    "chief_accountant",
];

fn form_page(
    caller: &UiCaller,
    values: &Map<String, Value>,
    errors: &HashMap<String, String>,
) -> Response {
    let page = PageCtx::of(caller);
    let fields = FIELDS
        .iter()
        .map(|name| {
            let value = values
                .get(*name)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut field = FormField::new(&page, name, "text", value.to_string());
            field.label = page.tr.field_name(&format!("company-{name}"));
            field
        })
        .collect();
    let head = FormHead {
        title: page.tr.t("company-title"),
        cancel: "/admin".into(),
        version: 0,
    };
    forms::page(page, head, fields, errors, false)
}

/// The form with the requisites as saved (administrators).
pub async fn page(State(state): State<AppState>, caller: UiCaller) -> Result<Response, ApiError> {
    if !caller.0.principal.may_edit_company() {
        return Err(ApiError(AppError::Forbidden));
    }
    let saved = company::profile(&state.app).await?;
    let values = match serde_json::to_value(saved) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Ok(form_page(&caller, &values, &HashMap::new()))
}

/// Saves the requisites; an empty field is cleared.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let typed: Map<String, Value> = FIELDS
        .iter()
        .filter_map(|name| {
            let value = forms::form_value(&form, name)?;
            let value = value.trim();
            (!value.is_empty()).then(|| (name.to_string(), Value::String(value.to_string())))
        })
        .collect();
    let profile: CompanyProfile =
        serde_json::from_value(Value::Object(typed.clone())).unwrap_or_default();
    match company::set_profile(&state.app, &caller.0.principal, profile).await {
        Ok(_) => Ok(Redirect::to("/admin?saved=company").into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = forms::error_map(PageCtx::of(&caller).tr, &e);
            Ok(form_page(&caller, &typed, &errors))
        }
        Err(e) => Err(e.into()),
    }
}
