//! Writes of many rows at once: inserts for imports, generators and loads,
//! split under the engines' caps on bound parameters, and marking rows
//! taken.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter,
};
use uuid::Uuid;

/// Rows one insert carries: SQLite caps bound parameters at 32766 and
/// PostgreSQL at 65535, so wide tables get fewer rows per statement.
pub fn rows_per_insert(columns: usize) -> usize {
    (30_000 / columns.max(1)).clamp(1, 1000)
}

/// Inserts `rows` in as few statements as the parameter caps allow.
pub async fn insert_all<E, C>(db: &C, rows: Vec<E::ActiveModel>) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    let per_insert = rows_per_insert(E::Column::iter().count());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(per_insert).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Sets `column` to `now` on the rows `ids` (marking rows taken: a
/// notification delivered, an event published), in one statement.
pub async fn stamp<E, C>(
    db: &C,
    id: E::Column,
    column: E::Column,
    ids: &[Uuid],
    now: i64,
) -> Result<(), DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(());
    }
    E::update_many()
        .col_expr(column, Expr::value(now))
        .filter(id.is_in(ids.iter().copied()))
        .exec(db)
        .await
        .map(|_| ())
}
