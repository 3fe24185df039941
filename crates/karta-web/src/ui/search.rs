//! Global search results over accounts, contacts, deals, leads, orders and
//! invoices (the `/` box in the layout). A single exact customer code opens
//! the card directly.

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
    /// `(order id, number, amount)` of the order or invoice a number names
    /// (an invoice opens its order).
    documents: Vec<(Uuid, String, String)>,
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
    let lang = page.tr.lang;
    let amount = |minor: i64, currency: &str| {
        let currency = Currency::parse(currency).unwrap_or_else(|_| Currency::rub());
        format_amount(minor, &currency, lang)
    };
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
        .map(|d| (d.id, d.title.clone(), amount(d.amount_minor, &d.currency)))
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
    let orders = found.orders.iter().map(|o| {
        let number = karta_core::orders::number_label(o.number, lang);
        (o.id, number, amount(o.gross_minor, &o.currency))
    });
    let invoices = found.invoices.iter().map(|i| {
        let number = karta_core::invoices::number_label(i.number, lang);
        (i.order_id, number, amount(i.amount_minor, &i.currency))
    });
    Ok(render(&SearchPage {
        page,
        accounts,
        contacts,
        deals,
        leads,
        documents: orders.chain(invoices).collect(),
    }))
}
