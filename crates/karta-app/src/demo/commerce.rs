//! The demo's two years of trade: customers ordering from the catalogue
//! every month or two, each order confirmed, invoiced, shipped, delivered
//! and paid — most on time, some late (their holds released by the
//! accountant), a few customers on credit hold now, a few who stopped
//! buying; three good customers under contracts. Every step goes through the use cases at its own date, so
//! tracking histories, invoices and payments look lived-in.

use super::Rng;
use crate::{App, AppError, Principal};
use karta_core::invoices::{HoldRelease, InvoiceDraft, PaymentDraft};
use karta_core::orders::{OrderDraft, StatusChange};
use karta_core::pricing::LineDraft;
use karta_core::time::FixedClock;
use std::sync::Arc;
use uuid::Uuid;

const DAY: i64 = 86_400_000_000;
const MONTH: i64 = 30 * DAY;

/// How a customer pays.
#[derive(Clone, Copy, PartialEq)]
enum Payer {
    OnTime,
    Late,
    /// Its latest invoices are unpaid and overdue: on hold today.
    InArrears,
    /// Stopped buying most of a year ago.
    Gone,
}

/// The app as it was at `at`.
fn at(app: &App, at: i64) -> App {
    App {
        clock: Arc::new(FixedClock::new(at)),
        ..app.clone()
    }
}

fn date(app: &App, p: &Principal) -> String {
    karta_core::contacts::date_text(app.today(p))
}

/// Moves an order at `when`; a hold on the way is released by accounting
/// first (as it would be for a good customer who is a little late).
async fn move_order(
    app: &App,
    sales: &Principal,
    accounting: &Principal,
    order: Uuid,
    status: &str,
    when: i64,
) -> Result<(), AppError> {
    let then = at(app, when);
    for _ in 0..2 {
        let current = crate::orders::get(&then, sales, order).await?;
        let change = StatusChange {
            status: Some(status.into()),
            comment: None,
        };
        match crate::orders::change_status(&then, sales, order, Some(current.version), change).await
        {
            Err(AppError::Refused {
                code: "credit_hold",
                ..
            }) => {
                let release = HoldRelease {
                    comment: Some("Гарантийное письмо, оплата в течение недели".into()),
                    until: None,
                };
                crate::invoices::release_hold(&then, accounting, current.account_id, release)
                    .await?;
            }
            other => return other.map(|_| ()),
        }
    }
    Ok(())
}

