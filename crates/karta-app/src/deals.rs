//! Deal use cases: creating, changing and moving deals through the stages
//! of their pipeline. Every stage change is a stay with its time; entering
//! a stage may hand the deal to the stage's responsible person; a lost
//! stage needs a loss reason.

use crate::uow::{Event, Indexing, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::accounts::AccountType;
use karta_core::deals::{DealDraft, DealFields};
use karta_core::deals::{DealFilter, DealSort};
use karta_core::pipelines::StageKind;
use karta_core::roles::{Access, Entity};
use karta_db::deals as store;
pub use karta_db::deals::{StageTotal, fields_of};
use karta_db::entities::deal::{self, ActiveModel, Model};
use karta_db::entities::stage;
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

const ENTITY: &str = "deals";

/// What a write resolved beyond the fields themselves.
struct Resolved {
    fields: DealFields,
    stage: stage::Model,
    /// The deal enters `stage` with this write.
    stage_changed: bool,
}

/// The stage a deal goes to: the one named (which must belong to the
/// named pipeline), else the first of the named pipeline, else the
/// current one, else the first of the first active pipeline.
async fn resolve_stage(
    app: &App,
    f: &DealFields,
    current: Option<&Model>,
    e: &mut Invalid,
) -> Result<Option<stage::Model>, AppError> {
    let db = app.db.conn();
    if let Some(stage_id) = f.stage_id {
        let Some(s) = karta_db::pipelines::stage(db, stage_id).await? else {
            e.push("stage_id", "unknown_stage");
            return Ok(None);
        };
        if f.pipeline_id.is_some_and(|p| p != s.pipeline_id) {
            e.push("stage_id", "stage_not_in_pipeline");
            return Ok(None);
        }
        return Ok(Some(s));
    }
    if let Some(pipeline_id) = f.pipeline_id {
        let Some(p) = karta_db::pipelines::find(db, pipeline_id).await? else {
            e.push("pipeline_id", "unknown_pipeline");
            return Ok(None);
        };
        if let Some(c) = current.filter(|c| c.pipeline_id == pipeline_id) {
            return Ok(karta_db::pipelines::stage(db, c.stage_id).await?);
        }
        return Ok(p.stages.into_iter().next());
    }
    let found = crate::pipelines::default_stage(app).await?;
    if found.is_none() {
        e.push("pipeline_id", "no_pipeline");
    }
    Ok(found)
}

/// Checks what needs the database and applies the stage's rules.
/// `db` reads the account and contacts: inside a transaction, so records
/// created earlier in the same unit of work count.
async fn complete<C: ConnectionTrait>(
    app: &App,
    db: &C,
    p: &Principal,
    mut f: DealFields,
    current: Option<&Model>,
) -> Result<Resolved, AppError> {
    let mut e = Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[
            ("source", "lead_source", f.source.as_deref()),
            ("campaign", "campaign", f.campaign.as_deref()),
            ("loss_reason", "loss_reason", f.loss_reason.as_deref()),
        ],
    )
    .await?;
    f.custom = crate::settings::normalise_custom(app, ENTITY, &f.custom, &mut e).await?;
    let accounts_vis = p.visibility(Entity::Accounts, Access::Read);
    let wanted: Vec<Uuid> = std::iter::once(f.account_id)
        .chain(f.competitor_id)
        .collect();
    let accounts = karta_db::accounts::by_ids(db, &wanted).await?;
    let visible = |id: Uuid| {
        accounts.iter().find(|a| {
            a.id == id
                && a.deleted_at.is_none()
                && karta_db::entities::account::Entity::visible(&accounts_vis, a)
        })
    };
    if visible(f.account_id).is_none() {
        e.push("account_id", "unknown_account");
    }
    if let Some(c) = f.competitor_id {
        let is_competitor = visible(c).is_some_and(|a| {
            karta_db::accounts::fields_of(a)
                .types
                .contains(&AccountType::Competitor)
        });
        if !is_competitor {
            e.push("competitor_id", "not_a_competitor");
        }
    }
    let contacts_vis = p.visibility(Entity::Contacts, Access::Read);
    let contacts = karta_db::contacts::by_ids(db, &f.contact_ids).await?;
    for (i, id) in f.contact_ids.iter().enumerate() {
        let ok = contacts.iter().any(|c| {
            c.id == *id
                && c.deleted_at.is_none()
                && karta_db::entities::contact::Entity::visible(&contacts_vis, c)
        });
        if !ok {
            e.push(format!("contact_ids[{i}]"), "unknown_contact");
        }
    }
    crate::directory::assign_owner(
        app,
        p,
        Entity::Deals,
        &mut f.owner_id,
        &mut f.team_id,
        current.map(|c| (c.owner_id, c.team_id)),
        &mut e,
    )
    .await?;
    let Some(stage) = resolve_stage(app, &f, current, &mut e).await? else {
        return Err(AppError::Invalid(e));
    };
    let stage_changed = current.is_none_or(|c| c.stage_id != stage.id);
    let kind = StageKind::parse(&stage.kind).unwrap_or(StageKind::Open);
    if kind == StageKind::Lost && f.loss_reason.is_none() {
        e.push("loss_reason", "loss_reason_required");
    }
    if kind != StageKind::Lost {
        // A reason belongs to a lost deal; reopening it forgets why it was lost.
        f.loss_reason = None;
    }
    let checklist = karta_db::pipelines::checklist(&stage);
    for (i, item) in f.checklist_done.iter().enumerate() {
        if !checklist.contains(item) {
            e.push(format!("checklist_done[{i}]"), "unknown_checklist_item");
        }
    }
    e.into_result()?;
    if stage_changed && let Some(user_id) = stage.responsible_user_id {
        // The process hands the deal over; this is not the caller assigning it.
        if let Some(user) = karta_db::users::user(db, user_id)
            .await?
            .filter(|u| u.active)
        {
            f.owner_id = Some(user.id);
            f.team_id = user.team_id;
        }
    }
    f.pipeline_id = Some(stage.pipeline_id);
    f.stage_id = Some(stage.id);
    Ok(Resolved {
        fields: f,
        stage,
        stage_changed,
    })
}

