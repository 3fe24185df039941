//! Contact use cases: like accounts, plus account links and personal data
//! that only some roles may see or set.

use crate::uow::{Event, Indexing, Tx};
use crate::views::DuplicateHint;
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::contacts::{ContactDraft, ContactFields, PERSONAL_DATA_FIELDS};
use karta_core::contacts::{ContactFilter, ContactSort};
use karta_core::roles::{Access, Entity};
use karta_db::contacts as store;
pub use karta_db::contacts::fields_of;
use karta_db::entities::contact::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::{ConnectionTrait, TryIntoModel};
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "contacts";

/// Fields this principal may not see (and so may not set either).
pub fn hidden_fields(p: &Principal) -> &'static [&'static str] {
    if p.sees_personal_data() {
        &[]
    } else {
        PERSONAL_DATA_FIELDS
    }
}

fn refuse_hidden(p: &Principal, keys: impl Iterator<Item = String>) -> Result<(), AppError> {
    let hidden = hidden_fields(p);
    let mut e = Invalid::default();
    for k in keys {
        if hidden.contains(&k.as_str()) {
            e.push(k, "field_not_allowed");
        }
    }
    e.into_result().map_err(AppError::from)
}

/// `db` reads the linked accounts: inside a transaction, so an account
/// created earlier in the same unit of work counts.
async fn complete<C: ConnectionTrait>(
    app: &App,
    db: &C,
    p: &Principal,
    mut f: ContactFields,
    current: Option<&Model>,
) -> Result<ContactFields, AppError> {
    let mut e = Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[("purchase_role", "purchase_role", f.purchase_role.as_deref())],
    )
    .await?;
    f.custom = crate::settings::normalise_custom(app, ENTITY, &f.custom, &mut e).await?;
    let vis = p.visibility(Entity::Accounts, Access::Read);
    let found = karta_db::accounts::by_ids(db, &f.account_ids).await?;
    for (i, id) in f.account_ids.iter().enumerate() {
        let ok = found.iter().any(|a| {
            a.id == *id
                && a.deleted_at.is_none()
                && karta_db::entities::account::Entity::visible(&vis, a)
        });
        if !ok {
            e.push(format!("account_ids[{i}]"), "unknown_account");
        }
    }
    crate::directory::assign_owner(
        app,
        p,
        Entity::Contacts,
        &mut f.owner_id,
        &mut f.team_id,
        current.map(|c| (c.owner_id, c.team_id)),
        &mut e,
    )
    .await?;
    e.into_result()?;
    Ok(f)
}

fn snapshot(f: &ContactFields) -> Value {
    serde_json::to_value(ContactDraft::from(f)).unwrap_or(Value::Null)
}

/// Creates a contact; returns it with its account ids and possible duplicates.
pub async fn create(
    app: &App,
    p: &Principal,
    draft: ContactDraft,
) -> Result<(Model, Vec<Uuid>, Vec<DuplicateHint>), AppError> {
    p.require(Entity::Contacts, Access::Write)?;
    let sent = serde_json::to_value(&draft).unwrap_or(Value::Null);
    let non_empty = sent
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
    refuse_hidden(p, non_empty.map(|(k, _)| k.clone()))?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let (saved, fields) = create_in(&mut tx, p, draft).await?;
    tx.commit().await?;
    let hints = duplicates(app, p, &fields, Some(saved.id)).await?;
    Ok((saved, fields.account_ids, hints))
}

/// Validates a draft and completes it from the database (classifier codes,
/// custom fields, accounts, owner and team), for a new contact or over
/// `current`.
pub(crate) async fn prepare(
    app: &App,
    p: &Principal,
    draft: ContactDraft,
    current: Option<&Model>,
) -> Result<ContactFields, AppError> {
    complete(app, app.db.conn(), p, draft.validate()?, current).await
}

/// Creates a contact inside a larger unit of work (a lead's conversion);
/// answers it with its prepared fields.
pub(crate) async fn create_in(
    tx: &mut Tx<'_>,
    p: &Principal,
    draft: ContactDraft,
) -> Result<(Model, ContactFields), AppError> {
    p.require(Entity::Contacts, Access::Write)?;
    // Read in the work itself: the account may be new in it.
    let fields = complete(tx.app(), &**tx, p, draft.validate()?, None).await?;
    let saved = insert(tx, &fields).await?;
    Ok((saved, fields))
}

