//! Contact pages: list with search and the contact card. Personal data is
//! shown only to roles that may see it.

use super::{PageCtx, TimelineEntry, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use karta_app::contacts;
use karta_core::identifiers::CustomerCode;
use karta_db::contacts::ContactFilter;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "contacts.html")]
struct ListPage {
    page: PageCtx,
    q: String,
    rows: Vec<(Uuid, String, String, String, String)>,
    next: Option<String>,
}

/// The contact list.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let q = params.get("q").cloned().unwrap_or_default();
    let filter = ContactFilter {
        terms: karta_core::search::query_terms(&q),
        ..Default::default()
    };
    let cursor = params
        .get("cursor")
        .and_then(|c| karta_db::page::Cursor::decode(c));
    let (result, _) = contacts::list(
        &state.app,
        p,
        filter,
        Default::default(),
        cursor.as_ref(),
        50,
    )
    .await?;
    let personal = p.sees_personal_data();
    let rows = result
        .items
        .iter()
        .map(|c| {
            let f = karta_db::contacts::fields_of(c, Vec::new());
            let phones = if personal {
                f.phones
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                String::new()
            };
            let emails = if personal {
                f.emails
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                String::new()
            };
            (
                c.id,
                f.display_name(),
                f.position.clone().unwrap_or_default(),
                phones,
                emails,
            )
        })
        .collect();
    let next = result.next_cursor.map(|c| format!("/contacts?cursor={c}"));
    Ok(render(&ListPage {
        page: PageCtx::of(&caller),
        q,
        rows,
        next,
    }))
}

#[derive(Template)]
#[template(path = "contact.html")]
struct CardPage {
    page: PageCtx,
    name: String,
    details: Vec<(String, String)>,
    accounts: Vec<(Uuid, String)>,
    timeline: Vec<TimelineEntry>,
}

/// The contact card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let (m, account_ids) = contacts::get(&state.app, p, id, false).await?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let f = karta_db::contacts::fields_of(&m, account_ids.clone());
    let mut details = vec![(tr.field("position"), f.position.clone().unwrap_or_default())];
    if p.sees_personal_data() {
        details.push((
            tr.field("phones"),
            f.phones
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ));
        details.push((
            tr.field("emails"),
            f.emails
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ));
        details.push((
            tr.field("birthday"),
            f.birthday.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    let vis = p.visibility(
        karta_core::roles::Entity::Accounts,
        karta_core::roles::Access::Read,
    );
    let accounts = karta_db::accounts::by_ids(state.app.db.conn(), &account_ids)
        .await?
        .into_iter()
        .filter(|a| a.deleted_at.is_none() && vis.allows(a.owner_id, a.team_id))
        .map(|a| (a.id, format!("{} {}", CustomerCode(a.code), a.name)))
        .collect();
    let history = contacts::history(&state.app, p, id, None, 50).await?;
    Ok(render(&CardPage {
        name: f.display_name(),
        details: details.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        accounts,
        timeline: timeline(history.items, tr),
        page,
    }))
}
