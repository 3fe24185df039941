//! Bank statements: a CSV or the 1C «Клиент-Банк» file pays the invoices
//! its payments name; what cannot be matched is listed with the reason, and
//! loading a statement again records nothing twice.

use super::invoices::{made, move_to, order};
use axum::http::StatusCode;
use karta_testkit::{Answer, TestApp, id};
use serde_json::json;

/// A bank statement the way a Russian bank gives it: Windows-1251, `;`.
fn statement(rows: &str) -> Vec<u8> {
    let text = format!("Дата;Номер;Сумма;ИНН плательщика;Назначение платежа\n{rows}");
    encoding_rs::WINDOWS_1251.encode(&text).0.into_owned()
}

#[tokio::test]
async fn a_bank_statement_pays_the_invoices_it_names_and_lists_the_rest_once() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", None).await;
    let product = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000, "vat_rate": 20, "stock_quantity": 10})).await);
    let alpha = id(&made(
        &t,
        "/api/v1/accounts",
        &head,
        json!({"name": "ООО Альфа", "inn": "7707083893"}),
    )
    .await);
    let beta = id(&made(
        &t,
        "/api/v1/accounts",
        &head,
        json!({"name": "ПАО Бета", "inn": "7736050003"}),
    )
    .await);
    for (account, quantity) in [(&alpha, 1), (&beta, 2)] {
        let o = order(&t, &head, account, &product, quantity).await;
        move_to(&t, &o, &head, "confirmed").await;
        made(&t, "/api/v1/invoices", &accountant, json!({"order_id": o})).await;
    }
    let file = statement(
        "05.02.2026;11;1 200,00;7707083893;Оплата по счёту № 1, в т.ч. НДС\n\
         05.02.2026;12;500,00;7707083893;Оплата по счёту № 2\n\
         06.02.2026;13;2 400,00;7736050003;Оплата за оборудование\n\
         06.02.2026;14;100,00;7707083893;Оплата СЧ-000099\n\
         вчера;15;1,00;;Оплата\n",
    );
    let load = |token: String, body: Vec<u8>| {
        let t = &t;
        async move { t.upload("/api/v1/payments/statement", &token, body).await }
    };
    assert_eq!(
        load(rep.clone(), file.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let first = load(accountant.clone(), file.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let lines = |a: &Answer, key: &str, what: &str| -> Vec<(u64, String)> {
        a.json[key]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|m| (m["line"].as_u64().unwrap_or_default(), m[what].to_string()))
            .collect()
    };
    assert_eq!(
        lines(&first, "matched", "invoice_number"),
        [(2, "1".to_string()), (4, "2".into())]
    );
    assert_eq!(
        lines(&first, "unmatched", "reason"),
        [
            (3, "\"inn_mismatch\"".to_string()),
            (5, "\"unknown_invoice\"".into()),
            (6, "\"invalid_date\"".into())
        ]
    );
    let paid = t.get("/api/v1/invoices?status=paid", &accountant).await;
    assert_eq!(paid.json["items"].as_array().map(Vec::len), Some(2));
    // The same statement again records nothing new.
    let again = load(accountant.clone(), file).await;
    assert_eq!(again.json["matched"], json!([]));
    assert_eq!(
        lines(&again, "unmatched", "reason")[0],
        (2, "\"already_recorded\"".to_string())
    );
    let payments = t.get("/api/v1/payments", &accountant).await;
    assert_eq!(payments.json["items"].as_array().map(Vec::len), Some(2));
    let not_a_statement = load(accountant.clone(), b"a,b\n1,2\n".to_vec()).await;
    assert_eq!(not_a_statement.json["errors"][0]["code"], "not_a_statement");

    // The same through the page, in Russian.
    let page = t.session("acc@x.ru").await;
    let shown = t
        .upload_form(
            &page,
            "/payments/statement",
            &[],
            (
                "statement.csv",
                &statement("07.02.2026;16;5,00;7707083893;Аванс\n"),
            ),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.text.contains("Не сопоставлено: 1") && shown.text.contains("нет номера счёта"),
        "{}",
        shown.text
    );
    t.finish().await;
}

/// A 1C «Клиент-Банк» export as a bank client writes it: Windows-1251,
/// CRLF, the firm's account in the header, one section per document.
fn client_bank(documents: &[&str]) -> Vec<u8> {
    let mut text = String::from(
        "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n\
         Отправитель=Бухгалтерия предприятия, редакция 3.0\r\nПолучатель=\r\n\
         ДатаНачала=01.02.2026\r\nДатаКонца=06.02.2026\r\nРасчСчет=40702810900000012345\r\n\
         Документ=Платежное поручение\r\nСекцияРасчСчет\r\nДатаНачала=01.02.2026\r\n\
         ДатаКонца=06.02.2026\r\nРасчСчет=40702810900000012345\r\nНачальныйОстаток=0.00\r\n\
         ВсегоПоступило=3600.00\r\nВсегоСписано=15000.00\r\nКонечныйОстаток=-11400.00\r\n\
         КонецРасчСчет\r\n",
    );
    for d in documents {
        text.push_str("СекцияДокумент=Платежное поручение\r\n");
        text.push_str(&d.replace('\n', "\r\n"));
        text.push_str("КонецДокумента\r\n");
    }
    text.push_str("КонецФайла\r\n");
    encoding_rs::WINDOWS_1251.encode(&text).0.into_owned()
}

#[tokio::test]
async fn a_client_bank_statement_pays_incoming_payments_once_and_skips_outgoing_ones() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let accountant = t.user("acc@x.ru", "accountant", None).await;
    let product = id(&made(&t, "/api/v1/products", &head, json!({"sku": "ST-1", "name": "Станок", "list_price_minor": 100_000, "vat_rate": 20, "stock_quantity": 10})).await);
    for (name, inn, quantity) in [
        ("ООО Альфа", "7707083893", 1),
        ("ПАО Бета", "7736050003", 2),
    ] {
        let account = id(&made(
            &t,
            "/api/v1/accounts",
            &head,
            json!({"name": name, "inn": inn}),
        )
        .await);
        let o = order(&t, &head, &account, &product, quantity).await;
        move_to(&t, &o, &head, "confirmed").await;
        made(&t, "/api/v1/invoices", &accountant, json!({"order_id": o})).await;
    }
    let file = client_bank(&[
        // Names invoice 1.
        "Номер=101\nДата=04.02.2026\nСумма=1200.00\nПлательщикСчет=40702810500000000001\n\
         Плательщик=ИНН 7707083893 ООО \"Альфа\"\nПлательщикИНН=7707083893\n\
         ПолучательСчет=40702810900000012345\nПолучательИНН=7736207543\n\
         ДатаПоступило=05.02.2026\nНазначениеПлатежа=Оплата по счету № 1 от 01.02.2026, в т.ч. НДС 20%\n",
        // Names no invoice: the payer's one open invoice of that amount.
        "Номер=102\nДата=05.02.2026\nСумма=2400.00\nПлательщикСчет=40702810500000000002\n\
         ПлательщикИНН=7736050003\nПолучательСчет=40702810900000012345\n\
         ДатаПоступило=05.02.2026\nНазначениеПлатежа=Оплата за оборудование\n",
        // Our own payment to a supplier: not a customer's payment at all.
        "Номер=7\nДата=06.02.2026\nСумма=15000.00\nПлательщикСчет=40702810900000012345\n\
         ПлательщикИНН=7736207543\nПолучательСчет=40702810100000000777\nПолучательИНН=7707083893\n\
         ДатаСписано=06.02.2026\nНазначениеПлатежа=Оплата по счету № 2 за материалы\n",
    ]);
    let first = t
        .upload("/api/v1/payments/statement", &accountant, file.clone())
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let numbers: Vec<i64> = first.json["matched"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["invoice_number"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(numbers, [1, 2], "{}", first.text);
    assert_eq!(
        first.json["matched"][0]["paid_on"], "2026-02-05",
        "the day the money came"
    );
    assert_eq!(
        first.json["unmatched"],
        json!([]),
        "the outgoing payment is not listed"
    );
    let paid = t.get("/api/v1/invoices?status=paid", &accountant).await;
    assert_eq!(paid.json["items"].as_array().map(Vec::len), Some(2));

    // Loaded again, through the page: every line is already recorded.
    let page = t.session("acc@x.ru").await;
    let form = t.page(&page, "/payments/statement").await;
    assert!(
        form.text.contains("accept=\".txt,"),
        "the picker offers the bank's .txt"
    );
    let again = t
        .upload_form(&page, "/payments/statement", &[], ("kl_to_1c.txt", &file))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.text.matches("уже учтено").count(),
        2,
        "{}",
        again.text
    );
    let payments = t.get("/api/v1/payments", &accountant).await;
    assert_eq!(payments.json["items"].as_array().map(Vec::len), Some(2));

    // Anything else is refused with the formats that are accepted.
    let refused = t
        .upload_form(&page, "/payments/statement", &[], ("x.txt", b"hello"))
        .await;
    assert!(
        refused.text.contains("1CClientBankExchange"),
        "{}",
        refused.text
    );
    t.finish().await;
}
