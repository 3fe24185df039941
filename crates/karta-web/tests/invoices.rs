//! Invoices, partial payments, and the credit hold that stops confirming
//! and shipping to a customer in arrears until paid or released — through
//! the real router on SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp};
use serde_json::{Value, json};

const DAY: i64 = 86_400_000_000;

fn id(a: &Answer) -> String {
    a.json["id"].as_str().unwrap_or_default().to_string()
}

async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

async fn move_to(t: &TestApp, order: &str, token: &str, status: &str) -> Answer {
    let current = t.get(&format!("/api/v1/orders/{order}"), token).await;
    let etag = format!("\"{}\"", current.json["version"]);
    t.call(
        Method::POST,
        &format!("/api/v1/orders/{order}/status"),
        Some(token),
        Some(json!({"status": status})),
        &[("if-match", etag.as_str())],
    )
    .await
}

async fn order(t: &TestApp, token: &str, account: &str, product: &str, quantity: i64) -> String {
    id(&made(
        t,
        "/api/v1/orders",
        token,
        json!({"account_id": account, "lines": [{"product_id": product, "quantity": quantity}]}),
    )
    .await)
}

#[tokio::test]
async fn an_overdue_invoice_stops_confirming_and_shipping_until_paid_or_released() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let far = t.user("far@x.ru", "sales_rep", Some("Урал")).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let product = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let account = id(&made(&t, "/api/v1/accounts", &rep, json!({"name": "ООО Должник"})).await);

    let first = order(&t, &rep, &account, &product, 1).await;
    let early = t
        .post("/api/v1/invoices", &accountant, json!({"order_id": first}))
        .await;
    assert_eq!(early.json["code"], "order_not_confirmed");
    assert_eq!(
        move_to(&t, &first, &rep, "confirmed").await.status,
        StatusCode::OK
    );
    let refused = t
        .post("/api/v1/invoices", &rep, json!({"order_id": first}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let invoice = made(
        &t,
        "/api/v1/invoices",
        &accountant,
        json!({"order_id": first}),
    )
    .await;
    // 1 000,00 ₽ + 20 % VAT; issued on the test's day, due 14 days later.
    assert_eq!(invoice.json["amount_minor"], 120_000);
    assert_eq!(
        (
            invoice.json["issued_on"].as_str(),
            invoice.json["due_on"].as_str()
        ),
        (Some("2026-01-15"), Some("2026-01-29"))
    );
    assert_eq!(invoice.json["number"], 1);
    let invoice_id = id(&invoice);
    let twice = t
        .post("/api/v1/invoices", &accountant, json!({"order_id": first}))
        .await;
    assert_eq!(twice.json["code"], "order_invoiced");

    // Partial payment, then an overpayment refused.
    made(
        &t,
        "/api/v1/payments",
        &accountant,
        json!({"invoice_id": invoice_id, "amount_minor": 50_000, "reference": "п/п 17"}),
    )
    .await;
    let over = t
        .post(
            "/api/v1/payments",
            &accountant,
            json!({"invoice_id": invoice_id, "amount_minor": 70_001}),
        )
        .await;
    assert_eq!(over.json["errors"][0]["code"], "exceeds_outstanding");
    let read = t.get(&format!("/api/v1/invoices/{invoice_id}"), &rep).await;
    assert_eq!(
        (
            read.json["paid_minor"].as_i64(),
            read.json["outstanding_minor"].as_i64()
        ),
        (Some(50_000), Some(70_000))
    );
    // Another team's rep sees none of it.
    let hidden = t.get("/api/v1/invoices", &far).await;
    assert_eq!(hidden.json["items"], json!([]));

    // A month later the rest is overdue: the account is on hold.
    t.clock.advance(30 * DAY);
    // Tokens made a month ago have expired; sign in again.
    let rep = t.token("rep@x.ru", &[]).await;
    let head = t.token("head@x.ru", &[]).await;
    let accountant = t.token("acc@x.ru", &[]).await;
    let shown = t.get(&format!("/api/v1/accounts/{account}"), &rep).await;
    let hold = &shown.json["credit_hold"];
    assert_eq!(
        (
            hold["on_hold"].as_bool(),
            hold["reason"].as_str(),
            hold["overdue_minor"].as_i64()
        ),
        (Some(true), Some("overdue"), Some(70_000))
    );
    let listed = t.get("/api/v1/accounts", &rep).await;
    assert_eq!(listed.json["items"][0]["credit_hold"]["on_hold"], true);
    let overdue = t.get("/api/v1/invoices?overdue=true", &accountant).await;
    assert_eq!(overdue.json["items"][0]["overdue"], true);

    let second = order(&t, &rep, &account, &product, 2).await;
    let stopped = move_to(&t, &second, &rep, "confirmed").await;
    assert_eq!(stopped.status, StatusCode::CONFLICT, "{}", stopped.text);
    assert_eq!(stopped.json["code"], "credit_hold");
    assert_eq!(stopped.json["facts"]["invoices"][0]["number"], 1);
    assert_eq!(stopped.json["facts"]["overdue_since"], "2026-01-29");
    let not_shipped = move_to(&t, &first, &rep, "shipped").await;
    assert_eq!(not_shipped.json["code"], "credit_hold");
    let product_now = t.get(&format!("/api/v1/products/{product}"), &rep).await;
    assert_eq!(product_now.json["reserved_quantity"], 1);

    // Only an accountant releases, with a reason, for a few days.
    let path = format!("/api/v1/accounts/{account}/credit-hold/release");
    let by_rep = t
        .post(&path, &rep, json!({"comment": "Обещали заплатить"}))
        .await;
    assert_eq!(by_rep.status, StatusCode::FORBIDDEN);
    let no_reason = t.post(&path, &accountant, json!({})).await;
    assert_eq!(no_reason.json["errors"][0]["code"], "required");
    let released = t
        .post(
            &path,
            &accountant,
            json!({"comment": "Гарантийное письмо от директора", "until": "2026-02-16"}),
        )
        .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.text);
    assert_eq!(
        (
            released.json["on_hold"].as_bool(),
            released.json["released_until"].as_str()
        ),
        (Some(false), Some("2026-02-16"))
    );
    assert_eq!(
        move_to(&t, &second, &rep, "confirmed").await.status,
        StatusCode::OK
    );
    let history = t
        .get(&format!("/api/v1/accounts/{account}/history"), &head)
        .await;
    assert!(
        history.json["items"]
            .as_array()
            .is_some_and(|h| h.iter().any(|c| c["action"] == "release_hold")),
        "{}",
        history.text
    );

    // The release ends; paying the rest lifts the hold for good.
    t.clock.advance(5 * DAY);
    assert_eq!(
        move_to(&t, &first, &rep, "shipped").await.json["code"],
        "credit_hold"
    );
    made(
        &t,
        "/api/v1/payments",
        &accountant,
        json!({"invoice_id": invoice_id, "amount_minor": 70_000}),
    )
    .await;
    let paid = t
        .get(&format!("/api/v1/invoices/{invoice_id}"), &accountant)
        .await;
    assert_eq!(paid.json["status"], "paid");
    assert_eq!(
        move_to(&t, &first, &rep, "shipped").await.status,
        StatusCode::OK
    );
    let payments = t
        .get(&format!("/api/v1/payments?invoice_id={invoice_id}"), &rep)
        .await;
    assert_eq!(payments.json["items"].as_array().map(Vec::len), Some(2));
    t.finish().await;
}

