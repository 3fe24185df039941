//! One imported row: find its record by the key, then create it or update
//! it through the same steps the API takes, or say why the row is refused.

use super::columns::{Columns, RowDraft};
use super::{ImportEntity, Outcome, Spec};
use crate::uow::Tx;
use crate::{App, AppError, Principal};
use karta_core::accounts::{AccountDraft, AccountFields};
use karta_core::contacts::{ContactDraft, ContactFields};
use karta_core::identifiers::{Email, Inn, Phone};
use karta_core::import::{Key, Mode};
use karta_core::leads::{LeadChannel, LeadDraft, LeadFields};
use karta_core::products::{ProductDraft, ProductFields, Sku};
use karta_core::roles::Access;
use karta_db::Visibility;
use karta_db::entities::{account, contact, lead, product};
use karta_db::history::Actor;
use sea_orm::DatabaseTransaction;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A row's record found by its key.
#[derive(Clone)]
enum Existing {
    Account(Box<account::Model>),
    Contact(Box<contact::Model>),
    Lead(Box<lead::Model>),
    Product(Box<product::Model>),
}

/// The text values of a list field of the draft.
fn texts(draft: &Map<String, Value>, field: &str) -> Vec<String> {
    draft
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// The row's key values, normalised as they are stored: the customer code,
/// the INN, the trimmed external id, or every e-mail or phone of the row;
/// an error code when the key is missing or a value is invalid.
fn key_values(entity: ImportEntity, key: Key, row: &RowDraft) -> Result<Vec<String>, &'static str> {
    let text = |f: &str| row.draft.get(f).and_then(Value::as_str);
    let values = match (entity, key) {
        (ImportEntity::Accounts, Key::Code) => {
            row.code.map(|c| c.to_string()).into_iter().collect()
        }
        (ImportEntity::Accounts, Key::Inn) => match text("inn").map(Inn::parse) {
            Some(inn) => vec![inn?.as_str().to_string()],
            None => Vec::new(),
        },
        (_, Key::ExternalId) => text("external_id")
            .map(|x| x.trim().to_string())
            .into_iter()
            .collect(),
        (ImportEntity::Contacts, Key::Email) => texts(&row.draft, "emails")
            .iter()
            .map(|raw| Email::parse(raw).map(|e| e.to_string()))
            .collect::<Result<_, _>>()?,
        (ImportEntity::Contacts, Key::Phone) => texts(&row.draft, "phones")
            .iter()
            .map(|raw| Phone::parse(raw).map(|p| p.to_string()))
            .collect::<Result<_, _>>()?,
        (ImportEntity::Leads, Key::Email) => match text("email").map(Email::parse) {
            Some(email) => vec![email?.to_string()],
            None => Vec::new(),
        },
        (ImportEntity::Leads, Key::Phone) => match text("phone").map(Phone::parse) {
            Some(phone) => vec![phone?.to_string()],
            None => Vec::new(),
        },
        (ImportEntity::Products, Key::Sku) => match text("sku").map(Sku::parse) {
            Some(sku) => vec![sku?.as_str().to_string()],
            None => Vec::new(),
        },
        _ => return Err("key_not_for_entity"),
    };
    if values.is_empty() {
        Err("key_missing")
    } else {
        Ok(values)
    }
}

