//! The invoice for payment (счёт на оплату) as Russian businesses print it:
//! the bank block with the payee's BIK and accounts, the supplier and the
//! buyer with their requisites, the basis (the order), the lines with
//! units and VAT, the totals, the amount in words, the due date and the
//! signatures. An advance invoice for part of an order is one line, with
//! the order's VAT in proportion.

use super::{PrintLine, RIGHT, day, in_words, labelled, lines_table, party, signatures, totals};
use crate::company::CompanyProfile;
use crate::pdf::{Document, MARGIN, Weight};
use crate::{App, AppError, Principal};
use karta_core::money::Currency;
use karta_db::entities::{invoice, order, order_line};

/// The words of the invoice in one language.
struct Words {
    title: &'static str,
    of: &'static str,
    payee_bank: &'static str,
    payee: &'static str,
    bik: &'static str,
    account: &'static str,
    supplier: &'static str,
    buyer: &'static str,
    basis: &'static str,
    order: &'static str,
    advance: &'static str,
    total: &'static str,
    vat: &'static str,
    no_vat: &'static str,
    due: &'static str,
    pay_by: &'static str,
}

const RU: Words = Words {
    title: "Счёт на оплату №",
    of: "от",
    payee_bank: "Банк получателя",
    payee: "Получатель",
    bik: "БИК",
    account: "Сч. №",
    supplier: "Поставщик:",
    buyer: "Покупатель:",
    basis: "Основание:",
    order: "Заказ",
    advance: "Предварительная оплата по заказу",
    total: "Итого:",
    vat: "В том числе НДС:",
    no_vat: "Без налога (НДС):",
    due: "Всего к оплате:",
    pay_by: "Оплатить не позднее",
};

const EN: Words = Words {
    title: "Invoice No.",
    of: "of",
    payee_bank: "Payee's bank",
    payee: "Payee",
    bik: "BIK",
    account: "Acc. No.",
    supplier: "Supplier:",
    buyer: "Buyer:",
    basis: "Basis:",
    order: "Order",
    advance: "Advance payment for order",
    total: "Total:",
    vat: "Incl. VAT:",
    no_vat: "No VAT:",
    due: "Amount due:",
    pay_by: "Please pay by",
};

/// The buyer as the invoice names it.
pub struct Buyer {
    pub name: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub address: Option<String>,
}

/// The invoice's lines: the order's own when the invoice asks for all of
/// it, else one advance line with the order's VAT in proportion.
fn print_lines(
    w: &Words,
    lang: &str,
    invoice: &invoice::Model,
    order: &order::Model,
    lines: &[order_line::Model],
) -> Vec<PrintLine> {
    if invoice.amount_minor == order.gross_minor {
        return lines
            .iter()
            .map(|l| {
                PrintLine::of(
                    &l.name,
                    &l.unit,
                    l.quantity,
                    (l.unit_price_minor, l.discount_bp),
                    (l.vat_rate, l.vat_minor),
                    l.gross_minor,
                )
            })
            .collect();
    }
    let vat = if order.gross_minor == 0 {
        0
    } else {
        // Rounded half up, in i128 so large orders cannot overflow.
        let share = i128::from(order.vat_minor) * i128::from(invoice.amount_minor);
        let gross = i128::from(order.gross_minor);
        i64::try_from((2 * share + gross) / (2 * gross)).unwrap_or(0)
    };
    let mut rates: Vec<i32> = lines.iter().map(|l| l.vat_rate).collect();
    rates.dedup();
    let name = format!(
        "{} {}",
        w.advance,
        karta_core::orders::number_label(order.number, lang)
    );
    vec![PrintLine {
        name,
        unit: String::new(),
        quantity: 1,
        unit_price_minor: invoice.amount_minor - vat,
        discount_bp: 0,
        // One rate is printed as it is; mixed rates have no one rate.
        vat_rate: if rates.len() == 1 { rates[0] } else { -1 },
        vat_minor: vat,
        gross_minor: invoice.amount_minor,
    }]
}

/// The bank block: the payee's bank with its BIK and correspondent
/// account over the payee with its ИНН, КПП and settlement account.
fn bank_block(doc: &mut Document, w: &Words, company: &CompanyProfile, lang: &str) {
    let (left, split, numbers) = (MARGIN, 330.0, 380.0);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    // One line of the block: (x, text, size) on the current baseline.
    let line = |doc: &mut Document, cells: &[(f32, String, f32)], down: f32| {
        for (x, t, size) in cells {
            doc.text(x + 4.0, doc.y, *size, Weight::Regular, t);
        }
        doc.advance(down);
    };
    let (inn, kpp) = if lang == "en" {
        ("INN", "KPP")
    } else {
        ("ИНН", "КПП")
    };
    let top = doc.y + 11.0;
    doc.rule(left, RIGHT, top, 0.6);
    line(
        doc,
        &[
            (left, text(&company.bank), 9.0),
            (split, w.bik.into(), 9.0),
            (numbers, text(&company.bik), 9.0),
        ],
        13.0,
    );
    line(
        doc,
        &[
            (split, w.account.into(), 9.0),
            (numbers, text(&company.correspondent_account), 9.0),
        ],
        13.0,
    );
    line(doc, &[(left, w.payee_bank.into(), 7.5)], 0.0);
    doc.rule(left, RIGHT, doc.y - 5.0, 0.6);
    doc.advance(16.0);
    line(
        doc,
        &[
            (left, format!("{inn} {}", text(&company.inn)), 9.0),
            (left + 126.0, format!("{kpp} {}", text(&company.kpp)), 9.0),
            (split, w.account.into(), 9.0),
            (numbers, text(&company.settlement_account), 9.0),
        ],
        0.0,
    );
    doc.rule(left, split, doc.y - 5.0, 0.3);
    doc.advance(16.0);
    line(doc, &[(left, text(&company.name), 9.0)], 13.0);
    line(doc, &[(left, w.payee.into(), 7.5)], 0.0);
    let bottom = doc.y - 5.0;
    doc.rule(left, RIGHT, bottom, 0.6);
    for x in [left, split, numbers, RIGHT] {
        doc.vline(x, top, bottom, 0.6);
    }
    doc.advance(30.0);
}

