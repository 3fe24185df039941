//! Contract use cases: heads of sales and accountants keep contracts; the
//! account's team reads them. A contract in force decides an order's
//! products and prices (`check_lines`), its invoices' due dates, and the
//! customer's credit limit.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::contracts::{ContractDraft, ContractFields};
use karta_core::pricing::LineInput;
use karta_core::roles::{Access, Entity};
use karta_db::contracts as store;
pub use karta_db::contracts::fields_of;
use karta_db::entities::contract::{self, ActiveModel, Model};
use karta_db::history;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Map, Value, json};
use uuid::Uuid;

const ENTITY: &str = "contracts";

fn snapshot(f: &ContractFields) -> Value {
    serde_json::to_value(ContractDraft::from(f)).unwrap_or(Value::Null)
}

/// Checks what needs the database: the account (visible), the products
/// and the payment method exist. Returns the account.
async fn check<C: ConnectionTrait>(
    app: &App,
    p: &Principal,
    db: &C,
    f: &ContractFields,
) -> Result<karta_db::entities::account::Model, AppError> {
    let mut e = Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[(
            "payment_method",
            "payment_method",
            f.payment_method.as_deref(),
        )],
    )
    .await?;
    let account = crate::accounts::get(app, p, f.account_id, false).await.ok();
    if account.is_none() {
        e.push("account_id", "unknown_account");
    }
    let ids: Vec<Uuid> = f.items.iter().map(|i| i.product_id).collect();
    let known: Vec<Uuid> = karta_db::products::by_ids(db, &ids)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    for (i, item) in f.items.iter().enumerate() {
        if !known.contains(&item.product_id) {
            e.push(format!("items[{i}].product_id"), "unknown_product");
        }
    }
    e.into_result()?;
    account.ok_or(AppError::NotFound)
}

/// A contract with its products.
pub async fn fields(app: &App, m: &Model) -> Result<ContractFields, AppError> {
    let items = store::items(app.db.conn(), m.id).await?;
    Ok(store::fields_of(m, &items))
}

/// A page of contracts with their products (one query for all of them).
pub async fn fields_of_page(app: &App, page: &[Model]) -> Result<Vec<ContractFields>, AppError> {
    let ids: Vec<Uuid> = page.iter().map(|m| m.id).collect();
    let mut items = store::items_of(app.db.conn(), &ids).await?;
    Ok(page
        .iter()
        .map(|m| store::fields_of(m, &items.remove(&m.id).unwrap_or_default()))
        .collect())
}

/// Records a contract with its products.
pub async fn create(app: &App, p: &Principal, draft: ContractDraft) -> Result<Model, AppError> {
    p.require(Entity::Contracts, Access::Write)?;
    let f = draft.validate()?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let account = check(app, p, &*tx, &f).await?;
    let now = app.now();
    let id = Uuid::now_v7();
    let mut model = ActiveModel {
        custom: sea_orm::ActiveValue::Set(json!({})),
        owner_id: sea_orm::ActiveValue::Set(account.owner_id),
        team_id: sea_orm::ActiveValue::Set(account.team_id),
        ..<contract::Entity as Record>::created(id, now, Some(p.user_id))
    };
    store::set_fields(&mut model, &f);
    let saved = contract::Entity::insert(model)
        .exec_with_returning(&*tx)
        .await?;
    store::replace_items(&*tx, id, &f.items).await?;
    let changes = history::diff(&Value::Null, &snapshot(&f));
    tx.record(Event::new(ENTITY, id, "create", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Reads one contract.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<Model, AppError> {
    let vis = p.require(Entity::Contracts, Access::Read)?;
    karta_db::records::find::<contract::Entity, _>(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of contracts, newest first, of one account or all: live ones, or
/// those in the trash (`deleted`, for those who may restore them).
pub async fn list(
    app: &App,
    p: &Principal,
    account_id: Option<Uuid>,
    deleted: bool,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let access = if deleted {
        Access::Delete
    } else {
        Access::Read
    };
    let vis = p.require(Entity::Contracts, access)?;
    Ok(store::list(app.db.conn(), account_id, vis, deleted, cursor, limit).await?)
}

/// Applies a partial update at the given version; `items`, when sent,
/// replace all of the contract's products.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<contract::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Contracts,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let before = store::fields_of(&current, &store::items(&*tx, id).await?);
    let after = crate::accounts::merge(&ContractDraft::from(&before), patch)?.validate()?;
    check(app, p, &*tx, &after).await?;
    let changes = history::diff(&snapshot(&before), &snapshot(&after));
    if changes.is_empty() {
        tx.rollback().await?;
        return Ok(current);
    }
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, &after);
    let saved = records::save::<contract::Entity>(&tx, model, id, current.version, None).await?;
    store::replace_items(&*tx, id, &after.items).await?;
    tx.record(Event::new(ENTITY, id, "update", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Moves a contract to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<contract::Entity>(app, p, Entity::Contracts, id, expected, delete).await
}

/// The contract's change history, newest first.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    records::history::<contract::Entity>(app, p, Entity::Contracts, id, &[], cursor, limit).await
}

/// The contract an order for `account_id` is placed under: it must be the
/// account's and in force on `day`.
pub(crate) async fn for_order<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    account_id: Uuid,
    day: time::Date,
) -> Result<ContractFields, AppError> {
    let found =
        karta_db::records::find::<contract::Entity, _>(db, id, karta_db::Visibility::All, false)
            .await?
            .filter(|c| c.account_id == account_id);
    let Some(m) = found else {
        return Err(AppError::field("contract_id", "unknown_contract"));
    };
    let f = store::fields_of(&m, &store::items(db, id).await?);
    if !f.in_force(day) {
        return Err(AppError::field("contract_id", "contract_not_in_force"));
    }
    Ok(f)
}

/// Puts the contracted prices on an order's lines: every product must be
/// contracted (`not_in_contract`) and a typed price must be the contracted
/// one (`not_contract_price`).
pub fn contract_lines(
    contract: &ContractFields,
    lines: &[LineInput],
) -> Result<Vec<LineInput>, AppError> {
    let mut e = Invalid::default();
    let mut priced = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        match contract.price_of(l.product_id) {
            None => e.push(format!("lines[{i}].product_id"), "not_in_contract"),
            Some(price) if l.price_minor.is_some_and(|p| p != price) => {
                e.push(format!("lines[{i}].price_minor"), "not_contract_price")
            }
            Some(price) => priced.push(LineInput {
                price_minor: Some(price),
                ..*l
            }),
        }
    }
    e.into_result()?;
    Ok(priced)
}
