//! Product storage: row ↔ domain conversion, the article look-up, and the
//! catalogue list (search, category, active, sort, keyset pages).

use crate::Backend;
use crate::entities::product::{self, ActiveModel, Column, Entity, Model};
use crate::page::{self, Cursor, Page, SortKey};
use crate::records::Record;
use crate::search;
use crate::visibility::Visibility;
use karta_core::money::Currency;
use karta_core::products::{ProductFields, Sku, Unit};
use karta_core::products::{ProductFilter, ProductSort};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

impl SortKey for ProductSort {
    type Key = (Column, bool);
    type Row = Model;

    fn column(self) -> (Column, bool) {
        match self {
            Self::Name => (Column::Name, false),
            Self::NameDesc => (Column::Name, true),
            Self::Sku => (Column::Sku, false),
            Self::Price => (Column::ListPriceMinor, false),
            Self::PriceDesc => (Column::ListPriceMinor, true),
            Self::UpdatedDesc => (Column::UpdatedAt, true),
        }
    }

    fn cursor_of(self, m: &Model) -> Cursor {
        let k = match self {
            Self::Name | Self::NameDesc => json!(m.name),
            Self::Sku => json!(m.sku),
            Self::Price | Self::PriceDesc => json!(m.list_price_minor),
            Self::UpdatedDesc => json!(m.updated_at),
        };
        Cursor { k, id: m.id }
    }
}

/// The indexed text of a product: article, names, category code and the
/// description. Nothing in a product is personal data.
pub fn search_text(f: &ProductFields) -> String {
    [
        Some(f.sku.as_str()),
        Some(f.name.as_str()),
        f.name_en.as_deref(),
        f.category.as_deref(),
        f.description.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Reads a stored row back into domain fields.
pub fn fields_of(m: &Model) -> ProductFields {
    ProductFields {
        sku: Sku::stored(&m.sku),
        name: m.name.clone(),
        name_en: m.name_en.clone(),
        description: m.description.clone(),
        category: m.category.clone(),
        unit: Unit::parse(&m.unit).unwrap_or(Unit::Piece),
        vat_rate: m.vat_rate,
        cost_price_minor: m.cost_price_minor,
        list_price_minor: m.list_price_minor,
        currency: Currency::parse(&m.currency).unwrap_or_else(|_| Currency::rub()),
        stock_quantity: m.stock_quantity,
        active: m.active,
    }
}

/// Sets every user-editable column from `f`.
pub fn set_fields(a: &mut ActiveModel, f: &ProductFields) {
    a.sku = Set(f.sku.to_string());
    a.name = Set(f.name.clone());
    a.name_en = Set(f.name_en.clone());
    a.description = Set(f.description.clone());
    a.category = Set(f.category.clone());
    a.unit = Set(f.unit.as_str().to_string());
    a.vat_rate = Set(f.vat_rate);
    a.cost_price_minor = Set(f.cost_price_minor);
    a.list_price_minor = Set(f.list_price_minor);
    a.currency = Set(f.currency.to_string());
    a.stock_quantity = Set(f.stock_quantity);
    a.active = Set(f.active);
}

/// The product (live or in the trash) that holds `sku`, if any.
pub async fn with_sku<C: ConnectionTrait>(db: &C, sku: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Sku.eq(sku)).one(db).await
}

/// Live products by id, for documents that list several.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::DeletedAt.is_null())
        .all(db)
        .await
}

/// A page of products matching `filter`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    filter: &ProductFilter,
    vis: Visibility,
    sort: ProductSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut cond = Condition::all().add(if filter.deleted {
        Column::DeletedAt.is_not_null()
    } else {
        Column::DeletedAt.is_null()
    });
    if let Some(c) = &filter.category {
        cond = cond.add(Column::Category.eq(c.clone()));
    }
    if let Some(a) = filter.active {
        cond = cond.add(Column::Active.eq(a));
    }
    if !filter.terms.is_empty() {
        cond = cond.add(Expr::col((product::Entity, Column::Id)).in_subquery(
            search::matching_ids(backend, "products", &filter.terms, false),
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
