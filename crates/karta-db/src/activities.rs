//! Activity storage: row ↔ domain conversion and lists in time order
//! (newest first) by account, contact, deal or performer.

use crate::entities::activity::{ActiveModel, Column, Entity, Model};
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::visibility::Visibility;
use karta_core::activities::ActivityFilter;
use karta_core::activities::{ActivityFields, ActivityKind, Direction};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// Reads a stored row back into domain fields.
pub fn fields_of(m: &Model) -> ActivityFields {
    ActivityFields {
        kind: ActivityKind::stored(m.kind.clone()),
        subject: m.subject.clone(),
        outcome: m.outcome.clone(),
        started_at: Some(m.started_at),
        duration_minutes: Some(m.duration_minutes),
        direction: m
            .direction
            .as_deref()
            .and_then(|d| Direction::parse(d).ok()),
        account_id: m.account_id,
        contact_id: m.contact_id,
        deal_id: m.deal_id,
        lead_id: m.lead_id,
        owner_id: m.owner_id,
        team_id: m.team_id,
    }
}

/// Sets every user-editable column from `f` (`started_at` resolved).
pub fn set_fields(a: &mut ActiveModel, f: &ActivityFields, started_at: i64) {
    a.kind = Set(f.kind.as_str().to_string());
    a.subject = Set(f.subject.clone());
    a.outcome = Set(f.outcome.clone());
    a.started_at = Set(started_at);
    a.duration_minutes = Set(f.duration_minutes.unwrap_or(0));
    a.direction = Set(f.direction.map(|d| d.as_str().to_string()));
    a.account_id = Set(f.account_id);
    a.contact_id = Set(f.contact_id);
    a.deal_id = Set(f.deal_id);
    a.lead_id = Set(f.lead_id);
    a.owner_id = Set(f.owner_id);
    a.team_id = Set(f.team_id);
    a.custom = Set(json!({}));
}

/// A page of visible live activities matching `filter`, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &ActivityFilter,
    vis: Visibility,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut cond = Condition::all().add(Column::DeletedAt.is_null());
    if let Some(a) = filter.account_id {
        cond = cond.add(Column::AccountId.eq(a));
    }
    if let Some(c) = filter.contact_id {
        cond = cond.add(Column::ContactId.eq(c));
    }
    if let Some(d) = filter.deal_id {
        cond = cond.add(Column::DealId.eq(d));
    }
    if let Some(l) = filter.lead_id {
        cond = cond.add(Column::LeadId.eq(l));
    }
    if let Some(o) = filter.owner_id {
        cond = cond.add(Column::OwnerId.eq(o));
    }
    if let Some(t) = filter.team_id {
        cond = cond.add(Column::TeamId.eq(t));
    }
    if let Some(k) = &filter.kind {
        cond = cond.add(Column::Kind.eq(k.as_str()));
    }
    if let Some(from) = filter.from {
        cond = cond.add(Column::StartedAt.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(Column::StartedAt.lt(to));
    }
    let rows = page::keyset_over(
        Entity::find().filter(cond),
        vis.branches(Entity::scope()),
        Column::StartedAt,
        Column::Id,
        true,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.started_at),
        id: m.id,
    }))
}

/// One activity by id, if visible; `deleted` selects the trash.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<Model>, DbErr> {
    crate::records::find::<Entity, C>(db, id, vis, deleted).await
}

/// Per performer and kind: how many activities and minutes spent.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct OwnerKindTotal {
    pub owner_id: Uuid,
    pub kind: String,
    pub activities: i64,
    pub minutes: i64,
}

/// Activities of `owners` started in `[from, to)`, per performer and kind
/// (one GROUP BY over the performer index).
pub async fn totals_by_owner_and_kind<C: ConnectionTrait>(
    db: &C,
    owners: &[Uuid],
    from: i64,
    to: i64,
) -> Result<Vec<OwnerKindTotal>, DbErr> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait};
    Entity::find()
        .select_only()
        .column(Column::OwnerId)
        .column(Column::Kind)
        .column_as(Expr::col(Asterisk).count(), "activities")
        .column_as(
            Expr::col(Column::DurationMinutes)
                .sum()
                .cast_as(Alias::new("bigint")),
            "minutes",
        )
        .filter(Column::OwnerId.is_in(owners.iter().copied()))
        .filter(Column::StartedAt.gte(from))
        .filter(Column::StartedAt.lt(to))
        .filter(Column::DeletedAt.is_null())
        .group_by(Column::OwnerId)
        .group_by(Column::Kind)
        .into_model::<OwnerKindTotal>()
        .all(db)
        .await
}
