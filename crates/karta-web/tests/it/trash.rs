//! The trash lists every restorable kind of the record registry — a kind
//! missing from it fails here — and restores any of them, through the API
//! and the page, only for those who may.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};

async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

async fn binned(t: &TestApp, path: &str, token: &str, record: &Answer) {
    let version = format!("\"{}\"", record.json["version"]);
    let gone = t
        .call(
            Method::DELETE,
            &format!("{path}/{}", id(record)),
            Some(token),
            None,
            &[("if-match", version.as_str())],
        )
        .await;
    assert!(gone.status.is_success(), "{path}: {}", gone.text);
}

/// The kinds and labels the trash API shows `token`.
async fn trash(t: &TestApp, token: &str) -> Vec<(String, Vec<String>)> {
    let list = t.get("/api/v1/trash", token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    list.json["kinds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|k| {
            let labels = k["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["label"].as_str().map(str::to_string))
                .collect();
            (k["kind"].as_str().unwrap_or_default().to_string(), labels)
        })
        .collect()
}

#[tokio::test]
async fn every_restorable_kind_goes_to_the_trash_and_comes_back() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    made(
        &t,
        "/api/v1/pipelines",
        &admin,
        json!({"name": "Продажи", "stages": [
        {"name": "Новая", "probability": 10},
        {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
        {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}]}),
    )
    .await;
    let account = made(
        &t,
        "/api/v1/accounts",
        &admin,
        json!({"name": "ООО Корзинка"}),
    )
    .await;
    let acc = id(&account);
    let records = [
        ("/api/v1/accounts", json!({"name": "ООО Удалённая"})),
        (
            "/api/v1/contacts",
            json!({"last_name": "Удалёнов", "first_name": "Иван"}),
        ),
        (
            "/api/v1/deals",
            json!({"title": "Удалённая сделка", "account_id": acc}),
        ),
        (
            "/api/v1/leads",
            json!({"person_name": "Удалённый лид", "email": "del@x.ru"}),
        ),
        (
            "/api/v1/tasks",
            json!({"title": "Удалённая задача", "due_at": "2026-01-16T09:00:00Z"}),
        ),
        (
            "/api/v1/activities",
            json!({"kind": "call", "subject": "Удалённый звонок", "account_id": acc}),
        ),
        (
            "/api/v1/products",
            json!({"sku": "DEL-1", "name": "Удалённый товар", "list_price_minor": 100}),
        ),
        ("/api/v1/price-lists", json!({"name": "Удалённый прайс"})),
        (
            "/api/v1/contracts",
            json!({"account_id": acc, "number": "Д-УД", "valid_from": "2026-01-01"}),
        ),
    ];
    for (path, body) in records {
        let r = made(&t, path, &admin, body).await;
        binned(&t, path, &admin, &r).await;
    }
    let shown = trash(&t, &admin).await;
    let kinds: Vec<&str> = shown.iter().map(|(k, _)| k.as_str()).collect();
    let restorable: Vec<&str> = karta_app::registry::KINDS
        .iter()
        .filter(|k| k.trash == karta_app::registry::Trash::Restorable)
        .map(|k| k.name)
        .collect();
    assert_eq!(
        kinds, restorable,
        "the trash must list every restorable kind"
    );
    assert!(
        shown.iter().all(|(_, labels)| labels.len() == 1),
        "{shown:?}"
    );
    assert!(shown.contains(&("contracts".into(), vec!["№ Д-УД".into()])));
    assert!(shown.contains(&("products".into(), vec!["DEL-1 Удалённый товар".into()])));

    // The page names every kind in the reader's language.
    let b = t.session("admin@x.ru").await;
    let page = t.page(&b, "/trash").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("trash-"), "an untranslated heading");
    for heading in [
        "Сделки",
        "Лиды",
        "Задачи",
        "Дела",
        "Договоры",
        "Удалённый звонок",
    ] {
        assert!(page.text.contains(heading), "{heading} missing");
    }
    // A rep sees none of it (the admin's records), and may not restore it.
    assert!(trash(&t, &rep).await.iter().all(|(_, l)| l.is_empty()));
    let list = t.get("/api/v1/trash", &admin).await;
    let task = list.json["kinds"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["kind"] == "tasks")
        .map(|k| k["items"][0].clone())
        .unwrap_or_default();
    let task_id = task["id"].as_str().unwrap_or_default().to_string();
    let version = format!("\"{}\"", task["version"]);
    let path = format!("/api/v1/trash/tasks/{task_id}/restore");
    let denied = t
        .call(
            Method::POST,
            &path,
            Some(&rep),
            None,
            &[("if-match", version.as_str())],
        )
        .await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND, "{}", denied.text);
    let stale = t
        .call(
            Method::POST,
            &path,
            Some(&admin),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.text
    );
    let unknown = t
        .call(
            Method::POST,
            &format!("/api/v1/trash/payments/{task_id}/restore"),
            Some(&admin),
            None,
            &[("if-match", version.as_str())],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    let back = t
        .call(
            Method::POST,
            &path,
            Some(&admin),
            None,
            &[("if-match", version.as_str())],
        )
        .await;
    assert_eq!(back.status, StatusCode::NO_CONTENT, "{}", back.text);
    let restored = t.get(&format!("/api/v1/tasks/{task_id}"), &admin).await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text);

    // Through the page: each restore button works; a kind with a card
    // opens it, one without comes back to the trash with a message.
    for (kind, _) in trash(&t, &admin).await {
        let list = t.get("/api/v1/trash", &admin).await;
        let Some(item) = list.json["kinds"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|k| k["kind"] == kind.as_str())
            .and_then(|k| k["items"].get(0).cloned())
        else {
            continue;
        };
        let version = item["version"].to_string();
        let answer = t
            .form(
                &b,
                &format!(
                    "/trash/{kind}/{}/restore",
                    item["id"].as_str().unwrap_or_default()
                ),
                &[("version", version.as_str())],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{kind}: {}",
            answer.text
        );
        let to = answer
            .headers
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if kind == "activities" {
            assert_eq!(to, "/trash?restored=1");
            let page = t.page(&b, &to).await;
            assert!(page.text.contains("Запись восстановлена"), "{}", page.text);
        } else {
            assert!(t.page(&b, &to).await.status.is_success(), "{kind}: {to}");
        }
    }
    assert!(trash(&t, &admin).await.iter().all(|(_, l)| l.is_empty()));
    t.finish().await;
}
