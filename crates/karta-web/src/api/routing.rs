//! `/api/v1/routing-rules`: which rep or team receives a new lead, and the
//! default for leads no rule takes.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, parse_json, parse_object};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::routing::{self, RoutingDefault};
use karta_app::views::RuleView;
use karta_core::routing::RuleDraft;
use utoipa::ToSchema;
use uuid::Uuid;

/// The rules in the order they are tried, and the default.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<RuleView>,
    pub default: RoutingDefault,
}

/// List the rules.
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "routing",
    responses((status = 200, body = RuleList), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RuleList>, ApiError> {
    let rules = routing::list(&state.app, &caller.principal).await?;
    Ok(Json(RuleList {
        items: rules.iter().map(RuleView::of).collect(),
        default: routing::default_target(&state.app).await?,
    }))
}

fn written(m: &karta_app::model::RoutingRule, status: StatusCode) -> Response {
    (status, etag(m.version), Json(RuleView::of(m))).into_response()
}

/// Add a rule.
#[utoipa::path(post, path = "/api/v1/routing-rules", tag = "routing", request_body = RuleDraft,
    responses((status = 201, body = RuleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: RuleDraft = parse_json(&body)?;
    let m = routing::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&m, StatusCode::CREATED))
}

/// Change a rule (JSON merge); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/routing-rules/{id}", tag = "routing", request_body = RuleDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RuleView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = routing::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&m, StatusCode::OK))
}

/// Remove a rule.
#[utoipa::path(delete, path = "/api/v1/routing-rules/{id}", tag = "routing", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    routing::delete(&state.app, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Set where leads go that no rule takes (`{"user_id": null}` is the head
/// of sales' queue).
#[utoipa::path(put, path = "/api/v1/routing-rules/default", tag = "routing", request_body = RoutingDefault,
    responses((status = 200, body = RoutingDefault), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_default(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<RoutingDefault>, ApiError> {
    let value: RoutingDefault = parse_json(&body)?;
    Ok(Json(
        routing::set_default(&state.app, &caller.principal, value).await?,
    ))
}