/// Lays the invoice out on A4 pages in `lang`.
fn render(
    lang: &str,
    company: &CompanyProfile,
    buyer: &Buyer,
    invoice: &invoice::Model,
    order: &order::Model,
    lines: &[order_line::Model],
) -> Vec<u8> {
    let w = if lang == "en" { &EN } else { &RU };
    let currency = Currency::parse(&invoice.currency).unwrap_or_else(|_| Currency::rub());
    let mut doc = Document::new();
    let number = karta_core::invoices::number_label(invoice.number, lang);
    let issued = time::Date::parse(
        &invoice.issued_on,
        time::macros::format_description!("[year]-[month]-[day]"),
    );
    let date =
        |d: Result<time::Date, _>, raw: &str| d.map_or_else(|_| raw.to_string(), |d| day(d, lang));
    let title = format!(
        "{} {number} {} {}",
        w.title,
        w.of,
        date(issued, &invoice.issued_on)
    );
    doc.title = title.clone();
    bank_block(&mut doc, w, company, lang);
    doc.text(MARGIN, doc.y, 14.0, Weight::Bold, &title);
    doc.advance(7.0);
    doc.rule(MARGIN, RIGHT, doc.y, 1.5);
    doc.advance(20.0);
    let indent = 80.0;
    let supplier = party(
        lang,
        company.name.as_deref().unwrap_or_default(),
        company.inn.as_deref(),
        company.kpp.as_deref(),
        company.address.as_deref(),
    );
    labelled(&mut doc, w.supplier, &supplier, indent);
    doc.advance(4.0);
    let buyer = party(
        lang,
        &buyer.name,
        buyer.inn.as_deref(),
        buyer.kpp.as_deref(),
        buyer.address.as_deref(),
    );
    labelled(&mut doc, w.buyer, &buyer, indent);
    doc.advance(4.0);
    let basis = format!(
        "{} {}",
        w.order,
        karta_core::orders::number_label(order.number, lang)
    );
    labelled(&mut doc, w.basis, &basis, indent);
    doc.advance(14.0);
    let printed = print_lines(w, lang, invoice, order, lines);
    lines_table(&mut doc, &printed, lang);
    doc.advance(4.0);
    let vat: i64 = printed.iter().map(|l| l.vat_minor).sum();
    let vat_row = if printed.iter().all(|l| l.vat_rate == 0) {
        (w.no_vat, None, false)
    } else {
        (w.vat, Some(vat), false)
    };
    totals(
        &mut doc,
        &[
            (w.total, Some(invoice.amount_minor), true),
            vat_row,
            (w.due, Some(invoice.amount_minor), true),
        ],
        lang,
    );
    doc.advance(8.0);
    in_words(
        &mut doc,
        printed.len(),
        invoice.amount_minor,
        &currency,
        lang,
    );
    doc.advance(4.0);
    let due = time::Date::parse(
        &invoice.due_on,
        time::macros::format_description!("[year]-[month]-[day]"),
    );
    doc.text(
        MARGIN,
        doc.y,
        9.5,
        Weight::Regular,
        &format!("{} {}.", w.pay_by, date(due, &invoice.due_on)),
    );
    doc.advance(8.0);
    doc.rule(MARGIN, RIGHT, doc.y, 1.5);
    doc.advance(20.0);
    signatures(&mut doc, company, lang, true);
    doc.finish()
}

/// The invoice for payment of an invoice the principal may read, as a PDF
/// in `lang` (`ru` unless `en`): its file name and bytes.
pub async fn pdf(
    app: &App,
    p: &Principal,
    id: uuid::Uuid,
    lang: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let lang = if lang == "en" { "en" } else { "ru" };
    let invoice = crate::invoices::get(app, p, id).await?;
    // The order and customer belong to the invoice the principal may read.
    let order = karta_db::records::find::<order::Entity, _>(
        app.db.conn(),
        invoice.order_id,
        karta_db::Visibility::All,
        false,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let lines = karta_db::orders::lines(app.db.conn(), order.id).await?;
    let account = karta_db::accounts::find(
        app.db.conn(),
        invoice.account_id,
        karta_db::Visibility::All,
        false,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let buyer = Buyer {
        name: account
            .legal_name
            .clone()
            .unwrap_or_else(|| account.name.clone()),
        inn: account.inn.clone(),
        kpp: account.kpp.clone(),
        address: account.legal_address.clone(),
    };
    let company = crate::company::profile(app).await?;
    let bytes = render(lang, &company, &buyer, &invoice, &order, &lines);
    Ok((format!("invoice-{:06}.pdf", invoice.number), bytes))
}
