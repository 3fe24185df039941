//! The catalogue through the real router on SQLite and (with
//! KARTA_TEST_DATABASE_URL) PostgreSQL: who keeps it, who sees costs,
//! validation, unique articles, search, sort and paging, history, trash,
//! export, and the pages.

use axum::http::{Method, StatusCode};
use karta_testkit::{Answer, TestApp, id};
use serde_json::{Value, json};

fn version(a: &Answer) -> i64 {
    a.json["version"].as_i64().unwrap_or_default()
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

fn skus(a: &Answer) -> Vec<String> {
    a.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["sku"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn lathe() -> Value {
    json!({
        "sku": "ST-16K20",
        "name": "Станок токарно-винторезный 16К20",
        "name_en": "Screw-cutting lathe",
        "category": "machines",
        "vat_rate": 22,
        "cost_price_minor": 145_000_000,
        "list_price_minor": 215_000_033,
        "stock_quantity": 4
    })
}

#[tokio::test]
async fn heads_of_sales_keep_the_catalogue_everyone_reads_it_and_costs_stay_with_those_who_see_margins()
 {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let category = t
        .post(
            "/api/v1/classifiers",
            &admin,
            json!({"kind": "product_category", "code": "machines", "label_ru": "Станки", "label_en": "Machines"}),
        )
        .await;
    assert_eq!(category.status, StatusCode::CREATED, "{}", category.text);

    // Bad input: every problem at once, nothing stored.
    let bad = t
        .post(
            "/api/v1/products",
            &head,
            json!({"sku": "ST 16", "name": "Станок", "vat_rate": 18, "stock_quantity": -1, "category": "boats"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(
        codes(&bad),
        [
            ("sku".to_string(), "invalid_sku".to_string()),
            ("vat_rate".into(), "invalid_vat_rate".into()),
            ("list_price_minor".into(), "required".into()),
            ("stock_quantity".into(), "out_of_range".into()),
        ]
    );
    let unknown_category = t
        .post(
            "/api/v1/products",
            &head,
            json!({"sku": "X1", "name": "Лодка", "list_price_minor": 1, "category": "boats"}),
        )
        .await;
    assert_eq!(
        codes(&unknown_category),
        [(
            "category".to_string(),
            "unknown_classifier_value".to_string()
        )]
    );
    assert!(skus(&t.get("/api/v1/products", &head).await).is_empty());

    let made = t.post("/api/v1/products", &head, lathe()).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    // 2 150 000,33 ₽ + 22 % = 2 623 000,40 ₽ (473 000,0726 rounds to ,07).
    assert_eq!(made.json["list_price_with_vat_minor"], 262_300_040);
    assert_eq!(made.json["unit"], "pcs");
    assert_eq!(made.json["currency"], "RUB");
    let lathe_id = id(&made);
    let again = t.post("/api/v1/products", &head, lathe()).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(
        codes(&again),
        [("sku".to_string(), "already_exists".to_string())]
    );

    // Reps read the catalogue without costs and cannot change it.
    let seen = t.get(&format!("/api/v1/products/{lathe_id}"), &rep).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json["cost_price_minor"], Value::Null);
    assert_eq!(seen.json["list_price_minor"], 215_000_033);
    let accountants = t
        .get(&format!("/api/v1/products/{lathe_id}"), &accountant)
        .await;
    assert_eq!(accountants.json["cost_price_minor"], 145_000_000);
    let refused = t
        .post(
            "/api/v1/products",
            &rep,
            json!({"sku": "R1", "name": "Моё", "list_price_minor": 1}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = t
        .patch(
            &format!("/api/v1/products/{lathe_id}"),
            &accountant,
            Some(1),
            json!({"list_price_minor": 1}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Changes need the version; history hides costs from reps.
    let path = format!("/api/v1/products/{lathe_id}");
    let unversioned = t
        .patch(&path, &head, None, json!({"cost_price_minor": 150_000_000}))
        .await;
    assert_eq!(unversioned.status, StatusCode::PRECONDITION_REQUIRED);
    let changed = t
        .patch(
            &path,
            &head,
            Some(version(&made)),
            json!({"cost_price_minor": 150_000_000, "stock_quantity": 3}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let stale = t
        .patch(
            &path,
            &head,
            Some(version(&made)),
            json!({"stock_quantity": 9}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let fields = |a: &Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|c| c["action"] == "update")
            .map(|c| c["field"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let heads_history = t.get(&format!("{path}/history"), &head).await;
    let mut heads_fields = fields(&heads_history);
    heads_fields.sort();
    assert_eq!(heads_fields, ["cost_price_minor", "stock_quantity"]);
    let reps_history = t.get(&format!("{path}/history"), &rep).await;
    assert_eq!(fields(&reps_history), ["stock_quantity"]);

    // Trash: gone from the list, its article still taken, back on restore.
    let deleted = t
        .call(
            Method::DELETE,
            &path,
            Some(&head),
            None,
            &[("if-match", &format!("\"{}\"", version(&changed)))],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    assert!(skus(&t.get("/api/v1/products", &rep).await).is_empty());
    assert_eq!(
        codes(&t.post("/api/v1/products", &head, lathe()).await),
        [("sku".to_string(), "already_exists".to_string())]
    );
    let restored = t
        .call(
            Method::POST,
            &format!("{path}/restore"),
            Some(&head),
            None,
            &[("if-match", &format!("\"{}\"", version(&deleted)))],
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text);
    assert_eq!(skus(&t.get("/api/v1/products", &rep).await), ["ST-16K20"]);

    // The export leaves the cost column out for a rep.
    let reps_csv = t.get("/api/v1/products/export.csv", &rep).await;
    assert_eq!(reps_csv.status, StatusCode::OK);
    assert!(!reps_csv.text.contains("cost_price_minor"));
    assert!(!reps_csv.text.contains("150000000"));
    assert!(reps_csv.text.contains("ST-16K20"));
    let heads_csv = t.get("/api/v1/products/export.csv", &head).await;
    assert!(heads_csv.text.contains("cost_price_minor"));
    t.finish().await;
}

#[tokio::test]
async fn the_catalogue_is_searched_with_morphology_filtered_sorted_and_paged() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", None).await;
    for (sku, name, price, active) in [
        ("A-1", "Станок фрезерный", 30_000, true),
        ("A-2", "Фреза концевая", 10_000, true),
        ("A-3", "Масло индустриальное", 20_000, true),
        ("A-4", "Станок фрезерный старый", 40_000, false),
        ("A-5", "Ремень приводной", 5_000, true),
    ] {
        let made = t
            .post(
                "/api/v1/products",
                &head,
                json!({"sku": sku, "name": name, "list_price_minor": price, "active": active, "unit": "pcs"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    // «фрезы» finds the cutter and both milling machines by their stem.
    let sorted = |a: Answer| {
        let mut s = skus(&a);
        s.sort();
        s
    };
    assert_eq!(
        sorted(t.get("/api/v1/products?q=фрезы", &rep).await),
        ["A-1", "A-2", "A-4"]
    );
    assert_eq!(
        sorted(t.get("/api/v1/products?q=фрезы&active=true", &rep).await),
        ["A-1", "A-2"]
    );

    // Price descending, two at a time, across pages without gaps.
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/products?sort=-price&limit=2".to_string());
    while let Some(url) = next {
        let page = t.get(&url, &rep).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(skus(&page));
        next = page.json["next_cursor"]
            .as_str()
            .map(|c| format!("/api/v1/products?sort=-price&limit=2&cursor={c}"));
    }
    assert_eq!(seen, ["A-4", "A-1", "A-3", "A-2", "A-5"]);
    let bad_sort = t.get("/api/v1/products?sort=colour", &rep).await;
    assert_eq!(bad_sort.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&bad_sort),
        [("sort".to_string(), "invalid_sort".to_string())]
    );
    t.finish().await;
}

#[tokio::test]
async fn the_catalogue_pages_add_show_and_refuse_in_the_users_language() {
    let t = TestApp::spawn().await;
    t.user("head@x.ru", "head_of_sales", None).await;
    t.user("rep@x.ru", "sales_rep", None).await;
    let head = t.session("head@x.ru").await;
    let rep = t.session("rep@x.ru").await;

    let form = t.page(&head, "/products/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("name=\"cost_price\""));
    let wrong = t
        .form(
            &head,
            "/products/new",
            &[
                ("sku", "П-1"),
                ("name", "Пусконаладка"),
                ("list_price", "сто рублей"),
                ("vat_rate", "22"),
                ("unit", "service"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.text.contains("Введите сумму"), "{}", wrong.text);
    assert!(wrong.text.contains("value=\"Пусконаладка\""));
    let added = t
        .form(
            &head,
            "/products/new",
            &[
                ("sku", "П-1"),
                ("name", "Пусконаладка"),
                ("list_price", "1 500,50"),
                ("cost_price", "700"),
                ("vat_rate", "22"),
                ("unit", "service"),
                ("currency", "RUB"),
                ("active", "yes"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let card_path = added
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let card = t.page(&head, &card_path).await;
    // 1 500,50 ₽ + 22 % VAT = 1 830,61 ₽.
    assert!(card.text.contains("1\u{a0}830,61"), "{}", card.text);
    assert!(card.text.contains("700\u{a0}₽"));

    let reps_card = t.page(&rep, &card_path).await;
    assert_eq!(reps_card.status, StatusCode::OK);
    assert!(reps_card.text.contains("1\u{a0}500,50"));
    assert!(!reps_card.text.contains("700\u{a0}₽"));
    assert!(!reps_card.text.contains("/edit"));
    let reps_list = t.page(&rep, "/products?q=пусконаладка").await;
    assert!(reps_list.text.contains("П-1"));
    assert!(!reps_list.text.contains("/products/new"));
    assert_eq!(
        t.page(&rep, "/products/new").await.status,
        StatusCode::FORBIDDEN
    );

    // Deleted from its card, found in the trash, restored.
    let card = t.page(&head, &card_path).await;
    let version = card
        .text
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    let deleted = t
        .form(
            &head,
            &format!("{card_path}/delete"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let trash = t.page(&head, "/trash").await;
    assert!(
        trash.text.contains("Товары") && trash.text.contains("П-1"),
        "{}",
        trash.text
    );
    assert!(
        !t.page(&rep, "/trash").await.text.contains("П-1"),
        "reps cannot restore products"
    );
    let next = (version.parse::<i64>().unwrap_or_default() + 1).to_string();
    let restored = t
        .form(
            &head,
            &format!("{card_path}/restore"),
            &[("version", &next)],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(t.page(&head, &card_path).await.status, StatusCode::OK);
    t.finish().await;
}
