//! Room for the portal: a principal bounded to one customer account
//! (`Principal::account_id`, `Visibility::Account`) reaches that account's
//! records — contacts through their links — and nothing of another
//! customer's, in lists, cards, look-ups by id, search and the trash, with
//! the same SQL predicates staff lists use. No route makes such a principal
//! yet; this one is made by hand.

use axum::http::{Method, StatusCode};
use karta_app::{AppError, Principal, accounts, activities, contacts, deals, search, trash};
use karta_core::accounts::{AccountFilter, AccountSort};
use karta_core::activities::ActivityFilter;
use karta_core::contacts::{ContactFilter, ContactSort};
use karta_core::deals::{DealFilter, DealSort};
use karta_core::roles::Role;
use karta_testkit::{TestApp, id};
use serde_json::json;
use uuid::Uuid;

fn ok<T>(r: Result<T, AppError>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[tokio::test]
async fn an_account_bound_principal_reaches_its_customer_and_nothing_else() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    t.user("client@x.ru", "read_only", None).await;
    t.post(
        "/api/v1/pipelines",
        &admin,
        json!({"name": "Продажи", "stages": [
        {"name": "Новая", "probability": 10},
        {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
        {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}]}),
    )
    .await;
    let made = |path: &'static str, body: serde_json::Value| {
        let t = &t;
        let admin = admin.clone();
        async move {
            let a = t.post(path, &admin, body).await;
            assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
            id(&a)
        }
    };
    let own = made("/api/v1/accounts", json!({"name": "ООО Свой клиент"})).await;
    let other = made("/api/v1/accounts", json!({"name": "ООО Чужой клиент"})).await;
    let own_contact = made(
        "/api/v1/contacts",
        json!({"last_name": "Своёв", "account_ids": [own]}),
    )
    .await;
    let shared_contact = made(
        "/api/v1/contacts",
        json!({"last_name": "Общий", "account_ids": [other, own]}),
    )
    .await;
    let other_contact = made(
        "/api/v1/contacts",
        json!({"last_name": "Чужов", "account_ids": [other]}),
    )
    .await;
    let own_deal = made(
        "/api/v1/deals",
        json!({"title": "Своя сделка", "account_id": own}),
    )
    .await;
    let other_deal = made(
        "/api/v1/deals",
        json!({"title": "Чужая сделка", "account_id": other}),
    )
    .await;
    made(
        "/api/v1/activities",
        json!({"kind": "call", "subject": "Свой звонок", "account_id": own}),
    )
    .await;
    made(
        "/api/v1/activities",
        json!({"kind": "call", "subject": "Чужой звонок", "account_id": other}),
    )
    .await;
    // Another customer's deleted deal stays out of the trash too.
    let binned = made(
        "/api/v1/deals",
        json!({"title": "Чужая удалённая", "account_id": other}),
    )
    .await;
    let gone = t
        .call(
            Method::DELETE,
            &format!("/api/v1/deals/{binned}"),
            Some(&admin),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.text);

    let user = karta_db::users::user_by_email(t.app.db.conn(), "client@x.ru")
        .await
        .ok()
        .flatten()
        .map(|u| u.id)
        .unwrap_or_default();
    // Read-only staff rights (everything), bounded to one customer.
    let p = Principal {
        user_id: user,
        role: Role::ReadOnly,
        team_id: None,
        scopes: None,
        channel: "portal",
        utc_offset_minutes: None,
        account_id: Some(uuid(&own)),
    };
    let app = &t.app;

    let listed = ok(accounts::list(
        app,
        &p,
        AccountFilter::default(),
        AccountSort::default(),
        None,
        50,
    )
    .await);
    let names: Vec<&str> = listed.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ООО Свой клиент"]);
    assert!(accounts::get(app, &p, uuid(&own), false).await.is_ok());
    assert!(matches!(
        accounts::get(app, &p, uuid(&other), false).await,
        Err(AppError::NotFound)
    ));
    let named = ok(accounts::names(app, &p, &[uuid(&own), uuid(&other)]).await);
    assert_eq!(named.len(), 1);

    let (people, _) = ok(contacts::list(
        app,
        &p,
        ContactFilter::default(),
        ContactSort::default(),
        None,
        50,
    )
    .await);
    let mut ids: Vec<String> = people.items.iter().map(|c| c.id.to_string()).collect();
    ids.sort_unstable();
    let mut expected = vec![own_contact.clone(), shared_contact.clone()];
    expected.sort_unstable();
    assert_eq!(ids, expected, "contacts through their account links");
    let visible = ok(contacts::visible(app, &p, &[uuid(&own_contact), uuid(&other_contact)]).await);
    assert_eq!(visible.len(), 1);
    assert!(matches!(
        contacts::get(app, &p, uuid(&other_contact), false).await,
        Err(AppError::NotFound)
    ));

    let sold = ok(deals::list(
        app,
        &p,
        DealFilter::default(),
        DealSort::default(),
        None,
        50,
    )
    .await);
    let titles: Vec<&str> = sold.items.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["Своя сделка"]);
    assert!(deals::get(app, &p, uuid(&own_deal), false).await.is_ok());
    assert!(matches!(
        deals::get(app, &p, uuid(&other_deal), false).await,
        Err(AppError::NotFound)
    ));
    let calls = ok(activities::list(app, &p, ActivityFilter::default(), None, 50).await);
    let subjects: Vec<Option<&str>> = calls.items.iter().map(|a| a.subject.as_deref()).collect();
    assert_eq!(subjects, [Some("Свой звонок")]);

    let found = ok(search::global(app, &p, "клиент", 20).await);
    let found: Vec<&str> = found.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(found, ["ООО Свой клиент"]);
    let found = ok(search::global(app, &p, "сделка", 20).await);
    let titles: Vec<&str> = found.deals.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["Своя сделка"]);

    // Read-only: writes are refused before any bound is consulted.
    assert!(matches!(
        accounts::delete(app, &p, uuid(&own), Some(1)).await,
        Err(AppError::Forbidden)
    ));
    // The trash is a staff tool: read-only restores nothing.
    let binned_kinds = ok(trash::list(app, &p, 50).await);
    assert!(binned_kinds.iter().all(|(_, rows)| rows.is_empty()));
    // Staff with delete rights but bounded: the other customer's deleted
    // deal is not theirs to see.
    let bounded_head = Principal {
        role: Role::HeadOfSales,
        ..p.clone()
    };
    let binned_kinds = ok(trash::list(app, &bounded_head, 50).await);
    assert!(
        binned_kinds.iter().all(|(_, rows)| rows.is_empty()),
        "{binned_kinds:?}"
    );
    t.finish().await;
}
