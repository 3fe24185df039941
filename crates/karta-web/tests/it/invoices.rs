//! Invoices, partial payments, and the credit hold that stops confirming
//! and shipping to a customer in arrears until paid or released — through
//! the real router on SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, encode, id};
use serde_json::{Value, json};

const DAY: i64 = 86_400_000_000;

pub(crate) async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

pub(crate) async fn move_to(t: &TestApp, order: &str, token: &str, status: &str) -> Answer {
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

pub(crate) async fn order(
    t: &TestApp,
    token: &str,
    account: &str,
    product: &str,
    quantity: i64,
) -> String {
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
    // An invoice in another currency is owed beside, not added to, roubles.
    let licence = id(&made(&t, "/api/v1/products", &head, json!({"sku": "LIC-1", "name": "Лицензия", "list_price_minor": 10_000, "vat_rate": 0, "currency": "USD", "unit": "service"})).await);
    let abroad = order(&t, &head, &account, &licence, 3).await;
    move_to(&t, &abroad, &head, "confirmed").await;
    let accountant = t.token("acc@x.ru", &[]).await;
    let usd_invoice = id(&made(
        &t,
        "/api/v1/invoices",
        &accountant,
        json!({"order_id": abroad}),
    )
    .await);
    let usd_payment = t
        .post(
            "/api/v1/payments",
            &accountant,
            json!({"invoice_id": usd_invoice, "amount_minor": 10_000}),
        )
        .await;
    assert_eq!(usd_payment.json["currency"], "USD", "{}", usd_payment.text);
    let account_card = t.page(&acc, &format!("/accounts/{account}")).await;
    assert!(
        account_card.text.contains("700\u{a0}₽ · 200\u{a0}$"),
        "{}",
        account_card.text
    );

    t.clock.advance(20 * DAY);
    let acc = t.session("acc@x.ru").await;
    let account_card = t.page(&acc, &format!("/accounts/{account}")).await;
    assert!(
        account_card.text.contains("Стоп-отгрузка."),
        "{}",
        account_card.text
    );
    assert!(
        !account_card.text.contains("с 2026-") && account_card.text.contains(".2026"),
        "the overdue date as a Russian reads it: {}",
        account_card.text
    );
    let overdue = t.page(&acc, "/invoices?show=overdue").await;
    assert!(overdue.text.contains("СЧ-000001") && overdue.text.contains("просрочен"));
    assert!(
        overdue.text.contains(".2026 ⚠") && !overdue.text.contains(">2026-0"),
        "dates as a Russian reads them: {}",
        overdue.text
    );
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
            .contains("Стоп-отгрузка снята бухгалтером до 07.02.2026"),
        "{}",
        account_card.text
    );

    // A customer with invoices is kept: its purge would take them along.
    let head = t.token("head@x.ru", &[]).await;
    let version = t
        .get(&format!("/api/v1/accounts/{account}"), &head)
        .await
        .json["version"]
        .to_string();
    let refused = t
        .call(
            Method::DELETE,
            &format!("/api/v1/accounts/{account}"),
            Some(&head),
            None,
            &[("if-match", format!("\"{version}\"").as_str())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.json["code"], "has_documents");
    assert_eq!(refused.json["facts"], json!({"orders": 2, "invoices": 2}));
    // In a browser the refusal is a page in the person's language.
    let browser = t.session("head@x.ru").await;
    let page = t
        .form_with(
            &browser,
            &format!("/accounts/{account}/delete"),
            &[("version", &version)],
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.text.contains("<h1>Действие не выполнено</h1>")
            && page.text.contains("У клиента есть заказы или счета"),
        "{}",
        page.text
    );
    let missing = t
        .call(
            Method::GET,
            "/accounts/0190a0a0-0000-7000-8000-000000000000",
            None,
            None,
            &[("cookie", browser.cookie.as_str()), ("accept", "text/html")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.text.contains("Такой записи нет"),
        "{}",
        missing.text
    );
    let still = t.get(&format!("/api/v1/accounts/{account}"), &head).await;
    assert_eq!(still.status, StatusCode::OK);
    t.finish().await;
}

#[tokio::test]
async fn accounting_takes_a_periods_orders_invoices_and_payments_as_spreadsheets() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let far = t.user("far@x.ru", "sales_rep", Some("Урал")).await;
    let product = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let account = id(&made(
        &t,
        "/api/v1/accounts",
        &head,
        json!({"name": "ООО Учёт", "inn": "7707083893"}),
    )
    .await);
    let january = order(&t, &head, &account, &product, 1).await;
    move_to(&t, &january, &head, "confirmed").await;
    let invoice = id(&made(
        &t,
        "/api/v1/invoices",
        &accountant,
        json!({"order_id": january}),
    )
    .await);
    made(
        &t,
        "/api/v1/payments",
        &accountant,
        json!({"invoice_id": invoice, "amount_minor": 120_000, "reference": "п/п 42"}),
    )
    .await;
    t.clock.advance(31 * DAY);
    let accountant = t.token("acc@x.ru", &[]).await;
    let head = t.token("head@x.ru", &[]).await;
    let far = {
        let _ = far;
        t.token("far@x.ru", &[]).await
    };
    let february = order(&t, &head, &account, &product, 2).await;
    move_to(&t, &february, &head, "confirmed").await;
    made(
        &t,
        "/api/v1/invoices",
        &accountant,
        json!({"order_id": february}),
    )
    .await;

    let csv = t
        .get(
            "/api/v1/invoices/export.csv?issued_from=2026-01-01&issued_to=2026-02-01",
            &accountant,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    let rows: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        rows[0].starts_with("number,issued_on,due_on,account_name,account_inn"),
        "{}",
        rows[0]
    );
    assert_eq!(rows.len(), 2, "January only: {}", csv.text);
    assert!(
        rows[1].starts_with("1,2026-01-15,2026-01-29,ООО Учёт,7707083893,RUB,120000,120000,0,paid"),
        "{}",
        rows[1]
    );
    let payments = t
        .get(
            "/api/v1/payments/export.csv?paid_from=2026-01-01&paid_to=2026-02-01",
            &accountant,
        )
        .await;
    assert!(
        payments.text.contains("п/п 42")
            && payments.text.contains("ООО Учёт,7707083893,RUB,120000"),
        "{}",
        payments.text
    );
    let orders = t
        .get(
            "/api/v1/orders/export.csv?created_from=2026-02-01",
            &accountant,
        )
        .await;
    assert_eq!(orders.text.trim().lines().count(), 2, "{}", orders.text);
    let xlsx = t.get("/api/v1/invoices/export.xlsx", &accountant).await;
    assert!(xlsx.bytes.starts_with(b"PK"));
    let hidden = t.get("/api/v1/invoices/export.csv", &far).await;
    assert_eq!(
        hidden
            .text
            .trim_start_matches('\u{feff}')
            .trim()
            .lines()
            .count(),
        1,
        "{}",
        hidden.text
    );
    let bad = t
        .get(
            "/api/v1/invoices/export.csv?issued_from=январь",
            &accountant,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The same orders for 1C, as CommerceML.
    let xml = t.get("/api/v1/orders/export.xml", &accountant).await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.text);
    assert!(
        xml.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/xml"))
    );
    assert!(
        xml.text.starts_with("<?xml")
            && xml.text.trim_end().ends_with("</КоммерческаяИнформация>")
            && xml.text.matches("<Документ>").count() == 2
            && xml.text.contains("<Номер>З-000001</Номер>")
            && xml.text.contains("<ИНН>7707083893</ИНН>")
            && xml.text.contains("<Артикул>ST-1</Артикул>")
            && xml.text.contains("<Ставка>20</Ставка>"),
        "{}",
        xml.text
    );
    let theirs = t.get("/api/v1/orders/export.xml", &far).await;
    assert!(
        !theirs.text.contains("<Документ>") && theirs.text.contains("</КоммерческаяИнформация>"),
        "another team's rep gets an empty file: {}",
        theirs.text
    );
    t.finish().await;
}

/// The search boxes of the order and invoice lists (page and API) find a
/// document by its number as people type it, or by its customer's name or
/// code; a query that matches nothing shows nothing.
#[tokio::test]
async fn order_and_invoice_lists_find_a_document_by_number_or_customer() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let product = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let siberia = made(
        &t,
        "/api/v1/accounts",
        &head,
        json!({"name": "ООО Сибирь-Трейд"}),
    )
    .await;
    let volga = id(&made(&t, "/api/v1/accounts", &head, json!({"name": "АО Волга"})).await);
    let code = siberia.json["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for account in [id(&siberia), volga] {
        let placed = order(&t, &head, &account, &product, 1).await;
        assert_eq!(
            move_to(&t, &placed, &head, "confirmed").await.status,
            StatusCode::OK
        );
        made(
            &t,
            "/api/v1/invoices",
            &accountant,
            json!({"order_id": placed}),
        )
        .await;
    }
    let numbers = |a: &Answer| -> Vec<i64> {
        a.json["items"]
            .as_array()
            .map(|items| items.iter().filter_map(|i| i["number"].as_i64()).collect())
            .unwrap_or_default()
    };
    for (q, expected) in [
        ("З-000002", vec![2]),
        ("3-000002", vec![2]),
        ("SO-1", vec![1]),
        ("1", vec![1]),
        ("Сибирь", vec![1]),
        ("волге", vec![2]),
        (code.as_str(), vec![1]),
        ("zzzzzz", vec![]),
    ] {
        let found = t
            .get(&format!("/api/v1/orders?q={}", encode(q)), &head)
            .await;
        assert_eq!(found.status, StatusCode::OK, "{q}: {}", found.text);
        assert_eq!(numbers(&found), expected, "orders {q}");
    }
    for (q, expected) in [
        ("СЧ-000001", vec![1]),
        ("INV-2", vec![2]),
        ("Волга", vec![2]),
    ] {
        let found = t
            .get(&format!("/api/v1/invoices?q={}", encode(q)), &accountant)
            .await;
        assert_eq!(numbers(&found), expected, "invoices {q}");
    }
    // The global search opens a document by its number.
    let found = t
        .get(
            &format!("/api/v1/search?q={}", encode("З-000002")),
            &accountant,
        )
        .await;
    assert_eq!(found.json["orders"][0]["number"], 2, "{}", found.text);
    assert_eq!(found.json["invoices"][0]["number"], 2, "{}", found.text);
    let session = t.session("acc@x.ru").await;
    let page = t
        .page(&session, &format!("/search?q={}", encode("СЧ-000001")))
        .await;
    assert!(
        page.text.contains("Заказы и счета") && page.text.contains("СЧ-000001"),
        "{}",
        page.text
    );
    let page = t
        .page(&session, &format!("/orders?q={}", encode("Сибирь")))
        .await;
    assert!(
        page.text.contains("З-000001") && !page.text.contains("З-000002"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("value=\"Сибирь\""),
        "the search box keeps the query"
    );
    assert!(page.text.contains("Номер заказа (З-000015) или клиент"));
    let page = t
        .page(&session, &format!("/invoices?q={}", encode("СЧ-000002")))
        .await;
    assert!(
        page.text.contains("СЧ-000002") && !page.text.contains("СЧ-000001"),
        "{}",
        page.text
    );
    t.finish().await;
}
