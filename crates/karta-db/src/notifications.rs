//! Notifications waiting for their user: written by background jobs,
//! taken (marked delivered) by the user's open page.

use crate::entities::notification::{ActiveModel, Column, Entity, Model};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Tells each `(user, record)` of `kind`.
pub async fn insert_many<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    to: &[(Uuid, Uuid)],
    now: i64,
) -> Result<(), DbErr> {
    if to.is_empty() {
        return Ok(());
    }
    let rows = to.iter().map(|(user_id, record_id)| ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(*user_id),
        kind: Set(kind.to_string()),
        record_id: Set(*record_id),
        created_at: Set(now),
        delivered_at: Set(None),
    });
    Entity::insert_many(rows).exec(db).await.map(|_| ())
}

/// Takes up to `limit` of the user's waiting notifications of `kind`,
/// oldest first, marking them delivered so no other page gets them.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    kind: &str,
    limit: u64,
    now: i64,
) -> Result<Vec<Model>, DbErr> {
    let waiting = Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::DeliveredAt.is_null())
        .filter(Column::Kind.eq(kind))
        .order_by_asc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = waiting.iter().map(|n| n.id).collect();
    crate::bulk::stamp::<Entity, _>(db, Column::Id, Column::DeliveredAt, &ids, now).await?;
    Ok(waiting)
}

/// Forgets notifications delivered before `before`.
pub async fn forget_delivered<C: ConnectionTrait>(db: &C, before: i64) -> Result<u64, DbErr> {
    Entity::delete_many()
        .filter(Column::DeliveredAt.lt(before))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
