//! Deal storage: row ↔ domain conversion, the contacts on a deal, stage
//! stays, lists and board columns, and column totals.

use crate::Backend;
use crate::entities::deal::{ActiveModel, Column, Entity, Model};
use crate::entities::{deal_contact, deal_stay, stage};
use crate::page::{self, Cursor, Page, SortKey};
use crate::records::Record;
use crate::search;
use crate::visibility::Visibility;
use karta_core::contacts::{DATE_FORMAT, parse_date};
use karta_core::deals::DealFields;
use karta_core::deals::{DealFilter, DealSort};
use karta_core::money::Currency;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

impl SortKey for DealSort {
    type Key = Column;
    type Row = Model;

    fn column(self) -> Column {
        match self {
            Self::UpdatedDesc => Column::UpdatedAt,
            Self::CreatedDesc => Column::CreatedAt,
            Self::AmountDesc => Column::AmountMinor,
        }
    }

    fn cursor_of(self, m: &Model) -> Cursor {
        let k = match self {
            Self::UpdatedDesc => json!(m.updated_at),
            Self::CreatedDesc => json!(m.created_at),
            Self::AmountDesc => json!(m.amount_minor),
        };
        Cursor { k, id: m.id }
    }
}

/// Reads a stored row (plus its contact ids) back into domain fields.
pub fn fields_of(m: &Model, contact_ids: Vec<Uuid>) -> DealFields {
    DealFields {
        title: m.title.clone(),
        account_id: m.account_id,
        contact_ids,
        pipeline_id: Some(m.pipeline_id),
        stage_id: Some(m.stage_id),
        amount_minor: m.amount_minor,
        currency: Currency::parse(&m.currency).unwrap_or_else(|_| Currency::rub()),
        expected_close: m.expected_close.as_deref().and_then(|d| parse_date(d).ok()),
        probability: m.probability_manual.then_some(m.probability),
        owner_id: m.owner_id,
        team_id: m.team_id,
        source: m.source.clone(),
        campaign: m.campaign.clone(),
        competitor_id: m.competitor_id,
        loss_reason: m.loss_reason.clone(),
        next_step: m.next_step.clone(),
        description: m.description.clone(),
        checklist_done: crate::json_strings(&m.checklist_done),
        custom: m.custom.as_object().cloned().unwrap_or_default(),
    }
}

/// Sets every user-editable column from `f`; `stage` is the resolved stage
/// (its pipeline and, unless set by hand, its probability).
pub fn set_fields(a: &mut ActiveModel, f: &DealFields, stage: &stage::Model) {
    a.title = Set(f.title.clone());
    a.account_id = Set(f.account_id);
    a.pipeline_id = Set(stage.pipeline_id);
    a.stage_id = Set(stage.id);
    a.amount_minor = Set(f.amount_minor);
    a.currency = Set(f.currency.to_string());
    a.expected_close = Set(f.expected_close.and_then(|d| d.format(DATE_FORMAT).ok()));
    a.probability = Set(f.probability.unwrap_or(stage.probability));
    a.probability_manual = Set(f.probability.is_some());
    a.source = Set(f.source.clone());
    a.campaign = Set(f.campaign.clone());
    a.competitor_id = Set(f.competitor_id);
    a.loss_reason = Set(f.loss_reason.clone());
    a.next_step = Set(f.next_step.clone());
    a.description = Set(f.description.clone());
    a.checklist_done = Set(json!(f.checklist_done));
    a.owner_id = Set(f.owner_id);
    a.team_id = Set(f.team_id);
    a.custom = Set(serde_json::Value::Object(f.custom.clone()));
}

