//! `/api/v1/accounts`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, bad_request};
use crate::http::{
    etag, if_match, no_more, paging, parse_json, parse_object, take_bool, take_text, take_uuid,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use karta_app::AppError;
use karta_app::accounts;
use karta_app::views::{AccountView, DuplicateHint};
use karta_core::accounts::{AccountDraft, AccountStatus, AccountType};
use karta_core::identifiers::CustomerCode;
use karta_db::accounts::{AccountFilter, AccountSort};
use karta_db::entities::account::Model;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// Reads list filters from query parameters.
pub async fn filter_from(
    state: &AppState,
    params: &mut HashMap<String, String>,
) -> Result<AccountFilter, ApiError> {
    let q = take_text(params, "q").unwrap_or_default();
    Ok(AccountFilter {
        terms: karta_core::search::query_terms(&q),
        search_private: false,
        account_type: take_text(params, "type")
            .map(|t| AccountType::parse(&t).map_err(|c| bad_request("type", c)))
            .transpose()?,
        status: take_text(params, "status")
            .map(|s| AccountStatus::parse(&s).map_err(|c| bad_request("status", c)))
            .transpose()?,
        region: take_text(params, "region"),
        industry: take_text(params, "industry"),
        segment: take_text(params, "segment"),
        owner_id: take_uuid(params, "owner_id")?,
        team_id: take_uuid(params, "team_id")?,
        tag: take_text(params, "tag"),
        inn: take_text(params, "inn"),
        deleted: take_bool(params, "deleted")?.unwrap_or(false),
        custom: super::custom_filters(state, "accounts", params).await?,
    })
}

/// List accounts: filters, `q`, `sort`, `limit`, `cursor`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let paging = paging(&mut params)?;
    let sort = match take_text(&mut params, "sort") {
        Some(s) => AccountSort::parse(&s).ok_or_else(|| bad_request("sort", "invalid_sort"))?,
        None => AccountSort::Name,
    };
    let filter = filter_from(&state, &mut params).await?;
    no_more(params)?;
    let page = accounts::list(
        &state.app,
        &caller.principal,
        filter,
        sort,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let items: Vec<AccountView> = page.items.iter().map(AccountView::of).collect();
    Ok(Json(
        json!({"items": items, "next_cursor": page.next_cursor}),
    ))
}

fn written(
    m: &Model,
    duplicates: Vec<DuplicateHint>,
    status: StatusCode,
) -> axum::response::Response {
    let mut body = serde_json::to_value(AccountView::of(m)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut body {
        map.insert("duplicates".into(), json!(duplicates));
    }
    (status, etag(m.version), Json(body)).into_response()
}

/// Create an account.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let draft: AccountDraft = parse_json(&body)?;
    let (m, dups) = accounts::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&m, dups, StatusCode::CREATED))
}

/// An id or a customer code (`K-000123`).
async fn resolve(state: &AppState, caller: &Caller, key: &str) -> Result<Uuid, ApiError> {
    if let Ok(id) = key.parse::<Uuid>() {
        return Ok(id);
    }
    let code = CustomerCode::parse(key).map_err(|_| ApiError(AppError::NotFound))?;
    Ok(accounts::by_code(&state.app, &caller.principal, code)
        .await?
        .id)
}

#[derive(Debug, serde::Deserialize)]
pub struct TrashParam {
    #[serde(default)]
    deleted: bool,
}

/// Read one account by id or customer code.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(t): Query<TrashParam>,
) -> Result<impl IntoResponse, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let m = accounts::get(&state.app, &caller.principal, id, t.deleted).await?;
    Ok((etag(m.version), Json(AccountView::of(&m))))
}

/// Change fields (JSON merge); `If-Match` required.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let patch = parse_object(&body)?;
    let (m, dups) = accounts::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&m, dups, StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let m = accounts::delete(&state.app, &caller.principal, id, if_match(&headers)?).await?;
    Ok((etag(m.version), Json(AccountView::of(&m))))
}

/// Bring back from the trash; `If-Match` required.
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let m = accounts::restore(&state.app, &caller.principal, id, if_match(&headers)?).await?;
    Ok((etag(m.version), Json(AccountView::of(&m))))
}

/// The account's change history, newest first.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = accounts::history(
        &state.app,
        &caller.principal,
        id,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(
        json!({"items": page.items, "next_cursor": page.next_cursor}),
    ))
}
