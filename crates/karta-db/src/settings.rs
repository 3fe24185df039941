//! Company-wide settings stored as JSON by key (the routing default, …).

use crate::entities::setting::{ActiveModel, Column, Entity};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde_json::Value;

/// The stored value of `key`, if any.
pub async fn get<C: ConnectionTrait>(db: &C, key: &str) -> Result<Option<Value>, DbErr> {
    Ok(Entity::find_by_id(key.to_string())
        .one(db)
        .await?
        .map(|m| m.value))
}

/// Stores `value` under `key`, replacing what was there.
pub async fn put<C: ConnectionTrait>(
    db: &C,
    key: &str,
    value: Value,
    now: i64,
) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        key: Set(key.to_string()),
        value: Set(value),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::Key)
            .update_columns([Column::Value, Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await
    .map(|_| ())
}