#[tokio::test]
async fn accounting_invoices_takes_payments_and_releases_holds_from_the_cards() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    t.user("acc@x.ru", "accountant", None).await;
    let product = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let account = id(&made(&t, "/api/v1/accounts", &head, json!({"name": "ООО Клиент"})).await);
    let first = order(&t, &head, &account, &product, 1).await;
    move_to(&t, &first, &head, "confirmed").await;
    let acc = t.session("acc@x.ru").await;
    let card = t.page(&acc, &format!("/orders/{first}")).await;
    assert!(card.text.contains("Выставить счёт"), "{}", card.text);
    let invoiced = t.form(&acc, &format!("/orders/{first}/invoice"), &[]).await;
    assert_eq!(invoiced.status, StatusCode::SEE_OTHER);
    let card = t.page(&acc, &format!("/orders/{first}")).await;
    assert!(card.text.contains("СЧ-000001"), "{}", card.text);
    let invoice_id = t.get("/api/v1/invoices", &head).await.json["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let bad = t
        .form(
            &acc,
            &format!("/invoices/{invoice_id}/pay"),
            &[
                ("back", &format!("/orders/{first}")),
                ("amount", "две тысячи"),
            ],
        )
        .await;
    assert!(
        bad.headers
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.contains("error=invalid_money"))
    );
    let paid = t
        .form(
            &acc,
            &format!("/invoices/{invoice_id}/pay"),
            &[
                ("back", &format!("/orders/{first}")),
                ("amount", "500,00"),
                ("paid_on", "2026-01-16"),
                ("reference", "п/п 5"),
            ],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER);
    let account_card = t.page(&acc, &format!("/accounts/{account}")).await;
    // 1 200,00 ₽ invoiced, 500,00 ₽ paid: 700 ₽ owed.
    assert!(
        account_card.text.contains("700\u{a0}₽"),
        "{}",
        account_card.text
    );
    assert!(account_card.text.contains("п/п 5"));
    assert!(!account_card.text.contains("id=\"credit-hold\""));

    t.clock.advance(20 * DAY);
    let acc = t.session("acc@x.ru").await;
    let account_card = t.page(&acc, &format!("/accounts/{account}")).await;
    assert!(
        account_card.text.contains("Стоп-отгрузка."),
        "{}",
        account_card.text
    );
    let overdue = t.page(&acc, "/invoices?show=overdue").await;
    assert!(overdue.text.contains("СЧ-000001") && overdue.text.contains("просрочен"));
    let released = t
        .form(
            &acc,
            &format!("/accounts/{account}/release"),
            &[("comment", "Оплата в пути")],
        )
        .await;
    assert_eq!(released.status, StatusCode::SEE_OTHER);
    let account_card = t.page(&acc, &format!("/accounts/{account}")).await;
    assert!(
        account_card
            .text
            .contains("Стоп-отгрузка снята бухгалтером до 2026-02-07"),
        "{}",
        account_card.text
    );
    t.finish().await;
}
