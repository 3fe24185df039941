//! Leads from the public form, routing, conversion, tasks with the next
//! contact, and the iCalendar feed, through the real router on SQLite and
//! (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};
use std::collections::HashMap;

const MINUTE: i64 = 60_000_000;
const DAY: i64 = 86_400_000_000;

async fn user_id(t: &TestApp, email: &str) -> String {
    karta_db::users::user_by_email(t.app.db.conn(), email)
        .await
        .ok()
        .flatten()
        .map(|u| u.id.to_string())
        .unwrap_or_default()
}

async fn team_id(t: &TestApp, name: &str) -> String {
    karta_db::users::team_by_name(t.app.db.conn(), name)
        .await
        .ok()
        .flatten()
        .map(|u| u.id.to_string())
        .unwrap_or_default()
}

async fn classifier(t: &TestApp, admin: &str, kind: &str, code: &str) {
    let made = t
        .post(
            "/api/v1/classifiers",
            admin,
            json!({"kind": kind, "code": code, "label_ru": code, "label_en": code}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
}

async fn form_json(t: &TestApp, body: Value) -> Answer {
    t.call(Method::POST, "/forms/lead", None, Some(body), &[])
        .await
}

/// Every lead the head of sales sees.
async fn all_leads(t: &TestApp, head: &str) -> Vec<Value> {
    let list = t.get("/api/v1/leads?limit=200", head).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    list.json["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn form_leads_are_routed_by_region_round_robin_and_interest_and_never_lost() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    for rep in ["u1@x.ru", "u2@x.ru", "u3@x.ru"] {
        t.user(rep, "sales_rep", Some("Урал")).await;
    }
    let machines = t.user("m@x.ru", "sales_rep", Some("Москва")).await;
    classifier(&t, &admin, "region", "ural").await;
    let ural = team_id(&t, "Урал").await;
    let m_id = user_id(&t, "m@x.ru").await;

    let refused = t
        .post(
            "/api/v1/routing-rules",
            &machines,
            json!({"name": "Мои", "target_user_id": m_id}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = t
        .post(
            "/api/v1/routing-rules",
            &head,
            json!({"name": "Двойная", "target_user_id": m_id, "target_team_id": ural}),
        )
        .await;
    assert_eq!(bad.json["errors"][0]["code"], "one_target_required");
    let region_rule = t
        .post(
            "/api/v1/routing-rules",
            &head,
            json!({"name": "Урал", "position": 1, "region": "ural", "target_team_id": ural}),
        )
        .await;
    assert_eq!(
        region_rule.status,
        StatusCode::CREATED,
        "{}",
        region_rule.text
    );
    let interest_rule = t
        .post(
            "/api/v1/routing-rules",
            &head,
            json!({"name": "Станки", "position": 2, "interest": "станк", "target_user_id": m_id}),
        )
        .await;
    assert_eq!(interest_rule.status, StatusCode::CREATED);

    // 30 leads from the Urals, 10 a minute (the per-address limit).
    for i in 0..30 {
        if i % 10 == 0 {
            t.clock.advance(MINUTE);
        }
        let sent = form_json(
            &t,
            json!({"name": format!("Клиент {i}"), "email": format!("c{i}@example.ru"),
                   "consent": true, "region": "ural"}),
        )
        .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    }
    let leads = all_leads(&t, &head).await;
    assert_eq!(leads.len(), 30);
    let mut per_rep: HashMap<String, usize> = HashMap::new();
    for l in &leads {
        assert_eq!(l["routing_rule_id"], region_rule.json["id"]);
        assert_eq!(l["routing"], "round_robin");
        assert_eq!(l["status"], "assigned");
        assert_eq!(l["channel"], "form");
        assert_eq!(l["team_id"].as_str(), Some(ural.as_str()));
        *per_rep
            .entry(l["owner_id"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_rep.len(), 3, "{per_rep:?}");
    assert!(per_rep.values().all(|n| *n == 10), "{per_rep:?}");

    t.clock.advance(MINUTE);
    let wants_machines = form_json(
        &t,
        json!({"name": "Пётр", "phone": "+7 912 000 11 22", "message": "Нужны станки с ЧПУ", "consent": "on"}),
    )
    .await;
    assert_eq!(wants_machines.status, StatusCode::CREATED);
    let nobody = form_json(
        &t,
        json!({"company": "ООО Вектор", "email": "v@example.ru", "consent": true}),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::CREATED);
    let leads = all_leads(&t, &head).await;
    assert_eq!(leads[1]["owner_id"].as_str(), Some(m_id.as_str()));
    assert_eq!(leads[1]["routing_rule_id"], interest_rule.json["id"]);
    assert_eq!(leads[0]["owner_id"], Value::Null, "{}", leads[0]);
    assert_eq!(leads[0]["routing"], "queue");
    assert_eq!(leads[0]["status"], "new");
    let queue = t.get("/api/v1/leads?unassigned=true", &head).await;
    assert_eq!(queue.json["items"].as_array().map(Vec::len), Some(1));
    // Reps never see the queue or another team's leads.
    let seen_by_m = t.get("/api/v1/leads", &machines).await;
    assert_eq!(seen_by_m.json["items"].as_array().map(Vec::len), Some(1));

    // A default person takes what no rule takes.
    let set = t
        .call(
            Method::PUT,
            "/api/v1/routing-rules/default",
            Some(&head),
            Some(json!({"user_id": m_id})),
            &[],
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    form_json(
        &t,
        json!({"name": "Анна", "email": "anna@example.ru", "consent": true}),
    )
    .await;
    let leads = all_leads(&t, &head).await;
    assert_eq!(leads[0]["owner_id"].as_str(), Some(m_id.as_str()));
    assert_eq!(leads[0]["routing"], "default");

    // Bulk redistribution by the head of sales.
    let queued = leads[1]["id"].clone();
    let moved = t
        .post(
            "/api/v1/leads/redistribute",
            &head,
            json!({"lead_ids": [queued], "owner_id": m_id}),
        )
        .await;
    assert_eq!(moved.json["moved"], 1, "{}", moved.text);
    let moved_by_rep = t
        .post(
            "/api/v1/leads/redistribute",
            &machines,
            json!({"lead_ids": [queued], "owner_id": m_id}),
        )
        .await;
    assert_eq!(moved_by_rep.status, StatusCode::FORBIDDEN);
    t.finish().await;
}

#[tokio::test]
async fn the_public_form_wants_consent_drops_robots_limits_each_address_and_takes_html_posts() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let no_consent = form_json(&t, json!({"name": "Ольга", "email": "o@example.ru"})).await;
    assert_eq!(no_consent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_consent.json["errors"][0]["code"], "consent_required");
    let no_contact = form_json(&t, json!({"name": "Ольга", "consent": true})).await;
    assert_eq!(no_contact.json["errors"][0]["code"], "contact_required");
    let robot = form_json(
        &t,
        json!({"name": "Bot", "email": "bot@example.ru", "consent": true, "website": "http://spam"}),
    )
    .await;
    assert_eq!(robot.status, StatusCode::CREATED, "robots are not told");
    assert!(all_leads(&t, &head).await.is_empty());

    let b = t.session("head@x.ru").await;
    let html = t
        .form_with(
            &b,
            "/forms/lead",
            &[
                ("name", "Ольга Смирнова"),
                ("company", "ООО Лютик"),
                ("email", "olga@lutik.ru"),
                ("message", "Перезвоните"),
                ("consent", "on"),
                ("website", ""),
            ],
            &[("accept-language", "ru")],
        )
        .await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.text);
    assert!(html.text.contains("Спасибо"), "{}", html.text);
    let leads = all_leads(&t, &head).await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["consent"], true);
    let stored = karta_db::leads::find(
        t.app.db.conn(),
        leads[0]["id"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap_or_default(),
        karta_db::visibility::Visibility::All,
        false,
    )
    .await
    .ok()
    .flatten()
    .unwrap_or_else(|| panic!("lead not stored"));
    assert_eq!(stored.created_by, None, "the anonymous caller owns nothing");

    for _ in 0..8 {
        form_json(
            &t,
            json!({"name": "Спам", "email": "s@example.ru", "consent": true}),
        )
        .await;
    }
    let throttled = form_json(
        &t,
        json!({"name": "Ещё", "email": "e@example.ru", "consent": true}),
    )
    .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    t.clock.advance(2 * MINUTE);
    let later = form_json(
        &t,
        json!({"name": "Ещё", "email": "e@example.ru", "consent": true}),
    )
    .await;
    assert_eq!(later.status, StatusCode::CREATED);
    t.finish().await;
}

/// A pipeline with one open stage.
async fn pipeline(t: &TestApp, head: &str) -> String {
    let p = t
        .post(
            "/api/v1/pipelines",
            head,
            json!({"name": "Продажи", "stages": [
                {"name": "Новая", "probability": 10},
                {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
                {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}
            ]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
    id(&p)
}

async fn convert(t: &TestApp, token: &str, lead: &Value, body: Value) -> Answer {
    let etag = format!("\"{}\"", lead["version"]);
    t.call(
        Method::POST,
        &format!(
            "/api/v1/leads/{}/convert",
            lead["id"].as_str().unwrap_or_default()
        ),
        Some(token),
        Some(body),
        &[("if-match", etag.as_str())],
    )
    .await
}

#[tokio::test]
async fn conversion_links_the_existing_account_keeps_source_and_campaign_and_refuses_hidden_duplicates()
 {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    classifier(&t, &admin, "lead_source", "exhibition").await;
    classifier(&t, &admin, "campaign", "expo2026").await;
    pipeline(&t, &head).await;
    let romashka = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Ромашка"}))
        .await;
    t.post("/api/v1/accounts", &b, json!({"name": "ООО Тайна"}))
        .await;

    let lead = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"person_name": "Иван Петров", "company_name": "ооо ромашка",
                   "email": "ivan@romashka.ru", "source": "exhibition", "campaign": "expo2026",
                   "interest": "Станок ЧПУ"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.text);
    assert_eq!(lead.json["channel"], "api");
    assert_eq!(
        lead.json["owner_id"].as_str(),
        Some(user_id(&t, "a@x.ru").await.as_str())
    );
    let qualify_by_hand = t
        .patch(
            &format!("/api/v1/leads/{}", id(&lead)),
            &a,
            lead.json["version"].as_i64(),
            json!({"status": "qualified"}),
        )
        .await;
    assert_eq!(
        qualify_by_hand.json["errors"][0]["code"],
        "convert_to_qualify"
    );

    let done = convert(&t, &a, &lead.json, json!({"amount_minor": 15_000_000})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.json["account_id"], romashka.json["id"]);
    assert_eq!(done.json["account_created"], false);
    assert_eq!(done.json["matched_by"], "name");
    assert_eq!(done.json["contact_created"], true);
    let deal = t
        .get(
            &format!(
                "/api/v1/deals/{}",
                done.json["deal_id"].as_str().unwrap_or_default()
            ),
            &a,
        )
        .await;
    assert_eq!(deal.json["source"], "exhibition");
    assert_eq!(deal.json["campaign"], "expo2026");
    assert_eq!(deal.json["title"], "Станок ЧПУ");
    assert_eq!(deal.json["account_id"], romashka.json["id"]);
    assert_eq!(deal.json["contact_ids"][0], done.json["contact_id"]);
    let after = t.get(&format!("/api/v1/leads/{}", id(&lead)), &a).await;
    assert_eq!(after.json["status"], "qualified");
    assert_eq!(after.json["deal_id"], done.json["deal_id"]);
    let accounts = t.get("/api/v1/accounts?q=ромашка", &head).await;
    assert_eq!(accounts.json["items"].as_array().map(Vec::len), Some(1));
    let again = convert(&t, &a, &after.json, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["code"], "already_converted");

    // Found by the contact's e-mail this time.
    let by_email = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"person_name": "Мария", "email": "IVAN@romashka.ru"}),
        )
        .await;
    let linked = convert(&t, &a, &by_email.json, json!({"create_deal": false})).await;
    assert_eq!(linked.json["matched_by"], "email", "{}", linked.text);
    assert_eq!(linked.json["contact_id"], done.json["contact_id"]);
    assert_eq!(linked.json["deal_id"], Value::Null);

    // Another team's account is not duplicated behind its back.
    let hidden = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"company_name": "ООО Тайна", "phone": "+7 900 000 00 01"}),
        )
        .await;
    let deals_before = t.get("/api/v1/deals", &head).await.json["items"]
        .as_array()
        .map(Vec::len);
    let refused = convert(&t, &a, &hidden.json, json!({})).await;
    assert_eq!(
        refused.json["errors"][0]["code"],
        "duplicate_account_hidden"
    );
    let deals_after = t.get("/api/v1/deals", &head).await.json["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(deals_before, deals_after);

    // A new company becomes a new account.
    let fresh = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"company_name": "ООО Новая", "person_name": "Олег", "phone": "+7 900 000 00 02"}),
        )
        .await;
    let created = convert(&t, &a, &fresh.json, json!({"inn": "7707083893"})).await;
    assert_eq!(created.json["account_created"], true, "{}", created.text);
    let account = t
        .get(
            &format!(
                "/api/v1/accounts/{}",
                created.json["account_id"].as_str().unwrap_or_default()
            ),
            &a,
        )
        .await;
    assert_eq!(account.json["name"], "ООО Новая");
    assert_eq!(account.json["inn"], "7707083893");

    let disqualify = t
        .patch(
            &format!("/api/v1/leads/{}", id(&hidden)),
            &a,
            hidden.json["version"].as_i64(),
            json!({"status": "disqualified"}),
        )
        .await;
    assert_eq!(
        disqualify.json["errors"][0]["code"],
        "disqualify_reason_required"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_logged_call_plans_the_next_contact_and_tasks_stay_within_the_team() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Ромашка"}))
        .await;
    let logged = t
        .post(
            "/api/v1/activities",
            &a,
            json!({"kind": "call", "direction": "outgoing", "account_id": id(&account),
                   "outcome": "Просят КП",
                   "next_contact": {"title": "Отправить КП", "due_at": "2026-01-16T10:00:00+03:00",
                                     "remind_at": "2026-01-16T09:45:00+03:00", "priority": "high"}}),
        )
        .await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    let task = &logged.json["next_task"];
    assert_eq!(task["account_id"], account.json["id"]);
    assert_eq!(task["overdue"], false);
    let task_id = task["id"].as_str().unwrap_or_default().to_string();

    let bad = t
        .post(
            "/api/v1/activities",
            &a,
            json!({"kind": "call", "account_id": id(&account), "next_contact": {"title": "Без срока"}}),
        )
        .await;
    assert_eq!(bad.json["errors"][0]["field"], "next_contact.due_at");
    let activities = t
        .get(
            &format!("/api/v1/activities?account_id={}", id(&account)),
            &a,
        )
        .await;
    assert_eq!(
        activities.json["items"].as_array().map(Vec::len),
        Some(1),
        "nothing saved"
    );

    t.clock.advance(2 * DAY);
    let overdue = t.get("/api/v1/tasks?overdue=true", &a).await;
    assert_eq!(overdue.json["items"][0]["id"], task_id.as_str());
    assert_eq!(overdue.json["items"][0]["overdue"], true);
    for path in [
        "/api/v1/tasks".to_string(),
        "/api/v1/tasks?overdue=true".to_string(),
        format!("/api/v1/tasks?account_id={}", id(&account)),
    ] {
        let seen = t.get(&path, &b).await;
        assert_eq!(
            seen.json["items"].as_array().map(Vec::len),
            Some(0),
            "{path}"
        );
    }
    assert_eq!(
        t.get(&format!("/api/v1/tasks/{task_id}"), &b).await.status,
        StatusCode::NOT_FOUND
    );
    let other = t
        .post(
            "/api/v1/tasks",
            &b,
            json!({"title": "Чужое", "due_at": "2026-01-20T10:00:00Z", "account_id": id(&account)}),
        )
        .await;
    assert_eq!(other.json["errors"][0]["code"], "unknown_account");

    let done = t
        .patch(
            &format!("/api/v1/tasks/{task_id}"),
            &a,
            Some(1),
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.json["overdue"], false);
    assert!(done.json["completed_at"].is_string());
    t.finish().await;
}

#[tokio::test]
async fn the_calendar_feed_parses_as_icalendar_holds_only_ones_own_work_and_can_be_revoked() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Ромашка"}))
        .await;
    t.post(
        "/api/v1/tasks",
        &a,
        json!({"title": "Позвонить; обсудить, скидку", "due_at": "2026-01-16T10:00:00+03:00"}),
    )
    .await;
    t.post(
        "/api/v1/activities",
        &a,
        json!({"kind": "meeting", "subject": "Встреча в офисе клиента", "account_id": id(&account),
               "started_at": "2026-01-17T12:00:00+03:00", "duration_minutes": 90}),
    )
    .await;
    t.post(
        "/api/v1/tasks",
        &b,
        json!({"title": "Чужая задача", "due_at": "2026-01-16T11:00:00+03:00"}),
    )
    .await;
    let enabled = t
        .call(
            Method::POST,
            "/api/v1/calendar-feed",
            Some(&a),
            None,
            &[("host", "crm.example.ru")],
        )
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text);
    let url = enabled.json["url"].as_str().unwrap_or_default().to_string();
    assert!(url.starts_with("http://crm.example.ru/calendar/"), "{url}");
    let path = url.trim_start_matches("http://crm.example.ru");
    let feed = t.call(Method::GET, path, None, None, &[]).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/calendar")
    );

    let calendar = ical::IcalParser::new(feed.text.as_bytes())
        .next()
        .unwrap_or_else(|| panic!("no calendar"))
        .unwrap_or_else(|e| panic!("{e}: {}", feed.text));
    let prop = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    let mut events: Vec<(String, String, String)> = calendar
        .events
        .iter()
        .map(|e| (prop(e, "SUMMARY"), prop(e, "DTSTART"), prop(e, "DTEND")))
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            (
                "Встреча в офисе клиента".to_string(),
                "20260117T090000Z".to_string(),
                "20260117T103000Z".to_string()
            ),
            (
                "Позвонить\\; обсудить\\, скидку".to_string(),
                "20260116T070000Z".to_string(),
                "20260116T071500Z".to_string()
            ),
        ]
    );

    let rotated = t
        .call(Method::POST, "/api/v1/calendar-feed", Some(&a), None, &[])
        .await;
    let old = t.call(Method::GET, path, None, None, &[]).await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    let new_path = rotated.json["url"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("http://localhost:8080")
        .to_string();
    assert_eq!(
        t.call(Method::GET, &new_path, None, None, &[]).await.status,
        StatusCode::OK
    );
    let revoked = t
        .call(Method::DELETE, "/api/v1/calendar-feed", Some(&a), None, &[])
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.call(Method::GET, &new_path, None, None, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    t.finish().await;
}

#[tokio::test]
async fn leads_and_deals_are_found_by_words_and_phones_within_visibility() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let viewer = t.user("ro@x.ru", "read_only", None).await;
    let lead = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"person_name": "Пётр Сидоров", "company_name": "ООО Стройинвест",
                   "phone": "+7 912 555-44-33", "interest": "фрезерные станки"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.text);
    let app = &t;
    let found = |token: &str, q: &str| {
        let path = format!("/api/v1/search?q={}", karta_web::ui::lists::urlencode(q));
        let token = token.to_string();
        async move { app.get(&path, &token).await.json }
    };
    // Words with morphology, the phone's digits; only within visibility.
    let by_word = found(&a, "стройинвеста").await;
    assert_eq!(by_word["leads"][0]["id"], lead.json["id"], "{by_word}");
    assert_eq!(
        found(&a, "фрезерных").await["leads"][0]["id"],
        lead.json["id"]
    );
    assert_eq!(
        found(&a, "5554433").await["leads"][0]["id"],
        lead.json["id"]
    );
    assert_eq!(found(&b, "стройинвест").await["leads"], json!([]));
    // A role without personal data finds the lead by name, not by phone,
    // and sees no phone in it.
    let named = found(&viewer, "сидоров").await;
    assert_eq!(named["leads"][0]["id"], lead.json["id"], "{named}");
    assert_eq!(named["leads"][0]["phone"], json!(null));
    assert_eq!(found(&viewer, "5554433").await["leads"], json!([]));
    // The lead list filters by the same words.
    let list = t.get("/api/v1/leads?q=сидоров", &a).await;
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(1));
    let none = t.get("/api/v1/leads?q=иванов", &a).await;
    assert_eq!(none.json["items"], json!([]));
    // Deals are found too, and shown on the search page.
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Вектор"}))
        .await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    pipeline(&t, &head).await;
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Поставка фрезеров", "account_id": id(&account)}),
        )
        .await;
    assert_eq!(deal.status, StatusCode::CREATED, "{}", deal.text);
    assert_eq!(
        found(&a, "фрезеров").await["deals"][0]["id"],
        deal.json["id"]
    );
    assert_eq!(found(&b, "фрезеров").await["deals"], json!([]));
    let browser = t.session("a@x.ru").await;
    let page = t
        .page(
            &browser,
            "/search?q=%D1%81%D1%82%D1%80%D0%BE%D0%B9%D0%B8%D0%BD%D0%B2%D0%B5%D1%81%D1%82",
        )
        .await;
    assert!(
        page.text.contains(&format!("/leads/{}", id(&lead))),
        "{}",
        page.text
    );
    let page = t
        .page(
            &browser,
            "/leads?q=%D1%81%D0%B8%D0%B4%D0%BE%D1%80%D0%BE%D0%B2",
        )
        .await;
    assert!(page.text.contains("Пётр Сидоров"));
    t.finish().await;
}

