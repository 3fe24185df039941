//! The outbox: domain events stored with the change they describe, then
//! published in order by the job runner.

use crate::entities::outbox::{ActiveModel, Column, Entity, Model};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// One event as the unit of work hands it over.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub entity: &'static str,
    pub record_id: Uuid,
    pub action: &'static str,
    pub fields: Vec<String>,
}

/// Stores events of one act, in order, in the caller's transaction.
pub async fn insert_many<C: ConnectionTrait>(
    db: &C,
    at: i64,
    actor: crate::history::Actor,
    events: &[NewEvent],
) -> Result<(), DbErr> {
    let rows = events.iter().map(|e| ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(at),
        entity: Set(e.entity.to_string()),
        record_id: Set(e.record_id),
        action: Set(e.action.to_string()),
        actor_id: Set(actor.user_id),
        channel: Set(actor.channel.to_string()),
        fields: Set(serde_json::json!(e.fields)),
        published_at: Set(None),
    });
    crate::bulk::insert_all::<Entity, _>(db, rows.collect()).await
}

/// Takes up to `limit` unpublished events, oldest first, marking them
/// published in the caller's transaction: whatever the caller does with
/// them commits or rolls back together with the mark.
pub async fn take<C: ConnectionTrait>(db: &C, limit: u64, now: i64) -> Result<Vec<Model>, DbErr> {
    let waiting = Entity::find()
        .filter(Column::PublishedAt.is_null())
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = waiting.iter().map(|e| e.id).collect();
    crate::bulk::stamp::<Entity, _>(db, Column::Id, Column::PublishedAt, &ids, now).await?;
    Ok(waiting)
}

/// Forgets events published before `before`.
pub async fn forget_published<C: ConnectionTrait>(db: &C, before: i64) -> Result<u64, DbErr> {
    Entity::delete_many()
        .filter(Column::PublishedAt.lt(before))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
