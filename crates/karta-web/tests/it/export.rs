//! List exports through the real router on SQLite and (with
//! KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::{Method, StatusCode};
use karta_testkit::{TestApp, id};
use serde_json::json;

#[tokio::test]
async fn an_account_export_streams_every_page_within_visibility_and_neutralizes_formulas() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let rep_a = karta_db::users::user_by_email(t.app.db.conn(), "a@x.ru")
        .await
        .ok()
        .flatten()
        .map(|u| (u.id, u.team_id))
        .unwrap_or_default();
    // More than one export page of team A's accounts …
    karta_app::generate::generate(&t.app, 510, 0, &[rep_a], 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // … one whose name a spreadsheet would run, and one of team B.
    let risky = t
        .post(
            "/api/v1/accounts",
            &a,
            json!({"name": "=HYPERLINK(\"http://evil\",\"Ромашка\")", "inn": "7707083893"}),
        )
        .await;
    assert_eq!(risky.status, StatusCode::CREATED, "{}", risky.text);
    t.post("/api/v1/accounts", &b, json!({"name": "ООО Чужая"}))
        .await;

    let export = t.get("/api/v1/accounts/export.csv", &a).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    assert!(
        export.headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let body = export.text.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("code,name,legal_name,types,inn"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        1 + 511,
        "header and every visible account once"
    );
    assert!(!body.contains("Чужая"), "team B's account leaked");
    assert!(
        body.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"Ромашка\"\")\",,,7707083893"),
        "{}",
        lines.iter().find(|l| l.contains("evil")).unwrap_or(&"")
    );
    // The list's filters apply; a bad one is explained, not exported.
    let filtered = t
        .get("/api/v1/accounts/export.csv?inn=7707083893", &a)
        .await;
    assert_eq!(filtered.text.matches("\r\n").count(), 2);
    let bad = t.get("/api/v1/accounts/export.csv?sort=height", &a).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json["errors"][0]["code"], "invalid_sort");
    t.finish().await;
}

