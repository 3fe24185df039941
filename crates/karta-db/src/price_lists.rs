//! Price list storage: rows ↔ domain, product prices written as a whole,
//! the list by name, and the look-up of the lists that apply to a buyer
//! with only the prices of the products asked about.

use crate::entities::price_list::{ActiveModel, Column, Entity, Model};
use crate::entities::price_list_item;
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::visibility::Visibility;
use karta_core::contacts::{date_text, parse_date};
use karta_core::money::Currency;
use karta_core::price_lists::{Buyer, PriceItem, PriceListFields, PriceScope};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Reads a stored list and its items back into domain fields.
pub fn fields_of(m: &Model, items: &[price_list_item::Model]) -> PriceListFields {
    PriceListFields {
        name: m.name.clone(),
        currency: Currency::parse(&m.currency).unwrap_or_else(|_| Currency::rub()),
        scope: PriceScope::parse(&m.scope).unwrap_or(PriceScope::Everyone),
        scope_value: m.scope_value.clone(),
        valid_from: m.valid_from.as_deref().and_then(|d| parse_date(d).ok()),
        valid_to: m.valid_to.as_deref().and_then(|d| parse_date(d).ok()),
        discount_bp: m.discount_bp,
        active: m.active,
        items: items
            .iter()
            .map(|i| PriceItem {
                product_id: i.product_id,
                price_minor: i.price_minor,
                discount_bp: i.discount_bp,
            })
            .collect(),
    }
}

/// Sets every user-editable column from `f` (items are written apart).
pub fn set_fields(a: &mut ActiveModel, f: &PriceListFields) {
    a.name = Set(f.name.clone());
    a.currency = Set(f.currency.to_string());
    a.scope = Set(f.scope.as_str().to_string());
    a.scope_value = Set(f.scope_value.clone());
    a.valid_from = Set(f.valid_from.map(date_text));
    a.valid_to = Set(f.valid_to.map(date_text));
    a.discount_bp = Set(f.discount_bp);
    a.active = Set(f.active);
}

/// The product prices of a list, in no particular order.
pub async fn items<C: ConnectionTrait>(
    db: &C,
    list_id: Uuid,
) -> Result<Vec<price_list_item::Model>, DbErr> {
    price_list_item::Entity::find()
        .filter(price_list_item::Column::PriceListId.eq(list_id))
        .all(db)
        .await
}

/// The product prices of several lists, by list (one query).
pub async fn items_of<C: ConnectionTrait>(
    db: &C,
    lists: &[Uuid],
) -> Result<HashMap<Uuid, Vec<price_list_item::Model>>, DbErr> {
    crate::children::by_parent(
        db,
        price_list_item::Entity::find(),
        price_list_item::Column::PriceListId,
        lists,
        |i| i.price_list_id,
    )
    .await
}

/// Replaces a list's product prices with `items`.
pub async fn replace_items<C: ConnectionTrait>(
    db: &C,
    list_id: Uuid,
    items: &[PriceItem],
) -> Result<(), DbErr> {
    price_list_item::Entity::delete_many()
        .filter(price_list_item::Column::PriceListId.eq(list_id))
        .exec(db)
        .await?;
    let rows = items.iter().map(|i| price_list_item::ActiveModel {
        price_list_id: Set(list_id),
        product_id: Set(i.product_id),
        price_minor: Set(i.price_minor),
        discount_bp: Set(i.discount_bp),
    });
    crate::bulk::insert_all::<price_list_item::Entity, C>(db, rows.collect()).await
}

/// A page of price lists by name: live ones, or the trash (`deleted`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
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
    let rows = page::keyset_over(
        Entity::find().filter(in_trash),
        vis.branches(Entity::scope()),
        Column::Name,
        Column::Id,
        false,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.name),
        id: m.id,
    }))
}

/// The live, active lists whose scope names `buyer` (validity dates are
/// left to `PriceListFields::applies`), each with its prices of `products`.
pub async fn for_buyer<C: ConnectionTrait>(
    db: &C,
    buyer: &Buyer,
    products: &[Uuid],
) -> Result<Vec<(Uuid, PriceListFields)>, DbErr> {
    let mut scopes = Condition::any().add(Column::Scope.eq(PriceScope::Everyone.as_str()));
    if let Some(segment) = &buyer.segment {
        scopes = scopes.add(
            Condition::all()
                .add(Column::Scope.eq(PriceScope::Segment.as_str()))
                .add(Column::ScopeValue.eq(segment.clone())),
        );
    }
    if !buyer.account_types.is_empty() {
        scopes = scopes.add(
            Condition::all()
                .add(Column::Scope.eq(PriceScope::AccountType.as_str()))
                .add(Column::ScopeValue.is_in(buyer.account_types.iter().cloned())),
        );
    }
    if let Some(id) = buyer.account_id {
        scopes = scopes.add(
            Condition::all()
                .add(Column::Scope.eq(PriceScope::Account.as_str()))
                .add(Column::ScopeValue.eq(id.to_string())),
        );
    }
    let lists = Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::Active.eq(true))
        .filter(scopes)
        .all(db)
        .await?;
    let mut items = if products.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<Uuid> = lists.iter().map(|l| l.id).collect();
        let of_products = price_list_item::Entity::find()
            .filter(price_list_item::Column::ProductId.is_in(products.iter().copied()));
        crate::children::by_parent(
            db,
            of_products,
            price_list_item::Column::PriceListId,
            &ids,
            |i| i.price_list_id,
        )
        .await?
    };
    Ok(lists
        .iter()
        .map(|l| {
            let own = items.remove(&l.id).unwrap_or_default();
            (l.id, fields_of(l, &own))
        })
        .collect())
}
