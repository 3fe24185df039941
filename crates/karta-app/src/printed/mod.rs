//! What Karta's printed documents share — the invoice for payment (счёт на
//! оплату) and the commercial proposal: the lines table with units, VAT
//! rate and VAT amount per line, the totals, the amount in words and the
//! signature lines, laid out the same way in both, in Russian or English.

pub mod invoice;

use crate::company::CompanyProfile;
use crate::pdf::{Document, MARGIN, PAGE_WIDTH, Weight};
use karta_core::amount_words::amount_in_words;
use karta_core::money::{Currency, document_amount};

/// The right edge of the printed area.
pub const RIGHT: f32 = PAGE_WIDTH - MARGIN;

/// One line of a document, as it is printed.
#[derive(Debug, Clone)]
pub struct PrintLine {
    pub name: String,
    /// The unit's short name (`шт`, `ч`).
    pub unit: String,
    pub quantity: i64,
    /// The price of one unit before discount, without VAT.
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub vat_rate: i32,
    pub vat_minor: i64,
    pub gross_minor: i64,
}

impl PrintLine {
    /// A line of a deal or an order, with the unit's short ОКЕИ name.
    pub fn of(
        name: &str,
        unit: &str,
        quantity: i64,
        prices: (i64, i64),
        vat: (i32, i64),
        gross_minor: i64,
    ) -> Self {
        let (unit_price_minor, discount_bp) = prices;
        let (vat_rate, vat_minor) = vat;
        Self {
            name: name.to_string(),
            unit: karta_core::products::Unit::okei_of(unit).2.to_string(),
            quantity,
            unit_price_minor,
            discount_bp,
            vat_rate,
            vat_minor,
            gross_minor,
        }
    }
}

/// The words of the shared parts in one language.
pub struct Words {
    pub inn: &'static str,
    pub kpp: &'static str,
    pub ogrn: &'static str,
    pub number: &'static str,
    pub item: &'static str,
    pub unit: &'static str,
    pub quantity: &'static str,
    pub price: &'static str,
    pub discount: &'static str,
    pub vat_rate: &'static str,
    pub vat_amount: &'static str,
    pub total: &'static str,
    pub no_vat: &'static str,
    pub items_total: &'static str,
    pub director: &'static str,
    pub accountant: &'static str,
    pub stamp: &'static str,
}

pub const RU: Words = Words {
    inn: "ИНН",
    kpp: "КПП",
    ogrn: "ОГРН",
    number: "№",
    item: "Товары (работы, услуги)",
    unit: "Ед.",
    quantity: "Кол-во",
    price: "Цена без НДС",
    discount: "Скидка",
    vat_rate: "Ставка НДС",
    vat_amount: "Сумма НДС",
    total: "Сумма с НДС",
    no_vat: "Без НДС",
    items_total: "Всего наименований {n}, на сумму {sum}",
    director: "Руководитель",
    accountant: "Главный бухгалтер",
    stamp: "М.П.",
};

pub const EN: Words = Words {
    inn: "INN",
    kpp: "KPP",
    ogrn: "OGRN",
    number: "No.",
    item: "Goods (work, services)",
    unit: "Unit",
    quantity: "Qty",
    price: "Price excl. VAT",
    discount: "Disc.",
    vat_rate: "VAT rate",
    vat_amount: "VAT",
    total: "Total incl. VAT",
    no_vat: "No VAT",
    items_total: "{n} items, total {sum}",
    director: "Director",
    accountant: "Chief accountant",
    stamp: "Seal",
};

/// The words for `lang` (Russian unless `en`).
pub fn words(lang: &str) -> &'static Words {
    if lang == "en" { &EN } else { &RU }
}

/// A day as documents print it: `03.12.2026`, or `3 Dec 2026` in English.
pub fn day(d: time::Date, lang: &str) -> String {
    if lang == "en" {
        let month = d.month().to_string();
        format!(
            "{} {} {}",
            d.day(),
            month.get(..3).unwrap_or(&month),
            d.year()
        )
    } else {
        format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
    }
}

