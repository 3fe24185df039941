//! Mapping profiles: a column mapping saved under a name ("Выгрузка из
//! 1С") and shared by everyone who imports the same entity, so the next
//! file of the same shape maps itself. Columns are matched by header, so a
//! file whose columns moved still maps right.

use super::ImportEntity;
use crate::{App, AppError, Principal};
use karta_core::import::header_key;
use karta_core::roles::Access;
use karta_db::entities::import_profile;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Longest profile name kept.
const NAME_MAX: usize = 100;

/// The entity's profiles, by name.
pub async fn list(
    app: &App,
    p: &Principal,
    entity: ImportEntity,
) -> Result<Vec<import_profile::Model>, AppError> {
    p.require(entity.entity(), Access::Write)?;
    Ok(import_profile::Entity::find()
        .filter(import_profile::Column::Entity.eq(entity.as_str()))
        .order_by_asc(import_profile::Column::Name)
        .all(app.db.conn())
        .await?)
}

/// The entity's profile called `name`; `not_found` as a field error of
/// `field` when there is none.
pub async fn named(
    app: &App,
    p: &Principal,
    entity: ImportEntity,
    name: &str,
    field: &str,
) -> Result<import_profile::Model, AppError> {
    list(app, p, entity)
        .await?
        .into_iter()
        .find(|m| m.name == name.trim())
        .ok_or_else(|| AppError::field(field, "not_found"))
}

/// Saves (or replaces) the profile `name`: the field each header fills.
pub async fn save(
    app: &App,
    p: &Principal,
    entity: ImportEntity,
    name: &str,
    headers: &[String],
    fields: &[Option<String>],
) -> Result<(), AppError> {
    p.require(entity.entity(), Access::Write)?;
    let name: String = name.trim().chars().take(NAME_MAX).collect();
    if name.is_empty() {
        return Err(AppError::field("save_profile", "required"));
    }
    let by_header: Map<String, Value> = headers
        .iter()
        .zip(fields)
        .map(|(h, f)| (header_key(h), f.clone().map_or(Value::Null, Value::String)))
        .collect();
    let now = app.now();
    let row = import_profile::ActiveModel {
        id: Set(Uuid::now_v7()),
        entity: Set(entity.as_str().into()),
        name: Set(name),
        fields: Set(Value::Object(by_header)),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    import_profile::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([import_profile::Column::Entity, import_profile::Column::Name])
                .update_columns([
                    import_profile::Column::Fields,
                    import_profile::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(app.db.conn())
        .await?;
    Ok(())
}

/// The fields a profile gives a file's columns: by header, and for a header
/// the profile does not know, `guessed`.
pub fn apply(
    profile: &import_profile::Model,
    headers: &[String],
    guessed: &[Option<String>],
) -> Vec<Option<String>> {
    headers
        .iter()
        .zip(guessed)
        .map(|(h, g)| match profile.fields.get(header_key(h)) {
            Some(Value::String(f)) => Some(f.clone()),
            Some(_) => None,
            None => g.clone(),
        })
        .collect()
}
