//! Duplicate clusters and merges through the API, within each role's rights.

use axum::http::{Method, StatusCode};
use karta_testkit::TestApp;
use serde_json::{Value, json};

fn id(v: &karta_testkit::Answer) -> String {
    v.json["id"].as_str().unwrap_or_default().to_string()
}

async fn created(t: &TestApp, path: &str, token: &str, body: Value) -> karta_testkit::Answer {
    let a = t.post(path, token, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.text);
    a
}

#[tokio::test]
async fn accounts_sharing_an_inn_or_a_name_are_clustered_and_merged_keeping_everything() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;

    let first = created(
        &t,
        "/api/v1/accounts",
        &a,
        json!({"name": "ООО «Ромашка»", "inn": "7707083893"}),
    )
    .await;
    let second = created(&t, "/api/v1/accounts", &a,
        json!({"name": "Ромашка, ооо", "inn": "7707083893", "legal_address": "Москва, Тверская 1", "notes": "старая запись"})).await;
    created(&t, "/api/v1/accounts", &a, json!({"name": "Ромашка Плюс"})).await;
    created(
        &t,
        "/api/v1/accounts",
        &b,
        json!({"name": "ЗАО Ромашка", "inn": "7707083893"}),
    )
    .await;
    let (first_id, second_id) = (id(&first), id(&second));

    // Each sees the clusters of what they may see.
    let mine = t.get("/api/v1/duplicates?reason=inn", &a).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(
        mine.json["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        mine.text
    );
    assert_eq!(
        mine.json["items"][0]["members"].as_array().map(Vec::len),
        Some(2)
    );
    let all = t.get("/api/v1/duplicates?reason=inn", &admin).await;
    assert_eq!(
        all.json["items"][0]["members"].as_array().map(Vec::len),
        Some(3)
    );
    let by_name = t.get("/api/v1/duplicates?reason=name", &admin).await;
    let names: Vec<&str> = by_name.json["items"][0]["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["label"].as_str())
        .collect();
    assert_eq!(
        names.len(),
        3,
        "legal forms and quotes are ignored, «Ромашка Плюс» is not: {}",
        by_name.text
    );
    assert!(!names.contains(&"Ромашка Плюс"));
    let bad = t.get("/api/v1/duplicates?reason=colour", &a).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let paged = t.get("/api/v1/duplicates?reason=inn&limit=1", &admin).await;
    assert!(paged.json["next_cursor"].is_null(), "one cluster, one page");

    // What hangs on the merged account.
    t.post("/api/v1/pipelines", &head, json!({"name": "Продажи", "stages": [{"name": "Новая", "probability": 10},
        {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"}, {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}]})).await;
    let deal = created(
        &t,
        "/api/v1/deals",
        &a,
        json!({"title": "Станки", "account_id": second_id}),
    )
    .await;
    let task = created(
        &t,
        "/api/v1/tasks",
        &a,
        json!({"title": "Позвонить", "due_at": "2026-01-20T10:00:00Z", "account_id": second_id}),
    )
    .await;
    let both = created(
        &t,
        "/api/v1/contacts",
        &a,
        json!({"last_name": "Петров", "account_ids": [first_id, second_id]}),
    )
    .await;
    let only_second = created(
        &t,
        "/api/v1/contacts",
        &a,
        json!({"last_name": "Сидоров", "account_ids": [second_id]}),
    )
    .await;

    // Commerce hangs on it too: a contract, an order under it, a price list.
    let product = id(&created(&t, "/api/v1/products", &head,
        json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 1_000_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let contract = id(&created(&t, "/api/v1/contracts", &head,
        json!({"account_id": second_id, "number": "Д-7", "valid_from": "2026-01-01", "status": "active",
               "items": [{"product_id": product, "price_minor": 900_000}]})).await);
    let order = id(&created(&t, "/api/v1/orders", &a,
        json!({"account_id": second_id, "contract_id": contract, "lines": [{"product_id": product, "quantity": 1}]})).await);
    let prices = id(&created(&t, "/api/v1/price-lists", &head,
        json!({"name": "Ромашке", "scope": "account", "account_id": second_id, "discount_percent": 5})).await);

    // Refusals change nothing.
    let merge_path = format!("/api/v1/accounts/{first_id}/merge");
    let no_version = t.post(&merge_path, &a, json!({"from": [second_id]})).await;
    assert_eq!(
        no_version.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{}",
        no_version.text
    );
    let itself = t
        .post(&merge_path, &a, json!({"from": [first_id], "version": 1}))
        .await;
    assert_eq!(
        itself.json["errors"][0]["code"], "invalid_merge_sources",
        "{}",
        itself.text
    );
    let stranger = t.post(&merge_path, &a,
        json!({"from": [second_id], "version": 1, "fields": {"notes": "0190a0a0-0000-7000-8000-000000000000", "colour": second_id}})).await;
    let codes: Vec<&str> = stranger.json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"not_in_merge") && codes.contains(&"unknown_field"),
        "{}",
        stranger.text
    );
    let other_team = t
        .post(&merge_path, &b, json!({"from": [second_id], "version": 1}))
        .await;
    assert_eq!(other_team.status, StatusCode::NOT_FOUND);
    let reader = t
        .post(
            &merge_path,
            &viewer,
            json!({"from": [second_id], "version": 1}),
        )
        .await;
    assert_eq!(reader.status, StatusCode::FORBIDDEN);
    let still = t.get(&format!("/api/v1/accounts/{second_id}"), &a).await;
    assert_eq!(still.status, StatusCode::OK);

    // The merge.
    let merged = t
        .post(
            &merge_path,
            &a,
            json!({"from": [second_id], "version": 1, "fields": {"notes": second_id}}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    assert_eq!(merged.json["sources"]["notes"], json!(second_id));
    assert_eq!(
        merged.json["sources"]["legal_address"],
        json!(second_id),
        "an empty field is filled"
    );
    let survivor = t.get(&format!("/api/v1/accounts/{first_id}"), &a).await;
    assert_eq!(
        survivor.json["name"], "ООО «Ромашка»",
        "the survivor's own name stays"
    );
    assert_eq!(survivor.json["notes"], "старая запись");
    assert_eq!(survivor.json["legal_address"], "Москва, Тверская 1");
    let gone = t.get(&format!("/api/v1/accounts/{second_id}"), &a).await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "the merged account is in the trash"
    );
    let trashed = t
        .get(&format!("/api/v1/accounts/{second_id}?deleted=true"), &a)
        .await;
    assert_eq!(trashed.status, StatusCode::OK);

    let deal = t.get(&format!("/api/v1/deals/{}", id(&deal)), &a).await;
    assert_eq!(deal.json["account_id"], json!(first_id));
    let task = t.get(&format!("/api/v1/tasks/{}", id(&task)), &a).await;
    assert_eq!(task.json["account_id"], json!(first_id));
    for path in [
        format!("/api/v1/orders/{order}"),
        format!("/api/v1/contracts/{contract}"),
        format!("/api/v1/price-lists/{prices}"),
    ] {
        let moved = t.get(&path, &head).await;
        assert_eq!(
            moved.json["account_id"],
            json!(first_id),
            "{path}: {}",
            moved.text
        );
    }
    for contact in [&both, &only_second] {
        let c = t
            .get(&format!("/api/v1/contacts/{}", id(contact)), &a)
            .await;
        assert_eq!(c.json["account_ids"], json!([first_id]), "{}", c.text);
    }
    let history = t
        .get(
            &format!("/api/v1/accounts/{first_id}/history?limit=100"),
            &a,
        )
        .await;
    let entries = history.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let merged_from = entries
        .iter()
        .find(|e| e["action"] == "merge" && e["field"] == "merged_from")
        .cloned()
        .unwrap_or_default();
    assert!(
        merged_from.to_string().contains(&second_id),
        "the merge names what was merged: {}",
        history.text
    );
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "create" && e.to_string().contains("Ромашка, ооо")),
        "the merged account's own history moved over: {}",
        history.text
    );
    // The card's timeline says what happened in words.
    let card = t
        .page(&t.session("a@x.ru").await, &format!("/accounts/{first_id}"))
        .await;
    assert!(
        card.text.contains("— объединение дублей") && !card.text.contains("history-"),
        "{}",
        card.text
    );
    let after = t.get("/api/v1/duplicates?reason=inn", &a).await;
    assert_eq!(
        after.json["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        after.text
    );
    t.finish().await;
}

#[tokio::test]
async fn contacts_sharing_an_email_are_merged_uniting_phones_companies_and_deal_roles() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;
    let account = created(&t, "/api/v1/accounts", &a, json!({"name": "ООО Гранит"})).await;
    let keep = created(&t, "/api/v1/contacts", &a,
        json!({"last_name": "Иванова", "first_name": "Анна", "emails": ["anna@granit.ru"], "phones": ["+7 916 000-00-01"]})).await;
    let copy = created(
        &t,
        "/api/v1/contacts",
        &a,
        json!({"last_name": "Иванова", "emails": ["Anna@Granit.ru"], "phones": ["+7 916 000-00-02"],
               "position": "Главный инженер", "account_ids": [id(&account)]}),
    )
    .await;
    t.post("/api/v1/pipelines", &head, json!({"name": "Продажи", "stages": [{"name": "Новая", "probability": 10},
        {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"}, {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}]})).await;
    let deal = created(
        &t,
        "/api/v1/deals",
        &a,
        json!({"title": "Станки", "account_id": id(&account), "contact_ids": [id(&copy)]}),
    )
    .await;

    let clusters = t.get("/api/v1/duplicates?reason=email", &a).await;
    assert_eq!(
        clusters.json["items"][0]["key"], "anna@granit.ru",
        "{}",
        clusters.text
    );
    assert_eq!(
        clusters.json["items"][0]["members"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let hidden = t.get("/api/v1/duplicates?reason=email", &viewer).await;
    assert_eq!(
        hidden.status,
        StatusCode::FORBIDDEN,
        "e-mails are personal data"
    );

    let keep_id = id(&keep);
    let merged = t
        .call(
            Method::POST,
            &format!("/api/v1/contacts/{keep_id}/merge"),
            Some(&a),
            Some(json!({"from": [id(&copy)]})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    let c = t.get(&format!("/api/v1/contacts/{keep_id}"), &a).await;
    assert_eq!(c.json["first_name"], "Анна");
    assert_eq!(c.json["position"], "Главный инженер");
    assert_eq!(c.json["emails"], json!(["anna@granit.ru"]));
    assert_eq!(
        c.json["phones"].as_array().map(Vec::len),
        Some(2),
        "{}",
        c.text
    );
    assert_eq!(c.json["account_ids"], json!([id(&account)]));
    let deal = t.get(&format!("/api/v1/deals/{}", id(&deal)), &a).await;
    assert_eq!(deal.json["contact_ids"], json!([keep_id]), "{}", deal.text);
    let none = t.get("/api/v1/duplicates?reason=email", &a).await;
    assert_eq!(none.json["items"].as_array().map(Vec::len), Some(0));
    t.finish().await;
}

#[tokio::test]
async fn the_duplicates_page_lists_clusters_and_merges_what_is_ticked() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    t.user("viewer@x.ru", "read_only", None).await;
    let keep = created(
        &t,
        "/api/v1/accounts",
        &a,
        json!({"name": "ООО Гранит", "inn": "7736050003"}),
    )
    .await;
    let copy = created(
        &t,
        "/api/v1/accounts",
        &a,
        json!({"name": "Гранит", "inn": "7736050003", "notes": "из 1С"}),
    )
    .await;
    let (keep_id, copy_id) = (id(&keep), id(&copy));
    let browser = t.session("a@x.ru").await;

    let page = t.page(&browser, "/duplicates").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("ООО Гранит")
            && page.text.contains("Гранит")
            && page.text.contains("Объединить"),
        "{}",
        page.text
    );
    let viewer = t.session("viewer@x.ru").await;
    let hidden = t.page(&viewer, "/duplicates?reason=email").await;
    assert!(
        hidden.text.contains("персональные данные"),
        "{}",
        hidden.text
    );

    let forged = t
        .form(
            &browser,
            "/duplicates/merge",
            &[
                ("_csrf", "forged"),
                ("reason", "inn"),
                ("into", &keep_id),
                ("from", &copy_id),
            ],
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    let nothing_ticked = t
        .form(
            &browser,
            "/duplicates/merge",
            &[
                ("_csrf", &browser.csrf),
                ("reason", "inn"),
                ("into", &keep_id),
                (&format!("version-{keep_id}"), "1"),
            ],
        )
        .await;
    assert!(
        nothing_ticked.text.contains("Выберите от 1 до 20"),
        "{}",
        nothing_ticked.text
    );
    let stale = t
        .form(
            &browser,
            "/duplicates/merge",
            &[
                ("_csrf", &browser.csrf),
                ("reason", "inn"),
                ("into", &keep_id),
                ("from", &copy_id),
                (&format!("version-{keep_id}"), "7"),
            ],
        )
        .await;
    assert!(stale.text.contains("запись изменили"), "{}", stale.text);
    assert_eq!(
        t.get(&format!("/api/v1/accounts/{copy_id}"), &a)
            .await
            .status,
        StatusCode::OK
    );

    // Compared field by field first: only the names differ (the notes
    // only fill a gap); the kept record's name is ticked.
    let cluster = [
        ("reason", "inn"),
        ("into", keep_id.as_str()),
        ("from", copy_id.as_str()),
    ];
    let compared = t
        .form(
            &browser,
            "/duplicates/compare",
            &[cluster.as_slice(), &[(&format!("version-{keep_id}"), "1")]].concat(),
        )
        .await;
    assert_eq!(compared.status, StatusCode::OK, "{}", compared.text);
    let name_choice = format!("name=\"field.name\" value=\"{keep_id}\" checked");
    assert!(
        compared.text.contains(&name_choice)
            && compared
                .text
                .contains(&format!("name=\"field.name\" value=\"{copy_id}\""))
            && !compared.text.contains("field.notes"),
        "{}",
        compared.text
    );
    let merged = t
        .form(
            &browser,
            "/duplicates/merge",
            &[
                cluster.as_slice(),
                &[
                    (&format!("version-{keep_id}"), "1"),
                    ("field.name", &copy_id),
                ],
            ]
            .concat(),
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.text);
    assert_eq!(
        merged.headers.get("location").and_then(|l| l.to_str().ok()),
        Some(format!("/accounts/{keep_id}").as_str())
    );
    let survivor = t.get(&format!("/api/v1/accounts/{keep_id}"), &a).await;
    assert_eq!(survivor.json["notes"], "из 1С");
    assert_eq!(
        survivor.json["name"], "Гранит",
        "the name chosen on the comparison"
    );
    assert_eq!(
        t.get(&format!("/api/v1/accounts/{copy_id}"), &a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let empty = t.page(&browser, "/duplicates").await;
    assert!(empty.text.contains("Дублей не найдено"), "{}", empty.text);
    t.finish().await;
}

/// The columns of the live schema that hold an account's or a contact's id.
async fn referencing_columns(t: &TestApp) -> Vec<(String, String)> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = match t.app.db.backend() {
        karta_db::Backend::Postgres => {
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
        karta_db::Backend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'search_fts%'"
        }
    };
    let conn = t.app.db.conn();
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<(String, String)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<String>("", "t").ok()?,
                r.try_get::<String>("", "c").ok()?,
            ))
        })
        .filter(|(_, c)| {
            c.ends_with("account_id") || c.ends_with("contact_id") || c == "lost_to_id"
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_merge_repoints_every_column_that_names_an_account_or_a_contact() {
    let t = TestApp::spawn().await;
    let accounts = karta_db::duplicates::repointed("accounts");
    let contacts = karta_db::duplicates::repointed("contacts");
    // A contact's own channels and companies are united into the survivor's
    // fields by the merge itself; the merged contact keeps its own.
    let owned = [
        ("contact_channels", "contact_id"),
        ("contact_accounts", "contact_id"),
    ];
    let missing: Vec<(String, String)> = referencing_columns(&t)
        .await
        .into_iter()
        .filter(|(table, column)| {
            let is = |(a, b): &(&str, &str)| a == table && b == column;
            let names_account = column.ends_with("account_id") || column == "lost_to_id";
            let covered = if names_account {
                accounts.iter().any(is)
            } else {
                contacts.iter().any(is) || owned.iter().any(is)
            };
            !covered
        })
        .collect();
    assert!(
        missing.is_empty(),
        "a merge would leave these pointing at the merged-away record: {missing:?}"
    );
    assert!(
        referencing_columns(&t).await.len() > 15,
        "the schema was not read"
    );
    t.finish().await;
}

/// Look-alike names with a different INN each are different companies, not
/// duplicates; nothing is ticked for merging until the user ticks it; the
/// region reads as its name.
#[tokio::test]
async fn different_legal_entities_are_not_offered_and_nothing_is_preticked() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    created(
        &t,
        "/api/v1/classifiers",
        &admin,
        json!({"kind": "region", "code": "moscow", "label_ru": "Москва", "label_en": "Moscow"}),
    )
    .await;
    for (name, inn) in [("ООО Волга", "7736050003"), ("АО Волга", "7707083893")] {
        created(
            &t,
            "/api/v1/accounts",
            &a,
            json!({"name": name, "inn": inn, "region": "moscow"}),
        )
        .await;
    }
    let browser = t.session("a@x.ru").await;
    let none = t.page(&browser, "/duplicates?reason=name").await;
    assert!(none.text.contains("id=\"no-duplicates\""), "{}", none.text);

    created(
        &t,
        "/api/v1/accounts",
        &a,
        json!({"name": "Волга", "region": "moscow"}),
    )
    .await;
    let page = t.page(&browser, "/duplicates?reason=name").await;
    assert_eq!(
        page.text.matches("name=\"from\"").count(),
        3,
        "{}",
        page.text
    );
    assert!(
        !page.text.contains(" checked aria-label=\"Влить"),
        "nothing pre-ticked: {}",
        page.text
    );
    assert!(
        page.text.contains("Москва") && !page.text.contains("· moscow"),
        "{}",
        page.text
    );
    t.finish().await;
}
