//! Catalogue use cases: every role reads the catalogue; administrators and
//! heads of sales keep it. Cost prices are shown only to roles that see
//! margins, in the record and in its history alike.

use crate::uow::{Event, Indexing, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::products::{ProductDraft, ProductFields};
use karta_core::products::{ProductFilter, ProductSort};
use karta_core::roles::{Access, Entity};
use karta_db::entities::product::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::products as store;
pub use karta_db::products::fields_of;
use karta_db::records::Record;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Map, Value, json};
use uuid::Uuid;

const ENTITY: &str = "products";

/// Fields a role that does not see margins never sees, here or in history.
pub const COST_FIELDS: &[&str] = &["cost_price_minor"];

fn snapshot(f: &ProductFields) -> Value {
    serde_json::to_value(ProductDraft::from(f)).unwrap_or(Value::Null)
}

/// Checks what needs the database: the category exists, and no other
/// product (live or in the trash) holds the article.
async fn check<C: ConnectionTrait>(
    app: &App,
    db: &C,
    f: &ProductFields,
    this: Option<Uuid>,
) -> Result<(), AppError> {
    let mut e = Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[("category", "product_category", f.category.as_deref())],
    )
    .await?;
    if let Some(other) = store::with_sku(db, f.sku.as_str()).await?
        && Some(other.id) != this
    {
        e.push("sku", "already_exists");
    }
    Ok(e.into_result()?)
}

/// Keeps the product findable by article, names and description.
fn reindexing(f: &ProductFields) -> Indexing {
    Indexing::Replace(store::search_text(f), String::new())
}

/// Adds a product to the catalogue.
pub async fn create(app: &App, p: &Principal, draft: ProductDraft) -> Result<Model, AppError> {
    p.require(Entity::Products, Access::Write)?;
    let f = draft.validate()?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    check(app, &*tx, &f, None).await?;
    let saved = insert(&mut tx, &f).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Inserts checked fields as a new product.
pub(crate) async fn insert(tx: &mut Tx<'_>, f: &ProductFields) -> Result<Model, AppError> {
    let id = Uuid::now_v7();
    let mut model = ActiveModel {
        custom: sea_orm::ActiveValue::Set(json!({})),
        ..<product::Entity as Record>::created(id, tx.now(), tx.actor().user_id)
    };
    store::set_fields(&mut model, f);
    let saved = product::Entity::insert(model)
        .exec_with_returning(&**tx)
        .await?;
    let changes = history::diff(&Value::Null, &snapshot(f));
    let indexing = Indexing::New(store::search_text(f), String::new());
    tx.record(Event::new(ENTITY, id, "create", changes).indexed(indexing));
    Ok(saved)
}

/// Validates a draft and checks it against the catalogue, for a new
/// product (`current` is `None`) or over `current`.
pub(crate) async fn prepare<C: ConnectionTrait>(
    app: &App,
    db: &C,
    draft: ProductDraft,
    current: Option<&Model>,
) -> Result<ProductFields, AppError> {
    let f = draft.validate()?;
    check(app, db, &f, current.map(|c| c.id)).await?;
    // Confirmed orders hold stock; it cannot drop below what they hold.
    if current.is_some_and(|c| f.stock_quantity < c.reserved_quantity) {
        return Err(AppError::field("stock_quantity", "below_reserved"));
    }
    Ok(f)
}

/// Writes checked fields over `current`; `None` when nothing changes.
pub(crate) async fn rewrite(
    tx: &mut Tx<'_>,
    current: &Model,
    after: &ProductFields,
) -> Result<Option<Model>, AppError> {
    let before = store::fields_of(current);
    let changes = history::diff(&snapshot(&before), &snapshot(after));
    if changes.is_empty() {
        return Ok(None);
    }
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, after);
    let saved =
        records::save::<product::Entity>(tx, model, current.id, current.version, None).await?;
    tx.record(Event::new(ENTITY, current.id, "update", changes).indexed(reindexing(after)));
    Ok(Some(saved))
}

/// Reads one product (live, or in the trash with `deleted`).
pub async fn get(app: &App, p: &Principal, id: Uuid, deleted: bool) -> Result<Model, AppError> {
    let vis = p.require(Entity::Products, Access::Read)?;
    karta_db::records::find::<product::Entity, _>(app.db.conn(), id, vis, deleted)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of the catalogue.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: ProductFilter,
    sort: ProductSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    // The trash is for those who may restore from it.
    let access = if filter.deleted {
        Access::Delete
    } else {
        Access::Read
    };
    let vis = p.require(Entity::Products, access)?;
    Ok(store::list(
        app.db.conn(),
        app.db.backend(),
        &filter,
        vis,
        sort,
        cursor,
        limit,
    )
    .await?)
}

/// Applies a partial update at the given version.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<product::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Products,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let before = ProductDraft::from(&store::fields_of(&current));
    let draft = crate::accounts::merge(&before, patch)?;
    let after = prepare(app, &*tx, draft, Some(&current)).await?;
    let saved = rewrite(&mut tx, &current, &after).await?;
    tx.commit().await?;
    Ok(saved.unwrap_or(current))
}

/// Moves a product to the trash (`delete`) or back. Documents that name
/// it keep their lines; a trashed product is simply no longer offered.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<product::Entity>(app, p, Entity::Products, id, expected, delete).await
}

/// The product's change history, newest first; cost prices are left out
/// for roles that do not see margins.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    let hidden: &[&str] = if p.sees_costs() { &[] } else { COST_FIELDS };
    records::history::<product::Entity>(app, p, Entity::Products, id, hidden, cursor, limit).await
}

/// The live products of `ids` the principal may see, for documents that
/// list several.
pub async fn by_ids(app: &App, p: &Principal, ids: &[Uuid]) -> Result<Vec<Model>, AppError> {
    let vis = p.require(Entity::Products, Access::Read)?;
    Ok(karta_db::records::visible::<product::Entity, _>(app.db.conn(), ids, vis).await?)
}

/// The product with this article number, when the principal may see it
/// (pasted order and deal lines name products by SKU).
pub async fn with_sku(app: &App, p: &Principal, sku: &str) -> Result<Option<Model>, AppError> {
    let vis = p.require(Entity::Products, Access::Read)?;
    Ok(store::with_sku(app.db.conn(), sku)
        .await?
        .filter(|m| product::Entity::visible(&vis, m)))
}
