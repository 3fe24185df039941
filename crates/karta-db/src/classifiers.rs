//! Classifiers: editable lists (industries, regions, sources, …) with
//! Russian and English labels.

use crate::entities::classifier::{Column, Entity, Model};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Every classifier value, grouped by kind and position.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::Kind)
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Code)
        .all(db)
        .await
}

/// Values of one kind.
pub async fn of_kind<C: ConnectionTrait>(db: &C, kind: &str) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Kind.eq(kind))
        .order_by_asc(Column::Position)
        .all(db)
        .await
}

/// One value by id.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// One value by kind and code.
pub async fn by_code<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    code: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Kind.eq(kind))
        .filter(Column::Code.eq(code))
        .one(db)
        .await
}