/// The data lines of a CSV export (header first), without the BOM.
fn csv_lines(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// How many records the list API shows the caller (one page is enough here).
async fn listed(t: &TestApp, path: &str, token: &str) -> usize {
    let list = t.get(&format!("{path}?limit=200"), token).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    list.json["items"].as_array().map(Vec::len).unwrap_or(0)
}

#[tokio::test]
async fn contact_deal_and_lead_exports_show_what_the_list_shows_and_hide_personal_data() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "ООО Ромашка"}))
        .await;
    let account = account.json["id"].as_str().unwrap_or_default().to_string();
    for (token, last) in [(&a, "Петров"), (&a, "=cmd|' /C calc'!A0"), (&b, "Сидоров")]
    {
        let c = t
            .post(
                "/api/v1/contacts",
                token,
                json!({"last_name": last, "emails": [format!("{}@x.ru", last.len())], "phones": ["+7 916 111-22-33"]}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    }
    t.post(
        "/api/v1/pipelines",
        &head,
        json!({"name": "Продажи", "stages": [{"name": "Новая", "probability": 10},
            {"name_ru": "Выиграна", "name_en": "Won", "kind": "won"},
            {"name_ru": "Проиграна", "name_en": "Lost", "kind": "lost"}]}),
    )
    .await;
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "+Станки", "account_id": account, "amount_minor": 15_000_000}),
        )
        .await;
    assert_eq!(deal.status, StatusCode::CREATED, "{}", deal.text);
    let lead = t
        .post(
            "/api/v1/leads",
            &a,
            json!({"person_name": "Вера", "company_name": "ООО Лид", "email": "vera@lead.ru", "phone": "+7 900 000-00-00"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.text);

    for entity in ["contacts", "deals", "leads"] {
        for token in [&a, &b, &head, &viewer] {
            let export = t.get(&format!("/api/v1/{entity}/export.csv"), token).await;
            assert_eq!(export.status, StatusCode::OK, "{entity}: {}", export.text);
            assert_eq!(
                csv_lines(&export.text).len() - 1,
                listed(&t, &format!("/api/v1/{entity}"), token).await,
                "{entity}: the export has exactly the list's rows"
            );
        }
    }
    let mine = t.get("/api/v1/contacts/export.csv?sort=name", &a).await;
    let lines = csv_lines(&mine.text);
    assert!(
        lines[0].starts_with(
            "id,last_name,first_name,middle_name,position,purchase_role,emails,phones"
        )
    );
    assert!(mine.text.contains(",'=cmd|' /C calc'!A0,"), "{}", mine.text);
    assert!(mine.text.contains("+7 916 111-22-33") || mine.text.contains("+79161112233"));
    // A read-only user sees contacts and leads without personal data.
    let theirs = t.get("/api/v1/contacts/export.csv", &viewer).await;
    assert_eq!(
        csv_lines(&theirs.text).len(),
        1 + 3,
        "the viewer reads every contact"
    );
    let header = &csv_lines(&theirs.text)[0];
    assert!(
        !header.contains("emails") && !header.contains("phones") && !header.contains("birthday")
    );
    // Ids are random hex, so look for the phone as written, not for its digits alone.
    assert!(
        !theirs.text.contains("@x.ru")
            && !theirs.text.contains("+7 916")
            && !theirs.text.contains("+7916")
    );
    let leads = t.get("/api/v1/leads/export.csv", &viewer).await;
    assert!(leads.text.contains("ООО Лид"), "{}", leads.text);
    assert!(!leads.text.contains("vera@lead.ru") && !leads.text.contains("+7 900"));
    let leads = t.get("/api/v1/leads/export.csv", &a).await;
    assert!(leads.text.contains("vera@lead.ru"), "{}", leads.text);
    let deals = t.get("/api/v1/deals/export.csv?status=open", &a).await;
    assert!(deals.text.contains(",'+Станки,"), "{}", deals.text);
    assert!(deals.text.contains("15000000"));
    let bad = t.get("/api/v1/leads/export.csv?status=sleeping", &a).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    t.finish().await;
}

/// A workbook's first sheet as CSV lines (header first).
fn sheet_lines(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    karta_core::xlsx::to_csv(std::io::Cursor::new(bytes.to_vec()), &mut out)
        .unwrap_or_else(|e| panic!("not a workbook: {e}"));
    String::from_utf8(out)
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn an_xlsx_export_holds_the_csv_exports_rows_and_columns_and_computes_nothing() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;
    for (token, last) in [(&a, "Петров"), (&a, "=cmd|' /C calc'!A0"), (&b, "Сидоров")]
    {
        let c = t
            .post(
                "/api/v1/contacts",
                token,
                json!({"last_name": last, "emails": ["p@x.ru"], "phones": ["+7 916 111-22-33"]}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    }
    for token in [&a, &b, &viewer] {
        let csv = t.get("/api/v1/contacts/export.csv?sort=name", token).await;
        let book = t.get("/api/v1/contacts/export.xlsx?sort=name", token).await;
        assert_eq!(book.status, StatusCode::OK, "{}", book.text);
        assert_eq!(
            book.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let rows = sheet_lines(&book.bytes);
        let csv_rows = csv_lines(&csv.text);
        assert_eq!(rows.len(), csv_rows.len(), "the same rows as the CSV");
        assert_eq!(
            rows[0].split(',').count(),
            csv_rows[0].split(',').count(),
            "the same columns as the CSV: {} / {}",
            rows[0],
            csv_rows[0]
        );
    }
    let mine = sheet_lines(&t.get("/api/v1/contacts/export.xlsx", &a).await.bytes);
    assert_eq!(mine.len(), 1 + 2, "rep A sees only team A's contacts");
    assert!(
        mine.iter().any(|l| l.contains(",=cmd|' /C calc'!A0,")),
        "{mine:?}"
    );
    let book = t.get("/api/v1/contacts/export.xlsx", &a).await.bytes;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap_or_else(|e| panic!("{e}"));
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap_or_else(|e| panic!("{e}")),
        &mut sheet,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(sheet.contains("=cmd|"), "the text is kept as written");
    assert!(!sheet.contains("<f>"), "and no cell is a formula");
    let theirs = sheet_lines(&t.get("/api/v1/contacts/export.xlsx", &viewer).await.bytes);
    assert!(mine[0].contains("Эл. почта") && mine[0].contains("Телефоны"));
    assert!(!theirs[0].contains("Эл. почта") && !theirs[0].contains("Телефоны"));
    assert!(
        !theirs
            .iter()
            .any(|l| l.contains("p@x.ru") || l.contains("+7 916"))
    );
    let deals = t.get("/api/v1/deals/export.xlsx?sort=height", &a).await;
    assert_eq!(deals.status, StatusCode::UNPROCESSABLE_ENTITY);
    for entity in ["accounts", "deals", "leads"] {
        let book = t.get(&format!("/api/v1/{entity}/export.xlsx"), &a).await;
        assert_eq!(book.status, StatusCode::OK, "{entity}");
        assert!(
            !sheet_lines(&book.bytes).is_empty(),
            "{entity}: a header row"
        );
    }
    t.finish().await;
}

/// Each cell of a workbook's sheets, as the independent reader `calamine`
/// understands it: `(sheet names, rows of the first sheet)`.
fn calamine_sheet(bytes: &[u8]) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .unwrap_or_else(|e| panic!("calamine cannot read it: {e}"));
    let names = book.sheet_names();
    let range = book
        .worksheet_range(&names[0])
        .unwrap_or_else(|e| panic!("{e}"));
    (
        names,
        range.rows().map(<[calamine::Data]>::to_vec).collect(),
    )
}

/// The cell of `rows` in the column headed `header`, on data row `n`.
fn cell<'a>(rows: &'a [Vec<calamine::Data>], header: &str, n: usize) -> &'a calamine::Data {
    let column = rows[0]
        .iter()
        .position(|h| *h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]));
    &rows[n][column]
}

