//! The storage side of imports: which key values already name a record, so
//! that a batch's new rows can be told apart in one query.

use crate::entities::{account, contact, contact_channel, lead, product};
use karta_core::import::Key;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Select,
    TryGetableMany,
};
use std::collections::HashSet;

/// Values per `IN (…)` list, well under the engines' parameter caps.
const PER_QUERY: usize = 1000;

/// Of `values` (normalised as the import's look-up normalises them), those
/// that some `entity` record holds as its `key`, live or deleted: a value
/// left out is certain to name no record.
pub async fn taken<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    key: Key,
    values: &[String],
) -> Result<HashSet<String>, DbErr> {
    let mut taken = HashSet::new();
    for chunk in values.chunks(PER_QUERY) {
        let chunk = chunk.to_vec();
        let found: Vec<String> = match (entity, key) {
            ("contacts", Key::Email | Key::Phone) => {
                let channels = contact_channel::Entity::find()
                    .filter(contact_channel::Column::Kind.eq(channel_kind(key)));
                found_in(db, channels, contact_channel::Column::Value, chunk).await?
            }
            ("contacts", Key::ExternalId) => {
                found_in(
                    db,
                    contact::Entity::find(),
                    contact::Column::ExternalId,
                    chunk,
                )
                .await?
            }
            ("accounts", Key::Code) => {
                let codes: Vec<i64> = chunk.iter().filter_map(|c| c.parse().ok()).collect();
                found_in(db, account::Entity::find(), account::Column::Code, codes)
                    .await?
                    .into_iter()
                    .map(|c: i64| c.to_string())
                    .collect()
            }
            ("accounts", Key::Inn) => {
                found_in(db, account::Entity::find(), account::Column::Inn, chunk).await?
            }
            ("accounts", Key::ExternalId) => {
                found_in(
                    db,
                    account::Entity::find(),
                    account::Column::ExternalId,
                    chunk,
                )
                .await?
            }
            // Only live leads are looked up; a lead in the trash is no match.
            ("leads", Key::Email | Key::Phone) => {
                let column = if key == Key::Email {
                    lead::Column::Email
                } else {
                    lead::Column::Phone
                };
                let live = lead::Entity::find().filter(lead::Column::DeletedAt.is_null());
                found_in(db, live, column, chunk).await?
            }
            ("products", Key::Sku) => {
                found_in(db, product::Entity::find(), product::Column::Sku, chunk).await?
            }
            // Any other pair: every value may be taken, so every row is
            // looked up on its own.
            _ => values.to_vec(),
        };
        taken.extend(found);
    }
    Ok(taken)
}

/// Those of `values` that `column` holds in the rows `query` selects.
async fn found_in<E, V, C>(
    db: &C,
    query: Select<E>,
    column: E::Column,
    values: Vec<V>,
) -> Result<Vec<V>, DbErr>
where
    E: EntityTrait,
    V: Into<sea_orm::Value> + TryGetableMany,
    C: ConnectionTrait,
{
    query
        .select_only()
        .column(column)
        .filter(column.is_in(values))
        .into_tuple()
        .all(db)
        .await
}

/// The channel rows' kind for a contact key (`email` or `phone`).
pub fn channel_kind(key: Key) -> &'static str {
    if key == Key::Email { "email" } else { "phone" }
}