/// Inserts prepared fields as a new contact, with its account links.
pub(crate) async fn insert(tx: &mut Tx<'_>, fields: &ContactFields) -> Result<Model, AppError> {
    insert_many(tx, std::slice::from_ref(fields))
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Inserts many new contacts as `insert` does each, in a few statements
/// per table whatever their number (bulk imports).
pub(crate) async fn insert_many(
    tx: &mut Tx<'_>,
    all: &[ContactFields],
) -> Result<Vec<Model>, AppError> {
    let mut rows = Vec::with_capacity(all.len());
    let mut saved = Vec::with_capacity(all.len());
    let mut events = Vec::with_capacity(all.len());
    for fields in all {
        let id = Uuid::now_v7();
        let mut model = <contact::Entity as Record>::created(id, tx.now(), tx.actor().user_id);
        store::set_fields(&mut model, fields);
        saved.push(model.clone().try_into_model()?);
        rows.push(model);
        let (public, private) = store::search_text(fields);
        let changes = history::diff(&Value::Null, &snapshot(fields));
        events.push(
            Event::new(ENTITY, id, "create", changes).indexed(Indexing::New(public, private)),
        );
    }
    karta_db::bulk::insert_all::<contact::Entity, _>(&**tx, rows).await?;
    let links: Vec<_> = saved.iter().map(|m| m.id).zip(all).collect();
    store::insert_links(&**tx, &links).await?;
    tx.record_all(events);
    Ok(saved)
}

/// Writes prepared fields over `current` (whose fields were `before`),
/// with its links; `None` when nothing changes.
pub(crate) async fn rewrite(
    tx: &mut Tx<'_>,
    current: &Model,
    before: &ContactFields,
    after: &ContactFields,
) -> Result<Option<Model>, AppError> {
    let changes = history::diff(&snapshot(before), &snapshot(after));
    if changes.is_empty() {
        return Ok(None);
    }
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, after);
    let saved =
        records::save::<contact::Entity>(tx, model, current.id, current.version, None).await?;
    store::save_links(&**tx, current.id, after).await?;
    let (public, private) = store::search_text(after);
    tx.record(
        Event::new(ENTITY, current.id, "update", changes)
            .indexed(Indexing::Replace(public, private)),
    );
    Ok(Some(saved))
}

/// Reads one visible contact with its account ids.
pub async fn get(
    app: &App,
    p: &Principal,
    id: Uuid,
    deleted: bool,
) -> Result<(Model, Vec<Uuid>), AppError> {
    let vis = p.require(Entity::Contacts, Access::Read)?;
    let m = store::find(app.db.conn(), id, vis, deleted)
        .await?
        .ok_or(AppError::NotFound)?;
    let links = store::account_links(app.db.conn(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok((m, links))
}

/// A page of visible contacts, with each one's account ids (one query).
pub async fn list(
    app: &App,
    p: &Principal,
    mut filter: ContactFilter,
    sort: ContactSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<(Page<Model>, std::collections::HashMap<Uuid, Vec<Uuid>>), AppError> {
    let access = if filter.deleted {
        Access::Delete
    } else {
        Access::Read
    };
    let vis = p.require(Entity::Contacts, access)?;
    filter.search_private = p.sees_personal_data();
    let page = store::list(
        app.db.conn(),
        app.db.backend(),
        &filter,
        vis,
        sort,
        cursor,
        limit,
    )
    .await?;
    let ids: Vec<Uuid> = page.items.iter().map(|m| m.id).collect();
    let links = store::account_links(app.db.conn(), &ids).await?;
    Ok((page, links))
}

/// Applies a partial update at the given version.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<(Model, Vec<Uuid>, Vec<DuplicateHint>), AppError> {
    refuse_hidden(p, patch.keys().cloned())?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<contact::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Contacts,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let links = store::account_links(&*tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let before = store::fields_of(&current, links);
    let draft = crate::accounts::merge(&ContactDraft::from(&before), patch)?;
    let after = prepare(app, p, draft, Some(&current)).await?;
    let Some(saved) = rewrite(&mut tx, &current, &before, &after).await? else {
        tx.rollback().await?;
        return Ok((current, before.account_ids, Vec::new()));
    };
    tx.commit().await?;
    let hints = duplicates(app, p, &after, Some(id)).await?;
    Ok((saved, after.account_ids, hints))
}

/// Moves a contact to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<contact::Entity>(app, p, Entity::Contacts, id, expected, delete).await
}

/// A visible contact's history; personal-data fields are left out for
/// principals who may not see them.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    records::history::<contact::Entity>(
        app,
        p,
        Entity::Contacts,
        id,
        hidden_fields(p),
        cursor,
        limit,
    )
    .await
}

/// Other visible contacts sharing an e-mail or phone.
pub async fn duplicates(
    app: &App,
    p: &Principal,
    f: &ContactFields,
    except: Option<Uuid>,
) -> Result<Vec<DuplicateHint>, AppError> {
    let vis = p.visibility(Entity::Contacts, Access::Read);
    let mut hints: Vec<DuplicateHint> = Vec::new();
    let channels = f
        .emails
        .iter()
        .map(|e| ("email", e.to_string()))
        .chain(f.phones.iter().map(|ph| ("phone", ph.to_string())));
    for (kind, value) in channels.take(10) {
        for m in store::with_channel(app.db.conn(), kind, &value, vis, except, 5).await? {
            if !hints.iter().any(|h| h.id == m.id) {
                let label = store::fields_of(&m, Vec::new()).display_name();
                hints.push(DuplicateHint {
                    id: m.id,
                    label,
                    reason: kind,
                });
            }
        }
    }
    Ok(hints)
}

/// Those of `ids` the principal may see (live contacts only), for pages
/// that name the people of other records.
pub async fn visible(app: &App, p: &Principal, ids: &[Uuid]) -> Result<Vec<Model>, AppError> {
    let vis = p.visibility(Entity::Contacts, Access::Read);
    Ok(karta_db::records::visible::<contact::Entity, _>(app.db.conn(), ids, vis).await?)
}
