//! `/api/v1/activities`: calls, meetings and other contacts with customers.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json, parse_object};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::activities;
use karta_app::model::Activity as Model;
use karta_app::views::{ActivityView, TaskView};
use karta_core::activities::ActivityDraft;
use karta_core::activities::ActivityFilter;
use karta_core::tasks::TaskDraft;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of activities, newest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<ActivityView>,
    pub next_cursor: Option<String>,
}

/// List activities.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities",
    params(
        ("account_id" = Option<Uuid>, Query), ("contact_id" = Option<Uuid>, Query), ("deal_id" = Option<Uuid>, Query), ("lead_id" = Option<Uuid>, Query),
        ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query), ("kind" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "RFC 3339, inclusive"), ("to" = Option<String>, Query, description = "RFC 3339, exclusive"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = ActivityList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ActivityList>, ApiError> {
    let paging = paging(&mut params)?;
    let filter = crate::http::read_list(&mut params, ActivityFilter::read)?;
    no_more(params)?;
    let page = activities::list(
        &state.app,
        &caller.principal,
        filter,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(ActivityList {
        items: page.items.iter().map(ActivityView::of).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn written(m: &Model, status: StatusCode) -> Response {
    (status, etag(m.version), Json(ActivityView::of(m))).into_response()
}

/// A logged activity with the next contact planned with it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct LoggedActivity {
    #[serde(flatten)]
    pub activity: ActivityView,
    /// The task created from `next_contact`, if one was sent.
    pub next_task: Option<TaskView>,
}

/// Log an activity. An optional `next_contact` object (a task: `title`,
/// `due_at`, …) plans the next contact in the same commit, linked to the
/// same records.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = ActivityDraft,
    responses((status = 201, body = LoggedActivity), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut object = parse_object(&body)?;
    let next: Option<TaskDraft> = match object.remove("next_contact") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(parse_json(v.to_string().as_bytes())?),
    };
    let draft: ActivityDraft =
        parse_json(serde_json::Value::Object(object).to_string().as_bytes())?;
    let (m, task) = activities::create(&state.app, &caller.principal, draft, next).await?;
    let now = state.app.now();
    let body = LoggedActivity {
        activity: ActivityView::of(&m),
        next_task: task.as_ref().map(|t| TaskView::of(t, now)),
    };
    Ok((StatusCode::CREATED, etag(m.version), Json(body)).into_response())
}

/// Read one activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = Uuid, Path)),
    responses((status = 200, body = ActivityView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = activities::get(&state.app, &caller.principal, id).await?;
    Ok(written(&m, StatusCode::OK))
}

/// Change an activity (JSON merge); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", request_body = ActivityDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ActivityView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = activities::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&m, StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ActivityView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = activities::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true)
        .await?;
    Ok(written(&m, StatusCode::OK))
}
