//! Account storage: row ↔ domain conversion, the customer-code counter,
//! versioned writes and filtered, keyset-paginated lists.

use crate::Backend;
use crate::entities::account::{self, ActiveModel, Column, Entity, Model};
use crate::page::{self, Cursor, Page, SortKey};
use crate::records::Record;
use crate::search;
use crate::visibility::Visibility;
use karta_core::accounts::{AccountFields, AccountStatus, AccountType, PurchasePurpose};
use karta_core::accounts::{AccountFilter, AccountSort};
use karta_core::identifiers::{Inn, Kpp, Ogrn};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

impl SortKey for AccountSort {
    type Key = (Column, bool);
    type Row = Model;

    fn column(self) -> (Column, bool) {
        match self {
            Self::Name => (Column::NameKey, false),
            Self::NameDesc => (Column::NameKey, true),
            Self::UpdatedDesc => (Column::UpdatedAt, true),
            Self::CreatedDesc => (Column::CreatedAt, true),
            Self::Code => (Column::Code, false),
        }
    }

    fn cursor_of(self, m: &Model) -> Cursor {
        let k = match self {
            Self::Name | Self::NameDesc => json!(m.name_key),
            Self::UpdatedDesc => json!(m.updated_at),
            Self::CreatedDesc => json!(m.created_at),
            Self::Code => json!(m.code),
        };
        Cursor { k, id: m.id }
    }
}

/// `,customer,dealer,`: lets a type filter be one `LIKE`.
fn types_column(types: &[AccountType]) -> String {
    let mut s = String::from(",");
    for t in types {
        s.push_str(t.as_str());
        s.push(',');
    }
    s
}

/// Reads a stored row back into validated domain fields.
pub fn fields_of(m: &Model) -> AccountFields {
    let list = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    AccountFields {
        name: m.name.clone(),
        legal_name: m.legal_name.clone(),
        types: m
            .types
            .split(',')
            .filter_map(|t| AccountType::parse(t).ok())
            .collect(),
        inn: m.inn.as_deref().and_then(|v| Inn::parse(v).ok()),
        kpp: m.kpp.as_deref().and_then(|v| Kpp::parse(v).ok()),
        ogrn: m.ogrn.as_deref().and_then(|v| Ogrn::parse(v).ok()),
        legal_address: m.legal_address.clone(),
        actual_address: m.actual_address.clone(),
        delivery_address: m.delivery_address.clone(),
        region: m.region.clone(),
        industry: m.industry.clone(),
        segment: m.segment.clone(),
        size: m.size.clone(),
        lead_source: m.lead_source.clone(),
        triggering_event: m.triggering_event.clone(),
        status: AccountStatus::parse(&m.status).unwrap_or(AccountStatus::Active),
        lost_to_id: m.lost_to_id,
        loss_reason: m.loss_reason.clone(),
        purchase_purpose: m
            .purchase_purpose
            .as_deref()
            .and_then(|p| PurchasePurpose::parse(p).ok()),
        buying_priorities: list(&m.buying_priorities),
        payment_method: m.payment_method.clone(),
        tags: list(&m.tags),
        notes: m.notes.clone(),
        external_id: m.external_id.clone(),
        owner_id: m.owner_id,
        team_id: m.team_id,
        custom: m.custom.as_object().cloned().unwrap_or_default(),
    }
}

/// Sets every user-editable column from `f`.
pub fn set_fields(a: &mut ActiveModel, f: &AccountFields) {
    a.name = Set(f.name.clone());
    a.name_key = Set(f.name.to_lowercase());
    a.match_key = Set(karta_core::accounts::match_key(&f.name));
    a.legal_name = Set(f.legal_name.clone());
    a.types = Set(types_column(&f.types));
    a.inn = Set(f.inn.as_ref().map(ToString::to_string));
    a.kpp = Set(f.kpp.as_ref().map(ToString::to_string));
    a.ogrn = Set(f.ogrn.as_ref().map(ToString::to_string));
    a.legal_address = Set(f.legal_address.clone());
    a.actual_address = Set(f.actual_address.clone());
    a.delivery_address = Set(f.delivery_address.clone());
    a.region = Set(f.region.clone());
    a.industry = Set(f.industry.clone());
    a.segment = Set(f.segment.clone());
    a.size = Set(f.size.clone());
    a.lead_source = Set(f.lead_source.clone());
    a.triggering_event = Set(f.triggering_event.clone());
    a.status = Set(f.status.as_str().to_string());
    a.lost_to_id = Set(f.lost_to_id);
    a.loss_reason = Set(f.loss_reason.clone());
    a.purchase_purpose = Set(f.purchase_purpose.map(|p| p.as_str().to_string()));
    a.buying_priorities = Set(json!(f.buying_priorities));
    a.payment_method = Set(f.payment_method.clone());
    a.tags = Set(json!(f.tags));
    a.notes = Set(f.notes.clone());
    a.external_id = Set(f.external_id.clone());
    a.owner_id = Set(f.owner_id);
    a.team_id = Set(f.team_id);
    a.custom = Set(serde_json::Value::Object(f.custom.clone()));
}

