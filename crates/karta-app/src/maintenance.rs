//! The hourly housekeeping job: purges the trash after the restore window
//! and forgets what is only kept for a while (idle sessions, rate-limit
//! windows, idempotency keys, finished background jobs, delivered
//! notifications, published events). The job runner
//! runs it every hour (`jobs::SCHEDULES`).

use crate::{App, AppError};

/// How long an idempotency key protects against a repeated write.
pub const IDEMPOTENCY_WINDOW_MICROS: i64 = 24 * 3_600_000_000;

/// How long finished background jobs stay on the jobs page (and delivered
/// notifications and published events in the database).
pub const FINISHED_JOBS_KEPT_MICROS: i64 = 7 * 24 * 3_600_000_000;

/// What one run removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tidied {
    /// Records purged from the trash, per kind.
    pub purged: Vec<(&'static str, usize)>,
    pub sessions: u64,
}

/// Runs every clean-up once.
pub async fn run(app: &App) -> Result<Tidied, AppError> {
    let now = app.now();
    let conn = app.db.conn();
    let purged = crate::registry::purge_all(app).await?;
    let sessions =
        karta_db::security::delete_idle_sessions(conn, now - app.config.session_idle).await?;
    // Look-up windows are minutes; the current and previous one still count.
    karta_db::security::forget_rate_windows(conn, now / 60_000_000 - 1).await?;
    karta_db::idempotency::forget_before(conn, now - IDEMPOTENCY_WINDOW_MICROS).await?;
    karta_db::jobs::forget_finished(conn, now - FINISHED_JOBS_KEPT_MICROS).await?;
    karta_db::notifications::forget_delivered(conn, now - FINISHED_JOBS_KEPT_MICROS).await?;
    karta_db::outbox::forget_published(conn, now - FINISHED_JOBS_KEPT_MICROS).await?;
    Ok(Tidied { purged, sessions })
}
