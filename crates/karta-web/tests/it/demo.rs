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

/// Whether a text has a Latin letter in it.
fn latin(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_alphabetic())
}

#[tokio::test]
async fn the_demo_company_is_russian_through_and_through() {
    let t = TestApp::spawn().await;
    karta_app::demo::load(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let admin = t.token("admin@demo.karta", &[]).await;
    // Every person and company, deal and lead is named in Russian.
    let users = t.get("/api/v1/users", &admin).await;
    for u in users.json["items"].as_array().cloned().unwrap_or_default() {
        assert!(!latin(u["name"].as_str().unwrap_or("x")), "user {u}");
    }
    let accounts = t.get("/api/v1/accounts/export.csv", &admin).await;
    let contacts = t.get("/api/v1/contacts/export.csv", &admin).await;
    let deals = t.get("/api/v1/deals/export.csv", &admin).await;
    let leads = t.get("/api/v1/leads/export.csv", &admin).await;
    let names = |csv: &str, columns: &[&str]| -> Vec<String> {
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let header = reader.headers().cloned().unwrap_or_default();
        let at: Vec<usize> = columns
            .iter()
            .filter_map(|c| header.iter().position(|h| h == *c))
            .collect();
        assert_eq!(at.len(), columns.len(), "{columns:?} in {header:?}");
        reader
            .records()
            .flatten()
            .map(|r| at.iter().map(|i| &r[*i]).collect::<Vec<_>>().join(" "))
            .collect()
    };
    let mut all = Vec::new();
    all.extend(names(&accounts.text, &["name", "legal_address"]));
    all.extend(names(
        &contacts.text,
        &["last_name", "first_name", "middle_name", "position"],
    ));
    all.extend(names(&deals.text, &["title"]));
    all.extend(names(&leads.text, &["person_name", "company_name"]));
    assert!(all.len() > 700, "{}", all.len());
    let foreign: Vec<&String> = all.iter().filter(|n| latin(n)).collect();
    assert!(foreign.is_empty(), "{foreign:?}");
    // Names agree in gender: a woman's surname goes with a woman's name.
    let people = names(&contacts.text, &["last_name", "first_name", "middle_name"]);
    let mismatched: Vec<&String> = people
        .iter()
        .filter(|p| {
            let parts: Vec<&str> = p.split(' ').collect();
            let woman_surname = parts[0].ends_with('а');
            let woman_patronymic = parts.get(2).is_some_and(|m| m.ends_with("вна"));
            woman_surname != woman_patronymic
        })
        .collect();
    assert!(mismatched.is_empty(), "{mismatched:?}");
    // The leads are different people.
    let mut people = names(&leads.text, &["person_name"]);
    let count = people.len();
    people.sort();
    people.dedup();
    assert_eq!(people.len(), count, "a lead's person appears twice");
    t.finish().await;
}
