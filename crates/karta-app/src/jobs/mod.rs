//! Background jobs: what can run (`Kind`, the one list of job kinds), how
//! a use case asks for one inside its own transaction (`enqueue`, which
//! makes the queue an outbox too), the recurring schedules, and what
//! administrators see and do on the jobs page (list, retry, cancel).
//!
//! The runner that claims and runs jobs in `karta serve` is [`runner`].

mod kinds;
pub mod runner;

pub use kinds::{Kind, Outcome};

use crate::{App, AppError, Principal};
use karta_core::jobs::{JobStatus, Recurrence};
use karta_core::roles::{Access, Entity};
use karta_db::entities::{job, schedule};
use karta_db::jobs::{self as store, NewJob};
use karta_db::page::{Cursor, MAX_LIMIT, Page};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Recurring work: (schedule name, kind, cron expression in UTC).
pub const SCHEDULES: &[(&str, Kind, &str)] = &[
    // Purges the trash and forgets expired sessions, windows and keys.
    ("maintenance", Kind::Maintenance, "17 * * * *"),
    // Task reminders, to the minute.
    ("reminders", Kind::Reminders, "* * * * *"),
    // Committed domain events to their subscribers.
    ("publish", Kind::Publish, "* * * * *"),
];

/// Asks for `kind` to run with `payload`, inside the caller's transaction:
/// the job exists exactly when the caller's change commits. `unique_key`
/// makes a second request with the same key a no-op (`None` back).
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    now: i64,
    kind: Kind,
    payload: serde_json::Value,
    unique_key: Option<String>,
    created_by: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    Ok(store::enqueue(
        db,
        now,
        NewJob {
            kind: kind.as_str().into(),
            payload,
            run_at: now,
            max_attempts: kind.max_attempts(),
            unique_key,
            created_by,
        },
    )
    .await?)
}

/// Declares every schedule in [`SCHEDULES`] (at start-up; idempotent).
pub async fn declare_schedules(app: &App) -> Result<(), AppError> {
    for (name, kind, cron) in SCHEDULES {
        let next = Recurrence::parse(cron)
            .ok()
            .and_then(|r| r.next_after(app.now()))
            .ok_or_else(|| AppError::internal(format!("schedule {name}: {cron} never runs")))?;
        store::declare_schedule(&app.db, name, kind.as_str(), cron, next).await?;
    }
    Ok(())
}

/// Enqueues one run of every schedule that came due and moves it on to its
/// next time; when several processes race, one run per due time is queued.
/// Answers how many runs were queued.
pub async fn enqueue_due(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let mut queued = 0;
    for s in store::schedules(app.db.conn()).await? {
        if s.next_run_at > now {
            continue;
        }
        let (Ok(recurrence), Ok(kind)) = (Recurrence::parse(&s.cron), Kind::parse(&s.kind)) else {
            tracing::warn!(schedule = %s.name, "schedule not understood; skipped");
            continue;
        };
        // A schedule that missed several times while no process ran runs
        // once, then keeps its rhythm from now.
        let next = recurrence.next_after(now).unwrap_or(i64::MAX);
        let txn = app.db.begin_write().await?;
        if store::advance_schedule(&txn, &s.name, s.next_run_at, next, now).await? {
            let key = format!("{}@{}", s.name, s.next_run_at);
            enqueue(&txn, now, kind, serde_json::json!({}), Some(key), None).await?;
            queued += 1;
        }
        txn.commit().await?;
    }
    Ok(queued)
}

/// One page of jobs for the jobs page, newest first, of one status or all.
pub async fn list(
    app: &App,
    p: &Principal,
    status: Option<JobStatus>,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<job::Model>, AppError> {
    p.require(Entity::Jobs, Access::Read)?;
    Ok(store::page(
        app.db.conn(),
        status.map(JobStatus::as_str),
        cursor,
        limit.clamp(1, MAX_LIMIT),
    )
    .await?)
}

/// One job.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<job::Model, AppError> {
    p.require(Entity::Jobs, Access::Read)?;
    store::get(app.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// How many jobs are in each status, every status named (zero when none).
pub async fn counts(app: &App, p: &Principal) -> Result<Vec<(JobStatus, i64)>, AppError> {
    p.require(Entity::Jobs, Access::Read)?;
    let stored = store::counts(app.db.conn()).await?;
    Ok(JobStatus::ALL
        .into_iter()
        .map(|s| {
            let n = stored
                .iter()
                .find(|(name, _)| name == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect())
}

/// The recurring schedules and when each runs next.
pub async fn schedules(app: &App, p: &Principal) -> Result<Vec<schedule::Model>, AppError> {
    p.require(Entity::Jobs, Access::Read)?;
    Ok(store::schedules(app.db.conn()).await?)
}

/// Sends a failed, dead or cancelled job round again.
pub async fn retry(app: &App, p: &Principal, id: Uuid) -> Result<job::Model, AppError> {
    p.require(Entity::Jobs, Access::Write)?;
    if store::retry(app.db.conn(), id, app.now()).await? {
        return get(app, p, id).await;
    }
    refused(app, p, id, "job_not_retryable").await
}

/// Cancels a job that is waiting, failed or dead.
pub async fn cancel(app: &App, p: &Principal, id: Uuid) -> Result<job::Model, AppError> {
    p.require(Entity::Jobs, Access::Write)?;
    if store::cancel(app.db.conn(), id, app.now()).await? {
        return get(app, p, id).await;
    }
    refused(app, p, id, "job_not_cancellable").await
}

/// Not found when there is no such job; else the state forbids the act.
async fn refused(
    app: &App,
    p: &Principal,
    id: Uuid,
    code: &'static str,
) -> Result<job::Model, AppError> {
    get(app, p, id).await?;
    Err(AppError::Conflict(code))
}
