//! Task use cases: planning work (also "the next contact" when an activity
//! is logged), changing and completing it, and reading it by due time for
//! "Today", the calendar and the cards.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::roles::{Access, Entity};
use karta_core::tasks::{TaskDraft, TaskFields, TaskFilter};
use karta_db::entities::task::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use karta_db::tasks as store;
pub use karta_db::tasks::fields_of;
use sea_orm::EntityTrait;
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "tasks";

/// Checks the links (`records::check_links`) and the assignee.
async fn complete(
    app: &App,
    p: &Principal,
    mut f: TaskFields,
    current: Option<&Model>,
) -> Result<TaskFields, AppError> {
    let mut e = Invalid::default();
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
        Entity::Tasks,
        &mut f.owner_id,
        &mut f.team_id,
        current.map(|c| (c.owner_id, c.team_id)),
        &mut e,
    )
    .await?;
    e.into_result()?;
    Ok(f)
}

fn snapshot(f: &TaskFields) -> Value {
    serde_json::to_value(TaskDraft::from(f)).unwrap_or(Value::Null)
}

/// Plans a task.
pub async fn create(app: &App, p: &Principal, draft: TaskDraft) -> Result<Model, AppError> {
    p.require(Entity::Tasks, Access::Write)?;
    let f = complete(app, p, draft.validate()?, None).await?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let saved = insert(&mut tx, &f).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Inserts an already completed task inside a larger unit of work (the
/// activity log plans the next contact this way, in the same commit).
pub(crate) async fn insert(tx: &mut Tx<'_>, f: &TaskFields) -> Result<Model, AppError> {
    let now = tx.now();
    let id = Uuid::now_v7();
    let mut model = <task::Entity as Record>::created(id, now, tx.actor().user_id);
    store::set_fields(&mut model, f, None, now);
    let saved = task::Entity::insert(model)
        .exec_with_returning(&**tx)
        .await?;
    tx.record(Event::new(
        ENTITY,
        id,
        "create",
        history::diff(&Value::Null, &snapshot(f)),
    ));
    if let Some(lead) = f.lead_id {
        karta_db::leads::touch(&**tx, lead, now).await?;
    }
    Ok(saved)
}

/// Validates a task planned together with something else (the next
/// contact of a logged activity) without saving it.
pub(crate) async fn prepare(
    app: &App,
    p: &Principal,
    draft: TaskDraft,
) -> Result<TaskFields, AppError> {
    p.require(Entity::Tasks, Access::Write)?;
    complete(app, p, draft.validate()?, None).await
}

/// Reads one visible task.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<Model, AppError> {
    let vis = p.require(Entity::Tasks, Access::Read)?;
    store::find(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of visible tasks, soonest due first.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: TaskFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let vis = p.require(Entity::Tasks, Access::Read)?;
    Ok(store::list(app.db.conn(), &filter, vis, cursor, limit).await?)
}

/// Applies a partial update at the given version (completing a task is
/// `{"status": "done"}`).
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<task::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Tasks,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let before = store::fields_of(&current);
    let draft = crate::accounts::merge(&TaskDraft::from(&before), patch)?;
    let after = complete(app, p, draft.validate()?, Some(&current)).await?;
    let changes = history::diff(&snapshot(&before), &snapshot(&after));
    if changes.is_empty() {
        tx.rollback().await?;
        return Ok(current);
    }
    let now = app.now();
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, &after, Some(&current), now);
    let saved = records::save::<task::Entity>(&tx, model, id, current.version, None).await?;
    tx.record(Event::new(ENTITY, id, "update", changes));
    if let Some(lead) = after.lead_id {
        karta_db::leads::touch(&*tx, lead, now).await?;
    }
    tx.commit().await?;
    Ok(saved)
}

/// Moves a task to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<task::Entity>(app, p, Entity::Tasks, id, expected, delete).await
}

/// What a task reminder is called among notifications.
const REMINDER: &str = "task_reminder";

/// Reminders sent per transaction by the reminder job.
const REMINDER_BATCH: u64 = 500;

/// The reminder job: every open task whose reminder came due becomes a
/// notification for its owner, and is marked reminded in the same
/// transaction, so a job run twice (or by two processes) sends each once.
/// Answers how many were sent.
pub async fn send_reminders(app: &App) -> Result<usize, AppError> {
    let mut sent = 0;
    loop {
        let now = app.now();
        let tx = Tx::begin(app, karta_db::history::Actor::SYSTEM).await?;
        let due = store::due_reminders(&*tx, now, REMINDER_BATCH).await?;
        let to: Vec<(Uuid, Uuid)> = due
            .iter()
            .filter_map(|t| Some((t.owner_id?, t.id)))
            .collect();
        let ids: Vec<Uuid> = due.iter().map(|t| t.id).collect();
        karta_db::notifications::insert_many(&*tx, REMINDER, &to, now).await?;
        store::mark_reminded(&*tx, &ids, now).await?;
        tx.commit().await?;
        sent += to.len();
        if (due.len() as u64) < REMINDER_BATCH {
            return Ok(sent);
        }
    }
}

/// The caller's reminders the reminder job has sent and no page has shown
/// yet, taken so that each reminds once; tasks finished or deleted since
/// are left out.
pub async fn take_reminders(app: &App, p: &Principal) -> Result<Vec<Model>, AppError> {
    let vis = p.require(Entity::Tasks, Access::Read)?;
    let tx = Tx::begin(app, p.actor()).await?;
    let taken = karta_db::notifications::take(&*tx, p.user_id, REMINDER, 50, app.now()).await?;
    tx.commit().await?;
    let ids: Vec<Uuid> = taken.iter().map(|n| n.record_id).collect();
    let mut tasks: Vec<Model> = store::by_ids(app.db.conn(), &ids)
        .await?
        .into_iter()
        .filter(|t| t.status == karta_core::tasks::TaskStatus::Open.as_str())
        .filter(|t| task::Entity::visible(&vis, t))
        .collect();
    tasks.sort_by_key(|t| t.remind_at);
    Ok(tasks)
}
