//! Activity use cases: logging calls, meetings and the rest against an
//! account, contact or deal the principal can see, changing them, and
//! reading them in time order for cards and reports.

use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::activities::{ActivityDraft, ActivityFields};
use karta_core::roles::{Access, Entity};
use karta_db::activities::{self as store, ActivityFilter};
use karta_db::entities::activity::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::EntityTrait;
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "activities";

/// Checks the links (visible, live; a deal brings its account) and the
/// performer.
async fn complete(
    app: &App,
    p: &Principal,
    mut f: ActivityFields,
    current: Option<&Model>,
) -> Result<ActivityFields, AppError> {
    let db = app.db.conn();
    let mut e = Invalid::default();
    if let Some(deal_id) = f.deal_id {
        let vis = p.visibility(Entity::Deals, Access::Read);
        match karta_db::deals::find(db, deal_id, vis, false).await? {
            Some(d) => {
                f.account_id.get_or_insert(d.account_id);
            }
            None => e.push("deal_id", "unknown_deal"),
        }
    }
    if let Some(account_id) = f.account_id {
        let vis = p.visibility(Entity::Accounts, Access::Read);
        if karta_db::accounts::find(db, account_id, vis, false)
            .await?
            .is_none()
        {
            e.push("account_id", "unknown_account");
        }
    }
    if let Some(contact_id) = f.contact_id {
        let vis = p.visibility(Entity::Contacts, Access::Read);
        if karta_db::contacts::find(db, contact_id, vis, false)
            .await?
            .is_none()
        {
            e.push("contact_id", "unknown_contact");
        }
    }
    crate::directory::assign_owner(
        app,
        p,
        Entity::Activities,
        &mut f.owner_id,
        &mut f.team_id,
        current.map(|c| (c.owner_id, c.team_id)),
        &mut e,
    )
    .await?;
    e.into_result()?;
    Ok(f)
}

fn snapshot(f: &ActivityFields) -> Value {
    serde_json::to_value(ActivityDraft::from(f)).unwrap_or(Value::Null)
}

/// Logs an activity.
pub async fn create(app: &App, p: &Principal, draft: ActivityDraft) -> Result<Model, AppError> {
    p.require(Entity::Activities, Access::Write)?;
    let mut f = complete(app, p, draft.validate()?, None).await?;
    let now = app.now();
    let started_at = *f.started_at.get_or_insert(now);
    let id = Uuid::now_v7();
    let txn = app.db.begin_write().await?;
    let mut model = <activity::Entity as Record>::created(id, now, Some(p.user_id));
    store::set_fields(&mut model, &f, started_at);
    let saved = activity::Entity::insert(model)
        .exec_with_returning(&txn)
        .await?;
    history::record(
        &txn,
        now,
        p.actor(),
        ENTITY,
        id,
        "create",
        &history::diff(&Value::Null, &snapshot(&f)),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Reads one visible activity.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<Model, AppError> {
    let vis = p.require(Entity::Activities, Access::Read)?;
    store::find(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of visible activities, newest first.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: ActivityFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let vis = p.require(Entity::Activities, Access::Read)?;
    Ok(store::list(app.db.conn(), &filter, vis, cursor, limit).await?)
}

/// Applies a partial update at the given version.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let txn = app.db.begin_write().await?;
    let current = records::load_for_write::<activity::Entity, _>(
        app,
        &txn,
        p,
        Entity::Activities,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let before = store::fields_of(&current);
    let draft = crate::accounts::merge(&ActivityDraft::from(&before), patch)?;
    let after = complete(app, p, draft.validate()?, Some(&current)).await?;
    let changes = history::diff(&snapshot(&before), &snapshot(&after));
    if changes.is_empty() {
        txn.rollback().await?;
        return Ok(current);
    }
    let mut model = ActiveModel::default();
    store::set_fields(
        &mut model,
        &after,
        after.started_at.unwrap_or(current.started_at),
    );
    let saved =
        records::save::<activity::Entity, _>(app, &txn, p, model, id, current.version, None)
            .await?;
    history::record(&txn, app.now(), p.actor(), ENTITY, id, "update", &changes).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Moves an activity to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<activity::Entity>(app, p, Entity::Activities, id, expected, delete).await
}

/// Deletes for good the activities in the trash longer than the window.
pub async fn purge(app: &App) -> Result<usize, AppError> {
    records::purge::<activity::Entity>(app).await
}
