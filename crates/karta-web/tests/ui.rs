//! Web UI tests through the real router with a browser session.

use axum::http::StatusCode;
use karta_testkit::TestApp;
use serde_json::json;

fn location(a: &karta_testkit::Answer) -> String {
    a.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn settings_page_manages_users_with_the_same_rules_as_the_api() {
    let t = TestApp::spawn().await;
    let admin_token = t.user("admin@x.ru", "admin", Some("A")).await;
    t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let admin = t.session("admin@x.ru").await;
    let page = t.page(&admin, "/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("rep@x.ru"));
    let added = t
        .form(
            &admin,
            "/admin/users",
            &[
                ("email", "new@x.ru"),
                ("name", "Новый"),
                ("role", "sales_rep"),
                ("team_id", ""),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let users = t.get("/api/v1/users", &admin_token).await;
    assert!(users.text.contains("new@x.ru"));
    // Bad input re-renders the page with the reason, in the user's language.
    let bad = t
        .form(
            &admin,
            "/admin/users",
            &[
                ("email", "nope"),
                ("name", "X"),
                ("role", "sales_rep"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.text.contains("Неверный адрес эл. почты."),
        "{}",
        bad.text
    );
    assert!(
        bad.text
            .contains("Пароль должен быть не короче 10 символов.")
    );
    // A form without the CSRF token changes nothing.
    let forged = t
        .call(
            axum::http::Method::POST,
            "/admin/teams",
            None,
            None,
            &[
                ("cookie", admin.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.get("/api/v1/teams", &admin_token).await.json["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // A sales rep may not open it.
    let rep = t.session("rep@x.ru").await;
    assert_eq!(t.page(&rep, "/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.form(&rep, "/admin/teams", &[("name", "Rogue")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    t.finish().await;
}

#[tokio::test]
async fn contact_forms_show_errors_beside_fields_and_hide_personal_data() {
    let t = TestApp::spawn().await;
    let token = t.user("admin@x.ru", "admin", Some("A")).await;
    t.user("viewer@x.ru", "read_only", None).await;
    let account = t
        .post("/api/v1/accounts", &token, json!({"name": "Гранит"}))
        .await;
    let code = account.json["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let admin = t.session("admin@x.ru").await;
    let bad = t
        .form(
            &admin,
            "/contacts/new",
            &[
                ("last_name", "Орлов"),
                ("phones", "12"),
                ("account_codes", "K-999999"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.text
            .contains("Нет такого контрагента среди доступных вам."),
        "{}",
        bad.text
    );
    let ok = t
        .form(
            &admin,
            "/contacts/new",
            &[
                ("last_name", "Орлов"),
                ("first_name", "Пётр"),
                ("phones", "8 (916) 000-11-22"),
                ("account_codes", &code),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let card = t.page(&admin, &location(&ok)).await;
    assert!(
        card.text.contains("+79160001122") && card.text.contains("Гранит"),
        "{}",
        card.text
    );
    let invalid_phone = t
        .form(
            &admin,
            "/contacts/new",
            &[("last_name", "Орлов"), ("phones", "12")],
        )
        .await;
    assert!(
        invalid_phone.text.contains("Неверный номер телефона."),
        "{}",
        invalid_phone.text
    );
    let viewer = t.session("viewer@x.ru").await;
    let contact_id = location(&ok)
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let viewer_card = t.page(&viewer, &format!("/contacts/{contact_id}")).await;
    assert!(!viewer_card.text.contains("+79160001122"));
    t.finish().await;
}

#[tokio::test]
async fn a_stale_account_save_shows_the_conflict_and_overwrites_nothing() {
    let t = TestApp::spawn().await;
    let token = t.user("admin@x.ru", "admin", Some("A")).await;
    let account = t
        .post(
            "/api/v1/accounts",
            &token,
            json!({"name": "Меридиан", "notes": "старое"}),
        )
        .await;
    let id = account.json["id"].as_str().unwrap_or_default().to_string();
    let browser = t.session("admin@x.ru").await;
    // Someone else saves first (version 1 → 2).
    assert_eq!(
        t.patch(
            &format!("/api/v1/accounts/{id}"),
            &token,
            Some(1),
            json!({"notes": "их правка"})
        )
        .await
        .status,
        StatusCode::OK
    );
    let stale = t
        .form(
            &browser,
            &format!("/accounts/{id}/edit"),
            &[
                ("version", "1"),
                ("name", "Меридиан"),
                ("notes", "моя правка"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert!(
        stale
            .text
            .contains("Пока вы редактировали, запись изменил другой пользователь"),
        "{}",
        stale.text
    );
    assert!(stale.text.contains("≠ моя правка"));
    assert!(stale.text.contains("их правка"));
    let now = t.get(&format!("/api/v1/accounts/{id}"), &token).await;
    assert_eq!(now.json["notes"], "их правка");
    assert_eq!(now.json["version"], 2);
    t.finish().await;
}
