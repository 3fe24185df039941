//! Administrator-defined custom fields on pages: their labels, how a value
//! is shown, the form row that edits it, the posted value it becomes, and
//! the list filter of one-of fields. Accounts and contacts share all of it.

use super::PageCtx;
use super::forms::{self, FormField};
use super::lists::{Column, Select};
use crate::i18n::Tr;
use karta_app::AppError;
use karta_app::model::CustomField as Definition;
use serde_json::{Map, Value};

/// The active definitions of an entity's custom fields, in their order.
pub async fn active(app: &karta_app::App, entity: &str) -> Result<Vec<Definition>, AppError> {
    Ok(app
        .custom_fields(entity)
        .await?
        .iter()
        .filter(|d| d.active)
        .cloned()
        .collect())
}

/// The field's label in the page language.
pub fn label(def: &Definition, tr: Tr) -> String {
    if tr.lang == "en" {
        def.label_en.clone()
    } else {
        def.label_ru.clone()
    }
}

/// `(code, label)` choices of a one-of / many-of field.
pub fn option_pairs(def: &Definition, tr: Tr) -> Vec<(String, String)> {
    let key = if tr.lang == "en" {
        "label_en"
    } else {
        "label_ru"
    };
    def.options
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| {
                    let code = o
                        .get("code")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let label = o
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or(&code)
                        .to_string();
                    (code, label)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A stored value as the user reads it (choice labels, yes/no, money).
pub fn display(def: &Definition, v: &Value, tr: Tr) -> String {
    let options = option_pairs(def, tr);
    let option_label = |code: &str| {
        options
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| code.to_string())
    };
    match v {
        Value::String(s) if def.field_type == "one_of" => option_label(s),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(option_label)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Bool(b) => tr.t(if *b { "yes" } else { "no" }),
        Value::Object(o) => format!(
            "{} {}",
            karta_core::custom_fields::format_money_minor(
                o.get("minor").and_then(Value::as_i64).unwrap_or_default()
            ),
            o.get("currency")
                .and_then(Value::as_str)
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

/// `(label, shown value)` of every field the record has a value for.
pub fn card_rows(
    defs: &[Definition],
    values: &Map<String, Value>,
    tr: Tr,
) -> Vec<(String, String)> {
    defs.iter()
        .filter_map(|d| {
            values
                .get(&d.key)
                .map(|v| (label(d, tr), display(d, v, tr)))
        })
        .collect()
}

/// The list cell of column `custom.KEY`, if `column` names a custom field.
pub fn cell(defs: &[Definition], values: &Map<String, Value>, column: &str, tr: Tr) -> String {
    let key = column.trim_start_matches("custom.");
    match (defs.iter().find(|d| d.key == key), values.get(key)) {
        (Some(d), Some(v)) => display(d, v, tr),
        _ => String::new(),
    }
}

/// One form row per active field, filled from the record's values:
/// a select for one-of and yes/no, checkboxes for many-of, text otherwise
/// (the server parses numbers, money and dates and explains mistakes).
pub fn form_fields(
    defs: &[Definition],
    values: &Map<String, Value>,
    page: &PageCtx,
) -> Vec<FormField> {
    let tr = page.tr;
    defs.iter()
        .map(|def| {
            let current = values.get(&def.key);
            let mut field =
                FormField::new(page, &format!("custom.{}", def.key), "text", String::new());
            field.label = label(def, tr);
            match def.field_type.as_str() {
                "one_of" => {
                    field.kind = "select";
                    field.options = option_pairs(def, tr);
                    field.value = current.and_then(Value::as_str).unwrap_or_default().into();
                }
                "many_of" => {
                    field.kind = "checkboxes";
                    field.options = option_pairs(def, tr);
                    field.checked = current
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default();
                }
                "boolean" => {
                    field.kind = "select";
                    field.options =
                        vec![("true".into(), tr.t("yes")), ("false".into(), tr.t("no"))];
                    field.value = current
                        .and_then(Value::as_bool)
                        .map(|b| b.to_string())
                        .unwrap_or_default();
                }
                _ => {
                    field.value = match current {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Object(o)) => karta_core::custom_fields::format_money_minor(
                            o.get("minor").and_then(Value::as_i64).unwrap_or_default(),
                        ),
                        Some(Value::Null) | None => String::new(),
                        Some(v) => v.to_string(),
                    };
                }
            }
            field
        })
        .collect()
}

/// The `custom` object of a posted form: every active field is sent
/// (empty ones as null, which clears them), many-of fields as arrays.
pub fn posted(defs: &[Definition], form: &[(String, String)]) -> Value {
    let mut custom = Map::new();
    for def in defs {
        let name = format!("custom.{}", def.key);
        let value = if def.field_type == "many_of" {
            Value::Array(
                form.iter()
                    .filter(|(k, v)| *k == name && !v.is_empty())
                    .map(|(_, v)| Value::String(v.clone()))
                    .collect(),
            )
        } else {
            match forms::form_value(form, &name) {
                Some(v) if !v.trim().is_empty() => Value::String(v),
                _ => Value::Null,
            }
        };
        custom.insert(def.key.clone(), value);
    }
    Value::Object(custom)
}

/// The list columns a set of fields offers (`custom.KEY`), and the keys of
/// those shown by default.
pub fn columns(defs: &[Definition], tr: Tr) -> (Vec<Column>, Vec<String>) {
    let offered = defs
        .iter()
        .map(|d| Column {
            key: format!("custom.{}", d.key),
            label: label(d, tr),
        })
        .collect();
    let shown = defs
        .iter()
        .filter(|d| d.show_in_list)
        .map(|d| format!("custom.{}", d.key))
        .collect();
    (offered, shown)
}

/// The filter selects of one-of fields and the conditions the request
/// chose among them (`custom.KEY=CODE`).
pub fn filters(
    defs: &[Definition],
    params: &[(String, String)],
    tr: Tr,
) -> (Vec<Select>, Vec<karta_core::search::CustomFilter>) {
    let mut selects = Vec::new();
    let mut chosen = Vec::new();
    for d in defs.iter().filter(|d| d.field_type == "one_of") {
        let name = format!("custom.{}", d.key);
        let value = params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if !value.is_empty() {
            chosen.push(karta_core::search::CustomFilter {
                key: d.key.clone(),
                field_type: karta_core::custom_fields::FieldType::OneOf,
                value: value.clone(),
            });
        }
        selects.push(Select {
            options: option_pairs(d, tr),
            label: label(d, tr),
            name,
            value,
        });
    }
    (selects, chosen)
}
