//! The job queue's storage: enqueue (inside the caller's transaction, which
//! makes the table an outbox too), claim with a lease, finish, fail, hand
//! back, and the recurring schedules.
//!
//! One code path on both engines. Claiming reads the due rows `FOR UPDATE
//! SKIP LOCKED`, so several processes on PostgreSQL take different jobs
//! without waiting on each other; SQLite has no row locks (sea-query drops
//! the clause) and needs none, since its write transactions
//! (`BEGIN IMMEDIATE`) already run one at a time. Every change of a running
//! job names the holder and the attempt, so a process whose lease ran out
//! and whose job another process took can no longer finish or fail it.

use crate::Db;
use crate::entities::{import_file, job, schedule};
use crate::page::{self, Cursor, Page};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use job::Column as J;

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: i64,
    pub max_attempts: i32,
    pub unique_key: Option<String>,
    pub created_by: Option<Uuid>,
}

/// Who holds a running job: the process and the attempt it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold<'a> {
    pub id: Uuid,
    pub worker: &'a str,
    pub attempt: i32,
}

/// Adds a job; `None` when a job with the same unique key exists already.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    now: i64,
    new: NewJob,
) -> Result<Option<Uuid>, DbErr> {
    let id = Uuid::now_v7();
    let row = job::ActiveModel {
        id: Set(id),
        kind: Set(new.kind),
        payload: Set(new.payload),
        status: Set("queued".into()),
        attempts: Set(0),
        max_attempts: Set(new.max_attempts),
        run_at: Set(new.run_at),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        unique_key: Set(new.unique_key),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    };
    let inserted = job::Entity::insert(row)
        .on_conflict(OnConflict::column(J::UniqueKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok((inserted == 1).then_some(id))
}

/// Takes up to `limit` jobs that are due, or whose holder's lease ran out,
/// for `worker` until `lease_until`, counting an attempt for each.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let txn = db.begin_write().await?;
    let due = Condition::any()
        .add(
            Condition::all()
                .add(J::Status.is_in(["queued", "failed"]))
                .add(J::RunAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(J::Status.eq("running"))
                .add(J::LockedUntil.lt(now)),
        );
    let ids: Vec<Uuid> = job::Entity::find()
        .select_only()
        .column(J::Id)
        .filter(due)
        .order_by_asc(J::RunAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple()
        .all(&txn)
        .await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let claimed = job::Entity::update_many()
        .col_expr(J::Status, Expr::value("running"))
        .col_expr(J::LockedBy, Expr::value(worker))
        .col_expr(J::LockedUntil, Expr::value(lease_until))
        .col_expr(J::Attempts, Expr::col(J::Attempts).add(1))
        .col_expr(J::UpdatedAt, Expr::value(now))
        .filter(J::Id.is_in(ids))
        .exec_with_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}

/// The rows of `hold`'s job while it still holds it.
fn held(hold: &Hold<'_>) -> Condition {
    Condition::all()
        .add(J::Id.eq(hold.id))
        .add(J::Status.eq("running"))
        .add(J::LockedBy.eq(hold.worker))
        .add(J::Attempts.eq(hold.attempt))
}

/// Marks a held job done; `false` when the hold was lost meanwhile. Call it
/// inside the transaction that writes the job's effect, and the effect and
/// the completion commit together or not at all.
pub async fn finish<C: ConnectionTrait>(db: &C, hold: &Hold<'_>, now: i64) -> Result<bool, DbErr> {
    let done = job::Entity::update_many()
        .col_expr(J::Status, Expr::value("done"))
        .col_expr(J::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(J::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(J::FinishedAt, Expr::value(now))
        .col_expr(J::UpdatedAt, Expr::value(now))
        .filter(held(hold))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a held job's failure: it runs again at `retry_at`, or is dead
/// when that is `None`. `false` when the hold was lost meanwhile.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    hold: &Hold<'_>,
    now: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<bool, DbErr> {
    let mut update = job::Entity::update_many()
        .col_expr(J::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(J::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(J::LastError, Expr::value(error))
        .col_expr(J::UpdatedAt, Expr::value(now));
    update = match retry_at {
        Some(at) => update
            .col_expr(J::Status, Expr::value("failed"))
            .col_expr(J::RunAt, Expr::value(at)),
        None => update
            .col_expr(J::Status, Expr::value("dead"))
            .col_expr(J::FinishedAt, Expr::value(now)),
    };
    let failed = update.filter(held(hold)).exec(db).await?;
    Ok(failed.rows_affected == 1)
}

/// Extends the leases of the jobs `worker` still runs.
pub async fn extend<C: ConnectionTrait>(
    db: &C,
    worker: &str,
    ids: &[Uuid],
    until: i64,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    job::Entity::update_many()
        .col_expr(J::LockedUntil, Expr::value(until))
        .filter(J::Id.is_in(ids.iter().copied()))
        .filter(J::Status.eq("running"))
        .filter(J::LockedBy.eq(worker))
        .exec(db)
        .await
        .map(|_| ())
}

/// Hands jobs `worker` stopped without finishing back to the queue (a
/// graceful shutdown): the interrupted attempt does not count.
pub async fn release<C: ConnectionTrait>(
    db: &C,
    worker: &str,
    ids: &[Uuid],
    now: i64,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let released = job::Entity::update_many()
        .col_expr(J::Status, Expr::value("queued"))
        .col_expr(J::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(J::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(J::Attempts, Expr::col(J::Attempts).sub(1))
        .col_expr(J::RunAt, Expr::value(now))
        .col_expr(J::UpdatedAt, Expr::value(now))
        .filter(J::Id.is_in(ids.iter().copied()))
        .filter(J::Status.eq("running"))
        .filter(J::LockedBy.eq(worker))
        .exec(db)
        .await?;
    Ok(released.rows_affected)
}

/// Sends a failed, dead or cancelled job round again, now, with its
/// attempts counted afresh; `false` when it is in no such state.
pub async fn retry<C: ConnectionTrait>(db: &C, id: Uuid, now: i64) -> Result<bool, DbErr> {
    let retried = job::Entity::update_many()
        .col_expr(J::Status, Expr::value("queued"))
        .col_expr(J::Attempts, Expr::value(0))
        .col_expr(J::RunAt, Expr::value(now))
        .col_expr(J::FinishedAt, Expr::value(Option::<i64>::None))
        .col_expr(J::UpdatedAt, Expr::value(now))
        .filter(J::Id.eq(id))
        .filter(J::Status.is_in(["failed", "dead", "cancelled"]))
        .exec(db)
        .await?;
    Ok(retried.rows_affected == 1)
}

/// Cancels a job that is not running or finished; `false` otherwise.
pub async fn cancel<C: ConnectionTrait>(db: &C, id: Uuid, now: i64) -> Result<bool, DbErr> {
    let cancelled = job::Entity::update_many()
        .col_expr(J::Status, Expr::value("cancelled"))
        .col_expr(J::FinishedAt, Expr::value(now))
        .col_expr(J::UpdatedAt, Expr::value(now))
        .filter(J::Id.eq(id))
        .filter(J::Status.is_in(["queued", "failed", "dead"]))
        .exec(db)
        .await?;
    Ok(cancelled.rows_affected == 1)
}

/// One job.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<job::Model>, DbErr> {
    job::Entity::find_by_id(id).one(db).await
}

/// Jobs newest first, of one status or all, a page at a time.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    status: Option<&str>,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<job::Model>, DbErr> {
    let mut select = job::Entity::find();
    if let Some(status) = status {
        select = select.filter(J::Status.eq(status));
    }
    let rows = page::keyset(select, J::CreatedAt, J::Id, true, cursor, limit)
        .all(db)
        .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: m.created_at.into(),
        id: m.id,
    }))
}

/// How many jobs are in each status.
pub async fn counts<C: ConnectionTrait>(db: &C) -> Result<Vec<(String, i64)>, DbErr> {
    job::Entity::find()
        .select_only()
        .column(J::Status)
        .column_as(J::Id.count(), "n")
        .group_by(J::Status)
        .into_tuple()
        .all(db)
        .await
}

/// Forgets jobs that finished (done or cancelled) before `before`.
pub async fn forget_finished<C: ConnectionTrait>(db: &C, before: i64) -> Result<u64, DbErr> {
    job::Entity::delete_many()
        .filter(J::Status.is_in(["done", "cancelled"]))
        .filter(J::FinishedAt.lt(before))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

/// Declares a schedule: added when missing, its expression and next run
/// replaced when the expression changed.
pub async fn declare_schedule(
    db: &Db,
    name: &str,
    kind: &str,
    cron: &str,
    next_run_at: i64,
) -> Result<(), DbErr> {
    let txn = db.begin_write().await?;
    match schedule::Entity::find_by_id(name).one(&txn).await? {
        Some(s) if s.cron == cron && s.kind == kind => {}
        Some(_) => {
            schedule::Entity::update_many()
                .col_expr(schedule::Column::Kind, Expr::value(kind))
                .col_expr(schedule::Column::Cron, Expr::value(cron))
                .col_expr(schedule::Column::NextRunAt, Expr::value(next_run_at))
                .filter(schedule::Column::Name.eq(name))
                .exec(&txn)
                .await?;
        }
        None => {
            schedule::Entity::insert(schedule::ActiveModel {
                name: Set(name.into()),
                kind: Set(kind.into()),
                cron: Set(cron.into()),
                next_run_at: Set(next_run_at),
                last_run_at: Set(None),
            })
            .on_conflict(
                OnConflict::column(schedule::Column::Name)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
    }
    txn.commit().await
}

/// Every schedule, by name.
pub async fn schedules<C: ConnectionTrait>(db: &C) -> Result<Vec<schedule::Model>, DbErr> {
    schedule::Entity::find()
        .order_by_asc(schedule::Column::Name)
        .all(db)
        .await
}

/// Moves a due schedule on from `was` to `next`; `false` when another
/// process moved it first (that process enqueues the run).
pub async fn advance_schedule<C: ConnectionTrait>(
    db: &C,
    name: &str,
    was: i64,
    next: i64,
    now: i64,
) -> Result<bool, DbErr> {
    let moved = schedule::Entity::update_many()
        .col_expr(schedule::Column::NextRunAt, Expr::value(next))
        .col_expr(schedule::Column::LastRunAt, Expr::value(now))
        .filter(schedule::Column::Name.eq(name))
        .filter(schedule::Column::NextRunAt.eq(was))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// Keeps the file an import job reads.
pub async fn store_import_file<C: ConnectionTrait>(
    db: &C,
    job_id: Uuid,
    content: Vec<u8>,
) -> Result<(), DbErr> {
    import_file::Entity::insert(import_file::ActiveModel {
        job_id: Set(job_id),
        content: Set(content),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The file an import job reads, while it is kept.
pub async fn import_file<C: ConnectionTrait>(
    db: &C,
    job_id: Uuid,
) -> Result<Option<Vec<u8>>, DbErr> {
    Ok(import_file::Entity::find_by_id(job_id)
        .one(db)
        .await?
        .map(|f| f.content))
}

/// Forgets an import's file once the import has finished.
pub async fn forget_import_file<C: ConnectionTrait>(db: &C, job_id: Uuid) -> Result<(), DbErr> {
    import_file::Entity::delete_by_id(job_id)
        .exec(db)
        .await
        .map(|_| ())
}
