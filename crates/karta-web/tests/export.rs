//! List exports through the real router on SQLite and (with
//! KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::StatusCode;
use karta_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn an_account_export_streams_every_page_within_visibility_and_neutralizes_formulas() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let rep_a = karta_db::users::user_by_email(t.app.db.conn(), "a@x.ru")
        .await
        .ok()
        .flatten()
        .map(|u| (u.id, u.team_id))
        .unwrap_or_default();
    // More than one export page of team A's accounts …
    karta_app::generate::generate(&t.app, 510, 0, &[rep_a], 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // … one whose name a spreadsheet would run, and one of team B.
    let risky = t
        .post(
            "/api/v1/accounts",
            &a,
            json!({"name": "=HYPERLINK(\"http://evil\",\"Ромашка\")", "inn": "7707083893"}),
        )
        .await;
    assert_eq!(risky.status, StatusCode::CREATED, "{}", risky.text);
    t.post("/api/v1/accounts", &b, json!({"name": "ООО Чужая"}))
        .await;

    let export = t.get("/api/v1/accounts/export.csv", &a).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    assert!(
        export.headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let body = export.text.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("code,name,legal_name,types,inn"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        1 + 511,
        "header and every visible account once"
    );
    assert!(!body.contains("Чужая"), "team B's account leaked");
    assert!(
        body.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"Ромашка\"\")\",,,7707083893"),
        "{}",
        lines.iter().find(|l| l.contains("evil")).unwrap_or(&"")
    );
    // The list's filters apply; a bad one is explained, not exported.
    let filtered = t
        .get("/api/v1/accounts/export.csv?inn=7707083893", &a)
        .await;
    assert_eq!(filtered.text.matches("\r\n").count(), 2);
    let bad = t.get("/api/v1/accounts/export.csv?sort=height", &a).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json["errors"][0]["code"], "invalid_sort");
    t.finish().await;
}
