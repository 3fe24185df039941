//! The job queue with real processes: two `karta serve` processes on one
//! database drain a thousand jobs, each done exactly once, even when one
//! of them is killed (SIGKILL) in the middle and the other takes over the
//! jobs it held once their leases lapse; the survivor then stops
//! gracefully on SIGTERM.
//!
//! "Exactly once" is counted, not assumed: every job counts one on a
//! shared counter in the same transaction that marks it done, so a job
//! finished twice would count twice and a lost one not at all.

use karta_app::jobs::Kind;
use karta_db::Db;
use karta_db::entities::job;
use karta_testkit::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

const JOBS: usize = 1000;
const COUNTER: &str = "drain-check";

fn serve(url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["serve", "--bind", "127.0.0.1:0", "--job-workers", "4"])
        .args(["--job-lease-seconds", "3", "--database-url", url])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("karta serve: {e}"))
}

/// Ping jobs done (the servers' own schedules, such as reminders, run
/// beside them and are not counted).
async fn done(db: &Db) -> u64 {
    job::Entity::find()
        .filter(job::Column::Kind.eq("ping"))
        .filter(job::Column::Status.eq("done"))
        .count(db.conn())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Waits until `enough` jobs are done, or fails after `limit`.
async fn until_done(db: &Db, enough: u64, limit: Duration) {
    let start = Instant::now();
    while done(db).await < enough {
        assert!(
            start.elapsed() < limit,
            "only {} of {enough} jobs done after {limit:?}",
            done(db).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_processes_drain_the_queue_exactly_once_through_a_sigkill() {
    let test_db = TestDb::create().await;
    let db = Db::connect(&test_db.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    karta_db::migration::migrate(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let txn = db.begin_write().await.unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..JOBS {
        let payload = serde_json::json!({"ms": 40, "counter": COUNTER});
        karta_app::jobs::enqueue(&txn, now, Kind::Ping, payload, None, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));

    let mut first = serve(&test_db.url);
    let mut second = serve(&test_db.url);
    until_done(&db, 150, Duration::from_secs(60)).await;
    // Killed with jobs in hand (the runner names itself `<pid>:…`): they
    // stay `running` under its name until their leases lapse.
    let pid = first.id().unwrap_or_else(|| panic!("no pid"));
    let held_by_first = || async {
        job::Entity::find()
            .filter(job::Column::Kind.eq("ping"))
            .filter(job::Column::Status.eq("running"))
            .filter(job::Column::LockedBy.starts_with(format!("{pid}:")))
            .all(db.conn())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let start = Instant::now();
    while held_by_first().await.is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the first process never held a job"
        );
    }
    first.kill().await.unwrap_or_else(|e| panic!("{e}"));
    let orphans = held_by_first().await;
    assert!(!orphans.is_empty(), "the killed process held jobs");

    until_done(&db, JOBS as u64, Duration::from_secs(120)).await;
    for orphan in orphans {
        let after = job::Entity::find_by_id(orphan.id)
            .one(db.conn())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("job {} is gone", orphan.id));
        assert_eq!(after.status, "done");
        assert!(
            after.attempts > orphan.attempts,
            "job {} ran again",
            orphan.id
        );
    }
    let counted = karta_db::counters::value(db.conn(), COUNTER)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        counted,
        Some(JOBS as i64),
        "every job's effect counted once"
    );

    // The survivor stops on SIGTERM, promptly and cleanly.
    let pid = second.id().unwrap_or_else(|| panic!("no pid")).to_string();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(term.is_ok_and(|s| s.success()));
    let exit = tokio::time::timeout(Duration::from_secs(20), second.wait())
        .await
        .unwrap_or_else(|_| panic!("karta serve did not stop within 20 s of SIGTERM"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(exit.success(), "karta serve exited with {exit}");

    db.close().await.ok();
    test_db.drop_database().await;
}
