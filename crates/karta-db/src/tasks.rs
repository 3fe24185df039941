//! Task storage: row ↔ domain conversion, lists by due time (soonest first)
//! for a person, a team or a customer record, and the reminders still to
//! send.

use crate::entities::task::{ActiveModel, Column, Entity, Model};
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::visibility::Visibility;
use karta_core::tasks::TaskFilter;
use karta_core::tasks::{Priority, TaskFields, TaskStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

/// Reads a stored row back into domain fields.
pub fn fields_of(m: &Model) -> TaskFields {
    TaskFields {
        title: m.title.clone(),
        description: m.description.clone(),
        due_at: m.due_at,
        remind_at: m.remind_at,
        priority: Priority::parse(&m.priority).unwrap_or(Priority::Normal),
        status: TaskStatus::parse(&m.status).unwrap_or(TaskStatus::Open),
        account_id: m.account_id,
        contact_id: m.contact_id,
        deal_id: m.deal_id,
        lead_id: m.lead_id,
        owner_id: m.owner_id,
        team_id: m.team_id,
    }
}

/// Sets every user-editable column from `f`. A changed reminder time is
/// sent again; `completed_at` follows the status.
pub fn set_fields(a: &mut ActiveModel, f: &TaskFields, before: Option<&Model>, now: i64) {
    a.title = Set(f.title.clone());
    a.description = Set(f.description.clone());
    a.due_at = Set(f.due_at);
    a.remind_at = Set(f.remind_at);
    if before.is_none_or(|b| b.remind_at != f.remind_at) {
        a.reminded_at = Set(None);
    }
    a.priority = Set(f.priority.as_str().to_string());
    a.status = Set(f.status.as_str().to_string());
    let was_open = before.is_none_or(|b| b.status == TaskStatus::Open.as_str());
    if f.status == TaskStatus::Open {
        a.completed_at = Set(None);
    } else if was_open {
        a.completed_at = Set(Some(now));
    }
    a.account_id = Set(f.account_id);
    a.contact_id = Set(f.contact_id);
    a.deal_id = Set(f.deal_id);
    a.lead_id = Set(f.lead_id);
    a.owner_id = Set(f.owner_id);
    a.team_id = Set(f.team_id);
    a.custom = Set(json!({}));
}

fn condition(filter: &TaskFilter) -> Condition {
    let mut cond = Condition::all().add(Column::DeletedAt.is_null());
    let links = [
        (Column::OwnerId, filter.owner_id),
        (Column::TeamId, filter.team_id),
        (Column::AccountId, filter.account_id),
        (Column::ContactId, filter.contact_id),
        (Column::DealId, filter.deal_id),
        (Column::LeadId, filter.lead_id),
    ];
    for (column, value) in links {
        if let Some(v) = value {
            cond = cond.add(column.eq(v));
        }
    }
    if let Some(s) = filter.status {
        cond = cond.add(Column::Status.eq(s.as_str()));
    }
    if let Some(from) = filter.due_from {
        cond = cond.add(Column::DueAt.gte(from));
    }
    if let Some(to) = filter.due_to {
        cond = cond.add(Column::DueAt.lt(to));
    }
    cond
}

/// A page of visible live tasks matching `filter`, soonest due first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &TaskFilter,
    vis: Visibility,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let rows = page::keyset_over(
        Entity::find().filter(condition(filter)),
        vis.branches(Entity::scope()),
        Column::DueAt,
        Column::Id,
        false,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.due_at),
        id: m.id,
    }))
}

/// One task by id, if visible; `deleted` selects the trash.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<Model>, DbErr> {
    crate::records::find::<Entity, C>(db, id, vis, deleted).await
}

/// Open tasks whose reminder came due and was not sent yet, whoever owns
/// them, soonest first (the reminder job sends them in batches).
pub async fn due_reminders<C: ConnectionTrait>(
    db: &C,
    now: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::RemindAt.lte(now))
        .filter(Column::RemindedAt.is_null())
        .filter(Column::DeletedAt.is_null())
        .filter(Column::Status.eq(TaskStatus::Open.as_str()))
        .order_by_asc(Column::RemindAt)
        .limit(limit)
        .all(db)
        .await
}

/// Live tasks by id.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::DeletedAt.is_null())
        .all(db)
        .await
}

/// Marks reminders as sent so no other tab or reconnect sends them again.
pub async fn mark_reminded<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    now: i64,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::RemindedAt, Expr::value(now))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await
        .map(|_| ())
}

/// Open overdue tasks per assignee among `owners`.
pub async fn overdue_counts<C: ConnectionTrait>(
    db: &C,
    owners: &[Uuid],
    now: i64,
) -> Result<Vec<(Uuid, i64)>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::OwnerId)
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(Column::OwnerId.is_in(owners.iter().copied()))
        .filter(Column::Status.eq(TaskStatus::Open.as_str()))
        .filter(Column::DueAt.lt(now))
        .filter(Column::DeletedAt.is_null())
        .group_by(Column::OwnerId)
        .into_tuple()
        .all(db)
        .await
}
