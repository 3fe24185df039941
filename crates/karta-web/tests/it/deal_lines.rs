//! Deal lines: prices from the customer's list by default, VAT per line,
//! the deal's amount following the lines, and the card's products box —
//! through the real router on SQLite and (with KARTA_TEST_DATABASE_URL)
//! PostgreSQL.

// Amounts are written roubles_kopecks (100_000_00 is 100 000,00 ₽).
#![allow(clippy::inconsistent_digit_grouping)]

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};

async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

async fn put_lines(t: &TestApp, deal: &str, token: &str, version: i64, lines: Value) -> Answer {
    let etag = format!("\"{version}\"");
    t.call(
        Method::PUT,
        &format!("/api/v1/deals/{deal}/lines"),
        Some(token),
        Some(json!({ "lines": lines })),
        &[("if-match", etag.as_str())],
    )
    .await
}

struct World {
    t: TestApp,
    head: String,
    rep: String,
    deal: String,
    lathe: String,
    cutter: String,
    old: String,
}

/// A dealer with a 10 % list, two products on sale and one withdrawn, and
/// a deal for the dealer.
async fn world() -> World {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    made(
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
    let lathe = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000_00, "vat_rate": 22}),
    )
    .await);
    let cutter = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "FR-1", "name": "Фреза", "list_price_minor": 33_33, "vat_rate": 10}),
    )
    .await);
    let old = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "OLD-1", "name": "Старый", "list_price_minor": 1_00, "active": false}),
    )
    .await);
    made(
        &t,
        "/api/v1/price-lists",
        &head,
        json!({"name": "Дилерам −10 %", "scope": "account_type", "account_type": "dealer", "discount_percent": 10}),
    )
    .await;
    let account = id(&made(
        &t,
        "/api/v1/accounts",
        &rep,
        json!({"name": "ООО Дилер", "types": ["dealer"]}),
    )
    .await);
    let deal = id(&made(
        &t,
        "/api/v1/deals",
        &rep,
        json!({"title": "Станки для цеха", "account_id": account, "amount_minor": 5_00}),
    )
    .await);
    World {
        t,
        head,
        rep,
        deal,
        lathe,
        cutter,
        old,
    }
}

