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

#[tokio::test]
async fn a_stale_save_keeps_what_does_not_collide_and_shows_what_does() {
    let t = TestApp::spawn().await;
    let token = t.user("admin@x.ru", "admin", Some("A")).await;
    let account = t
        .post(
            "/api/v1/accounts",
            &token,
            json!({"name": "Меридиан", "notes": "старое", "legal_address": "Москва"}),
        )
        .await;
    let id = account.json["id"].as_str().unwrap_or_default().to_string();
    let browser = t.session("admin@x.ru").await;
    // The form remembers what it showed.
    let edit = t.page(&browser, &format!("/accounts/{id}/edit")).await;
    assert!(
        edit.text.contains(r#"name="base.notes" value="старое""#)
            && edit
                .text
                .contains(r#"name="base.legal_address" value="Москва""#),
        "{}",
        edit.text
    );
    // Tab 1 changes the address (version 1 → 2) while tab 2 writes a note.
    let address = |a: &str| json!({"legal_address": a});
    let theirs = t
        .patch(
            &format!("/api/v1/accounts/{id}"),
            &token,
            Some(1),
            address("Казань"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    let base = [
        ("base.name", "Меридиан"),
        ("base.notes", "старое"),
        ("base.legal_address", "Москва"),
        ("base.status", "active"),
    ];
    let mut tab2 = vec![
        ("version", "1"),
        ("name", "Меридиан"),
        ("notes", "моя заметка"),
        ("legal_address", "Москва"),
        ("status", "active"),
    ];
    tab2.extend(base);
    let saved = t
        .form(&browser, &format!("/accounts/{id}/edit"), &tab2)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    assert_eq!(location(&saved), format!("/accounts/{id}?done=merged"));
    let now = t.get(&format!("/api/v1/accounts/{id}"), &token).await;
    assert_eq!(
        (
            now.json["notes"].as_str(),
            now.json["legal_address"].as_str()
        ),
        (Some("моя заметка"), Some("Казань")),
        "both changes kept"
    );
    let card = t.page(&browser, &location(&saved)).await;
    assert!(
        card.text.contains("его изменения тоже на месте"),
        "{}",
        card.text
    );

    // Both change the address differently: the note is saved, the address
    // is shown with what was typed beside it.
    let version = now.json["version"].to_string();
    assert_eq!(
        t.patch(
            &format!("/api/v1/accounts/{id}"),
            &token,
            now.json["version"].as_i64(),
            address("Самара")
        )
        .await
        .status,
        StatusCode::OK
    );
    let tab2 = [
        ("version", version.as_str()),
        ("name", "Меридиан"),
        ("notes", "вторая заметка"),
        ("legal_address", "Тверь"),
        ("status", "active"),
        ("base.name", "Меридиан"),
        ("base.notes", "моя заметка"),
        ("base.legal_address", "Казань"),
        ("base.status", "active"),
    ];
    let conflict = t
        .form(&browser, &format!("/accounts/{id}/edit"), &tab2)
        .await;
    assert_eq!(conflict.status, StatusCode::OK);
    assert!(conflict.text.contains("≠ Тверь"), "{}", conflict.text);
    assert!(
        conflict.text.contains(r#"value="Самара""#),
        "{}",
        conflict.text
    );
    let now = t.get(&format!("/api/v1/accounts/{id}"), &token).await;
    assert_eq!(
        (
            now.json["notes"].as_str(),
            now.json["legal_address"].as_str()
        ),
        (Some("вторая заметка"), Some("Самара"))
    );
    t.finish().await;
}

#[tokio::test]
async fn contacts_have_custom_fields_duplicates_trash_and_restore_in_the_ui() {
    let t = TestApp::spawn().await;
    let token = t.user("admin@x.ru", "admin", None).await;
    for def in [
        json!({"entity": "contacts", "key": "channel", "label_ru": "Канал связи", "label_en": "Channel",
               "field_type": "one_of", "show_in_list": true,
               "options": [{"code": "tg", "label_ru": "Телеграм", "label_en": "Telegram"}, {"code": "mail", "label_ru": "Почта", "label_en": "Mail"}]}),
        json!({"entity": "contacts", "key": "hobbies", "label_ru": "Увлечения", "label_en": "Hobbies",
               "field_type": "many_of",
               "options": [{"code": "ski", "label_ru": "Лыжи", "label_en": "Skiing"}, {"code": "chess", "label_ru": "Шахматы", "label_en": "Chess"}]}),
        json!({"entity": "contacts", "key": "visits", "label_ru": "Визитов", "label_en": "Visits", "field_type": "number"}),
    ] {
        let created = t.post("/api/v1/custom-fields", &token, def).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let admin = t.session("admin@x.ru").await;
    let form = t.page(&admin, "/contacts/new").await;
    assert!(
        form.text.contains("name=\"custom.channel\""),
        "{}",
        form.text
    );
    assert!(
        form.text
            .contains("type=\"checkbox\" name=\"custom.hobbies\" value=\"chess\"")
    );
    // A bad number is explained beside its field and nothing is saved.
    let bad = t
        .form(
            &admin,
            "/contacts/new",
            &[("last_name", "Орлова"), ("custom.visits", "много")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text.contains("field invalid"), "{}", bad.text);
    let none = t.get("/api/v1/contacts", &token).await;
    assert_eq!(none.json["items"].as_array().map(Vec::len), Some(0));
    let fields = [
        ("last_name", "Орлова"),
        ("emails", "orlova@x.ru"),
        ("custom.channel", "tg"),
        ("custom.hobbies", "ski"),
        ("custom.hobbies", "chess"),
        ("custom.visits", "3"),
    ];
    let ok = t.form(&admin, "/contacts/new", &fields).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let first = location(&ok);
    let card = t.page(&admin, &first).await;
    assert!(card.text.contains("Телеграм"), "{}", card.text);
    assert!(card.text.contains("Лыжи, Шахматы"), "{}", card.text);
    // The same e-mail again: saved, and each card warns of the other.
    let twin = t.form(&admin, "/contacts/new", &fields).await;
    let twin_card = t.page(&admin, &location(&twin)).await;
    let first_id = first.rsplit('/').next().unwrap_or_default().to_string();
    assert!(
        twin_card.text.contains("class=\"warning\""),
        "{}",
        twin_card.text
    );
    assert!(twin_card.text.contains(&format!("/contacts/{first_id}")));
    // The list shows the one-of column and filters by it.
    let list = t.page(&admin, "/contacts?custom.channel=tg").await;
    assert!(
        list.text.contains("Телеграм") && list.text.contains("Орлова"),
        "{}",
        list.text
    );
    let filtered = t.page(&admin, "/contacts?custom.channel=mail").await;
    assert!(!filtered.text.contains("Орлова"), "{}", filtered.text);
    // Clearing a custom field in the form removes it.
    let version = t
        .get(&format!("/api/v1/contacts/{first_id}"), &token)
        .await
        .json["version"]
        .as_i64()
        .unwrap_or_default()
        .to_string();
    let cleared = t
        .form(
            &admin,
            &format!("/contacts/{first_id}/edit"),
            &[
                ("last_name", "Орлова"),
                ("emails", "orlova@x.ru"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.text);
    let after = t.get(&format!("/api/v1/contacts/{first_id}"), &token).await;
    assert_eq!(after.json["custom"], json!({}), "{}", after.text);
    // Delete, find it in the trash, restore it.
    let version = after.json["version"]
        .as_i64()
        .unwrap_or_default()
        .to_string();
    let deleted = t
        .form(
            &admin,
            &format!("/contacts/{first_id}/delete"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(location(&deleted), "/trash");
    let trash = t.page(&admin, "/trash").await;
    assert!(
        trash
            .text
            .contains(&format!("/contacts/{first_id}/restore")),
        "{}",
        trash.text
    );
    let gone = t.get(&format!("/api/v1/contacts/{first_id}"), &token).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let version = (after.json["version"].as_i64().unwrap_or_default() + 1).to_string();
    let restored = t
        .form(
            &admin,
            &format!("/contacts/{first_id}/restore"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(location(&restored), first);
    let back = t.get(&format!("/api/v1/contacts/{first_id}"), &token).await;
    assert_eq!(back.status, StatusCode::OK);
    t.finish().await;
}

#[tokio::test]
async fn a_user_creates_uses_and_revokes_their_own_api_token_in_the_ui() {
    let t = TestApp::spawn().await;
    t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let rep = t.session("rep@x.ru").await;
    let none_chosen = t
        .form(&rep, "/tokens", &[("name", "1C"), ("expires_days", "30")])
        .await;
    assert!(
        none_chosen
            .text
            .contains("Выберите хотя бы одно разрешение."),
        "{}",
        none_chosen.text
    );
    let created = t
        .form(
            &rep,
            "/tokens",
            &[
                ("name", "1C"),
                ("scopes", "accounts:read"),
                ("expires_days", "30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let secret = created
        .text
        .split("<code id=\"new-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_string();
    assert!(secret.starts_with("karta_"), "{}", created.text);
    // Shown once: the page afterwards lists the token without its secret.
    let listed = t.page(&rep, "/tokens").await;
    assert!(listed.text.contains("1C") && !listed.text.contains(&secret));
    assert_eq!(
        t.get("/api/v1/accounts", &secret).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.get("/api/v1/contacts", &secret).await.status,
        StatusCode::FORBIDDEN
    );
    // The row of this token (the test kit made the user another one).
    let id = listed
        .text
        .split("<td>1C</td>")
        .nth(1)
        .and_then(|row| row.split("action=\"/tokens/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    let revoked = t.form(&rep, &format!("/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get("/api/v1/accounts", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    t.finish().await;
}

/// The pages offer a read-only user no action that would end on a 403:
/// no edit, trash, new, log, move, lines or import forms and no draggable
/// board cards; the head of sales sees every one of them on the same
/// pages (F7).
#[tokio::test]
async fn a_read_only_user_is_offered_no_action_he_may_not_take() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    t.user("viewer@x.ru", "read_only", None).await;
    let made = t.post("/api/v1/pipelines", &head, json!({"name": "Продажи", "stages": [{"name": "КП", "probability": 50}, {"name": "Выиграна", "kind": "won"}, {"name": "Проиграна", "kind": "lost"}]})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let account = karta_testkit::id(
        &t.post("/api/v1/accounts", &head, json!({"name": "ООО Заря"}))
            .await,
    );
    let deal = karta_testkit::id(
        &t.post(
            "/api/v1/deals",
            &head,
            json!({"title": "Станки", "account_id": account}),
        )
        .await,
    );
    let actions: Vec<(String, Vec<String>)> = vec![
        (
            format!("/accounts/{account}"),
            vec![
                format!("/accounts/{account}/edit"),
                format!("/accounts/{account}/delete"),
                format!("/contacts/new?account={account}"),
                format!("/deals/new?account={account}"),
                "action=\"/activities\"".into(),
            ],
        ),
        (
            format!("/deals/{deal}"),
            vec![
                format!("/deals/{deal}/edit"),
                format!("/deals/{deal}/delete"),
                format!("/deals/{deal}/move"),
                format!("/deals/{deal}/lines"),
                "action=\"/activities\"".into(),
            ],
        ),
        ("/accounts".into(), vec!["href=\"/accounts/new\"".into()]),
        (
            "/deals/board".into(),
            vec!["draggable=\"true\"".into(), "href=\"/deals/new\"".into()],
        ),
        ("/imports".into(), vec!["id=\"upload\"".into()]),
    ];
    let viewer = t.session("viewer@x.ru").await;
    let head = t.session("head@x.ru").await;
    for (path, offered) in &actions {
        let seen = t.page(&viewer, path).await;
        assert_eq!(seen.status, StatusCode::OK, "{path}");
        let theirs = t.page(&head, path).await;
        for action in offered {
            assert!(
                !seen.text.contains(action.as_str()),
                "viewer offered {action} on {path}"
            );
            assert!(
                theirs.text.contains(action.as_str()),
                "head not offered {action} on {path}"
            );
        }
    }
    t.finish().await;
}

/// An unknown address shows a signed-in person the "not found" page (not
/// an empty body), the tab has an icon, and pages travel compressed.
#[tokio::test]
async fn unknown_pages_explain_themselves_and_pages_are_compressed() {
    let t = TestApp::spawn().await;
    t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let b = t.session("rep@x.ru").await;
    let html = [("cookie", b.cookie.as_str()), ("accept", "text/html")];
    let missing = t
        .call(axum::http::Method::GET, "/no/such/page", None, None, &html)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("Не найдено"), "{}", missing.text);
    let api = t
        .call(axum::http::Method::GET, "/api/v1/nothing", None, None, &[])
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json["code"], "not_found");

    let today = t.page(&b, "/today").await;
    assert!(
        today
            .text
            .contains("rel=\"icon\" href=\"/static/icon.svg\"")
    );
    let icon = t
        .call(axum::http::Method::GET, "/static/icon.svg", None, None, &[])
        .await;
    assert_eq!(icon.headers["content-type"], "image/svg+xml");
    assert!(icon.text.starts_with("<svg"));

    let gzip = [("cookie", b.cookie.as_str()), ("accept-encoding", "gzip")];
    let packed = t
        .call(axum::http::Method::GET, "/today", None, None, &gzip)
        .await;
    assert_eq!(packed.headers["content-encoding"], "gzip");
    assert_eq!(&packed.bytes[..2], [0x1f, 0x8b], "a gzip stream");
    assert!(packed.bytes.len() < today.bytes.len());
    t.finish().await;
}

/// Settings name classifier lists, field types and record kinds in the
/// user's language, not by their codes, and sign-ins carry their instant.
#[tokio::test]
async fn settings_show_names_not_codes() {
    let t = TestApp::spawn().await;
    t.user("admin@x.ru", "admin", None).await;
    let admin = t.session("admin@x.ru").await;
    let page = t.page(&admin, "/admin").await;
    for name in [
        "Типы дел",
        "Причины проигрыша",
        "Один из списка",
        "Контрагенты",
    ] {
        assert!(page.text.contains(name), "{name}");
    }
    for code in [">activity_type<", ">one_of<", ">accounts<", ">loss_reason<"] {
        assert!(!page.text.contains(code), "{code} on screen");
    }
    assert!(
        page.text
            .contains("<td><time datetime=\"2026-01-15T09:00:00"),
        "{}",
        page.text
    );
    t.finish().await;
}