/// Finds the live record the row's key names: `Ok(None)` when none does,
/// an error code when the key is missing, invalid or matches several.
async fn find(
    txn: &DatabaseTransaction,
    fresh: &Fresh,
    entity: ImportEntity,
    key: Key,
    row: &RowDraft,
) -> Result<Result<Option<Existing>, &'static str>, AppError> {
    let values = match key_values(entity, key, row) {
        Ok(values) => values,
        Err(code) => return Ok(Err(code)),
    };
    if let Some(found) = fresh.found(&values) {
        return Ok(found);
    }
    let accounts = |found| single(found, Existing::Account);
    let contacts = |found| single(found, Existing::Contact);
    let leads = |found| single(found, Existing::Lead);
    let found = match (entity, key) {
        // `key_values` answered, so the row has a code.
        (ImportEntity::Accounts, Key::Code) => accounts(
            karta_db::accounts::find_by_code(txn, row.code.unwrap_or_default(), Visibility::All)
                .await?
                .into_iter()
                .collect(),
        ),
        (ImportEntity::Accounts, Key::Inn) => {
            accounts(karta_db::accounts::with_inn(txn, &values[0], None).await?)
        }
        (ImportEntity::Accounts, _) => {
            accounts(karta_db::accounts::with_external_id(txn, &values[0]).await?)
        }
        (ImportEntity::Contacts, Key::ExternalId) => {
            contacts(karta_db::contacts::with_external_id(txn, &values[0]).await?)
        }
        (ImportEntity::Contacts, _) => {
            let mut found: Vec<contact::Model> = Vec::new();
            for v in values {
                for m in karta_db::contacts::with_channel(
                    txn,
                    karta_db::import::channel_kind(key),
                    &v,
                    Visibility::All,
                    None,
                    2,
                )
                .await?
                {
                    if !found.iter().any(|f| f.id == m.id) {
                        found.push(m);
                    }
                }
            }
            contacts(found)
        }
        (ImportEntity::Leads, _) => leads(
            karta_db::leads::with_contact(txn, karta_db::import::channel_kind(key), &values[0])
                .await?,
        ),
        // Articles are unique among live and trashed products alike.
        (ImportEntity::Products, _) => match karta_db::products::with_sku(txn, &values[0]).await? {
            Some(m) if m.deleted_at.is_some() => Err("in_trash"),
            found => Ok(found.map(|m| Existing::Product(Box::new(m)))),
        },
    };
    Ok(found)
}

/// What a batch's keys name, looked up for the whole batch at once. Rows
/// whose key names no record (and no earlier row of the batch) can only be
/// new records: they are created together. Rows whose key names existing
/// accounts or contacts find them here, unless an earlier row of the batch
/// wrote them; every other row is looked up on its own.
pub(super) struct Fresh {
    /// Each row's key values; `None` when the row has no usable key.
    keys: Vec<Option<Vec<String>>>,
    taken: HashSet<String>,
    claimed: HashSet<String>,
    /// The live records each taken value named when the batch began; `None`
    /// for entities and keys looked up row by row.
    named: Option<HashMap<String, Vec<Uuid>>>,
    records: HashMap<Uuid, Existing>,
    /// Contacts' account links, for the contacts in `records`.
    links: HashMap<Uuid, Vec<Uuid>>,
    /// Records written since the batch began.
    touched: HashSet<Uuid>,
}

impl Fresh {
    /// Looks up the keys of the whole batch at once.
    pub(super) async fn load(
        txn: &DatabaseTransaction,
        spec: &Spec,
        rows: &[RowDraft],
    ) -> Result<Self, AppError> {
        let keys: Vec<Option<Vec<String>>> = rows
            .iter()
            .map(|r| {
                spec.key
                    .and_then(|key| key_values(spec.entity, key, r).ok())
            })
            .collect();
        let taken = match spec.key {
            Some(key) => {
                let values: Vec<String> = keys.iter().flatten().flatten().cloned().collect();
                karta_db::import::taken(txn, spec.entity.as_str(), key, &values).await?
            }
            None => HashSet::new(),
        };
        let named = match spec.key {
            Some(key) if spec.mode != Mode::Create && !taken.is_empty() => {
                let values: Vec<String> = taken.iter().cloned().collect();
                karta_db::import::named(txn, spec.entity.as_str(), key, &values).await?
            }
            _ => None,
        };
        let ids: Vec<Uuid> = named
            .iter()
            .flat_map(|n| n.values().flatten().copied())
            .collect();
        let mut records = HashMap::new();
        let mut links = HashMap::new();
        match spec.entity {
            ImportEntity::Accounts => {
                for m in karta_db::accounts::by_ids(txn, &ids).await? {
                    records.insert(m.id, Existing::Account(Box::new(m)));
                }
            }
            ImportEntity::Contacts => {
                for m in karta_db::contacts::by_ids(txn, &ids).await? {
                    records.insert(m.id, Existing::Contact(Box::new(m)));
                }
                links = karta_db::contacts::account_links(txn, &ids).await?;
            }
            ImportEntity::Leads | ImportEntity::Products => {}
        }
        Ok(Self {
            keys,
            taken,
            claimed: HashSet::new(),
            named,
            records,
            links,
            touched: HashSet::new(),
        })
    }

