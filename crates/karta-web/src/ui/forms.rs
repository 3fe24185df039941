//! Edit forms shared by every record page: one field row type, one page
//! template, error messages beside fields, and the stale-save view.

use super::{PageCtx, render};
use crate::error::ApiError;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// One row of a form.
pub struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `select`, `checkboxes`, `textarea`, `date` (a date
    /// picker) or `account` (a code typed or picked by the name searched).
    pub kind: &'static str,
    pub value: String,
    pub checked: Vec<String>,
    pub options: Vec<(String, String)>,
    pub error: String,
}

impl FormField {
    /// A field of `kind` named `name`, labelled in the page language.
    pub fn new(page: &PageCtx, name: &str, kind: &'static str, value: String) -> Self {
        Self {
            name: name.to_string(),
            label: page.tr.field(name),
            kind,
            value,
            checked: Vec::new(),
            options: Vec::new(),
            error: String::new(),
        }
    }

    /// The same field with choices.
    pub fn with_options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    page: PageCtx,
    title: String,
    version: i64,
    cancel: String,
    conflict: bool,
    has_errors: bool,
    fields: Vec<FormField>,
}

/// What a form is about: its title, where Cancel goes, the version edited.
pub struct FormHead {
    pub title: String,
    pub cancel: String,
    pub version: i64,
}

/// Renders a form page; `errors` are attached to the fields they name.
pub fn page(
    page: PageCtx,
    head: FormHead,
    mut fields: Vec<FormField>,
    errors: &HashMap<String, String>,
    conflict: bool,
) -> Response {
    for f in &mut fields {
        if let Some((_, message)) = errors
            .iter()
            .find(|(k, _)| *k == &f.name || k.starts_with(&format!("{}[", f.name)))
        {
            f.error = message.clone();
        }
    }
    render(&FormPage {
        has_errors: !errors.is_empty() && !conflict,
        title: head.title,
        version: head.version,
        cancel: head.cancel,
        conflict,
        fields,
        page,
    })
}

/// The body of a delete or restore button: the CSRF token and the version
/// the user saw.
#[derive(Debug, serde::Deserialize)]
pub struct VersionForm {
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
    pub version: Option<i64>,
}

/// One posted value.
pub fn form_value(form: &[(String, String)], key: &str) -> Option<String> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Field errors translated into the page language.
pub fn error_map(tr: crate::i18n::Tr, e: &karta_core::Invalid) -> HashMap<String, String> {
    e.0.iter()
        .map(|f| (f.field.clone(), tr.error(f.code)))
        .collect()
}

/// Field errors translated, named as the form names its fields: an error
/// on an API field in `renames` (matched by its root, so `items[2].price`
/// is `items`) goes to the form field beside it.
pub fn error_map_as(
    tr: crate::i18n::Tr,
    e: &karta_core::Invalid,
    renames: &[(&str, &str)],
) -> HashMap<String, String> {
    error_map(tr, e)
        .into_iter()
        .map(|(k, v)| {
            let root = k.split(['[', '.']).next().unwrap_or(&k);
            match renames.iter().find(|(api, _)| *api == root) {
                Some((_, form)) => (form.to_string(), v),
                None => (k, v),
            }
        })
        .collect()
}

/// How a posted value reads back to the user beside a field.
fn typed_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        Value::Array(a) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Whether two values of a field mean the same (an empty list is nothing).
fn same(a: &Value, b: &Value) -> bool {
    let empty = |v: &Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
    a == b || (empty(a) && empty(b))
}

/// After a stale save: for each field the user changed differently from
/// the stored record, what the user had typed (`≠ their value`).
pub fn conflict_errors(patch: &Map<String, Value>, current: &Value) -> HashMap<String, String> {
    patch
        .iter()
        .filter(|(k, mine)| !same(current.get(*k).unwrap_or(&Value::Null), mine))
        .map(|(k, mine)| (k.clone(), format!("≠ {}", typed_text(mine))))
        .collect()
}

/// The values the form showed when it was opened, posted back as
/// `base.<field>`, named like the fields so the same reading applies.
pub fn base_of(form: &[(String, String)]) -> Vec<(String, String)> {
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("base.")?.to_string(), v.clone())))
        .collect()
}

/// A stale save merged three ways — what the form showed (`base`), what
/// the user sent (`mine`) and what is stored now (`current`): the fields
/// only the user changed, to save at the current version, and the fields
/// both changed differently, with what the user had typed. Fields only
/// the other person changed keep their change.
pub fn merge_stale(
    mine: &Map<String, Value>,
    base: &Map<String, Value>,
    current: &Value,
) -> (Map<String, Value>, HashMap<String, String>) {
    let (mut apply, mut conflicts) = (Map::new(), HashMap::new());
    for (k, m) in mine {
        let b = base.get(k).unwrap_or(&Value::Null);
        let theirs = current.get(k).unwrap_or(&Value::Null);
        if same(m, b) || same(m, theirs) {
            continue;
        }
        if same(theirs, b) {
            apply.insert(k.clone(), m.clone());
        } else {
            conflicts.insert(k.clone(), format!("≠ {}", typed_text(m)));
        }
    }
    (apply, conflicts)
}

/// Handles a stale save: merges three ways, saves what only the user
/// changed with `save` (at the current version), and gives back the fields
/// both changed differently — none when everything is saved.
pub async fn save_merged<F, Fut>(
    mine: &Map<String, Value>,
    base: &Map<String, Value>,
    current: &Value,
    save: F,
) -> Result<HashMap<String, String>, AppError>
where
    F: FnOnce(Map<String, Value>) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let (apply, conflicts) = merge_stale(mine, base, current);
    if !apply.is_empty() {
        save(apply).await?;
    }
    Ok(conflicts)
}

