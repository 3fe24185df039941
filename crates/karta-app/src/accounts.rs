//! Account use cases: create, read, list, edit with optimistic concurrency,
//! soft delete and restore, history, duplicate hints and purge.

use crate::uow::{Event, Indexing, Tx};
use crate::views::{ChangeView, DuplicateHint};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::accounts::{AccountDraft, AccountFields, AccountType};
use karta_core::accounts::{AccountFilter, AccountSort};
use karta_core::identifiers::CustomerCode;
use karta_core::roles::{Access, Entity};
use karta_db::accounts as store;
pub use karta_db::accounts::fields_of;
use karta_db::entities::account::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::TryIntoModel;
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "accounts";

/// Merges a JSON patch into a draft: keys present replace, `null` clears.
/// Unknown keys are rejected by the draft's strict deserialisation.
pub(crate) fn merge<T: serde::Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: Map<String, Value>,
) -> Result<T, AppError> {
    let mut merged =
        serde_json::to_value(current).map_err(|_| AppError::field("body", "invalid_json"))?;
    if let Value::Object(map) = &mut merged {
        for (k, v) in patch {
            map.insert(k, v);
        }
    }
    serde_json::from_value(merged).map_err(|e| json_error(&e))
}

/// Turns a serde error into a field error with a stable code.
pub fn json_error(e: &serde_json::Error) -> AppError {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return AppError::field(field, "unknown_field");
    }
    AppError::field("body", "invalid_json")
}

/// Checks what needs the database: classifier codes, custom fields, owner
/// and team, the competitor reference. Fills default owner and team.
async fn complete(
    app: &App,
    p: &Principal,
    mut f: AccountFields,
    current: Option<&Model>,
) -> Result<AccountFields, AppError> {
    let mut e = Invalid::default();
    let mut values: Vec<(&str, &str, Option<&str>)> =
        karta_core::accounts::ACCOUNT_CLASSIFIED_FIELDS
            .iter()
            .map(|(field, kind)| {
                let v = match *field {
                    "region" => f.region.as_deref(),
                    "industry" => f.industry.as_deref(),
                    "segment" => f.segment.as_deref(),
                    "size" => f.size.as_deref(),
                    "lead_source" => f.lead_source.as_deref(),
                    "loss_reason" => f.loss_reason.as_deref(),
                    _ => f.payment_method.as_deref(),
                };
                (*field, *kind, v)
            })
            .collect();
    let priorities: Vec<String> = f.buying_priorities.clone();
    values.extend(
        priorities
            .iter()
            .map(|v| ("buying_priorities", "buying_priority", Some(v.as_str()))),
    );
    crate::settings::check_classifier_values(app, &mut e, &values).await?;
    f.custom = crate::settings::normalise_custom(app, ENTITY, &f.custom, &mut e).await?;
    if let Some(lost_to) = f.lost_to_id {
        let competitor = store::by_ids(app.db.conn(), &[lost_to]).await?;
        if !competitor
            .iter()
            .any(|c| c.types.contains(",competitor,") && c.deleted_at.is_none())
        {
            e.push("lost_to_id", "not_a_competitor");
        }
    }
    crate::directory::assign_owner(
        app,
        p,
        Entity::Accounts,
        &mut f.owner_id,
        &mut f.team_id,
        current.map(|c| (c.owner_id, c.team_id)),
        &mut e,
    )
    .await?;
    e.into_result()?;
    Ok(f)
}

fn snapshot(f: &AccountFields) -> Value {
    serde_json::to_value(AccountDraft::from(f)).unwrap_or(Value::Null)
}

/// Creates an account; returns it with possible duplicates.
pub async fn create(
    app: &App,
    p: &Principal,
    draft: AccountDraft,
) -> Result<(Model, Vec<DuplicateHint>), AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let (saved, fields) = create_in(&mut tx, p, draft).await?;
    tx.commit().await?;
    let hints = duplicates(app, &fields, Some(saved.id)).await?;
    Ok((saved, hints))
}

