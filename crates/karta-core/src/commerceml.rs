//! CommerceML 2 (КоммерческаяИнформация): the XML that 1C (УТ, УНФ,
//! Комплексная автоматизация) reads in its exchange with sites and CRMs.
//! Orders go out as documents «Заказ товара» with the buyer, lines, VAT
//! and status; this module only writes the text, page by page, so an
//! export of any size streams.
//!
//! Amounts: a line's `Сумма` is net of VAT after its discount, with VAT
//! on top (`УчтеноВСумме` false); the document's `Сумма` is what the buyer
//! pays, VAT included.

use quick_xml::escape::escape;
use uuid::Uuid;

/// The schema version written; 1C reads 2.05 to 2.10.
pub const SCHEMA_VERSION: &str = "2.10";

/// What closes the file after the last document.
pub const TAIL: &str = "</КоммерческаяИнформация>\n";

/// The buyer of an order.
#[derive(Debug, Clone)]
pub struct Party<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub legal_name: Option<&'a str>,
    pub inn: Option<&'a str>,
    pub kpp: Option<&'a str>,
}

/// One line of an order.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub product_id: Uuid,
    pub sku: &'a str,
    pub name: &'a str,
    /// Karta's unit code (`pcs`, `kg`, `service`…).
    pub unit: &'a str,
    pub quantity: i64,
    /// Before the discount, net of VAT.
    pub unit_price_minor: i64,
    /// What the discount took off the line.
    pub discount_minor: i64,
    /// After the discount, net of VAT.
    pub net_minor: i64,
    pub vat_rate: i32,
    pub vat_minor: i64,
}

/// An order as a CommerceML document.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    pub id: Uuid,
    /// As people know it (`З-000042`).
    pub number: &'a str,
    /// `YYYY-MM-DD` and `HH:MM:SS`, on the company's clock.
    pub date: &'a str,
    pub time: &'a str,
    /// ISO 4217.
    pub currency: &'a str,
    pub gross_minor: i64,
    pub vat_minor: i64,
    /// The status in words, as 1C shows it in «Статус заказа».
    pub status: &'a str,
    pub cancelled: bool,
    pub payment_method: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub buyer: Party<'a>,
    pub lines: Vec<Line<'a>>,
}

/// The XML declaration and the opening element, dated `generated`
/// (`YYYY-MM-DDTHH:MM:SS`).
pub fn head(generated: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"{SCHEMA_VERSION}\" ДатаФормирования=\"{}\">\n",
        escape(generated)
    )
}

/// An amount in minor units as CommerceML writes it: `1200.50`.
fn amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// 1C's currency name for a code: `руб` for roubles, the code otherwise.
fn currency(code: &str) -> &str {
    if code == "RUB" { "руб" } else { code }
}

/// An element with escaped text, or nothing when there is no text.
fn element(out: &mut String, indent: &str, name: &str, text: Option<&str>) {
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        out.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(text)));
    }
}

fn vat(out: &mut String, indent: &str, included: bool, minor: i64) {
    out.push_str(&format!(
        "{indent}<Налоги><Налог><Наименование>НДС</Наименование><УчтеноВСумме>{included}</УчтеноВСумме><Сумма>{}</Сумма></Налог></Налоги>\n",
        amount(minor)
    ));
}

fn requisite(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!(
        "      <ЗначениеРеквизита><Наименование>{}</Наименование><Значение>{}</Значение></ЗначениеРеквизита>\n",
        escape(name),
        escape(value)
    ));
}