/// A VAT rate as printed: `20 %`, «Без НДС» for none, a dash for a line
/// of mixed rates (negative).
pub fn vat_rate(rate: i32, lang: &str) -> String {
    match rate {
        0 => words(lang).no_vat.to_string(),
        r if r < 0 => "—".to_string(),
        r => format!("{r} %"),
    }
}

/// A discount as printed: `7,5 %` in Russian, `7.5 %` in English.
pub fn discount(bp: i64, lang: &str) -> String {
    let percent = karta_core::price_lists::percent(bp).to_string();
    let percent = if lang == "en" {
        percent
    } else {
        percent.replace('.', ",")
    };
    format!("{percent} %")
}

/// A party's requisites on one line: name, ИНН, КПП, address.
pub fn party(
    lang: &str,
    name: &str,
    inn: Option<&str>,
    kpp: Option<&str>,
    address: Option<&str>,
) -> String {
    let w = words(lang);
    [
        Some(name.to_string()),
        inn.map(|i| format!("{} {i}", w.inn)),
        kpp.map(|k| format!("{} {k}", w.kpp)),
        address.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// Writes `label` in bold and `text` wrapped beside it, from `indent`.
pub fn labelled(doc: &mut Document, label: &str, text: &str, indent: f32) {
    doc.text(MARGIN, doc.y, 9.5, Weight::Bold, label);
    for line in doc.wrap(text, RIGHT - MARGIN - indent, 9.5, Weight::Regular) {
        doc.text(MARGIN + indent, doc.y, 9.5, Weight::Regular, &line);
        doc.advance(12.5);
    }
}

/// The cells of a line after its number and name, in column order.
fn cells(l: &PrintLine, discounted: bool, lang: &str) -> Vec<String> {
    let mut cells = vec![
        l.unit.clone(),
        l.quantity.to_string(),
        document_amount(l.unit_price_minor, lang),
    ];
    if discounted {
        cells.push(if l.discount_bp == 0 {
            String::new()
        } else {
            discount(l.discount_bp, lang)
        });
    }
    cells.extend([
        vat_rate(l.vat_rate, lang),
        if l.vat_rate == 0 {
            "—".to_string()
        } else {
            document_amount(l.vat_minor, lang)
        },
        document_amount(l.gross_minor, lang),
    ]);
    cells
}

/// The lines table: № | item | unit | quantity | price | (discount) |
/// VAT rate | VAT | total. The discount column is there only when a line
/// has one. Each figure column is as wide as its widest cell or header
/// word, its header wrapped to fit; the item takes the rest. The header
/// is repeated on each new page.
pub fn lines_table(doc: &mut Document, lines: &[PrintLine], lang: &str) {
    let w = words(lang);
    let size = 8.0;
    let discounted = lines.iter().any(|l| l.discount_bp != 0);
    let mut labels = vec![w.unit, w.quantity, w.price];
    if discounted {
        labels.push(w.discount);
    }
    labels.extend([w.vat_rate, w.vat_amount, w.total]);
    let rows: Vec<Vec<String>> = lines.iter().map(|l| cells(l, discounted, lang)).collect();
    let widths: Vec<f32> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let content = rows
                .iter()
                .map(|r| doc.width(&r[i], size, Weight::Regular))
                .fold(0.0, f32::max);
            let word = label
                .split_whitespace()
                .map(|part| doc.width(part, size, Weight::Bold))
                .fold(0.0, f32::max);
            content.max(word) + 10.0
        })
        .collect();
    // Right edges, from the right margin leftwards.
    let mut edges = Vec::with_capacity(widths.len());
    let mut x = RIGHT;
    for width in widths.iter().rev() {
        edges.push(x);
        x -= width;
    }
    edges.reverse();
    let number_right = MARGIN + 16.0;
    let item_x = MARGIN + 22.0;
    let item_width = x - item_x - 6.0;
    let head = |doc: &mut Document| {
        doc.rule(MARGIN, RIGHT, doc.y + 11.0, 0.5);
        let mut columns = vec![(w.item, item_width, None)];
        for ((label, width), edge) in labels.iter().zip(&widths).zip(&edges) {
            columns.push((label, width - 4.0, Some(*edge)));
        }
        let mut depth = 1;
        doc.text_right(number_right, doc.y, size, Weight::Bold, w.number);
        for (label, width, edge) in columns {
            let wrapped = doc.wrap(label, width, size, Weight::Bold);
            depth = depth.max(wrapped.len());
            for (k, part) in wrapped.iter().enumerate() {
                let y = doc.y - 9.5 * k as f32;
                match edge {
                    Some(right) => doc.text_right(right, y, size, Weight::Bold, part),
                    None => doc.text(item_x, y, size, Weight::Bold, part),
                }
            }
        }
        doc.advance(5.0 + 9.5 * (depth - 1) as f32);
        doc.rule(MARGIN, RIGHT, doc.y, 0.5);
        doc.advance(11.0);
    };
    head(doc);
    for (n, (l, row)) in lines.iter().zip(&rows).enumerate() {
        let wrapped = doc.wrap(&l.name, item_width, size, Weight::Regular);
        if doc.y - 11.0 * (wrapped.len() as f32) < MARGIN + 40.0 {
            doc.new_page();
            head(doc);
        }
        doc.text_right(
            number_right,
            doc.y,
            size,
            Weight::Regular,
            &(n + 1).to_string(),
        );
        for (cell, edge) in row.iter().zip(&edges) {
            doc.text_right(*edge, doc.y, size, Weight::Regular, cell);
        }
        for (k, part) in wrapped.iter().enumerate() {
            if k > 0 {
                doc.advance(10.0);
            }
            doc.text(item_x, doc.y, size, Weight::Regular, part);
        }
        doc.advance(5.0);
        doc.rule(MARGIN, RIGHT, doc.y, 0.2);
        doc.advance(11.0);
    }
}

