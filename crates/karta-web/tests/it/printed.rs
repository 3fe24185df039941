//! Printed documents read back by poppler (`pdftotext`, `pdfinfo`,
//! `pdftoppm`), an independent PDF reader: the invoice for payment and the
//! company requisites it prints, through the real router on SQLite and
//! (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use crate::invoices::{made, move_to};
use axum::http::StatusCode;
use karta_testkit::{TestApp, id, pdf_info, pdf_page_image, pdf_text};
use serde_json::json;

/// The text poppler reads, with every run of white space (the table's
/// gaps, non-breaking spaces in amounts) as one space.
fn words_of(pdf: &[u8]) -> String {
    pdf_text(pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The company's requisites as the settings form posts them, with
/// `account` as the settlement account.
fn requisites(account: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", "ООО «Станкоцентр»"),
        ("inn", "7707083893"),
        ("kpp", "770701001"),
        ("ogrn", "1027700132195"),
        ("address", "115093, Москва, ул. Заводская, д. 7"),
        ("bank", "ПАО Сбербанк"),
        ("bik", "044525225"),
        ("settlement_account", account),
        ("correspondent_account", "30101 81040 0000000225"),
        ("director", "Смирнов А. В."),
        ("chief_accountant", "Кузнецова Е. П."),
    ]
}

#[tokio::test]
async fn an_invoice_for_payment_prints_the_bank_vat_per_line_the_amount_in_words_and_signatures() {
    let t = TestApp::spawn().await;
    t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let far = t.user("far@x.ru", "sales_rep", Some("Урал")).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;

    // The requisites from Settings: an account whose key does not match the
    // BIK is explained beside it, with everything typed kept.
    let admin = t.session("admin@x.ru").await;
    let mut wrong = requisites("40702810938000030001");
    wrong.push(("_csrf", admin.csrf.as_str()));
    let refused = t.form(&admin, "/admin/company", &wrong).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert!(
        refused.text.contains("Это не расчётный счёт в этом банке")
            && refused.text.contains(r#"value="40702810938000030001""#)
            && refused.text.contains(r#"value="Смирнов А. В.""#),
        "{}",
        refused.text
    );
    let nothing = t.get("/api/v1/company", &accountant).await;
    assert_eq!(nothing.json["name"], json!(null), "nothing was saved");
    let mut right = requisites("40702810938000030000");
    right.push(("_csrf", admin.csrf.as_str()));
    let saved = t.form(&admin, "/admin/company", &right).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let company = t.get("/api/v1/company", &accountant).await;
    assert_eq!(
        company.json["correspondent_account"], "30101810400000000225",
        "spaces dropped: {}",
        company.text
    );

    let lathe = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "ST-16K20", "name": "Станок токарный 16К20",
        "list_price_minor": 150_000_000, "vat_rate": 22, "stock_quantity": 5}),
    )
    .await);
    let service = id(&made(
        &t,
        "/api/v1/products",
        &head,
        json!({"sku": "SRV-1", "name": "Пусконаладка",
        "unit": "h", "list_price_minor": 4_500_000, "vat_rate": 0}),
    )
    .await);
    let account = id(&made(
        &t,
        "/api/v1/accounts",
        &rep,
        json!({"name": "Ромашка", "legal_name": "АО «Ромашка»",
        "inn": "7736207543", "kpp": "773601001", "legal_address": "Москва, ул. Льва Толстого, 16"}),
    )
    .await);
    let lines =
        json!([{"product_id": lathe, "quantity": 1}, {"product_id": service, "quantity": 2}]);
    let (mut orders, mut invoices) = (Vec::new(), Vec::new());
    for amount in [None, Some(50_000_000)] {
        let order = id(&made(
            &t,
            "/api/v1/orders",
            &rep,
            json!({"account_id": account, "lines": lines}),
        )
        .await);
        assert_eq!(
            move_to(&t, &order, &rep, "confirmed").await.status,
            StatusCode::OK
        );
        let mut body = json!({"order_id": order});
        if let Some(a) = amount {
            body["amount_minor"] = json!(a);
        }
        invoices.push(id(&made(&t, "/api/v1/invoices", &accountant, body).await));
        orders.push(order);
    }

    let pdf = t
        .get(
            &format!("/api/v1/invoices/{}/pdf", invoices[0]),
            &accountant,
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let text = words_of(&pdf.bytes);
    for expected in [
        // The bank block: the payee's bank, BIK, correspondent and settlement accounts.
        "ПАО Сбербанк БИК 044525225",
        "Сч. № 30101810400000000225",
        "ИНН 7707083893 КПП 770701001 Сч. № 40702810938000030000",
        "Счёт на оплату № СЧ-000001 от 15.01.2026",
        "Поставщик: ООО «Станкоцентр», ИНН 7707083893, КПП 770701001, 115093, Москва",
        "Покупатель: АО «Ромашка», ИНН 7736207543, КПП 773601001, Москва, ул. Льва Толстого, 16",
        "Основание: Заказ З-000001",
        // Each line: unit, quantity, price, VAT rate and VAT amount, total.
        "1 Станок токарный 16К20 шт 1 1 500 000,00 22 % 330 000,00 1 830 000,00",
        "2 Пусконаладка ч 2 45 000,00 Без НДС — 90 000,00",
        "Итого: 1 920 000,00 В том числе НДС: 330 000,00 Всего к оплате: 1 920 000,00",
        "Всего наименований 2, на сумму 1 920 000,00 руб.",
        "Один миллион девятьсот двадцать тысяч рублей 00 копеек",
        "Оплатить не позднее 29.01.2026.",
        "Руководитель (Смирнов А. В.) Главный бухгалтер (Кузнецова Е. П.)",
    ] {
        assert!(text.contains(expected), "{expected}\n in: {text}");
    }
    // The table's headers stand apart, and no text is printed over other text.
    let words: Vec<String> = karta_testkit::pdf_words(&pdf.bytes)
        .into_iter()
        .map(|w| w.1)
        .collect();
    for header in ["Товары", "Ед.", "Кол-во", "Цена", "Ставка", "Сумма"]
    {
        assert!(words.iter().any(|w| w == header), "{header} in {words:?}");
    }
    assert_eq!(
        karta_testkit::pdf_overlaps(&pdf.bytes),
        Vec::<(String, String)>::new()
    );
    let info = pdf_info(&pdf.bytes);
    let title = info
        .lines()
        .find_map(|l| l.strip_prefix("Title:"))
        .map(str::trim);
    assert_eq!(
        title,
        Some("Счёт на оплату № СЧ-000001 от 15.01.2026"),
        "{info}"
    );
    // Rendered, the page has ink and nothing crosses the 50 pt margins.
    let (width, height, pixels) = pdf_page_image(&pdf.bytes);
    assert_eq!((width, height), (595, 842), "A4");
    let ink = |x: usize, y: usize| pixels[y * width + x] < 160;
    assert!(
        (0..height).any(|y| (0..width).any(|x| ink(x, y))),
        "a blank page"
    );
    let outside: Vec<(usize, usize)> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .filter(|&(x, y)| !(46..=549).contains(&x) && ink(x, y))
        .take(5)
        .collect();
    assert!(outside.is_empty(), "ink in the margins at {outside:?}");

    let english = t
        .get(
            &format!("/api/v1/invoices/{}/pdf?lang=en", invoices[0]),
            &accountant,
        )
        .await;
    let text = words_of(&english.bytes);
    assert!(
        text.contains("Invoice No. INV-000001 of 15 Jan 2026"),
        "{text}"
    );
    assert!(
        text.contains("One million nine hundred twenty thousand roubles 00 kopecks"),
        "{text}"
    );

    // An advance for part of an order is one line, its VAT the order's in proportion.
    let advance = t
        .get(
            &format!("/api/v1/invoices/{}/pdf", invoices[1]),
            &accountant,
        )
        .await;
    let text = words_of(&advance.bytes);
    assert!(
        text.contains(
            "1 Предварительная оплата по заказу З-000002 1 414 062,50 — 85 937,50 500 000,00"
        ),
        "{text}"
    );
    assert!(text.contains("Пятьсот тысяч рублей 00 копеек"), "{text}");

    let hidden = t
        .get(&format!("/api/v1/invoices/{}/pdf", invoices[0]), &far)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    // The order card offers it.
    let card = t
        .page(
            &t.session("rep@x.ru").await,
            &format!("/orders/{}", orders[0]),
        )
        .await;
    assert!(
        card.text
            .contains(&format!(r#"href="/api/v1/invoices/{}/pdf""#, invoices[0])),
        "{}",
        card.text
    );
    t.finish().await;
}
