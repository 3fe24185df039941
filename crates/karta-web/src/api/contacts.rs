//! `/api/v1/contacts`.

use super::accounts::ChangeList;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::{
    etag, if_match, no_more, paging, parse_json, parse_object, take_bool, take_text, take_uuid,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::contacts;
use karta_app::views::{ContactView, DuplicateHint, contact_json};
use karta_core::contacts::ContactDraft;
use karta_db::contacts::{ContactFilter, ContactSort};
use karta_db::entities::contact::Model;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of contacts (personal data absent for roles without the right).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<ContactView>,
    pub next_cursor: Option<String>,
}

/// A contact just written, with possible duplicates (same e-mail or phone).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ContactWritten {
    #[serde(flatten)]
    pub contact: ContactView,
    pub duplicates: Vec<DuplicateHint>,
}

/// List contacts.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts",
    params(
        ("q" = Option<String>, Query), ("account_id" = Option<Uuid>, Query), ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query),
        ("purchase_role" = Option<String>, Query), ("consent_marketing" = Option<bool>, Query), ("deleted" = Option<bool>, Query),
        ("custom.<key>" = Option<String>, Query), ("sort" = Option<String>, Query, description = "name, -name, -updated_at, -created_at"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = ContactList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let paging = paging(&mut params)?;
    let sort = match take_text(&mut params, "sort") {
        Some(s) => ContactSort::parse(&s).ok_or_else(|| bad_request("sort", "invalid_sort"))?,
        None => ContactSort::Name,
    };
    let q = take_text(&mut params, "q").unwrap_or_default();
    let filter = ContactFilter {
        terms: karta_core::search::query_terms(&q),
        search_private: false,
        account_id: take_uuid(&mut params, "account_id")?,
        owner_id: take_uuid(&mut params, "owner_id")?,
        team_id: take_uuid(&mut params, "team_id")?,
        purchase_role: take_text(&mut params, "purchase_role"),
        consent_marketing: take_bool(&mut params, "consent_marketing")?,
        deleted: take_bool(&mut params, "deleted")?.unwrap_or(false),
        custom: super::custom_filters(&state, "contacts", &mut params).await?,
    };
    no_more(params)?;
    let (page, mut links) = contacts::list(
        &state.app,
        &caller.principal,
        filter,
        sort,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let personal = caller.principal.sees_personal_data();
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|m| contact_json(m, links.remove(&m.id).unwrap_or_default(), personal))
        .collect();
    Ok(Json(
        json!({"items": items, "next_cursor": page.next_cursor}),
    ))
}

fn written(
    caller: &Caller,
    m: &Model,
    accounts: Vec<Uuid>,
    dups: Option<Vec<DuplicateHint>>,
    status: StatusCode,
) -> Response {
    let mut body = contact_json(m, accounts, caller.principal.sees_personal_data());
    if let (Value::Object(map), Some(d)) = (&mut body, dups) {
        map.insert("duplicates".into(), json!(d));
    }
    (status, etag(m.version), Json(body)).into_response()
}

/// Create a contact.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactDraft,
    responses((status = 201, body = ContactWritten), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: ContactDraft = parse_json(&body)?;
    let (m, accounts, dups) = contacts::create(&state.app, &caller.principal, draft).await?;
    Ok(written(
        &caller,
        &m,
        accounts,
        Some(dups),
        StatusCode::CREATED,
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct TrashParam {
    #[serde(default)]
    deleted: bool,
}

/// Read one contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path), ("deleted" = Option<bool>, Query)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(t): Query<TrashParam>,
) -> Result<Response, ApiError> {
    let (m, accounts) = contacts::get(&state.app, &caller.principal, id, t.deleted).await?;
    Ok(written(&caller, &m, accounts, None, StatusCode::OK))
}

/// Change fields (JSON merge); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = ContactDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactWritten), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let (m, accounts, dups) = contacts::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&caller, &m, accounts, Some(dups), StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m =
        contacts::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true).await?;
    Ok(written(&caller, &m, Vec::new(), None, StatusCode::OK))
}

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/restore", tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = contacts::set_deleted(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        false,
    )
    .await?;
    Ok(written(&caller, &m, Vec::new(), None, StatusCode::OK))
}

/// The contact's history (personal data left out for roles without it).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/history", tag = "contacts", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = contacts::history(
        &state.app,
        &caller.principal,
        id,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(ChangeList {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}
