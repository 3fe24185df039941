//! Contact storage: row ↔ domain conversion, account links, the e-mail and
//! phone side table used by look-up and duplicate checks, and lists.

use crate::Backend;
use crate::entities::contact::{ActiveModel, Column, Entity, Model};
use crate::entities::{contact_account, contact_channel};
use crate::page::{self, Cursor, Page, SortKey};
use crate::records::Record;
use crate::search;
use crate::visibility::Visibility;
use karta_core::contacts::{ConsentRecord, ContactFields, DATE_FORMAT, parse_date};
use karta_core::contacts::{ContactFilter, ContactSort};
use karta_core::identifiers::{Email, Phone};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

impl SortKey for ContactSort {
    type Key = (Column, bool);
    type Row = Model;

    fn column(self) -> (Column, bool) {
        match self {
            Self::Name => (Column::NameKey, false),
            Self::NameDesc => (Column::NameKey, true),
            Self::UpdatedDesc => (Column::UpdatedAt, true),
            Self::CreatedDesc => (Column::CreatedAt, true),
        }
    }

    fn cursor_of(self, m: &Model) -> Cursor {
        let k = match self {
            Self::Name | Self::NameDesc => json!(m.name_key),
            Self::UpdatedDesc => json!(m.updated_at),
            Self::CreatedDesc => json!(m.created_at),
        };
        Cursor { k, id: m.id }
    }
}

fn date_text(d: Option<time::Date>) -> Option<String> {
    d.and_then(|d| d.format(DATE_FORMAT).ok())
}

/// Reads a stored row (plus its account links) back into domain fields.
pub fn fields_of(m: &Model, account_ids: Vec<Uuid>) -> ContactFields {
    let date = |v: &Option<String>| v.as_deref().and_then(|d| parse_date(d).ok());
    ContactFields {
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        middle_name: m.middle_name.clone(),
        position: m.position.clone(),
        purchase_role: m.purchase_role.clone(),
        emails: crate::json_strings(&m.emails)
            .iter()
            .filter_map(|e| Email::parse(e).ok())
            .collect(),
        phones: crate::json_strings(&m.phones)
            .iter()
            .filter_map(|p| Phone::parse(p).ok())
            .collect(),
        messengers: crate::json_strings(&m.messengers),
        birthday: date(&m.birthday),
        account_ids,
        consent_personal_data: ConsentRecord {
            given: m.consent_pd_given,
            date: date(&m.consent_pd_date),
            source: m.consent_pd_source.clone(),
        },
        consent_marketing: ConsentRecord {
            given: m.consent_marketing_given,
            date: date(&m.consent_marketing_date),
            source: m.consent_marketing_source.clone(),
        },
        notes: m.notes.clone(),
        external_id: m.external_id.clone(),
        owner_id: m.owner_id,
        team_id: m.team_id,
        custom: m.custom.as_object().cloned().unwrap_or_default(),
    }
}

/// Sets every user-editable column from `f` (account links are separate).
pub fn set_fields(a: &mut ActiveModel, f: &ContactFields) {
    a.first_name = Set(f.first_name.clone());
    a.last_name = Set(f.last_name.clone());
    a.middle_name = Set(f.middle_name.clone());
    a.name_key = Set(f.display_name().to_lowercase());
    a.position = Set(f.position.clone());
    a.purchase_role = Set(f.purchase_role.clone());
    a.emails = Set(json!(f.emails));
    a.phones = Set(json!(f.phones));
    a.messengers = Set(json!(f.messengers));
    a.birthday = Set(date_text(f.birthday));
    a.consent_pd_given = Set(f.consent_personal_data.given);
    a.consent_pd_date = Set(date_text(f.consent_personal_data.date));
    a.consent_pd_source = Set(f.consent_personal_data.source.clone());
    a.consent_marketing_given = Set(f.consent_marketing.given);
    a.consent_marketing_date = Set(date_text(f.consent_marketing.date));
    a.consent_marketing_source = Set(f.consent_marketing.source.clone());
    a.notes = Set(f.notes.clone());
    a.external_id = Set(f.external_id.clone());
    a.owner_id = Set(f.owner_id);
    a.team_id = Set(f.team_id);
    a.custom = Set(serde_json::Value::Object(f.custom.clone()));
}

