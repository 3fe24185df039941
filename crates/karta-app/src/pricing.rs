//! Pricing for a customer, shared by every document with lines: the price
//! each product gets from the customer's price lists, then each line's net,
//! VAT and gross (`karta_core::pricing` holds the arithmetic).

use crate::AppError;
use karta_core::Invalid;
use karta_core::money::Currency;
use karta_core::price_lists::{Buyer, PriceListFields, PriceRule, Quote, quote};
use karta_core::pricing::{LineAmounts, LineInput, line};
use karta_db::entities::{account, product};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use time::Date;
use uuid::Uuid;

/// Who buys, as the price lists see an account.
fn buyer(account: &account::Model) -> Buyer {
    Buyer {
        account_id: Some(account.id),
        segment: account.segment.clone(),
        account_types: account
            .types
            .split(',')
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
    }
}

/// The quote for each of `products` (all live and loaded) for `account` on
/// `day`, by product id.
pub(crate) async fn quotes_for<C: ConnectionTrait>(
    db: &C,
    account: &account::Model,
    products: &[product::Model],
    day: Date,
) -> Result<HashMap<Uuid, Quote>, AppError> {
    let buyer = buyer(account);
    let ids: Vec<Uuid> = products.iter().map(|p| p.id).collect();
    let lists: Vec<(Uuid, PriceListFields)> = karta_db::price_lists::for_buyer(db, &buyer, &ids)
        .await?
        .into_iter()
        .filter(|(_, l)| l.applies(&buyer, day))
        .collect();
    let lists: Vec<(Uuid, &PriceListFields)> = lists.iter().map(|(id, l)| (*id, l)).collect();
    Ok(products
        .iter()
        .map(|p| {
            let currency = Currency::parse(&p.currency).unwrap_or_else(|_| Currency::rub());
            (p.id, quote(p.id, p.list_price_minor, &currency, &lists))
        })
        .collect())
}

/// One line with its product, price and money.
#[derive(Debug, Clone)]
pub struct PricedLine {
    pub product: product::Model,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub amounts: LineAmounts,
    pub price_list_id: Option<Uuid>,
    pub rule: PriceRule,
}

/// Prices `lines` for `account` on `day`. Every product must be live; an
/// inactive one only if `kept` names it (it was on the document already);
/// all must share one currency. Errors name `lines[i].field`.
pub(crate) async fn price_lines<C: ConnectionTrait>(
    db: &C,
    account: &account::Model,
    lines: &[LineInput],
    kept: &[Uuid],
    day: Date,
) -> Result<Vec<PricedLine>, AppError> {
    let ids: Vec<Uuid> = lines.iter().map(|l| l.product_id).collect();
    let products: HashMap<Uuid, product::Model> = karta_db::products::by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut e = Invalid::default();
    let mut found = Vec::new();
    let currency = lines
        .first()
        .and_then(|l| products.get(&l.product_id))
        .map(|p| p.currency.clone());
    for (i, l) in lines.iter().enumerate() {
        let field = format!("lines[{i}].product_id");
        match products.get(&l.product_id) {
            None => e.push(field, "unknown_product"),
            Some(p) if !p.active && !kept.contains(&p.id) => e.push(field, "product_inactive"),
            Some(p) if Some(&p.currency) != currency.as_ref() => e.push(field, "currency_mismatch"),
            Some(p) => found.push(p.clone()),
        }
    }
    e.into_result()?;
    found.dedup_by_key(|p| p.id);
    let quotes = quotes_for(db, account, &found, day).await?;
    let mut e = Invalid::default();
    let mut priced = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let (Some(product), Some(q)) = (products.get(&l.product_id), quotes.get(&l.product_id))
        else {
            continue;
        };
        let (unit_price, rule, list) = match l.price_minor {
            Some(p) => (p, PriceRule::Manual, None),
            None => (q.price_minor, q.rule, q.price_list_id),
        };
        match line(l.quantity, unit_price, l.discount_bp, product.vat_rate) {
            Some(amounts) => priced.push(PricedLine {
                product: product.clone(),
                quantity: l.quantity,
                unit_price_minor: unit_price,
                discount_bp: l.discount_bp,
                amounts,
                price_list_id: list,
                rule,
            }),
            None => e.push(format!("lines[{i}].quantity"), "out_of_range"),
        }
    }
    e.into_result()?;
    Ok(priced)
}
