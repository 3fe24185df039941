//! Custom field definitions.

use crate::entities::custom_field::{Column, Entity, Model};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Definitions for `entity` (`accounts` / `contacts`), in form order.
pub async fn of_entity<C: ConnectionTrait>(db: &C, entity: &str) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Entity.eq(entity))
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Key)
        .all(db)
        .await
}

/// Every definition.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::Entity)
        .order_by_asc(Column::Position)
        .all(db)
        .await
}

/// One definition by id.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}
