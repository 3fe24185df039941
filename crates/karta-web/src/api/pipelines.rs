//! `/api/v1/pipelines`: sales pipelines with their stages.

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
use karta_app::pipelines;
use karta_app::pipelines::PipelineWithStages;
use karta_app::views::PipelineView;
use karta_core::pipelines::PipelineDraft;
use utoipa::ToSchema;
use uuid::Uuid;

/// Every pipeline.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PipelineList {
    pub items: Vec<PipelineView>,
}

fn written(p: &PipelineWithStages, lang: &str, status: StatusCode) -> Response {
    (
        status,
        etag(p.pipeline.version),
        Json(PipelineView::of(p, lang)),
    )
        .into_response()
}

/// List pipelines with their stages (stage `name` in the caller's language).
#[utoipa::path(get, path = "/api/v1/pipelines", tag = "pipelines",
    responses((status = 200, body = PipelineList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PipelineList>, ApiError> {
    let lang = caller.lang;
    let all = pipelines::list(&state.app, &caller.principal).await?;
    Ok(Json(PipelineList {
        items: all.iter().map(|p| PipelineView::of(p, lang)).collect(),
    }))
}

/// Create a pipeline (heads of sales and administrators).
#[utoipa::path(post, path = "/api/v1/pipelines", tag = "pipelines", request_body = PipelineDraft,
    responses((status = 201, body = PipelineView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: PipelineDraft = parse_json(&body)?;
    let p = pipelines::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&p, caller.lang, StatusCode::CREATED))
}

/// Read one pipeline.
#[utoipa::path(get, path = "/api/v1/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    responses((status = 200, body = PipelineView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let p = pipelines::get(&state.app, &caller.principal, id).await?;
    Ok(written(&p, caller.lang, StatusCode::OK))
}

/// Change a pipeline (JSON merge; `stages`, when sent, is the whole list:
/// stages with an `id` are kept, those without are new, the rest are
/// removed unless they hold deals); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/pipelines/{id}", tag = "pipelines", request_body = PipelineDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = PipelineView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let p = pipelines::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&p, caller.lang, StatusCode::OK))
}
