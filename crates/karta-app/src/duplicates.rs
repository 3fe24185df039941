//! Duplicates (дубли): clusters of accounts or contacts that look like one
//! customer, and merging two or more into one. A merge keeps everything:
//! deals, activities, tasks, leads, links and history move to the surviving
//! record, the others go to the trash, and the merge is recorded with where
//! each field's value came from.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, accounts, contacts, records};
use karta_core::Invalid;
use karta_core::accounts::AccountDraft;
use karta_core::contacts::ContactDraft;
use karta_core::identifiers::CustomerCode;
use karta_core::roles::{Access, Entity};
use karta_db::duplicates as store;
pub use karta_db::duplicates::{Moved, Reason, decode_cursor, encode_cursor};
use karta_db::entities::{account, contact};
use karta_db::history::FieldChange;
use karta_db::records::Record;
use sea_orm::DatabaseTransaction;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Records shown per cluster; a key shared by more is rare and the page
/// says how many it showed.
const MEMBERS_PER_CLUSTER: usize = 20;
/// Records merged at once.
pub const MAX_MERGED: usize = 20;

/// One record of a cluster.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    pub id: Uuid,
    /// The account's name or the contact's full name.
    pub label: String,
    /// `K-000123` for accounts.
    pub code: Option<String>,
    /// What tells the records apart at a glance: INN and address, or
    /// e-mails and phones.
    pub details: Vec<String>,
    /// The account's INN, which tells legal entities apart.
    pub inn: Option<String>,
    /// The account's region (a classifier code).
    pub region: Option<String>,
    pub version: i64,
    pub created_at: i64,
}

/// Records sharing one key.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cluster {
    /// `inn`, `name`, `email` or `phone`.
    pub reason: &'static str,
    /// The shared value (for `name`: the reduced name and region, joined
    /// by U+001F).
    pub key: String,
    pub members: Vec<Member>,
}

/// A page of clusters; `next` is the cursor of the following page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Clusters {
    pub items: Vec<Cluster>,
    pub next: Option<String>,
}

/// The entity a reason groups.
pub fn entity_of(reason: Reason) -> Entity {
    match reason {
        Reason::Inn | Reason::Name => Entity::Accounts,
        Reason::Email | Reason::Phone => Entity::Contacts,
    }
}

/// A page of clusters of records `p` can see. Contacts grouped by e-mail
/// or phone are refused to roles that do not see personal data: the shared
/// value is itself personal data.
pub async fn clusters(
    app: &App,
    p: &Principal,
    reason: Reason,
    after: Option<&str>,
    limit: u64,
) -> Result<Clusters, AppError> {
    let entity = entity_of(reason);
    let vis = p.require(entity, Access::Read)?;
    if entity == Entity::Contacts && !contacts::hidden_fields(p).is_empty() {
        return Err(AppError::Forbidden);
    }
    let db = app.db.conn();
    let mut keys = store::keys(db, reason, vis, after, limit + 1).await?;
    let next = (keys.len() as u64 > limit).then(|| {
        keys.truncate(limit as usize);
        keys.last().cloned().unwrap_or_default()
    });
    let cap = (keys.len() * MEMBERS_PER_CLUSTER) as u64;
    let members: Vec<(String, Member)> = if entity == Entity::Accounts {
        store::account_members(db, reason, &keys, vis, cap)
            .await?
            .into_iter()
            .map(|m| (account_key(reason, &m), account_member(&m)))
            .collect()
    } else {
        let found = store::contact_members(db, reason, &keys, vis, cap).await?;
        let ids: Vec<Uuid> = found.iter().map(|m| m.id).collect();
        let mut links = karta_db::contacts::account_links(db, &ids).await?;
        let mut out = Vec::new();
        for m in found {
            let fields = karta_db::contacts::fields_of(&m, links.remove(&m.id).unwrap_or_default());
            let values: Vec<String> = match reason {
                Reason::Email => fields.emails.iter().map(ToString::to_string).collect(),
                _ => fields.phones.iter().map(ToString::to_string).collect(),
            };
            let member = contact_member(&m, &fields);
            for v in values.into_iter().filter(|v| keys.contains(v)) {
                out.push((v, member.clone()));
            }
        }
        out
    };
    let items = keys
        .into_iter()
        .map(|key| {
            let mine: Vec<Member> = members
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, m)| m.clone())
                .take(MEMBERS_PER_CLUSTER)
                .collect();
            Cluster {
                reason: reason.code(),
                key,
                members: mine,
            }
        })
        // Visibility can leave a key with one visible record: not a cluster
        // for this user. Look-alike names with a different INN each are
        // different legal entities (ООО and АО «Волга-5»), not duplicates.
        .filter(|c| {
            c.members.len() > 1 && !(reason == Reason::Name && distinct_entities(&c.members))
        })
        .collect();
    Ok(Clusters { items, next })
}

