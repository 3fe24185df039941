//! Price lists and the price a customer gets, through the real router on
//! SQLite and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};

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

async fn made(t: &TestApp, path: &str, token: &str, body: Value) -> String {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    id(&a)
}

/// `(price, rule, list name)` of each product for one account on a day.
async fn prices(
    t: &TestApp,
    token: &str,
    account: &str,
    products: &[&str],
    date: &str,
) -> Vec<(i64, String, String)> {
    let a = t
        .get(
            &format!(
                "/api/v1/prices?account_id={account}&product_ids={}&date={date}",
                products.join(",")
            ),
            token,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|q| {
            (
                q["price_minor"].as_i64().unwrap_or_default(),
                q["rule"].as_str().unwrap_or_default().to_string(),
                q["price_list_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn quote(price: i64, rule: &str, list: &str) -> (i64, String, String) {
    (price, rule.to_string(), list.to_string())
}

#[tokio::test]
async fn the_server_decides_each_customers_price_from_the_most_specific_valid_list() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let stranger = t.user("far@x.ru", "sales_rep", Some("Урал")).await;
    let segment = t
        .post(
            "/api/v1/classifiers",
            &admin,
            json!({"kind": "segment", "code": "smb", "label_ru": "МСБ", "label_en": "SMB"}),
        )
        .await;
    assert_eq!(segment.status, StatusCode::CREATED, "{}", segment.text);
    let p1 = made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "P1", "name": "Станок", "list_price_minor": 100_000}),
    )
    .await;
    let p2 = made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "P2", "name": "Фреза", "list_price_minor": 50_000}),
    )
    .await;
    let customer = made(
        &t,
        "/api/v1/accounts",
        &rep,
        json!({"name": "ООО Альфа", "types": ["customer"], "segment": "smb"}),
    )
    .await;
    let dealer = made(
        &t,
        "/api/v1/accounts",
        &rep,
        json!({"name": "ООО Дилер", "types": ["dealer"]}),
    )
    .await;

    // Refusals first: nothing is stored by any of them.
    let refused = t
        .post(
            "/api/v1/price-lists",
            &rep,
            json!({"name": "Мой", "discount_percent": 50}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = t
        .post(
            "/api/v1/price-lists",
            &head,
            json!({"name": "Кривой", "scope": "account", "account_id": p1,
                   "items": [{"product_id": customer, "price_minor": 1}]}),
        )
        .await;
    assert_eq!(
        codes(&bad),
        [
            ("account_id".to_string(), "unknown_account".to_string()),
            ("items[0].product_id".into(), "unknown_product".into()),
        ]
    );
    let list = t.get("/api/v1/price-lists", &rep).await;
    assert_eq!(list.json["items"], json!([]));

    made(
        &t,
        "/api/v1/price-lists",
        &head,
        json!({"name": "Всем −3 %", "discount_percent": 3}),
    )
    .await;
    let dealers = made(
        &t,
        "/api/v1/price-lists",
        &head,
        json!({"name": "Дилерам", "scope": "account_type", "account_type": "dealer",
               "items": [{"product_id": p1, "discount_percent": 12.5}]}),
    )
    .await;
    made(
        &t,
        "/api/v1/price-lists",
        &head,
        json!({"name": "Альфе на 2026", "scope": "account", "account_id": customer,
               "valid_from": "2026-01-01", "valid_to": "2026-12-31",
               "items": [{"product_id": p2, "price_minor": 40_000}]}),
    )
    .await;
    made(
        &t,
        "/api/v1/price-lists",
        &head,
        json!({"name": "МСБ с 2027", "scope": "segment", "segment": "smb",
               "valid_from": "2027-01-01", "discount_percent": 5}),
    )
    .await;

    let both = [p1.as_str(), p2.as_str()];
    assert_eq!(
        prices(&t, &rep, &customer, &both, "2026-03-01").await,
        [
            quote(97_000, "list_discount", "Всем −3 %"),
            quote(40_000, "fixed", "Альфе на 2026"),
        ]
    );
    assert_eq!(
        prices(&t, &rep, &dealer, &both, "2026-03-01").await,
        [
            quote(87_500, "product_discount", "Дилерам"),
            quote(48_500, "list_discount", "Всем −3 %"),
        ]
    );
    // In 2027 the account's own list has ended and the segment's begun.
    assert_eq!(
        prices(&t, &rep, &customer, &both, "2027-02-01").await,
        [
            quote(95_000, "list_discount", "МСБ с 2027"),
            quote(47_500, "list_discount", "МСБ с 2027"),
        ]
    );
    // A rep of another team may not learn what this customer pays.
    let hidden = t
        .get(
            &format!("/api/v1/prices?account_id={customer}&product_ids={p1}"),
            &stranger,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // Emptying the dealers' prices brings back the list for everyone.
    let current = t
        .get(&format!("/api/v1/price-lists/{dealers}"), &head)
        .await;
    let version = current.json["version"].as_i64();
    let emptied = t
        .patch(
            &format!("/api/v1/price-lists/{dealers}"),
            &head,
            version,
            json!({"items": []}),
        )
        .await;
    assert_eq!(emptied.status, StatusCode::OK, "{}", emptied.text);
    assert_eq!(
        prices(&t, &rep, &dealer, &[p1.as_str()], "2026-03-01").await,
        [quote(97_000, "list_discount", "Всем −3 %")]
    );
    let history = t
        .get(&format!("/api/v1/price-lists/{dealers}/history"), &rep)
        .await;
    assert!(
        history.json["items"]
            .as_array()
            .is_some_and(|h| h.iter().any(|c| c["field"] == "items")),
        "{}",
        history.text
    );

    // To the trash and back.
    let etag = format!("\"{}\"", emptied.json["version"]);
    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/price-lists/{dealers}"),
            Some(&head),
            None,
            &[("if-match", etag.as_str())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    let names = |a: &Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|l| l["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(!names(&t.get("/api/v1/price-lists", &rep).await).contains(&"Дилерам".to_string()));
    let etag = format!("\"{}\"", deleted.json["version"]);
    let back = t
        .call(
            Method::POST,
            &format!("/api/v1/price-lists/{dealers}/restore"),
            Some(&head),
            None,
            &[("if-match", etag.as_str())],
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(names(&t.get("/api/v1/price-lists", &rep).await).contains(&"Дилерам".to_string()));
    t.finish().await;
}

#[tokio::test]
async fn a_price_list_is_written_in_the_form_one_product_per_line() {
    let t = TestApp::spawn().await;
    let head_token = t.user("head@x.ru", "head_of_sales", None).await;
    made(
        &t,
        "/api/v1/products",
        &head_token,
        json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 1_000_000}),
    )
    .await;
    let head = t.session("head@x.ru").await;
    let wrong = t
        .form(
            &head,
            "/price-lists/new",
            &[
                ("name", "Дилерам"),
                ("scope", "account_type"),
                ("account_type", "dealer"),
                ("items", "ST-1 = 7,5 %\nNOPE = 10"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(
        wrong.text.contains("строка 2: Нет такого товара"),
        "{}",
        wrong.text
    );
    let saved = t
        .form(
            &head,
            "/price-lists/new",
            &[
                ("name", "Дилерам"),
                ("scope", "account_type"),
                ("account_type", "dealer"),
                ("items", "ST-1 = 7,5 %"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let card_path = saved
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let card = t.page(&head, &card_path).await;
    // 10 000 ₽ less 7,5 % is 9 250 ₽.
    assert!(
        card.text.contains("9\u{a0}250\u{a0}₽ (−7,5 %)"),
        "{}",
        card.text
    );
    let edit = t.page(&head, &format!("{card_path}/edit")).await;
    assert!(edit.text.contains("ST-1 = 7,5 %"), "{}", edit.text);
    t.finish().await;
}