/// Text indexed for search: names and position publicly; e-mails and phones
/// only for principals who may see personal data.
pub fn search_text(f: &ContactFields) -> (String, String) {
    let public = [f.display_name(), f.position.clone().unwrap_or_default()].join(" ");
    let private = f
        .emails
        .iter()
        .map(|e| e.to_string())
        .chain(f.phones.iter().map(|p| p.digits().to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    (public, private)
}

/// Replaces the account links and channel rows of a contact.
pub async fn save_links<C: ConnectionTrait>(
    db: &C,
    contact_id: Uuid,
    f: &ContactFields,
) -> Result<(), DbErr> {
    contact_account::Entity::delete_many()
        .filter(contact_account::Column::ContactId.eq(contact_id))
        .exec(db)
        .await?;
    contact_channel::Entity::delete_many()
        .filter(contact_channel::Column::ContactId.eq(contact_id))
        .exec(db)
        .await?;
    insert_links(db, &[(contact_id, f)]).await
}

/// Writes the account links and channel rows of contacts that have none
/// yet (new ones).
pub async fn insert_links<C: ConnectionTrait>(
    db: &C,
    contacts: &[(Uuid, &ContactFields)],
) -> Result<(), DbErr> {
    let mut links = Vec::new();
    let mut channels = Vec::new();
    for (contact_id, f) in contacts {
        links.extend(
            f.account_ids
                .iter()
                .map(|account_id| contact_account::ActiveModel {
                    contact_id: Set(*contact_id),
                    account_id: Set(*account_id),
                }),
        );
        channels.extend(
            f.emails
                .iter()
                .map(|e| ("email", e.to_string()))
                .chain(f.phones.iter().map(|p| ("phone", p.to_string())))
                .map(|(kind, value)| contact_channel::ActiveModel {
                    contact_id: Set(*contact_id),
                    kind: Set(kind.into()),
                    value: Set(value),
                }),
        );
    }
    crate::bulk::insert_all::<contact_account::Entity, _>(db, links).await?;
    crate::bulk::insert_all::<contact_channel::Entity, _>(db, channels).await
}

/// Account ids of each contact, in one query.
pub async fn account_links<C: ConnectionTrait>(
    db: &C,
    contact_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if contact_ids.is_empty() {
        return Ok(map);
    }
    let rows = contact_account::Entity::find()
        .filter(contact_account::Column::ContactId.is_in(contact_ids.iter().copied()))
        .all(db)
        .await?;
    for r in rows {
        map.entry(r.contact_id).or_default().push(r.account_id);
    }
    Ok(map)
}

/// Up to `limit` visible live contacts who work for these accounts, by
/// name (global search shows a customer's people beside it).
pub async fn of_accounts<C: ConnectionTrait>(
    db: &C,
    account_ids: &[Uuid],
    vis: Visibility,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let linked = Query::select()
        .column(contact_account::Column::ContactId)
        .from(contact_account::Entity)
        .and_where(contact_account::Column::AccountId.is_in(account_ids.iter().copied()))
        .to_owned();
    Entity::find()
        .filter(Column::Id.in_subquery(linked))
        .filter(Column::DeletedAt.is_null())
        .filter(vis.condition(Entity::scope()))
        .order_by_asc(Column::NameKey)
        .limit(limit)
        .all(db)
        .await
}

/// One contact by id, if visible; `deleted` selects the trash.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<Model>, DbErr> {
    crate::records::find::<Entity, C>(db, id, vis, deleted).await
}

/// A page of visible contacts matching `filter`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    filter: &ContactFilter,
    vis: Visibility,
    sort: ContactSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut cond = Condition::all().add(if filter.deleted {
        Column::DeletedAt.is_not_null()
    } else {
        Column::DeletedAt.is_null()
    });
    if let Some(account_id) = filter.account_id {
        cond = cond.add(
            Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(contact_account::Column::ContactId)
                    .from(contact_account::Entity)
                    .and_where(contact_account::Column::AccountId.eq(account_id))
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
    if let Some(r) = &filter.purchase_role {
        cond = cond.add(Column::PurchaseRole.eq(r.clone()));
    }
    if let Some(c) = filter.consent_marketing {
        cond = cond.add(Column::ConsentMarketingGiven.eq(c));
    }
    for cf in &filter.custom {
        cond = cond.add(search::custom_condition(backend, "contacts", cf));
    }
    if !filter.terms.is_empty() {
        // A contact is found by its own entry or by a company it works for.
        let of_accounts = Query::select()
            .column(contact_account::Column::ContactId)
            .from(contact_account::Entity)
            .and_where(
                contact_account::Column::AccountId.in_subquery(search::matching_ids(
                    backend,
                    "accounts",
                    &filter.terms,
                    false,
                )),
            )
            .to_owned();
        cond = cond.add(
            Condition::any()
                .add(
                    Expr::col((Entity, Column::Id)).in_subquery(search::matching_ids(
                        backend,
                        "contacts",
                        &filter.terms,
                        filter.search_private,
                    )),
                )
                .add(Expr::col((Entity, Column::Id)).in_subquery(of_accounts)),
        );
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

/// Live contacts (visible to `vis`) having this e-mail or phone.
pub async fn with_channel<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    value: &str,
    vis: Visibility,
    except: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let ids = sea_orm::sea_query::Query::select()
        .column(contact_channel::Column::ContactId)
        .from(contact_channel::Entity)
        .and_where(contact_channel::Column::Kind.eq(kind))
        .and_where(contact_channel::Column::Value.eq(value))
        .to_owned();
    let mut q = Entity::find()
        .filter(Column::Id.in_subquery(ids))
        .filter(Column::DeletedAt.is_null())
        .filter(vis.condition(Entity::scope()));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    q.order_by_asc(Column::NameKey).limit(limit).all(db).await
}

/// Live contacts (visible or not) with this id from another system.
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

/// Contacts by id (live or not, visible or not: callers decide).
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
