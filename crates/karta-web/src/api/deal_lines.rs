//! `/api/v1/deals/{id}/lines`: the products of a deal, priced for its
//! customer; the deal's amount follows them.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, parse_json};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use karta_app::deal_lines;
use karta_app::views::{LineView, LinesView};
use karta_core::pricing::LineDraft;
use utoipa::ToSchema;
use uuid::Uuid;

/// All the lines of a deal, replacing those it has.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinesInput {
    pub lines: Vec<LineDraft>,
}

/// The deal's lines with their totals.
#[utoipa::path(get, path = "/api/v1/deals/{id}/lines", tag = "deals", params(("id" = Uuid, Path)),
    responses((status = 200, body = LinesView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (deal, _) = karta_app::deals::get(&state.app, &caller.principal, id, false).await?;
    let lines = deal_lines::get(&state.app, &caller.principal, id).await?;
    let view = LinesView::of(lines.iter().map(LineView::of_deal).collect(), deal.version);
    Ok((etag(deal.version), Json(view)).into_response())
}

/// Replace the deal's lines; `If-Match` is the deal's version. A line's
/// `price_minor` defaults to the customer's price today (see
/// `GET /api/v1/prices`); the deal's `amount_minor` becomes the total with
/// VAT, and the deal's version goes up.
#[utoipa::path(put, path = "/api/v1/deals/{id}/lines", tag = "deals", request_body = LinesInput,
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = LinesView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: LinesInput = parse_json(&body)?;
    let (deal, lines) = deal_lines::set(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        input.lines,
    )
    .await?;
    let view = LinesView::of(lines.iter().map(LineView::of_deal).collect(), deal.version);
    Ok((etag(deal.version), Json(view)).into_response())
}