/// Loads two years of orders, invoices and payments for `buyers`
/// (account ids). Stock for the history is added first and brought back
/// to the catalogue's figures (plus what open orders hold) at the end.
pub(super) async fn load(
    app: &App,
    sales: &Principal,
    accounting: &Principal,
    buyers: &[Uuid],
) -> Result<(), AppError> {
    let products = super::catalogue::products(app, sales).await?;
    let targets: Vec<(Uuid, i64)> = products.iter().map(|p| (p.id, p.stock_quantity)).collect();
    for p in &products {
        let patch = serde_json::json!({"stock_quantity": p.stock_quantity + 10_000});
        let patch = patch.as_object().cloned().unwrap_or_default();
        crate::products::update(app, sales, p.id, Some(p.version), patch).await?;
    }
    // Buyers order everyday goods; machines now and then.
    let everyday: Vec<Uuid> = products
        .iter()
        .filter(|p| p.active && p.category.as_deref() != Some("machines"))
        .map(|p| p.id)
        .collect();
    let machines: Vec<Uuid> = products
        .iter()
        .filter(|p| p.active && p.category.as_deref() == Some("machines"))
        .map(|p| p.id)
        .collect();
    let now = app.now();
    let mut rng = Rng(2024);
    for (i, account) in buyers.iter().enumerate() {
        let payer = match i % 8 {
            3 => Payer::Late,
            5 if i < 24 => Payer::InArrears,
            7 => Payer::Gone,
            _ => Payer::OnTime,
        };
        let stop = if payer == Payer::Gone {
            now - 9 * MONTH
        } else {
            now
        };
        let mut t = now - 24 * MONTH + rng.below(60) as i64 * DAY;
        while t < stop - 3 * DAY {
            let mut lines = Vec::new();
            for _ in 0..1 + rng.below(3) {
                lines.push(LineDraft {
                    product_id: Some(*rng.pick(&everyday)),
                    quantity: Some(1 + rng.below(20) as i64),
                    ..Default::default()
                });
            }
            if rng.below(10) == 0 {
                lines.push(LineDraft {
                    product_id: Some(*rng.pick(&machines)),
                    quantity: Some(1),
                    ..Default::default()
                });
            }
            lines.sort_by_key(|l| l.product_id);
            lines.dedup_by_key(|l| l.product_id);
            let placed = crate::orders::create(
                &at(app, t),
                sales,
                OrderDraft {
                    account_id: Some(*account),
                    lines,
                    ..Default::default()
                },
            )
            .await?;
            trade(app, sales, accounting, &placed, payer, t, &mut rng).await?;
            t += MONTH + rng.below(45) as i64 * DAY;
        }
    }
    // Three good customers buy under contracts: everyday goods 5 % below
    // list, 30 days to pay, a credit limit well above their orders.
    for (n, account) in buyers.iter().take(3).enumerate() {
        let items = products
            .iter()
            .filter(|p| p.active && p.category.as_deref() != Some("machines"))
            .take(6)
            .map(|p| karta_core::contracts::ContractItemDraft {
                product_id: Some(p.id),
                price_minor: Some(p.list_price_minor * 95 / 100),
            })
            .collect();
        let draft = karta_core::contracts::ContractDraft {
            account_id: Some(*account),
            number: Some(format!("Д-2025/{}", 101 + n)),
            signed_on: Some(date(&at(app, now - 12 * MONTH), sales)),
            valid_from: Some(date(&at(app, now - 12 * MONTH), sales)),
            valid_to: Some(date(&at(app, now + 12 * MONTH), sales)),
            status: Some("active".into()),
            payment_days: Some(30),
            credit_limit_minor: Some(5_000_000_000),
            payment_method: Some("transfer".into()),
            currency: None,
            items,
        };
        crate::contracts::create(app, sales, draft).await?;
    }
    // Back to the catalogue's stock, plus what open orders still hold.
    for (id, target) in targets {
        let p = crate::products::get(app, sales, id, false).await?;
        let patch = serde_json::json!({"stock_quantity": target + p.reserved_quantity});
        let patch = patch.as_object().cloned().unwrap_or_default();
        crate::products::update(app, sales, id, Some(p.version), patch).await?;
    }
    Ok(())
}

/// Takes one order as far as time has gone: confirmed and invoiced the
/// next day, shipped after three more, delivered after three more, paid
/// as the payer pays, closed when paid and delivered.
async fn trade(
    app: &App,
    sales: &Principal,
    accounting: &Principal,
    order: &karta_db::entities::order::Model,
    payer: Payer,
    placed: i64,
    rng: &mut Rng,
) -> Result<(), AppError> {
    let now = app.now();
    let steps = [
        ("confirmed", placed + DAY),
        ("shipped", placed + 4 * DAY),
        ("delivered", placed + 7 * DAY),
    ];
    let mut delivered = false;
    let mut paid_at = None;
    for (status, when) in steps {
        if when > now {
            break;
        }
        move_order(app, sales, accounting, order.id, status, when).await?;
        if status == "confirmed" {
            let then = at(app, when);
            let invoice = crate::invoices::create(
                &then,
                accounting,
                InvoiceDraft {
                    order_id: Some(order.id),
                    ..Default::default()
                },
            )
            .await?;
            let pays_at = match payer {
                Payer::OnTime | Payer::Gone => when + (3 + rng.below(11)) as i64 * DAY,
                Payer::Late => when + (24 + rng.below(35)) as i64 * DAY,
                // The last three months stay unpaid.
                Payer::InArrears if when > now - 3 * MONTH => i64::MAX,
                Payer::InArrears => when + (10 + rng.below(20)) as i64 * DAY,
            };
            if pays_at <= now {
                paid_at = Some(pays_at);
                let then = at(app, pays_at);
                let payment = PaymentDraft {
                    invoice_id: Some(invoice.id),
                    amount_minor: Some(invoice.amount_minor),
                    paid_on: Some(date(&then, accounting)),
                    method: None,
                    reference: Some(format!("п/п {}", 100 + rng.below(900))),
                };
                crate::invoices::pay(&then, accounting, payment).await?;
            }
        }
        delivered = status == "delivered";
    }
    let closes_at = paid_at.map(|paid| paid.max(placed + 7 * DAY) + DAY);
    if let Some(when) = closes_at.filter(|when| delivered && *when <= now) {
        move_order(app, sales, accounting, order.id, "closed", when).await?;
    }
    Ok(())
}