fn snapshot(f: &DealFields) -> Value {
    serde_json::to_value(DealDraft::from(f)).unwrap_or(Value::Null)
}

/// A deal's searchable text (it holds no personal data).
fn search_text(f: &DealFields) -> String {
    [f.title.as_str(), f.next_step.as_deref().unwrap_or_default()].join(" ")
}

/// Sets the stage bookkeeping of a write that enters `stage` at `now`.
fn entering(model: &mut ActiveModel, stage: &stage::Model, now: i64) {
    model.stage_entered_at = Set(now);
    model.closed_at = Set((stage.kind != StageKind::Open.as_str()).then_some(now));
}

/// Creates a deal; returns it with its contact ids.
pub async fn create(
    app: &App,
    p: &Principal,
    draft: DealDraft,
) -> Result<(Model, Vec<Uuid>), AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let created = create_in(&mut tx, p, draft).await?;
    tx.commit().await?;
    Ok(created)
}

/// Creates a deal inside a larger unit of work (a lead's conversion).
pub(crate) async fn create_in(
    tx: &mut Tx<'_>,
    p: &Principal,
    draft: DealDraft,
) -> Result<(Model, Vec<Uuid>), AppError> {
    p.require(Entity::Deals, Access::Write)?;
    // Read in the work itself: the account may be new in it.
    let r = complete(tx.app(), &**tx, p, draft.validate()?, None).await?;
    let now = tx.now();
    let id = Uuid::now_v7();
    let mut model = <deal::Entity as Record>::created(id, now, tx.actor().user_id);
    store::set_fields(&mut model, &r.fields, &r.stage);
    entering(&mut model, &r.stage, now);
    let saved = deal::Entity::insert(model)
        .exec_with_returning(&**tx)
        .await?;
    store::save_contacts(&**tx, id, &r.fields.contact_ids).await?;
    store::enter_stage(&**tx, id, r.stage.id, now, tx.actor().user_id).await?;
    let changes = history::diff(&Value::Null, &snapshot(&r.fields));
    tx.record(
        Event::new(ENTITY, id, "create", changes)
            .indexed(Indexing::New(search_text(&r.fields), String::new())),
    );
    Ok((saved, r.fields.contact_ids))
}