/// Where a form asked to return to (same-site paths only).
pub fn back_to(form: &[(String, String)], fallback: &str) -> String {
    form_value(form, "back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or_else(|| fallback.to_string())
}

/// `back` with `?error=code` appended.
pub fn with_error(back: &str, code: &str) -> String {
    let sep = if back.contains('?') { '&' } else { '?' };
    format!("{back}{sep}error={code}")
}

/// What a card says about the form it came back from: the refusal's
/// reason in the page language, naming the field when the refusal was
/// about one (`error`, `field` in the query) — «Следующий контакт · Срок:
/// Обязательное поле.»
pub fn refusal_text(tr: crate::i18n::Tr, query: &HashMap<String, String>) -> String {
    let Some(code) = query.get("error") else {
        return String::new();
    };
    match query.get("field").filter(|f| !f.is_empty()) {
        Some(field) => {
            let names: Vec<String> = field.split('.').map(|f| tr.field_name(f)).collect();
            format!("{}: {}", names.join(" · "), tr.error(code))
        }
        None => tr.error(code),
    }
}

/// The code and field of a refusal the user can act on (invalid input, a
/// conflict, someone else's change); other errors are passed on.
pub fn refusal(e: AppError) -> Result<(&'static str, Option<String>), ApiError> {
    Ok(match e {
        AppError::Invalid(e) => match e.0.into_iter().next() {
            Some(f) => (f.code, Some(f.field)),
            None => ("other", None),
        },
        AppError::Conflict(code) => (code, None),
        AppError::VersionMismatch { .. } => ("version_mismatch", None),
        e => return Err(e.into()),
    })
}

/// After a form's act: on to the page `result` names, or back to `back`
/// with the code of a refusal the user can act on (invalid input, a
/// conflict, someone else's change); anything else is an error page.
pub fn redirect_after(result: Result<String, AppError>, back: &str) -> Result<Response, ApiError> {
    let code = match result {
        Ok(to) => return Ok(Redirect::to(&to).into_response()),
        Err(e) => refusal(e)?.0,
    };
    Ok(Redirect::to(&with_error(back, code)).into_response())
}

/// One pasted `article = value` line whose article names a live product.
pub struct ArticleLine {
    /// The line's number in the box, from 1.
    pub line: usize,
    pub product_id: Uuid,
    /// What follows the article (`=`, `;` or a tab separates them).
    pub value: String,
}

/// Reads a box of `article = value` lines (blank lines skipped). Lines
/// whose article names no live product come back as problems, each
/// `строка N: …` in the page language.
pub async fn article_lines(
    state: &crate::AppState,
    p: &karta_app::Principal,
    tr: crate::i18n::Tr,
    text: &str,
) -> (Vec<ArticleLine>, Vec<String>) {
    let (mut lines, mut problems) = (Vec::new(), Vec::new());
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let (sku, value) = raw
            .split_once(['=', ';', '\t'])
            .map(|(a, b)| (a.trim(), b.trim()))
            .unwrap_or((raw.trim(), ""));
        let product = karta_app::products::with_sku(&state.app, p, sku)
            .await
            .ok()
            .flatten()
            .filter(|m| m.deleted_at.is_none());
        match product {
            Some(m) => lines.push(ArticleLine {
                line: n + 1,
                product_id: m.id,
                value: value.to_string(),
            }),
            None => problems.push(line_problem(tr, n + 1, "unknown_product")),
        }
    }
    (lines, problems)
}

/// `строка N: message` for a pasted line.
pub fn line_problem(tr: crate::i18n::Tr, line: usize, code: &str) -> String {
    format!("{} {line}: {}", tr.t("line"), tr.error(code))
}

/// `article = value` lines for products by id (articles looked up in one
/// query), sorted by article.
pub async fn article_text(
    state: &crate::AppState,
    p: &karta_app::Principal,
    values: &[(Uuid, String)],
) -> Result<String, ApiError> {
    let ids: Vec<Uuid> = values.iter().map(|(id, _)| *id).collect();
    let skus: HashMap<Uuid, String> = karta_app::products::by_ids(&state.app, p, &ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m.sku))
        .collect();
    let mut lines: Vec<String> = values
        .iter()
        .filter_map(|(id, value)| Some(format!("{} = {value}", skus.get(id)?)))
        .collect();
    lines.sort();
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_stale_save_keeps_what_only_the_user_changed() {
        let base = map(json!({"notes": "old", "address": "Москва", "tags": null}));
        let current = json!({"notes": "old", "address": "Казань", "tags": ["vip"]});
        // Only the user changed the note; only the other changed the tags.
        let mine = map(json!({"notes": "mine", "address": "Москва", "tags": []}));
        let (apply, conflicts) = merge_stale(&mine, &base, &current);
        assert_eq!(apply, map(json!({"notes": "mine"})));
        assert!(conflicts.is_empty());
        // Both changed the address differently; the same change is no conflict.
        let mine = map(json!({"notes": "old", "address": "Тверь"}));
        let (apply, conflicts) = merge_stale(&mine, &base, &current);
        assert!(apply.is_empty());
        assert_eq!(conflicts["address"], "≠ Тверь");
        let mine = map(json!({"address": "Казань"}));
        assert_eq!(
            merge_stale(&mine, &base, &current),
            (Map::new(), HashMap::new())
        );
    }
}
