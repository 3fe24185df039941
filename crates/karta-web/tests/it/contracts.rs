//! Contracts: an order under a contract takes only its products at its
//! prices unless a head of sales records why not; its invoices fall due
//! after the contract's days; its credit limit puts the customer on hold —
//! through the real router on SQLite and (with KARTA_TEST_DATABASE_URL)
//! PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};

async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

fn codes(a: &Answer) -> Vec<(String, String)> {
    a.json["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
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

#[tokio::test]
async fn an_order_under_a_contract_keeps_to_its_products_prices_terms_and_limit() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    made(&t, "/api/v1/classifiers", &admin,
        json!({"kind": "payment_method", "code": "transfer", "label_ru": "Безналичный расчёт", "label_en": "Bank transfer"})).await;
    let lathe = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 1_000_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let cutter = id(&made(&t, "/api/v1/products", &head, json!({"sku": "FR-1", "name": "Фреза", "list_price_minor": 5_000, "vat_rate": 20, "stock_quantity": 100})).await);
    let account = id(&made(
        &t,
        "/api/v1/accounts",
        &rep,
        json!({"name": "ООО Договорник"}),
    )
    .await);

    let refused = t
        .post(
            "/api/v1/contracts",
            &rep,
            json!({"account_id": account, "number": "Д-1", "valid_from": "2026-01-01"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let contract = made(
        &t,
        "/api/v1/contracts",
        &head,
        json!({"account_id": account, "number": "Д-2026/17", "valid_from": "2026-01-01",
               "valid_to": "2026-12-31", "status": "active", "payment_days": 30,
               "credit_limit_minor": 1_500_000, "payment_method": "transfer",
               "items": [{"product_id": lathe, "price_minor": 900_000}]}),
    )
    .await;
    assert_eq!(contract.json["in_force"], true);
    let contract_id = id(&contract);
    // The account's rep reads it.
    let read = t
        .get(&format!("/api/v1/contracts?account_id={account}"), &rep)
        .await;
    assert_eq!(read.json["items"][0]["number"], "Д-2026/17");

    // Only contracted products, only at the contracted price.
    let outside = t
        .post("/api/v1/orders", &rep, json!({"account_id": account, "contract_id": contract_id,
            "lines": [{"product_id": cutter, "quantity": 1}, {"product_id": lathe, "quantity": 1, "price_minor": 800_000}]}))
        .await;
    assert_eq!(
        codes(&outside),
        [
            (
                "lines[0].product_id".to_string(),
                "not_in_contract".to_string()
            ),
            ("lines[1].price_minor".into(), "not_contract_price".into()),
        ]
    );
    let by_rep = t
        .post("/api/v1/orders", &rep, json!({"account_id": account, "contract_id": contract_id,
            "contract_override": "Клиент просил фрезы", "lines": [{"product_id": cutter, "quantity": 1}]}))
        .await;
    assert_eq!(by_rep.status, StatusCode::FORBIDDEN);
    let overridden = made(
        &t,
        "/api/v1/orders",
        &head,
        json!({"account_id": account, "contract_id": contract_id,
               "contract_override": "Разовая поставка фрез по согласованию",
               "lines": [{"product_id": cutter, "quantity": 2}]}),
    )
    .await;
    let history = t
        .get(&format!("/api/v1/orders/{}/history", id(&overridden)), &rep)
        .await;
    assert!(
        history.json["items"][0]["comment"]
            .as_str()
            .is_some_and(|c| c.contains("Разовая поставка фрез")),
        "{}",
        history.text
    );

    let order = made(
        &t,
        "/api/v1/orders",
        &rep,
        json!({"account_id": account, "contract_id": contract_id, "lines": [{"product_id": lathe, "quantity": 1}]}),
    )
    .await;
    let order_id = id(&order);
    assert_eq!(
        order.json["payment_method"], "transfer",
        "paid as the contract says"
    );
    let lines = t
        .get(&format!("/api/v1/orders/{order_id}/lines"), &rep)
        .await;
    assert_eq!(lines.json["lines"][0]["unit_price_minor"], 900_000);
    assert_eq!(lines.json["lines"][0]["price_rule"], "contract");
    assert_eq!(
        move_to(&t, &order_id, &rep, "confirmed").await.status,
        StatusCode::OK
    );
    // Due after the contract's 30 days.
    let invoice = made(
        &t,
        "/api/v1/invoices",
        &accountant,
        json!({"order_id": order_id}),
    )
    .await;
    assert_eq!(invoice.json["due_on"], "2026-02-14");

    // 1 080 000 owed; a second lathe would make 2 160 000, over the
    // 1 500 000 limit: it is not confirmed.
    let hold = t
        .get(&format!("/api/v1/accounts/{account}/credit-hold"), &rep)
        .await;
    assert_eq!(
        (
            hold.json["on_hold"].as_bool(),
            hold.json["exposure_minor"].as_i64()
        ),
        (Some(false), Some(1_080_000))
    );
    assert_eq!(hold.json["credit_limit_minor"], 1_500_000);
    let second = made(
        &t,
        "/api/v1/orders",
        &rep,
        json!({"account_id": account, "contract_id": contract_id, "lines": [{"product_id": lathe, "quantity": 1}]}),
    )
    .await;
    let stopped = move_to(&t, &id(&second), &rep, "confirmed").await;
    assert_eq!(stopped.json["code"], "credit_hold");
    assert_eq!(stopped.json["facts"]["reason"], "over_limit");
    assert_eq!(stopped.json["facts"]["exposure_minor"], 2_160_000);

    // A draft placed under the contract, then the contract's price goes
    // up: the draft is no longer at the contract's price.
    let draft = made(
        &t,
        "/api/v1/orders",
        &rep,
        json!({"account_id": account, "contract_id": contract_id, "lines": [{"product_id": lathe, "quantity": 1}]}),
    )
    .await;
    let current = t
        .get(&format!("/api/v1/contracts/{contract_id}"), &head)
        .await;
    let etag = format!("\"{}\"", current.json["version"]);
    let repriced = t
        .call(Method::PATCH, &format!("/api/v1/contracts/{contract_id}"), Some(&head),
            Some(json!({"items": [{"product_id": lathe, "price_minor": 950_000}], "credit_limit_minor": null})),
            &[("if-match", etag.as_str())])
        .await;
    assert_eq!(repriced.status, StatusCode::OK, "{}", repriced.text);
    let stale = move_to(&t, &id(&draft), &rep, "confirmed").await;
    assert_eq!(stale.json["code"], "not_in_contract", "{}", stale.text);
    assert_eq!(
        stale.json["facts"]["lines"][0]["contract_price_minor"],
        950_000
    );

    // A terminated contract takes no more orders.
    let etag = format!("\"{}\"", repriced.json["version"]);
    let ended = t
        .call(
            Method::PATCH,
            &format!("/api/v1/contracts/{contract_id}"),
            Some(&head),
            Some(json!({"status": "terminated"})),
            &[("if-match", etag.as_str())],
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    let late = t
        .post("/api/v1/orders", &rep, json!({"account_id": account, "contract_id": contract_id, "lines": [{"product_id": lathe, "quantity": 1}]}))
        .await;
    assert_eq!(
        codes(&late),
        [(
            "contract_id".to_string(),
            "contract_not_in_force".to_string()
        )]
    );
    t.finish().await;
}

#[tokio::test]
async fn a_contract_is_written_from_the_client_card_and_orders_keep_to_it() {
    let t = TestApp::spawn().await;
    let head_token = t.user("head@x.ru", "head_of_sales", None).await;
    made(&t, "/api/v1/products", &head_token, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 1_000_000, "stock_quantity": 5})).await;
    made(
        &t,
        "/api/v1/products",
        &head_token,
        json!({"sku": "FR-1", "name": "Фреза", "list_price_minor": 5_000, "stock_quantity": 5}),
    )
    .await;
    let account = id(&made(
        &t,
        "/api/v1/accounts",
        &head_token,
        json!({"name": "ООО Договорник"}),
    )
    .await);
    let head = t.session("head@x.ru").await;
    let card = t.page(&head, &format!("/accounts/{account}")).await;
    assert!(
        card.text
            .contains(&format!("/contracts/new?account={account}")),
        "{}",
        card.text
    );
    let path = format!("/contracts/new?account={account}");
    let wrong = t
        .form(
            &head,
            &path,
            &[
                ("number", "Д-7"),
                ("status", "active"),
                ("valid_from", "2026-01-01"),
                ("contract_items", "НЕТ = 5"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(
        wrong.text.contains("строка 1: Нет такого товара"),
        "{}",
        wrong.text
    );
    let saved = t
        .form(
            &head,
            &path,
            &[
                ("number", "Д-7"),
                ("status", "active"),
                ("valid_from", "2026-01-01"),
                ("payment_days", "30"),
                ("credit_limit", "50 000"),
                ("contract_items", "ST-1 = 9 000,00"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let contract_path = saved
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let contract = t.page(&head, &contract_path).await;
    assert!(
        contract.text.contains("9\u{a0}000\u{a0}₽") && contract.text.contains("50\u{a0}000\u{a0}₽"),
        "{}",
        contract.text
    );

    let form = t
        .page(&head, &format!("/orders/new?account={account}"))
        .await;
    assert!(
        form.text.contains("name=\"contract_id\"")
            && form.text.contains("Д-7")
            && form.text.contains("name=\"payment_method\""),
        "{}",
        form.text
    );
    let code = t
        .get(&format!("/api/v1/accounts/{account}"), &head_token)
        .await
        .json["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let contract_id = contract_path.trim_start_matches("/contracts/").to_string();
    let outside = t
        .form(
            &head,
            "/orders/new",
            &[
                ("account_code", &code),
                ("contract_id", &contract_id),
                ("lines", "FR-1; 1"),
                ("delivery_address", ""),
            ],
        )
        .await;
    assert_eq!(outside.status, StatusCode::OK);
    assert!(
        outside.text.contains("Этого товара нет в договоре"),
        "{}",
        outside.text
    );
    let placed = t
        .form(
            &head,
            "/orders/new",
            &[
                ("account_code", &code),
                ("contract_id", &contract_id),
                ("lines", "ST-1; 1"),
                ("delivery_address", ""),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER);
    let order = t
        .page(
            &head,
            placed
                .headers
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default(),
        )
        .await;
    assert!(order.text.contains("9\u{a0}000\u{a0}₽"), "{}", order.text);

    // Deleted from its card, the contract waits in the trash and comes back.
    let contract = t.page(&head, &contract_path).await;
    assert!(
        contract
            .text
            .contains(&format!("action=\"{contract_path}/delete\""))
    );
    let deleted = t
        .form(
            &head,
            &format!("{contract_path}/delete"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let gone = t
        .get(&format!("/api/v1/{}", &contract_path[1..]), &head_token)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let trash = t.page(&head, "/trash").await;
    assert!(
        trash.text.contains("Договоры")
            && trash
                .text
                .contains(&format!("action=\"/trash{contract_path}/restore\"")),
        "{}",
        trash.text
    );
    // Accounting reads every contract but deletes none, so restores none.
    t.user("acc@x.ru", "accountant", None).await;
    let accountant = t.session("acc@x.ru").await;
    let their_trash = t.page(&accountant, "/trash").await;
    assert!(
        !their_trash
            .text
            .contains(&format!("{contract_path}/restore")),
        "{}",
        their_trash.text
    );
    let restored = t
        .form(
            &head,
            &format!("{contract_path}/restore"),
            &[("version", "2")],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let back = t
        .get(&format!("/api/v1/{}", &contract_path[1..]), &head_token)
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    // Deleted again and left past the restore window, housekeeping purges it.
    let version = back.json["version"].to_string();
    let deleted = t
        .form(
            &head,
            &format!("{contract_path}/delete"),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    t.clock
        .advance(t.app.config.restore_window + 86_400_000_000);
    let tidied = karta_app::maintenance::run(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(tidied.purged.contains(&("contracts", 1)), "{tidied:?}");
    let trash = t.page(&head, "/trash").await;
    assert!(!trash.text.contains(&contract_path), "{}", trash.text);
    t.finish().await;
}
