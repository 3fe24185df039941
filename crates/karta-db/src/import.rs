//! The storage side of imports: which key values already name a record, so
//! that a batch's new rows can be told apart in one query, and which live
//! records they name, so that its other rows need not look one by one.

use crate::entities::{account, contact, contact_channel, lead, product};
use karta_core::import::Key;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    TryGetableMany,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

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

/// For each of `values` that names live `entity` records by `key`, their
/// ids, as the import's one-by-one look-up finds them (accounts and
/// contacts; `None` for other entities and keys, which are looked up one
/// by one).
pub async fn named<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    key: Key,
    values: &[String],
) -> Result<Option<HashMap<String, Vec<Uuid>>>, DbErr> {
    let mut named: HashMap<String, Vec<Uuid>> = HashMap::new();
    for chunk in values.chunks(PER_QUERY) {
        let chunk = chunk.to_vec();
        let pairs: Vec<(String, Uuid)> = match (entity, key) {
            ("contacts", Key::Email | Key::Phone) => {
                let live = contact::Entity::find()
                    .select_only()
                    .column(contact::Column::Id)
                    .filter(contact::Column::DeletedAt.is_null())
                    .into_query();
                contact_channel::Entity::find()
                    .select_only()
                    .columns([
                        contact_channel::Column::Value,
                        contact_channel::Column::ContactId,
                    ])
                    .filter(contact_channel::Column::Kind.eq(channel_kind(key)))
                    .filter(contact_channel::Column::Value.is_in(chunk))
                    .filter(contact_channel::Column::ContactId.in_subquery(live))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            ("contacts", Key::ExternalId) => {
                live_pairs(
                    db,
                    contact::Entity::find().filter(contact::Column::DeletedAt.is_null()),
                    contact::Column::ExternalId,
                    contact::Column::Id,
                    chunk,
                )
                .await?
            }
            ("accounts", Key::Inn) => {
                live_pairs(
                    db,
                    account::Entity::find().filter(account::Column::DeletedAt.is_null()),
                    account::Column::Inn,
                    account::Column::Id,
                    chunk,
                )
                .await?
            }
            ("accounts", Key::ExternalId) => {
                live_pairs(
                    db,
                    account::Entity::find().filter(account::Column::DeletedAt.is_null()),
                    account::Column::ExternalId,
                    account::Column::Id,
                    chunk,
                )
                .await?
            }
            _ => return Ok(None),
        };
        for (value, id) in pairs {
            let ids = named.entry(value).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(Some(named))
}

/// `(value, id)` of the rows `query` selects whose `column` is among `values`.
async fn live_pairs<E, C>(
    db: &C,
    query: Select<E>,
    column: E::Column,
    id: E::Column,
    values: Vec<String>,
) -> Result<Vec<(String, Uuid)>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    query
        .select_only()
        .columns([column, id])
        .filter(column.is_in(values))
        .into_tuple()
        .all(db)
        .await
}