    /// The record the batch's look-up found for these key values; `None`
    /// when the row must look for itself (a value the batch did not find
    /// live, or a record written since the batch began).
    fn found(&self, values: &[String]) -> Option<Result<Option<Existing>, &'static str>> {
        let named = self.named.as_ref()?;
        let mut ids: Vec<Uuid> = Vec::new();
        for v in values {
            let of_value = named.get(v).filter(|_| !self.claimed.contains(v))?;
            for id in of_value {
                if !ids.contains(id) {
                    ids.push(*id);
                }
            }
        }
        if ids.iter().any(|id| self.touched.contains(id)) {
            return None;
        }
        let found: Vec<Existing> = ids
            .iter()
            .map(|id| self.records.get(id).cloned())
            .collect::<Option<_>>()?;
        Some(match found.len() {
            0 => Ok(None),
            1 => Ok(found.into_iter().next()),
            _ => Err("key_ambiguous"),
        })
    }

    /// A contact's account links when the batch loaded them.
    fn links_of(&self, id: Uuid) -> Option<Vec<Uuid>> {
        (self.records.contains_key(&id) && !self.touched.contains(&id))
            .then(|| self.links.get(&id).cloned().unwrap_or_default())
    }

    /// Whether the batch's `i`-th row is certainly a new record (and then
    /// claims its key values, so a later row with the same key is looked up
    /// instead).
    pub(super) fn claim(&mut self, spec: &Spec, i: usize, row: &RowDraft) -> bool {
        if spec.mode == Mode::Update || !row.errors.is_empty() {
            return false;
        }
        if spec.key.is_none() {
            return true;
        }
        let Some(values) = self.keys.get_mut(i).and_then(Option::take) else {
            return false;
        };
        if values
            .iter()
            .any(|v| self.taken.contains(v) || self.claimed.contains(v))
        {
            return false;
        }
        self.claimed.extend(values);
        true
    }
}

/// A new row's fields, checked and completed, waiting to be inserted.
pub(super) enum Prepared {
    Account(Box<AccountFields>),
    Contact(Box<ContactFields>),
    /// With whether it is to be routed.
    Lead(Box<LeadFields>, bool),
    Product(Box<ProductFields>),
}

/// Checks and completes a row that will be a new record; a refusal when
/// its fields are invalid.
pub(super) async fn prepare_new(
    app: &App,
    p: &Principal,
    columns: &Columns,
    entity: ImportEntity,
    row: RowDraft,
) -> Result<Result<Prepared, Outcome>, AppError> {
    let draft = Value::Object(row.draft);
    let json = |e: serde_json::Error| crate::accounts::json_error(&e);
    let prepared = match entity {
        ImportEntity::Accounts => match serde_json::from_value::<AccountDraft>(draft) {
            Ok(d) => crate::accounts::prepare(app, p, d, None)
                .await
                .map(|f| Prepared::Account(Box::new(f))),
            Err(e) => Err(json(e)),
        },
        ImportEntity::Contacts => match serde_json::from_value::<ContactDraft>(draft) {
            Ok(d) => crate::contacts::prepare(app, p, d, None)
                .await
                .map(|f| Prepared::Contact(Box::new(f))),
            Err(e) => Err(json(e)),
        },
        ImportEntity::Leads => match serde_json::from_value::<LeadDraft>(draft) {
            Ok(d) => crate::leads::prepare(app, p, d, None)
                .await
                .map(|(f, route)| Prepared::Lead(Box::new(f), route)),
            Err(e) => Err(json(e)),
        },
        ImportEntity::Products => match serde_json::from_value::<ProductDraft>(draft) {
            Ok(d) => crate::products::prepare(app, app.db.conn(), d, None)
                .await
                .map(|f| Prepared::Product(Box::new(f))),
            Err(e) => Err(json(e)),
        },
    };
    match prepared {
        Ok(prepared) => Ok(Ok(prepared)),
        Err(e) => refused(columns, e).map(Err),
    }
}

