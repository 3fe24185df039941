//! Deal line storage: a deal's lines in order, replaced as a whole.

use crate::entities::deal_line::{ActiveModel, Column, Entity, Model};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// The lines of a deal, in order.
pub async fn of_deal<C: ConnectionTrait>(db: &C, deal_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DealId.eq(deal_id))
        .order_by_asc(Column::Position)
        .all(db)
        .await
}

/// How many lines a deal has.
pub async fn count<C: ConnectionTrait>(db: &C, deal_id: Uuid) -> Result<i64, DbErr> {
    let n: Option<i64> = Entity::find()
        .select_only()
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(Column::DealId.eq(deal_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0))
}

/// Replaces a deal's lines with `rows`.
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    deal_id: Uuid,
    rows: Vec<ActiveModel>,
) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::DealId.eq(deal_id))
        .exec(db)
        .await?;
    crate::bulk::insert_all::<Entity, C>(db, rows).await
}
