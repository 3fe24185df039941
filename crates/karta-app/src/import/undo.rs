//! Undoing an import: what it created goes to the trash (restorable like
//! any deletion), what it updated gets its earlier fields back. A record
//! someone changed after the import is left as it is and counted, so undo
//! never destroys later work.

use super::{ImportEntity, get};
use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::accounts::AccountDraft;
use karta_core::contacts::ContactDraft;
use karta_core::leads::LeadDraft;
use karta_core::products::ProductDraft;
use karta_db::Visibility;
use karta_db::entities::{account, contact, import_item, import_job, lead, product};
use karta_db::history::{self, Actor};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Items undone per transaction.
const UNDO_BATCH: u64 = 500;

/// What an undo did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct UndoSummary {
    /// Created records moved to the trash.
    pub removed: u64,
    /// Updated records given their earlier fields back.
    pub restored: u64,
    /// Records changed (or deleted) since the import, left alone.
    pub skipped: u64,
}

/// Undoes a finished import, newest row first. The job's creator or an
/// administrator may; the undo is recorded on the job and in each record's
/// history.
pub async fn undo(app: &App, p: &Principal, id: Uuid) -> Result<UndoSummary, AppError> {
    let job = get(app, p, id).await?;
    if job.dry_run {
        return Err(AppError::Conflict("import_dry_run"));
    }
    match job.status.as_str() {
        "running" => return Err(AppError::Conflict("import_running")),
        "undone" => return Err(AppError::Conflict("import_undone")),
        _ => {}
    }
    let entity = ImportEntity::parse(&job.entity).map_err(|_| AppError::NotFound)?;
    let actor = Actor {
        user_id: Some(p.user_id),
        channel: "import",
    };
    let mut summary = UndoSummary::default();
    // The version each record should still have for its earlier item: an
    // undone update moves it on.
    let mut expected: HashMap<Uuid, i64> = HashMap::new();
    let mut before_line = i64::MAX;
    loop {
        let items = import_item::Entity::find()
            .filter(import_item::Column::JobId.eq(id))
            .filter(import_item::Column::Line.lt(before_line))
            .order_by_desc(import_item::Column::Line)
            .limit(UNDO_BATCH)
            .all(app.db.conn())
            .await?;
        let Some(last) = items.last() else { break };
        before_line = last.line;
        let mut tx = Tx::begin(app, actor).await?;
        for item in &items {
            let version = expected
                .get(&item.record_id)
                .copied()
                .unwrap_or(item.version);
            let done = match entity {
                ImportEntity::Accounts => undo_account(&mut tx, item, version).await?,
                ImportEntity::Contacts => undo_contact(&mut tx, item, version).await?,
                ImportEntity::Leads => undo_lead(&mut tx, item, version).await?,
                ImportEntity::Products => undo_product(&mut tx, item, version).await?,
            };
            match done {
                Some(new_version) if item.action == "created" => {
                    summary.removed += 1;
                    expected.insert(item.record_id, new_version);
                }
                Some(new_version) => {
                    summary.restored += 1;
                    expected.insert(item.record_id, new_version);
                }
                None => summary.skipped += 1,
            }
        }
        tx.commit().await?;
    }
    let mut tx = Tx::begin(app, actor).await?;
    let now = tx.now();
    let mut undone: import_job::ActiveModel = job.into_active_model();
    undone.status = Set("undone".into());
    undone.undone_at = Set(Some(now));
    undone.undone_by = Set(Some(p.user_id));
    undone.updated_at = Set(now);
    undone.update(&*tx).await?;
    tx.record(Event::new(
        "imports",
        id,
        "undo",
        vec![history::FieldChange {
            field: "records".into(),
            old: None,
            new: Some(serde_json::json!(summary)),
        }],
    ));
    tx.commit().await?;
    Ok(summary)
}

/// The live record an item wrote, if it is still at `version` (nobody
/// changed it since).
async fn untouched<E: Record>(
    txn: &DatabaseTransaction,
    id: Uuid,
    version: i64,
) -> Result<Option<E::Model>, AppError> {
    Ok(
        karta_db::records::find::<E, _>(txn, id, Visibility::All, false)
            .await?
            .filter(|m| E::version_of(m) == version),
    )
}

