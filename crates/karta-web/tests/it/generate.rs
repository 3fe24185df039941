//! The dataset generator (`karta demo generate`, the benchmarks) on SQLite
//! and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use karta_core::identifiers::Inn;
use karta_db::entities::{account, activity, contact};
use karta_testkit::TestApp;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};

/// Generates a small company into `t` and reads back its accounts' names
/// and INNs in code order.
async fn company(t: &TestApp, seed: u64) -> Vec<(String, Option<String>)> {
    t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let rep = karta_db::users::user_by_email(t.app.db.conn(), "rep@x.ru")
        .await
        .ok()
        .flatten()
        .map(|u| (u.id, u.team_id))
        .unwrap_or_default();
    karta_app::generate::generate(&t.app, 30, 2, &[rep], seed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    karta_app::generate::generate_activities(&t.app, 3, seed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = t.app.db.conn();
    assert_eq!(contact::Entity::find().count(db).await.unwrap_or(0), 60);
    assert_eq!(activity::Entity::find().count(db).await.unwrap_or(0), 90);
    account::Entity::find()
        .order_by_asc(account::Column::Code)
        .all(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|a| (a.name, a.inn))
        .collect()
}

#[tokio::test]
async fn the_same_seed_generates_the_same_company_with_valid_inns() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn().await;
    let one = company(&first, 7).await;
    let two = company(&second, 7).await;
    assert_eq!(one.len(), 30);
    assert_eq!(one, two, "same seed, same names and INNs");
    for (name, inn) in &one {
        let inn = inn.as_deref().unwrap_or_default();
        assert!(Inn::parse(inn).is_ok(), "{name}: {inn} is not a valid INN");
    }
    first.finish().await;
    second.finish().await;
}

#[tokio::test]
async fn generated_trade_is_invoiced_and_paid_consistently_and_numbered_on() {
    use karta_db::entities::{invoice, order, payment};
    use std::collections::HashMap;
    let t = TestApp::spawn().await;
    company(&t, 3).await;
    karta_app::generate::generate_orders(&t.app, 4, 3)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = t.app.db.conn();
    let orders = order::Entity::find().all(db).await.unwrap_or_default();
    assert_eq!(orders.len(), 120, "4 orders for each of 30 accounts");
    let invoices = invoice::Entity::find().all(db).await.unwrap_or_default();
    let payments = payment::Entity::find().all(db).await.unwrap_or_default();
    let mut paid: HashMap<_, i64> = HashMap::new();
    for p in &payments {
        *paid.entry(p.invoice_id).or_default() += p.amount_minor;
    }
    let by_order: HashMap<_, _> = orders.iter().map(|o| (o.id, o)).collect();
    for i in &invoices {
        let o = by_order[&i.order_id];
        assert_eq!(i.amount_minor, o.gross_minor, "the whole order is invoiced");
        assert!(!matches!(o.status.as_str(), "draft" | "cancelled"));
        assert_eq!(paid.get(&i.id).copied().unwrap_or(0), i.paid_minor);
        assert_eq!(i.status == "paid", i.paid_minor == i.amount_minor);
    }
    let unpaid = invoices.iter().filter(|i| i.status == "open").count();
    assert!(
        unpaid > 0 && unpaid < invoices.len() / 2,
        "{unpaid} of {}",
        invoices.len()
    );
    let mut numbers: Vec<i64> = orders.iter().map(|o| o.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 120, "order numbers are unique");

    // The next order placed by hand takes the next number.
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let product = t.get("/api/v1/products?limit=1", &head).await.json["items"][0]["id"].clone();
    let account = t.get("/api/v1/accounts?limit=1", &head).await.json["items"][0]["id"].clone();
    let placed = t
        .post("/api/v1/orders", &head, serde_json::json!({"account_id": account, "lines": [{"product_id": product, "quantity": 1}]}))
        .await;
    assert_eq!(placed.json["number"], numbers[119] + 1, "{}", placed.text);
    t.finish().await;
}
