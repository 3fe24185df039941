//! `/api/v1/calendar-feed`: the caller's private iCalendar feed (create or
//! rotate, revoke), and the feed itself at its secret URL.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use karta_app::calendar;
use utoipa::ToSchema;

/// The feed's secret address.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct FeedUrl {
    pub url: String,
}

/// This server's address as the caller reached it (behind a proxy, from
/// `X-Forwarded-Proto`/`Host`).
pub fn origin(headers: &HeaderMap) -> String {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let scheme = text("x-forwarded-proto").unwrap_or("http");
    let host = text("x-forwarded-host")
        .or(text("host"))
        .unwrap_or("localhost:8080");
    format!("{scheme}://{host}")
}

/// The feed path for a token.
pub fn feed_path(token: &str) -> String {
    format!("/calendar/{token}.ics")
}

/// Create or rotate the caller's feed; the old URL stops working.
#[utoipa::path(post, path = "/api/v1/calendar-feed", tag = "calendar",
    responses((status = 200, body = FeedUrl), (status = 403, body = Problem)))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Json<FeedUrl>, ApiError> {
    let token = calendar::enable_feed(&state.app, &caller.principal).await?;
    Ok(Json(FeedUrl {
        url: format!("{}{}", origin(&headers), feed_path(&token)),
    }))
}

/// Revoke the caller's feed.
#[utoipa::path(delete, path = "/api/v1/calendar-feed", tag = "calendar",
    responses((status = 204)))]
pub async fn revoke(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    calendar::revoke_feed(&state.app, &caller.principal).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed (no sign-in: the secret in the URL is the key).
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let body = calendar::feed(&state.app, token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
