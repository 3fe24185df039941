//! Authorization proven from the route table: every API route the OpenAPI
//! description lists (and the page each record route mirrors), called by
//! principals who must not reach another team's records — a sales rep of
//! another team, the same rep through a token scoped to accounts only, and
//! a read-only viewer for writes — with that team's records in the path —
//! and every form the UI's route table accepts on a record, posted by the
//! rep's browser.
//! No answer may carry those records' names, e-mails or phones (JSON,
//! HTML, CSV, XLSX, vCard, history, search, error reports), and no denied
//! write may change them. A new route is covered without a new test.

use axum::http::{Method, StatusCode};
use karta_testkit::{TestApp, id};
use serde_json::json;

/// What only team B's records contain.
const MARKERS: &[&str] = &[
    "Тайнабор",
    "7736207543",
    "tajna.b@hidden.ru",
    "79990001122",
    "Тайная сделка",
    "Скрытый лид",
    "hidden.lead@hidden.ru",
    "Секретная задача",
    "Удалённый архив",
];

/// Records in `leaks` each marker `text` (of the answer `what`) shows.
fn shown(text: &str, what: &str, leaks: &mut Vec<String>) {
    for marker in MARKERS.iter().filter(|m| text.contains(*m)) {
        leaks.push(format!("{what} shows «{marker}»"));
    }
}

/// The text of an answer, with a workbook's sheets unpacked.
fn readable(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())) {
        for i in 0..zip.len() {
            if let Ok(mut part) = zip.by_index(i) {
                let mut s = String::new();
                if std::io::Read::read_to_string(&mut part, &mut s).is_ok() {
                    text.push_str(&s);
                }
            }
        }
    }
    text
}