/// One order as a `<Документ>` element.
pub fn document(o: &Order) -> String {
    let mut out = String::with_capacity(1024 + 768 * o.lines.len());
    out.push_str("  <Документ>\n");
    element(&mut out, "    ", "Ид", Some(&o.id.to_string()));
    element(&mut out, "    ", "Номер", Some(o.number));
    element(&mut out, "    ", "Дата", Some(o.date));
    element(&mut out, "    ", "Время", Some(o.time));
    element(&mut out, "    ", "ХозОперация", Some("Заказ товара"));
    element(&mut out, "    ", "Роль", Some("Продавец"));
    element(&mut out, "    ", "Валюта", Some(currency(o.currency)));
    element(&mut out, "    ", "Курс", Some("1"));
    element(&mut out, "    ", "Сумма", Some(&amount(o.gross_minor)));
    element(&mut out, "    ", "Комментарий", o.comment);
    out.push_str("    <Контрагенты>\n      <Контрагент>\n");
    let b = &o.buyer;
    element(&mut out, "        ", "Ид", Some(&b.id.to_string()));
    element(&mut out, "        ", "Наименование", Some(b.name));
    element(
        &mut out,
        "        ",
        "ПолноеНаименование",
        Some(b.legal_name.unwrap_or(b.name)),
    );
    element(&mut out, "        ", "Роль", Some("Покупатель"));
    element(&mut out, "        ", "ИНН", b.inn);
    element(&mut out, "        ", "КПП", b.kpp);
    out.push_str("      </Контрагент>\n    </Контрагенты>\n");
    vat(&mut out, "    ", true, o.vat_minor);
    out.push_str("    <Товары>\n");
    for l in &o.lines {
        let (code, full, short) = crate::products::Unit::okei_of(l.unit);
        let kind = if matches!(l.unit, "service" | "h") {
            "Услуга"
        } else {
            "Товар"
        };
        out.push_str("      <Товар>\n");
        element(&mut out, "        ", "Ид", Some(&l.product_id.to_string()));
        element(&mut out, "        ", "Артикул", Some(l.sku));
        element(&mut out, "        ", "Наименование", Some(l.name));
        out.push_str(&format!(
            "        <БазоваяЕдиница Код=\"{code}\" НаименованиеПолное=\"{full}\">{short}</БазоваяЕдиница>\n"
        ));
        element(
            &mut out,
            "        ",
            "ЦенаЗаЕдиницу",
            Some(&amount(l.unit_price_minor)),
        );
        element(
            &mut out,
            "        ",
            "Количество",
            Some(&l.quantity.to_string()),
        );
        if l.discount_minor != 0 {
            out.push_str(&format!(
                "        <Скидки><Скидка><Сумма>{}</Сумма><УчтеноВСумме>true</УчтеноВСумме></Скидка></Скидки>\n",
                amount(l.discount_minor)
            ));
        }
        element(&mut out, "        ", "Сумма", Some(&amount(l.net_minor)));
        out.push_str(&format!(
            "        <СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>{}</Ставка></СтавкаНалога></СтавкиНалогов>\n",
            l.vat_rate
        ));
        vat(&mut out, "        ", false, l.vat_minor);
        out.push_str("        <ЗначенияРеквизитов>\n");
        requisite(&mut out, "ВидНоменклатуры", kind);
        requisite(&mut out, "ТипНоменклатуры", kind);
        out.push_str("        </ЗначенияРеквизитов>\n      </Товар>\n");
    }
    out.push_str("    </Товары>\n    <ЗначенияРеквизитов>\n");
    requisite(&mut out, "Статус заказа", o.status);
    requisite(
        &mut out,
        "Отменен",
        if o.cancelled { "true" } else { "false" },
    );
    if let Some(method) = o.payment_method {
        requisite(&mut out, "Метод оплаты", method);
    }
    out.push_str("    </ЗначенияРеквизитов>\n  </Документ>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order<'a>(lines: Vec<Line<'a>>) -> Order<'a> {
        Order {
            id: Uuid::from_u128(1),
            number: "З-000042",
            date: "2026-03-05",
            time: "10:15:00",
            currency: "RUB",
            gross_minor: 120_000,
            vat_minor: 20_000,
            status: "Подтверждён",
            cancelled: false,
            payment_method: Some("Безналичный расчёт"),
            comment: Some("Доставка <до 10:00> & разгрузка"),
            buyer: Party {
                id: Uuid::from_u128(2),
                name: "ООО «Ромашка»",
                legal_name: None,
                inn: Some("7707083893"),
                kpp: None,
            },
            lines,
        }
    }

    #[test]
    fn an_order_is_a_well_formed_document_with_escaped_text() {
        let line = Line {
            product_id: Uuid::from_u128(3),
            sku: "ST-16K20",
            name: "Станок 16К20",
            unit: "pcs",
            quantity: 2,
            unit_price_minor: 52_631,
            discount_minor: 2_631,
            net_minor: 100_000 + 631,
            vat_rate: 20,
            vat_minor: 20_000,
        };
        let xml = format!(
            "{}{}{TAIL}",
            head("2026-03-05T10:20:00"),
            document(&order(vec![line]))
        );
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut depth = 0i32;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well formed: {e}\n{xml}"),
            }
        }
        assert_eq!(depth, 0, "{xml}");
        for part in [
            "<Номер>З-000042</Номер>",
            "<Валюта>руб</Валюта>",
            "<Сумма>1200.00</Сумма>",
            "<ИНН>7707083893</ИНН>",
            "<ПолноеНаименование>ООО «Ромашка»</ПолноеНаименование>",
            "Доставка &lt;до 10:00&gt; &amp; разгрузка",
            "<БазоваяЕдиница Код=\"796\" НаименованиеПолное=\"Штука\">шт</БазоваяЕдиница>",
            "<ЦенаЗаЕдиницу>526.31</ЦенаЗаЕдиницу>",
            "<Сумма>1006.31</Сумма>",
            "<Ставка>20</Ставка>",
            "<Значение>Подтверждён</Значение>",
        ] {
            assert!(xml.contains(part), "{part}:\n{xml}");
        }
        assert!(!xml.contains("<КПП>"), "no empty elements");
    }

    #[test]
    fn amounts_are_written_with_a_point_and_two_places() {
        assert_eq!(amount(0), "0.00");
        assert_eq!(amount(5), "0.05");
        assert_eq!(amount(-123_456), "-1234.56");
        assert_eq!(currency("USD"), "USD");
    }
}
