//! The 1C «Клиент-Банк» exchange file (`1CClientBankExchange`, format
//! 1.02/1.03): the plain-text statement every Russian bank client exports
//! for 1C. `Key=Value` lines; a header naming the firm's accounts
//! (`РасчСчет=`), a `СекцияРасчСчет` with balances, then one
//! `СекцияДокумент=…` … `КонецДокумента` block per payment. Encoded in
//! Windows-1251 (`Кодировка=Windows`), DOS code page 866
//! (`Кодировка=DOS`) or, from some banks, UTF-8.
//!
//! Only incoming payments become lines: a document is incoming when its
//! recipient's account (`ПолучательСчет`) is one of the firm's, or, in a
//! file that names no account, when it has a credit date
//! (`ДатаПоступило`). Outgoing ones are skipped as a CSV's negative
//! amounts are.

use super::{StatementLine, UnreadLine};
use crate::identifiers::Inn;
use crate::import::iso_date;
use std::collections::HashMap;

/// The first line that marks the format.
const MARK: &str = "1CClientBankExchange";

/// Whether `bytes` (after a UTF-8 byte-order mark) is a Клиент-Банк file.
pub fn is_client_bank(bytes: &[u8]) -> bool {
    let body = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(bytes);
    body.starts_with(MARK.as_bytes())
}

/// The file's text: UTF-8 when it is valid UTF-8, else the code page its
/// `Кодировка=` line names (the key itself is Cyrillic, so it is looked
/// up in both code pages).
fn decode(bytes: &[u8]) -> String {
    let body = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(body) {
        return text.to_string();
    }
    let dos = encoding_rs::IBM866.decode_without_bom_handling(body).0;
    let is_dos = dos
        .lines()
        .take(20)
        .any(|l| l.trim().eq_ignore_ascii_case("Кодировка=DOS"));
    if is_dos {
        dos.into_owned()
    } else {
        encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(body)
            .0
            .into_owned()
    }
}

/// One payment document as read: its fields and the line it starts on.
struct Document {
    line: u64,
    fields: HashMap<String, String>,
}

impl Document {
    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", |v| v.trim())
    }
}

/// Reads the incoming payments of a Клиент-Банк file, and the documents
/// that could not be read (`invalid_date`, `invalid_money`).
pub fn read(bytes: &[u8]) -> (Vec<StatementLine>, Vec<UnreadLine>) {
    let text = decode(bytes);
    let mut ours: Vec<String> = Vec::new();
    let mut documents = Vec::new();
    let mut current: Option<Document> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let number = i as u64 + 1;
        if line == "КонецДокумента" {
            documents.extend(current.take());
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match (key, current.as_mut()) {
            ("СекцияДокумент", _) => {
                current = Some(Document {
                    line: number,
                    fields: HashMap::new(),
                });
            }
            (_, Some(doc)) => {
                doc.fields.insert(key.to_string(), value.to_string());
            }
            ("РасчСчет", None) if !value.trim().is_empty() => {
                ours.push(value.trim().to_string())
            }
            _ => {}
        }
    }
    let (mut lines, mut unread) = (Vec::new(), Vec::new());
    for doc in documents {
        let incoming = if ours.is_empty() {
            !doc.get("ДатаПоступило").is_empty()
        } else {
            ours.iter().any(|a| a == doc.get("ПолучательСчет"))
        };
        if !incoming {
            continue;
        }
        // The day the money reached the account, else the document's own.
        let day = [doc.get("ДатаПоступило"), doc.get("Дата")]
            .into_iter()
            .find(|d| !d.is_empty())
            .map(iso_date);
        let Some(Ok(date)) = day else {
            unread.push(UnreadLine {
                line: doc.line,
                code: "invalid_date",
            });
            continue;
        };
        match crate::custom_fields::parse_money_minor(doc.get("Сумма")) {
            Ok(minor) if minor > 0 => lines.push(StatementLine {
                line: doc.line,
                date,
                amount_minor: minor,
                payer_inn: Some(doc.get("ПлательщикИНН").to_string())
                    .filter(|i| Inn::parse(i).is_ok()),
                purpose: doc.get("НазначениеПлатежа").to_string(),
                reference: Some(doc.get("Номер").to_string()).filter(|n| !n.is_empty()),
            }),
            _ => unread.push(UnreadLine {
                line: doc.line,
                code: "invalid_money",
            }),
        }
    }
    (lines, unread)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "1CClientBankExchange\r\n\
        ВерсияФормата=1.03\r\nКодировка=Windows\r\nОтправитель=Бухгалтерия предприятия\r\n\
        ДатаНачала=01.12.2026\r\nДатаКонца=03.12.2026\r\nРасчСчет=40702810900000012345\r\n\
        СекцияРасчСчет\r\nДатаНачала=01.12.2026\r\nРасчСчет=40702810900000012345\r\n\
        НачальныйОстаток=100.00\r\nКонецРасчСчет\r\n\
        СекцияДокумент=Платежное поручение\r\nНомер=512\r\nДата=30.11.2026\r\nСумма=2094422.80\r\n\
        ПлательщикСчет=40702810500000000001\r\nПлательщикИНН=7707083893\r\n\
        ПолучательСчет=40702810900000012345\r\nПолучательИНН=7736207543\r\n\
        ДатаПоступило=01.12.2026\r\nНазначениеПлатежа=Оплата по счету № 331 от 30.11.2026, в т.ч. НДС\r\n\
        КонецДокумента\r\n\
        СекцияДокумент=Платежное поручение\r\nНомер=77\r\nДата=02.12.2026\r\nСумма=15000.00\r\n\
        ПлательщикСчет=40702810900000012345\r\nПлательщикИНН=7736207543\r\n\
        ПолучательСчет=40702810100000000777\r\nПолучательИНН=7707083893\r\n\
        ДатаСписано=02.12.2026\r\nНазначениеПлатежа=Оплата поставщику\r\nКонецДокумента\r\n\
        СекцияДокумент=Платежное поручение\r\nНомер=513\r\nДата=вчера\r\nСумма=10.00\r\n\
        ПолучательСчет=40702810900000012345\r\nКонецДокумента\r\n\
        КонецФайла\r\n";

    #[test]
    fn incoming_payments_are_read_from_a_windows_1251_file_and_outgoing_ones_skipped() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(FILE);
        assert!(is_client_bank(&bytes));
        let (lines, unread) = read(&bytes);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let l = &lines[0];
        assert_eq!(
            (
                l.line,
                l.date.as_str(),
                l.amount_minor,
                l.payer_inn.as_deref()
            ),
            (13, "2026-12-01", 209_442_280, Some("7707083893"))
        );
        assert_eq!(l.reference.as_deref(), Some("512"));
        assert!(l.purpose.starts_with("Оплата по счету № 331"));
        assert_eq!(
            unread,
            [UnreadLine {
                line: 35,
                code: "invalid_date"
            }]
        );
    }

    #[test]
    fn dos_and_utf8_files_read_the_same() {
        let dos = FILE.replace("Кодировка=Windows", "Кодировка=DOS");
        let (bytes, _, unmappable) = encoding_rs::IBM866.encode(&dos);
        assert!(!unmappable);
        let (lines, _) = read(&bytes);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].purpose.starts_with("Оплата по счету № 331"));
        let (lines, _) = read(FILE.as_bytes());
        assert_eq!(lines[0].amount_minor, 209_442_280);
        assert!(!is_client_bank(b"Date;Amount\n"));
    }
}
