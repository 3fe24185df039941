//! The unit of work's events: every committed write leaves its outbox
//! rows, a refused or rolled-back one leaves none, and publishing hands
//! each event to the subscribers exactly once even when a subscriber
//! fails half-way.

use axum::http::{Method, StatusCode};
use karta_app::jobs::Kind;
use karta_app::outbox::{Handled, Subscriber, Subscribers};
use karta_app::uow::Tx;
use karta_app::{App, AppError};
use karta_db::entities::outbox;
use karta_db::history::Actor;
use karta_testkit::{TestApp, id};
use sea_orm::{DatabaseTransaction, EntityTrait, QueryOrder};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

async fn events(t: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(t.app.db.conn())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn summary(rows: &[outbox::Model]) -> Vec<(String, String, Value)> {
    rows.iter()
        .map(|e| (e.entity.clone(), e.action.clone(), e.fields.clone()))
        .collect()
}

#[tokio::test]
async fn each_committed_write_leaves_its_events_and_a_refused_one_none() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let before = events(&t).await.len();
    let made = t
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"name": "ООО Ромашка", "inn": "7707083893"}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let path = format!("/api/v1/accounts/{}", id(&made));
    let changed = t
        .patch(&path, &admin, Some(1), json!({"name": "ООО Ромашка-2"}))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    // Refused: a bad INN and a stale version change nothing.
    let bad = t.patch(&path, &admin, Some(2), json!({"inn": "123"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let stale = t
        .patch(&path, &admin, Some(1), json!({"name": "Другое"}))
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.text
    );
    let gone = t
        .call(
            Method::DELETE,
            &path,
            Some(&admin),
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.text);

    let rows = events(&t).await.split_off(before);
    assert_eq!(
        summary(&rows),
        vec![
            (
                "accounts".into(),
                "create".into(),
                json!(["inn", "name", "owner_id", "status"])
            ),
            ("accounts".into(), "update".into(), json!(["name"])),
            ("accounts".into(), "delete".into(), json!([])),
        ]
    );
    let record = id(&made);
    assert!(rows.iter().all(|e| e.record_id.to_string() == record));
    assert!(
        rows.iter()
            .all(|e| e.published_at.is_none() && e.channel == "api")
    );
    t.finish().await;
}

#[tokio::test]
async fn a_rolled_back_unit_of_work_leaves_no_job_and_a_committed_one_does() {
    let t = TestApp::spawn().await;
    let jobs = || async {
        karta_db::entities::job::Entity::find()
            .all(t.app.db.conn())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .len()
    };
    let before = jobs().await;
    let tx = Tx::begin(&t.app, Actor::SYSTEM)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.enqueue(Kind::Ping, json!({}), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        jobs().await,
        before,
        "a rolled-back e-mail must not be sent"
    );
    let tx = Tx::begin(&t.app, Actor::SYSTEM)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.enqueue(Kind::Ping, json!({}), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(jobs().await, before + 1);
    t.finish().await;
}

/// Counts what it is handed in the database, in the publishing
/// transaction, and remembers the order; fails while `broken` is set.
struct Recorder {
    seen: Mutex<Vec<String>>,
    broken: Mutex<bool>,
}

impl Subscriber for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    fn handle<'a>(
        &'a self,
        _app: &'a App,
        txn: &'a DatabaseTransaction,
        events: &'a [outbox::Model],
    ) -> Handled<'a> {
        Box::pin(async move {
            for e in events {
                karta_db::counters::count_one(txn, "heard").await?;
                if let Ok(mut seen) = self.seen.lock() {
                    seen.push(format!("{} {}", e.entity, e.action));
                }
            }
            if self.broken.lock().map(|b| *b).unwrap_or(true) {
                return Err(AppError::internal("the subscriber is down"));
            }
            Ok(())
        })
    }
}

