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
    let content = &doc["paths"][path][method]["responses"][status]["content"];
    match content.get("application/json") {
        Some(json) => &json["schema"],
        None => &content["application/problem+json"]["schema"],
    }
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

/// Checks `body` against `schema` (a part of `doc`, whose components its
/// references name) with an independent JSON Schema 2020-12 validator.
fn violations(doc: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let mut root = schema.clone();
    if let Some(o) = root.as_object_mut() {
        o.insert("components".into(), doc["components"].clone());
        o.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
    }
    match jsonschema::validator_for(&root) {
        Ok(v) => v
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect(),
        Err(e) => vec![format!("schema does not compile: {e}")],
    }
}

#[tokio::test]
async fn every_documented_read_answers_as_its_schema_says() {
    let t = TestApp::spawn().await;
    karta_app::demo::load(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let admin = t.token("admin@demo.karta", &[]).await;
    let doc = t
        .call(Method::GET, "/api/openapi.json", None, None, &[])
        .await
        .json;
    let pipeline = t.get("/api/v1/pipelines", &admin).await.json["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // A record's id, from the first item of the list its path starts with.
    let mut first_ids: std::collections::HashMap<String, String> = Default::default();
    let mut checked = Vec::new();
    let mut documented = Vec::new();
    let mut problems = Vec::new();
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    // Lists first (no parameter in the path), then records.
    let (lists, records): (Vec<&String>, Vec<&String>) =
        paths.iter().partition(|p| !p.contains('{'));
    for path in lists.into_iter().chain(records) {
        let op = &doc["paths"][path.as_str()]["get"];
        let Some(schema) = op["responses"]["200"]["content"]
            .get("application/json")
            .map(|c| &c["schema"])
        else {
            continue;
        };
        documented.push(path.clone());
        let url = match path.split_once("/{id}") {
            Some((list, rest)) => match first_ids.get(list) {
                Some(id) => format!("{list}/{id}{rest}"),
                None => continue,
            },
            // Reads that need a parameter get one a user would send.
            None => match path.as_str() {
                "/api/v1/search" => format!("{path}?q=%D1%81%D1%82%D0%B0%D0%BD%D0%BE%D0%BA"),
                "/api/v1/lookup" => format!("{path}?phone=%2B74951234567"),
                "/api/v1/imports/profiles" => format!("{path}?entity=contacts"),
                "/api/v1/deals/totals" => format!("{path}?pipeline_id={pipeline}"),
                _ => path.clone(),
            },
        };
        let answer = t.get(&url, &admin).await;
        if answer.status != StatusCode::OK {
            // Parameters it requires (`q`, `phone`…) are not guessed here.
            continue;
        }
        if let Some(id) = answer.json["items"][0]["id"].as_str() {
            first_ids.insert(path.clone(), id.to_string());
        }
        for v in violations(&doc, schema, &answer.json) {
            problems.push(format!("GET {url}: {v}"));
        }
        checked.push(path.clone());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // What the demo company cannot show: no import or job has run yet, it
    // has no price lists, and a price needs a customer and products
    // picked together.
    let unchecked: Vec<&String> = documented.iter().filter(|p| !checked.contains(p)).collect();
    assert_eq!(
        unchecked,
        [
            "/api/v1/prices",
            "/api/v1/imports/{id}",
            "/api/v1/imports/{id}/errors",
            "/api/v1/jobs/{id}",
            "/api/v1/price-lists/{id}",
            "/api/v1/price-lists/{id}/history"
        ],
        "{} of {} documented reads checked",
        checked.len(),
        documented.len()
    );
    // And a problem is what the description says a problem is.
    let missing = t
        .get("/api/v1/deals/00000000-0000-7000-8000-000000000000", &admin)
        .await;
    let schema = response_schema(&doc, "/api/v1/deals/{id}", "get", "404");
    assert_eq!(missing.headers["content-type"], "application/problem+json");
    assert_eq!(
        violations(&doc, schema, &missing.json),
        Vec::<String>::new()
    );
    t.finish().await;
}
