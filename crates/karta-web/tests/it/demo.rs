//! The demo company tells its own story end to end: every won deal in
//! roubles sells products, so its order, invoice and payment follow.

use axum::http::{Method, StatusCode};
use karta_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_won_demo_deal_goes_on_to_its_order_invoice_and_payment() {
    let t = TestApp::spawn().await;
    karta_app::demo::load(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let head = t.token("head@demo.karta", &[]).await;
    let won = t.get("/api/v1/deals?status=won&limit=200", &head).await;
    let roubles: Vec<String> = won.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|d| d["currency"] == "RUB")
        .filter_map(|d| d["id"].as_str().map(String::from))
        .collect();
    assert!(roubles.len() >= 10, "{}", won.text);
    for id in &roubles {
        let lines = t.get(&format!("/api/v1/deals/{id}/lines"), &head).await;
        assert!(
            lines.json["lines"]
                .as_array()
                .is_some_and(|l| !l.is_empty()),
            "won deal {id} sells nothing: {}",
            lines.text
        );
    }
    // The first one without an order yet goes all the way.
    let mut order = None;
    for id in &roubles {
        let made = t
            .call(
                Method::POST,
                &format!("/api/v1/deals/{id}/order"),
                Some(&head),
                None,
                &[],
            )
            .await;
        if made.status == StatusCode::CREATED {
            order = Some(made);
            break;
        }
        assert_eq!(made.json["code"], "order_exists", "{}", made.text);
    }
    let order = order.unwrap_or_else(|| panic!("no won deal could be ordered"));
    let order_id = order.json["id"].as_str().unwrap_or_default().to_string();
    let confirmed = t
        .call(
            Method::POST,
            &format!("/api/v1/orders/{order_id}/status"),
            Some(&head),
            Some(json!({"status": "confirmed"})),
            &[("if-match", &format!("\"{}\"", order.json["version"]))],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    let accountant = t.token("accounts@demo.karta", &[]).await;
    let invoice = t
        .post(
            "/api/v1/invoices",
            &accountant,
            json!({"order_id": order_id}),
        )
        .await;
    assert_eq!(invoice.status, StatusCode::CREATED, "{}", invoice.text);
    let paid = t
        .post(
            "/api/v1/payments",
            &accountant,
            json!({"invoice_id": invoice.json["id"], "amount_minor": invoice.json["amount_minor"], "paid_on": "2026-01-15"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text);
    t.finish().await;
}
