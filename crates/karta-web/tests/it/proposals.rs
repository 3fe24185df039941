//! Commercial proposals: a PDF from a deal's lines with the company's and
//! the customer's requisites, kept on the deal and logged as an activity —
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

#[tokio::test]
async fn a_deal_with_lines_gives_a_proposal_in_pdf_kept_and_logged() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let far = t.user("far@x.ru", "sales_rep", Some("Урал")).await;
    let company = json!({"name": "ООО «Станкоцентр»", "inn": "7707083893", "address": "Москва"});
    let refused = t
        .call(
            Method::PUT,
            "/api/v1/company",
            Some(&head),
            Some(company.clone()),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = t
        .call(
            Method::PUT,
            "/api/v1/company",
            Some(&admin),
            Some(json!({"inn": "123"})),
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = t
        .call(
            Method::PUT,
            "/api/v1/company",
            Some(&admin),
            Some(company),
            &[],
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    made(
        &t,
        "/api/v1/pipelines",
        &head,
        json!({"name": "Продажи", "stages": [
            {"name": "КП", "probability": 50},
            {"name": "Выиграна", "kind": "won"},
            {"name": "Проиграна", "kind": "lost"}
        ]}),
    )
    .await;
    let lathe = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "ST-1", "name": "Станок токарный", "list_price_minor": 150_000_000}),
    )
    .await);
    let account = id(&made(&t, "/api/v1/accounts", &rep, json!({"name": "Завод", "legal_name": "АО «Завод»", "inn": "7707083893", "kpp": "770701001"})).await);
    let deal = made(
        &t,
        "/api/v1/deals",
        &rep,
        json!({"title": "Станок для цеха", "account_id": account}),
    )
    .await;
    let deal_id = id(&deal);
    let empty = t
        .get(&format!("/api/v1/deals/{deal_id}/proposal.pdf"), &rep)
        .await;
    assert_eq!(empty.json["code"], "deal_has_no_lines");
    let etag = format!("\"{}\"", deal.json["version"]);
    let lined = t
        .call(
            Method::PUT,
            &format!("/api/v1/deals/{deal_id}/lines"),
            Some(&rep),
            Some(json!({"lines": [{"product_id": lathe, "quantity": 2}]})),
            &[("if-match", etag.as_str())],
        )
        .await;
    assert_eq!(lined.status, StatusCode::OK, "{}", lined.text);

    let first = t
        .get(&format!("/api/v1/deals/{deal_id}/proposal.pdf"), &rep)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(
        first
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(first.bytes.starts_with(b"%PDF-"));
    // Read back by poppler: the same columns as the invoice, the amount in
    // words, the signatures.
    let text = karta_testkit::pdf_text(&first.bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "Коммерческое предложение № 1 от 15.01.2026",
        "Покупатель: АО «Завод», ИНН 7707083893, КПП 770701001",
        "1 Станок токарный · ST-1 шт 2 1 500 000,00 22 % 660 000,00 3 660 000,00",
        "Итого без НДС: 3 000 000,00 НДС: 660 000,00 Всего с НДС: 3 660 000,00",
        "Три миллиона шестьсот шестьдесят тысяч рублей 00 копеек",
        "Руководитель",
    ] {
        assert!(text.contains(expected), "{expected}\n in: {text}");
    }
    let again = t
        .get(&format!("/api/v1/deals/{deal_id}/proposal.pdf"), &rep)
        .await;
    assert_eq!(again.bytes, first.bytes, "the kept proposal, not a new one");
    let english = made(
        &t,
        &format!("/api/v1/deals/{deal_id}/proposal?lang=en"),
        &rep,
        json!({}),
    )
    .await;
    assert_eq!(
        (
            english.json["number"].as_i64(),
            english.json["lang"].as_str()
        ),
        (Some(2), Some("en"))
    );
    let latest = t
        .get(&format!("/api/v1/deals/{deal_id}/proposal.pdf"), &rep)
        .await;
    assert!(
        latest
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|d| d.contains("proposal-2.pdf"))
    );

    let activities = t
        .get(&format!("/api/v1/activities?deal_id={deal_id}"), &rep)
        .await;
    let kinds: Vec<&str> = activities.json["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["proposal", "proposal"], "{}", activities.text);
    let hidden = t
        .get(&format!("/api/v1/deals/{deal_id}/proposal.pdf"), &far)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    t.finish().await;
}
