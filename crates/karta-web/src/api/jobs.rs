//! `/api/v1/jobs`: the background job queue for administrators — what is
//! queued, running, failed (with its error) or dead; retry and cancel.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::Path;
use crate::http::{no_more, paging, take_text};
use axum::Json;
use axum::extract::{Query, State};
use karta_app::jobs;
use karta_app::model::Job;
use karta_core::jobs::JobStatus;
use karta_core::time::rfc3339;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    /// `maintenance`, `import`, `ping`.
    pub kind: String,
    /// `queued`, `running`, `failed`, `done`, `dead` or `cancelled`.
    pub status: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
    /// Not before this instant (for a failed job: its next attempt).
    pub run_at: String,
    /// The process running it.
    pub locked_by: Option<String>,
    pub locked_until: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
}

impl JobView {
    /// The wire form of a stored job.
    pub fn of(m: &Job) -> Self {
        Self {
            id: m.id,
            kind: m.kind.clone(),
            status: m.status.clone(),
            payload: m.payload.clone(),
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            run_at: rfc3339(m.run_at),
            locked_by: m.locked_by.clone(),
            locked_until: m.locked_until.map(rfc3339),
            last_error: m.last_error.clone(),
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
            finished_at: m.finished_at.map(rfc3339),
        }
    }
}

/// A page of jobs with the count in every status.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub items: Vec<JobView>,
    pub next_cursor: Option<String>,
    /// Jobs per status, every status named.
    #[schema(value_type = HashMap<String, i64>)]
    pub counts: HashMap<&'static str, i64>,
}

/// Jobs, newest first.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    params(("status" = Option<String>, Query, description = "queued, running, failed, done, dead or cancelled"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = JobList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<JobList>, ApiError> {
    let status = take_text(&mut params, "status")
        .map(|s| JobStatus::parse(&s).map_err(|c| bad_request("status", c)))
        .transpose()?;
    let page = paging(&mut params)?;
    no_more(params)?;
    let p = &caller.principal;
    let jobs = jobs::list(&state.app, p, status, page.cursor.as_ref(), page.limit).await?;
    let counts = jobs::counts(&state.app, p).await?;
    Ok(Json(JobList {
        items: jobs.items.iter().map(JobView::of).collect(),
        next_cursor: jobs.next_cursor,
        counts: counts.into_iter().map(|(s, n)| (s.as_str(), n)).collect(),
    }))
}

/// One job.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(JobView::of(
        &jobs::get(&state.app, &caller.principal, id).await?,
    )))
}

/// Sends a failed, dead or cancelled job round again, now.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "job_not_retryable")))]
pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(JobView::of(
        &jobs::retry(&state.app, &caller.principal, id).await?,
    )))
}

/// Cancels a queued, failed or dead job.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "job_not_cancellable")))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(JobView::of(
        &jobs::cancel(&state.app, &caller.principal, id).await?,
    )))
}