#[tokio::test]
async fn a_deals_lines_are_priced_for_its_customer_and_its_amount_follows_them() {
    let w = world().await;
    let t = &w.t;
    let deal = t.get(&format!("/api/v1/deals/{}", w.deal), &w.rep).await;
    let v1 = deal.json["version"].as_i64().unwrap_or_default();

    // Bad lines are refused whole, each problem named; nothing changes.
    let bad = put_lines(
        t,
        &w.deal,
        &w.rep,
        v1,
        json!([
            {"product_id": w.lathe, "quantity": 0},
            {"product_id": w.old, "quantity": 1},
            {"product_id": w.deal, "quantity": 1}
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(bad.json["errors"][0]["field"], "lines[0].quantity");
    let bad = put_lines(
        t,
        &w.deal,
        &w.rep,
        v1,
        json!([
            {"product_id": w.lathe, "quantity": 1},
            {"product_id": w.old, "quantity": 1},
            {"product_id": w.deal, "quantity": 1}
        ]),
    )
    .await;
    let fields: Vec<(String, String)> = bad.json["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().into(),
                e["code"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "lines[1].product_id".to_string(),
                "product_inactive".to_string()
            ),
            ("lines[2].product_id".into(), "unknown_product".into()),
        ]
    );
    let unchanged = t.get(&format!("/api/v1/deals/{}", w.deal), &w.rep).await;
    assert_eq!(unchanged.json["amount_minor"], 5_00);

    // Two lathes at the dealers' price, three cutters at a typed price with
    // 5 % off the line.
    let set = put_lines(
        t,
        &w.deal,
        &w.rep,
        v1,
        json!([
            {"product_id": w.lathe, "quantity": 2},
            {"product_id": w.cutter, "quantity": 3, "price_minor": 33_33, "discount_percent": 5}
        ]),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let lines = &set.json["lines"];
    assert_eq!(lines[0]["unit_price_minor"], 90_000_00);
    assert_eq!(lines[0]["price_rule"], "list_discount");
    assert_eq!(lines[0]["net_minor"], 180_000_00);
    assert_eq!(lines[0]["vat_minor"], 39_600_00);
    assert_eq!(lines[1]["price_rule"], "manual");
    // 3 × 33,33 = 99,99; less 5 % = 94,9905 → 94,99; VAT 10 % = 9,499 → 9,50.
    assert_eq!(lines[1]["net_minor"], 94_99);
    assert_eq!(lines[1]["vat_minor"], 9_50);
    assert_eq!(set.json["total"]["gross_minor"], 219_600_00 + 104_49);
    let deal = t.get(&format!("/api/v1/deals/{}", w.deal), &w.rep).await;
    assert_eq!(deal.json["amount_minor"], 219_600_00 + 104_49);
    let v2 = deal.json["version"].as_i64().unwrap_or_default();
    assert_eq!(set.json["version"], v2);

    // The amount is the lines' now; typing another one is refused.
    let typed = t
        .patch(
            &format!("/api/v1/deals/{}", w.deal),
            &w.rep,
            Some(v2),
            json!({"amount_minor": 1}),
        )
        .await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typed.json["errors"][0]["code"], "amount_from_lines");
    // A stale version changes nothing.
    let stale = put_lines(t, &w.deal, &w.rep, v1, json!([])).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    // History says which lines changed; the price list rule stays on the line
    // even after the list goes away.
    let history = t
        .get(&format!("/api/v1/deals/{}/history", w.deal), &w.rep)
        .await;
    let items = history.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        items.iter().any(|c| c["field"] == "lines"),
        "{}",
        history.text
    );
    assert!(
        items
            .iter()
            .any(|c| c["field"] == "amount_minor" && c["new"] == 219_600_00 + 104_49)
    );
    let read = t
        .get(&format!("/api/v1/deals/{}/lines", w.deal), &w.head)
        .await;
    assert_eq!(read.json["lines"][0]["sku"], "ST-1");
    assert_eq!(read.json["total"]["net_minor"], 180_000_00 + 94_99);
    w.t.finish().await;
}

#[tokio::test]
async fn the_deal_card_takes_products_one_per_line_and_points_at_a_bad_line() {
    let w = world().await;
    let t = &w.t;
    let rep = t.session("rep@x.ru").await;
    let card = t.page(&rep, &format!("/deals/{}", w.deal)).await;
    assert!(card.text.contains("deal-lines-box"));
    let version = t
        .get(&format!("/api/v1/deals/{}", w.deal), &w.rep)
        .await
        .json["version"]
        .as_i64()
        .unwrap_or_default()
        .to_string();
    let wrong = t
        .form(
            &rep,
            &format!("/deals/{}/lines", w.deal),
            &[("version", &version), ("lines", "ST-1; 1\n\nНЕТ-ТАКОГО; 2")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    let back = wrong
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(back.contains("line=3"), "{back}");
    let shown = t.page(&rep, &back).await;
    assert!(
        shown.text.contains("строка 3: Нет такого товара"),
        "{}",
        shown.text
    );

    let saved = t
        .form(
            &rep,
            &format!("/deals/{}/lines", w.deal),
            &[("version", &version), ("lines", "ST-1; 1\nFR-1\t2\t\t10 %")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let card = t.page(&rep, &format!("/deals/{}", w.deal)).await;
    // 90 000 ₽ + 22 % = 109 800 ₽; 2 × 29,997 → 2 × 30,00 = 60,00 less 10 % = 54,00 + 10 % = 59,40.
    assert!(card.text.contains("109\u{a0}800\u{a0}₽"), "{}", card.text);
    assert!(
        card.text.contains("109\u{a0}859,40\u{a0}₽"),
        "{}",
        card.text
    );
    assert!(card.text.contains("FR-1; 2;; 10 %"), "{}", card.text);
    w.t.finish().await;
}