#[tokio::test]
async fn publishing_hands_each_event_over_once_even_after_a_failed_attempt() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    for name in ["ООО Альфа", "ООО Бета", "ООО Гамма"] {
        let made = t
            .post("/api/v1/accounts", &admin, json!({"name": name}))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    let recorder = Arc::new(Recorder {
        seen: Mutex::new(Vec::new()),
        broken: Mutex::new(true),
    });
    let app = App {
        subscribers: Subscribers(vec![recorder.clone()]),
        ..t.app.clone()
    };
    let heard = || async {
        karta_db::counters::value(t.app.db.conn(), "heard")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or(0)
    };
    assert!(karta_app::outbox::publish(&app).await.is_err());
    assert_eq!(
        heard().await,
        0,
        "a failed batch keeps nothing of its effect"
    );
    assert!(events(&t).await.iter().all(|e| e.published_at.is_none()));

    if let Ok(mut broken) = recorder.broken.lock() {
        *broken = false;
    }
    if let Ok(mut seen) = recorder.seen.lock() {
        seen.clear();
    }
    // The admin's own creation, then the three accounts, in order.
    assert_eq!(karta_app::outbox::publish(&app).await.ok(), Some(4));
    assert_eq!(karta_app::outbox::publish(&app).await.ok(), Some(0));
    assert_eq!(heard().await, 4);
    let seen = recorder.seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(
        seen,
        [
            "users create",
            "accounts create",
            "accounts create",
            "accounts create"
        ]
    );
    assert!(events(&t).await.iter().all(|e| e.published_at.is_some()));

    // The scheduled job publishes with the app's own (here: no) subscribers.
    let more = t
        .post("/api/v1/accounts", &admin, json!({"name": "ООО Дельта"}))
        .await;
    assert_eq!(more.status, StatusCode::CREATED, "{}", more.text);
    t.run_job(Kind::Publish).await;
    assert!(events(&t).await.iter().all(|e| e.published_at.is_some()));
    t.finish().await;
}

#[tokio::test]
async fn administration_is_audited_through_the_same_events() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let before = events(&t).await.len();
    let region = t
        .post(
            "/api/v1/classifiers",
            &admin,
            json!({"kind": "region", "code": "kazan", "label_ru": "Казань", "label_en": "Kazan"}),
        )
        .await;
    assert_eq!(region.status, StatusCode::CREATED, "{}", region.text);
    let field = t.post("/api/v1/custom-fields", &admin, json!({"entity": "accounts", "key": "tier", "label_ru": "Уровень", "label_en": "Tier", "field_type": "text"})).await;
    assert_eq!(field.status, StatusCode::CREATED, "{}", field.text);
    let users = t.get("/api/v1/users", &admin).await;
    let id_of = |email: &str| {
        users.json["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|u| u["email"] == email)
            .and_then(|u| u["id"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let rep = id_of("rep@x.ru");
    let off = t
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{rep}"),
            Some(&admin),
            Some(json!({"active": false, "role": "read_only", "password": "a-new-secret-1"})),
            &[],
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text);
    // Refused: the admin may not demote themself; nothing is recorded.
    let me = id_of("admin@x.ru");
    let refused = t
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{me}"),
            Some(&admin),
            Some(json!({"role": "read_only"})),
            &[],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );

    let rows = events(&t).await;
    assert_eq!(
        summary(&rows[before..]),
        vec![
            (
                "classifiers".into(),
                "create".into(),
                json!(["active", "code", "kind", "label_en", "label_ru", "position"])
            ),
            (
                "custom_fields".into(),
                "create".into(),
                json!([
                    "active",
                    "entity",
                    "field_type",
                    "key",
                    "label_en",
                    "label_ru",
                    "position",
                    "required",
                    "show_in_list"
                ])
            ),
            // The password is named, never its hash.
            (
                "users".into(),
                "update".into(),
                json!(["active", "role", "password"])
            ),
        ]
    );
    let changes: Vec<(Option<String>, Option<Value>)> = karta_db::entities::change::Entity::find()
        .all(t.app.db.conn())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|c| c.entity == "users")
        .map(|c| (c.field, c.new_value))
        .collect();
    assert!(
        changes.contains(&(Some("role".into()), Some(json!("read_only")))),
        "{changes:?}"
    );
    assert!(
        changes.contains(&(Some("password".into()), None)),
        "{changes:?}"
    );
    t.finish().await;
}
