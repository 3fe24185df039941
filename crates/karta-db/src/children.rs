//! Rows that belong to a parent record — a contract's products, a price
//! list's items, an order's lines — read for a whole page of parents in one
//! query.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select};
use std::collections::HashMap;
use uuid::Uuid;

/// The rows `query` selects whose `parent` column is one of `parents`,
/// grouped by parent (`parent_of` reads it back), in the query's order.
pub async fn by_parent<E, C>(
    db: &C,
    query: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    parent_of: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, Vec<E::Model>>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    if parents.is_empty() {
        return Ok(grouped);
    }
    for row in query
        .filter(parent.is_in(parents.iter().copied()))
        .all(db)
        .await?
    {
        grouped.entry(parent_of(&row)).or_default().push(row);
    }
    Ok(grouped)
}