/// Whether every member has an INN and no two share one.
fn distinct_entities(members: &[Member]) -> bool {
    let inns: std::collections::HashSet<&str> =
        members.iter().filter_map(|m| m.inn.as_deref()).collect();
    inns.len() == members.len()
}

fn account_key(reason: Reason, m: &account::Model) -> String {
    match reason {
        Reason::Name => format!(
            "{}{}{}",
            m.match_key,
            store::NAME_REGION_SEPARATOR,
            m.region.as_deref().unwrap_or_default()
        ),
        _ => m.inn.clone().unwrap_or_default(),
    }
}

fn account_member(m: &account::Model) -> Member {
    Member {
        id: m.id,
        label: m.name.clone(),
        code: Some(CustomerCode(m.code).to_string()),
        details: [m.inn.as_deref(), m.actual_address.as_deref()]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect(),
        inn: m.inn.clone(),
        region: m.region.clone(),
        version: m.version,
        created_at: m.created_at,
    }
}

fn contact_member(m: &contact::Model, f: &karta_core::contacts::ContactFields) -> Member {
    Member {
        id: m.id,
        label: f.display_name(),
        code: None,
        details: f
            .emails
            .iter()
            .map(ToString::to_string)
            .chain(f.phones.iter().map(ToString::to_string))
            .chain(f.position.clone())
            .collect(),
        inn: None,
        region: None,
        version: m.version,
        created_at: m.created_at,
    }
}

/// What to merge into a record.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The records merged into this one (they go to the trash).
    pub from: Vec<Uuid>,
    /// For a field (`inn`, `phones`, `custom.region_code`…), the record
    /// whose value wins. Unnamed fields keep the surviving record's value
    /// when it has one, else take the first merged record's; lists
    /// (e-mails, phones, tags…) are united.
    #[serde(default)]
    pub fields: BTreeMap<String, Uuid>,
    /// The surviving record's version, as for an edit.
    pub version: Option<i64>,
}

/// The outcome of a merge.
#[derive(Debug, Clone)]
pub struct Merged<M> {
    pub record: M,
    /// Where each field that did not keep the survivor's own value came
    /// from: a record id, or for united lists the ids that added to it.
    pub sources: Map<String, Value>,
    /// Related rows moved onto the survivor, by table.
    pub moved: Moved,
}

/// Merges accounts into `into`.
pub async fn merge_accounts(
    app: &App,
    p: &Principal,
    into: Uuid,
    input: MergeInput,
) -> Result<Merged<account::Model>, AppError> {
    check_sources(into, &input)?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let (survivor, merged) =
        members::<account::Entity>(app, &tx, p, Entity::Accounts, into, &input).await?;
    let draft_of = |m: &account::Model| {
        serde_json::to_value(AccountDraft::from(&karta_db::accounts::fields_of(m)))
            .unwrap_or(Value::Null)
    };
    let others: Vec<(Uuid, Value)> = merged.iter().map(|m| (m.id, draft_of(m))).collect();
    let (combined, sources) = combine(into, &draft_of(&survivor), &others, &input.fields)?;
    let draft: AccountDraft =
        serde_json::from_value(combined).map_err(|e| accounts::json_error(&e))?;
    let after = accounts::prepare(app, p, draft, Some(&survivor)).await?;
    let saved = accounts::rewrite(&mut tx, &survivor, &after)
        .await?
        .unwrap_or(survivor);
    let labels = merged
        .iter()
        .map(|m| json!({"id": m.id, "label": format!("{} {}", CustomerCode(m.code), m.name)}))
        .collect();
    let moved = finish::<account::Entity>(&mut tx, into, &merged, labels, &sources).await?;
    tx.commit().await?;
    Ok(Merged {
        record: saved,
        sources,
        moved,
    })
}

