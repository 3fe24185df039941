//! The job runner inside `karta serve`: it queues due schedules, claims
//! jobs with a lease, runs a few at a time, keeps their leases alive while
//! they run, and records how each ended. Several processes on one
//! PostgreSQL share the queue; a process that dies mid-job loses its lease,
//! and another takes the job once the lease runs out.
//!
//! Stopping is graceful: no new claims, running jobs get `grace` to
//! finish, and what is still running then is handed back to the queue.

use super::kinds::{self, Outcome};
use crate::App;
use karta_core::jobs::backoff;
use karta_db::entities::job;
use karta_db::jobs::{self as store, Hold};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

/// How the runner paces itself.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Jobs run at once by this process.
    pub workers: usize,
    /// The wait between looks at an empty queue.
    pub poll: Duration,
    /// How long a claim holds without being renewed; renewed every third
    /// of it while the job runs.
    pub lease: Duration,
    /// How long a stopping runner lets running jobs finish.
    pub grace: Duration,
    /// Queue the recurring schedules' runs (off in tests, whose clock
    /// jumps by days).
    pub schedules: bool,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            grace: Duration::from_secs(10),
            schedules: true,
        }
    }
}

/// A running runner; [`Runner::stop`] ends it gracefully.
#[derive(Debug)]
pub struct Runner {
    stop: watch::Sender<bool>,
    done: tokio::task::JoinHandle<()>,
    /// This process's name in `jobs.locked_by`.
    pub worker: Arc<str>,
}

/// Starts the runner on the current Tokio runtime.
pub fn start(app: App, config: RunnerConfig) -> Runner {
    let worker: Arc<str> = format!(
        "{}:{}",
        std::process::id(),
        &Uuid::new_v4().simple().to_string()[..8]
    )
    .into();
    let (stop, stopping) = watch::channel(false);
    let done = tokio::spawn(run(app, config, worker.clone(), stopping));
    Runner { stop, done, worker }
}

impl Runner {
    /// Stops claiming, lets running jobs finish within the grace period and
    /// hands the rest back; returns when that is done.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.done.await {
            tracing::error!(error = %e, "job runner ended badly");
        }
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

async fn run(
    app: App,
    config: RunnerConfig,
    worker: Arc<str>,
    mut stopping: watch::Receiver<bool>,
) {
    if config.schedules
        && let Err(e) = super::declare_schedules(&app).await
    {
        tracing::error!(error = %e, "schedules not declared");
    }
    let mut running: JoinSet<()> = JoinSet::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(config.workers.max(1)));
    let mut held: HashMap<tokio::task::Id, Uuid> = HashMap::new();
    let mut renew = tokio::time::interval(config.lease / 3);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tracing::info!(worker = %worker, workers = config.workers, "job runner started");
    let mut schedules_due = tokio::time::Instant::now();
    while !*stopping.borrow() {
        // Schedules are looked at once per poll interval, not on every
        // claim of a busy queue.
        if config.schedules && tokio::time::Instant::now() >= schedules_due {
            schedules_due = tokio::time::Instant::now() + config.poll;
            if let Err(e) = super::enqueue_due(&app).await {
                tracing::warn!(error = %e, "schedules not queued");
            }
        }
        // Claims run ahead of the workers by as many jobs again: a claim is
        // a write transaction (an fsync on SQLite), so taking a few at a
        // time costs less per job. Claimed jobs wait for a worker's permit.
        let free = (2 * config.workers).saturating_sub(running.len());
        let mut claimed = 0;
        if free > 0 {
            let now = app.now();
            match store::claim(
                &app.db,
                &worker,
                now,
                now + micros(config.lease),
                free as u64,
            )
            .await
            {
                Ok(jobs) => {
                    claimed = jobs.len();
                    for job in jobs {
                        let id = job.id;
                        let permit = permits.clone();
                        let (app, worker) = (app.clone(), worker.clone());
                        let handle = running.spawn(async move {
                            // Only closed when the runner stops.
                            if let Ok(_permit) = permit.acquire_owned().await {
                                run_one(app, job, worker).await;
                            }
                        });
                        held.insert(handle.id(), id);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "jobs not claimed"),
            }
        }
        // Look again at once while there is work and room for it.
        let busy = claimed > 0 && running.len() < 2 * config.workers;
        tokio::select! {
            changed = stopping.changed() => {
                // The `Runner` was dropped without `stop`: stop all the same.
                if changed.is_err() {
                    break;
                }
            }
            Some(ended) = running.join_next_with_id(), if !running.is_empty() => {
                forget(&mut held, ended);
            }
            _ = renew.tick() => {
                let ids: Vec<Uuid> = held.values().copied().collect();
                let until = app.now() + micros(config.lease);
                if let Err(e) = store::extend(app.db.conn(), &worker, &ids, until).await {
                    tracing::warn!(error = %e, "leases not renewed");
                }
            }
            _ = tokio::time::sleep(config.poll), if !busy => {}
        }
    }
    // Stopping: let running jobs end, then hand back what has not.
    let deadline = tokio::time::sleep(config.grace);
    tokio::pin!(deadline);
    while !running.is_empty() {
        tokio::select! {
            Some(ended) = running.join_next_with_id() => forget(&mut held, ended),
            _ = &mut deadline => break,
        }
    }
    running.shutdown().await;
    let ids: Vec<Uuid> = held.into_values().collect();
    match store::release(app.db.conn(), &worker, &ids, app.now()).await {
        Ok(n) if n > 0 => tracing::info!(jobs = n, "running jobs handed back"),
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "running jobs not handed back; their leases will lapse")
        }
    }
    tracing::info!(worker = %worker, "job runner stopped");
}

/// Drops an ended job's task from the held set. A job whose task panicked
/// stays running in the table until its lease lapses, then runs again.
fn forget(
    held: &mut HashMap<tokio::task::Id, Uuid>,
    ended: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) {
    let task = match ended {
        Ok((task, ())) => task,
        Err(e) => {
            tracing::error!(error = %e, "job panicked");
            e.id()
        }
    };
    held.remove(&task);
}

/// Runs one claimed job and records how it ended.
async fn run_one(app: App, job: job::Model, worker: Arc<str>) {
    let hold = Hold {
        id: job.id,
        worker: &worker,
        attempt: job.attempts,
    };
    let outcome = if job.attempts > job.max_attempts {
        // Claimed again after its process died once too often.
        Err(kinds::Failure::permanent("interrupted too many times"))
    } else {
        kinds::run(&app, &job, &hold).await
    };
    let now = app.now();
    let recorded = match &outcome {
        Ok(Outcome::Finished) => Ok(true),
        Ok(Outcome::Done) => store::finish(app.db.conn(), &hold, now).await,
        Err(f) => {
            let retry_at =
                (f.retry && job.attempts < job.max_attempts).then(|| now + backoff(job.attempts));
            tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts,
                error = %f.message, retry = retry_at.is_some(), "job failed");
            store::fail(app.db.conn(), &hold, now, &f.message, retry_at).await
        }
    };
    match recorded {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(job = %job.id, "job's lease lapsed before it ended; another run owns it")
        }
        Err(e) => {
            tracing::error!(job = %job.id, error = %e, "job's end not recorded; it will run again")
        }
    }
}