/// Totals under the table, right-aligned: `(label, amount, bold)`; an
/// amount of `None` prints a dash.
pub fn totals(doc: &mut Document, rows: &[(&str, Option<i64>, bool)], lang: &str) {
    for (label, amount, bold) in rows {
        let weight = if *bold { Weight::Bold } else { Weight::Regular };
        let value = amount.map_or_else(|| "—".to_string(), |a| document_amount(a, lang));
        doc.text_right(RIGHT - 90.0, doc.y, 9.5, weight, label);
        doc.text_right(RIGHT, doc.y, 9.5, weight, &value);
        doc.advance(13.0);
    }
}

/// «Всего наименований 3, на сумму 2 769 400,00 руб.» and the amount in
/// words under it, in bold.
pub fn in_words(doc: &mut Document, items: usize, gross: i64, currency: &Currency, lang: &str) {
    let sum = format!(
        "{} {}",
        document_amount(gross, lang),
        currency_mark(currency, lang)
    );
    let line = words(lang)
        .items_total
        .replace("{n}", &items.to_string())
        .replace("{sum}", &sum);
    doc.text(MARGIN, doc.y, 9.5, Weight::Regular, &line);
    doc.advance(13.0);
    let text = amount_in_words(gross, currency, lang);
    for part in doc.wrap(&text, RIGHT - MARGIN, 9.5, Weight::Bold) {
        doc.text(MARGIN, doc.y, 9.5, Weight::Bold, &part);
        doc.advance(13.0);
    }
}

/// How an amount's currency is written after the figures: «руб.» for
/// roubles in Russian, else the currency's code.
fn currency_mark(currency: &Currency, lang: &str) -> String {
    match (currency.as_str(), lang) {
        ("RUB", "en") => "RUB".into(),
        ("RUB", _) => "руб.".into(),
        (code, _) => code.to_string(),
    }
}

