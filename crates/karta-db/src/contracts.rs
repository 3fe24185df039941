//! Contract storage: rows ↔ domain, contracted products written as a
//! whole, an account's contracts, and the credit limits of contracts in
//! force for a page of accounts (one query).

use crate::entities::contract::{ActiveModel, Column, Entity, Model};
use crate::entities::contract_item;
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::visibility::Visibility;
use karta_core::contacts::{date_text, parse_date};
use karta_core::contracts::{ContractFields, ContractItem, ContractStatus};
use karta_core::money::Currency;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Reads a stored contract and its products back into domain fields.
pub fn fields_of(m: &Model, items: &[contract_item::Model]) -> ContractFields {
    let day = |d: &str| parse_date(d).ok();
    ContractFields {
        account_id: m.account_id,
        number: m.number.clone(),
        signed_on: m.signed_on.as_deref().and_then(day),
        valid_from: day(&m.valid_from).unwrap_or(time::Date::MIN),
        valid_to: m.valid_to.as_deref().and_then(day),
        status: ContractStatus::parse(&m.status).unwrap_or(ContractStatus::Draft),
        payment_days: m.payment_days,
        credit_limit_minor: m.credit_limit_minor,
        payment_method: m.payment_method.clone(),
        currency: Currency::parse(&m.currency).unwrap_or_else(|_| Currency::rub()),
        items: items
            .iter()
            .map(|i| ContractItem {
                product_id: i.product_id,
                price_minor: i.price_minor,
            })
            .collect(),
    }
}

/// Sets every user-editable column from `f` (products are written apart).
pub fn set_fields(a: &mut ActiveModel, f: &ContractFields) {
    let day = date_text;
    a.account_id = Set(f.account_id);
    a.number = Set(f.number.clone());
    a.signed_on = Set(f.signed_on.map(day));
    a.valid_from = Set(day(f.valid_from));
    a.valid_to = Set(f.valid_to.map(day));
    a.status = Set(f.status.as_str().to_string());
    a.payment_days = Set(f.payment_days);
    a.credit_limit_minor = Set(f.credit_limit_minor);
    a.payment_method = Set(f.payment_method.clone());
    a.currency = Set(f.currency.to_string());
}

/// The products of a contract.
pub async fn items<C: ConnectionTrait>(
    db: &C,
    contract_id: Uuid,
) -> Result<Vec<contract_item::Model>, DbErr> {
    contract_item::Entity::find()
        .filter(contract_item::Column::ContractId.eq(contract_id))
        .all(db)
        .await
}

/// The products of several contracts, by contract (one query).
pub async fn items_of<C: ConnectionTrait>(
    db: &C,
    contracts: &[Uuid],
) -> Result<HashMap<Uuid, Vec<contract_item::Model>>, DbErr> {
    crate::children::by_parent(
        db,
        contract_item::Entity::find(),
        contract_item::Column::ContractId,
        contracts,
        |i| i.contract_id,
    )
    .await
}

/// Replaces a contract's products.
pub async fn replace_items<C: ConnectionTrait>(
    db: &C,
    contract_id: Uuid,
    items: &[ContractItem],
) -> Result<(), DbErr> {
    contract_item::Entity::delete_many()
        .filter(contract_item::Column::ContractId.eq(contract_id))
        .exec(db)
        .await?;
    let rows = items.iter().map(|i| contract_item::ActiveModel {
        contract_id: Set(contract_id),
        product_id: Set(i.product_id),
        price_minor: Set(i.price_minor),
    });
    crate::bulk::insert_all::<contract_item::Entity, C>(db, rows.collect()).await
}

/// A page of visible contracts, newest first, of one account or all: live
/// ones, or the trash (`deleted`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    account_id: Option<Uuid>,
    vis: Visibility,
    deleted: bool,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let in_trash = if deleted {
        Column::DeletedAt.is_not_null()
    } else {
        Column::DeletedAt.is_null()
    };
    let mut cond = Condition::all().add(in_trash);
    if let Some(a) = account_id {
        cond = cond.add(Column::AccountId.eq(a));
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

/// The lowest credit limit among the contracts in force on `day` (a
/// `YYYY-MM-DD`) of each of these accounts.
pub async fn credit_limits<C: ConnectionTrait>(
    db: &C,
    accounts: &[Uuid],
    day: &str,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let rows = Entity::find()
        .filter(Column::AccountId.is_in(accounts.iter().copied()))
        .filter(Column::Status.eq(ContractStatus::Active.as_str()))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ValidFrom.lte(day))
        .filter(
            Condition::any()
                .add(Column::ValidTo.is_null())
                .add(Column::ValidTo.gte(day)),
        )
        .filter(Column::CreditLimitMinor.is_not_null())
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, i64> = HashMap::new();
    for c in rows {
        if let Some(limit) = c.credit_limit_minor {
            out.entry(c.account_id)
                .and_modify(|l| *l = (*l).min(limit))
                .or_insert(limit);
        }
    }
    Ok(out)
}
