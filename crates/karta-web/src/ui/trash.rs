//! The trash: every restorable kind of record the caller may restore
//! (`karta_app::trash`, driven by the record registry), newest first, each
//! with a restore button. Records leave it for good after the restore
//! window (the purge job).

use super::forms::VersionForm;
use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, extract::Path};
use karta_app::trash;
use std::collections::HashMap;
use uuid::Uuid;

/// A deleted record as the page shows it.
struct Row {
    restore: String,
    label: String,
    deleted: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    page: PageCtx,
    /// A heading and its rows, per kind with anything deleted.
    sections: Vec<(String, Vec<Row>)>,
    /// Just restored a record without a card of its own.
    restored: bool,
}

/// How many deleted records of each kind the page shows.
const SHOWN: u64 = 100;

/// The trash page; a kind the caller may not restore is simply absent.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (app, p) = (&state.app, &caller.0.principal);
    let offset = app.utc_offset(p);
    let page = PageCtx::of(&caller);
    let sections = trash::list(app, p, SHOWN)
        .await?
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(kind, rows)| {
            let rows = rows
                .into_iter()
                .map(|d| Row {
                    restore: format!("/trash/{}/{}/restore", kind.name, d.id),
                    label: d.label,
                    deleted: super::jobs::shown(d.deleted_at, offset),
                    version: d.version,
                })
                .collect();
            (page.tr.t(&format!("trash-{}", kind.name)), rows)
        })
        .collect();
    let restored = params.contains_key("restored");
    Ok(render(&TrashPage {
        page,
        sections,
        restored,
    }))
}

/// Restores one record from the trash, then shows it on its card, or the
/// trash again for kinds without a card (tasks, activities).
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path((kind, id)): Path<(String, Uuid)>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    trash::restore(&state.app, &caller.0.principal, &kind, id, form.version).await?;
    let card = match kind.as_str() {
        "accounts" | "contacts" | "deals" | "leads" | "products" | "contracts" => {
            format!("/{kind}/{id}")
        }
        "price_lists" => format!("/price-lists/{id}"),
        _ => "/trash?restored=1".to_string(),
    };
    Ok(Redirect::to(&card).into_response())
}
