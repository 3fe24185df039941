//! Lead storage: row ↔ domain conversion, lists newest first, and the
//! per-rep counts routing (least-loaded) and the control page need.

use crate::entities::lead::{ActiveModel, Column, Entity, Model};
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::visibility::Visibility;
use karta_core::identifiers::{Email, Phone};
use karta_core::leads::LeadFilter;
use karta_core::leads::{LeadFields, LeadStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Statuses of a lead still being worked.
pub const OPEN: [LeadStatus; 3] = [LeadStatus::New, LeadStatus::Assigned, LeadStatus::InWork];

/// The indexed text of a lead: names, company and interest in public; e-mail
/// and phone digits in personal data.
pub fn search_text(f: &LeadFields) -> (String, String) {
    let public = [&f.person_name, &f.company_name, &f.interest]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let private = f
        .email
        .iter()
        .map(|e| e.to_string())
        .chain(f.phone.iter().map(|p| p.digits().to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    (public, private)
}

/// Reads a stored row back into domain fields.
pub fn fields_of(m: &Model) -> LeadFields {
    LeadFields {
        person_name: m.person_name.clone(),
        company_name: m.company_name.clone(),
        email: m.email.as_deref().and_then(|v| Email::parse(v).ok()),
        phone: m.phone.as_deref().and_then(|v| Phone::parse(v).ok()),
        region: m.region.clone(),
        industry: m.industry.clone(),
        source: m.source.clone(),
        campaign: m.campaign.clone(),
        interest: m.interest.clone(),
        message: m.message.clone(),
        status: LeadStatus::parse(&m.status).unwrap_or(LeadStatus::New),
        disqualify_reason: m.disqualify_reason.clone(),
        consent: m.consent,
        owner_id: m.owner_id,
        team_id: m.team_id,
    }
}

/// Sets every user-editable column from `f`.
pub fn set_fields(a: &mut ActiveModel, f: &LeadFields) {
    a.person_name = Set(f.person_name.clone());
    a.company_name = Set(f.company_name.clone());
    a.email = Set(f.email.as_ref().map(|v| v.as_str().to_string()));
    a.phone = Set(f.phone.as_ref().map(|v| v.as_str().to_string()));
    a.region = Set(f.region.clone());
    a.industry = Set(f.industry.clone());
    a.source = Set(f.source.clone());
    a.campaign = Set(f.campaign.clone());
    a.interest = Set(f.interest.clone());
    a.message = Set(f.message.clone());
    a.status = Set(f.status.as_str().to_string());
    a.disqualify_reason = Set(f.disqualify_reason.clone());
    a.consent = Set(f.consent);
    a.owner_id = Set(f.owner_id);
    a.team_id = Set(f.team_id);
}

/// A page of visible live leads matching `filter`, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: crate::Backend,
    filter: &LeadFilter,
    vis: Visibility,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut cond = Condition::all().add(Column::DeletedAt.is_null());
    if let Some(s) = filter.status {
        cond = cond.add(Column::Status.eq(s.as_str()));
    }
    if let Some(o) = filter.owner_id {
        cond = cond.add(Column::OwnerId.eq(o));
    }
    if let Some(t) = filter.team_id {
        cond = cond.add(Column::TeamId.eq(t));
    }
    if filter.unassigned {
        cond = cond.add(Column::OwnerId.is_null());
    }
    if !filter.terms.is_empty() {
        cond = cond.add(Column::Id.in_subquery(crate::search::matching_ids(
            backend,
            "leads",
            &filter.terms,
            filter.search_private,
        )));
    }
    let rows = page::keyset_over(
        Entity::find().filter(cond),
        vis.branches(Entity::scope()),
        Column::CreatedAt,
        Column::Id,
        true,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.created_at),
        id: m.id,
    }))
}

/// One lead by id, if visible; `deleted` selects the trash.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<Model>, DbErr> {
    crate::records::find::<Entity, C>(db, id, vis, deleted).await
}

/// Live leads whose e-mail (`email`) or phone (`phone`) is `value`, as
/// stored (normalised); at most two, enough to tell one from several.
pub async fn with_contact<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    value: &str,
) -> Result<Vec<Model>, DbErr> {
    let column = if kind == "email" {
        Column::Email
    } else {
        Column::Phone
    };
    Entity::find()
        .filter(column.eq(value))
        .filter(Column::DeletedAt.is_null())
        .limit(2)
        .all(db)
        .await
}

/// Open leads per owner among `owners`, untouched since `untouched_before`
/// when given (one GROUP BY over the owner index).
pub async fn open_counts<C: ConnectionTrait>(
    db: &C,
    owners: &[Uuid],
    untouched_before: Option<i64>,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let mut q = Entity::find()
        .select_only()
        .column(Column::OwnerId)
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(Column::OwnerId.is_in(owners.iter().copied()))
        .filter(Column::Status.is_in(OPEN.iter().map(|s| s.as_str())))
        .filter(Column::DeletedAt.is_null())
        .group_by(Column::OwnerId);
    if let Some(before) = untouched_before {
        q = q.filter(Column::TouchedAt.lt(before));
    }
    let rows: Vec<(Uuid, i64)> = q.into_tuple().all(db).await?;
    Ok(rows.into_iter().collect())
}

/// Marks a lead as worked on now (an activity, a task, a status change).
pub async fn touch<C: ConnectionTrait>(db: &C, id: Uuid, now: i64) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::TouchedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}
