//! The acts every business record shares, written once: loading a record
//! for a write (404 / 403 / 428 / 412 decided here), versioned saves, the
//! trash, and purging after the restore window.

use crate::uow::{Event, Indexing, Tx};
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::roles::{Access, Entity};
use karta_db::history::{self, Actor};
use karta_db::records::{self, Record};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Loads the record `p` wants to change: 404 when it may not know the
/// record exists, 403 when it may read but not change it, 428 without a
/// version, 412 when the version is stale.
#[allow(clippy::too_many_arguments)]
pub async fn load_for_write<E: Record, C: ConnectionTrait>(
    app: &App,
    db: &C,
    p: &Principal,
    entity: Entity,
    id: Uuid,
    access: Access,
    deleted: bool,
    expected: Option<i64>,
) -> Result<E::Model, AppError> {
    let record = match records::find::<E, C>(db, id, p.visibility(entity, access), deleted).await? {
        Some(r) => r,
        None if records::find::<E, _>(
            app.db.conn(),
            id,
            p.visibility(entity, Access::Read),
            deleted,
        )
        .await?
        .is_some() =>
        {
            return Err(AppError::Forbidden);
        }
        None => return Err(AppError::NotFound),
    };
    match expected {
        None => Err(AppError::VersionRequired),
        Some(v) if v != E::version_of(&record) => Err(AppError::VersionMismatch {
            current: E::version_of(&record),
        }),
        Some(_) => Ok(record),
    }
}

/// Saves `model` in the unit of work, stamped with its actor and time, if
/// the row is still at `version`.
pub async fn save<E: Record>(
    tx: &Tx<'_>,
    mut model: E::Active,
    id: Uuid,
    version: i64,
    deleted: Option<bool>,
) -> Result<E::Model, AppError> {
    E::stamp(&mut model, tx.now(), tx.actor().user_id, deleted);
    records::save_versioned::<E, _>(&**tx, model, id, version)
        .await?
        .ok_or(AppError::VersionMismatch {
            current: version + 1,
        })
}

/// Moves a record into the trash (`delete`) or back out, with history.
pub async fn set_deleted<E: Record>(
    app: &App,
    p: &Principal,
    entity: Entity,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<E::Model, AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current =
        load_for_write::<E, _>(app, &*tx, p, entity, id, Access::Delete, !delete, expected).await?;
    let saved = save::<E>(
        &tx,
        E::Active::default(),
        id,
        E::version_of(&current),
        Some(delete),
    )
    .await?;
    let action = if delete { "delete" } else { "restore" };
    tx.record(Event::new(E::NAME, id, action, Vec::new()));
    tx.commit().await?;
    Ok(saved)
}

/// Deletes for good every record in the trash longer than the restore
/// window. Runs as the system job; each purge is recorded.
pub async fn purge<E: Record>(app: &App) -> Result<usize, AppError> {
    let ids = records::deleted_before::<E, _>(app.db.conn(), app.now() - app.config.restore_window)
        .await?;
    for id in &ids {
        let mut tx = Tx::begin(app, Actor::SYSTEM).await?;
        records::delete_row::<E, _>(&*tx, *id).await?;
        tx.record(Event::new(E::NAME, *id, "purge", Vec::new()).indexed(Indexing::Remove));
        tx.commit().await?;
    }
    Ok(ids.len())
}

/// The history of a record `p` may read, live or in the trash; `hidden`
/// fields are left out.
pub async fn history<E: Record>(
    app: &App,
    p: &Principal,
    entity: Entity,
    id: Uuid,
    hidden: &[&str],
    cursor: Option<&karta_db::page::Cursor>,
    limit: u64,
) -> Result<karta_db::page::Page<crate::views::ChangeView>, AppError> {
    let vis = p.require(entity, Access::Read)?;
    let db = app.db.conn();
    let live = records::find::<E, _>(db, id, vis, false).await?;
    if live.is_none() && records::find::<E, _>(db, id, vis, true).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let rows = history::list(db, id, hidden, cursor, limit).await?;
    crate::directory::change_views(app, rows).await
}

/// Checks that the customer records an activity or task is linked to exist
/// and are visible to the principal; a deal brings its account along.
pub async fn check_links(
    app: &App,
    p: &Principal,
    account_id: &mut Option<Uuid>,
    contact_id: Option<Uuid>,
    deal_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    e: &mut Invalid,
) -> Result<(), AppError> {
    let db = app.db.conn();
    if let Some(deal_id) = deal_id {
        let vis = p.visibility(Entity::Deals, Access::Read);
        match karta_db::deals::find(db, deal_id, vis, false).await? {
            Some(d) => {
                account_id.get_or_insert(d.account_id);
            }
            None => e.push("deal_id", "unknown_deal"),
        }
    }
    if let Some(account_id) = *account_id {
        let vis = p.visibility(Entity::Accounts, Access::Read);
        if karta_db::accounts::find(db, account_id, vis, false)
            .await?
            .is_none()
        {
            e.push("account_id", "unknown_account");
        }
    }
    if let Some(contact_id) = contact_id {
        let vis = p.visibility(Entity::Contacts, Access::Read);
        if karta_db::contacts::find(db, contact_id, vis, false)
            .await?
            .is_none()
        {
            e.push("contact_id", "unknown_contact");
        }
    }
    if let Some(lead_id) = lead_id {
        let vis = p.visibility(Entity::Leads, Access::Read);
        if karta_db::leads::find(db, lead_id, vis, false)
            .await?
            .is_none()
        {
            e.push("lead_id", "unknown_lead");
        }
    }
    Ok(())
}
