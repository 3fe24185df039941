//! Named sequences in the `counters` table (account codes, order numbers):
//! taken inside the caller's transaction, so a number is never given twice
//! and never skipped by a rolled-back write.

use crate::entities::counter::Model as Counter;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

/// Takes the next `n` (at least one) values of counter `name` at once.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    name: &str,
    n: usize,
) -> Result<std::ops::RangeInclusive<i64>, DbErr> {
    let n = n.max(1) as i64;
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE counters SET value = value + $1 WHERE name = $2 RETURNING name, value"
        }
        _ => "UPDATE counters SET value = value + ? WHERE name = ? RETURNING name, value",
    };
    let stmt = Statement::from_sql_and_values(backend, sql, [n.into(), name.into()]);
    let last = Counter::find_by_statement(stmt)
        .one(db)
        .await?
        .map(|c| c.value)
        .ok_or_else(|| DbErr::RecordNotFound(format!("counter {name}")))?;
    Ok(last - n + 1..=last)
}
