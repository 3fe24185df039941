//! Errors a client can cause are problem+json with a stable code, however
//! they arise: a value taken by a concurrent request (the unique index
//! refuses it, not the check before it), a malformed id in a path, and a
//! wrong list filter (one parser for the API and the pages). Every code is
//! in one table, which the docs and both translations are held to.

use axum::http::StatusCode;
use karta_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_value_taken_by_a_concurrent_request_is_409_already_exists_never_a_500() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    // Eight requests for one team name at once: all pass the check, one
    // insert wins, the index refuses the rest.
    let answers = futures::future::join_all(
        (0..8).map(|_| t.post("/api/v1/teams", &admin, json!({"name": "Восток"}))),
    )
    .await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    for refused in answers.iter().filter(|a| a.status != StatusCode::CREATED) {
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
        assert_eq!(refused.json["code"], "already_exists");
        assert_eq!(refused.json["errors"][0]["field"], "name");
        assert_eq!(refused.json["errors"][0]["code"], "already_exists");
    }

    // The index's own refusal, read on this engine, names the field.
    use sea_orm::ConnectionTrait;
    let twice = "INSERT INTO teams (id, name, created_at) VALUES \
        ('00000000-0000-7000-8000-000000000001', 'Восток', 0)";
    let err = t
        .app
        .db
        .conn()
        .execute_unprepared(twice)
        .await
        .err()
        .unwrap_or_else(|| panic!("the index refuses a second «Восток»"));
    assert_eq!(karta_db::unique::taken_field(&err), Some("name"));
    let as_app = karta_app::AppError::from(err);
    assert!(
        matches!(&as_app, karta_app::AppError::Invalid(e) if e.0[0].field == "name" && e.0[0].code == "already_exists"),
        "{as_app:?}"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_malformed_id_in_a_path_is_a_problem_naming_the_parameter() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    for path in [
        "/api/v1/contacts/not-a-uuid",
        "/api/v1/deals/123/history",
        "/api/v1/jobs/%D0%BD%D0%B5%D1%82/retry",
    ] {
        let answer = if path.ends_with("retry") {
            t.post(path, &admin, json!({})).await
        } else {
            t.get(path, &admin).await
        };
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            answer.text
        );
        assert_eq!(
            answer.headers["content-type"], "application/problem+json",
            "{path}"
        );
        assert_eq!(answer.json["code"], "validation_failed", "{path}");
        assert_eq!(answer.json["errors"][0]["field"], "id", "{path}");
        assert_eq!(answer.json["errors"][0]["code"], "invalid_id", "{path}");
    }
    t.finish().await;
}

#[tokio::test]
async fn a_wrong_list_filter_is_reported_by_the_api_and_on_the_page_never_ignored() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let query = "status=closed&owner_id=someone&sort=sideways&q=станки";

    // The API refuses, naming every wrong parameter at once.
    let api = t.get(&format!("/api/v1/deals?{query}"), &admin).await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
    let mut problems: Vec<(String, String)> = api.json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["field"].to_string(), e["code"].to_string()))
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        [
            (r#""owner_id""#.into(), r#""invalid_id""#.into()),
            (r#""sort""#.into(), r#""invalid_sort""#.into()),
            (r#""status""#.into(), r#""invalid_choice""#.into()),
        ]
    );

    // The page says the same in the user's language and keeps the search.
    let browser = t.session("admin@x.ru").await;
    let page = t.page(&browser, &format!("/deals?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Такой сортировки нет."), "{}", page.text);
    assert!(
        page.text.contains("Недопустимое значение."),
        "{}",
        page.text
    );
    assert!(page.text.contains(r#"value="станки""#), "{}", page.text);
    // A right filter reports nothing.
    let fine = t.page(&browser, "/deals?status=open&sort=-amount").await;
    assert!(!fine.text.contains(r#"class="error""#), "{}", fine.text);
    t.finish().await;
}

#[test]
fn every_error_code_is_documented_and_translated_in_both_languages() {
    let read = |path: &str| {
        std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let docs = read("../../docs/api-errors.md");
    let ru = read("i18n/ru.ftl");
    let en = read("i18n/en.ftl");
    let mut missing = Vec::new();
    for code in karta_core::codes::Code::ALL {
        let name = code.as_str();
        if !docs.contains(&format!("`{name}`")) {
            missing.push(format!("docs/api-errors.md: {name}"));
        }
        for (lang, text) in [("ru", &ru), ("en", &en)] {
            if !text.contains(&format!("\nerr-{name} = ")) {
                missing.push(format!("{lang}.ftl: err-{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
