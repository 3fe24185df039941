//! Money: amounts in minor units (kopecks, cents) with an ISO 4217 currency.
//! Never floats.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code, upper-case (`RUB`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(String);

impl Currency {
    /// Parses three ASCII letters, in any case.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err("invalid_currency")
        }
    }

    /// Russian roubles, the default currency of a Russian CRM.
    pub fn rub() -> Self {
        Self("RUB".into())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The sign shown after an amount (`₽`), or the code itself.
    pub fn symbol(&self) -> &str {
        match self.0.as_str() {
            "RUB" => "₽",
            "USD" => "$",
            "EUR" => "€",
            "CNY" => "¥",
            other => other,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Currency::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// An amount for people: `1 234 567,89 ₽` (thin groups, comma decimals in
/// Russian; `1,234,567.89 $` in English). Whole amounts drop the kopecks.
pub fn format_amount(minor: i64, currency: &Currency, lang: &str) -> String {
    let cents = minor.unsigned_abs() % 100;
    format!(
        "{}\u{a0}{}",
        figures(minor, lang, cents != 0),
        currency.symbol()
    )
}

/// An amount as documents print it in their columns: always with two
/// places, no currency mark (`2 769 400,00`; `2,769,400.00` in English).
pub fn document_amount(minor: i64, lang: &str) -> String {
    figures(minor, lang, true)
}

/// The figures of an amount grouped by thousands, with the minor units
/// when `places`.
fn figures(minor: i64, lang: &str, places: bool) -> String {
    let (group, decimal) = if lang == "en" {
        (',', '.')
    } else {
        ('\u{a0}', ',')
    };
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(ch);
    }
    let fraction = if places {
        format!("{decimal}{:02}", abs % 100)
    } else {
        String::new()
    };
    format!("{sign}{grouped}{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(
            Currency::parse(" usd ").map(|c| c.to_string()),
            Ok("USD".into())
        );
        assert_eq!(Currency::parse("RU"), Err("invalid_currency"));
        assert_eq!(Currency::parse("R1B"), Err("invalid_currency"));
    }

    #[test]
    fn amounts_are_grouped_per_language() {
        let rub = Currency::rub();
        assert_eq!(
            format_amount(123_456_789, &rub, "ru"),
            "1\u{a0}234\u{a0}567,89\u{a0}₽"
        );
        assert_eq!(format_amount(100_000, &rub, "en"), "1,000\u{a0}₽");
        assert_eq!(document_amount(276_940_000, "ru"), "2\u{a0}769\u{a0}400,00");
        assert_eq!(document_amount(-5, "en"), "-0.05");
        assert_eq!(format_amount(-5, &rub, "en"), "-0.05\u{a0}₽");
    }
}
