//! Global search results over accounts and contacts (the `/` box in the
//! layout). A single exact customer code opens the card directly.

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_core::identifiers::CustomerCode;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: PageCtx,
    accounts: Vec<(Uuid, String, String, String)>,
    contacts: Vec<(Uuid, String, String)>,
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
            let f = karta_db::contacts::fields_of(c, Vec::new());
            (c.id, f.display_name(), f.position.unwrap_or_default())
        })
        .collect();
    Ok(render(&SearchPage {
        page,
        accounts,
        contacts,
    }))
}