/// Makes every `event` (`INSERT`, `UPDATE`) on `table` fail inside the
/// database, as a full disk or a broken constraint would.
async fn inject_failure(t: &TestApp, event: &str, table: &str) {
    use sea_orm::ConnectionTrait;
    let conn = t.app.db.conn();
    let sql = match t.app.db.backend() {
        karta_db::Backend::Postgres => format!(
            "CREATE OR REPLACE FUNCTION karta_fail() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; \
             CREATE TRIGGER inject BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION karta_fail()"
        ),
        karta_db::Backend::Sqlite => format!(
            "CREATE TRIGGER inject BEFORE {event} ON {table} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        ),
    };
    conn.execute_unprepared(&sql)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn heal(t: &TestApp, table: &str) {
    use sea_orm::ConnectionTrait;
    let sql = match t.app.db.backend() {
        karta_db::Backend::Postgres => format!("DROP TRIGGER inject ON {table}"),
        karta_db::Backend::Sqlite => "DROP TRIGGER inject".to_string(),
    };
    t.app
        .db
        .conn()
        .execute_unprepared(&sql)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn rows(t: &TestApp, table: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = t.app.db.conn().get_database_backend();
    let row = t
        .app
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a count"));
    row.try_get::<i64>("", "n")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_conversion_that_fails_at_any_step_leaves_nothing_behind() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    pipeline(&t, &head).await;
    let lead = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"person_name": "Ольга Смирнова", "company_name": "ООО Вектор",
                   "email": "olga@vector.ru", "interest": "Пресс"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.text);
    let tables = [
        "accounts",
        "contacts",
        "contact_accounts",
        "deals",
        "deal_stays",
        "changes",
        "search_docs",
        "outbox",
    ];
    let before: Vec<i64> =
        futures::future::join_all(tables.iter().map(|table| rows(&t, table))).await;
    let steps = [
        ("INSERT", "accounts"),
        ("INSERT", "contacts"),
        ("INSERT", "contact_accounts"),
        ("INSERT", "deals"),
        ("INSERT", "deal_stays"),
        ("UPDATE", "leads"),
        // What the unit of work writes from the events, at commit.
        ("INSERT", "changes"),
        ("INSERT", "search_docs"),
        ("INSERT", "outbox"),
    ];
    for (event, table) in steps {
        inject_failure(&t, event, table).await;
        let failed = convert(&t, &a, &lead.json, json!({"amount_minor": 500_000})).await;
        heal(&t, table).await;
        assert_eq!(
            failed.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{table}: {}",
            failed.text
        );
        let after: Vec<i64> =
            futures::future::join_all(tables.iter().map(|table| rows(&t, table))).await;
        assert_eq!(
            after, before,
            "a failure at {event} {table} left rows behind"
        );
        let still = t.get(&format!("/api/v1/leads/{}", id(&lead)), &a).await;
        assert_eq!(still.json["converted_at"], Value::Null, "{table}");
        assert_eq!(still.json["version"], lead.json["version"], "{table}");
    }
    let done = convert(&t, &a, &lead.json, json!({"amount_minor": 500_000})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.json["account_created"], true);
    assert!(done.json["deal_id"].is_string() && done.json["contact_id"].is_string());
    t.finish().await;
}

/// Leads are handed over only to people who can work them, and only open
/// ones move: the page lists no read-only user or accountant and picks
/// nobody by default; a hand-over to one is refused and changes nothing;
/// a disqualified lead keeps its owner (F8). Any record's owner follows
/// the same rule.
#[tokio::test]
async fn leads_are_handed_over_only_to_people_who_can_work_them() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    t.user("rep@x.ru", "sales_rep", Some("A")).await;
    t.user("viewer@x.ru", "read_only", None).await;
    t.user("acc@x.ru", "accountant", None).await;
    classifier(&t, &admin, "disqualify_reason", "spam").await;
    let open = t
        .post(
            "/api/v1/leads",
            &head,
            json!({"person_name": "Открытый Лид", "phone": "+7 495 111-22-33"}),
        )
        .await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.text);
    let closed = t
        .post(
            "/api/v1/leads",
            &head,
            json!({"person_name": "Закрытый Лид", "phone": "+7 495 111-22-44"}),
        )
        .await;
    let closed = t
        .patch(
            &format!("/api/v1/leads/{}", id(&closed)),
            &head,
            closed.json["version"].as_i64(),
            json!({"status": "disqualified", "disqualify_reason": "spam"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    let (rep, viewer) = (
        user_id(&t, "rep@x.ru").await,
        user_id(&t, "viewer@x.ru").await,
    );

    let browser = t.session("head@x.ru").await;
    let page = t.page(&browser, "/leads").await;
    let picker = page
        .text
        .split("name=\"owner_id\"")
        .nth(1)
        .unwrap_or_default();
    let picker = picker.split("</select>").next().unwrap_or_default();
    assert!(
        picker.contains(&rep) && !picker.contains(&viewer),
        "{picker}"
    );
    assert!(!picker.contains(&user_id(&t, "acc@x.ru").await), "{picker}");
    assert!(
        picker.contains("<option value=\"\">"),
        "nobody is picked by default: {picker}"
    );

    let refused = t
        .form(
            &browser,
            "/leads/redistribute",
            &[("lead_id", &id(&open)), ("owner_id", &viewer)],
        )
        .await;
    let back = refused.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(back.contains("owner_cannot_work"), "{back}");
    let after = t.get(&format!("/api/v1/leads/{}", id(&open)), &head).await;
    assert_ne!(after.json["owner_id"], viewer.as_str());
    let api = t
        .post(
            "/api/v1/leads/redistribute",
            &head,
            json!({"lead_ids": [id(&open)], "owner_id": viewer}),
        )
        .await;
    assert_eq!(
        api.json["errors"][0]["code"], "owner_cannot_work",
        "{}",
        api.text
    );

    let moved = t
        .form(
            &browser,
            "/leads/redistribute",
            &[
                ("lead_id", &id(&open)),
                ("lead_id", &id(&closed)),
                ("owner_id", &rep),
            ],
        )
        .await;
    let back = moved.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(back, "/leads?moved=1");
    let kept = t
        .get(&format!("/api/v1/leads/{}", id(&closed)), &head)
        .await;
    assert_ne!(kept.json["owner_id"], rep.as_str(), "{}", kept.text);

    // An account given to a read-only user is refused the same way.
    let account = t
        .post(
            "/api/v1/accounts",
            &head,
            json!({"name": "ООО Заря", "owner_id": viewer}),
        )
        .await;
    assert_eq!(
        account.json["errors"][0]["code"], "owner_cannot_work",
        "{}",
        account.text
    );
    t.finish().await;
}
