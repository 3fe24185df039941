//! The append-only change log: one row per changed field, written in the
//! same transaction as the change itself.

use crate::entities::change::{ActiveModel, Column, Entity, Model};
use crate::page::{self, Cursor, Page};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

/// Who made a change and through which channel.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    /// `ui`, `api`, `cli`, `import`, `job`.
    pub channel: &'static str,
}

impl Actor {
    /// The system itself (housekeeping and other background work).
    pub const SYSTEM: Actor = Actor {
        user_id: None,
        channel: "job",
    };
}

/// One field's change.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Field-by-field difference of two JSON objects (absent, null, an empty
/// list and an empty object are all "nothing").
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let (old, new) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let present = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
    let nothing = |v: &Option<Value>| match v {
        None => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(fields)) => fields.is_empty(),
        Some(_) => false,
    };
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (present(old.get(k)), present(new.get(k)));
            let changed = o != n && !(nothing(&o) && nothing(&n));
            changed.then(|| FieldChange {
                field: k.clone(),
                old: o,
                new: n,
            })
        })
        .collect()
}

/// Appends the change records of one act. A create/delete/restore with no
/// field changes still gets one row, so every act is visible.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    at: i64,
    actor: Actor,
    entity: &str,
    record_id: Uuid,
    action: &str,
    changes: &[FieldChange],
) -> Result<(), DbErr> {
    record_many(
        db,
        at,
        actor,
        entity,
        action,
        &[(record_id, changes.to_vec())],
    )
    .await
}

/// Appends the change records of the same act on many records (a bulk
/// import's creates), each as `record` would.
pub async fn record_many<C: ConnectionTrait>(
    db: &C,
    at: i64,
    actor: Actor,
    entity: &str,
    action: &str,
    acts: &[(Uuid, Vec<FieldChange>)],
) -> Result<(), DbErr> {
    let row =
        |record_id, field: Option<String>, old: Option<Value>, new: Option<Value>| ActiveModel {
            id: Set(Uuid::now_v7()),
            entity: Set(entity.to_string()),
            record_id: Set(record_id),
            at: Set(at),
            actor_id: Set(actor.user_id),
            channel: Set(actor.channel.to_string()),
            action: Set(action.to_string()),
            field: Set(field),
            old_value: Set(old),
            new_value: Set(new),
        };
    let mut rows = Vec::new();
    for (record_id, changes) in acts {
        if changes.is_empty() {
            rows.push(row(*record_id, None, None, None));
        }
        rows.extend(changes.iter().map(|c| {
            row(
                *record_id,
                Some(c.field.clone()),
                c.old.clone(),
                c.new.clone(),
            )
        }));
    }
    crate::bulk::insert_all::<Entity, _>(db, rows).await
}

/// A record's history, newest first. `hidden` fields are left out in the
/// query itself, so pages stay full.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    record_id: Uuid,
    hidden: &[&str],
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut q = Entity::find().filter(Column::RecordId.eq(record_id));
    if !hidden.is_empty() {
        q = q.filter(
            sea_orm::Condition::any()
                .add(Column::Field.is_null())
                .add(Column::Field.is_not_in(hidden.iter().copied())),
        );
    }
    let rows = page::keyset(q, Column::At, Column::Id, true, cursor, limit)
        .all(db)
        .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.at),
        id: m.id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_reports_changed_fields_only() {
        let changes = diff(
            &json!({"a": 1, "b": "x", "c": null}),
            &json!({"a": 1, "b": "y", "d": [1]}),
        );
        assert_eq!(
            changes,
            [
                FieldChange {
                    field: "b".into(),
                    old: Some(json!("x")),
                    new: Some(json!("y"))
                },
                FieldChange {
                    field: "d".into(),
                    old: None,
                    new: Some(json!([1]))
                },
            ]
        );
    }

    #[test]
    fn empty_lists_and_objects_are_nothing_but_changes_keep_their_values() {
        let created = diff(
            &Value::Null,
            &json!({"name": "Ромашка", "tags": [], "custom": {}, "inn": null}),
        );
        assert_eq!(
            created,
            vec![FieldChange {
                field: "name".into(),
                old: None,
                new: Some(json!("Ромашка")),
            }]
        );
        let tagged = diff(&json!({"tags": []}), &json!({"tags": ["vip"]}));
        assert_eq!(tagged[0].old, Some(json!([])));
        assert!(diff(&json!({"tags": []}), &json!({})).is_empty());
    }
}
