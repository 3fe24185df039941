//! The one list of job kinds and what runs each. A new kind is a variant
//! here and a handler in its own module; the runner knows nothing else.
//!
//! Handlers are idempotent: a job can run more than once (its process died
//! before recording the end), so each either writes its effect in the same
//! transaction that marks the job done ([`Outcome::Finished`]), or picks up
//! where an earlier run stopped (imports skip the rows they committed).

use crate::{App, AppError};
use karta_db::entities::job;
use karta_db::jobs::Hold;
use serde::Deserialize;
use std::time::Duration;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The hourly housekeeping: trash purge, expired sessions and keys.
    Maintenance,
    /// One file import (`import_jobs`), run or resumed.
    Import,
    /// Turns reminders that came due into notifications for their owners.
    Reminders,
    /// Hands committed domain events to the app's subscribers (`outbox`).
    Publish,
    /// A check that the runner works: waits `ms`, then counts one on the
    /// counter `counter` in the transaction that finishes the job.
    Ping,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 5] = [
        Kind::Maintenance,
        Kind::Import,
        Kind::Reminders,
        Kind::Publish,
        Kind::Ping,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Maintenance => "maintenance",
            Kind::Import => "import",
            Kind::Reminders => "reminders",
            Kind::Publish => "publish",
            Kind::Ping => "ping",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or("unknown_kind")
    }

    /// Attempts before a job of this kind is dead.
    pub fn max_attempts(self) -> i32 {
        match self {
            Kind::Maintenance | Kind::Reminders | Kind::Publish => 3,
            Kind::Import | Kind::Ping => 5,
        }
    }
}

/// How a handler ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Its work is done; the runner marks the job done.
    Done,
    /// It marked the job done itself, with its effect (`karta_db::jobs::finish`).
    Finished,
}

/// Why a job failed: the text recorded as its last error, and whether
/// another attempt could help.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub retry: bool,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        // Storage trouble passes; a refusal will refuse again.
        let retry = matches!(e, AppError::Db(_));
        Self {
            message: e.to_string(),
            retry,
        }
    }
}

impl Failure {
    /// A failure no retry can mend (a bad payload, a vanished user).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: false,
        }
    }
}

/// Runs one claimed job.
pub async fn run(app: &App, job: &job::Model, hold: &Hold<'_>) -> Result<Outcome, Failure> {
    let kind = Kind::parse(&job.kind).map_err(Failure::permanent)?;
    match kind {
        Kind::Maintenance => {
            let t = crate::maintenance::run(app).await?;
            tracing::info!(?t, "housekeeping done");
            Ok(Outcome::Done)
        }
        Kind::Import => {
            crate::import::run_job(app, &job.payload).await?;
            Ok(Outcome::Done)
        }
        Kind::Reminders => {
            let sent = crate::tasks::send_reminders(app).await?;
            if sent > 0 {
                tracing::info!(sent, "reminders sent");
            }
            Ok(Outcome::Done)
        }
        Kind::Publish => {
            crate::outbox::publish(app).await?;
            Ok(Outcome::Done)
        }
        Kind::Ping => ping(app, &job.payload, hold).await,
    }
}

#[derive(Deserialize)]
struct Ping {
    #[serde(default)]
    ms: u64,
    counter: Option<String>,
}

async fn ping(app: &App, payload: &serde_json::Value, hold: &Hold<'_>) -> Result<Outcome, Failure> {
    let ping: Ping = serde_json::from_value(payload.clone())
        .map_err(|e| Failure::permanent(format!("payload: {e}")))?;
    tokio::time::sleep(Duration::from_millis(ping.ms.min(60_000))).await;
    let Some(counter) = ping.counter else {
        return Ok(Outcome::Done);
    };
    let txn = app.db.begin_write().await.map_err(AppError::from)?;
    karta_db::counters::count_one(&txn, &counter)
        .await
        .map_err(AppError::from)?;
    // Without the hold the effect rolls back with the transaction.
    if karta_db::jobs::finish(&txn, hold, app.now())
        .await
        .map_err(AppError::from)?
    {
        txn.commit().await.map_err(AppError::from)?;
    }
    Ok(Outcome::Finished)
}
