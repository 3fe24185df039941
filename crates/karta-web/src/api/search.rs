//! `/api/v1/search` (global search) and `/api/v1/lookup` (telephony).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use axum::Json;
use axum::extract::{Query, State};
use karta_app::views::{
    AccountView, ContactView, DealView, InvoiceView, LeadView, OrderView, contact_json,
};
use serde_json::{Value, json};

/// Search results (contacts and leads follow the personal-data rule).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub accounts: Vec<AccountView>,
    pub contacts: Vec<ContactView>,
    pub deals: Vec<DealView>,
    pub leads: Vec<LeadView>,
    /// The order a number (`З-000015`, `SO-15`) names.
    pub orders: Vec<OrderView>,
    /// The invoice a number (`СЧ-000015`, `INV-15`) names.
    pub invoices: Vec<InvoiceView>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: String,
    limit: Option<u64>,
}

/// Accounts, contacts, deals and leads matching `q` (words with Russian
/// morphology, INN, customer code, e-mail and phone fragments; a customer
/// found brings its people and deals), and the order and invoice a
/// document number names.
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("q" = String, Query), ("limit" = Option<u64>, Query, description = "1–50 per entity, default 10")),
    responses((status = 200, body = SearchResult), (status = 401, body = Problem)))]
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
    let mut links = karta_app::deals::contacts_of(&state.app, &found.deals).await?;
    let deals: Vec<DealView> = found
        .deals
        .iter()
        .map(|m| DealView::of(m, links.remove(&m.id).unwrap_or_default()))
        .collect();
    let leads: Vec<LeadView> = found
        .leads
        .iter()
        .map(|m| LeadView::of(m, personal))
        .collect();
    let orders: Vec<OrderView> = found.orders.iter().map(OrderView::of).collect();
    let today = karta_core::contacts::date_text(state.app.today(&caller.principal));
    let invoices: Vec<InvoiceView> = found
        .invoices
        .iter()
        .map(|m| InvoiceView::of(m, &today))
        .collect();
    Ok(Json(json!({
        "accounts": accounts, "contacts": contacts, "deals": deals, "leads": leads,
        "orders": orders, "invoices": invoices,
    })))
}

/// Who a phone number belongs to: contacts and accounts.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LookupResult {
    pub contacts: Vec<ContactView>,
    pub accounts: Vec<AccountView>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupParams {
    phone: String,
}

/// The caller's card summary for a phone number, for telephony screen-pop.
/// Tokens need the `lookup` scope; calls are rate-limited per user.
#[utoipa::path(get, path = "/api/v1/lookup", tag = "search",
    params(("phone" = String, Query, description = "Any common format; Russian by default")),
    responses((status = 200, body = LookupResult), (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
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
