//! Spreadsheet-safe CSV: RFC 4180 quoting, and text that a spreadsheet
//! would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
//! neutralized with a leading apostrophe, as OWASP advises for CSV exports.

use serde_json::Value;

/// The UTF-8 byte order mark: Excel reads the file as UTF-8 only with it.
pub const BOM: &str = "\u{feff}";

/// Text as a spreadsheet will show it, never evaluate it.
pub fn neutralize(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// One CSV field from a JSON value: text neutralized, numbers and booleans
/// as written, lists joined with "; ", nothing for null.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => neutralize(s),
        Value::Array(items) => neutralize(
            &items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Value::Object(_) => neutralize(&value.to_string()),
        other => other.to_string(),
    }
}

/// One CSV record (CRLF-terminated); fields with a comma, quote or line
/// break are quoted.
pub fn line(fields: &[String]) -> String {
    let mut out = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// The value of `column` in a JSON object; dotted names reach into nested
/// objects, as `custom.discount`.
pub fn field<'a>(object: &'a Value, column: &str) -> &'a Value {
    column
        .split('.')
        .try_fold(object, |v, key| v.get(key))
        .unwrap_or(&Value::Null)
}

/// The CSV record of `columns` read from one JSON object.
pub fn record(object: &Value, columns: &[String]) -> String {
    let fields: Vec<String> = columns.iter().map(|c| cell(field(object, c))).collect();
    line(&fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formulas_are_neutralized_and_fields_quoted() {
        let row = json!({"name": "=HYPERLINK(\"http://x\")", "inn": "7707083893",
                         "types": ["customer", "partner"], "amount": -5, "custom": {"note": "@cmd"},
                         "notes": "строка 1\nстрока 2, ещё"});
        let columns: Vec<String> = [
            "name",
            "inn",
            "types",
            "amount",
            "custom.note",
            "notes",
            "missing",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect();
        assert_eq!(
            record(&row, &columns),
            "\"'=HYPERLINK(\"\"http://x\"\")\",7707083893,customer; partner,-5,'@cmd,\"строка 1\nстрока 2, ещё\",\r\n"
        );
        for risky in ["+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralize(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(neutralize("ООО Ромашка"), "ООО Ромашка");
    }
}
