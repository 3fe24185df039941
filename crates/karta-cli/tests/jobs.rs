//! The job queue with real processes: two `karta serve` processes on one
//! database drain a thousand jobs, each done exactly once, even when one
//! of them is killed (SIGKILL) in the middle and the other takes over the
//! jobs it held once their leases lapse; the survivor then stops
//! gracefully on SIGTERM. A server also stops on SIGTERM while a browser
//! tab holds its event stream open.
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

/// Starts `karta serve` with its address on stdout and returns the child
/// and the `host:port` it listens on.
async fn serve_listening(url: &str) -> (Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", url])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("karta serve: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix("Karta is running at http://") {
                return rest.trim_end_matches('/').to_string();
            }
        }
        panic!("karta serve ended without saying where it listens")
    })
    .await
    .unwrap_or_else(|_| panic!("karta serve did not start within 30 s"));
    (child, addr)
}

/// D1 of the first-week review: an open browser tab's event stream used
/// to hold a stopping server until the tab closed, so every deploy ended
/// in a SIGKILL.
#[tokio::test]
async fn sigterm_stops_the_server_while_a_tab_holds_its_event_stream() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let test_db = TestDb::create().await;
    let db = Db::connect(&test_db.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    karta_db::migration::migrate(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = karta_app::App::new(db);
    let user = karta_app::directory::NewUser {
        email: "ivan@example.ru".into(),
        name: "Иван".into(),
        role: "sales_rep".into(),
        team_id: None,
        password: Some("correct horse battery".into()),
        locale: None,
    };
    karta_app::directory::create_user(&app, None, user)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let session = karta_app::auth::login(&app, "ivan@example.ru", "correct horse battery", "::1")
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));

    let (mut server, addr) = serve_listening(&test_db.url).await;
    let mut tab = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let request = format!(
        "GET /events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\
         Cookie: karta_session={}\r\n\r\n",
        session.token
    );
    tab.write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut head = [0u8; 512];
    let read = tab.read(&mut head).await.unwrap_or_else(|e| panic!("{e}"));
    let head = String::from_utf8_lossy(&head[..read]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/event-stream"), "{head}");

    let pid = server.id().unwrap_or_else(|| panic!("no pid")).to_string();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(term.is_ok_and(|s| s.success()));
    let exit = tokio::time::timeout(Duration::from_secs(15), server.wait())
        .await
        .unwrap_or_else(|_| panic!("karta serve did not stop within 15 s of SIGTERM"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(exit.success(), "karta serve exited with {exit}");
    drop(tab);
    app.db.close().await.ok();
    test_db.drop_database().await;
}
