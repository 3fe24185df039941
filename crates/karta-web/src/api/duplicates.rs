//! `/api/v1/duplicates` (clusters of look-alike records) and the merges:
//! `POST /api/v1/accounts/{id}/merge`, `POST /api/v1/contacts/{id}/merge`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, parse_json, take_text};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use karta_app::duplicates::{self, Clusters, MergeInput, Merged};
use karta_app::duplicates::{Moved, Reason, decode_cursor, encode_cursor};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Clusters per page unless `limit` says otherwise.
const DEFAULT_CLUSTERS: u64 = 20;
const MAX_CLUSTERS: u64 = 100;

/// Clusters of records that look like one customer, by one reason, in key
/// order: `inn` and `name` (same reduced name in the same region) group
/// accounts; `email` and `phone` group contacts (refused to roles that do
/// not see personal data).
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "duplicates",
    params(("reason" = Option<String>, Query, description = "inn (default), name, email or phone"),
        ("limit" = Option<u64>, Query, description = "clusters per page, 1–100 [20]"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = ClusterPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ClusterPage>, ApiError> {
    let (reason, after, limit) = read_query(&mut params)?;
    no_more(params)?;
    let page = duplicates::clusters(
        &state.app,
        &caller.principal,
        reason,
        after.as_deref(),
        limit,
    )
    .await?;
    Ok(Json(ClusterPage::from(page)))
}

/// Reads `reason`, `cursor` and `limit` (shared with the duplicates page).
pub fn read_query(
    params: &mut HashMap<String, String>,
) -> Result<(Reason, Option<String>, u64), ApiError> {
    let reason = match take_text(params, "reason") {
        Some(r) => Reason::parse(&r).ok_or_else(|| bad_request("reason", "invalid_choice"))?,
        None => Reason::Inn,
    };
    let after = match params.remove("cursor").filter(|c| !c.is_empty()) {
        Some(c) => Some(decode_cursor(&c).ok_or_else(|| bad_request("cursor", "invalid_cursor"))?),
        None => None,
    };
    let limit = match params.remove("limit") {
        Some(l) => l
            .parse::<u64>()
            .ok()
            .filter(|l| (1..=MAX_CLUSTERS).contains(l))
            .ok_or_else(|| bad_request("limit", "invalid_limit"))?,
        None => DEFAULT_CLUSTERS,
    };
    Ok((reason, after, limit))
}

/// A page of duplicate clusters.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<duplicates::Cluster>,
    pub next_cursor: Option<String>,
}

impl From<Clusters> for ClusterPage {
    fn from(c: Clusters) -> Self {
        Self {
            items: c.items,
            next_cursor: c.next.as_deref().map(encode_cursor),
        }
    }
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The surviving record.
    pub id: Uuid,
    /// Its version after the merge.
    pub version: i64,
    /// The records merged into it (now in the trash).
    pub merged: Vec<Uuid>,
    /// Where each field that did not keep the survivor's value came from.
    #[schema(value_type = Object)]
    pub sources: Map<String, Value>,
    /// Related rows moved onto the survivor, by table.
    #[schema(value_type = Object)]
    pub moved: Map<String, Value>,
}

fn result(
    id: Uuid,
    version: i64,
    merged: Vec<Uuid>,
    sources: Map<String, Value>,
    moved: Moved,
) -> Response {
    let moved = moved
        .into_iter()
        .map(|(table, n)| (table.to_string(), Value::from(n)))
        .collect();
    (
        etag(version),
        Json(MergeResult {
            id,
            version,
            merged,
            sources,
            moved,
        }),
    )
        .into_response()
}

/// Merge accounts into this one: their deals, activities, tasks, leads,
/// contacts and history move here, they go to the trash, and the merge is
/// recorded. The version comes in `version` or `If-Match`.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/merge", tag = "duplicates", request_body = MergeInput,
    params(("id" = String, Path, description = "UUID or customer code of the surviving account")),
    responses((status = 200, body = MergeResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn merge_accounts(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = super::accounts::resolve(&state, &caller, &key).await?;
    let input = input(&headers, &body)?;
    let from = input.from.clone();
    let Merged {
        record,
        sources,
        moved,
    } = duplicates::merge_accounts(&state.app, &caller.principal, id, input).await?;
    Ok(result(id, record.version, from, sources, moved))
}

/// Merge contacts into this one: e-mails, phones and companies are united,
/// their activities, tasks, leads, deal roles and history move here, they go
/// to the trash, and the merge is recorded.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "duplicates", request_body = MergeInput,
    params(("id" = Uuid, Path, description = "the surviving contact")),
    responses((status = 200, body = MergeResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn merge_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = input(&headers, &body)?;
    let from = input.from.clone();
    let Merged {
        record,
        sources,
        moved,
    } = duplicates::merge_contacts(&state.app, &caller.principal, id, input).await?;
    Ok(result(id, record.version, from, sources, moved))
}

fn input(headers: &HeaderMap, body: &[u8]) -> Result<MergeInput, ApiError> {
    let mut input: MergeInput = parse_json(body)?;
    input.version = input.version.or(if_match(headers)?);
    Ok(input)
}