/// Creates an account inside a larger unit of work (a lead's conversion);
/// answers it with its prepared fields.
pub(crate) async fn create_in(
    tx: &mut Tx<'_>,
    p: &Principal,
    draft: AccountDraft,
) -> Result<(Model, AccountFields), AppError> {
    p.require(Entity::Accounts, Access::Write)?;
    let fields = prepare(tx.app(), p, draft, None).await?;
    let saved = insert(tx, &fields).await?;
    Ok((saved, fields))
}

/// Validates a draft and completes it from the database (classifier codes,
/// custom fields, owner and team) for a new account or over `current`.
pub(crate) async fn prepare(
    app: &App,
    p: &Principal,
    draft: AccountDraft,
    current: Option<&Model>,
) -> Result<AccountFields, AppError> {
    complete(app, p, draft.validate()?, current).await
}

/// Inserts prepared fields as a new account, with its customer code.
pub(crate) async fn insert(tx: &mut Tx<'_>, fields: &AccountFields) -> Result<Model, AppError> {
    insert_many(tx, std::slice::from_ref(fields))
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Inserts many new accounts as `insert` does each, in a few statements
/// whatever their number (bulk imports).
pub(crate) async fn insert_many(
    tx: &mut Tx<'_>,
    all: &[AccountFields],
) -> Result<Vec<Model>, AppError> {
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let codes = store::next_codes(&**tx, all.len()).await?;
    let mut rows = Vec::with_capacity(all.len());
    let mut saved = Vec::with_capacity(all.len());
    let mut events = Vec::with_capacity(all.len());
    for (fields, code) in all.iter().zip(codes) {
        let id = Uuid::now_v7();
        let mut model = account::ActiveModel {
            code: Set(code),
            ..<account::Entity as Record>::created(id, tx.now(), tx.actor().user_id)
        };
        store::set_fields(&mut model, fields);
        saved.push(model.clone().try_into_model()?);
        rows.push(model);
        let (public, private) = store::search_text(code, fields);
        let changes = history::diff(&Value::Null, &snapshot(fields));
        events.push(
            Event::new(ENTITY, id, "create", changes).indexed(Indexing::New(public, private)),
        );
    }
    karta_db::bulk::insert_all::<account::Entity, _>(&**tx, rows).await?;
    tx.record_all(events);
    Ok(saved)
}

/// Writes prepared fields over `current`; `None` when nothing changes.
pub(crate) async fn rewrite(
    tx: &mut Tx<'_>,
    current: &Model,
    after: &AccountFields,
) -> Result<Option<Model>, AppError> {
    let changes = history::diff(&snapshot(&store::fields_of(current)), &snapshot(after));
    if changes.is_empty() {
        return Ok(None);
    }
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, after);
    let saved =
        records::save::<account::Entity>(tx, model, current.id, current.version, None).await?;
    let (public, private) = store::search_text(saved.code, &store::fields_of(&saved));
    tx.record(
        Event::new(ENTITY, current.id, "update", changes)
            .indexed(Indexing::Replace(public, private)),
    );
    Ok(Some(saved))
}

/// Reads one visible account (live, or in the trash with `deleted`).
pub async fn get(app: &App, p: &Principal, id: Uuid, deleted: bool) -> Result<Model, AppError> {
    let vis = p.require(Entity::Accounts, Access::Read)?;
    store::find(app.db.conn(), id, vis, deleted)
        .await?
        .ok_or(AppError::NotFound)
}

