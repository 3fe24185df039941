//! `/api/v1/orders`: orders, their lines, status changes with their
//! tracking history, and `POST /api/v1/deals/{id}/order` for a won deal.

use crate::AppState;
use crate::api::deal_lines::LinesInput;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::model::Order as Model;
use karta_app::orders;
use karta_app::views::{LineView, LinesView, OrderEventView, OrderView};
use karta_core::orders::OrderFilter;
use karta_core::orders::{OrderDraft, StatusChange};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of orders, newest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<OrderView>,
    pub next_cursor: Option<String>,
}

/// An order's tracking history, oldest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct OrderHistory {
    pub items: Vec<OrderEventView>,
}

fn written(m: &Model, status: StatusCode) -> Response {
    (status, etag(m.version), Json(OrderView::of(m))).into_response()
}

/// List orders.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(
        ("q" = Option<String>, Query, description = "An order number (`З-000015`, `SO-15`, `15`) or words of the customer's name, code or INN"),
        ("account_id" = Option<Uuid>, Query), ("deal_id" = Option<Uuid>, Query),
        ("status" = Option<String>, Query, description = "draft, confirmed, in_production, shipped, delivered, closed, cancelled"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = OrderList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<OrderList>, ApiError> {
    let paging = paging(&mut params)?;
    let filter = crate::http::read_list(&mut params, OrderFilter::read)?;
    no_more(params)?;
    let page = orders::list(
        &state.app,
        &caller.principal,
        filter,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(OrderList {
        items: page.items.iter().map(OrderView::of).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Place an order. Lines are priced for the account today unless a line
/// gives `price_minor`; the order starts as a draft.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderDraft,
    responses((status = 201, body = OrderView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: OrderDraft = parse_json(&body)?;
    let m = orders::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&m, StatusCode::CREATED))
}

/// Place the order of a won deal, with its lines at the agreed prices.
#[utoipa::path(post, path = "/api/v1/deals/{id}/order", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 201, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn from_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = orders::from_deal(&state.app, &caller.principal, id).await?;
    Ok(written(&m, StatusCode::CREATED))
}

/// Read one order.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = orders::get(&state.app, &caller.principal, id).await?;
    Ok(written(&m, StatusCode::OK))
}

/// The order's lines with their totals.
#[utoipa::path(get, path = "/api/v1/orders/{id}/lines", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = LinesView), (status = 404, body = Problem)))]
pub async fn lines(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = orders::get(&state.app, &caller.principal, id).await?;
    let lines = orders::lines(&state.app, &caller.principal, id).await?;
    let view = LinesView::of(lines.iter().map(LineView::of_order).collect(), m.version);
    Ok((etag(m.version), Json(view)).into_response())
}

/// Replace a draft order's lines; `If-Match` is the order's version.
#[utoipa::path(put, path = "/api/v1/orders/{id}/lines", tag = "orders", request_body = LinesInput,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = LinesView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn put_lines(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: LinesInput = parse_json(&body)?;
    let (m, lines) = orders::set_lines(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        input.lines,
    )
    .await?;
    let view = LinesView::of(lines.iter().map(LineView::of_order).collect(), m.version);
    Ok((etag(m.version), Json(view)).into_response())
}

/// Move the order to another status (`{"status": "confirmed", "comment":
/// "…"}`); `If-Match` is the order's version. Refusals are 409 with a
/// stable code and `facts`: `invalid_transition` (allowed moves),
/// `insufficient_stock` (each short line: requested and available).
#[utoipa::path(post, path = "/api/v1/orders/{id}/status", tag = "orders", request_body = StatusChange,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let change: StatusChange = parse_json(&body)?;
    let m = orders::change_status(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        change,
    )
    .await?;
    Ok(written(&m, StatusCode::OK))
}

/// The order's tracking history: every status it entered, who moved it,
/// when and why; oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/history", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderHistory), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<OrderHistory>, ApiError> {
    Ok(Json(OrderHistory {
        items: orders::event_views(&state.app, &caller.principal, id).await?,
    }))
}
