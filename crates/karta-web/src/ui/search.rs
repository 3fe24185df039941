//! Global search results over accounts, contacts, deals and leads (the `/`
//! box in the layout). A single exact customer code opens the card directly.

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_core::identifiers::CustomerCode;
use karta_core::money::{Currency, format_amount};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: PageCtx,
    accounts: Vec<(Uuid, String, String, String)>,
    contacts: Vec<(Uuid, String, String)>,
    /// `(id, title, amount)`.
    deals: Vec<(Uuid, String, String)>,
    /// `(id, person, company)`.
    leads: Vec<(Uuid, String, String)>,
}

/// Global search results.
pub async fn results(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let q = params.get("q").cloned().unwrap_or_default();
    let found = karta_app::search::global(&state.app, &caller.0.principal, &q, 20).await?;
    if found.accounts.len() == 1 && found.contacts.is_empty() && CustomerCode::parse(&q).is_ok() {
        return Ok(Redirect::to(&format!("/accounts/{}", found.accounts[0].id)).into_response());
    }
    let mut page = PageCtx::of(&caller);
    page.q = q;
    let accounts = found
        .accounts
        .iter()
        .map(|m| {
            (
                m.id,
                CustomerCode(m.code).to_string(),
                m.name.clone(),
                m.inn.clone().unwrap_or_default(),
            )
        })
        .collect();
    let contacts = found
        .contacts
        .iter()
        .map(|c| {
            let f = karta_app::contacts::fields_of(c, Vec::new());
            (c.id, f.display_name(), f.position.unwrap_or_default())
        })
        .collect();
    let deals = found
        .deals
        .iter()
        .map(|d| {
            let currency = Currency::parse(&d.currency).unwrap_or_else(|_| Currency::rub());
            (
                d.id,
                d.title.clone(),
                format_amount(d.amount_minor, &currency, page.tr.lang),
            )
        })
        .collect();
    let leads = found
        .leads
        .iter()
        .map(|l| {
            (
                l.id,
                l.person_name.clone().unwrap_or_else(|| "—".into()),
                l.company_name.clone().unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(&SearchPage {
        page,
        accounts,
        contacts,
        deals,
        leads,
    }))
}
