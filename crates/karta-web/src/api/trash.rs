//! `/api/v1/trash`: every restorable kind of record the caller may restore,
//! deleted and not yet purged, and restoring one by kind and id.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::{Path, if_match, no_more, paging};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use karta_app::trash;
use karta_core::time::rfc3339;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A deleted record.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedView {
    pub id: Uuid,
    /// Its code or number and name.
    pub label: String,
    /// The version a restore names in `If-Match`.
    pub version: i64,
    pub deleted_at: String,
}

/// The deleted records of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrashKind {
    /// The record kind (`accounts`, `deals`, `price_lists`…).
    pub kind: String,
    /// Newest first.
    pub items: Vec<DeletedView>,
}

/// The trash, per kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrashList {
    /// Every kind the caller may restore, in a fixed order, even if empty.
    pub kinds: Vec<TrashKind>,
}

/// The newest deleted records of each kind the caller may restore.
#[utoipa::path(get, path = "/api/v1/trash", tag = "trash",
    params(("limit" = Option<u64>, Query, description = "per kind (default 50)")),
    responses((status = 200, body = TrashList), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<TrashList>, ApiError> {
    // One page per kind: the trash holds what the restore window keeps.
    let page = paging(&mut params)?;
    if page.cursor.is_some() {
        return Err(bad_request("cursor", "invalid_cursor"));
    }
    no_more(params)?;
    let kinds = trash::list(&state.app, &caller.principal, page.limit)
        .await?
        .into_iter()
        .map(|(kind, rows)| TrashKind {
            kind: kind.name.to_string(),
            items: rows
                .into_iter()
                .map(|d| DeletedView {
                    id: d.id,
                    label: d.label,
                    version: d.version,
                    deleted_at: rfc3339(d.deleted_at),
                })
                .collect(),
        })
        .collect();
    Ok(Json(TrashList { kinds }))
}

/// Restores a record of `kind` from the trash at the version in `If-Match`.
#[utoipa::path(post, path = "/api/v1/trash/{kind}/{id}/restore", tag = "trash",
    params(("kind" = String, Path, description = "accounts, contacts, deals, leads, tasks, activities, products, price_lists or contracts"),
        ("id" = Uuid, Path), ("If-Match" = String, Header, description = "the record's version")),
    responses((status = 204, description = "restored"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    trash::restore(
        &state.app,
        &caller.principal,
        &kind,
        id,
        if_match(&headers)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
