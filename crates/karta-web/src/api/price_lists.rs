//! `/api/v1/price-lists`: price lists with their product prices, and
//! `/api/v1/prices`: what one customer pays for products, and why.

use crate::AppState;
use crate::api::accounts::ChangeList;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::Path;
use crate::http::{
    etag, if_match, no_more, paging, parse_json, parse_object, take_text, take_uuid,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::model::PriceList as Model;
use karta_app::price_lists;
use karta_app::views::PriceListView;
use karta_core::price_lists::{PriceListDraft, Quote};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of price lists by name.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PriceListList {
    pub items: Vec<PriceListView>,
    pub next_cursor: Option<String>,
}

/// The prices one customer gets.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct QuoteList {
    pub items: Vec<Quote>,
}

async fn written(state: &AppState, m: &Model, status: StatusCode) -> Result<Response, ApiError> {
    let f = price_lists::fields(&state.app, m).await?;
    Ok((status, etag(m.version), Json(PriceListView::of(m, &f))).into_response())
}

/// List price lists.
#[utoipa::path(get, path = "/api/v1/price-lists", tag = "products",
    params(("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = PriceListList), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<PriceListList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = price_lists::list(
        &state.app,
        &caller.principal,
        false,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let fields = price_lists::fields_of_page(&state.app, &page.items).await?;
    let items = page
        .items
        .iter()
        .zip(&fields)
        .map(|(m, f)| PriceListView::of(m, f))
        .collect();
    Ok(Json(PriceListList {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Create a price list (administrators, heads of sales). `scope` says whom
/// it is for: everyone, a `segment`, an `account_type` (partner, dealer…)
/// or one `account_id`. Each item has a fixed `price_minor` or a
/// `discount_percent`; `discount_percent` of the list covers the rest.
#[utoipa::path(post, path = "/api/v1/price-lists", tag = "products", request_body = PriceListDraft,
    responses((status = 201, body = PriceListView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: PriceListDraft = parse_json(&body)?;
    let m = price_lists::create(&state.app, &caller.principal, draft).await?;
    written(&state, &m, StatusCode::CREATED).await
}

/// Read one price list with its product prices.
#[utoipa::path(get, path = "/api/v1/price-lists/{id}", tag = "products", params(("id" = Uuid, Path)),
    responses((status = 200, body = PriceListView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = price_lists::get(&state.app, &caller.principal, id).await?;
    written(&state, &m, StatusCode::OK).await
}

/// Change a price list (JSON merge; `items`, when sent, replace them all);
/// `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/price-lists/{id}", tag = "products", request_body = PriceListDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = PriceListView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = price_lists::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    written(&state, &m, StatusCode::OK).await
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/price-lists/{id}", tag = "products", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = PriceListView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = price_lists::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true)
        .await?;
    written(&state, &m, StatusCode::OK).await
}

/// The price list's change history, newest first.
#[utoipa::path(get, path = "/api/v1/price-lists/{id}/history", tag = "products", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = price_lists::history(
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

/// What an account pays for products on a day (today when absent): for each
/// product, the net unit price, the list it comes from and the rule
/// (`list_price`, `fixed`, `product_discount`, `list_discount`).
#[utoipa::path(get, path = "/api/v1/prices", tag = "products",
    params(
        ("account_id" = Uuid, Query),
        ("product_ids" = String, Query, description = "comma-separated product ids, at most 500"),
        ("date" = Option<String>, Query, description = "YYYY-MM-DD; today when absent"),
    ),
    responses((status = 200, body = QuoteList), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn quotes(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<QuoteList>, ApiError> {
    let account_id = take_uuid(&mut params, "account_id")?
        .ok_or_else(|| bad_request("account_id", "required"))?;
    let products = take_text(&mut params, "product_ids")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<Uuid>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad_request("product_ids", "invalid_id"))?;
    let day = match take_text(&mut params, "date") {
        Some(d) => karta_core::contacts::parse_date(&d).map_err(|c| bad_request("date", c))?,
        None => state.app.today(&caller.principal),
    };
    no_more(params)?;
    let items =
        price_lists::quotes(&state.app, &caller.principal, account_id, &products, day).await?;
    Ok(Json(QuoteList { items }))
}

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/restore", tag = "products", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = PriceListView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = price_lists::set_deleted(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        false,
    )
    .await?;
    written(&state, &m, StatusCode::OK).await
}
