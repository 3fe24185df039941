//! Every user's own profile: password change, an administrator's reset
//! that forces a new password at sign-in, and one's own time zone.

use axum::http::{Method, StatusCode};
use karta_app::AppError;
use karta_testkit::{Answer, TestApp};
use serde_json::json;

const OLD: &str = "correct horse battery";

fn location(a: &Answer) -> &str {
    a.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_user_changes_his_own_password_and_his_other_sessions_end() {
    let t = TestApp::spawn().await;
    let token = t.user("rep@x.ru", "read_only", Some("A")).await;
    let here = t.session("rep@x.ru").await;
    let elsewhere = t.session("rep@x.ru").await;
    let page = t.page(&here, "/profile").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Мой профиль") && page.text.contains("rep@x.ru"));
    assert!(
        t.page(&here, "/today")
            .await
            .text
            .contains("href=\"/profile\""),
        "the user's name in the header opens the profile"
    );

    // Each mistake is named at its field, and nothing changes.
    let tries = [
        (
            "wrong current",
            "new password 2026",
            "new password 2026",
            "Это не ваш текущий пароль.",
        ),
        (
            OLD,
            "short",
            "short",
            "Пароль должен быть не короче 10 символов.",
        ),
        (
            OLD,
            "new password 2026",
            "new password 2027",
            "Новый пароль и его повтор не совпадают.",
        ),
        (OLD, OLD, OLD, "Новый пароль должен отличаться от текущего."),
    ];
    for (current, new, repeat, says) in tries {
        let bad = t
            .form(
                &here,
                "/profile/password",
                &[("current", current), ("new", new), ("repeat", repeat)],
            )
            .await;
        assert_eq!(bad.status, StatusCode::OK, "{current}/{new}");
        assert!(bad.text.contains(says), "{says}: {}", bad.text);
        assert!(
            !bad.text.contains("new password 202"),
            "passwords are not written back"
        );
    }
    assert!(
        karta_app::auth::login(&t.app, "rep@x.ru", OLD, "127.0.0.1")
            .await
            .is_ok()
    );

    let changed = t
        .form(
            &here,
            "/profile/password",
            &[
                ("current", OLD),
                ("new", "new password 2026"),
                ("repeat", "new password 2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    assert_eq!(location(&changed), "/profile?done=password");
    assert!(
        t.page(&here, "/profile?done=password")
            .await
            .text
            .contains("Пароль изменён.")
    );
    assert_eq!(
        t.page(&here, "/today").await.status,
        StatusCode::OK,
        "this browser stays in"
    );
    let other = t.page(&elsewhere, "/today").await;
    assert_eq!(location(&other), "/login", "every other session ended");
    assert!(matches!(
        karta_app::auth::login(&t.app, "rep@x.ru", OLD, "127.0.0.1").await,
        Err(AppError::BadCredentials)
    ));
    assert!(
        karta_app::auth::login(&t.app, "rep@x.ru", "new password 2026", "127.0.0.1")
            .await
            .is_ok()
    );

    // The API does the same with the same rules.
    let wrong = t
        .post(
            "/api/v1/me/password",
            &token,
            json!({"current": OLD, "new": "third password 1"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json["errors"][0]["field"], "current");
    assert_eq!(wrong.json["errors"][0]["code"], "wrong_password");
    let ok = t
        .post(
            "/api/v1/me/password",
            &token,
            json!({"current": "new password 2026", "new": "third password 1"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text);
    assert_eq!(
        location(&t.page(&here, "/today").await),
        "/login",
        "a token's change ends every session"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_password_reset_by_an_administrator_is_replaced_at_the_next_sign_in() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep_token = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let rep_id = t.get("/api/v1/me", &rep_token).await.json["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let before = t.session("rep@x.ru").await;
    let reset = t
        .patch(
            &format!("/api/v1/users/{rep_id}"),
            &admin,
            None,
            json!({"password": "temporary 12345"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    assert_eq!(reset.json["must_change_password"], true);
    assert_eq!(location(&t.page(&before, "/today").await), "/login");

    // Signing in with the temporary password leads to the profile only.
    let s = karta_app::auth::login(&t.app, "rep@x.ru", "temporary 12345", "127.0.0.1")
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let browser = karta_testkit::Browser {
        cookie: format!("karta_session={}", s.token),
        csrf: s.csrf_token,
    };
    for path in ["/today", "/accounts", "/deals/board"] {
        assert_eq!(
            location(&t.page(&browser, path).await),
            "/profile",
            "{path}"
        );
    }
    let profile = t.page(&browser, "/profile").await;
    assert!(
        profile.text.contains("Администратор сбросил ваш пароль"),
        "{}",
        profile.text
    );
    let api = t
        .call(
            Method::GET,
            "/api/v1/accounts",
            None,
            None,
            &[("cookie", browser.cookie.as_str())],
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json["code"], "password_change_required");
    assert_eq!(
        t.get("/api/v1/accounts", &rep_token).await.status,
        StatusCode::OK,
        "the user's own API tokens go on working"
    );

    let changed = t
        .form(
            &browser,
            "/profile/password",
            &[
                ("current", "temporary 12345"),
                ("new", "my own password"),
                ("repeat", "my own password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    assert_eq!(t.page(&browser, "/today").await.status, StatusCode::OK);
    assert_eq!(
        t.get("/api/v1/me", &rep_token).await.json["must_change_password"],
        false
    );

    // The settings page resets it the same way; leaving the field empty
    // changes nothing about the password.
    let admin_browser = t.session("admin@x.ru").await;
    assert!(
        t.page(&admin_browser, "/admin")
            .await
            .text
            .contains("Сбросить пароль")
    );
    let row = [("role", "sales_rep"), ("team_id", ""), ("active", "true")];
    let kept = t
        .form(&admin_browser, &format!("/admin/users/{rep_id}"), &row)
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.text);
    assert_eq!(t.page(&browser, "/today").await.status, StatusCode::OK);
    let with_password = [row.as_slice(), &[("password", "set by the boss")]].concat();
    let ui_reset = t
        .form(
            &admin_browser,
            &format!("/admin/users/{rep_id}"),
            &with_password,
        )
        .await;
    assert_eq!(ui_reset.status, StatusCode::SEE_OTHER, "{}", ui_reset.text);
    assert_eq!(
        t.get("/api/v1/me", &rep_token).await.json["must_change_password"],
        true
    );

    // An administrator changing his own password is not asked again.
    let admin_id = t.get("/api/v1/me", &admin).await.json["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let own = t
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            &admin,
            None,
            json!({"password": "admin's new one"}),
        )
        .await;
    assert_eq!(own.json["must_change_password"], false);

    // The operator's reset from the command line does the same.
    assert!(matches!(
        karta_app::directory::reset_password(&t.app, "rep@x.ru", "short").await,
        Err(AppError::Invalid(_))
    ));
    let again = karta_app::directory::reset_password(&t.app, "rep@x.ru", "from the console")
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(again.must_change_password);
    assert_eq!(location(&t.page(&browser, "/today").await), "/login");
    t.finish().await;
}

#[tokio::test]
async fn a_user_sets_his_own_time_zone_and_typed_times_are_read_in_it() {
    let t = TestApp::spawn().await;
    let token = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let b = t.session("rep@x.ru").await;
    let today = t.page(&b, "/today").await;
    assert!(
        today.text.contains("data-utc-offset=\"180\""),
        "the company's clock by default"
    );
    assert!(
        today.text.contains("UTC+03:00"),
        "the quick add says which clock it reads"
    );

    // A zone that does not exist keeps what was typed and says why.
    let bad = t
        .form(
            &b,
            "/profile",
            &[
                ("name", "Вера Новосибирская"),
                ("locale", "ru"),
                ("utc_offset", "+15:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text.contains("Укажите смещение от UTC"), "{}", bad.text);
    assert!(bad.text.contains("value=\"Вера Новосибирская\""));
    assert_eq!(
        t.get("/api/v1/me", &token).await.json["utc_offset"],
        json!(null)
    );

    let saved = t
        .form(
            &b,
            "/profile",
            &[
                ("name", "Вера Новосибирская"),
                ("locale", "ru"),
                ("utc_offset", "+07:00"),
            ],
        )
        .await;
    assert_eq!(location(&saved), "/profile?done=saved");
    let me = t.get("/api/v1/me", &token).await;
    assert_eq!(me.json["utc_offset"], "+07:00");
    assert_eq!(me.json["name"], "Вера Новосибирская");
    let today = t.page(&b, "/today").await;
    assert!(today.text.contains("data-utc-offset=\"420\"") && today.text.contains("UTC+07:00"));

    // 18:00 typed in Novosibirsk is 11:00 UTC.
    let added = t
        .form(
            &b,
            "/tasks",
            &[
                ("title", "Позвонить в Томск"),
                ("due_at", "2026-01-16T18:00"),
                ("back", "/today"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let tasks = t.get("/api/v1/tasks?status=open", &token).await;
    assert_eq!(tasks.json["items"][0]["due_at"], "2026-01-16T11:00:00Z");

    // The API changes the same profile; the company's clock again with null.
    let back = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(json!({"utc_offset": null, "locale": "en"})),
            &[],
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(back.json["utc_offset"], json!(null));
    assert_eq!(back.json["locale"], "en");
    let refused = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&token),
            Some(json!({"role": "admin"})),
            &[],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no one raises his own role"
    );
    t.finish().await;
}
