//! `/api/v1/classifiers` and `/api/v1/custom-fields`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::parse_json;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use karta_app::model::{Classifier, CustomField};
use karta_app::settings::{
    self, ClassifierInput, ClassifierPatch, CustomFieldInput, CustomFieldPatch,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A classifier value.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassifierView {
    pub id: Uuid,
    pub kind: String,
    pub code: String,
    pub label_ru: String,
    pub label_en: String,
    pub position: i32,
    pub active: bool,
    /// Activity types only: the usual duration in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_minutes: Option<i32>,
    pub version: i64,
}

impl From<&Classifier> for ClassifierView {
    fn from(c: &Classifier) -> Self {
        Self {
            id: c.id,
            kind: c.kind.clone(),
            code: c.code.clone(),
            label_ru: c.label_ru.clone(),
            label_en: c.label_en.clone(),
            position: c.position,
            active: c.active,
            default_minutes: c.default_minutes,
            version: c.version,
        }
    }
}

/// Every classifier value.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassifierList {
    pub items: Vec<ClassifierView>,
    pub next_cursor: Option<String>,
}

/// A custom field definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldView {
    pub id: Uuid,
    pub entity: String,
    pub key: String,
    pub label_ru: String,
    pub label_en: String,
    pub field_type: String,
    #[schema(value_type = Vec<Object>)]
    pub options: serde_json::Value,
    pub required: bool,
    pub show_in_list: bool,
    pub position: i32,
    pub active: bool,
    pub version: i64,
}

impl From<&CustomField> for CustomFieldView {
    fn from(f: &CustomField) -> Self {
        Self {
            id: f.id,
            entity: f.entity.clone(),
            key: f.key.clone(),
            label_ru: f.label_ru.clone(),
            label_en: f.label_en.clone(),
            field_type: f.field_type.clone(),
            options: f.options.clone(),
            required: f.required,
            show_in_list: f.show_in_list,
            position: f.position,
            active: f.active,
            version: f.version,
        }
    }
}

/// Every custom field definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldList {
    pub items: Vec<CustomFieldView>,
    pub next_cursor: Option<String>,
}

/// List classifier values.
#[utoipa::path(get, path = "/api/v1/classifiers", tag = "settings", responses((status = 200, body = ClassifierList)))]
pub async fn list_classifiers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ClassifierList>, ApiError> {
    let all = settings::list_classifiers(&state.app, &caller.principal).await?;
    Ok(Json(ClassifierList {
        items: all.iter().map(ClassifierView::from).collect(),
        next_cursor: None,
    }))
}

/// Add a classifier value (administrators, marketers).
#[utoipa::path(post, path = "/api/v1/classifiers", tag = "settings", request_body = ClassifierInput,
    responses((status = 201, body = ClassifierView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_classifier(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<ClassifierView>), ApiError> {
    let input: ClassifierInput = parse_json(&body)?;
    let c = settings::create_classifier(&state.app, &caller.principal, input).await?;
    Ok((StatusCode::CREATED, Json(ClassifierView::from(&c))))
}

/// Change labels, order or the active flag of a classifier value.
#[utoipa::path(patch, path = "/api/v1/classifiers/{id}", tag = "settings", request_body = ClassifierPatch, params(("id" = Uuid, Path)),
    responses((status = 200, body = ClassifierView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_classifier(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<ClassifierView>, ApiError> {
    let patch: ClassifierPatch = parse_json(&body)?;
    let c = settings::update_classifier(&state.app, &caller.principal, id, patch).await?;
    Ok(Json(ClassifierView::from(&c)))
}

/// List custom field definitions.
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "settings", responses((status = 200, body = CustomFieldList)))]
pub async fn list_custom_fields(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CustomFieldList>, ApiError> {
    let all = settings::list_custom_fields(&state.app, &caller.principal).await?;
    Ok(Json(CustomFieldList {
        items: all.iter().map(CustomFieldView::from).collect(),
        next_cursor: None,
    }))
}

/// Define a custom field (administrators, marketers).
#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "settings", request_body = CustomFieldInput,
    responses((status = 201, body = CustomFieldView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_custom_field(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<CustomFieldView>), ApiError> {
    let input: CustomFieldInput = parse_json(&body)?;
    let f = settings::create_custom_field(&state.app, &caller.principal, input).await?;
    Ok((StatusCode::CREATED, Json(CustomFieldView::from(&f))))
}

/// Change a custom field's labels, options, order, flags (not its key or type).
#[utoipa::path(patch, path = "/api/v1/custom-fields/{id}", tag = "settings", request_body = CustomFieldPatch, params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomFieldView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_custom_field(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<CustomFieldView>, ApiError> {
    let patch: CustomFieldPatch = parse_json(&body)?;
    let f = settings::update_custom_field(&state.app, &caller.principal, id, patch).await?;
    Ok(Json(CustomFieldView::from(&f)))
}
