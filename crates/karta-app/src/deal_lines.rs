//! Deal lines (товары в сделке): the products a deal is about, priced from
//! the customer's price lists unless a price is typed. Once a deal has
//! lines, its amount is their total with VAT and follows every change.

use crate::pricing::PricedLine;
use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::pricing::{LineDraft, LineInput, total, validate_lines};
use karta_core::roles::{Access, Entity};
use karta_db::entities::{deal, deal_line};
use karta_db::history::FieldChange;
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};
use uuid::Uuid;

/// The lines of a deal the principal may read, in order.
pub async fn get(
    app: &App,
    p: &Principal,
    deal_id: Uuid,
) -> Result<Vec<deal_line::Model>, AppError> {
    crate::deals::get(app, p, deal_id, false).await?;
    Ok(karta_db::deal_lines::of_deal(app.db.conn(), deal_id).await?)
}

/// What history keeps of a line.
fn summary(sku: &str, quantity: i64, unit_price: i64, discount_bp: i64, gross: i64) -> Value {
    json!({
        "sku": sku,
        "quantity": quantity,
        "unit_price_minor": unit_price,
        "discount_percent": karta_core::price_lists::percent(discount_bp),
        "gross_minor": gross,
    })
}

fn row(deal_id: Uuid, position: usize, l: &PricedLine) -> deal_line::ActiveModel {
    deal_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        deal_id: Set(deal_id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        product_id: Set(l.product.id),
        sku: Set(l.product.sku.clone()),
        name: Set(l.product.name.clone()),
        unit: Set(l.product.unit.clone()),
        quantity: Set(l.quantity),
        list_price_minor: Set(l.product.list_price_minor),
        unit_price_minor: Set(l.unit_price_minor),
        discount_bp: Set(l.discount_bp),
        vat_rate: Set(l.product.vat_rate),
        net_minor: Set(l.amounts.net_minor),
        vat_minor: Set(l.amounts.vat_minor),
        gross_minor: Set(l.amounts.gross_minor),
        currency: Set(l.product.currency.clone()),
        price_list_id: Set(l.price_list_id),
        price_rule: Set(l.rule.as_str().to_string()),
    }
}

/// Replaces a deal's lines (at the deal's version) and sets its amount and
/// currency from them. Prices come from the account's price lists today
/// unless a line gives one. With no lines left, the amount stays as it was
/// and may be typed again.
pub async fn set(
    app: &App,
    p: &Principal,
    deal_id: Uuid,
    expected: Option<i64>,
    drafts: Vec<LineDraft>,
) -> Result<(deal::Model, Vec<deal_line::Model>), AppError> {
    let inputs: Vec<LineInput> = validate_lines(drafts)?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<deal::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Deals,
        deal_id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let before = karta_db::deal_lines::of_deal(&*tx, deal_id).await?;
    let account =
        karta_db::accounts::find(&*tx, current.account_id, karta_db::Visibility::All, false)
            .await?
            .ok_or_else(|| AppError::field("account_id", "unknown_account"))?;
    let kept: Vec<Uuid> = before.iter().map(|l| l.product_id).collect();
    let priced = crate::pricing::price_lines(&*tx, &account, &inputs, &kept, app.today(p)).await?;
    let sum = total(&priced.iter().map(|l| l.amounts).collect::<Vec<_>>())
        .ok_or_else(|| AppError::field("lines", "out_of_range"))?;
    let old: Vec<Value> = before
        .iter()
        .map(|l| {
            summary(
                &l.sku,
                l.quantity,
                l.unit_price_minor,
                l.discount_bp,
                l.gross_minor,
            )
        })
        .collect();
    let new: Vec<Value> = priced
        .iter()
        .map(|l| {
            summary(
                &l.product.sku,
                l.quantity,
                l.unit_price_minor,
                l.discount_bp,
                l.amounts.gross_minor,
            )
        })
        .collect();
    if old == new {
        tx.rollback().await?;
        return Ok((current, before));
    }
    let mut changes = vec![FieldChange {
        field: "lines".into(),
        old: Some(Value::Array(old)),
        new: Some(Value::Array(new)),
    }];
    let mut model = deal::ActiveModel::default();
    if let Some(first) = priced.first() {
        if sum.gross_minor != current.amount_minor {
            changes.push(FieldChange {
                field: "amount_minor".into(),
                old: Some(json!(current.amount_minor)),
                new: Some(json!(sum.gross_minor)),
            });
        }
        model.amount_minor = Set(sum.gross_minor);
        model.currency = Set(first.product.currency.clone());
    }
    let saved = records::save::<deal::Entity>(&tx, model, deal_id, current.version, None).await?;
    let rows = priced
        .iter()
        .enumerate()
        .map(|(i, l)| row(deal_id, i, l))
        .collect();
    karta_db::deal_lines::replace(&*tx, deal_id, rows).await?;
    tx.record(Event::new("deals", deal_id, "update", changes));
    tx.commit().await?;
    let lines = karta_db::deal_lines::of_deal(app.db.conn(), deal_id).await?;
    Ok((saved, lines))
}