/// Inserts the prepared rows (all of one entity, as an import is) together;
/// their outcomes in the same order. Accounts and contacts take a few
/// statements per table for the lot; leads (each routed) and products are
/// inserted one by one.
pub(super) async fn create_many(
    tx: &mut Tx<'_>,
    rows: Vec<Prepared>,
) -> Result<Vec<Outcome>, AppError> {
    let created = |id, version| Outcome::Created { id, version };
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut accounts = Vec::new();
    let mut contacts = Vec::new();
    for row in rows {
        match row {
            Prepared::Account(f) => accounts.push(*f),
            Prepared::Contact(f) => contacts.push(*f),
            Prepared::Lead(f, route) => {
                let m = crate::leads::insert_in(tx, *f, LeadChannel::Import, route).await?;
                outcomes.push(created(m.id, m.version));
            }
            Prepared::Product(f) => {
                let m = crate::products::insert(tx, &f).await?;
                outcomes.push(created(m.id, m.version));
            }
        }
    }
    outcomes.extend(
        crate::accounts::insert_many(tx, &accounts)
            .await?
            .into_iter()
            .map(|m| created(m.id, m.version)),
    );
    outcomes.extend(
        crate::contacts::insert_many(tx, &contacts)
            .await?
            .into_iter()
            .map(|m| created(m.id, m.version)),
    );
    Ok(outcomes)
}

/// Who writes an import's records: its user, through the import channel.
pub(super) fn import_actor(p: &Principal) -> Actor {
    Actor {
        user_id: Some(p.user_id),
        channel: "import",
    }
}

fn json_of(draft: &impl serde::Serialize) -> Value {
    serde_json::to_value(draft).unwrap_or_default()
}

/// The one record a key found; none, or several (`key_ambiguous`).
fn single<T>(
    found: Vec<T>,
    existing: fn(Box<T>) -> Existing,
) -> Result<Option<Existing>, &'static str> {
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next().map(|m| existing(Box::new(m)))),
        _ => Err("key_ambiguous"),
    }
}

/// Field errors of a refused draft, each with its column when one fills
/// the field.
fn refused(columns: &Columns, e: AppError) -> Result<Outcome, AppError> {
    match e {
        AppError::Invalid(invalid) => Ok(Outcome::Refused(
            invalid
                .0
                .into_iter()
                .map(|f| (columns.column_of(&f.field), f.code.to_string()))
                .collect(),
        )),
        other => Err(other),
    }
}

/// Imports one row.
pub(super) async fn row(
    app: &App,
    tx: &mut Tx<'_>,
    p: &Principal,
    spec: &Spec,
    columns: &Columns,
    fresh: &mut Fresh,
    row: RowDraft,
) -> Result<Outcome, AppError> {
    if !row.errors.is_empty() {
        let mut problems: Vec<(Option<usize>, String)> = row
            .errors
            .iter()
            .map(|(c, code)| (Some(*c), code.to_string()))
            .collect();
        // The other cells' problems too, so one pass over the report fixes
        // the row.
        if let Err(AppError::Invalid(more)) = validate(spec.entity, &row.draft) {
            for f in more.0 {
                let column = columns.column_of(&f.field);
                if !problems
                    .iter()
                    .any(|(c, _)| column.is_some() && *c == column)
                {
                    problems.push((column, f.code.to_string()));
                }
            }
        }
        return Ok(Outcome::Refused(problems));
    }
    let key_column = |key: Key| columns.column_of(spec.entity.key_field(key));
    let existing = match spec.key {
        None => None,
        Some(key) => match find(tx, fresh, spec.entity, key, &row).await? {
            Ok(found) => found,
            Err(code) if code == "key_missing" && spec.mode == Mode::Create => None,
            Err(code) => return Ok(Outcome::Refused(vec![(key_column(key), code.into())])),
        },
    };
    let key_problem = |code: &str| {
        let column = spec.key.and_then(key_column);
        Ok(Outcome::Refused(vec![(column, code.to_string())]))
    };
    let result = match (existing, spec.mode) {
        (None, Mode::Update) => return key_problem("not_found"),
        (Some(_), Mode::Create) => return key_problem("already_exists"),
        (None, _) => {
            return match prepare_new(app, p, columns, spec.entity, row).await? {
                Ok(prepared) => Ok(create_many(tx, vec![prepared])
                    .await?
                    .pop()
                    .unwrap_or(Outcome::Unchanged)),
                Err(refusal) => Ok(refusal),
            };
        }
        (Some(found), _) => {
            let (owner, team) = match &found {
                Existing::Account(m) => (m.owner_id, m.team_id),
                Existing::Contact(m) => (m.owner_id, m.team_id),
                Existing::Lead(m) => (m.owner_id, m.team_id),
                Existing::Product(m) => (m.owner_id, m.team_id),
            };
            let entity = spec.entity.entity();
            if !p
                .visibility(entity, Access::Write)
                .allows(owner, team, None)
            {
                return key_problem("not_allowed");
            }
            let links = match &found {
                Existing::Contact(m) => fresh.links_of(m.id),
                _ => None,
            };
            let outcome = update(app, tx, p, found, links, &row.draft).await;
            if let Ok(Outcome::Updated { id, .. }) = &outcome {
                fresh.touched.insert(*id);
            }
            outcome
        }
    };
    result.or_else(|e| refused(columns, e))
}