/// Reads one visible deal with its contact ids.
pub async fn get(
    app: &App,
    p: &Principal,
    id: Uuid,
    deleted: bool,
) -> Result<(Model, Vec<Uuid>), AppError> {
    let vis = p.require(Entity::Deals, Access::Read)?;
    let m = store::find(app.db.conn(), id, vis, deleted)
        .await?
        .ok_or(AppError::NotFound)?;
    let links = store::contact_links(app.db.conn(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok((m, links))
}

/// A page of visible deals.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: DealFilter,
    sort: DealSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let access = if filter.deleted {
        Access::Delete
    } else {
        Access::Read
    };
    let vis = p.require(Entity::Deals, access)?;
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
    Ok(page)
}

/// The contact ids of each of these (already visible) deals, in one query.
pub async fn contacts_of(app: &App, deals: &[Model]) -> Result<HashMap<Uuid, Vec<Uuid>>, AppError> {
    let ids: Vec<Uuid> = deals.iter().map(|m| m.id).collect();
    Ok(store::contact_links(app.db.conn(), &ids).await?)
}

/// Count and sum per stage and currency of a pipeline's visible deals.
pub async fn totals(
    app: &App,
    p: &Principal,
    pipeline_id: Uuid,
    owner_id: Option<Uuid>,
    team_id: Option<Uuid>,
) -> Result<Vec<StageTotal>, AppError> {
    let vis = p.require(Entity::Deals, Access::Read)?;
    Ok(store::totals(app.db.conn(), pipeline_id, owner_id, team_id, vis).await?)
}

/// Applies a partial update at the given version. Moving to another stage
/// is a `stage_id` (and, into a lost stage, a `loss_reason`) in the patch;
/// it resets a hand-set probability and the checklist unless the patch
/// sets them too.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<(Model, Vec<Uuid>), AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<deal::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Deals,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let links = store::contact_links(&*tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let before = store::fields_of(&current, links);
    let mut draft = crate::accounts::merge(&DealDraft::from(&before), patch.clone())?;
    if patch.contains_key("pipeline_id") && !patch.contains_key("stage_id") {
        draft.stage_id = None;
    }
    let moving =
        draft.stage_id != Some(current.stage_id) || draft.pipeline_id != Some(current.pipeline_id);
    if moving && !patch.contains_key("probability") {
        draft.probability = None;
    }
    if moving && !patch.contains_key("checklist_done") {
        draft.checklist_done = Vec::new();
    }
    let r = complete(app, app.db.conn(), p, draft.validate()?, Some(&current)).await?;
    // With lines, the amount is theirs (see `deal_lines`).
    if (r.fields.amount_minor != before.amount_minor || r.fields.currency != before.currency)
        && karta_db::deal_lines::count(&*tx, id).await? > 0
    {
        return Err(AppError::field("amount_minor", "amount_from_lines"));
    }
    let changes = history::diff(&snapshot(&before), &snapshot(&r.fields));
    if changes.is_empty() {
        tx.rollback().await?;
        return Ok((current, before.contact_ids));
    }
    let now = tx.now();
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, &r.fields, &r.stage);
    if r.stage_changed {
        entering(&mut model, &r.stage, now);
        store::enter_stage(&*tx, id, r.stage.id, now, Some(p.user_id)).await?;
    }
    let saved = records::save::<deal::Entity>(&tx, model, id, current.version, None).await?;
    store::save_contacts(&*tx, id, &r.fields.contact_ids).await?;
    tx.record(
        Event::new(ENTITY, id, "update", changes)
            .indexed(Indexing::Replace(search_text(&r.fields), String::new())),
    );
    tx.commit().await?;
    Ok((saved, r.fields.contact_ids))
}

/// Moves a deal to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<deal::Entity>(app, p, Entity::Deals, id, expected, delete).await
}

/// A visible deal's history.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    records::history::<deal::Entity>(app, p, Entity::Deals, id, &[], cursor, limit).await
}

/// Every stay of a visible deal in a stage, with its length in seconds
/// (the current stay up to now).
pub async fn stays(
    app: &App,
    p: &Principal,
    id: Uuid,
) -> Result<Vec<crate::views::StayView>, AppError> {
    get(app, p, id, false).await?;
    let now = app.now();
    Ok(store::stays(app.db.conn(), id)
        .await?
        .into_iter()
        .map(|s| crate::views::StayView {
            stage_id: s.stage_id,
            entered_at: karta_core::time::rfc3339(s.entered_at),
            left_at: s.left_at.map(karta_core::time::rfc3339),
            seconds: (s.left_at.unwrap_or(now) - s.entered_at) / 1_000_000,
            entered_by: s.entered_by,
        })
        .collect())
}
