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

/// Adds one to counter `name`, starting it at one when it does not exist
/// yet (a tally rather than a sequence: the runner's check counts its
/// pings with it).
pub async fn count_one<C: ConnectionTrait>(db: &C, name: &str) -> Result<(), DbErr> {
    use crate::entities::counter;
    use sea_orm::sea_query::OnConflict;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    counter::Entity::insert(counter::ActiveModel {
        name: Set(name.into()),
        value: Set(0),
    })
    .on_conflict(
        OnConflict::column(counter::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    take(db, name, 1).await.map(|_| ())
}

/// The current value of counter `name`, if it exists.
pub async fn value<C: ConnectionTrait>(db: &C, name: &str) -> Result<Option<i64>, DbErr> {
    use crate::entities::counter;
    use sea_orm::EntityTrait;
    Ok(counter::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .map(|c| c.value))
}