/// Text indexed for search: public part and personal-data part (accounts
/// hold no personal data).
pub fn search_text(code: i64, f: &AccountFields) -> (String, String) {
    let code = karta_core::identifiers::CustomerCode(code);
    let inn = f.inn.as_ref().map(ToString::to_string);
    let ogrn = f.ogrn.as_ref().map(ToString::to_string);
    let public = [
        Some(&f.name),
        f.legal_name.as_ref(),
        inn.as_ref(),
        ogrn.as_ref(),
        f.legal_address.as_ref(),
        f.actual_address.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(" ");
    (format!("{code} k{:06} {public}", code.0), String::new())
}

/// Takes the next customer code. Runs inside the write transaction, so a
/// rolled-back create leaves no gap-free promise broken: codes are unique,
/// not necessarily consecutive.
pub async fn next_code<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    Ok(*next_codes(db, 1).await?.start())
}

/// Takes the next `n` (at least one) customer codes at once.
pub async fn next_codes<C: ConnectionTrait>(
    db: &C,
    n: usize,
) -> Result<std::ops::RangeInclusive<i64>, DbErr> {
    crate::counters::take(db, "account_code", n).await
}

/// One account by id, if visible; `deleted` selects the trash.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<Model>, DbErr> {
    crate::records::find::<Entity, C>(db, id, vis, deleted).await
}

/// One live account by its customer code, if visible.
pub async fn find_by_code<C: ConnectionTrait>(
    db: &C,
    code: i64,
    vis: Visibility,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Code.eq(code))
        .filter(vis.condition(Entity::scope()))
        .filter(Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// Live accounts with any of these ids, unfiltered by visibility (callers
/// use it to resolve names they already may show).
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

fn deleted_condition(deleted: bool) -> Condition {
    if deleted {
        Condition::all().add(Column::DeletedAt.is_not_null())
    } else {
        Condition::all().add(Column::DeletedAt.is_null())
    }
}

/// A page of visible accounts matching `filter`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    filter: &AccountFilter,
    vis: Visibility,
    sort: AccountSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut cond = Condition::all().add(deleted_condition(filter.deleted));
    if let Some(t) = filter.account_type {
        cond = cond.add(Column::Types.like(format!("%,{},%", t.as_str())));
    }
    if let Some(s) = filter.status {
        cond = cond.add(Column::Status.eq(s.as_str()));
    }
    for (col, value) in [
        (Column::Region, &filter.region),
        (Column::Industry, &filter.industry),
        (Column::Segment, &filter.segment),
        (Column::Inn, &filter.inn),
    ] {
        if let Some(v) = value {
            cond = cond.add(col.eq(v.clone()));
        }
    }
    if let Some(o) = filter.owner_id {
        cond = cond.add(Column::OwnerId.eq(o));
    }
    if let Some(t) = filter.team_id {
        cond = cond.add(Column::TeamId.eq(t));
    }
    if let Some(tag) = &filter.tag {
        cond = cond.add(search::json_array_contains(
            backend, "accounts", "tags", tag,
        ));
    }
    for cf in &filter.custom {
        cond = cond.add(search::custom_condition(backend, "accounts", cf));
    }
    if !filter.terms.is_empty() {
        cond = cond.add(Expr::col((account::Entity, Column::Id)).in_subquery(
            search::matching_ids(backend, "accounts", &filter.terms, filter.search_private),
        ));
    }
    let (key, descending) = sort.column();
    let rows = page::keyset_over(
        Entity::find().filter(cond),
        vis.branches(Entity::scope()),
        key,
        Column::Id,
        descending,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| sort.cursor_of(m)))
}

/// Live accounts (visible or not) with this INN, except `except`.
pub async fn with_inn<C: ConnectionTrait>(
    db: &C,
    inn: &str,
    except: Option<Uuid>,
) -> Result<Vec<Model>, DbErr> {
    let mut q = Entity::find()
        .filter(Column::Inn.eq(inn))
        .filter(Column::DeletedAt.is_null());
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    q.all(db).await
}

/// Live accounts (visible or not) with this id from another system.
pub async fn with_external_id<C: ConnectionTrait>(
    db: &C,
    external_id: &str,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::ExternalId.eq(external_id))
        .filter(Column::DeletedAt.is_null())
        .limit(2)
        .all(db)
        .await
}

/// Number of account rows, live or in the trash (for the benchmark loader).
pub async fn count_all<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find().count(db).await
}

/// Live accounts whose name is `name` ignoring case (duplicate check on
/// lead conversion; reads the name index).
pub async fn with_name<C: ConnectionTrait>(db: &C, name: &str) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::NameKey.eq(name.trim().to_lowercase()))
        .filter(Column::DeletedAt.is_null())
        .limit(5)
        .all(db)
        .await
}
