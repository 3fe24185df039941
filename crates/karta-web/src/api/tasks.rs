//! `/api/v1/tasks`: things to do by a time, with reminders; overdue ones
//! are marked.

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
use karta_app::model::Task as Model;
use karta_app::tasks;
use karta_app::views::TaskView;
use karta_core::tasks::TaskFilter;
use karta_core::tasks::{TaskDraft, TaskStatus};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of tasks, soonest due first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct TaskList {
    pub items: Vec<TaskView>,
    pub next_cursor: Option<String>,
}

/// List tasks.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks",
    params(
        ("owner_id" = Option<Uuid>, Query, description = "assignee"), ("team_id" = Option<Uuid>, Query),
        ("account_id" = Option<Uuid>, Query), ("contact_id" = Option<Uuid>, Query), ("deal_id" = Option<Uuid>, Query), ("lead_id" = Option<Uuid>, Query),
        ("status" = Option<String>, Query, description = "open, done, cancelled"),
        ("overdue" = Option<bool>, Query, description = "only open tasks past due"),
        ("due_from" = Option<String>, Query, description = "RFC 3339, inclusive"), ("due_to" = Option<String>, Query, description = "RFC 3339, exclusive"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = TaskList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<TaskList>, ApiError> {
    let paging = paging(&mut params)?;
    let overdue = crate::http::take_bool(&mut params, "overdue")?.unwrap_or(false);
    let now = state.app.now();
    let mut filter = crate::http::read_list(&mut params, TaskFilter::read)?;
    if overdue {
        filter.status = Some(TaskStatus::Open);
        filter.due_to = Some(filter.due_to.map_or(now, |t| t.min(now)));
    }
    no_more(params)?;
    let page = tasks::list(
        &state.app,
        &caller.principal,
        filter,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(TaskList {
        items: page.items.iter().map(|t| TaskView::of(t, now)).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn written(state: &AppState, m: &Model, status: StatusCode) -> Response {
    (
        status,
        etag(m.version),
        Json(TaskView::of(m, state.app.now())),
    )
        .into_response()
}

/// Plan a task.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskDraft,
    responses((status = 201, body = TaskView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: TaskDraft = parse_json(&body)?;
    let m = tasks::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&state, &m, StatusCode::CREATED))
}

/// Read one task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path)),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = tasks::get(&state.app, &caller.principal, id).await?;
    Ok(written(&state, &m, StatusCode::OK))
}

/// Change a task (JSON merge; `{"status": "done"}` completes it);
/// `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", request_body = TaskDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = tasks::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&state, &m, StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m =
        tasks::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true).await?;
    Ok(written(&state, &m, StatusCode::OK))
}