#[tokio::test]
async fn no_route_shows_or_changes_another_teams_records() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep_a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let rep_b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let scoped = t.token("a@x.ru", &["accounts:read"]).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let pipeline = t
        .post(
            "/api/v1/pipelines",
            &head,
            json!({"name": "Продажи", "stages": [
                {"name": "Новая", "probability": 10},
                {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
                {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}
            ]}),
        )
        .await;
    assert_eq!(pipeline.status, StatusCode::CREATED, "{}", pipeline.text);

    // Team B's records.
    let account = t
        .post(
            "/api/v1/accounts",
            &rep_b,
            json!({"name": "ООО Тайнабор", "inn": "7736207543"}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text);
    let contact = t
        .post(
            "/api/v1/contacts",
            &rep_b,
            json!({"last_name": "Тайнаборова", "emails": ["tajna.b@hidden.ru"],
                   "phones": ["+79990001122"], "account_ids": [id(&account)]}),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.text);
    let deal = t
        .post(
            "/api/v1/deals",
            &rep_b,
            json!({"title": "Тайная сделка", "account_id": id(&account), "amount_minor": 100}),
        )
        .await;
    assert_eq!(deal.status, StatusCode::CREATED, "{}", deal.text);
    let lead = t
        .post(
            "/api/v1/leads",
            &rep_b,
            json!({"person_name": "Скрытый лид", "email": "hidden.lead@hidden.ru"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.text);
    let task = t
        .post(
            "/api/v1/tasks",
            &rep_b,
            json!({"title": "Секретная задача", "due_at": "2026-01-16T09:00:00Z",
                   "account_id": id(&account)}),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.text);
    let activity = t
        .post(
            "/api/v1/activities",
            &rep_b,
            json!({"kind": "call", "subject": "Тайная сделка: звонок", "account_id": id(&account)}),
        )
        .await;
    // Team A's own work, linked by an administrator to team B's account:
    // what A sees of it must not name the account.
    let a_user = karta_db::users::user_by_email(t.app.db.conn(), "a@x.ru")
        .await
        .ok()
        .flatten()
        .map(|u| u.id.to_string())
        .unwrap_or_default();
    let bridge = t
        .post(
            "/api/v1/contacts",
            &admin,
            json!({"last_name": "Мостов", "owner_id": a_user, "account_ids": [id(&account)]}),
        )
        .await;
    assert_eq!(bridge.status, StatusCode::CREATED, "{}", bridge.text);
    // And one in team B's trash.
    let binned = t
        .post(
            "/api/v1/accounts",
            &rep_b,
            json!({"name": "ООО Удалённый архив"}),
        )
        .await;
    let gone = t
        .call(
            Method::DELETE,
            &format!("/api/v1/accounts/{}", id(&binned)),
            Some(&rep_b),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.text);

    let records: Vec<(&str, String)> = [
        ("accounts", id(&account)),
        ("contacts", id(&contact)),
        ("deals", id(&deal)),
        ("leads", id(&lead)),
        ("tasks", id(&task)),
        ("activities", id(&activity)),
    ]
    .into_iter()
    .filter(|(_, id)| !id.is_empty())
    .collect();
    let snapshot = || async {
        let mut all = Vec::new();
        for (kind, id) in &records {
            all.push(t.get(&format!("/api/v1/{kind}/{id}"), &admin).await.json);
        }
        all
    };
    let before = snapshot().await;

    let doc = t
        .call(Method::GET, "/api/openapi.json", None, None, &[])
        .await
        .json;
    let mut calls = 0;
    let mut leaks = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in item
            .as_object()
            .into_iter()
            .flatten()
            .map(|(m, _)| m.clone())
        {
            let resource = path
                .trim_start_matches("/api/v1/")
                .split('/')
                .next()
                .unwrap_or_default();
            let url = if path.contains("{kind}/{id}") {
                // Generic routes over every kind: the deleted record.
                path.replace("{kind}", "accounts")
                    .replace("{id}", &id(&binned))
            } else if path.contains("{id}") {
                match records.iter().find(|(kind, _)| *kind == resource) {
                    Some((_, id)) => path.replace("{id}", id),
                    None => continue,
                }
            } else if method == "get" {
                path.clone()
            } else {
                continue;
            };
            let method =
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET);
            let writes = method != Method::GET;
            let callers: &[&str] = if writes {
                &[&rep_a, &scoped, &viewer]
            } else {
                &[&rep_a, &scoped]
            };
            for caller in callers {
                let body = writes.then(|| json!({"name": "Перехвачено", "title": "Перехвачено"}));
                let answer = t
                    .call(
                        method.clone(),
                        &url,
                        Some(caller),
                        body,
                        &[("if-match", "\"1\"")],
                    )
                    .await;
                calls += 1;
                let what = format!("{method} {url} ({})", answer.status);
                shown(&readable(&answer.bytes), &what, &mut leaks);
                if writes && answer.status.is_success() {
                    leaks.push(format!("{method} {url} was allowed ({})", answer.status));
                }
            }
            // The page a record route mirrors, as rep A's browser.
            if !writes && path.ends_with("{id}") {
                let page = url.trim_start_matches("/api/v1");
                let b = t.session("a@x.ru").await;
                let answer = t.page(&b, page).await;
                calls += 1;
                let what = format!("page {page} ({})", answer.status);
                shown(&answer.text, &what, &mut leaks);
            }
        }
    }
    // Every form the UI's route table accepts on a record, posted by rep A's
    // browser at team B's records: nothing shown, nothing changed.
    let b = t.session("a@x.ru").await;
    for path in ui_posts_on_records() {
        let resource = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let url = if path.contains("{kind}/{id}") {
            path.replace("{kind}", "accounts")
                .replace("{id}", &id(&binned))
        } else {
            match records.iter().find(|(kind, _)| *kind == resource) {
                Some((_, id)) => path.replace("{id}", id),
                None => continue,
            }
        };
        let answer = t
            .form(
                &b,
                &url,
                &[
                    ("version", "1"),
                    ("name", "Перехвачено"),
                    ("title", "Перехвачено"),
                    ("status", "done"),
                    ("reason", "Перехвачено"),
                ],
            )
            .await;
        calls += 1;
        shown(
            &answer.text,
            &format!("form {url} ({})", answer.status),
            &mut leaks,
        );
        if answer.status.is_success() || answer.status.is_redirection() {
            leaks.push(format!("form {url} was accepted ({})", answer.status));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} of {calls} calls leak:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    assert!(calls > 150, "only {calls} calls");
    assert_eq!(
        snapshot().await,
        before,
        "a denied write changed team B's records"
    );
    let still = t
        .get(&format!("/api/v1/accounts/{}", id(&binned)), &admin)
        .await;
    assert_eq!(
        still.status,
        StatusCode::NOT_FOUND,
        "a denied restore restored"
    );
    t.finish().await;
}

/// The UI routes that take a POST on one record (`{id}`, or `{kind}/{id}`),
/// read from the UI's route table itself, so a new form is covered without
/// a line here.
fn ui_posts_on_records() -> Vec<String> {
    let table = include_str!("../../src/ui/mod.rs");
    let mut out = Vec::new();
    for part in table.split(".route(").skip(1) {
        let Some(rest) = part.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some((path, handlers)) = rest.split_once('"') else {
            continue;
        };
        let handlers = handlers.split(".route(").next().unwrap_or_default();
        let placeholders = path.matches('{').count();
        let on_record = path.contains("{id}")
            && (placeholders == 1 || (placeholders == 2 && path.contains("{kind}")));
        if on_record && handlers.contains("post(") {
            out.push(path.to_string());
        }
    }
    assert!(out.len() > 30, "the UI route table was not read: {out:?}");
    out
}
