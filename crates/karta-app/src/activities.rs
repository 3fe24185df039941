//! Activity use cases: logging calls, meetings and the rest against an
//! account, contact or deal the principal can see, changing them, and
//! reading them in time order for cards and reports.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::activities::ActivityFilter;
use karta_core::activities::{ActivityDraft, ActivityFields, ActivityKind};
use karta_core::roles::{Access, Entity};
use karta_core::tasks::TaskDraft;
use karta_db::activities as store;
use karta_db::entities::activity::{self, ActiveModel, Model};
use karta_db::entities::task;
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::EntityTrait;
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "activities";

/// Checks the type against the `activity_type` classifier (taking its
/// default duration when none was given), the links
/// (`records::check_links`) and the performer.
async fn complete(
    app: &App,
    p: &Principal,
    mut f: ActivityFields,
    current: Option<&Model>,
) -> Result<ActivityFields, AppError> {
    let mut e = Invalid::default();
    match karta_db::classifiers::by_code(app.db.conn(), ActivityKind::CLASSIFIER, f.kind.as_str())
        .await?
    {
        Some(kind) => {
            f.duration_minutes = f.duration_minutes.or(kind.default_minutes).or(Some(0));
        }
        None => e.push("kind", "unknown_classifier_value"),
    }
    records::check_links(
        app,
        p,
        &mut f.account_id,
        f.contact_id,
        f.deal_id,
        f.lead_id,
        &mut e,
    )
    .await?;
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

/// Logs an activity and, when `next` is given, plans the next contact as a
/// task linked to the same records, both in one commit.
pub async fn create(
    app: &App,
    p: &Principal,
    draft: ActivityDraft,
    next: Option<TaskDraft>,
) -> Result<(Model, Option<task::Model>), AppError> {
    p.require(Entity::Activities, Access::Write)?;
    let mut f = complete(app, p, draft.validate()?, None).await?;
    let next = match next {
        Some(t) => {
            let linked = TaskDraft {
                account_id: t.account_id.or(f.account_id),
                contact_id: t.contact_id.or(f.contact_id),
                deal_id: t.deal_id.or(f.deal_id),
                lead_id: t.lead_id.or(f.lead_id),
                ..t
            };
            Some(
                crate::tasks::prepare(app, p, linked)
                    .await
                    .map_err(|e| e.nested("next_contact"))?,
            )
        }
        None => None,
    };
    let now = app.now();
    let started_at = *f.started_at.get_or_insert(now);
    let id = Uuid::now_v7();
    let mut tx = Tx::begin(app, p.actor()).await?;
    let mut model = <activity::Entity as Record>::created(id, now, Some(p.user_id));
    store::set_fields(&mut model, &f, started_at);
    let saved = activity::Entity::insert(model)
        .exec_with_returning(&*tx)
        .await?;
    tx.record(Event::new(
        ENTITY,
        id,
        "create",
        history::diff(&Value::Null, &snapshot(&f)),
    ));
    if let Some(lead) = f.lead_id {
        karta_db::leads::touch(&*tx, lead, now).await?;
    }
    let task = match &next {
        Some(t) => Some(crate::tasks::insert(&mut tx, t).await?),
        None => None,
    };
    tx.commit().await?;
    Ok((saved, task))
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
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<activity::Entity, _>(
        app,
        &*tx,
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
        tx.rollback().await?;
        return Ok(current);
    }
    let mut model = ActiveModel::default();
    store::set_fields(
        &mut model,
        &after,
        after.started_at.unwrap_or(current.started_at),
    );
    let saved = records::save::<activity::Entity>(&tx, model, id, current.version, None).await?;
    tx.record(Event::new(ENTITY, id, "update", changes));
    tx.commit().await?;
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
