//! Orders: from a won deal or by hand, the status flow with its tracking
//! history, stock held on confirmation and never oversold under
//! concurrency, and who sees which orders — through the real router on
//! SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

fn version(a: &Answer) -> i64 {
    a.json["version"].as_i64().unwrap_or_default()
}

async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

async fn with_version(
    t: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    version: i64,
    body: Value,
) -> Answer {
    let etag = format!("\"{version}\"");
    t.call(
        method,
        path,
        Some(token),
        Some(body),
        &[("if-match", etag.as_str())],
    )
    .await
}

/// Moves an order, reading its current version first.
async fn move_to(t: &TestApp, order: &str, token: &str, status: &str, comment: &str) -> Answer {
    let current = t.get(&format!("/api/v1/orders/{order}"), token).await;
    with_version(
        t,
        Method::POST,
        &format!("/api/v1/orders/{order}/status"),
        token,
        version(&current),
        json!({"status": status, "comment": comment}),
    )
    .await
}

async fn product(t: &TestApp, token: &str, id: &str) -> Value {
    t.get(&format!("/api/v1/products/{id}"), token).await.json
}

#[tokio::test]
async fn a_won_deal_becomes_an_order_that_is_tracked_from_draft_to_closed() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let other = t.user("far@x.ru", "sales_rep", Some("Урал")).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let pipeline = made(
        &t,
        "/api/v1/pipelines",
        &head,
        json!({"name": "Продажи", "stages": [
            {"name": "КП", "probability": 50},
            {"name": "Выиграна", "kind": "won"},
            {"name": "Проиграна", "kind": "lost"}
        ]}),
    )
    .await;
    let won = pipeline.json["stages"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let lathe = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 1_000_000, "stock_quantity": 3})).await);
    let setup = id(&made(&t, "/api/v1/products", &head, json!({"sku": "SRV-1", "name": "Пусконаладка", "list_price_minor": 50_000, "unit": "service"})).await);
    let account = id(&made(&t, "/api/v1/accounts", &rep, json!({"name": "ООО Завод", "types": ["customer"], "delivery_address": "Казань, ул. Заводская, 1"})).await);
    let deal = made(
        &t,
        "/api/v1/deals",
        &rep,
        json!({"title": "Два станка", "account_id": account}),
    )
    .await;
    let deal_id = id(&deal);
    let lines = with_version(
        &t,
        Method::PUT,
        &format!("/api/v1/deals/{deal_id}/lines"),
        &rep,
        version(&deal),
        json!({"lines": [{"product_id": lathe, "quantity": 2}, {"product_id": setup, "quantity": 1}]}),
    )
    .await;
    assert_eq!(lines.status, StatusCode::OK, "{}", lines.text);

    let early = t
        .post(&format!("/api/v1/deals/{deal_id}/order"), &rep, json!({}))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.json["code"], "deal_not_won");
    let moved = t
        .patch(
            &format!("/api/v1/deals/{deal_id}"),
            &rep,
            Some(version(&lines)),
            json!({"stage_id": won}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let order = made(
        &t,
        &format!("/api/v1/deals/{deal_id}/order"),
        &rep,
        json!({}),
    )
    .await;
    let order_id = id(&order);
    assert_eq!(order.json["status"], "draft");
    assert_eq!(order.json["number"], 1);
    assert_eq!(
        order.json["gross_minor"],
        lines.json["total"]["gross_minor"]
    );
    assert_eq!(order.json["delivery_address"], "Казань, ул. Заводская, 1");
    let again = t
        .post(&format!("/api/v1/deals/{deal_id}/order"), &rep, json!({}))
        .await;
    assert_eq!(again.json["code"], "order_exists");
    // The order card names its deal by title, not by the section's name.
    let card = t
        .page(&t.session("rep@x.ru").await, &format!("/orders/{order_id}"))
        .await;
    assert!(
        card.text
            .contains(&format!("<a href=\"/deals/{deal_id}\">Два станка</a>")),
        "{}",
        card.text
    );
    let person = t
        .post("/api/v1/contacts", &rep, json!({"last_name": "Петров"}))
        .await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.text);
    let people = t.page(&t.session("rep@x.ru").await, "/contacts").await;
    assert!(people.text.contains("<th>ФИО</th>"), "{}", people.text);

    // Only the account's team and the roles that see every order see it.
    assert_eq!(
        t.get(&format!("/api/v1/orders/{order_id}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("/api/v1/orders/{order_id}"), &accountant)
            .await
            .status,
        StatusCode::OK
    );
    let theirs = t.get("/api/v1/orders", &other).await;
    assert_eq!(theirs.json["items"], json!([]));

    // The flow: no skipping, stock held on confirmation, gone when shipped.
    let skip = move_to(&t, &order_id, &rep, "shipped", "").await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert_eq!(skip.json["code"], "invalid_transition");
    assert_eq!(
        skip.json["facts"]["allowed"],
        json!(["confirmed", "cancelled"])
    );
    let confirmed = move_to(&t, &order_id, &rep, "confirmed", "Счёт согласован").await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    let held = product(&t, &rep, &lathe).await;
    assert_eq!(
        (
            held["reserved_quantity"].as_i64(),
            held["available_quantity"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let fixed = with_version(
        &t,
        Method::PUT,
        &format!("/api/v1/orders/{order_id}/lines"),
        &rep,
        version(&confirmed),
        json!({"lines": [{"product_id": lathe, "quantity": 1}]}),
    )
    .await;
    assert_eq!(fixed.json["code"], "order_not_draft");

    // A second order for two more lathes is short by one; nothing is held.
    let second = made(
        &t,
        "/api/v1/orders",
        &rep,
        json!({"account_id": account, "lines": [{"product_id": lathe, "quantity": 2}]}),
    )
    .await;
    let second_id = id(&second);
    let short = move_to(&t, &second_id, &rep, "confirmed", "").await;
    assert_eq!(short.status, StatusCode::CONFLICT, "{}", short.text);
    assert_eq!(short.json["code"], "insufficient_stock");
    assert_eq!(
        short.json["facts"]["lines"],
        json!([{"product_id": lathe, "sku": "ST-1", "requested": 2, "available": 1}])
    );
    assert_eq!(product(&t, &rep, &lathe).await["reserved_quantity"], 2);
    // Nor may stock be cut below what orders hold.
    let lathe_now = product(&t, &head, &lathe).await;
    let cut = t
        .patch(
            &format!("/api/v1/products/{lathe}"),
            &head,
            lathe_now["version"].as_i64(),
            json!({"stock_quantity": 1}),
        )
        .await;
    assert_eq!(cut.json["errors"][0]["code"], "below_reserved");

    for (status, comment) in [
        ("in_production", "В цехе"),
        ("shipped", "ТК «Деловые линии», накладная 123"),
        ("delivered", ""),
        ("closed", "Оплачено"),
    ] {
        let a = move_to(&t, &order_id, &rep, status, comment).await;
        assert_eq!(a.status, StatusCode::OK, "{status}: {}", a.text);
    }
    let shipped = product(&t, &rep, &lathe).await;
    assert_eq!(
        (
            shipped["stock_quantity"].as_i64(),
            shipped["reserved_quantity"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let late = move_to(&t, &order_id, &rep, "cancelled", "").await;
    assert_eq!(late.json["code"], "invalid_transition");

    let history = t
        .get(&format!("/api/v1/orders/{order_id}/history"), &rep)
        .await;
    let steps: Vec<(String, String)> = history.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["to_status"].as_str().unwrap_or_default().into(),
                e["comment"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("draft".to_string(), String::new()),
            ("confirmed".into(), "Счёт согласован".into()),
            ("in_production".into(), "В цехе".into()),
            ("shipped".into(), "ТК «Деловые линии», накладная 123".into()),
            ("delivered".into(), String::new()),
            ("closed".into(), "Оплачено".into()),
        ]
    );
    assert_eq!(history.json["items"][1]["user_name"], "rep");
    assert_eq!(history.json["items"][1]["from_status"], "draft");
    // Each move is also an event for subscribers, in order; the refused
    // late cancellation is none.
    let moves: Vec<Value> = karta_db::entities::change::Entity::find()
        .filter(karta_db::entities::change::Column::Action.eq("status"))
        .order_by_asc(karta_db::entities::change::Column::Id)
        .all(t.app.db.conn())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter_map(|c| c.new_value)
        .collect();
    assert_eq!(
        moves,
        [
            "confirmed",
            "in_production",
            "shipped",
            "delivered",
            "closed"
        ]
    );
    let events = karta_db::entities::outbox::Entity::find()
        .filter(karta_db::entities::outbox::Column::Action.eq("status"))
        .all(t.app.db.conn())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events.len(), 5);

    // Cancelling the second (never confirmed) order holds nothing either way.
    let cancelled = move_to(&t, &second_id, &rep, "cancelled", "Клиент передумал").await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(product(&t, &rep, &lathe).await["reserved_quantity"], 0);
    t.finish().await;
}

#[tokio::test]
async fn twenty_concurrent_confirmations_of_the_last_units_never_oversell() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let cutter = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "FR-1", "name": "Фреза", "list_price_minor": 1_000, "stock_quantity": 5}),
    )
    .await);
    let account = id(&made(
        &t,
        "/api/v1/accounts",
        &head,
        json!({"name": "ООО Покупатель"}),
    )
    .await);
    let mut orders = Vec::new();
    for _ in 0..20 {
        let o = made(
            &t,
            "/api/v1/orders",
            &head,
            json!({"account_id": account, "lines": [{"product_id": cutter, "quantity": 1}]}),
        )
        .await;
        orders.push((id(&o), version(&o)));
    }
    let paths: Vec<String> = orders
        .iter()
        .map(|(order, _)| format!("/api/v1/orders/{order}/status"))
        .collect();
    let attempts = orders.iter().zip(&paths).map(|((_, v), path)| {
        with_version(
            &t,
            Method::POST,
            path,
            &head,
            *v,
            json!({"status": "confirmed"}),
        )
    });
    let answers = futures::future::join_all(attempts).await;
    let confirmed = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT && a.json["code"] == "insufficient_stock")
        .count();
    assert_eq!(
        (confirmed, refused),
        (5, 15),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let p = product(&t, &head, &cutter).await;
    assert_eq!(
        (
            p["reserved_quantity"].as_i64(),
            p["available_quantity"].as_i64()
        ),
        (Some(5), Some(0))
    );
    t.finish().await;
}

#[tokio::test]
async fn the_order_pages_make_move_and_explain_a_refusal() {
    let t = TestApp::spawn().await;
    let head_token = t.user("head@x.ru", "head_of_sales", None).await;
    let pipeline = made(
        &t,
        "/api/v1/pipelines",
        &head_token,
        json!({"name": "Продажи", "stages": [
            {"name": "КП", "probability": 50},
            {"name": "Выиграна", "kind": "won"},
            {"name": "Проиграна", "kind": "lost"}
        ]}),
    )
    .await;
    let won = pipeline.json["stages"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    made(&t, "/api/v1/products", &head_token, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 1_000_000, "stock_quantity": 2})).await;
    let account = made(
        &t,
        "/api/v1/accounts",
        &head_token,
        json!({"name": "ООО Завод"}),
    )
    .await;
    let account_id = id(&account);
    let code = account.json["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let deal = made(
        &t,
        "/api/v1/deals",
        &head_token,
        json!({"title": "Станки", "account_id": account_id}),
    )
    .await;
    let deal_id = id(&deal);
    let head = t.session("head@x.ru").await;
    let v = version(&deal).to_string();
    let lined = t
        .form(
            &head,
            &format!("/deals/{deal_id}/lines"),
            &[("version", &v), ("lines", "ST-1; 1")],
        )
        .await;
    assert_eq!(lined.status, StatusCode::SEE_OTHER);
    let card = t.page(&head, &format!("/deals/{deal_id}")).await;
    assert!(!card.text.contains(&format!("/deals/{deal_id}/order")));
    let current = t
        .get(&format!("/api/v1/deals/{deal_id}"), &head_token)
        .await;
    t.patch(
        &format!("/api/v1/deals/{deal_id}"),
        &head_token,
        Some(version(&current)),
        json!({"stage_id": won}),
    )
    .await;
    let card = t.page(&head, &format!("/deals/{deal_id}")).await;
    assert!(card.text.contains("Создать заказ"), "{}", card.text);

    let placed = t.form(&head, &format!("/deals/{deal_id}/order"), &[]).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER);
    let order_path = placed
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(order_path.starts_with("/orders/"), "{order_path}");
    let order_card = t.page(&head, &order_path).await;
    assert!(order_card.text.contains("З-000001"));
    assert!(order_card.text.contains("Черновик"));
    let order_id = order_path.trim_start_matches("/orders/").to_string();
    let v = version(
        &t.get(&format!("/api/v1/orders/{order_id}"), &head_token)
            .await,
    )
    .to_string();
    let confirmed = t
        .form(
            &head,
            &format!("{order_path}/status"),
            &[
                ("version", &v),
                ("status", "confirmed"),
                ("comment", "Оплата по счёту"),
            ],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let order_card = t.page(&head, &order_path).await;
    assert!(order_card.text.contains("Подтверждён"));
    assert!(order_card.text.contains("Оплата по счёту"));

    // A hand-made order for more than is free is explained line by line.
    let form = t
        .page(&head, &format!("/orders/new?account={account_id}"))
        .await;
    assert!(form.text.contains(&code), "{}", form.text);
    let big = t
        .form(
            &head,
            "/orders/new",
            &[
                ("account_code", &code),
                ("lines", "ST-1; 5"),
                ("delivery_address", ""),
            ],
        )
        .await;
    assert_eq!(big.status, StatusCode::SEE_OTHER, "{}", big.text);
    let big_path = big
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let big_id = big_path.trim_start_matches("/orders/").to_string();
    let v = version(
        &t.get(&format!("/api/v1/orders/{big_id}"), &head_token)
            .await,
    )
    .to_string();
    let refused = t
        .form(
            &head,
            &format!("{big_path}/status"),
            &[("version", &v), ("status", "confirmed")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused
            .text
            .contains("На складе не хватает свободного остатка. ST-1: нужно 5, свободно 1"),
        "{}",
        refused.text
    );
    let list = t.page(&head, "/orders?status=confirmed").await;
    assert!(list.text.contains("З-000001") && !list.text.contains("З-000002"));
    assert!(
        list.text.contains("/api/v1/orders/export.xml") && list.text.contains("Выгрузка в 1С"),
        "{}",
        list.text
    );
    t.finish().await;
}
