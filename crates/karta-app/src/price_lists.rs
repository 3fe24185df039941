//! Price list use cases: administrators and heads of sales keep the lists,
//! everyone reads them, and `quotes` tells anyone who may see the customer
//! what that customer pays for each product and why.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::price_lists::{PriceListDraft, PriceListFields, PriceScope, Quote};
use karta_core::roles::{Access, Entity};
use karta_db::entities::price_list::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::price_lists as store;
pub use karta_db::price_lists::fields_of;
use karta_db::records::Record;
use sea_orm::ConnectionTrait;
use sea_orm::EntityTrait;
use serde_json::{Map, Value, json};
use time::Date;
use uuid::Uuid;

const ENTITY: &str = "price_lists";

fn snapshot(f: &PriceListFields) -> Value {
    serde_json::to_value(PriceListDraft::from(f)).unwrap_or(Value::Null)
}

/// Checks what needs the database: the products, the account and the
/// segment named exist.
async fn check<C: ConnectionTrait>(app: &App, db: &C, f: &PriceListFields) -> Result<(), AppError> {
    let mut e = Invalid::default();
    if f.scope == PriceScope::Segment {
        crate::settings::check_classifier_values(
            app,
            &mut e,
            &[("segment", "segment", f.scope_value.as_deref())],
        )
        .await?;
    }
    if f.scope == PriceScope::Account {
        let id = f
            .scope_value
            .as_deref()
            .and_then(|v| v.parse::<Uuid>().ok());
        let found = match id {
            Some(id) => karta_db::accounts::find(db, id, karta_db::Visibility::All, false)
                .await?
                .is_some(),
            None => false,
        };
        if !found {
            e.push("account_id", "unknown_account");
        }
    }
    let ids: Vec<Uuid> = f.items.iter().map(|i| i.product_id).collect();
    let known: Vec<Uuid> = karta_db::products::by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    for (i, item) in f.items.iter().enumerate() {
        if !known.contains(&item.product_id) {
            e.push(format!("items[{i}].product_id"), "unknown_product");
        }
    }
    Ok(e.into_result()?)
}

/// The list and its items as the API shows them.
pub async fn fields(app: &App, m: &Model) -> Result<PriceListFields, AppError> {
    let items = store::items(app.db.conn(), m.id).await?;
    Ok(store::fields_of(m, &items))
}

/// A page of lists with their items (one query for all the items).
pub async fn fields_of_page(app: &App, page: &[Model]) -> Result<Vec<PriceListFields>, AppError> {
    let ids: Vec<Uuid> = page.iter().map(|m| m.id).collect();
    let mut items = store::items_of(app.db.conn(), &ids).await?;
    Ok(page
        .iter()
        .map(|m| store::fields_of(m, &items.remove(&m.id).unwrap_or_default()))
        .collect())
}

/// Creates a price list with its product prices.
pub async fn create(app: &App, p: &Principal, draft: PriceListDraft) -> Result<Model, AppError> {
    p.require(Entity::PriceLists, Access::Write)?;
    let f = draft.validate()?;
    let now = app.now();
    let id = Uuid::now_v7();
    let mut tx = Tx::begin(app, p.actor()).await?;
    check(app, &*tx, &f).await?;
    let mut model = ActiveModel {
        custom: sea_orm::ActiveValue::Set(json!({})),
        ..<price_list::Entity as Record>::created(id, now, Some(p.user_id))
    };
    store::set_fields(&mut model, &f);
    let saved = price_list::Entity::insert(model)
        .exec_with_returning(&*tx)
        .await?;
    store::replace_items(&*tx, id, &f.items).await?;
    let changes = history::diff(&Value::Null, &snapshot(&f));
    tx.record(Event::new(ENTITY, id, "create", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Reads one price list.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<Model, AppError> {
    let vis = p.require(Entity::PriceLists, Access::Read)?;
    karta_db::records::find::<price_list::Entity, _>(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of price lists by name: live ones, or those in the trash
/// (`deleted`, for those who may restore them).
pub async fn list(
    app: &App,
    p: &Principal,
    deleted: bool,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let access = if deleted {
        Access::Delete
    } else {
        Access::Read
    };
    let vis = p.require(Entity::PriceLists, access)?;
    Ok(store::list(app.db.conn(), vis, deleted, cursor, limit).await?)
}

/// Applies a partial update at the given version; `items`, when sent,
/// replace all of the list's product prices.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<price_list::Entity, _>(
        app,
        &*tx,
        p,
        Entity::PriceLists,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let items = store::items(&*tx, id).await?;
    let before = store::fields_of(&current, &items);
    let after = crate::accounts::merge(&PriceListDraft::from(&before), patch)?.validate()?;
    check(app, &*tx, &after).await?;
    let changes = history::diff(&snapshot(&before), &snapshot(&after));
    if changes.is_empty() {
        tx.rollback().await?;
        return Ok(current);
    }
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, &after);
    let saved = records::save::<price_list::Entity>(&tx, model, id, current.version, None).await?;
    store::replace_items(&*tx, id, &after.items).await?;
    tx.record(Event::new(ENTITY, id, "update", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Moves a price list to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<price_list::Entity>(app, p, Entity::PriceLists, id, expected, delete)
        .await
}

/// The list's change history, newest first.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    records::history::<price_list::Entity>(app, p, Entity::PriceLists, id, &[], cursor, limit).await
}

/// Most products one quote request may name.
pub const MAX_QUOTED: usize = 500;

/// What `account_id` pays on `day` for each of `products`, in the order
/// asked, with the list and rule behind each price. The principal must
/// see the account.
pub async fn quotes(
    app: &App,
    p: &Principal,
    account_id: Uuid,
    products: &[Uuid],
    day: Date,
) -> Result<Vec<Quote>, AppError> {
    p.require(Entity::Products, Access::Read)?;
    if products.len() > MAX_QUOTED {
        return Err(AppError::field("product_id", "too_many"));
    }
    let account = crate::accounts::get(app, p, account_id, false).await?;
    let db = app.db.conn();
    let stored = karta_db::products::by_ids(db, products).await?;
    let quoted = crate::pricing::quotes_for(db, &account, &stored, day).await?;
    products
        .iter()
        .map(|id| {
            quoted
                .get(id)
                .cloned()
                .ok_or_else(|| AppError::field("product_id", "unknown_product"))
        })
        .collect()
}