/// Signature lines for the director and, on a document accounting files,
/// the chief accountant, with their names from the company profile, and
/// the place for the seal.
pub fn signatures(doc: &mut Document, company: &CompanyProfile, lang: &str, accountant: bool) {
    let w = words(lang);
    if doc.y < MARGIN + 60.0 {
        doc.new_page();
    }
    doc.advance(14.0);
    let half = (RIGHT - MARGIN) / 2.0;
    let signers = [
        (w.director, company.director.as_deref()),
        (w.accountant, company.chief_accountant.as_deref()),
    ];
    let signers = if accountant {
        &signers[..]
    } else {
        &signers[..1]
    };
    for (i, (role, name)) in signers.iter().enumerate() {
        // Role, a line to sign on, and the name in brackets closing the
        // half of the width the block has.
        let x = MARGIN + half * i as f32;
        let end = x + half - 10.0;
        doc.text(x, doc.y, 9.5, Weight::Bold, role);
        let line_x = x + doc.width(role, 9.5, Weight::Bold) + 6.0;
        let name = name.map(|n| format!("({n})")).unwrap_or_default();
        let name_x = end - doc.width(&name, 9.5, Weight::Regular);
        doc.rule(line_x, (name_x - 6.0).max(line_x + 40.0), doc.y - 2.0, 0.5);
        doc.text_right(end, doc.y, 9.5, Weight::Regular, &name);
    }
    doc.advance(26.0);
    doc.text(MARGIN + 40.0, doc.y, 9.0, Weight::Regular, w.stamp);
}

/// The company's header: its name in bold, then its requisites in small
/// type and a rule.
pub fn company_header(doc: &mut Document, company: &CompanyProfile, lang: &str) {
    let w = words(lang);
    doc.text(
        MARGIN,
        doc.y,
        14.0,
        Weight::Bold,
        company.name.as_deref().unwrap_or_default(),
    );
    let bank = bank_line(company, lang);
    let requisites = [
        company.inn.as_ref().map(|i| format!("{} {i}", w.inn)),
        company.kpp.as_ref().map(|k| format!("{} {k}", w.kpp)),
        company.ogrn.as_ref().map(|o| format!("{} {o}", w.ogrn)),
        company.address.clone(),
        company.phone.clone(),
        company.email.clone(),
        (!bank.is_empty()).then_some(bank),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    for line in doc.wrap(&requisites, RIGHT - MARGIN, 8.0, Weight::Regular) {
        doc.advance(11.0);
        doc.text(MARGIN, doc.y, 8.0, Weight::Regular, &line);
    }
    doc.advance(8.0);
    doc.rule(MARGIN, RIGHT, doc.y, 0.8);
}

/// The bank on one line: name, р/с, к/с, БИК.
pub fn bank_line(company: &CompanyProfile, lang: &str) -> String {
    let (account, correspondent, bik) = if lang == "en" {
        ("acc.", "corr. acc.", "BIK")
    } else {
        ("р/с", "к/с", "БИК")
    };
    [
        company.bank.clone(),
        company
            .settlement_account
            .as_ref()
            .map(|a| format!("{account} {a}")),
        company
            .correspondent_account
            .as_ref()
            .map(|a| format!("{correspondent} {a}")),
        company.bik.as_ref().map(|b| format!("{bik} {b}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_discounts_are_written_as_the_language_writes_them() {
        assert_eq!(vat_rate(0, "ru"), "Без НДС");
        assert_eq!(vat_rate(22, "ru"), "22 %");
        assert_eq!(vat_rate(-1, "ru"), "—");
        assert_eq!(discount(750, "ru"), "7,5 %");
        assert_eq!(discount(750, "en"), "7.5 %");
        assert_eq!(discount(1000, "ru"), "10 %");
    }
}
