//! `/api/v1/contracts`: contracts with their products and prices, terms
//! and credit limits.

use crate::AppState;
use crate::api::accounts::ChangeList;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json, parse_object, take_uuid};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::contracts;
use karta_app::model::Contract as Model;
use karta_app::views::ContractView;
use karta_core::contracts::ContractDraft;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of contracts, newest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ContractList {
    pub items: Vec<ContractView>,
    pub next_cursor: Option<String>,
}

async fn view(state: &AppState, caller: &Caller, m: &Model) -> Result<ContractView, ApiError> {
    let f = contracts::fields(&state.app, m).await?;
    Ok(ContractView::of(m, &f, state.app.today(&caller.principal)))
}

async fn written(
    state: &AppState,
    caller: &Caller,
    m: &Model,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let v = view(state, caller, m).await?;
    Ok((status, etag(m.version), Json(v)).into_response())
}

/// List contracts, of one account or all.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "orders",
    params(("account_id" = Option<Uuid>, Query), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ContractList), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ContractList>, ApiError> {
    let paging = paging(&mut params)?;
    let account_id = take_uuid(&mut params, "account_id")?;
    no_more(params)?;
    let page = contracts::list(
        &state.app,
        &caller.principal,
        account_id,
        false,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let today = state.app.today(&caller.principal);
    let fields = contracts::fields_of_page(&state.app, &page.items).await?;
    let items = page
        .items
        .iter()
        .zip(&fields)
        .map(|(m, f)| ContractView::of(m, f, today))
        .collect();
    Ok(Json(ContractList {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Record a contract (heads of sales, accountants): the account, number,
/// dates, `status` (draft, active, terminated), `payment_days`,
/// `credit_limit_minor`, `payment_method` and the contracted products with
/// their prices. Orders under it take only those products at those prices.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "orders", request_body = ContractDraft,
    responses((status = 201, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: ContractDraft = parse_json(&body)?;
    let m = contracts::create(&state.app, &caller.principal, draft).await?;
    written(&state, &caller, &m, StatusCode::CREATED).await
}

/// Read one contract.
#[utoipa::path(get, path = "/api/v1/contracts/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = ContractView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = contracts::get(&state.app, &caller.principal, id).await?;
    written(&state, &caller, &m, StatusCode::OK).await
}

/// Change a contract (JSON merge; `items`, when sent, replace them all);
/// `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/contracts/{id}", tag = "orders", request_body = ContractDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = contracts::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    written(&state, &caller, &m, StatusCode::OK).await
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/contracts/{id}", tag = "orders", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = contracts::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true)
        .await?;
    written(&state, &caller, &m, StatusCode::OK).await
}

/// The contract's change history, newest first.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/history", tag = "orders", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = contracts::history(
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

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/restore", tag = "orders", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContractView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = contracts::set_deleted(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        false,
    )
    .await?;
    written(&state, &caller, &m, StatusCode::OK).await
}
