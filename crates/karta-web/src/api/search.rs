//! `/api/v1/search` (global search) and `/api/v1/lookup` (telephony).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, bad_request};
use axum::Json;
use axum::extract::{Query, State};
use karta_app::views::{AccountView, contact_json};
use serde_json::{Value, json};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: String,
    limit: Option<u64>,
}

/// Accounts and contacts matching `q` (words with Russian morphology, INN,
/// customer code, e-mail and phone fragments).
pub async fn global(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    let limit = params.limit.unwrap_or(10).clamp(1, 50);
    let mut found =
        karta_app::search::global(&state.app, &caller.principal, &params.q, limit).await?;
    let personal = caller.principal.sees_personal_data();
    let accounts: Vec<AccountView> = found.accounts.iter().map(AccountView::of).collect();
    let contacts: Vec<Value> = found
        .contacts
        .iter()
        .map(|c| {
            contact_json(
                c,
                found.contact_accounts.remove(&c.id).unwrap_or_default(),
                personal,
            )
        })
        .collect();
    Ok(Json(json!({"accounts": accounts, "contacts": contacts})))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupParams {
    phone: String,
}

/// The caller's card summary for a phone number (needs the `lookup` scope).
pub async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<LookupParams>,
) -> Result<Json<Value>, ApiError> {
    if params.phone.trim().is_empty() {
        return Err(bad_request("phone", "required"));
    }
    let (contacts, accounts) =
        karta_app::search::lookup_phone(&state.app, &caller.principal, &params.phone).await?;
    let contacts: Vec<Value> = contacts
        .iter()
        .map(|c| contact_json(c, Vec::new(), true))
        .collect();
    let accounts: Vec<AccountView> = accounts.iter().map(AccountView::of).collect();
    Ok(Json(json!({"contacts": contacts, "accounts": accounts})))
}
