//! The job queue through the API, the jobs page and the storage calls the
//! runner makes: who may see and act on jobs, a job that fails for good
//! ends dead with its error and can be retried or cancelled, a lapsed
//! lease passes the job to another process whose predecessor can no longer
//! record an end, each due schedule runs once, and a stopping server ends
//! its event streams.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures::StreamExt;
use karta_app::jobs::Kind;
use karta_testkit::TestApp;
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;
use uuid::Uuid;

async fn enqueue(t: &TestApp, kind: Kind, payload: Value) -> Uuid {
    karta_app::jobs::enqueue(t.app.db.conn(), t.app.now(), kind, payload, None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("enqueued"))
}

/// Waits for the test's runner to bring job `id` to `status`.
async fn reaches(t: &TestApp, token: &str, id: Uuid, status: &str) -> Value {
    for _ in 0..250 {
        let job = t.get(&format!("/api/v1/jobs/{id}"), token).await;
        assert_eq!(job.status, StatusCode::OK, "{}", job.text);
        if job.json["status"] == status {
            return job.json;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {id} never became {status}");
}

#[tokio::test]
async fn a_job_that_cannot_succeed_ends_dead_with_its_error_and_an_admin_retries_or_cancels_it() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("North")).await;
    let bad = enqueue(&t, Kind::Ping, json!({"ms": "soon"})).await;
    let dead = reaches(&t, &admin, bad, "dead").await;
    assert!(
        dead["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("payload")),
        "{dead}"
    );
    assert_eq!(dead["attempts"], 1, "a permanent failure is not retried");

    let good = enqueue(&t, Kind::Ping, json!({})).await;
    reaches(&t, &admin, good, "done").await;

    let listed = t.get("/api/v1/jobs?status=dead", &admin).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let ids: Vec<&str> = listed.json["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|j| j["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, [bad.to_string()]);
    assert_eq!(listed.json["counts"]["dead"], 1);
    assert_eq!(listed.json["counts"]["done"], 1);
    assert_eq!(listed.json["counts"]["queued"], 0);

    // Only administrators see or touch the queue; a refusal changes nothing.
    assert_eq!(
        t.get("/api/v1/jobs", &rep).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = t
        .post(&format!("/api/v1/jobs/{bad}/cancel"), &rep, json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(reaches(&t, &admin, bad, "dead").await["status"], "dead");

    let bad_status = t.get("/api/v1/jobs?status=stuck", &admin).await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_status.json["errors"][0]["code"], "unknown_status");
    let not_retryable = t
        .post(&format!("/api/v1/jobs/{good}/retry"), &admin, json!({}))
        .await;
    assert_eq!(not_retryable.status, StatusCode::CONFLICT);
    assert_eq!(not_retryable.json["code"], "job_not_retryable");
    let missing = t
        .post(
            &format!("/api/v1/jobs/{}/retry", Uuid::now_v7()),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Retried, it runs again (and fails again: the payload is still bad).
    let retried = t
        .post(&format!("/api/v1/jobs/{bad}/retry"), &admin, json!({}))
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
    let again = reaches(&t, &admin, bad, "dead").await;
    assert_eq!(again["attempts"], 1, "attempts are counted afresh");
    let cancelled = t
        .post(&format!("/api/v1/jobs/{bad}/cancel"), &admin, json!({}))
        .await;
    assert_eq!(cancelled.json["status"], "cancelled");
    let twice = t
        .post(&format!("/api/v1/jobs/{bad}/cancel"), &admin, json!({}))
        .await;
    assert_eq!(twice.json["code"], "job_not_cancellable");

    // The jobs page, in the administrator's language, with a retry button.
    let b = t.session("admin@x.ru").await;
    let page = t.page(&b, "/admin/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Фоновые задания"), "{}", page.text);
    assert!(page.text.contains(&format!("/admin/jobs/{bad}/retry")));
    assert!(page.text.contains("Проверка исполнителя"));
    let retry = t.form(&b, &format!("/admin/jobs/{bad}/retry"), &[]).await;
    assert_eq!(retry.status, StatusCode::SEE_OTHER, "{}", retry.text);
    reaches(&t, &admin, bad, "dead").await;
    let rep_page = t.page(&t.session("rep@x.ru").await, "/admin/jobs").await;
    assert_eq!(rep_page.status, StatusCode::FORBIDDEN);
    t.finish().await;
}

#[tokio::test]
async fn a_lapsed_lease_passes_the_job_on_and_the_first_holder_can_no_longer_end_it() {
    let t = TestApp::spawn().await;
    // The test's own runner stays out of the way: this job is due tomorrow.
    let now = t.app.now();
    let id = karta_db::jobs::enqueue(
        t.app.db.conn(),
        now,
        karta_db::jobs::NewJob {
            kind: "ping".into(),
            payload: json!({}),
            run_at: now + 86_400_000_000,
            max_attempts: 5,
            unique_key: Some("lease-check".into()),
            created_by: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|| panic!("enqueued"));
    let later = now + 86_400_000_000;
    let claim = |worker: &'static str, at: i64| {
        let db = t.app.db.clone();
        async move {
            karta_db::jobs::claim(&db, worker, at, at + 60_000_000, 10)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let first = claim("a", later).await;
    assert_eq!(
        first.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
        [(id, 1)]
    );
    assert!(
        claim("b", later + 1).await.is_empty(),
        "a held job is not claimed twice"
    );
    let second = claim("b", later + 61_000_000).await;
    assert_eq!(
        second
            .iter()
            .map(|j| (j.id, j.attempts))
            .collect::<Vec<_>>(),
        [(id, 2)]
    );
    let hold = |worker, attempt| karta_db::jobs::Hold {
        id,
        worker,
        attempt,
    };
    let conn = t.app.db.conn();
    let stale = karta_db::jobs::finish(conn, &hold("a", 1), later + 62_000_000).await;
    assert_eq!(stale.ok(), Some(false), "the first holder lost the job");
    let stale = karta_db::jobs::fail(conn, &hold("a", 1), later, "late", None).await;
    assert_eq!(stale.ok(), Some(false));
    let done = karta_db::jobs::finish(conn, &hold("b", 2), later + 62_000_000).await;
    assert_eq!(done.ok(), Some(true));
    // The same unique key is not queued twice.
    let again = karta_app::jobs::enqueue(
        conn,
        now,
        Kind::Ping,
        json!({}),
        Some("lease-check".into()),
        None,
    )
    .await;
    assert_eq!(again.ok(), Some(None));
    t.finish().await;
}

#[tokio::test]
async fn each_due_schedule_is_queued_once() {
    let t = TestApp::spawn().await;
    karta_app::jobs::declare_schedules(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let due = || async {
        karta_app::jobs::enqueue_due(&t.app)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(due().await, 0, "nothing is due before its time");
    t.clock.advance(3 * 3_600_000_000);
    // Three hours missed: one run of each schedule, then each keeps its
    // rhythm.
    assert_eq!(due().await, karta_app::jobs::SCHEDULES.len());
    assert_eq!(due().await, 0);
    let admin = t.user("admin@x.ru", "admin", None).await;
    let jobs = t.get("/api/v1/jobs", &admin).await;
    let mut kinds: Vec<&str> = jobs.json["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|j| j["kind"].as_str()).collect())
        .unwrap_or_default();
    kinds.sort_unstable();
    assert_eq!(kinds, ["maintenance", "publish", "reminders"]);
    let schedules = karta_app::jobs::schedules(&t.app, &admin_principal(&t).await)
        .await
        .unwrap_or_default();
    assert_eq!(schedules.len(), 3);
    for s in schedules {
        let next = s.next_run_at;
        assert!(
            next > t.app.now() && next <= t.app.now() + 3_600_000_000,
            "{s:?}"
        );
    }
    t.finish().await;
}

async fn admin_principal(t: &TestApp) -> karta_app::Principal {
    let token = t.token("admin@x.ru", &[]).await;
    karta_app::auth::resolve_token(&t.app, &token)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_stopping_server_ends_its_event_streams() {
    let t = TestApp::spawn().await;
    t.user("rep@x.ru", "sales_rep", Some("North")).await;
    let b = t.session("rep@x.ru").await;
    let (stop, stopping) = karta_web::Stopping::new();
    let router = karta_web::router(karta_web::AppState {
        app: t.app.clone(),
        secure_cookies: false,
        stopping,
        metrics: Default::default(),
    });
    let req = Request::get("/events")
        .header("cookie", &b.cookie)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    let response = router.oneshot(req).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body().into_data_stream();
    // Open: nothing ends it within a second.
    let open = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
    assert!(open.is_err(), "the stream stays open while the server runs");
    let _ = stop.send(true);
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ends when the server stops");
    t.finish().await;
}

#[tokio::test]
async fn every_table_with_a_trash_is_a_registered_record_kind() {
    use sea_orm::{ConnectionTrait, Statement};
    let t = TestApp::spawn().await;
    let sql = match t.app.db.backend() {
        karta_db::Backend::Postgres => {
            "SELECT table_name AS name FROM information_schema.columns \
             WHERE table_schema = 'public' AND column_name = 'deleted_at'"
        }
        karta_db::Backend::Sqlite => {
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'deleted_at'"
        }
    };
    let conn = t.app.db.conn();
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut with_trash: Vec<String> = rows
        .iter()
        .map(|r| {
            r.try_get::<String>("", "name")
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    with_trash.sort();
    let mut registered: Vec<String> = karta_app::registry::KINDS
        .iter()
        .map(|k| k.name.to_string())
        .collect();
    registered.sort();
    assert_eq!(with_trash, registered);
    t.finish().await;
}