/// Settles what needs no entity knowledge: a record changed since is left
/// alone (`Err(None)`), a record the import created goes to the trash
/// (`Err` with its new version); otherwise the record, to restore.
async fn settle<E: Record>(
    tx: &mut Tx<'_>,
    item: &import_item::Model,
    version: i64,
) -> Result<Result<E::Model, Option<i64>>, AppError> {
    let Some(current) = untouched::<E>(tx, item.record_id, version).await? else {
        return Ok(Err(None));
    };
    if item.action == "created" {
        return Ok(Err(trash::<E>(tx, item.record_id, version).await?));
    }
    Ok(Ok(current))
}

/// The draft an update item saved of the record's earlier fields.
fn earlier<T: serde::de::DeserializeOwned>(item: &import_item::Model) -> Option<T> {
    item.before
        .clone()
        .and_then(|b| serde_json::from_value(b).ok())
}

/// Undoes one item on an account still at `version`; the account's new
/// version, or `None` when it was left alone.
async fn undo_account(
    tx: &mut Tx<'_>,
    item: &import_item::Model,
    version: i64,
) -> Result<Option<i64>, AppError> {
    let current = match settle::<account::Entity>(tx, item, version).await? {
        Ok(current) => current,
        Err(done) => return Ok(done),
    };
    let Some(before) = earlier::<AccountDraft>(item).and_then(|d| d.validate().ok()) else {
        return Ok(None);
    };
    Ok(crate::accounts::rewrite(tx, &current, &before)
        .await?
        .map(|m| m.version))
}

/// Undoes one item on a contact still at `version`.
async fn undo_contact(
    tx: &mut Tx<'_>,
    item: &import_item::Model,
    version: i64,
) -> Result<Option<i64>, AppError> {
    let current = match settle::<contact::Entity>(tx, item, version).await? {
        Ok(current) => current,
        Err(done) => return Ok(done),
    };
    let Some(before) = earlier::<ContactDraft>(item).and_then(|d| d.validate().ok()) else {
        return Ok(None);
    };
    let links = karta_db::contacts::account_links(&**tx, &[current.id])
        .await?
        .remove(&current.id)
        .unwrap_or_default();
    let now_fields = karta_db::contacts::fields_of(&current, links);
    Ok(crate::contacts::rewrite(tx, &current, &now_fields, &before)
        .await?
        .map(|m| m.version))
}

/// Undoes one item on a lead still at `version`.
async fn undo_lead(
    tx: &mut Tx<'_>,
    item: &import_item::Model,
    version: i64,
) -> Result<Option<i64>, AppError> {
    let current = match settle::<lead::Entity>(tx, item, version).await? {
        Ok(current) => current,
        Err(done) => return Ok(done),
    };
    let Some(before) = earlier::<LeadDraft>(item).and_then(|d| d.validate().ok()) else {
        return Ok(None);
    };
    Ok(crate::leads::rewrite(tx, &current, &before)
        .await?
        .map(|m| m.version))
}

/// Undoes one item on a product still at `version`; earlier fields that
/// no longer fit (stock now held by orders) leave it alone.
async fn undo_product(
    tx: &mut Tx<'_>,
    item: &import_item::Model,
    version: i64,
) -> Result<Option<i64>, AppError> {
    let current = match settle::<product::Entity>(tx, item, version).await? {
        Ok(current) => current,
        Err(done) => return Ok(done),
    };
    let Some(draft) = earlier::<ProductDraft>(item) else {
        return Ok(None);
    };
    let before = match crate::products::prepare(tx.app(), &**tx, draft, Some(&current)).await {
        Ok(before) => before,
        Err(AppError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(crate::products::rewrite(tx, &current, &before)
        .await?
        .map(|m| m.version))
}

/// Moves a record the import created into the trash.
async fn trash<E: Record>(
    tx: &mut Tx<'_>,
    id: Uuid,
    version: i64,
) -> Result<Option<i64>, AppError> {
    let saved = records::save::<E>(tx, Default::default(), id, version, Some(true)).await?;
    tx.record(Event::new(E::NAME, id, "delete", Vec::new()));
    Ok(Some(E::version_of(&saved)))
}
