//! Classifiers and custom field definitions: reading them, editing them
//! (administrators and marketers), and checking values against them.

use crate::uow::audited;
use crate::{AppError, Principal};
use karta_core::Invalid;
use karta_core::custom_fields::{FieldRule, FieldType};
use karta_core::roles::{Access, Entity};
use karta_db::entities::{classifier, custom_field};
use karta_db::{classifiers, custom_fields};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Classifier kinds that exist, with the field they serve.
pub const CLASSIFIER_KINDS: &[&str] = &[
    "industry",
    "region",
    "segment",
    "company_size",
    "lead_source",
    "loss_reason",
    "campaign",
    "disqualify_reason",
    "payment_method",
    "buying_priority",
    "purchase_role",
    "product_category",
    karta_core::activities::ActivityKind::CLASSIFIER,
];

/// A classifier value as clients send it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifierInput {
    pub kind: String,
    pub code: String,
    pub label_ru: String,
    pub label_en: String,
    #[serde(default)]
    pub position: i32,
    #[serde(default = "yes")]
    pub active: bool,
    /// Activity types only: how long one usually takes, in minutes.
    pub default_minutes: Option<i32>,
}

fn yes() -> bool {
    true
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A default duration belongs to activity types alone and fits in a day.
fn check_default_minutes(e: &mut Invalid, kind: &str, minutes: Option<i32>) {
    match minutes {
        Some(_) if kind != karta_core::activities::ActivityKind::CLASSIFIER => {
            e.push("default_minutes", "not_for_this_kind")
        }
        Some(m) if !(0..=24 * 60).contains(&m) => e.push("default_minutes", "out_of_range"),
        _ => {}
    }
}

fn check_labels(e: &mut Invalid, ru: &str, en: &str) {
    if ru.trim().is_empty() {
        e.push("label_ru", "required");
    }
    if en.trim().is_empty() {
        e.push("label_en", "required");
    }
}

/// Creates a classifier value.
pub async fn create_classifier(
    app: &crate::App,
    p: &Principal,
    input: ClassifierInput,
) -> Result<classifier::Model, AppError> {
    p.require(Entity::Classifiers, Access::Write)?;
    let mut e = Invalid::default();
    if !CLASSIFIER_KINDS.contains(&input.kind.as_str()) {
        e.push("kind", "invalid_choice");
    }
    if !valid_code(&input.code) {
        e.push("code", "invalid_code");
    }
    check_labels(&mut e, &input.label_ru, &input.label_en);
    check_default_minutes(&mut e, &input.kind, input.default_minutes);
    e.into_result()?;
    if classifiers::by_code(app.db.conn(), &input.kind, &input.code)
        .await?
        .is_some()
    {
        return Err(AppError::field("code", "already_exists"));
    }
    let now = app.now();
    let id = Uuid::now_v7();
    let model = classifier::ActiveModel {
        id: Set(id),
        kind: Set(input.kind),
        code: Set(input.code),
        label_ru: Set(input.label_ru.trim().to_string()),
        label_en: Set(input.label_en.trim().to_string()),
        position: Set(input.position),
        active: Set(input.active),
        default_minutes: Set(input.default_minutes),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    audited(
        app,
        p.actor(),
        ("classifiers", "create", id),
        None,
        async |tx| {
            Ok(classifier::Entity::insert(model)
                .exec_with_returning(&**tx)
                .await?)
        },
    )
    .await
}

/// Changes to a classifier value: labels, order, active flag, an activity
/// type's default duration. Kind and code are fixed, because records refer
/// to the code.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifierPatch {
    pub label_ru: Option<String>,
    pub label_en: Option<String>,
    pub position: Option<i32>,
    pub active: Option<bool>,
    pub default_minutes: Option<i32>,
}

/// Changes a classifier value.
pub async fn update_classifier(
    app: &crate::App,
    p: &Principal,
    id: Uuid,
    patch: ClassifierPatch,
) -> Result<classifier::Model, AppError> {
    p.require(Entity::Classifiers, Access::Write)?;
    let current = classifiers::find(app.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = Invalid::default();
    let label_ru = patch.label_ru.unwrap_or_else(|| current.label_ru.clone());
    let label_en = patch.label_en.unwrap_or_else(|| current.label_en.clone());
    check_labels(&mut e, &label_ru, &label_en);
    check_default_minutes(&mut e, &current.kind, patch.default_minutes);
    e.into_result()?;
    let version = current.version;
    let mut model = current.clone().into_active_model();
    model.label_ru = Set(label_ru.trim().to_string());
    model.label_en = Set(label_en.trim().to_string());
    if let Some(position) = patch.position {
        model.position = Set(position);
    }
    if let Some(active) = patch.active {
        model.active = Set(active);
    }
    if let Some(minutes) = patch.default_minutes {
        model.default_minutes = Set(Some(minutes));
    }
    model.version = Set(version + 1);
    audited(
        app,
        p.actor(),
        ("classifiers", "update", id),
        Some(&current),
        async |tx| {
            model.updated_at = Set(tx.now());
            Ok(model.update(&**tx).await?)
        },
    )
    .await
}

/// Every classifier value (readable by every signed-in user).
pub async fn list_classifiers(
    app: &crate::App,
    p: &Principal,
) -> Result<Vec<classifier::Model>, AppError> {
    p.require(Entity::Classifiers, Access::Read)?;
    Ok(classifiers::all(app.db.conn()).await?)
}

/// Adds an error for every classifier-backed value whose code is unknown.
pub async fn check_classifier_values(
    app: &crate::App,
    e: &mut Invalid,
    values: &[(&str, &str, Option<&str>)],
) -> Result<(), AppError> {
    if values.iter().all(|(_, _, v)| v.is_none()) {
        return Ok(());
    }
    let all = app.classifiers().await?;
    for (field, kind, value) in values {
        if let Some(code) = value
            && !all.iter().any(|c| c.kind == *kind && c.code == *code)
        {
            e.push(*field, "unknown_classifier_value");
        }
    }
    Ok(())
}

/// A custom field definition as clients send it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldInput {
    /// `accounts`, `contacts` or `deals`.
    pub entity: String,
    /// Identifier used in `custom` objects: lower-case letters, digits, `_`.
    pub key: String,
    pub label_ru: String,
    pub label_en: String,
    /// text, number, money, date, boolean, one_of, many_of.
    pub field_type: String,
    /// For one_of / many_of: `[{"code", "label_ru", "label_en"}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub options: Vec<Value>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub show_in_list: bool,
    #[serde(default)]
    pub position: i32,
}

/// Checks and normalises option definitions; choice fields need at least one.
fn parse_options(e: &mut Invalid, field_type: Option<FieldType>, raw: &[Value]) -> Vec<Value> {
    let mut options = Vec::new();
    for (i, o) in raw.iter().enumerate() {
        let code = o.get("code").and_then(Value::as_str).unwrap_or_default();
        let ru = o.get("label_ru").and_then(Value::as_str).unwrap_or(code);
        let en = o.get("label_en").and_then(Value::as_str).unwrap_or(code);
        if !valid_code(code) {
            e.push(format!("options[{i}].code"), "invalid_code");
        }
        options.push(json!({"code": code, "label_ru": ru, "label_en": en}));
    }
    if matches!(field_type, Some(FieldType::OneOf | FieldType::ManyOf)) && options.is_empty() {
        e.push("options", "required");
    }
    options
}

/// Option codes of a definition.
pub fn option_codes(def: &custom_field::Model) -> Vec<String> {
    def.options
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o.get("code").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Defines a new custom field.
pub async fn create_custom_field(
    app: &crate::App,
    p: &Principal,
    input: CustomFieldInput,
) -> Result<custom_field::Model, AppError> {
    p.require(Entity::CustomFields, Access::Write)?;
    let mut e = Invalid::default();
    if !["accounts", "contacts", "deals"].contains(&input.entity.as_str()) {
        e.push("entity", "invalid_choice");
    }
    if !valid_code(&input.key) {
        e.push("key", "invalid_code");
    }
    check_labels(&mut e, &input.label_ru, &input.label_en);
    let field_type = e.take("field_type", FieldType::parse(&input.field_type));
    let options = parse_options(&mut e, field_type, &input.options);
    e.into_result()?;
    let existing = custom_fields::of_entity(app.db.conn(), &input.entity).await?;
    if existing.iter().any(|f| f.key == input.key) {
        return Err(AppError::field("key", "already_exists"));
    }
    let now = app.now();
    let id = Uuid::now_v7();
    let model = custom_field::ActiveModel {
        id: Set(id),
        entity: Set(input.entity),
        key: Set(input.key),
        label_ru: Set(input.label_ru.trim().to_string()),
        label_en: Set(input.label_en.trim().to_string()),
        field_type: Set(input.field_type),
        options: Set(Value::Array(options)),
        required: Set(input.required),
        show_in_list: Set(input.show_in_list),
        position: Set(input.position),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    audited(
        app,
        p.actor(),
        ("custom_fields", "create", id),
        None,
        async |tx| {
            Ok(custom_field::Entity::insert(model)
                .exec_with_returning(&**tx)
                .await?)
        },
    )
    .await
}

/// Changes to a custom field. Key, entity and type are fixed: stored values
/// depend on them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    pub label_ru: Option<String>,
    pub label_en: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub options: Option<Vec<Value>>,
    pub required: Option<bool>,
    pub show_in_list: Option<bool>,
    pub position: Option<i32>,
    /// An inactive field disappears from forms and validation; values stay.
    pub active: Option<bool>,
}

/// Changes a custom field definition.
pub async fn update_custom_field(
    app: &crate::App,
    p: &Principal,
    id: Uuid,
    patch: CustomFieldPatch,
) -> Result<custom_field::Model, AppError> {
    p.require(Entity::CustomFields, Access::Write)?;
    let current = custom_fields::find(app.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = Invalid::default();
    let label_ru = patch.label_ru.unwrap_or_else(|| current.label_ru.clone());
    let label_en = patch.label_en.unwrap_or_else(|| current.label_en.clone());
    check_labels(&mut e, &label_ru, &label_en);
    let options = patch
        .options
        .map(|o| parse_options(&mut e, FieldType::parse(&current.field_type).ok(), &o));
    e.into_result()?;
    let version = current.version;
    let mut model = current.clone().into_active_model();
    model.label_ru = Set(label_ru.trim().to_string());
    model.label_en = Set(label_en.trim().to_string());
    if let Some(o) = options {
        model.options = Set(Value::Array(o));
    }
    if let Some(v) = patch.required {
        model.required = Set(v);
    }
    if let Some(v) = patch.show_in_list {
        model.show_in_list = Set(v);
    }
    if let Some(v) = patch.position {
        model.position = Set(v);
    }
    if let Some(v) = patch.active {
        model.active = Set(v);
    }
    model.version = Set(version + 1);
    audited(
        app,
        p.actor(),
        ("custom_fields", "update", id),
        Some(&current),
        async |tx| {
            model.updated_at = Set(tx.now());
            Ok(model.update(&**tx).await?)
        },
    )
    .await
}

/// Every custom field definition.
pub async fn list_custom_fields(
    app: &crate::App,
    p: &Principal,
) -> Result<Vec<custom_field::Model>, AppError> {
    p.require(Entity::CustomFields, Access::Read)?;
    Ok(custom_fields::all(app.db.conn()).await?)
}

/// Validates `values` against the active definitions of `entity`, returning
/// the normalised object. Unknown keys are errors, like unknown fields.
pub async fn normalise_custom(
    app: &crate::App,
    entity: &str,
    values: &Map<String, Value>,
    e: &mut Invalid,
) -> Result<Map<String, Value>, AppError> {
    let defs = app.custom_fields(entity).await?;
    let mut out = Map::new();
    for (key, value) in values {
        match defs.iter().find(|d| &d.key == key) {
            None => e.push(format!("custom.{key}"), "unknown_field"),
            // A retired field keeps what records already hold, so their
            // next edit does not fail on a field nobody can see any more.
            Some(d) if !d.active && !value.is_null() => {
                out.insert(key.clone(), value.clone());
            }
            Some(_) => {}
        }
    }
    for def in defs.iter().filter(|d| d.active) {
        let Ok(field_type) = FieldType::parse(&def.field_type) else {
            continue;
        };
        let options = option_codes(def);
        let rule = FieldRule {
            field_type,
            required: def.required,
            options: &options,
        };
        match rule.normalise(values.get(&def.key).unwrap_or(&Value::Null)) {
            Ok(Some(v)) => {
                out.insert(def.key.clone(), v);
            }
            Ok(None) => {}
            Err(code) => e.push(format!("custom.{}", def.key), code),
        }
    }
    Ok(out)
}
