//! Built-in help and the header's quick add, through the real router on
//! SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn every_section_has_help_in_both_languages_and_a_first_visit_hint() {
    let t = TestApp::spawn().await;
    let token = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let browser = t.session("rep@x.ru").await;
    let mut russian = Vec::new();
    for section in karta_web::ui::help::SECTIONS {
        let page = t.page(&browser, &format!("/help/{section}")).await;
        assert_eq!(page.status, StatusCode::OK, "{section}");
        let paragraphs = page.text.matches("<p>").count();
        assert!(paragraphs >= 2, "{section}: {paragraphs} paragraphs");
        assert!(
            !page.text.contains(&format!(">help-{section}")),
            "{section}: a key shows"
        );
        russian.push(page.text);
    }
    // Every page carries each section's one-line hint for a first visit.
    assert!(
        russian[0].contains(r#"<p data-section="control">Работа отдела по сотрудникам"#),
        "{}",
        russian[0]
    );
    assert!(
        russian[0].contains("«Сегодня» открывается после входа"),
        "{}",
        russian[0]
    );
    let unknown = t.page(&browser, "/help/nothing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // In English for a user who reads English.
    let set = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(json!({"locale": "en"})),
            &[],
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let english = t.page(&browser, "/help/accounts").await;
    assert!(
        english.text.contains("The client card gathers everything"),
        "{}",
        english.text
    );
    let index = t.page(&browser, "/help").await;
    for section in karta_web::ui::help::SECTIONS {
        assert!(
            index.text.contains(&format!("id=\"help-{section}\"")),
            "{section}"
        );
    }
    t.finish().await;
}

#[tokio::test]
async fn a_call_logged_from_the_quick_add_lands_on_the_customer_it_names() {
    let t = TestApp::spawn().await;
    let token = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let account = t
        .post("/api/v1/accounts", &token, json!({"name": "ООО Ромашка"}))
        .await;
    let id = account.json["id"].as_str().unwrap_or_default().to_string();
    let code = account.json["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let browser = t.session("rep@x.ru").await;
    // The header offers it on every page.
    let today = t.page(&browser, "/today").await;
    assert!(today.text.contains(r#"id="quick-call""#), "{}", today.text);
    let logged = t
        .form(
            &browser,
            "/activities",
            &[
                ("kind", "call"),
                ("account_code", &code),
                ("outcome", "Договорились о встрече"),
            ],
        )
        .await;
    assert_eq!(
        logged.headers["location"],
        format!("/accounts/{id}?done=logged#timeline").as_str()
    );
    let card = t.page(&browser, &format!("/accounts/{id}")).await;
    assert!(
        card.text.contains("Договорились о встрече"),
        "{}",
        card.text
    );
    // A code nobody has is explained, and nothing is logged.
    let refused = t
        .form(
            &browser,
            "/activities",
            &[
                ("kind", "call"),
                ("account_code", "K-999999"),
                ("outcome", "Потерянный звонок"),
            ],
        )
        .await;
    let to = refused.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(to.contains("error=unknown_account"), "{to}");
    let calls = t.get("/api/v1/activities?limit=50", &token).await;
    assert!(!calls.text.contains("Потерянный звонок"));
    // A read-only user keeps his own tasks, and is offered nothing else.
    t.user("viewer@x.ru", "read_only", None).await;
    let viewer = t.session("viewer@x.ru").await;
    let page = t.page(&viewer, "/today").await;
    assert!(page.text.contains(r#"id="quick-task""#), "{}", page.text);
    for offered in [
        r#"id="quick-call""#,
        r#"href="/deals/new""#,
        r#"href="/contacts/new""#,
    ] {
        assert!(!page.text.contains(offered), "{offered}");
    }
    t.finish().await;
}