/// The checks that need no database, for a row already refused.
fn validate(entity: ImportEntity, draft: &Map<String, Value>) -> Result<(), AppError> {
    let draft = Value::Object(draft.clone());
    let json = |e: serde_json::Error| crate::accounts::json_error(&e);
    match entity {
        ImportEntity::Accounts => {
            serde_json::from_value::<AccountDraft>(draft)
                .map_err(json)?
                .validate()?;
        }
        ImportEntity::Contacts => {
            serde_json::from_value::<ContactDraft>(draft)
                .map_err(json)?
                .validate()?;
        }
        ImportEntity::Leads => {
            serde_json::from_value::<LeadDraft>(draft)
                .map_err(json)?
                .validate()?;
        }
        ImportEntity::Products => {
            serde_json::from_value::<ProductDraft>(draft)
                .map_err(json)?
                .validate()?;
        }
    }
    Ok(())
}

/// Writes the row over the record it found; `links` are a contact's
/// account links when already loaded.
async fn update(
    app: &App,
    tx: &mut Tx<'_>,
    p: &Principal,
    found: Existing,
    links: Option<Vec<Uuid>>,
    row: &Map<String, Value>,
) -> Result<Outcome, AppError> {
    let written: Option<(Uuid, i64, Value)> = match found {
        Existing::Account(current) => {
            let before = AccountDraft::from(&karta_db::accounts::fields_of(&current));
            let draft = crate::accounts::merge(&before, row.clone())?;
            let after = crate::accounts::prepare(app, p, draft, Some(&current)).await?;
            crate::accounts::rewrite(tx, &current, &after)
                .await?
                .map(|m| (m.id, m.version, json_of(&before)))
        }
        Existing::Contact(current) => {
            let links = match links {
                Some(links) => links,
                None => karta_db::contacts::account_links(&**tx, &[current.id])
                    .await?
                    .remove(&current.id)
                    .unwrap_or_default(),
            };
            let fields = karta_db::contacts::fields_of(&current, links);
            let before = ContactDraft::from(&fields);
            let mut row = row.clone();
            let current_lists = serde_json::to_value(&before).unwrap_or_default();
            // Links and channels from the file add to the contact's: an
            // address book export listing one phone must not erase another.
            for field in ["account_ids", "emails", "phones", "messengers"] {
                if let (Some(Value::Array(new)), Some(Value::Array(old))) =
                    (row.get_mut(field), current_lists.get(field))
                {
                    for v in old {
                        if !new.contains(v) {
                            new.push(v.clone());
                        }
                    }
                }
            }
            let draft = crate::accounts::merge(&before, row)?;
            let after = crate::contacts::prepare(app, p, draft, Some(&current)).await?;
            crate::contacts::rewrite(tx, &current, &fields, &after)
                .await?
                .map(|m| (m.id, m.version, json_of(&before)))
        }
        Existing::Lead(current) => {
            let before = LeadDraft::from(&karta_db::leads::fields_of(&current));
            let draft = crate::accounts::merge(&before, row.clone())?;
            let (after, _) = crate::leads::prepare(app, p, draft, Some(&current)).await?;
            crate::leads::rewrite(tx, &current, &after)
                .await?
                .map(|m| (m.id, m.version, json_of(&before)))
        }
        Existing::Product(current) => {
            let before = ProductDraft::from(&karta_db::products::fields_of(&current));
            let draft = crate::accounts::merge(&before, row.clone())?;
            let after = crate::products::prepare(app, &**tx, draft, Some(&current)).await?;
            crate::products::rewrite(tx, &current, &after)
                .await?
                .map(|m| (m.id, m.version, json_of(&before)))
        }
    };
    Ok(match written {
        Some((id, version, before)) => Outcome::Updated {
            id,
            version,
            before,
        },
        None => Outcome::Unchanged,
    })
}
