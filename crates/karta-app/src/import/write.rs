//! One imported row: find its record by the key, then create it or update
//! it through the same steps the API takes, or say why the row is refused.

use super::columns::{Columns, Lookups, RowDraft};
use super::{ImportEntity, Outcome, Spec};
use crate::{App, AppError, Principal};
use karta_core::accounts::AccountDraft;
use karta_core::contacts::ContactDraft;
use karta_core::identifiers::{Email, Inn, Phone};
use karta_core::import::{Key, Mode};
use karta_core::roles::Access;
use karta_db::Visibility;
use karta_db::entities::{account, contact};
use karta_db::history::Actor;
use sea_orm::DatabaseTransaction;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A row's record found by its key.
enum Existing {
    Account(Box<account::Model>),
    Contact(Box<contact::Model>),
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

/// Finds the live record the row's key names: `Ok(None)` when none does,
/// an error code when the key is missing, invalid or matches several.
async fn find(
    txn: &DatabaseTransaction,
    entity: ImportEntity,
    key: Key,
    row: &RowDraft,
) -> Result<Result<Option<Existing>, &'static str>, AppError> {
    let text = |f: &str| row.draft.get(f).and_then(Value::as_str).map(String::from);
    let accounts = |found| single(found, Existing::Account);
    let contacts = |found| single(found, Existing::Contact);
    let found = match (entity, key) {
        (ImportEntity::Accounts, Key::Code) => match row.code {
            Some(code) => accounts(
                karta_db::accounts::find_by_code(txn, code, Visibility::All)
                    .await?
                    .into_iter()
                    .collect(),
            ),
            None => Err("key_missing"),
        },
        (ImportEntity::Accounts, Key::Inn) => match text("inn").map(|i| Inn::parse(&i)) {
            Some(Ok(inn)) => accounts(karta_db::accounts::with_inn(txn, inn.as_str(), None).await?),
            Some(Err(code)) => Err(code),
            None => Err("key_missing"),
        },
        (ImportEntity::Accounts, Key::ExternalId) => match text("external_id") {
            Some(x) => accounts(karta_db::accounts::with_external_id(txn, x.trim()).await?),
            None => Err("key_missing"),
        },
        (ImportEntity::Contacts, Key::ExternalId) => match text("external_id") {
            Some(x) => contacts(karta_db::contacts::with_external_id(txn, x.trim()).await?),
            None => Err("key_missing"),
        },
        (ImportEntity::Contacts, Key::Email | Key::Phone) => {
            let (field, kind) = if key == Key::Email {
                ("emails", "email")
            } else {
                ("phones", "phone")
            };
            let mut values = Vec::new();
            for raw in texts(&row.draft, field) {
                let value = if key == Key::Email {
                    Email::parse(&raw).map(|e| e.to_string())
                } else {
                    Phone::parse(&raw).map(|p| p.to_string())
                };
                match value {
                    Ok(v) => values.push(v),
                    Err(code) => return Ok(Err(code)),
                }
            }
            if values.is_empty() {
                Err("key_missing")
            } else {
                let mut found: Vec<contact::Model> = Vec::new();
                for v in values {
                    for m in
                        karta_db::contacts::with_channel(txn, kind, &v, Visibility::All, None, 2)
                            .await?
                    {
                        if !found.iter().any(|f| f.id == m.id) {
                            found.push(m);
                        }
                    }
                }
                contacts(found)
            }
        }
        _ => Err("key_not_for_entity"),
    };
    Ok(found)
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
    txn: &DatabaseTransaction,
    p: &Principal,
    spec: &Spec,
    columns: &Columns,
    lookups: &mut Lookups,
    cells: &[String],
) -> Result<Outcome, AppError> {
    let row = columns.draft(app, lookups, cells).await?;
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
    let key_column = |key: Key| columns.column_of(key.as_str());
    let existing = match spec.key {
        None => None,
        Some(key) => match find(txn, spec.entity, key, &row).await? {
            Ok(found) => found,
            Err(code) if code == "key_missing" && spec.mode == Mode::Create => None,
            Err(code) => return Ok(Outcome::Refused(vec![(key_column(key), code.into())])),
        },
    };
    let key_problem = |code: &str| {
        let column = spec.key.and_then(key_column);
        Ok(Outcome::Refused(vec![(column, code.to_string())]))
    };
    let actor = Actor {
        user_id: Some(p.user_id),
        channel: "import",
    };
    let result = match (existing, spec.mode) {
        (None, Mode::Update) => return key_problem("not_found"),
        (Some(_), Mode::Create) => return key_problem("already_exists"),
        (None, _) => create(app, txn, p, actor, spec.entity, row.draft).await,
        (Some(found), _) => {
            let (owner, team) = match &found {
                Existing::Account(m) => (m.owner_id, m.team_id),
                Existing::Contact(m) => (m.owner_id, m.team_id),
            };
            let entity = spec.entity.entity();
            if !p.visibility(entity, Access::Write).allows(owner, team) {
                return key_problem("not_allowed");
            }
            update(app, txn, p, actor, found, &row.draft).await
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
    }
    Ok(())
}

async fn create(
    app: &App,
    txn: &DatabaseTransaction,
    p: &Principal,
    actor: Actor,
    entity: ImportEntity,
    draft: Map<String, Value>,
) -> Result<Outcome, AppError> {
    let draft = Value::Object(draft);
    let (id, version) = match entity {
        ImportEntity::Accounts => {
            let d: AccountDraft =
                serde_json::from_value(draft).map_err(|e| crate::accounts::json_error(&e))?;
            let fields = crate::accounts::prepare(app, p, d, None).await?;
            let m = crate::accounts::insert(app, txn, actor, &fields).await?;
            (m.id, m.version)
        }
        ImportEntity::Contacts => {
            let d: ContactDraft =
                serde_json::from_value(draft).map_err(|e| crate::accounts::json_error(&e))?;
            let fields = crate::contacts::prepare(app, p, d, None).await?;
            let m = crate::contacts::insert(app, txn, actor, &fields).await?;
            (m.id, m.version)
        }
    };
    Ok(Outcome::Created { id, version })
}

async fn update(
    app: &App,
    txn: &DatabaseTransaction,
    p: &Principal,
    actor: Actor,
    found: Existing,
    row: &Map<String, Value>,
) -> Result<Outcome, AppError> {
    let written: Option<(Uuid, i64, Value)> = match found {
        Existing::Account(current) => {
            let before = AccountDraft::from(&karta_db::accounts::fields_of(&current));
            let draft = crate::accounts::merge(&before, row.clone())?;
            let after = crate::accounts::prepare(app, p, draft, Some(&current)).await?;
            crate::accounts::rewrite(app, txn, p, actor, &current, &after)
                .await?
                .map(|m| {
                    (
                        m.id,
                        m.version,
                        serde_json::to_value(&before).unwrap_or_default(),
                    )
                })
        }
        Existing::Contact(current) => {
            let links = karta_db::contacts::account_links(txn, &[current.id])
                .await?
                .remove(&current.id)
                .unwrap_or_default();
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
            crate::contacts::rewrite(app, txn, p, actor, &current, &fields, &after)
                .await?
                .map(|m| {
                    (
                        m.id,
                        m.version,
                        serde_json::to_value(&before).unwrap_or_default(),
                    )
                })
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