/// Replaces the contacts of a deal.
pub async fn save_contacts<C: ConnectionTrait>(
    db: &C,
    deal_id: Uuid,
    contact_ids: &[Uuid],
) -> Result<(), DbErr> {
    deal_contact::Entity::delete_many()
        .filter(deal_contact::Column::DealId.eq(deal_id))
        .exec(db)
        .await?;
    if !contact_ids.is_empty() {
        deal_contact::Entity::insert_many(contact_ids.iter().map(|contact_id| {
            deal_contact::ActiveModel {
                deal_id: Set(deal_id),
                contact_id: Set(*contact_id),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Contact ids of each deal, in one query.
pub async fn contact_links<C: ConnectionTrait>(
    db: &C,
    deal_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if deal_ids.is_empty() {
        return Ok(map);
    }
    for r in deal_contact::Entity::find()
        .filter(deal_contact::Column::DealId.is_in(deal_ids.iter().copied()))
        .all(db)
        .await?
    {
        map.entry(r.deal_id).or_default().push(r.contact_id);
    }
    Ok(map)
}

/// Records that the deal entered `stage_id` at `now`: the open stay ends,
/// a new one begins.
pub async fn enter_stage<C: ConnectionTrait>(
    db: &C,
    deal_id: Uuid,
    stage_id: Uuid,
    now: i64,
    by: Option<Uuid>,
) -> Result<(), DbErr> {
    deal_stay::Entity::update_many()
        .col_expr(deal_stay::Column::LeftAt, Expr::val(now))
        .filter(deal_stay::Column::DealId.eq(deal_id))
        .filter(deal_stay::Column::LeftAt.is_null())
        .exec(db)
        .await?;
    deal_stay::Entity::insert(deal_stay::ActiveModel {
        id: Set(Uuid::now_v7()),
        deal_id: Set(deal_id),
        stage_id: Set(stage_id),
        entered_at: Set(now),
        left_at: Set(None),
        entered_by: Set(by),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Every stay of a deal, oldest first.
pub async fn stays<C: ConnectionTrait>(
    db: &C,
    deal_id: Uuid,
) -> Result<Vec<deal_stay::Model>, DbErr> {
    deal_stay::Entity::find()
        .filter(deal_stay::Column::DealId.eq(deal_id))
        .order_by_asc(deal_stay::Column::EnteredAt)
        .order_by_asc(deal_stay::Column::Id)
        .all(db)
        .await
}

/// One deal by id, if visible; `deleted` selects the trash.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<Model>, DbErr> {
    crate::records::find::<Entity, C>(db, id, vis, deleted).await
}

fn conditions(backend: Backend, filter: &DealFilter) -> Condition {
    let mut cond = Condition::all().add(if filter.deleted {
        Column::DeletedAt.is_not_null()
    } else {
        Column::DeletedAt.is_null()
    });
    if let Some(p) = filter.pipeline_id {
        cond = cond.add(Column::PipelineId.eq(p));
    }
    if let Some(s) = filter.stage_id {
        cond = cond.add(Column::StageId.eq(s));
    }
    if let Some(status) = filter.status {
        cond = cond.add(
            Column::StageId.in_subquery(
                Query::select()
                    .column(stage::Column::Id)
                    .from(stage::Entity)
                    .and_where(stage::Column::Kind.eq(status.kind()))
                    .to_owned(),
            ),
        );
    }
    if let Some(a) = filter.account_id {
        cond = cond.add(Column::AccountId.eq(a));
    }
    if let Some(c) = filter.contact_id {
        cond = cond.add(
            Column::Id.in_subquery(
                Query::select()
                    .column(deal_contact::Column::DealId)
                    .from(deal_contact::Entity)
                    .and_where(deal_contact::Column::ContactId.eq(c))
                    .to_owned(),
            ),
        );
    }
    if let Some(o) = filter.owner_id {
        cond = cond.add(Column::OwnerId.eq(o));
    }
    if let Some(t) = filter.team_id {
        cond = cond.add(Column::TeamId.eq(t));
    }
    if !filter.terms.is_empty() {
        // A deal is found by its title or by its customer's name, code or INN.
        cond = cond.add(
            Condition::any()
                .add(
                    Expr::col((Entity, Column::Id)).in_subquery(search::matching_ids(
                        backend,
                        "deals",
                        &filter.terms,
                        false,
                    )),
                )
                .add(
                    Expr::col((Entity, Column::AccountId)).in_subquery(search::matching_ids(
                        backend,
                        "accounts",
                        &filter.terms,
                        false,
                    )),
                ),
        );
    }
    cond
}

/// Up to `limit` visible live deals of these accounts, latest changed
/// first (global search shows a customer's deals beside it).
pub async fn of_accounts<C: ConnectionTrait>(
    db: &C,
    account_ids: &[Uuid],
    vis: Visibility,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::AccountId.is_in(account_ids.iter().copied()))
        .filter(Column::DeletedAt.is_null())
        .filter(vis.condition(Entity::scope()))
        .order_by_desc(Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// A page of visible deals matching `filter`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    filter: &DealFilter,
    vis: Visibility,
    sort: DealSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let rows = page::keyset_over(
        Entity::find().filter(conditions(backend, filter)),
        vis.branches(Entity::scope()),
        sort.column(),
        Column::Id,
        true,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| sort.cursor_of(m)))
}

/// Count and sum of the visible live deals of one stage in one currency.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct StageTotal {
    pub stage_id: Uuid,
    pub currency: String,
    pub deals: i64,
    pub amount_minor: i64,
    /// Σ amount × probability (per cent): the weighted sum times 100, kept
    /// whole so it rounds once (`weighted_minor`).
    pub weighted_percent_minor: i64,
}

impl StageTotal {
    /// The sum weighted by each deal's probability, rounded half up.
    pub fn weighted_minor(&self) -> i64 {
        (self.weighted_percent_minor + 50).div_euclid(100)
    }
}

/// Totals per stage and currency of a pipeline's visible deals (with the
/// owner / team filters of the board), read from one covering index.
pub async fn totals<C: ConnectionTrait>(
    db: &C,
    pipeline_id: Uuid,
    owner_id: Option<Uuid>,
    team_id: Option<Uuid>,
    vis: Visibility,
) -> Result<Vec<StageTotal>, DbErr> {
    let mut q = Entity::find()
        .select_only()
        .column(Column::StageId)
        .column(Column::Currency)
        .column_as(Expr::col(Asterisk).count(), "deals")
        // CAST: PostgreSQL sums bigints into numeric.
        .column_as(
            Expr::col(Column::AmountMinor)
                .sum()
                .cast_as(sea_orm::sea_query::Alias::new("bigint")),
            "amount_minor",
        )
        .column_as(
            Expr::col(Column::AmountMinor)
                .mul(Expr::col(Column::Probability))
                .sum()
                .cast_as(sea_orm::sea_query::Alias::new("bigint")),
            "weighted_percent_minor",
        )
        .filter(Column::PipelineId.eq(pipeline_id))
        .filter(Column::DeletedAt.is_null())
        .filter(vis.condition(Entity::scope()))
        .group_by(Column::StageId)
        .group_by(Column::Currency);
    if let Some(o) = owner_id {
        q = q.filter(Column::OwnerId.eq(o));
    }
    if let Some(t) = team_id {
        q = q.filter(Column::TeamId.eq(t));
    }
    q.into_model::<StageTotal>().all(db).await
}

/// The condition "longer in its stage than the stage allows" at `now`.
fn overstayed(now: i64) -> sea_orm::sea_query::SimpleExpr {
    // `now` is the server clock, never user input.
    Expr::cust(format!(
        "EXISTS (SELECT 1 FROM stages s WHERE s.id = deals.stage_id AND s.max_days IS NOT NULL \
         AND deals.stage_entered_at < {now} - s.max_days * 86400000000)"
    ))
}

/// Open deals of `owner_id` with no next step or longer in their stage than
/// allowed, stalest first.
pub async fn needing_attention<C: ConnectionTrait>(
    db: &C,
    owner_id: Uuid,
    now: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OwnerId.eq(owner_id))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ClosedAt.is_null())
        .filter(
            Condition::any()
                .add(Column::NextStep.is_null())
                .add(overstayed(now)),
        )
        .order_by_asc(Column::StageEnteredAt)
        .limit(limit)
        .all(db)
        .await
}

/// Per owner among `owners`: open deals per stage.
#[derive(Debug, Clone, FromQueryResult)]
pub struct OwnerStageCount {
    pub owner_id: Uuid,
    pub stage_id: Uuid,
    pub deals: i64,
    pub without_next_step: i64,
}

/// Open deals per owner and stage, with how many lack a next step (one
/// GROUP BY).
pub async fn open_by_owner_and_stage<C: ConnectionTrait>(
    db: &C,
    owners: &[Uuid],
) -> Result<Vec<OwnerStageCount>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::OwnerId)
        .column(Column::StageId)
        .column_as(Expr::col(Asterisk).count(), "deals")
        .column_as(
            Expr::cust("SUM(CASE WHEN deals.next_step IS NULL THEN 1 ELSE 0 END)")
                .cast_as(sea_orm::sea_query::Alias::new("bigint")),
            "without_next_step",
        )
        .filter(Column::OwnerId.is_in(owners.iter().copied()))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ClosedAt.is_null())
        .group_by(Column::OwnerId)
        .group_by(Column::StageId)
        .into_model::<OwnerStageCount>()
        .all(db)
        .await
}

/// How many deals (live or trashed) a pipeline holds; the benchmark's check
/// of what it already generated.
pub async fn count_in_pipeline<C: ConnectionTrait>(
    db: &C,
    pipeline_id: Uuid,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find()
        .filter(Column::PipelineId.eq(pipeline_id))
        .count(db)
        .await
}