/// Merges contacts into `into`.
pub async fn merge_contacts(
    app: &App,
    p: &Principal,
    into: Uuid,
    input: MergeInput,
) -> Result<Merged<contact::Model>, AppError> {
    check_sources(into, &input)?;
    let hidden = contacts::hidden_fields(p);
    let mut refused = Invalid::default();
    for field in input.fields.keys().filter(|f| hidden.contains(&f.as_str())) {
        refused.push(format!("fields.{field}"), "field_not_allowed");
    }
    refused.into_result()?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let (survivor, merged) =
        members::<contact::Entity>(app, &tx, p, Entity::Contacts, into, &input).await?;
    let mut ids: Vec<Uuid> = merged.iter().map(|m| m.id).collect();
    ids.push(into);
    let mut links = karta_db::contacts::account_links(&*tx, &ids).await?;
    let fields_of = |m: &contact::Model, links: &mut std::collections::HashMap<Uuid, Vec<Uuid>>| {
        karta_db::contacts::fields_of(m, links.remove(&m.id).unwrap_or_default())
    };
    let before = fields_of(&survivor, &mut links);
    let draft_of = |f: &karta_core::contacts::ContactFields| {
        serde_json::to_value(ContactDraft::from(f)).unwrap_or(Value::Null)
    };
    let mut others = Vec::new();
    let mut labels = Vec::new();
    for m in &merged {
        let f = fields_of(m, &mut links);
        labels.push(json!({"id": m.id, "label": f.display_name()}));
        others.push((m.id, draft_of(&f)));
    }
    let (combined, sources) = combine(into, &draft_of(&before), &others, &input.fields)?;
    let draft: ContactDraft =
        serde_json::from_value(combined).map_err(|e| accounts::json_error(&e))?;
    let after = contacts::prepare(app, p, draft, Some(&survivor)).await?;
    let saved = contacts::rewrite(&mut tx, &survivor, &before, &after)
        .await?
        .unwrap_or(survivor);
    let moved = finish::<contact::Entity>(&mut tx, into, &merged, labels, &sources).await?;
    tx.commit().await?;
    Ok(Merged {
        record: saved,
        sources,
        moved,
    })
}

fn check_sources(into: Uuid, input: &MergeInput) -> Result<(), AppError> {
    let mut seen = std::collections::HashSet::new();
    let valid = !input.from.is_empty()
        && input.from.len() <= MAX_MERGED
        && input.from.iter().all(|id| *id != into && seen.insert(*id));
    if valid {
        Ok(())
    } else {
        Err(AppError::field("from", "invalid_merge_sources"))
    }
}

/// The surviving record (writable, at the version the caller saw) and the
/// records merged into it (each deletable by the caller).
async fn members<E: Record>(
    app: &App,
    txn: &DatabaseTransaction,
    p: &Principal,
    entity: Entity,
    into: Uuid,
    input: &MergeInput,
) -> Result<(E::Model, Vec<E::Model>), AppError> {
    let survivor = load::<E>(app, txn, p, entity, into, Access::Write, input.version).await?;
    let mut merged = Vec::with_capacity(input.from.len());
    for id in &input.from {
        merged.push(load::<E>(app, txn, p, entity, *id, Access::Delete, None).await?);
    }
    Ok((survivor, merged))
}

/// Loads a record for the merge: the survivor at its version (`Write`), a
/// merged one at whatever version it has now (`Delete`, it goes to the
/// trash).
async fn load<E: Record>(
    app: &App,
    txn: &DatabaseTransaction,
    p: &Principal,
    entity: Entity,
    id: Uuid,
    access: Access,
    version: Option<i64>,
) -> Result<E::Model, AppError> {
    let expected = match (access, version) {
        (Access::Write, v) => v,
        _ => karta_db::records::find::<E, _>(txn, id, p.visibility(entity, Access::Read), false)
            .await?
            .map(|m| E::version_of(&m)),
    };
    records::load_for_write::<E, _>(app, txn, p, entity, id, access, false, expected).await
}

