//! The jobs page (`/admin/jobs`, administrators): the background queue by
//! status with each failure's error, the recurring schedules, and retry
//! and cancel buttons.

use super::forms::{VersionForm, redirect_after};
use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::{ApiError, bad_request};
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::jobs;
use karta_app::model::Cursor;
use karta_core::jobs::JobStatus;
use std::collections::HashMap;
use uuid::Uuid;

/// One job as a row.
pub struct Row {
    id: Uuid,
    kind: String,
    status: &'static str,
    attempts: String,
    run_at: String,
    finished_at: String,
    error: String,
    retryable: bool,
    cancellable: bool,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    page: PageCtx,
    /// (status, label, count, the page of that status).
    tabs: Vec<(&'static str, String, i64, bool)>,
    rows: Vec<Row>,
    next: Option<String>,
    /// (name, kind, cron, next run, last run).
    schedules: Vec<(String, String, String, String, String)>,
    error: Option<String>,
}

/// "03.12.2026 14:05" on the viewer's clock.
pub(super) fn shown(micros: i64, offset_minutes: i32) -> String {
    let t = karta_core::time::from_micros(micros + i64::from(offset_minutes) * 60_000_000);
    format!(
        "{:02}.{:02}.{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// The jobs page, of one status (`?status=`) or all.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (app, p) = (&state.app, &caller.0.principal);
    let status = params
        .remove("status")
        .filter(|s| !s.is_empty())
        .map(|s| JobStatus::parse(&s).map_err(|c| bad_request("status", c)))
        .transpose()?;
    let cursor = params.remove("cursor").and_then(|c| Cursor::decode(&c));
    let listed = jobs::list(app, p, status, cursor.as_ref(), 50).await?;
    let counts = jobs::counts(app, p).await?;
    let schedules = jobs::schedules(app, p).await?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let offset = app.utc_offset(p);
    let current = status.map_or("", JobStatus::as_str);
    let all = counts.iter().map(|(_, n)| n).sum();
    let mut tabs = vec![("", tr.t("jobs-all"), all, current.is_empty())];
    tabs.extend(counts.iter().map(|(s, n)| {
        let name = s.as_str();
        (
            name,
            tr.t(&format!("jobs-status-{name}")),
            *n,
            name == current,
        )
    }));
    let rows = listed
        .items
        .iter()
        .map(|m| {
            let status = JobStatus::parse(&m.status).unwrap_or(JobStatus::Queued);
            Row {
                id: m.id,
                kind: tr.t(&format!("jobs-kind-{}", m.kind)),
                status: status.as_str(),
                attempts: format!("{} / {}", m.attempts, m.max_attempts),
                run_at: shown(m.run_at, offset),
                finished_at: m.finished_at.map(|f| shown(f, offset)).unwrap_or_default(),
                error: m.last_error.clone().unwrap_or_default(),
                retryable: status.retryable(),
                cancellable: status.cancellable(),
            }
        })
        .collect();
    let next = listed.next_cursor.map(|c| {
        format!(
            "/admin/jobs?status={current}&cursor={}",
            super::lists::urlencode(&c)
        )
    });
    let schedules = schedules
        .into_iter()
        .map(|s| {
            (
                s.name,
                tr.t(&format!("jobs-kind-{}", s.kind)),
                s.cron,
                shown(s.next_run_at, offset),
                s.last_run_at.map(|l| shown(l, offset)).unwrap_or_default(),
            )
        })
        .collect();
    let error = params
        .remove("error")
        .map(|code| tr.t(&format!("err-{code}")));
    Ok(render(&JobsPage {
        page,
        tabs,
        rows,
        next,
        schedules,
        error,
    }))
}

/// The retry and cancel buttons: `/admin/jobs/{id}/retry|cancel`.
pub async fn act(
    State(state): State<AppState>,
    caller: UiCaller,
    Path((id, act)): Path<(Uuid, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    let (app, p) = (&state.app, &caller.0.principal);
    let done = match act.as_str() {
        "retry" => jobs::retry(app, p, id).await,
        "cancel" => jobs::cancel(app, p, id).await,
        _ => Err(karta_app::AppError::NotFound),
    };
    redirect_after(done.map(|_| "/admin/jobs".into()), "/admin/jobs")
}
