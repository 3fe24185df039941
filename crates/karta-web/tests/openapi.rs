//! The OpenAPI description is served, lists every endpoint, and declares
//! every field that real responses carry.

use axum::http::{Method, StatusCode};
use karta_testkit::TestApp;
use serde_json::{Value, json};

/// Property names a schema declares, following `$ref` and `allOf`.
fn properties(doc: &Value, schema: &Value) -> Vec<String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return properties(doc, &doc["components"]["schemas"][name]);
    }
    let mut out: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(properties(doc, part));
    }
    out
}

fn response_schema<'a>(doc: &'a Value, path: &str, method: &str, status: &str) -> &'a Value {
    &doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
}

fn assert_keys_documented(doc: &Value, schema: &Value, body: &Value, what: &str) {
    let declared = properties(doc, schema);
    assert!(!declared.is_empty(), "{what}: schema has no properties");
    for key in body
        .as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        assert!(
            declared.contains(&key),
            "{what}: `{key}` is returned but not documented ({declared:?})"
        );
    }
}

#[tokio::test]
async fn openapi_is_served_and_matches_real_answers() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", Some("A")).await;
    let doc = t
        .call(Method::GET, "/api/openapi.json", None, None, &[])
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json;
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/accounts/{id}/restore",
        "/api/v1/accounts/{id}/history",
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{id}/restore",
        "/api/v1/contacts/{id}/history",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/teams",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/login-events",
        "/api/v1/classifiers",
        "/api/v1/classifiers/{id}",
        "/api/v1/custom-fields",
        "/api/v1/custom-fields/{id}",
        "/api/v1/search",
        "/api/v1/lookup",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }

    let created = t
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"name": "Орион", "inn": "7707083893", "custom": {}}),
        )
        .await;
    assert_keys_documented(
        &doc,
        response_schema(&doc, "/api/v1/accounts", "post", "201"),
        &created.json,
        "account create",
    );
    let id = created.json["id"].as_str().unwrap_or_default().to_string();
    let one = t.get(&format!("/api/v1/accounts/{id}"), &admin).await;
    assert_keys_documented(
        &doc,
        response_schema(&doc, "/api/v1/accounts/{id}", "get", "200"),
        &one.json,
        "account",
    );
    let list = t.get("/api/v1/accounts", &admin).await;
    assert_keys_documented(
        &doc,
        response_schema(&doc, "/api/v1/accounts", "get", "200"),
        &list.json,
        "account list",
    );
    let contact = t
        .post(
            "/api/v1/contacts",
            &admin,
            json!({"last_name": "Орлова", "emails": ["o@x.ru"], "account_ids": [id]}),
        )
        .await;
    assert_keys_documented(
        &doc,
        response_schema(&doc, "/api/v1/contacts", "post", "201"),
        &contact.json,
        "contact create",
    );
    let history = t
        .get(&format!("/api/v1/accounts/{id}/history"), &admin)
        .await;
    assert_keys_documented(
        &doc,
        &doc["components"]["schemas"]["ChangeView"],
        &history.json["items"][0],
        "history entry",
    );
    let users = t.get("/api/v1/users", &admin).await;
    assert_keys_documented(
        &doc,
        &doc["components"]["schemas"]["UserView"],
        &users.json["items"][0],
        "user",
    );
    let bad = t
        .post("/api/v1/accounts", &admin, json!({"name": ""}))
        .await;
    assert_keys_documented(
        &doc,
        response_schema(&doc, "/api/v1/accounts", "post", "422"),
        &bad.json,
        "problem",
    );
    // The interactive docs page is there too.
    let ui = t.call(Method::GET, "/api/docs/", None, None, &[]).await;
    assert_eq!(ui.status, StatusCode::OK, "{}", ui.text);
    t.finish().await;
}

#[tokio::test]
async fn lookups_are_rate_limited() {
    let t = TestApp::spawn().await;
    let support = t
        .user_with_scopes("s@x.ru", "support", None, &["lookup"])
        .await;
    let limit = t.app.config.lookups_per_minute;
    for _ in 0..limit {
        assert_eq!(
            t.get("/api/v1/lookup?phone=84951112233", &support)
                .await
                .status,
            StatusCode::OK
        );
    }
    let over = t.get("/api/v1/lookup?phone=84951112233", &support).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.json["code"], "too_many_attempts");
    t.clock.advance(60_000_000);
    assert_eq!(
        t.get("/api/v1/lookup?phone=84951112233", &support)
            .await
            .status,
        StatusCode::OK
    );
    t.finish().await;
}