/// Moves what pointed at the merged records onto `into`, trashes them, and
/// records the merge on every record involved.
async fn finish<E: Record>(
    tx: &mut Tx<'_>,
    into: Uuid,
    merged: &[E::Model],
    labels: Vec<Value>,
    sources: &Map<String, Value>,
) -> Result<Moved, AppError> {
    let ids: Vec<Uuid> = merged.iter().map(|m| E::id_of(m)).collect();
    // History moves first, so the "merged into" entries below stay with the
    // records they describe.
    let moved = store::repoint(&**tx, E::NAME, into, &ids).await?;
    for m in merged {
        let id = E::id_of(m);
        records::save::<E>(tx, E::Active::default(), id, E::version_of(m), Some(true)).await?;
        let change = FieldChange {
            field: "merged_into".into(),
            old: None,
            new: Some(json!(into)),
        };
        tx.record(Event::new(E::NAME, id, "merge", vec![change]));
    }
    let moved_json: Map<String, Value> = moved
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(table, n)| (table.to_string(), json!(n)))
        .collect();
    let changes = [
        ("merged_from", Value::Array(labels)),
        ("field_sources", Value::Object(sources.clone())),
        ("moved", Value::Object(moved_json)),
    ]
    .into_iter()
    .map(|(field, new)| FieldChange {
        field: field.into(),
        old: None,
        new: Some(new),
    })
    .collect::<Vec<_>>();
    tx.record(Event::new(E::NAME, into, "merge", changes));
    Ok(moved)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Combines drafts (as JSON objects) into the survivor's: chosen fields
