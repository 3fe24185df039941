//! Pipelines, deals, stage history and the board, through the real router
//! on SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};

const DAY: i64 = 86_400_000_000;

fn version(a: &Answer) -> i64 {
    a.json["version"].as_i64().unwrap_or_default()
}

/// A pipeline: qualification (10 %, 7 days), proposal (50 %), won, lost.
async fn pipeline(t: &TestApp, head: &str) -> Value {
    let created = t
        .post(
            "/api/v1/pipelines",
            head,
            json!({"name": "Продажи", "stages": [
                {"name_ru": "Квалификация", "name_en": "Qualification", "probability": 10, "max_days": 7,
                 "checklist": ["Найти ЛПР"]},
                {"name": "КП", "probability": 50},
                {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
                {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}
            ]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.json
}

fn stage(p: &Value, i: usize) -> String {
    p["stages"][i]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Heads of sales and two reps in two teams; rep A has one account.
async fn sales_team(t: &TestApp) -> (String, String, String, String) {
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("Team A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("Team B")).await;
    let account = t
        .post(
            "/api/v1/accounts",
            &a,
            json!({"name": "ООО Ромашка", "types": ["customer"]}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text);
    (head, a, b, id(&account))
}

#[tokio::test]
async fn only_heads_of_sales_shape_pipelines_and_bad_ones_are_explained() {
    let t = TestApp::spawn().await;
    let (head, a, _, _) = sales_team(&t).await;
    let refused = t
        .post(
            "/api/v1/pipelines",
            &a,
            json!({"name": "Моя", "stages": []}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = t
        .post(
            "/api/v1/pipelines",
            &head,
            json!({"name": "Без финала", "stages": [{"name": "Первый"}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<&str> = bad.json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(codes, ["required", "terminal_stages_required"]);
    let p = pipeline(&t, &head).await;
    // Everyone reads pipelines, with the documented stage shape.
    let listed = t
        .call(
            Method::GET,
            "/api/v1/pipelines",
            Some(&a),
            None,
            &[("accept-language", "en")],
        )
        .await;
    let stages = &listed.json["items"][0]["stages"];
    assert_eq!(stages[0]["name"], "Qualification");
    assert_eq!(stages[0]["probability"], 10);
    assert_eq!(stages[2]["kind"], "won");
    assert_eq!(stages[3]["probability"], 0);
    assert_eq!(listed.json["items"][0]["id"], p["id"]);
    t.finish().await;
}

#[tokio::test]
async fn stage_moves_are_timed_and_a_lost_deal_needs_a_reason() {
    let t = TestApp::spawn().await;
    let (head, a, _, account) = sales_team(&t).await;
    let p = pipeline(&t, &head).await;
    let created = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Станки", "account_id": account, "amount_minor": 15_000_000}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    // Defaults: the first active pipeline's first stage and its probability.
    assert_eq!(created.json["stage_id"], p["stages"][0]["id"]);
    assert_eq!(created.json["pipeline_id"], p["id"]);
    assert_eq!(created.json["probability"], 10);
    assert_eq!(created.json["currency"], "RUB");
    let deal = id(&created);
    let path = format!("/api/v1/deals/{deal}");

    t.clock.advance(3 * DAY);
    let moved = t
        .patch(
            &path,
            &a,
            Some(version(&created)),
            json!({"stage_id": stage(&p, 1)}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.json["probability"], 50);

    // Lost without a reason: refused, nothing changes.
    t.clock.advance(DAY);
    let refused = t
        .patch(
            &path,
            &a,
            Some(version(&moved)),
            json!({"stage_id": stage(&p, 3)}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json["errors"][0]["field"], "loss_reason");
    assert_eq!(refused.json["errors"][0]["code"], "loss_reason_required");
    let unchanged = t.get(&path, &a).await;
    assert_eq!(unchanged.json["stage_id"], json!(stage(&p, 1)));
    assert_eq!(version(&unchanged), version(&moved));

    let lost = t
        .patch(
            &path,
            &a,
            Some(version(&moved)),
            json!({"stage_id": stage(&p, 3), "loss_reason": "price"}),
        )
        .await;
    // `price` is not a classifier value in this empty company.
    assert_eq!(lost.json["errors"][0]["code"], "unknown_classifier_value");
    let admin = t.user("admin@x.ru", "admin", None).await;
    let reason = t
        .post(
            "/api/v1/classifiers",
            &admin,
            json!({"kind": "loss_reason", "code": "price", "label_ru": "Цена", "label_en": "Price"}),
        )
        .await;
    assert_eq!(reason.status, StatusCode::CREATED, "{}", reason.text);
    let lost = t
        .patch(
            &path,
            &a,
            Some(version(&moved)),
            json!({"stage_id": stage(&p, 3), "loss_reason": "price"}),
        )
        .await;
    assert_eq!(lost.status, StatusCode::OK, "{}", lost.text);
    assert_eq!(lost.json["probability"], 0);
    assert!(lost.json["closed_at"].is_string());

    t.clock.advance(2 * DAY);
    let stays = t.get(&format!("{path}/stages"), &a).await;
    let seconds: Vec<i64> = stays.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["seconds"].as_i64())
        .collect();
    // 3 days in qualification, 1 in the proposal stage, 2 so far in lost.
    assert_eq!(seconds, [3 * 86_400, 86_400, 2 * 86_400]);
    let history = t.get(&format!("{path}/history"), &a).await;
    assert!(history.text.contains("loss_reason"), "{}", history.text);

    // Reopening forgets the reason; a hand-set probability holds until
    // the next stage change.
    let reopened = t
        .patch(
            &path,
            &a,
            Some(version(&lost)),
            json!({"stage_id": stage(&p, 0), "probability": 35}),
        )
        .await;
    assert_eq!(reopened.json["loss_reason"], Value::Null);
    assert_eq!(reopened.json["probability"], 35);
    assert_eq!(reopened.json["probability_manual"], true);
    assert!(reopened.json.get("closed_at").is_none());
    let next = t
        .patch(
            &path,
            &a,
            Some(version(&reopened)),
            json!({"stage_id": stage(&p, 1)}),
        )
        .await;
    assert_eq!(next.json["probability"], 50);
    assert_eq!(next.json["probability_manual"], false);
    t.finish().await;
}

#[tokio::test]
async fn entering_a_stage_hands_the_deal_to_its_responsible_person() {
    let t = TestApp::spawn().await;
    let (head, a, _, account) = sales_team(&t).await;
    t.user("lawyer@x.ru", "sales_rep", Some("Team A")).await;
    let users = t.get("/api/v1/users", &head).await;
    let lawyer = users.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == "lawyer@x.ru")
        .map(|u| u["id"].clone())
        .unwrap_or_default();
    let p = pipeline(&t, &head).await;
    let mut stages = p["stages"].clone();
    stages[1]["responsible_user_id"] = lawyer.clone();
    for s in stages.as_array_mut().into_iter().flatten() {
        if let Some(o) = s.as_object_mut() {
            o.remove("name");
        }
    }
    let path = format!("/api/v1/pipelines/{}", p["id"].as_str().unwrap_or_default());
    let changed = t
        .patch(
            &path,
            &head,
            Some(p["version"].as_i64().unwrap_or(1)),
            json!({"stages": stages}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Договор", "account_id": account}),
        )
        .await;
    let moved = t
        .patch(
            &format!("/api/v1/deals/{}", id(&deal)),
            &a,
            Some(version(&deal)),
            json!({"stage_id": stage(&p, 1)}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.json["owner_id"], lawyer);

    // A stage that holds deals cannot be removed.
    let fewer: Vec<Value> = changed.json["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["id"] != json!(stage(&p, 1)))
        .map(|s| {
            json!({"id": s["id"], "name_ru": s["name_ru"], "name_en": s["name_en"],
            "kind": s["kind"], "probability": s["probability"]})
        })
        .collect();
    let refused = t
        .patch(
            &path,
            &head,
            Some(version(&changed)),
            json!({"stages": fewer}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert_eq!(refused.json["errors"][0]["code"], "stage_has_deals");
    t.finish().await;
}

#[tokio::test]
async fn another_teams_deals_are_invisible_everywhere() {
    let t = TestApp::spawn().await;
    let (head, a, b, account) = sales_team(&t).await;
    let p = pipeline(&t, &head).await;
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Секретная сделка", "account_id": account, "amount_minor": 1000}),
        )
        .await;
    let path = format!("/api/v1/deals/{}", id(&deal));
    // B may not even use A's account for a deal of its own.
    let foreign = t
        .post(
            "/api/v1/deals",
            &b,
            json!({"title": "Чужая", "account_id": account}),
        )
        .await;
    assert_eq!(foreign.json["errors"][0]["code"], "unknown_account");
    for url in [
        path.clone(),
        format!("{path}/history"),
        format!("{path}/stages"),
    ] {
        assert_eq!(t.get(&url, &b).await.status, StatusCode::NOT_FOUND, "{url}");
    }
    let patched = t.patch(&path, &b, Some(1), json!({"title": "Моя"})).await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND);
    let list = t.get("/api/v1/deals", &b).await;
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(0));
    let search = t
        .get("/api/v1/deals?q=%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82", &b)
        .await;
    assert_eq!(search.json["items"].as_array().map(Vec::len), Some(0));
    let found = t
        .get("/api/v1/deals?q=%D1%81%D0%B5%D0%BA%D1%80%D0%B5%D1%82", &a)
        .await;
    assert_eq!(found.json["items"].as_array().map(Vec::len), Some(1));
    let pid = p["id"].as_str().unwrap_or_default();
    let totals = t
        .get(&format!("/api/v1/deals/totals?pipeline_id={pid}"), &b)
        .await;
    assert_eq!(totals.json["items"], json!([]));
    let totals = t
        .get(&format!("/api/v1/deals/totals?pipeline_id={pid}"), &head)
        .await;
    assert_eq!(totals.json["items"][0]["deals"], 1);
    assert_eq!(totals.json["items"][0]["amount_minor"], 1000);
    let board = t.session("b@x.ru").await;
    let page = t.page(&board, "/deals/board").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("Секретная сделка"));
    let own_board = t.session("a@x.ru").await;
    assert!(
        t.page(&own_board, "/deals/board")
            .await
            .text
            .contains("Секретная сделка")
    );
    t.finish().await;
}

#[tokio::test]
async fn the_board_sums_each_currency_apart_and_weighs_open_deals_by_probability() {
    let t = TestApp::spawn().await;
    let (head, a, _, account) = sales_team(&t).await;
    let p = pipeline(&t, &head).await;
    for (title, stage_no, amount, currency) in [
        ("Станок", 0, 100_000_000, "RUB"),
        ("Фрезы", 1, 20_000_000, "RUB"),
        ("Экспорт", 0, 100_000, "USD"),
    ] {
        let d = t
            .post(
                "/api/v1/deals",
                &a,
                json!({"title": title, "account_id": account, "stage_id": stage(&p, stage_no),
                       "amount_minor": amount, "currency": currency}),
            )
            .await;
        assert_eq!(d.status, StatusCode::CREATED, "{}", d.text);
    }
    let pid = p["id"].as_str().unwrap_or_default();
    let totals = t
        .get(&format!("/api/v1/deals/totals?pipeline_id={pid}"), &head)
        .await;
    let weighted: Vec<(String, i64)> = totals.json["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["currency"].as_str().unwrap_or_default().to_string(),
                        i["weighted_minor"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        weighted.contains(&("USD".into(), 10_000)),
        "{}",
        totals.text
    );
    assert!(
        weighted.contains(&("RUB".into(), 10_000_000)),
        "{}",
        totals.text
    );

    let browser = t.session("head@x.ru").await;
    let board = t.page(&browser, "/deals/board").await;
    let text = board.text.replace('\u{a0}', " ");
    // The first column: roubles and dollars on lines of their own, never added.
    assert!(
        text.contains(
            r#"<span class="sum">1 000 000 ₽</span><br><span class="sum">1 000 $</span>"#
        ),
        "{text}"
    );
    assert!(!text.contains(" + "), "no sum across currencies");
    assert!(text.contains("взвешенно 100 000 ₽ · 100 $"), "{text}");
    // Above the board: the pipeline's open deals, their sums and weighted sums.
    assert!(
        text.contains("<b>3 сделки в работе</b>: <span class=\"sum\">1 200 000 ₽</span> · <span class=\"sum\">1 000 $</span>"),
        "{text}"
    );
    assert!(text.contains("взвешенно 200 000 ₽ · 100 $"), "{text}");
    t.finish().await;
}

#[tokio::test]
async fn the_board_moves_deals_and_explains_a_refused_move() {
    let t = TestApp::spawn().await;
    let (head, a, _, account) = sales_team(&t).await;
    let p = pipeline(&t, &head).await;
    let mut last = String::new();
    for n in 0..23 {
        let d = t
            .post(
                "/api/v1/deals",
                &a,
                json!({"title": format!("Сделка {n:02}"), "account_id": account, "amount_minor": 100}),
            )
            .await;
        last = id(&d);
    }
    let browser = t.session("a@x.ru").await;
    let board = t.page(&browser, "/deals/board").await;
    assert_eq!(board.status, StatusCode::OK);
    // A column shows 20 cards and a link to the rest; its total counts all 23.
    assert_eq!(board.text.matches("class=\"deal\"").count(), 20);
    assert!(board.text.contains("<span class=\"count\">23</span>"));
    let more = board
        .text
        .split("data-more=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .replace("&#38;", "&");
    let rest = t.page(&browser, &more).await;
    assert_eq!(rest.text.matches("class=\"deal\"").count(), 3, "{more}");

    let fetch = [("x-requested-with", "fetch")];
    let move_path = format!("/deals/{last}/move");
    let refused = t
        .form_with(
            &browser,
            &move_path,
            &[("version", "1"), ("stage_id", &stage(&p, 3))],
            &fetch,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json["code"], "loss_reason_required");
    assert_eq!(refused.json["message"], "Укажите причину проигрыша сделки.");
    let moved = t
        .form_with(
            &browser,
            &move_path,
            &[("version", "1"), ("stage_id", &stage(&p, 1))],
            &fetch,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.json["version"], 2);
    let stale = t
        .form_with(
            &browser,
            &move_path,
            &[("version", "1"), ("stage_id", &stage(&p, 0))],
            &fetch,
        )
        .await;
    assert_eq!(stale.json["code"], "changed_meanwhile");
    let card = t.page(&browser, &format!("/deals/{last}")).await;
    assert!(card.text.contains("Время на этапах"));
    assert!(card.text.contains("Найти ЛПР") || card.text.contains("КП"));
    // Without JavaScript, the card's form moves it and comes back.
    let plain = t
        .form(
            &browser,
            &move_path,
            &[("version", "2"), ("stage_id", &stage(&p, 0))],
        )
        .await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    let card = t.page(&browser, &format!("/deals/{last}")).await;
    assert!(card.text.contains("Найти ЛПР"));
    // The timeline names the stages it moved between.
    assert!(card.text.contains("КП → Квалификация"), "{}", card.text);
    t.finish().await;
}

#[tokio::test]
async fn deal_forms_create_and_explain_bad_input() {
    let t = TestApp::spawn().await;
    let (head, _, _, account) = sales_team(&t).await;
    pipeline(&t, &head).await;
    let code = t
        .get(&format!("/api/v1/accounts/{account}"), &head)
        .await
        .json["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let browser = t.session("a@x.ru").await;
    let bad = t
        .form(
            &browser,
            "/deals/new",
            &[
                ("title", ""),
                ("account_code", "K-999999"),
                ("amount", "много"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.text.contains("Исправьте отмеченные поля"),
        "{}",
        bad.text
    );
    assert_eq!(t.get("/api/v1/deals", &head).await.json["items"], json!([]));
    let made = t
        .form(
            &browser,
            "/deals/new",
            &[
                ("title", "Линия розлива"),
                ("account_code", &code),
                ("amount", "1 500 000,50"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let listed = t.get("/api/v1/deals", &head).await;
    assert_eq!(listed.json["items"][0]["amount_minor"], 150_000_050);
    let card = t.page(&browser, &format!("/accounts/{account}")).await;
    assert!(card.text.contains("Линия розлива"));
    t.finish().await;
}

#[tokio::test]
async fn the_pipelines_page_edits_stages_with_the_api_rules() {
    let t = TestApp::spawn().await;
    let (head, _, _, _) = sales_team(&t).await;
    let p = pipeline(&t, &head).await;
    let pid = p["id"].as_str().unwrap_or_default().to_string();
    let browser = t.session("head@x.ru").await;
    let page = t.page(&browser, "/pipelines").await;
    assert!(page.text.contains("Квалификация"), "{}", page.text);
    let row = |i: usize, s: &Value| {
        vec![
            (
                format!("stages[{i}].id"),
                s["id"].as_str().unwrap_or_default().to_string(),
            ),
            (
                format!("stages[{i}].name_ru"),
                s["name_ru"].as_str().unwrap_or_default().to_string(),
            ),
            (
                format!("stages[{i}].name_en"),
                s["name_en"].as_str().unwrap_or_default().to_string(),
            ),
            (
                format!("stages[{i}].kind"),
                s["kind"].as_str().unwrap_or_default().to_string(),
            ),
            (
                format!("stages[{i}].probability"),
                s["probability"].to_string(),
            ),
        ]
    };
    let new_stage = json!({"id": "", "name_ru": "Переговоры", "name_en": "Negotiation", "kind": "open", "probability": 70});
    let stages: Vec<Value> = p["stages"].as_array().cloned().unwrap_or_default();
    // A new open stage after the terminal ones is refused and explained.
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), "Продажи".into()),
        ("active".into(), "true".into()),
        ("version".into(), "1".into()),
    ];
    for (i, s) in stages.iter().chain([&new_stage]).enumerate() {
        fields.extend(row(i, s));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = t.form(&browser, &format!("/pipelines/{pid}"), &refs).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.text.contains("Рабочие этапы должны идти до"),
        "{}",
        refused.text
    );
    assert_eq!(
        t.get(&format!("/api/v1/pipelines/{pid}"), &head).await.json["stages"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), "Продажи".into()),
        ("active".into(), "true".into()),
        ("version".into(), "1".into()),
    ];
    let ordered = [&stages[0], &stages[1], &new_stage, &stages[2], &stages[3]];
    for (i, s) in ordered.iter().enumerate() {
        fields.extend(row(i, s));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = t.form(&browser, &format!("/pipelines/{pid}"), &refs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let now = t.get(&format!("/api/v1/pipelines/{pid}"), &head).await;
    assert_eq!(now.json["stages"][2]["name_ru"], "Переговоры");
    assert_eq!(now.json["stages"][2]["probability"], 70);
    assert_eq!(now.json["stages"][0]["id"], stages[0]["id"]);

    // A rep sees the pipelines but gets no forms.
    let rep = t.session("a@x.ru").await;
    let read_only = t.page(&rep, "/pipelines").await;
    assert!(read_only.text.contains("Переговоры"));
    assert!(!read_only.text.contains("action=\"/pipelines\""));
    t.finish().await;
}

#[tokio::test]
async fn a_logged_call_shows_on_the_card_and_only_to_the_team() {
    let t = TestApp::spawn().await;
    let (head, a, b, account) = sales_team(&t).await;
    pipeline(&t, &head).await;
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Станки", "account_id": account}),
        )
        .await;
    // A deal's activity is the account's too.
    let call = t
        .post(
            "/api/v1/activities",
            &a,
            json!({"kind": "call", "direction": "outgoing", "subject": "Уточнить бюджет",
                   "deal_id": id(&deal), "started_at": "2026-01-15T12:00:00+03:00"}),
        )
        .await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.text);
    assert_eq!(call.json["account_id"], json!(account));
    assert_eq!(call.json["duration_minutes"], 15);
    assert_eq!(call.json["started_at"], "2026-01-15T09:00:00Z");
    let bad = t
        .post(
            "/api/v1/activities",
            &a,
            json!({"kind": "meeting", "direction": "incoming"}),
        )
        .await;
    let codes: Vec<&str> = bad.json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(codes, ["direction_only_for_calls", "link_required"]);
    let foreign = t
        .post(
            "/api/v1/activities",
            &b,
            json!({"kind": "note", "account_id": account}),
        )
        .await;
    assert_eq!(foreign.json["errors"][0]["code"], "unknown_account");
    let path = format!("/api/v1/activities?account_id={account}");
    assert_eq!(
        t.get(&path, &a).await.json["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(t.get(&path, &b).await.json["items"], json!([]));
    let activity = format!("/api/v1/activities/{}", id(&call));
    assert_eq!(t.get(&activity, &b).await.status, StatusCode::NOT_FOUND);

    // In the browser: log a call on the client card and see it in the timeline.
    let browser = t.session("a@x.ru").await;
    let logged = t
        .form(
            &browser,
            "/activities",
            &[
                ("account_id", &account),
                ("kind", "call"),
                ("direction", "incoming"),
                ("subject", "Спросили про сроки"),
                ("outcome", "Перезвонить в пятницу"),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER);
    let card = t.page(&browser, &format!("/accounts/{account}")).await;
    assert!(
        card.text
            .contains("Спросили про сроки — Перезвонить в пятницу"),
        "{}",
        card.text
    );
    assert!(card.text.contains("Звонок (входящий)"));
    let refused = t
        .form(
            &browser,
            "/activities",
            &[
                ("account_id", &account),
                ("kind", "meeting"),
                ("direction", "incoming"),
                ("subject", "Встреча в офисе"),
            ],
        )
        .await;
    let back = refused.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    let card = t.page(&browser, &back).await;
    assert!(
        card.text.contains("Направление бывает только у звонков."),
        "{back}"
    );
    let deal_card = t.page(&browser, &format!("/deals/{}", id(&deal))).await;
    assert!(deal_card.text.contains("Уточнить бюджет"));
    t.finish().await;
}

#[tokio::test]
async fn activity_types_are_a_classifier_with_a_default_duration() {
    let t = TestApp::spawn().await;
    let (_head, a, _b, account) = sales_team(&t).await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    // Built in, with their usual durations.
    let types = t.get("/api/v1/classifiers", &a).await;
    let meeting = types.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["kind"] == "activity_type" && c["code"] == "meeting")
        .cloned()
        .unwrap_or_default();
    assert_eq!(meeting["default_minutes"], 60, "{}", types.text);
    // An administrator adds "site visit" (90 minutes) …
    let visit = t
        .post(
            "/api/v1/classifiers",
            &admin,
            json!({"kind": "activity_type", "code": "site_visit", "label_ru": "Выезд на объект",
                   "label_en": "Site visit", "default_minutes": 90}),
        )
        .await;
    assert_eq!(visit.status, StatusCode::CREATED, "{}", visit.text);
    // … a duration makes no sense on other lists, nor a negative one.
    for (body, code) in [
        (
            json!({"kind": "industry", "code": "mining", "label_ru": "Добыча", "label_en": "Mining",
                   "default_minutes": 5}),
            "not_for_this_kind",
        ),
        (
            json!({"kind": "activity_type", "code": "nap", "label_ru": "Сон", "label_en": "Nap",
                   "default_minutes": -1}),
            "out_of_range",
        ),
    ] {
        let refused = t.post("/api/v1/classifiers", &admin, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json["errors"][0]["field"], "default_minutes");
        assert_eq!(refused.json["errors"][0]["code"], code);
    }
    // A rep logs one and gets its duration; an unknown type is explained.
    let logged = t
        .post(
            "/api/v1/activities",
            &a,
            json!({"kind": "site_visit", "account_id": account}),
        )
        .await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    assert_eq!(logged.json["duration_minutes"], 90);
    let unknown = t
        .post(
            "/api/v1/activities",
            &a,
            json!({"kind": "teleport", "account_id": account}),
        )
        .await;
    assert_eq!(unknown.json["errors"][0]["field"], "kind");
    assert_eq!(
        unknown.json["errors"][0]["code"],
        "unknown_classifier_value"
    );
    // The card's log form offers it and the timeline names it.
    let browser = t.session("a@x.ru").await;
    let card = t.page(&browser, &format!("/accounts/{account}")).await;
    assert!(
        card.text
            .contains("<option value=\"site_visit\">Выезд на объект</option>")
    );
    assert!(
        card.text.contains("</b> Выезд на объект</li>"),
        "{}",
        card.text
    );
    t.finish().await;
}

/// A deal's history reads as its card shows the fields: amounts in
/// roubles, days as 14.02.2027, lines as "SKU × quantity — amount", the
/// owner by name, and labels without their input hints (F1).
#[tokio::test]
async fn the_deal_history_reads_as_the_card_shows_the_fields() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    pipeline(&t, &head).await;
    let product = t.post("/api/v1/products", &head, json!({"sku": "ST-16K20", "name": "Станок", "list_price_minor": 215_000_000, "vat_rate": 22})).await;
    assert_eq!(product.status, StatusCode::CREATED, "{}", product.text);
    let account = id(&t
        .post("/api/v1/accounts", &head, json!({"name": "ООО Завод"}))
        .await);
    let deal = t
        .post(
            "/api/v1/deals",
            &head,
            json!({"title": "Станки", "account_id": account, "amount_minor": 104_400_000}),
        )
        .await;
    let deal_id = id(&deal);
    let session = t.session("head@x.ru").await;
    let lined = t
        .form(
            &session,
            &format!("/deals/{deal_id}/lines"),
            &[
                ("version", &version(&deal).to_string()),
                ("lines", "ST-16K20; 1"),
            ],
        )
        .await;
    assert_eq!(lined.status, StatusCode::SEE_OTHER, "{}", lined.text);
    let users = t.get("/api/v1/users", &head).await;
    let rep_id = users.json["items"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["email"] == "rep@x.ru"))
        .map(|u| u["id"].clone())
        .unwrap_or_default();
    let current = t.get(&format!("/api/v1/deals/{deal_id}"), &head).await;
    let changed = t
        .patch(
            &format!("/api/v1/deals/{deal_id}"),
            &head,
            Some(version(&current)),
            json!({"expected_close": "2027-02-14", "owner_id": rep_id}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let card = t.page(&session, &format!("/deals/{deal_id}")).await;
    let text = card.text.replace('\u{a0}', " ");
    for shown in [
        "Сумма 1 044 000 ₽ → 2 623 000 ₽",
        "Ожидаемая дата закрытия — → 14.02.2027",
        "Товары — → ST-16K20 × 1 — 2 623 000 ₽",
    ] {
        assert!(text.contains(shown), "{shown}: {text}");
    }
    assert!(text.contains("Ответственный head → rep"), "{text}");
    for leak in ["gross_minor", "104400000", "(ГГГГ-ММ-ДД)", "по строке"] {
        assert!(!text.contains(leak), "{leak}: {text}");
    }
    t.finish().await;
}

/// "Deals needing attention" on Today names the customer and the amount,
/// and the ✓ of a task says what it closes.
#[tokio::test]
async fn deals_needing_attention_name_their_customer_and_amount() {
    let t = TestApp::spawn().await;
    let (head, a, _, account) = sales_team(&t).await;
    pipeline(&t, &head).await;
    let created = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Станки", "account_id": account, "amount_minor": 15_000_000}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let task = t
        .post(
            "/api/v1/tasks",
            &a,
            json!({"title": "Позвонить", "due_at": "2026-01-15T15:00:00+03:00", "account_id": account}),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.text);
    let browser = t.session("a@x.ru").await;
    let today = t.page(&browser, "/today").await;
    let attention = today
        .text
        .split("id=\"attention\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        attention.contains("Станки")
            && attention.contains("ООО Ромашка")
            && attention.contains("150\u{a0}000\u{a0}₽"),
        "{attention}"
    );
    assert!(
        today.text.contains("aria-label=\"Выполнено: Позвонить\""),
        "{}",
        today.text
    );
    t.finish().await;
}

/// The standalone deal form picks the customer by name (an account
/// look-up), the close date from a date picker and the currency from a
/// list, and still saves what it is given.
#[tokio::test]
async fn the_new_deal_form_offers_pickers_instead_of_codes() {
    let t = TestApp::spawn().await;
    let (head, _, _, account) = sales_team(&t).await;
    pipeline(&t, &head).await;
    let browser = t.session("a@x.ru").await;
    let form = t.page(&browser, "/deals/new").await;
    assert!(
        form.text.contains("data-lookup=\"/api/v1/accounts\""),
        "{}",
        form.text
    );
    assert!(
        form.text
            .contains("name=\"expected_close\" value=\"\" type=\"date\"")
    );
    assert!(form.text.contains("<option value=\"RUB\""));
    assert!(!form.text.contains("ГГГГ-ММ-ДД"));
    // What the picker offers: the account list searched by name, as a
    // browser session reads it.
    let found = t
        .call(
            Method::GET,
            "/api/v1/accounts?limit=10&q=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88",
            None,
            None,
            &[("cookie", browser.cookie.as_str())],
        )
        .await;
    assert_eq!(found.json["items"][0]["id"], account.as_str());
    let code = found.json["items"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let saved = t
        .form(
            &browser,
            "/deals/new",
            &[
                ("title", "Фрезер"),
                ("account_code", &code),
                ("currency", "RUB"),
                ("expected_close", "2026-03-01"),
                ("amount", "100 000"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    t.finish().await;
}
