//! "Today", the calendar page, reminders over Server-Sent Events, the lead
//! pages (card, convert), the routing page and the control page, through
//! the real router on SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures::StreamExt;
use karta_app::jobs::Kind;
use karta_testkit::TestApp;
use serde_json::json;
use tower::ServiceExt;

const DAY: i64 = 86_400_000_000;

/// The first event of the reminder stream (the stream itself never ends).
async fn first_reminders(t: &TestApp, cookie: &str) -> String {
    let req = Request::get("/events")
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    let response = t
        .router
        .clone()
        .oneshot(req)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/event-stream")
    );
    let mut body = response.into_body().into_data_stream();
    let mut text = String::new();
    // The first poll answers at once; later ones wait, so stop when the
    // batch is in (or after one keep-alive-free read came back empty).
    while let Ok(Some(Ok(chunk))) =
        tokio::time::timeout(std::time::Duration::from_millis(500), body.next()).await
    {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

#[tokio::test]
async fn today_shows_overdue_and_todays_work_and_reminders_arrive_once() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b_token = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Ромашка"}))
        .await;
    let account_id = account.json["id"].as_str().unwrap_or_default().to_string();
    // START is 2026-01-15 12:00 in Moscow.
    t.post(
        "/api/v1/tasks",
        &a,
        json!({"title": "Вчерашний звонок", "due_at": "2026-01-14T15:00:00+03:00"}),
    )
    .await;
    t.post(
        "/api/v1/tasks",
        &a,
        json!({"title": "Отправить КП", "due_at": "2026-01-15T16:00:00+03:00",
               "remind_at": "2026-01-15T11:55:00+03:00", "account_id": account_id}),
    )
    .await;
    t.post(
        "/api/v1/tasks",
        &a,
        json!({"title": "Завтрашнее дело", "due_at": "2026-01-16T10:00:00+03:00",
               "remind_at": "2026-01-16T09:00:00+03:00"}),
    )
    .await;
    t.post(
        "/api/v1/activities",
        &a,
        json!({"kind": "meeting", "subject": "Встреча с закупщиком", "account_id": account_id,
               "started_at": "2026-01-15T14:00:00+03:00"}),
    )
    .await;
    t.post(
        "/api/v1/tasks",
        &b_token,
        json!({"title": "Чужая задача", "due_at": "2026-01-15T16:00:00+03:00",
               "remind_at": "2026-01-15T11:00:00+03:00"}),
    )
    .await;

    let browser = t.session("a@x.ru").await;
    let home = t.page(&browser, "/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.headers["location"], "/today");
    let today = t.page(&browser, "/today").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.text);
    let section = |id: &str| {
        today
            .text
            .split(&format!("id=\"{id}\""))
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or_default()
            .to_string()
    };
    assert!(section("overdue").contains("Вчерашний звонок"));
    assert!(section("overdue").contains("Просрочена"));
    assert!(section("today-tasks").contains("Отправить КП"));
    // F22: a task line names the account it is about.
    assert!(
        section("today-tasks").contains("· ООО Ромашка"),
        "{}",
        section("today-tasks")
    );
    assert!(!today.text.contains("Завтрашнее дело"));
    assert!(!today.text.contains("Чужая задача"));
    assert!(section("today-meetings").contains("Встреча с закупщиком"));

    // Reminders are sent by the job runner, not by the page: none before
    // the reminder job has run. Run twice, as two processes might, it
    // sends each once.
    let before = first_reminders(&t, &browser.cookie).await;
    assert!(!before.contains("Отправить КП"), "{before}");
    t.run_job(Kind::Reminders).await;
    t.run_job(Kind::Reminders).await;
    let events = first_reminders(&t, &browser.cookie).await;
    assert!(events.contains("event: reminder"), "{events}");
    assert!(events.contains("Отправить КП"), "{events}");
    assert!(!events.contains("Завтрашнее"), "{events}");
    assert!(!events.contains("Чужая"), "{events}");
    let again = first_reminders(&t, &browser.cookie).await;
    assert!(!again.contains("Отправить КП"), "reminded once: {again}");
    t.clock.advance(DAY);
    // A new day, a new sign-in (sessions end after hours idle).
    let browser = t.session("a@x.ru").await;
    t.run_job(Kind::Reminders).await;
    let tomorrow = first_reminders(&t, &browser.cookie).await;
    assert!(tomorrow.contains("Завтрашнее дело"), "{tomorrow}");

    // A quick task from the page, then done.
    let added = t
        .form(
            &browser,
            "/tasks",
            &[
                ("title", "Позвонить Ивану"),
                ("due_at", "2026-01-16T17:30"),
                ("back", "/today"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let listed = t.get("/api/v1/tasks?status=open", &a).await;
    let task = listed.json["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["title"] == "Позвонить Ивану")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(task["due_at"], "2026-01-16T14:30:00Z");
    let missing = t
        .form(
            &browser,
            "/tasks",
            &[("title", "Без срока"), ("back", "/today")],
        )
        .await;
    assert_eq!(missing.headers["location"], "/today?error=required");
    let done = t
        .form(
            &browser,
            &format!("/tasks/{}/status", task["id"].as_str().unwrap_or_default()),
            &[("version", "1"), ("status", "done"), ("back", "/today")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after = t
        .get(
            &format!("/api/v1/tasks/{}", task["id"].as_str().unwrap_or_default()),
            &a,
        )
        .await;
    assert_eq!(after.json["status"], "done");

    // The calendar shows the week, mine or my team's.
    let week = t
        .page(&browser, "/calendar?view=week&date=2026-01-15")
        .await;
    assert_eq!(week.status, StatusCode::OK);
    assert!(week.text.contains("Отправить КП") && week.text.contains("Встреча с закупщиком"));
    assert!(!week.text.contains("Чужая задача"));
    let month = t
        .page(&browser, "/calendar?view=month&date=2026-01-15&whose=team")
        .await;
    assert_eq!(month.text.matches("<section class=\"day").count(), 31);
    // A calendar: weekdays over the columns, 1 January 2026 (a Thursday)
    // in the fourth, days as dd.mm.yyyy.
    assert!(month.text.contains("<div class=\"weekday\">Пн</div>"));
    assert_eq!(month.text.matches("class=\"day blank\"").count(), 3);
    assert!(
        month.text.contains("aria-label=\"Четверг 01.01.2026\""),
        "{}",
        month.text
    );
    let feed = t.form(&browser, "/calendar/feed", &[]).await;
    assert!(feed.text.contains("/calendar/"), "{}", feed.text);
    t.finish().await;
}

#[tokio::test]
async fn a_lead_is_worked_converted_and_routed_from_the_pages() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    t.user("a@x.ru", "sales_rep", Some("A")).await;
    let a_id = karta_db::users::user_by_email(t.app.db.conn(), "a@x.ru")
        .await
        .ok()
        .flatten()
        .map(|u| u.id.to_string())
        .unwrap_or_default();
    let pipeline = t
        .post(
            "/api/v1/pipelines",
            &head,
            json!({"name": "Продажи", "stages": [{"name": "Новая", "probability": 10},
                {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
                {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}]}),
        )
        .await;
    assert_eq!(pipeline.status, StatusCode::CREATED, "{}", pipeline.text);
    let boss = t.session("head@x.ru").await;
    let rule = t
        .form(
            &boss,
            "/routing",
            &[
                ("name", "Всё Анне"),
                ("target", &format!("user:{a_id}")),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(rule.headers["location"], "/routing");
    // Edited in place at the version shown; a stale form changes nothing.
    let rules = t.get("/api/v1/routing-rules", &head).await;
    let made = &rules.json["items"][0];
    let edit = format!("/routing/{}", made["id"].as_str().unwrap_or_default());
    let version = made["version"].to_string();
    let target = format!("user:{a_id}");
    let rename = |name: &'static str| {
        [
            ("name", name),
            ("target", target.as_str()),
            ("active", "1"),
            ("version", version.as_str()),
        ]
    };
    let saved = t.form(&boss, &edit, &rename("Всё — Анне")).await;
    assert_eq!(saved.headers["location"], "/routing");
    let refused = t.form(&boss, &edit, &rename("Никому")).await;
    assert_ne!(refused.headers["location"], "/routing");
    let shown = t
        .page(
            &boss,
            refused.headers["location"].to_str().unwrap_or_default(),
        )
        .await;
    assert!(!shown.text.contains("Никому"));
    let no_name = t
        .form(&boss, "/routing", &[("target", &format!("user:{a_id}"))])
        .await;
    assert_eq!(no_name.headers["location"], "/routing?error=required");
    let routing = t.page(&boss, "/routing").await;
    assert!(routing.text.contains("Всё — Анне"));

    let snippet = t.page(&boss, "/leads/form").await;
    assert!(snippet.text.contains("/forms/lead"));
    assert!(
        snippet.text.contains("name=&#34;website&#34;")
            || snippet.text.contains("name=\"website\"")
    );
    t.call(
        axum::http::Method::POST,
        "/forms/lead",
        None,
        Some(json!({"name": "Ольга", "company": "ООО Лютик", "email": "olga@lutik.ru", "consent": true})),
        &[],
    )
    .await;

    let rep = t.session("a@x.ru").await;
    let list = t.page(&rep, "/leads").await;
    assert!(list.text.contains("Ольга"), "{}", list.text);
    let lead_id = list
        .text
        .split("href=\"/leads/")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.len() == 36)
        .unwrap_or_default()
        .to_string();
    let card = t.page(&rep, &format!("/leads/{lead_id}")).await;
    assert!(
        card.text.contains("Всё — Анне"),
        "routing shown: {}",
        card.text
    );
    let logged = t
        .form(
            &rep,
            "/activities",
            &[
                ("lead_id", &lead_id),
                ("kind", "call"),
                ("outcome", "Интересуются"),
                ("next_title", "Перезвонить Ольге"),
                ("next_due_at", "2026-01-16T10:00"),
            ],
        )
        .await;
    assert_eq!(
        logged.headers["location"],
        format!("/leads/{lead_id}?done=logged#timeline").as_str()
    );
    let card = t.page(&rep, &format!("/leads/{lead_id}?done=logged")).await;
    assert!(card.text.contains("Записано."), "{}", card.text);
    assert!(card.text.contains("Интересуются") && card.text.contains("Перезвонить Ольге"));
    let refused = t
        .form(
            &rep,
            &format!("/leads/{lead_id}/status"),
            &[("version", "1"), ("status", "disqualified")],
        )
        .await;
    assert_eq!(
        refused.headers["location"],
        format!("/leads/{lead_id}?error=disqualify_reason_required").as_str()
    );
    let converted = t
        .form(
            &rep,
            &format!("/leads/{lead_id}/convert"),
            &[
                ("version", "1"),
                ("create_deal", "on"),
                ("amount", "250 000"),
            ],
        )
        .await;
    let location = converted.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        location.starts_with("/deals/"),
        "{location} {}",
        converted.text
    );
    let deal = t.page(&rep, &location).await;
    assert!(deal.text.contains("ООО Лютик"), "{}", deal.text);

    let control = t.page(&boss, "/control").await;
    assert_eq!(control.status, StatusCode::OK);
    assert!(
        control.text.contains("a</th>") || control.text.contains(">a<"),
        "{}",
        control.text
    );
    // The figures that ask for action come first, in one table; the deal
    // counts open the deals behind them.
    for table in ["control-summary", "control-stages", "control-activities"] {
        assert!(control.text.contains(table), "{table}");
    }
    let links: Vec<String> = control
        .text
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
        .filter(|h| h.starts_with("/deals?owner_id=") && h.ends_with("status=open"))
        .collect();
    assert!(!links.is_empty(), "{}", control.text);
    let mut found = false;
    for link in &links {
        found |= t.page(&boss, link).await.text.contains("ООО Лютик");
    }
    assert!(found, "the converted deal behind a count: {links:?}");
    assert_eq!(t.page(&rep, "/control").await.status, StatusCode::FORBIDDEN);
    t.finish().await;
}

#[tokio::test]
async fn a_user_in_another_time_zone_gets_their_own_today() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep = t.user("ny@x.ru", "sales_rep", Some("A")).await;
    // START is 2026-01-15 09:00 UTC: noon in Moscow, 04:00 in New York.
    // 23:00 UTC is tomorrow night in Moscow, but still today in New York.
    let task = t
        .post(
            "/api/v1/tasks",
            &rep,
            json!({"title": "Созвон с Нью-Йорком", "due_at": "2026-01-15T23:00:00Z"}),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.text);
    let browser = t.session("ny@x.ru").await;
    assert!(
        !t.page(&browser, "/today")
            .await
            .text
            .contains("Созвон с Нью-Йорком"),
        "on the company's (Moscow) clock the task is tomorrow's"
    );
    let users = t.get("/api/v1/users", &admin).await;
    let user = users.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == "ny@x.ru")
        .cloned()
        .unwrap_or_default();
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap_or_default());
    let refused = t
        .patch(&path, &admin, None, json!({"utc_offset": "+15:00"}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json["errors"][0]["field"], "utc_offset");
    assert_eq!(refused.json["errors"][0]["code"], "invalid_utc_offset");
    let moved = t
        .patch(&path, &admin, None, json!({"utc_offset": "-05:00"}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.json["utc_offset"], "-05:00");
    let today = t.page(&browser, "/today").await;
    assert!(today.text.contains("Созвон с Нью-Йорком"), "{}", today.text);
    // Back on the company's clock.
    let back = t
        .patch(&path, &admin, None, json!({"utc_offset": null}))
        .await;
    assert_eq!(back.json["utc_offset"], json!(null));
    t.finish().await;
}

/// Tasks planned on the pages remind: the quick add on Today, the next
/// contact of the log form and a lead's task each carry the reminder their
/// select chose (15 minutes before unless changed), and the reminder job
/// brings it live (F2).
#[tokio::test]
async fn tasks_planned_on_the_pages_remind_their_owner() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("Москва")).await;
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Заря"}))
        .await;
    let account = karta_testkit::id(&account);
    let browser = t.session("a@x.ru").await;
    // The clock stands at 12:00 in Moscow; due in ten minutes, reminded at once.
    let quick = t
        .form(
            &browser,
            "/tasks",
            &[
                ("title", "Перезвонить Заре"),
                ("due_at", "2026-01-15T12:10"),
                ("remind", "15"),
                ("back", "/today"),
            ],
        )
        .await;
    assert_eq!(quick.status, StatusCode::SEE_OTHER, "{}", quick.text);
    let logged = t
        .form(
            &browser,
            "/activities",
            &[
                ("account_id", &account),
                ("kind", "call"),
                ("subject", "Обсудили договор"),
                ("next_title", "Отправить договор"),
                ("next_due_at", "2026-01-15T14:00"),
                ("next_remind", "60"),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.text);
    let quiet = t
        .form(
            &browser,
            "/tasks",
            &[
                ("title", "Без напоминания"),
                ("due_at", "2026-01-15T12:20"),
                ("remind", ""),
                ("back", "/today"),
            ],
        )
        .await;
    assert_eq!(quiet.status, StatusCode::SEE_OTHER);
    let tasks = t.get("/api/v1/tasks?status=open", &a).await;
    let remind_at = |title: &str| {
        tasks.json["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["title"] == title))
            .map(|i| i["remind_at"].clone())
            .unwrap_or_default()
    };
    assert_eq!(
        remind_at("Перезвонить Заре"),
        "2026-01-15T08:55:00Z",
        "{}",
        tasks.text
    );
    assert_eq!(remind_at("Отправить договор"), "2026-01-15T10:00:00Z");
    assert!(remind_at("Без напоминания").is_null());

    t.run_job(Kind::Reminders).await;
    let now = first_reminders(&t, &browser.cookie).await;
    assert!(now.contains("Перезвонить Заре"), "{now}");
    assert!(!now.contains("Отправить договор"), "{now}");
    t.clock.advance(DAY / 24);
    t.run_job(Kind::Reminders).await;
    let later = first_reminders(&t, &browser.cookie).await;
    assert!(later.contains("Отправить договор"), "{later}");
    assert!(!later.contains("Без напоминания"), "{later}");
    // The pages offer the choice, 15 minutes before chosen.
    let today = t.page(&browser, "/today").await;
    assert!(
        today.text.contains("name=\"remind\"")
            && today.text.contains("<option value=\"15\" selected>")
    );
    let card = t.page(&browser, &format!("/accounts/{account}")).await;
    assert!(card.text.contains("name=\"next_remind\""));
    t.finish().await;
}

/// Logging a call on the client card: an empty press records nothing and
/// says what is missing; a next contact without a date names the field
/// and gives back everything typed; a save says so, and the planned next
/// contact shows on the card (F9).
#[tokio::test]
async fn logging_a_call_on_the_card_keeps_what_was_typed_and_shows_the_plan() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("Москва")).await;
    let account = karta_testkit::id(
        &t.post("/api/v1/accounts", &a, json!({"name": "ООО Заря"}))
            .await,
    );
    let browser = t.session("a@x.ru").await;
    let activities = || async {
        let list = t
            .get(&format!("/api/v1/activities?account_id={account}"), &a)
            .await;
        list.json["items"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default()
    };

    let empty = t
        .form(
            &browser,
            "/activities",
            &[("account_id", &account), ("kind", "call")],
        )
        .await;
    let back = empty.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(activities().await, 0, "an empty press records nothing");
    let card = t.page(&browser, &back).await;
    assert!(
        card.text.contains("Тема: Обязательное поле."),
        "{back}: {}",
        card.text
    );

    let undated = t
        .form(
            &browser,
            "/activities",
            &[
                ("account_id", &account),
                ("kind", "call"),
                ("direction", "outgoing"),
                ("subject", "Обсудили договор"),
                ("outcome", "Ждут проект"),
                ("next_title", "Отправить проект договора"),
                ("next_due_at", ""),
            ],
        )
        .await;
    let back = undated.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(activities().await, 0);
    let card = t.page(&browser, &back).await;
    assert!(
        card.text
            .contains("Следующий контакт · Срок: Обязательное поле."),
        "{back}"
    );
    for kept in [
        "value=\"Обсудили договор\"",
        "value=\"Ждут проект\"",
        "value=\"Отправить проект договора\"",
        "value=\"outgoing\" selected",
    ] {
        assert!(card.text.contains(kept), "{kept} lost: {back}");
    }

    let saved = t
        .form(
            &browser,
            "/activities",
            &[
                ("account_id", &account),
                ("kind", "call"),
                ("subject", "Обсудили договор"),
                ("next_title", "Отправить проект договора"),
                ("next_due_at", "2026-01-16T10:00"),
                ("next_remind", "15"),
            ],
        )
        .await;
    let back = saved.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(activities().await, 1);
    let card = t.page(&browser, &back).await;
    assert!(card.text.contains("Записано."), "{back}");
    let planned = card.text.split("Запланировано").nth(1).unwrap_or_default();
    assert!(
        planned.contains("Отправить проект договора"),
        "the next contact is on the card"
    );
    t.finish().await;
}

/// A head of sales who leads every team opens "Today" and sees the reps'
/// day beside their own: others' overdue and today's tasks and meetings,
/// each naming whose it is; the team calendar answers for them too. A rep
/// sees no team block (F6).
#[tokio::test]
async fn a_head_of_sales_sees_the_teams_day_on_today() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let ivan = t.user("ivan@x.ru", "sales_rep", Some("Москва")).await;
    let olga = t.user("olga@x.ru", "sales_rep", Some("Казань")).await;
    for (token, title, due) in [
        (&ivan, "Просроченный звонок", "2026-01-13T10:00:00+03:00"),
        (&ivan, "Отправить счёт", "2026-01-15T17:00:00+03:00"),
        (&olga, "Завтрашний звонок", "2026-01-16T10:00:00+03:00"),
        (&head, "Собственная задача", "2026-01-15T18:00:00+03:00"),
    ] {
        let made = t
            .post(
                "/api/v1/tasks",
                token,
                json!({"title": title, "due_at": due}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    let account = karta_testkit::id(
        &t.post("/api/v1/accounts", &olga, json!({"name": "ООО Казань"}))
            .await,
    );
    let linked = t
        .post(
            "/api/v1/tasks",
            &olga,
            json!({"title": "Подготовить договор", "due_at": "2026-01-15T16:00:00+03:00",
                   "account_id": account}),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    let meeting = t
        .post(
            "/api/v1/activities",
            &olga,
            json!({"kind": "meeting", "subject": "Встреча в Казани", "account_id": account,
                   "started_at": "2026-01-15T15:00:00+03:00"}),
        )
        .await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{}", meeting.text);

    let browser = t.session("head@x.ru").await;
    let today = t.page(&browser, "/today").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.text);
    // One block, in the page's body (not in its <title>).
    assert_eq!(today.text.matches("id=\"team-day\"").count(), 1);
    assert!(today.text.contains("<title>Сегодня ·"), "{}", today.text);
    let team = today
        .text
        .split("id=\"team-day\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_else(|| panic!("no team block: {}", today.text));
    assert!(
        team.contains("Просроченный звонок") && team.contains("· ivan"),
        "{team}"
    );
    assert!(team.contains("Отправить счёт"), "{team}");
    assert!(
        team.contains("Подготовить договор") && team.contains("· ООО Казань"),
        "the task names its account: {team}"
    );
    assert!(
        team.contains("Встреча в Казани") && team.contains("· olga"),
        "{team}"
    );
    assert!(!team.contains("Завтрашний звонок"), "tomorrow is not today");
    assert!(
        !team.contains("Собственная задача"),
        "own work is in its own block"
    );
    assert!(team.contains("href=\"/control\""));

    let calendar = t.page(&browser, "/calendar?view=day&whose=team").await;
    assert_eq!(calendar.status, StatusCode::OK, "{}", calendar.text);
    assert!(calendar.text.contains("Отправить счёт") && calendar.text.contains("Встреча в Казани"));

    let rep = t.session("ivan@x.ru").await;
    let own = t.page(&rep, "/today").await;
    assert!(!own.text.contains("id=\"team-day\""));
    assert!(!own.text.contains("Встреча в Казани"));
}