/// from the chosen record, lists united, empty fields filled from the first
/// merged record that has a value. Custom fields are fields of their own
/// (`custom.<code>`). Returns the draft and where each taken value came from.
/// A draft's fields by name, custom fields as `custom.<code>`.
fn flatten(draft: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in draft.as_object().into_iter().flatten() {
        match (k.as_str(), v) {
            ("custom", Value::Object(custom)) => {
                for (code, value) in custom {
                    out.insert(format!("custom.{code}"), value.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// A field whose value differs among records about to be merged.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Difference {
    /// `inn`, `position`, `custom.loyalty`…
    pub field: String,
    /// Each record's value, the surviving record's first.
    pub values: Vec<(Uuid, Value)>,
}

/// Records about to be merged, compared.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    /// Each record's id and label (`K-000123 name`, or the contact's full
    /// name), the surviving record's first.
    pub records: Vec<(Uuid, String)>,
    pub differences: Vec<Difference>,
}

/// The records and the single-value fields on which they differ (at least
/// two distinct values that are not empty), to choose from before merging.
/// Lists are united by the merge, and the owner stays the survivor's, so
/// neither is listed; nor is what the caller may not see.
pub async fn differences(
    app: &App,
    p: &Principal,
    entity: Entity,
    into: Uuid,
    from: &[Uuid],
) -> Result<Comparison, AppError> {
    let ids: Vec<Uuid> = std::iter::once(into).chain(from.iter().copied()).collect();
    let mut drafts = Vec::with_capacity(ids.len());
    let mut records = Vec::with_capacity(ids.len());
    for id in &ids {
        let (label, draft) = match entity {
            Entity::Accounts => {
                let m = accounts::get(app, p, *id, false).await?;
                let label = format!("{} {}", CustomerCode(m.code), m.name);
                let f = karta_db::accounts::fields_of(&m);
                (label, serde_json::to_value(AccountDraft::from(&f)))
            }
            _ => {
                let (m, links) = contacts::get(app, p, *id, false).await?;
                let f = karta_db::contacts::fields_of(&m, links);
                (
                    f.display_name(),
                    serde_json::to_value(ContactDraft::from(&f)),
                )
            }
        };
        records.push((*id, label));
        drafts.push(flatten(&draft.unwrap_or(Value::Null)));
    }
    let hidden = match entity {
        Entity::Contacts => contacts::hidden_fields(p),
        _ => &[],
    };
    let mut fields: Vec<&String> = drafts.iter().flat_map(|d| d.keys()).collect();
    fields.sort();
    fields.dedup();
    let differences = fields
        .into_iter()
        .filter(|f| !matches!(f.as_str(), "owner_id" | "team_id") && !hidden.contains(&f.as_str()))
        .filter_map(|field| {
            let values: Vec<(Uuid, Value)> = ids
                .iter()
                .zip(&drafts)
                .map(|(id, d)| (*id, d.get(field).cloned().unwrap_or(Value::Null)))
                .collect();
            let mut distinct: Vec<&Value> = values
                .iter()
                .map(|(_, v)| v)
                .filter(|v| !is_empty(v) && !v.is_array())
                .collect();
            distinct.sort_by_key(|v| v.to_string());
            distinct.dedup();
            (distinct.len() > 1).then(|| Difference {
                field: field.clone(),
                values,
            })
        })
        .collect();
    Ok(Comparison {
        records,
        differences,
    })
}

pub fn combine(
    into: Uuid,
    survivor: &Value,
    others: &[(Uuid, Value)],
    choices: &BTreeMap<String, Uuid>,
) -> Result<(Value, Map<String, Value>), AppError> {
    let mine = flatten(survivor);
    let theirs: Vec<(Uuid, BTreeMap<String, Value>)> =
        others.iter().map(|(id, v)| (*id, flatten(v))).collect();
    let mut fields: Vec<&String> = mine
        .keys()
        .chain(theirs.iter().flat_map(|(_, t)| t.keys()))
        .collect();
    fields.sort();
    fields.dedup();

    let mut e = Invalid::default();
    for (field, source) in choices {
        if !fields.contains(&field) {
            e.push(format!("fields.{field}"), "unknown_field");
        } else if *source != into && !theirs.iter().any(|(id, _)| id == source) {
            e.push(format!("fields.{field}"), "not_in_merge");
        }
    }
    e.into_result()?;

    let null = Value::Null;
    let mut combined = Map::new();
    let mut custom = Map::new();
    let mut sources = Map::new();
    for field in fields {
        let own = mine.get(field).unwrap_or(&null);
        let value_of = |id: Uuid| {
            if id == into {
                own.clone()
            } else {
                theirs
                    .iter()
                    .find(|(i, _)| *i == id)
                    .and_then(|(_, t)| t.get(field).cloned())
                    .unwrap_or(Value::Null)
            }
        };
        let value = if let Some(source) = choices.get(field) {
            if *source != into {
                sources.insert(field.clone(), json!(source));
            }
            value_of(*source)
        } else if let Value::Array(list) = own {
            let mut united = list.clone();
            let mut added_by = Vec::new();
            for (id, t) in &theirs {
                for item in t.get(field).and_then(Value::as_array).into_iter().flatten() {
                    if !united.contains(item) {
                        united.push(item.clone());
                        if !added_by.contains(id) {
                            added_by.push(*id);
                        }
                    }
                }
            }
            if !added_by.is_empty() {
                sources.insert(field.clone(), json!(added_by));
            }
            Value::Array(united)
        } else if is_empty(own) {
            match theirs
                .iter()
                .find(|(_, t)| t.get(field).is_some_and(|v| !is_empty(v)))
            {
                Some((id, t)) => {
                    sources.insert(field.clone(), json!(id));
                    t.get(field).cloned().unwrap_or(Value::Null)
                }
                None => own.clone(),
            }
        } else {
            own.clone()
        };
        match field.strip_prefix("custom.") {
            Some(code) => {
                if !value.is_null() {
                    custom.insert(code.to_string(), value);
                }
            }
            None => {
                combined.insert(field.clone(), value);
            }
        }
    }
    combined.insert("custom".into(), Value::Object(custom));
    Ok((Value::Object(combined), sources))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combine_keeps_the_survivor_fills_gaps_unites_lists_and_obeys_choices() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let survivor =
            json!({"name": "Ромашка", "inn": null, "tags": ["vip"], "custom": {"x": "1"}});
        let others = vec![
            (
                b,
                json!({"name": "ООО Ромашка", "inn": "7707083893", "tags": ["vip", "опт"], "custom": {"y": "2"}}),
            ),
            (
                c,
                json!({"name": "Romashka", "inn": "7736050003", "tags": [], "custom": {}}),
            ),
        ];
        let mut choices = BTreeMap::new();
        choices.insert("name".to_string(), c);
        let (draft, sources) =
            combine(a, &survivor, &others, &choices).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(draft["name"], "Romashka");
        assert_eq!(
            draft["inn"], "7707083893",
            "the first merged record with a value"
        );
        assert_eq!(draft["tags"], json!(["vip", "опт"]));
        assert_eq!(draft["custom"], json!({"x": "1", "y": "2"}));
        assert_eq!(sources["name"], json!(c));
        assert_eq!(sources["inn"], json!(b));
        assert_eq!(sources["tags"], json!([b]));
        assert_eq!(sources["custom.y"], json!(b));
        assert!(sources.get("custom.x").is_none());

        let mut bad = BTreeMap::new();
        bad.insert("colour".to_string(), b);
        bad.insert("inn".to_string(), Uuid::from_u128(9));
        let Err(AppError::Invalid(e)) = combine(a, &survivor, &others, &bad) else {
            panic!("refused");
        };
        let codes: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert!(
            codes.contains(&("fields.colour", "unknown_field")),
            "{codes:?}"
        );
        assert!(codes.contains(&("fields.inn", "not_in_merge")), "{codes:?}");
    }
}
