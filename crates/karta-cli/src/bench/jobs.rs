//! `karta bench --jobs N`: the job queue's throughput. Enqueues N jobs
//! that each count one on a shared counter in the transaction that
//! finishes them (the runner's own check, `ping`), starts the runner as
//! `karta serve` does with `--job-workers`, and times until every job's
//! effect is counted.

use anyhow::{Result, bail};
use karta_app::App;
use karta_app::jobs::runner::{self, RunnerConfig};
use karta_app::jobs::{self, Kind};
use std::time::{Duration, Instant};

const COUNTER: &str = "bench-jobs";

async fn counted(app: &App) -> Result<i64> {
    Ok(karta_db::counters::value(app.db.conn(), COUNTER)
        .await?
        .unwrap_or(0))
}

/// Runs the measurement and prints it.
pub async fn run(app: &App, n: usize, workers: usize) -> Result<()> {
    let start_count = counted(app).await?;
    let now = app.now();
    let enqueue = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let txn = app.db.begin_write().await?;
        for _ in chunk {
            let payload = serde_json::json!({"counter": COUNTER});
            jobs::enqueue(&txn, now, Kind::Ping, payload, None, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        txn.commit().await?;
    }
    let enqueued = enqueue.elapsed();
    let drain = Instant::now();
    let runner = runner::start(
        app.clone(),
        RunnerConfig {
            workers,
            poll: Duration::from_millis(50),
            schedules: false,
            ..Default::default()
        },
    );
    let target = start_count + n as i64;
    while counted(app).await? < target {
        if drain.elapsed() > Duration::from_secs(3600) {
            bail!("the queue did not drain within an hour");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = drain.elapsed();
    runner.stop().await;
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "| enqueue {n} jobs (1,000 per transaction) | {:.2} s | {:.0} jobs/s |",
        enqueued.as_secs_f64(),
        rate(enqueued)
    );
    println!(
        "| run {n} jobs, {workers} workers, effect + finish in one transaction | {:.2} s | {:.0} jobs/s |",
        drained.as_secs_f64(),
        rate(drained)
    );
    Ok(())
}