/// A date cell's `(year, month, day, hour, minute)`.
fn ymd_hm(data: &calamine::Data) -> (u16, u8, u8, u8, u8) {
    match data {
        calamine::Data::DateTime(d) => {
            let (y, m, day, h, min, _, _) = d.to_ymd_hms_milli();
            (y, m, day, h, min)
        }
        other => panic!("not a date: {other:?}"),
    }
}

#[tokio::test]
async fn a_workbook_is_for_people_amounts_in_roubles_dates_as_dates_headers_in_their_language() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let pipeline = t
        .post(
            "/api/v1/pipelines",
            &head,
            json!({"name": "Продажи", "stages": [{"name": "КП", "probability": 50},
                   {"name": "Выиграна", "kind": "won"}, {"name": "Проиграна", "kind": "lost"}]}),
        )
        .await;
    assert_eq!(pipeline.status, StatusCode::CREATED, "{}", pipeline.text);
    let account = t
        .post("/api/v1/accounts", &a, json!({"name": "Ромашка"}))
        .await;
    let deal = t
        .post(
            "/api/v1/deals",
            &a,
            json!({"title": "Станок 16К20", "account_id": id(&account),
                   "amount_minor": 150_000_050, "expected_close": "2026-03-31"}),
        )
        .await;
    assert_eq!(deal.status, StatusCode::CREATED, "{}", deal.text);

    let book = t.get("/api/v1/deals/export.xlsx", &a).await;
    let (sheets, rows) = calamine_sheet(&book.bytes);
    assert_eq!(sheets, ["Сделки"], "the sheet is named after the list");
    assert_eq!(
        cell(&rows, "Сумма", 1),
        &calamine::Data::Float(1_500_000.5),
        "roubles, as a number"
    );
    assert_eq!(
        ymd_hm(cell(&rows, "Ожидаемая дата закрытия", 1)),
        (2026, 3, 31, 0, 0)
    );
    // Created at 09:00 UTC by the test clock: 12:00 on a Moscow clock.
    assert_eq!(ymd_hm(cell(&rows, "Создано", 1)), (2026, 1, 15, 12, 0));
    assert_eq!(cell(&rows, "Название", 1).to_string(), "Станок 16К20");
    assert!(
        rows[0].iter().any(|h| *h == "Контрагент (ID)"),
        "{:?}",
        rows[0]
    );
    // The amount shows with two places and the list filters.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book.bytes.to_vec()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap_or_else(|e| panic!("{e}")),
        &mut xml,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(xml.contains("<autoFilter ref=\"A1:"), "{xml}");
    assert!(xml.contains("<v>1500000.50</v>"), "{xml}");

    // In English for a program that asks for English; the CSV stays the API's.
    let english = t
        .call(
            Method::GET,
            "/api/v1/deals/export.xlsx",
            Some(&a),
            None,
            &[("accept-language", "en")],
        )
        .await;
    let (sheets, rows) = calamine_sheet(&english.bytes);
    assert_eq!(sheets, ["Deals"]);
    assert_eq!(
        cell(&rows, "Amount", 1),
        &calamine::Data::Float(1_500_000.5)
    );
    let csv = t.get("/api/v1/deals/export.csv", &a).await;
    assert!(csv.text.contains("amount_minor") && csv.text.contains(",150000050,"));
    t.finish().await;
}
