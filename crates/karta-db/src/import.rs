//! The storage side of imports: which key values already name a record, so
//! that a batch's new rows can be told apart in one query.

use crate::entities::{account, contact, contact_channel};
use karta_core::import::Key;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
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
        let chunk = chunk.iter().cloned();
        let found: Vec<String> = match (entity, key) {
            ("contacts", Key::Email | Key::Phone) => {
                contact_channel::Entity::find()
                    .select_only()
                    .column(contact_channel::Column::Value)
                    .filter(contact_channel::Column::Kind.eq(channel_kind(key)))
                    .filter(contact_channel::Column::Value.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            ("contacts", Key::ExternalId) => {
                contact::Entity::find()
                    .select_only()
                    .column(contact::Column::ExternalId)
                    .filter(contact::Column::ExternalId.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            ("accounts", Key::Code) => {
                let codes = chunk.filter_map(|c| c.parse::<i64>().ok());
                account::Entity::find()
                    .select_only()
                    .column(account::Column::Code)
                    .filter(account::Column::Code.is_in(codes))
                    .into_tuple::<i64>()
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|c| c.to_string())
                    .collect()
            }
            ("accounts", Key::Inn) => {
                account::Entity::find()
                    .select_only()
                    .column(account::Column::Inn)
                    .filter(account::Column::Inn.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            ("accounts", Key::ExternalId) => {
                account::Entity::find()
                    .select_only()
                    .column(account::Column::ExternalId)
                    .filter(account::Column::ExternalId.is_in(chunk))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            // Any other pair: every value may be taken, so every row is
            // looked up on its own.
            _ => values.to_vec(),
        };
        taken.extend(found);
    }
    Ok(taken)
}

/// The channel rows' kind for a contact key (`email` or `phone`).
pub fn channel_kind(key: Key) -> &'static str {
    if key == Key::Email { "email" } else { "phone" }
}