/// The names of those of `ids` the principal may see (live accounts only):
/// the one way other records' pages and files name their company, so a
/// link to an account the reader may not see names nothing.
pub async fn names(
    app: &App,
    p: &Principal,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, AppError> {
    Ok(visible(app, p, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// Those of `ids` the principal may see (live accounts only), for pages
/// and files that show other records' companies.
pub async fn visible(app: &App, p: &Principal, ids: &[Uuid]) -> Result<Vec<Model>, AppError> {
    let vis = p.visibility(Entity::Accounts, Access::Read);
    Ok(karta_db::records::visible::<account::Entity, _>(app.db.conn(), ids, vis).await?)
}

/// Reads one visible account by customer code.
pub async fn by_code(app: &App, p: &Principal, code: CustomerCode) -> Result<Model, AppError> {
    let vis = p.require(Entity::Accounts, Access::Read)?;
    store::find_by_code(app.db.conn(), code.0, vis)
        .await?
        .ok_or(AppError::NotFound)
}

/// The visible account a person typed or picked by its code (`K-000123`)
/// in a form; `None` when the text is no code or names no account they
/// may see.
pub async fn by_typed_code(app: &App, p: &Principal, typed: &str) -> Option<Model> {
    let code = CustomerCode::parse(typed.trim()).ok()?;
    by_code(app, p, code).await.ok()
}

/// A page of visible accounts.
pub async fn list(
    app: &App,
    p: &Principal,
    mut filter: AccountFilter,
    sort: AccountSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let access = if filter.deleted {
        Access::Delete
    } else {
        Access::Read
    };
    let vis = p.require(Entity::Accounts, access)?;
    filter.search_private = false;
    Ok(store::list(
        app.db.conn(),
        app.db.backend(),
        &filter,
        vis,
        sort,
        cursor,
        limit,
    )
    .await?)
}

/// Applies a partial update (JSON merge) at the given version.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<(Model, Vec<DuplicateHint>), AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<account::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Accounts,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let draft = merge(&AccountDraft::from(&store::fields_of(&current)), patch)?;
    let after = prepare(app, p, draft, Some(&current)).await?;
    let Some(saved) = rewrite(&mut tx, &current, &after).await? else {
        tx.rollback().await?;
        return Ok((current, Vec::new()));
    };
    tx.commit().await?;
    let hints = duplicates(app, &after, Some(id)).await?;
    Ok((saved, hints))
}

/// Moves an account to the trash.
pub async fn delete(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
) -> Result<Model, AppError> {
    // Purging the account would take its invoices and orders along; those
    // are accounting records, so such a customer is kept (or merged).
    let (orders, invoices) = karta_db::invoices::documents_of(app.db.conn(), id).await?;
    if orders + invoices > 0 {
        // The caller's right and version decide first, as for any delete.
        records::load_for_write::<account::Entity, _>(
            app,
            app.db.conn(),
            p,
            Entity::Accounts,
            id,
            Access::Delete,
            false,
            expected,
        )
        .await?;
        return Err(AppError::Refused {
            code: "has_documents",
            facts: serde_json::json!({"orders": orders, "invoices": invoices}),
        });
    }
    records::set_deleted::<account::Entity>(app, p, Entity::Accounts, id, expected, true).await
}

/// Brings an account back from the trash.
pub async fn restore(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
) -> Result<Model, AppError> {
    records::set_deleted::<account::Entity>(app, p, Entity::Accounts, id, expected, false).await
}

/// A visible account's history, newest first, with actor names.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<ChangeView>, AppError> {
    records::history::<account::Entity>(app, p, Entity::Accounts, id, &[], cursor, limit).await
}

/// Other live accounts with the same INN (the code only when invisible).
pub async fn duplicates(
    app: &App,
    f: &AccountFields,
    except: Option<Uuid>,
) -> Result<Vec<DuplicateHint>, AppError> {
    let Some(inn) = &f.inn else {
        return Ok(Vec::new());
    };
    Ok(store::with_inn(app.db.conn(), inn.as_str(), except)
        .await?
        .into_iter()
        .map(|m| DuplicateHint {
            id: m.id,
            label: CustomerCode(m.code).to_string(),
            reason: "inn",
        })
        .collect())
}

/// Competitor accounts (for "lost to" pickers), visible ones only.
pub async fn competitors(app: &App, p: &Principal) -> Result<Vec<Model>, AppError> {
    let filter = AccountFilter {
        account_type: Some(AccountType::Competitor),
        ..Default::default()
    };
    Ok(list(app, p, filter, AccountSort::Name, None, 100)
        .await?
        .items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_rejects_unknown_fields_and_clears_with_null() {
        let draft = AccountDraft {
            name: "A".into(),
            inn: Some("7707083893".into()),
            ..Default::default()
        };
        let mut patch = Map::new();
        patch.insert("inn".into(), Value::Null);
        let merged = merge(&draft, patch).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merged.inn, None);
        let mut bad = Map::new();
        bad.insert("colour".into(), Value::from("red"));
        assert!(
            matches!(merge(&draft, bad), Err(AppError::Invalid(e)) if e.0[0].field == "colour")
        );
    }
}
