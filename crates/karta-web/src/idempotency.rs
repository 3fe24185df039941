//! `Idempotency-Key` on API POSTs: a client that retries a create after a
//! lost answer sends the same key and gets the first answer back instead of
//! a second record. Keys are per user and kept for a day
//! (`karta_app::maintenance`).

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use karta_app::AppError;
use karta_app::idempotency::{self, Claim, Stored};

/// The request header clients send.
pub const HEADER: &str = "idempotency-key";
/// Marks an answer that was replayed, not produced again.
pub const REPLAYED: &str = "idempotent-replayed";
/// Bodies larger than this are refused before they are hashed.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The middleware: passes through anything that is not a POST with a key.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return next.run(req).await;
    }
    match keyed(&state, req, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn keyed(state: &AppState, req: Request, next: Next) -> Result<Response, Response> {
    let refuse = |e: AppError| ApiError(e).into_response();
    let key = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(String::from)
        .ok_or_else(|| {
            refuse(AppError::field(
                "Idempotency-Key",
                "invalid_idempotency_key",
            ))
        })?;
    let (mut parts, body) = req.into_parts();
    let caller = Caller::from_request_parts(&mut parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| refuse(AppError::field("body", "too_long")))?;
    let fingerprint = karta_app::auth::digest(&format!(
        "{} {}\n{}",
        parts.method,
        parts.uri,
        String::from_utf8_lossy(&bytes)
    ));
    let (app, p) = (&state.app, &caller.principal);
    let claim = idempotency::claim(app, p, &key, &fingerprint)
        .await
        .map_err(refuse)?;
    match claim {
        Claim::Seen(stored) if stored.fingerprint != fingerprint => Err(refuse(AppError::field(
            "Idempotency-Key",
            "idempotency_key_reused",
        ))),
        Claim::Seen(Stored { status: None, .. }) => {
            Err(refuse(AppError::Conflict("idempotency_key_in_use")))
        }
        Claim::Seen(stored) => Ok(replay(&stored)),
        Claim::Claimed => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            if response.status().is_server_error() {
                // Our failure, not the client's: let the retry run again.
                idempotency::release(app, p, &key).await.map_err(refuse)?;
                return Ok(response);
            }
            let (head, body) = response.into_parts();
            let body = to_bytes(body, usize::MAX)
                .await
                .map_err(|_| refuse(AppError::Conflict("idempotency_key_in_use")))?;
            let etag = head.headers.get(header::ETAG).and_then(|v| v.to_str().ok());
            idempotency::store(
                app,
                p,
                &key,
                head.status.as_u16(),
                etag,
                &String::from_utf8_lossy(&body),
            )
            .await
            .map_err(refuse)?;
            Ok(Response::from_parts(head, Body::from(body)))
        }
    }
}

/// The stored answer, marked as replayed.
fn replay(stored: &Stored) -> Response {
    let status = stored
        .status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body.clone().unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(etag) = stored
        .etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
