//! Bank statements (банковская выписка): incoming payments read from the
//! bank's CSV (date, amount, payer INN, purpose) or its 1C «Клиент-Банк»
//! file (`client_bank`), and the invoice numbers a purpose names
//! ("Оплата по счёту № 123", "СЧ-000123", "INV-123").

pub mod client_bank;

use crate::identifiers::Inn;
use crate::import::{CsvRows, ReadError, header_key, iso_date};

/// One incoming payment of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementLine {
    /// The file's row number, as a spreadsheet shows it.
    pub line: u64,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub amount_minor: i64,
    pub payer_inn: Option<String>,
    pub purpose: String,
    /// The bank document's number, when the file has it.
    pub reference: Option<String>,
}

/// A row that could not be read, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadLine {
    pub line: u64,
    pub code: &'static str,
}

/// Header names of each column, in Russian and English (as `header_key`
/// reduces them).
const DATE: &[&str] = &[
    "дата",
    "date",
    "датаплатежа",
    "датаоперации",
    "датадокумента",
];
const AMOUNT: &[&str] = &[
    "сумма",
    "amount",
    "суммаприход",
    "поступление",
    "приход",
    "credit",
    "суммапокредиту",
    "кредит",
    "поступило",
];
const INN: &[&str] = &["иннплательщика", "payerinn", "инн", "inn", "плательщикинн"];
const PURPOSE: &[&str] = &[
    "назначениеплатежа",
    "назначение",
    "purpose",
    "description",
    "details",
];
const NUMBER: &[&str] = &["номер", "номердокумента", "number", "documentnumber", "n"];

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.contains(&header_key(h).as_str()))
}

/// Reads a statement, a 1C «Клиент-Банк» file or a CSV: its incoming
/// lines, and the rows that could not be read. A CSV without date, amount
/// and purpose columns is refused as a whole (`not_a_statement`).
pub fn read_statement(
    bytes: Vec<u8>,
) -> Result<(Vec<StatementLine>, Vec<UnreadLine>), &'static str> {
    if client_bank::is_client_bank(&bytes) {
        return Ok(client_bank::read(&bytes));
    }
    let mut rows = CsvRows::open(std::io::Cursor::new(bytes)).map_err(|e: ReadError| e.code())?;
    let headers = rows.headers.clone();
    let (Some(date), Some(amount), Some(purpose)) = (
        column(&headers, DATE),
        column(&headers, AMOUNT),
        column(&headers, PURPOSE),
    ) else {
        return Err("not_a_statement");
    };
    let inn = column(&headers, INN);
    let number = column(&headers, NUMBER);
    let (mut lines, mut unread) = (Vec::new(), Vec::new());
    while let Some(cells) = rows.next_row().map_err(|e| e.code())? {
        let line = rows.line();
        let cell = |i: usize| {
            cells
                .get(i)
                .map(|c| c.trim().to_string())
                .unwrap_or_default()
        };
        let Ok(day) = iso_date(&cell(date)) else {
            unread.push(UnreadLine {
                line,
                code: "invalid_date",
            });
            continue;
        };
        // An empty credit cell is a debit row of a two-column layout.
        if cell(amount).is_empty() {
            continue;
        }
        match crate::custom_fields::parse_money_minor(&cell(amount)) {
            Ok(minor) if minor > 0 => lines.push(StatementLine {
                line,
                date: day,
                amount_minor: minor,
                payer_inn: inn.map(cell).filter(|i| Inn::parse(i).is_ok()),
                purpose: cell(purpose),
                reference: number.map(cell).filter(|n| !n.is_empty()),
            }),
            // Outgoing payments and empty amounts are not ours to match.
            Ok(_) => {}
            Err(_) => unread.push(UnreadLine {
                line,
                code: "invalid_money",
            }),
        }
    }
    Ok((lines, unread))
}

/// The invoice numbers a payment's purpose names, in order: `СЧ-000123`
/// or `INV-123`, or a number after "счёт", "счету", "сч.", "invoice"
/// (with or without "№").
pub fn invoice_numbers(purpose: &str) -> Vec<i64> {
    let text = purpose.to_lowercase().replace('ё', "е");
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let markers = ["сч-", "inv-", "счету", "счет", "сч.", "invoice", "inv"];
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect();
        let Some(marker) = markers.iter().find(|m| rest.starts_with(**m)) else {
            i += 1;
            continue;
        };
        // A marker inside a word ("расчет") does not count.
        if i > 0 && chars[i - 1].is_alphanumeric() {
            i += 1;
            continue;
        }
        let mut j = i + marker.chars().count();
        while j < chars.len() && (chars[j].is_whitespace() || "№#no.:".contains(chars[j])) {
            j += 1;
        }
        let digits: String = chars[j..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if let Ok(n) = digits.parse::<i64>()
            && !found.contains(&n)
        {
            found.push(n);
        }
        i = j.max(i + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_name_invoices_in_the_ways_people_write_them() {
        assert_eq!(
            invoice_numbers("Оплата по счёту № 123 от 01.02.2026, в т.ч. НДС"),
            [123]
        );
        assert_eq!(invoice_numbers("Оплата СЧ-000042 и СЧ-000043"), [42, 43]);
        assert_eq!(invoice_numbers("Payment for invoice no. 7"), [7]);
        assert_eq!(invoice_numbers("Оплата по сч. 15"), [15]);
        assert_eq!(invoice_numbers("Взаиморасчет 2026 года"), Vec::<i64>::new());
    }

    #[test]
    fn a_statement_in_windows_1251_with_semicolons_is_read() {
        let text = "Дата;Номер;Сумма;ИНН плательщика;Назначение платежа\n\
                    05.02.2026;17;1 200,00;7707083893;Оплата по счёту № 1\n\
                    06.02.2026;18;-500,00;7707083893;Возврат\n\
                    вчера;19;10,00;;Оплата\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let (lines, unread) = read_statement(bytes.into_owned()).unwrap_or_default();
        assert_eq!(lines.len(), 1);
        assert_eq!(
            (
                lines[0].date.as_str(),
                lines[0].amount_minor,
                lines[0].payer_inn.as_deref()
            ),
            ("2026-02-05", 120_000, Some("7707083893"))
        );
        assert_eq!(lines[0].reference.as_deref(), Some("17"));
        assert_eq!(
            unread,
            [UnreadLine {
                line: 4,
                code: "invalid_date"
            }]
        );
        let two_columns = "Дата;Сумма по дебету;Сумма по кредиту;ИНН;Назначение платежа\n\
                           05.02.2026;15 000,00;;7736207543;Оплата поставщику\n\
                           05.02.2026;;2 400,00;7736050003;Оплата по счёту № 2\n";
        let (lines, unread) = read_statement(two_columns.as_bytes().to_vec()).unwrap_or_default();
        assert_eq!(
            (lines.len(), lines[0].amount_minor, unread.len()),
            (1, 240_000, 0),
            "the credit column is the incoming money; debit rows are skipped"
        );
        let refused = read_statement(b"a,b\n1,2\n".to_vec());
        assert_eq!(refused.err(), Some("not_a_statement"));
    }
}
