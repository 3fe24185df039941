//! Small HTTP helpers shared by the API handlers: strict JSON bodies,
//! `If-Match` / `ETag`, list parameters.

use crate::error::{ApiError, bad_request};
use axum::http::{HeaderMap, HeaderValue, header};
use karta_app::AppError;
use karta_app::accounts::json_error;
use karta_app::model::{Cursor, MAX_LIMIT};
use karta_core::query::ListQuery;
use std::collections::HashMap;

/// Parses a JSON body into `T`, turning unknown fields and wrong types into
/// problem+json field errors.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| bad_request("body", "invalid_json"))?;
    serde_json::from_value(value).map_err(|e| ApiError(json_error(&e)))
}

/// Parses a JSON object body (for PATCH).
pub fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    parse_json(body)
}

/// The version a client based its write on, from `If-Match: "3"`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v
        .to_str()
        .map_err(|_| bad_request("If-Match", "invalid_etag"))?;
    let text = text.trim().trim_start_matches("W/").trim_matches('"');
    text.parse()
        .map(Some)
        .map_err(|_| bad_request("If-Match", "invalid_etag"))
}

/// `ETag` header for a record version.
pub fn etag(version: i64) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        h.insert(header::ETAG, v);
    }
    h
}

/// Paging parameters taken out of a query map.
#[derive(Debug)]
pub struct Paging {
    pub cursor: Option<Cursor>,
    pub limit: u64,
}

/// Removes and checks `limit` and `cursor`.
pub fn paging(params: &mut HashMap<String, String>) -> Result<Paging, ApiError> {
    let limit = match params.remove("limit") {
        Some(l) => l
            .parse::<u64>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| bad_request("limit", "invalid_limit"))?,
        None => 50,
    };
    let cursor = match params.remove("cursor").filter(|c| !c.is_empty()) {
        Some(c) => Some(Cursor::decode(&c).ok_or_else(|| bad_request("cursor", "invalid_cursor"))?),
        None => None,
    };
    Ok(Paging { cursor, limit })
}

/// Removes a UUID parameter.
pub fn take_uuid(
    params: &mut HashMap<String, String>,
    name: &str,
) -> Result<Option<uuid::Uuid>, ApiError> {
    match params.remove(name).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| bad_request(name, "invalid_id")),
        None => Ok(None),
    }
}

/// Removes a boolean parameter.
pub fn take_bool(
    params: &mut HashMap<String, String>,
    name: &str,
) -> Result<Option<bool>, ApiError> {
    match params.remove(name).as_deref() {
        None | Some("") => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(bad_request(name, "invalid_boolean")),
    }
}

/// Removes a text parameter (blank counts as absent).
pub fn take_text(params: &mut HashMap<String, String>, name: &str) -> Option<String> {
    params
        .remove(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Reads what `read` takes out of `params` with the core list parser
/// (the one the pages use too): every problem is refused at once, and the
/// parameters nobody read stay in `params`.
pub fn read_list<T>(
    params: &mut HashMap<String, String>,
    read: impl FnOnce(&mut ListQuery) -> T,
) -> Result<T, ApiError> {
    let mut q = ListQuery::new(std::mem::take(params));
    let value = read(&mut q);
    let (rest, problems) = q.finish();
    *params = rest;
    problems.into_result().map_err(AppError::from)?;
    Ok(value)
}

/// Fails on any parameter left over: unknown parameters are errors.
pub fn no_more(params: HashMap<String, String>) -> Result<(), ApiError> {
    match params.into_keys().next() {
        Some(k) => Err(bad_request(&k, "unknown_parameter")),
        None => Ok(()),
    }
}

/// Takes an RFC 3339 instant parameter, as storage micros.
pub fn instant(params: &mut HashMap<String, String>, name: &str) -> Result<Option<i64>, ApiError> {
    take_text(params, name)
        .map(|v| {
            karta_core::time::parse_rfc3339(&v).map_err(|c| crate::error::bad_request(name, c))
        })
        .transpose()
}

/// `axum::extract::Path` whose refusal is a problem like every other: a
/// path segment that is not an id is `invalid_id` on that parameter, not
/// axum's plain-text 400.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let field = match e.kind() {
                    axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. } => key.clone(),
                    _ => "id".to_string(),
                };
                Err(bad_request(&field, "invalid_id"))
            }
            Err(_) => Err(bad_request("id", "invalid_id")),
        }
    }
}
