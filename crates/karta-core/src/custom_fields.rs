//! Custom fields: the types an administrator can define and how a value of
//! each type is validated and normalised.

use crate::accounts::vocabulary;
use crate::contacts::parse_date;
use serde_json::{Value, json};

vocabulary!(
    /// The type of a custom field; fixed once the field exists.
    FieldType {
        Text = "text",
        Number = "number",
        Money = "money",
        Date = "date",
        Boolean = "boolean",
        OneOf = "one_of",
        ManyOf = "many_of",
    }
);

/// The part of a field definition that validation needs.
#[derive(Debug, Clone)]
pub struct FieldRule<'a> {
    pub field_type: FieldType,
    pub required: bool,
    /// Allowed option codes for `one_of` / `many_of`.
    pub options: &'a [String],
}

/// Parses a decimal amount ("1 234,50", "1234.5") into minor units.
pub fn parse_money_minor(raw: &str) -> Result<i64, &'static str> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let cleaned = cleaned.replace(',', ".");
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, cleaned),
    };
    let (units, cents) = digits.split_once('.').unwrap_or((&digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty()
        || cents.len() > 2
        || !all_digits(units)
        || !all_digits(cents)
        || units.len() > 15
    {
        return Err("invalid_money");
    }
    let units: i64 = units.parse().map_err(|_| "invalid_money")?;
    let cents: i64 = format!("{cents:0<2}")
        .parse()
        .map_err(|_| "invalid_money")?;
    let minor = units * 100 + cents;
    Ok(if negative { -minor } else { minor })
}

/// Formats minor units as a decimal amount with two places.
pub fn format_money_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        minor.unsigned_abs() / 100,
        minor.unsigned_abs() % 100
    )
}

impl FieldRule<'_> {
    /// Normalises `value`; `Ok(None)` means "no value". Form posts send
    /// strings, the API sends typed JSON: both are accepted.
    pub fn normalise(&self, value: &Value) -> Result<Option<Value>, &'static str> {
        let blank = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if blank {
            return if self.required {
                Err("required")
            } else {
                Ok(None)
            };
        }
        let text = value.as_str().map(str::trim);
        let normalised = match self.field_type {
            FieldType::Text => match text {
                Some(t) if t.chars().count() <= 2000 => json!(t),
                Some(_) => return Err("too_long"),
                None => return Err("invalid_text"),
            },
            FieldType::Number => {
                let n = match (value.as_f64(), text) {
                    (Some(n), _) => n,
                    (None, Some(t)) => t
                        .replace(',', ".")
                        .parse::<f64>()
                        .map_err(|_| "invalid_number")?,
                    _ => return Err("invalid_number"),
                };
                if !n.is_finite() {
                    return Err("invalid_number");
                }
                json!(n)
            }
            FieldType::Money => {
                let minor = match (value, text) {
                    (Value::Number(n), _) => n.as_i64().ok_or("invalid_money")?,
                    (Value::Object(o), _) => o
                        .get("minor")
                        .and_then(Value::as_i64)
                        .ok_or("invalid_money")?,
                    (_, Some(t)) => parse_money_minor(t)?,
                    _ => return Err("invalid_money"),
                };
                let currency = value
                    .get("currency")
                    .and_then(Value::as_str)
                    .unwrap_or("RUB")
                    .to_uppercase();
                if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err("invalid_currency");
                }
                json!({"minor": minor, "currency": currency})
            }
            FieldType::Date => {
                let date = parse_date(text.ok_or("invalid_date")?)?;
                json!(
                    date.format(crate::contacts::DATE_FORMAT)
                        .map_err(|_| "invalid_date")?
                )
            }
            FieldType::Boolean => match (value, text) {
                (Value::Bool(b), _) => json!(b),
                (_, Some("true" | "on" | "1" | "yes")) => json!(true),
                (_, Some("false" | "off" | "0" | "no")) => json!(false),
                _ => return Err("invalid_boolean"),
            },
            FieldType::OneOf => {
                let choice = text.ok_or("invalid_choice")?;
                if !self.options.iter().any(|o| o == choice) {
                    return Err("invalid_choice");
                }
                json!(choice)
            }
            FieldType::ManyOf => {
                let items: Vec<&str> = match value {
                    Value::Array(a) => a
                        .iter()
                        .map(|v| v.as_str().ok_or("invalid_choice"))
                        .collect::<Result<_, _>>()?,
                    Value::String(s) => s
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect(),
                    _ => return Err("invalid_choice"),
                };
                if items.iter().any(|i| !self.options.iter().any(|o| o == i)) {
                    return Err("invalid_choice");
                }
                let mut unique: Vec<&str> = Vec::new();
                for i in items {
                    if !unique.contains(&i) {
                        unique.push(i);
                    }
                }
                json!(unique)
            }
        };
        Ok(Some(normalised))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(field_type: FieldType, options: &[String]) -> FieldRule<'_> {
        FieldRule {
            field_type,
            required: false,
            options,
        }
    }

    #[test]
    fn values_are_normalised_per_type() {
        let opts = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            rule(FieldType::Number, &[]).normalise(&json!("3,5")),
            Ok(Some(json!(3.5)))
        );
        assert_eq!(
            rule(FieldType::Money, &[]).normalise(&json!("1 234,5")),
            Ok(Some(json!({"minor": 123450, "currency": "RUB"})))
        );
        assert_eq!(
            rule(FieldType::Boolean, &[]).normalise(&json!("on")),
            Ok(Some(json!(true)))
        );
        assert_eq!(
            rule(FieldType::Date, &[]).normalise(&json!("2026-13-01")),
            Err("invalid_date")
        );
        assert_eq!(
            rule(FieldType::OneOf, &opts).normalise(&json!("c")),
            Err("invalid_choice")
        );
        assert_eq!(
            rule(FieldType::ManyOf, &opts).normalise(&json!(["b", "a", "b"])),
            Ok(Some(json!(["b", "a"])))
        );
        assert_eq!(rule(FieldType::Text, &[]).normalise(&json!("")), Ok(None));
        let required = FieldRule {
            required: true,
            ..rule(FieldType::Text, &[])
        };
        assert_eq!(required.normalise(&Value::Null), Err("required"));
    }

    proptest! {
        #[test]
        fn money_formatting_round_trips(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(parse_money_minor(&format_money_minor(minor)), Ok(minor));
        }
    }
}
