//! `/api/v1/classifiers` and `/api/v1/custom-fields`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::parse_json;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use karta_app::settings::{self, ClassifierInput, CustomFieldInput};
use karta_db::entities::{classifier, custom_field};
use serde_json::{Value, json};

fn classifier_json(c: &classifier::Model) -> Value {
    json!({"id": c.id, "kind": c.kind, "code": c.code, "label_ru": c.label_ru, "label_en": c.label_en,
           "position": c.position, "active": c.active, "version": c.version})
}

fn field_json(f: &custom_field::Model) -> Value {
    json!({"id": f.id, "entity": f.entity, "key": f.key, "label_ru": f.label_ru, "label_en": f.label_en,
           "field_type": f.field_type, "options": f.options, "required": f.required,
           "show_in_list": f.show_in_list, "position": f.position, "active": f.active, "version": f.version})
}

/// Every classifier value.
pub async fn list_classifiers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let all = settings::list_classifiers(&state.app, &caller.principal).await?;
    Ok(Json(
        json!({"items": all.iter().map(classifier_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

/// Add a classifier value (administrators, marketers).
pub async fn create_classifier(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: ClassifierInput = parse_json(&body)?;
    let c = settings::create_classifier(&state.app, &caller.principal, input).await?;
    Ok((StatusCode::CREATED, Json(classifier_json(&c))))
}

/// Every custom field definition.
pub async fn list_custom_fields(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let all = settings::list_custom_fields(&state.app, &caller.principal).await?;
    Ok(Json(
        json!({"items": all.iter().map(field_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

/// Define a custom field (administrators, marketers).
pub async fn create_custom_field(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: CustomFieldInput = parse_json(&body)?;
    let f = settings::create_custom_field(&state.app, &caller.principal, input).await?;
    Ok((StatusCode::CREATED, Json(field_json(&f))))
}
