//! HTTP tests through the real router, on SQLite and (with
//! KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::TestApp;
use serde_json::{Value, json};

/// Two reps in different teams, each with one account.
async fn two_teams(t: &TestApp) -> (String, String, String) {
    let a = t.user("a@x.ru", "sales_rep", Some("Team A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("Team B")).await;
    let created = t
        .post(
            "/api/v1/accounts",
            &a,
            json!({"name": "ООО Ромашка", "inn": "7707083893", "types": ["customer"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    (
        a,
        b,
        created.json["id"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn create_read_and_customer_code() {
    let t = TestApp::spawn().await;
    let (a, _, id) = two_teams(&t).await;
    let got = t.get(&format!("/api/v1/accounts/{id}"), &a).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers["etag"], "\"1\"");
    let code = got.json["code"].as_str().unwrap_or_default().to_string();
    assert!(code.starts_with("K-0000"), "{code}");
    let by_code = t.get(&format!("/api/v1/accounts/{code}"), &a).await;
    assert_eq!(by_code.json["id"], got.json["id"]);
    // The code is server-owned: clients cannot set it.
    let bad = t
        .post("/api/v1/accounts", &a, json!({"name": "X", "code": "K-1"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json["errors"][0]["field"], "code");
    t.finish().await;
}

#[tokio::test]
async fn other_team_cannot_see_search_or_change_and_nothing_changes() {
    let t = TestApp::spawn().await;
    let (a, b, id) = two_teams(&t).await;
    assert_eq!(
        t.get(&format!("/api/v1/accounts/{id}"), &b).await.status,
        StatusCode::NOT_FOUND
    );
    let list = t.get("/api/v1/accounts", &b).await;
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(0));
    let search = t
        .get(
            "/api/v1/search?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0",
            &b,
        )
        .await;
    assert_eq!(
        search.json["accounts"].as_array().map(Vec::len),
        Some(0),
        "{}",
        search.text
    );
    let patch = t
        .patch(
            &format!("/api/v1/accounts/{id}"),
            &b,
            Some(1),
            json!({"name": "Hacked"}),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(patch.json["code"], "not_found");
    let del = t
        .call(
            Method::DELETE,
            &format!("/api/v1/accounts/{id}"),
            Some(&b),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    let after = t.get(&format!("/api/v1/accounts/{id}"), &a).await;
    assert_eq!(after.json["name"], "ООО Ромашка");
    assert_eq!(after.json["version"], 1);
    // The owner's team sees it in search, with Russian morphology.
    let mine = t
        .get(
            "/api/v1/search?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%BE%D0%B9",
            &a,
        )
        .await;
    assert_eq!(
        mine.json["accounts"].as_array().map(Vec::len),
        Some(1),
        "{}",
        mine.text
    );
    t.finish().await;
}

#[tokio::test]
async fn validation_rejects_and_saves_nothing() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let bad = t
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"name": "", "inn": "7707083894", "kpp": "1"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.headers["content-type"], "application/problem+json");
    let fields: Vec<&str> = bad.json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "inn", "kpp"]);
    let email = t
        .post(
            "/api/v1/contacts",
            &admin,
            json!({"last_name": "Петров", "emails": ["not-an-email"]}),
        )
        .await;
    assert_eq!(email.json["errors"][0]["code"], "invalid_email");
    assert_eq!(
        t.get("/api/v1/accounts", &admin).await.json["items"],
        json!([])
    );
    assert_eq!(
        t.get("/api/v1/contacts", &admin).await.json["items"],
        json!([])
    );
    let unknown_param = t.get("/api/v1/accounts?colour=red", &admin).await;
    assert_eq!(unknown_param.json["errors"][0]["code"], "unknown_parameter");
    t.finish().await;
}

#[tokio::test]
async fn concurrent_patches_with_one_version_give_exactly_one_412() {
    let t = TestApp::spawn().await;
    let (a, _, id) = two_teams(&t).await;
    let path = format!("/api/v1/accounts/{id}");
    let (x, y) = tokio::join!(
        t.patch(&path, &a, Some(1), json!({"notes": "first"})),
        t.patch(&path, &a, Some(1), json!({"notes": "second"}))
    );
    let mut statuses = [x.status.as_u16(), y.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    assert_eq!(
        t.patch(&path, &a, None, json!({"notes": "x"})).await.status,
        StatusCode::PRECONDITION_REQUIRED
    );
    let now = t.get(&path, &a).await;
    assert_eq!(now.json["version"], 2);
    t.finish().await;
}

#[tokio::test]
async fn history_records_each_field_and_delete_restore() {
    let t = TestApp::spawn().await;
    let (a, _, id) = two_teams(&t).await;
    let path = format!("/api/v1/accounts/{id}");
    t.clock.advance(60_000_000);
    let patched = t
        .patch(
            &path,
            &a,
            Some(1),
            json!({"inn": "7736207543", "tags": ["vip"]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let del = t
        .call(
            Method::DELETE,
            &path,
            Some(&a),
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(del.status, StatusCode::OK, "{}", del.text);
    assert_eq!(t.get(&path, &a).await.status, StatusCode::NOT_FOUND);
    let trash = t.get("/api/v1/accounts?deleted=true", &a).await;
    assert_eq!(trash.json["items"][0]["id"], json!(id));
    let restored = t
        .call(
            Method::POST,
            &format!("{path}/restore"),
            Some(&a),
            None,
            &[("if-match", "\"3\"")],
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text);
    let history = t.get(&format!("{path}/history"), &a).await;
    let rows: Vec<(String, Option<String>, Value, Value)> = history.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["action"].as_str().unwrap_or_default().to_string(),
                r["field"].as_str().map(String::from),
                r["old"].clone(),
                r["new"].clone(),
            )
        })
        .collect();
    assert_eq!(rows[0].0, "restore");
    assert_eq!(rows[1].0, "delete");
    assert!(
        rows.contains(&(
            "update".into(),
            Some("inn".into()),
            json!("7707083893"),
            json!("7736207543")
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "update".into(),
            Some("tags".into()),
            json!([]),
            json!(["vip"])
        )),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "create" && r.1.as_deref() == Some("name"))
    );
    assert_eq!(history.json["items"][0]["actor_name"], "a");
    t.finish().await;
}

#[tokio::test]
async fn personal_data_is_absent_for_roles_without_the_right() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;
    let c = t.post("/api/v1/contacts", &admin, json!({"first_name": "Анна", "last_name": "Иванова", "emails": ["anna@example.ru"], "phones": ["8 916 123-45-67"], "birthday": "1990-05-01"})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    assert_eq!(c.json["phones"], json!(["+79161234567"]));
    let id = c.json["id"].as_str().unwrap_or_default();
    let seen = t.get(&format!("/api/v1/contacts/{id}"), &viewer).await;
    assert_eq!(seen.status, StatusCode::OK);
    for f in ["emails", "phones", "birthday", "messengers"] {
        assert!(seen.json.get(f).is_none(), "{f} leaked: {}", seen.text);
    }
    let list = t.get("/api/v1/contacts", &viewer).await;
    assert!(
        !list.text.contains("anna@example.ru") && !list.text.contains("+7916"),
        "{}",
        list.text
    );
    let history = t
        .get(&format!("/api/v1/contacts/{id}/history"), &viewer)
        .await;
    assert!(
        !history.text.contains("anna@example.ru"),
        "{}",
        history.text
    );
    assert!(history.text.contains("Иванова"));
    // Searching by the e-mail finds nothing for them, the contact for the admin.
    assert_eq!(
        t.get("/api/v1/search?q=anna%40example", &viewer).await.json["contacts"],
        json!([])
    );
    assert_eq!(
        t.get("/api/v1/search?q=anna%40example", &admin).await.json["contacts"][0]["id"],
        json!(id)
    );
    assert_eq!(
        t.get("/api/v1/search?q=4567", &admin).await.json["contacts"][0]["id"],
        json!(id)
    );
    t.finish().await;
}

#[tokio::test]
async fn token_scopes_expiry_and_lookup() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let read_only = t.token("admin@x.ru", &["accounts:read"]).await;
    let phone_only = t.token("admin@x.ru", &["lookup"]).await;
    let acc = t
        .post("/api/v1/accounts", &admin, json!({"name": "Вектор"}))
        .await;
    let account_id = acc.json["id"].clone();
    t.post("/api/v1/contacts", &admin, json!({"last_name": "Сидоров", "phones": ["+7 495 111-22-33"], "account_ids": [account_id]})).await;
    assert_eq!(
        t.get("/api/v1/accounts", &read_only).await.status,
        StatusCode::OK
    );
    let denied = t
        .post("/api/v1/accounts", &read_only, json!({"name": "X"}))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.json["code"], "forbidden");
    assert_eq!(
        t.get("/api/v1/contacts", &read_only).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get("/api/v1/lookup?phone=84951112233", &read_only)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let found = t.get("/api/v1/lookup?phone=84951112233", &phone_only).await;
    assert_eq!(
        found.json["contacts"][0]["last_name"], "Сидоров",
        "{}",
        found.text
    );
    assert_eq!(found.json["accounts"][0]["name"], "Вектор");
    assert_eq!(
        t.get("/api/v1/accounts", &phone_only).await.status,
        StatusCode::FORBIDDEN
    );
    // Tokens expire (30 days in the test kit) and die with their user.
    t.clock.advance(31 * 86_400_000_000);
    assert_eq!(
        t.get("/api/v1/accounts", &read_only).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.get("/api/v1/accounts", "karta_nonsense").await.json["code"],
        "unauthenticated"
    );
    t.finish().await;
}

#[tokio::test]
async fn deactivated_users_tokens_stop_working() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    assert_eq!(t.get("/api/v1/accounts", &rep).await.status, StatusCode::OK);
    let users = t.get("/api/v1/users", &admin).await;
    let rep_id = users.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == "rep@x.ru")
        .map(|u| u["id"].clone())
        .unwrap_or_default();
    let off = t
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", rep_id.as_str().unwrap_or_default()),
            Some(&admin),
            Some(json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text);
    assert_eq!(
        t.get("/api/v1/accounts", &rep).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Reps cannot manage users.
    let rep2 = t.user("rep2@x.ru", "sales_rep", Some("A")).await;
    assert_eq!(
        t.post(
            "/api/v1/users",
            &rep2,
            json!({"email": "z@x.ru", "name": "Z", "role": "admin"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    t.finish().await;
}

#[tokio::test]
async fn custom_fields_validate_and_filter() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let def = t.post("/api/v1/custom-fields", &admin, json!({"entity": "accounts", "key": "tier", "label_ru": "Уровень", "label_en": "Tier", "field_type": "one_of", "options": [{"code": "gold"}, {"code": "silver"}]})).await;
    assert_eq!(def.status, StatusCode::CREATED, "{}", def.text);
    let bad = t
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"name": "A", "custom": {"tier": "platinum"}}),
        )
        .await;
    assert_eq!(bad.json["errors"][0]["field"], "custom.tier");
    let unknown = t
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"name": "A", "custom": {"nope": 1}}),
        )
        .await;
    assert_eq!(unknown.json["errors"][0]["code"], "unknown_field");
    t.post(
        "/api/v1/accounts",
        &admin,
        json!({"name": "Gold Ltd", "custom": {"tier": "gold"}}),
    )
    .await;
    t.post(
        "/api/v1/accounts",
        &admin,
        json!({"name": "Silver Ltd", "custom": {"tier": "silver"}}),
    )
    .await;
    let gold = t.get("/api/v1/accounts?custom.tier=gold", &admin).await;
    let names: Vec<&str> = gold.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["Gold Ltd"], "{}", gold.text);
    t.finish().await;
}

#[tokio::test]
async fn keyset_pages_cover_everything_once() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    for i in 0..25 {
        t.post(
            "/api/v1/accounts",
            &admin,
            json!({"name": format!("Company {:02}", 24 - i)}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = t
            .get(
                &format!("/api/v1/accounts?limit=10&cursor={cursor}"),
                &admin,
            )
            .await;
        seen.extend(
            page.json["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["name"].as_str().map(String::from)),
        );
        match page.json["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("Company {i:02}")).collect();
    assert_eq!(seen, expected);
    t.finish().await;
}

#[tokio::test]
async fn health_and_ui_login_flow() {
    let t = TestApp::spawn().await;
    t.user("admin@x.ru", "admin", None).await;
    assert_eq!(
        t.call(Method::GET, "/readyz", None, None, &[]).await.text,
        "ready"
    );
    let page = t.call(Method::GET, "/accounts", None, None, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let login = t
        .call(
            Method::GET,
            "/login",
            None,
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert!(login.text.contains("Sign in to Karta"));
    assert!(
        login.headers["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .contains("script-src 'self'")
    );
    t.finish().await;
}

/// All names across a list's pages, following `next_cursor`.
async fn all_names(t: &TestApp, path: &str, token: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = t.get(&format!("{path}&cursor={cursor}"), token).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(
            page.json["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["name"].as_str().map(String::from)),
        );
        match page.json["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn team_visibility_pages_merge_the_team_and_own_records_in_order() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    t.user("other@x.ru", "sales_rep", Some("B")).await;
    let users = t.get("/api/v1/users", &admin).await;
    let id_of = |email: &str| {
        users.json["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|u| u["email"] == email)
            .map(|u| u["id"].clone())
            .unwrap_or(Value::Null)
    };
    let (rep_id, other_id) = (id_of("rep@x.ru"), id_of("other@x.ru"));
    let teams = t.get("/api/v1/teams", &admin).await;
    let team_of = |name: &str| {
        teams.json["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["name"] == name)
            .map(|x| x["id"].clone())
            .unwrap_or(Value::Null)
    };
    let (team_a, team_b) = (team_of("A"), team_of("B"));
    // Interleaved names: team A's records, the rep's own record kept in
    // team B, and team B's records the rep must not see.
    let mut expected = Vec::new();
    for i in 0..12 {
        let (name, owner, team, visible) = match i % 3 {
            0 => (format!("Firm {i:02} team"), &other_id, &team_a, true),
            1 => (format!("Firm {i:02} own"), &rep_id, &team_b, true),
            _ => (format!("Firm {i:02} hidden"), &other_id, &team_b, false),
        };
        let created = t
            .post(
                "/api/v1/accounts",
                &admin,
                json!({"name": name, "owner_id": owner, "team_id": team}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        t.clock.advance(1_000_000);
        if visible {
            expected.push(name);
        }
    }
    assert_eq!(
        all_names(&t, "/api/v1/accounts?limit=3", &rep).await,
        expected
    );
    let mut newest_first = expected.clone();
    newest_first.reverse();
    assert_eq!(
        all_names(&t, "/api/v1/accounts?limit=3&sort=-created_at", &rep).await,
        newest_first
    );
    t.finish().await;
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_and_writes_once() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let other = t.user("other@x.ru", "admin", None).await;
    let send = |token: &str, key: &str, body: Value| {
        let (token, key) = (token.to_string(), key.to_string());
        let t = &t;
        async move {
            t.call(
                Method::POST,
                "/api/v1/accounts",
                Some(&token),
                Some(body),
                &[("idempotency-key", key.as_str())],
            )
            .await
        }
    };
    let first = send(&admin, "create-1", json!({"name": "Once Ltd"})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = send(&admin, "create-1", json!({"name": "Once Ltd"})).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json["id"], first.json["id"]);
    assert_eq!(again.headers.get("etag"), first.headers.get("etag"));
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    // Same key, different request: refused, nothing written.
    let reused = send(&admin, "create-1", json!({"name": "Twice Ltd"})).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json["errors"][0]["code"], "idempotency_key_reused");
    // Keys belong to their user: another user's same key is a new request.
    let theirs = send(&other, "create-1", json!({"name": "Once Ltd"})).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.json["id"], first.json["id"]);
    // A rejected request is replayed as the same rejection.
    let bad = send(&admin, "bad-1", json!({"name": "X", "inn": "123"})).await;
    let bad_again = send(&admin, "bad-1", json!({"name": "X", "inn": "123"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_again.json["errors"], bad.json["errors"]);
    let invalid = send(&admin, "", json!({"name": "Y"})).await;
    assert_eq!(invalid.json["errors"][0]["code"], "invalid_idempotency_key");
    let names = all_names(&t, "/api/v1/accounts?limit=50", &admin).await;
    assert_eq!(names, ["Once Ltd", "Once Ltd"]);
    t.finish().await;
}

/// "Show me everything about Орион": the deals and contacts lists and the
/// global search find a customer's deals and people by the customer's
/// name, in the API and on the pages; another team finds none of them.
#[tokio::test]
async fn deals_and_people_are_found_by_their_customer() {
    let t = TestApp::spawn().await;
    let (a, b, _) = two_teams(&t).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let made = t.post("/api/v1/pipelines", &head, json!({"name": "Продажи", "stages": [{"name": "КП", "probability": 50}, {"name": "Выиграна", "kind": "won"}, {"name": "Проиграна", "kind": "lost"}]})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let orion = t
        .post("/api/v1/accounts", &a, json!({"name": "ПАО Орион"}))
        .await;
    let orion = karta_testkit::id(&orion);
    let other = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Вега"}))
        .await;
    let other = karta_testkit::id(&other);
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Сервисное обслуживание №100", "account_id": orion}),
        )
        .await;
    assert_eq!(deal.status, StatusCode::CREATED, "{}", deal.text);
    t.post(
        "/api/v1/deals",
        &a,
        json!({"title": "Поставка станков", "account_id": other}),
    )
    .await;
    t.post(
        "/api/v1/contacts",
        &a,
        json!({"last_name": "Сидоров", "first_name": "Пётр", "account_ids": [orion]}),
    )
    .await;
    t.post(
        "/api/v1/contacts",
        &a,
        json!({"last_name": "Иванов", "account_ids": [other]}),
    )
    .await;
    let q = karta_testkit::encode("Ориона");
    let titles = |v: &serde_json::Value, key: &str| -> Vec<String> {
        v.as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i[key].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let deals = t.get(&format!("/api/v1/deals?q={q}"), &a).await;
    assert_eq!(
        titles(&deals.json["items"], "title"),
        ["Сервисное обслуживание №100"],
        "{}",
        deals.text
    );
    let contacts = t.get(&format!("/api/v1/contacts?q={q}"), &a).await;
    assert_eq!(
        titles(&contacts.json["items"], "last_name"),
        ["Сидоров"],
        "{}",
        contacts.text
    );
    let found = t.get(&format!("/api/v1/search?q={q}"), &a).await;
    assert_eq!(titles(&found.json["accounts"], "name"), ["ПАО Орион"]);
    assert_eq!(
        titles(&found.json["deals"], "title"),
        ["Сервисное обслуживание №100"],
        "{}",
        found.text
    );
    assert_eq!(titles(&found.json["contacts"], "last_name"), ["Сидоров"]);
    let session = t.session("a@x.ru").await;
    let page = t.page(&session, &format!("/deals?q={q}")).await;
    assert!(
        page.text.contains("Сервисное обслуживание №100")
            && !page.text.contains("Поставка станков")
    );
    let page = t.page(&session, &format!("/search?q={q}")).await;
    assert!(page.text.contains("Сервисное обслуживание №100") && page.text.contains("Сидоров"));
    // Another team's customer brings nothing along.
    let theirs = t.get(&format!("/api/v1/search?q={q}"), &b).await;
    for key in ["accounts", "deals", "contacts"] {
        assert_eq!(
            theirs.json[key].as_array().map(Vec::len),
            Some(0),
            "{key}: {}",
            theirs.text
        );
    }
    let theirs = t.get(&format!("/api/v1/deals?q={q}"), &b).await;
    assert_eq!(theirs.json["items"].as_array().map(Vec::len), Some(0));
    t.finish().await;
}
