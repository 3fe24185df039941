//! Order storage: numbers, lists newest first, lines, tracking events, and
//! the stock moves an order makes — each a single conditional `UPDATE`,
//! so concurrent confirmations can never reserve more than is in stock.

use crate::Backend;
use crate::entities::order::{Column, Entity, Model};
use crate::entities::{order_event, order_line, product};
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::search;
use crate::visibility::Visibility;
use karta_core::orders::OrderFilter;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

/// The next order number.
pub async fn next_number<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    Ok(*crate::counters::take(db, "order_number", 1).await?.end())
}

/// A page of visible live orders matching `filter`, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    filter: &OrderFilter,
    vis: Visibility,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut cond = Condition::all().add(Column::DeletedAt.is_null());
    if let Some(search) = &filter.search {
        cond = cond.add(search::documents(
            backend,
            search,
            Column::Number,
            Column::AccountId,
        ));
    }
    if let Some(a) = filter.account_id {
        cond = cond.add(Column::AccountId.eq(a));
    }
    if let Some(d) = filter.deal_id {
        cond = cond.add(Column::DealId.eq(d));
    }
    if let Some(s) = filter.status {
        cond = cond.add(Column::Status.eq(s.as_str()));
    }
    if let Some(from) = filter.created_from {
        cond = cond.add(Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.created_to {
        cond = cond.add(Column::CreatedAt.lt(to));
    }
    let rows = page::keyset_over(
        Entity::find().filter(cond),
        vis.branches(Entity::scope()),
        Column::CreatedAt,
        Column::Id,
        true,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.created_at),
        id: m.id,
    }))
}

/// The lines of an order, in order.
pub async fn lines<C: ConnectionTrait>(
    db: &C,
    order_id: Uuid,
) -> Result<Vec<order_line::Model>, DbErr> {
    order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await
}

/// The lines of each of these orders, in position order (one query for a
/// page of orders).
pub async fn lines_of<C: ConnectionTrait>(
    db: &C,
    order_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<order_line::Model>>, DbErr> {
    crate::children::by_parent(
        db,
        order_line::Entity::find().order_by_asc(order_line::Column::Position),
        order_line::Column::OrderId,
        order_ids,
        |l| l.order_id,
    )
    .await
}

/// Replaces an order's lines with `rows`.
pub async fn replace_lines<C: ConnectionTrait>(
    db: &C,
    order_id: Uuid,
    rows: Vec<order_line::ActiveModel>,
) -> Result<(), DbErr> {
    order_line::Entity::delete_many()
        .filter(order_line::Column::OrderId.eq(order_id))
        .exec(db)
        .await?;
    crate::bulk::insert_all::<order_line::Entity, C>(db, rows).await
}

/// An order's tracking history, oldest first.
pub async fn events<C: ConnectionTrait>(
    db: &C,
    order_id: Uuid,
) -> Result<Vec<order_event::Model>, DbErr> {
    order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order_id))
        .order_by_asc(order_event::Column::At)
        .order_by_asc(order_event::Column::Id)
        .all(db)
        .await
}

/// Records that an order entered `to`.
pub async fn add_event<C: ConnectionTrait>(db: &C, event: order_event::Model) -> Result<(), DbErr> {
    order_event::Entity::insert(sea_orm::IntoActiveModel::into_active_model(event))
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Holds `quantity` units of a product if that many are free (in stock and
/// not held by other orders). `false` when they are not; nothing changes.
pub async fn reserve<C: ConnectionTrait>(
    db: &C,
    product_id: Uuid,
    quantity: i64,
) -> Result<bool, DbErr> {
    let free =
        Expr::col(product::Column::StockQuantity).sub(Expr::col(product::Column::ReservedQuantity));
    let done = product::Entity::update_many()
        .col_expr(
            product::Column::ReservedQuantity,
            Expr::col(product::Column::ReservedQuantity).add(quantity),
        )
        .filter(product::Column::Id.eq(product_id))
        .filter(free.gte(quantity))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Lets go of `quantity` held units (a cancelled order).
pub async fn release<C: ConnectionTrait>(
    db: &C,
    product_id: Uuid,
    quantity: i64,
) -> Result<(), DbErr> {
    product::Entity::update_many()
        .col_expr(
            product::Column::ReservedQuantity,
            Expr::col(product::Column::ReservedQuantity).sub(quantity),
        )
        .filter(product::Column::Id.eq(product_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Ships `quantity` held units: they leave the stock and the reservation.
pub async fn ship<C: ConnectionTrait>(
    db: &C,
    product_id: Uuid,
    quantity: i64,
) -> Result<(), DbErr> {
    product::Entity::update_many()
        .col_expr(
            product::Column::StockQuantity,
            Expr::col(product::Column::StockQuantity).sub(quantity),
        )
        .col_expr(
            product::Column::ReservedQuantity,
            Expr::col(product::Column::ReservedQuantity).sub(quantity),
        )
        .filter(product::Column::Id.eq(product_id))
        .exec(db)
        .await
        .map(|_| ())
}
