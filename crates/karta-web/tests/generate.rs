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
