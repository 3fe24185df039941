//! Trade for the national-firm dataset: the demo catalogue, then orders on
//! every live account over the past two years with their lines, tracking,
//! invoices and payments — most paid on time, some late, some unpaid past
//! their due date (customers on hold today), a few cancelled or still
//! drafts — written in bulk batches, numbered from the same counters the
//! use cases take.

use crate::demo::Rng;
use crate::{App, AppError};
use karta_core::contacts::date_text;
use karta_core::orders::OrderStatus;
use karta_core::pricing::{LineAmounts, line, total};
use karta_core::products::ProductFields;
use karta_core::time::{DAY, from_micros};
use karta_db::entities::{classifier, invoice, order, order_event, order_line, payment, product};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

/// Accounts read per step.
const ACCOUNTS_PER_STEP: u64 = 500;
/// Days to pay an invoice.
const PAYMENT_DAYS: i64 = 14;

/// What an order line is made from.
struct Offer {
    id: Uuid,
    fields: ProductFields,
}

/// How an account pays, decided once per account from the seed.
#[derive(Clone, Copy, PartialEq)]
enum Payer {
    OnTime,
    /// Pays in two halves, the second after the due date.
    InParts,
    Late,
    /// Leaves what fell due in the last two months unpaid.
    InArrears,
}

/// The rows of one step's orders, written together.
#[derive(Default)]
struct Batch {
    orders: Vec<order::ActiveModel>,
    lines: Vec<order_line::ActiveModel>,
    events: Vec<order_event::ActiveModel>,
    invoices: Vec<invoice::ActiveModel>,
    payments: Vec<payment::ActiveModel>,
}

/// Adds the demo catalogue (when the catalogue is empty) and `per_account`
/// orders to every live account. Returns the time taken.
pub async fn generate_orders(
    app: &App,
    per_account: usize,
    seed: u64,
) -> Result<std::time::Duration, AppError> {
    let started = std::time::Instant::now();
    let offers = catalogue(app).await?;
    let mut rng = Rng(seed);
    let now = app.now();
    let mut after: Option<Uuid> = None;
    loop {
        let accounts = super::accounts_after(app, after, ACCOUNTS_PER_STEP).await?;
        let Some(last) = accounts.last() else {
            break;
        };
        after = Some(last.0);
        let txn = app.db.begin_write().await?;
        let count = accounts.len() * per_account;
        let mut order_numbers = karta_db::counters::take(&txn, "order_number", count).await?;
        let mut invoice_numbers = karta_db::counters::take(&txn, "invoice_number", count).await?;
        let mut batch = Batch::default();
        for (account_id, owner, team) in &accounts {
            let payer = match rng.below(100) {
                0..=69 => Payer::OnTime,
                70..=79 => Payer::InParts,
                80..=91 => Payer::Late,
                _ => Payer::InArrears,
            };
            for _ in 0..per_account {
                let order = Trade {
                    account_id: *account_id,
                    owner: *owner,
                    team: *team,
                    payer,
                    now,
                };
                let number = order_numbers.next().unwrap_or_default();
                order.add(&mut batch, &mut rng, &offers, number, &mut invoice_numbers);
            }
        }
        karta_db::bulk::insert_all::<order::Entity, _>(&txn, batch.orders).await?;
        karta_db::bulk::insert_all::<order_line::Entity, _>(&txn, batch.lines).await?;
        karta_db::bulk::insert_all::<order_event::Entity, _>(&txn, batch.events).await?;
        karta_db::bulk::insert_all::<invoice::Entity, _>(&txn, batch.invoices).await?;
        karta_db::bulk::insert_all::<payment::Entity, _>(&txn, batch.payments).await?;
        txn.commit().await?;
    }
    app.db.analyze().await?;
    Ok(started.elapsed())
}

/// The active products to sell: the demo catalogue, loaded first (with its
/// categories) when the catalogue is empty.
async fn catalogue(app: &App) -> Result<Vec<Offer>, AppError> {
    let db = app.db.conn();
    if product::Entity::find().count(db).await? == 0 {
        let now = app.now();
        let categories = crate::demo::catalogue::CATEGORIES.iter().enumerate();
        let mut rows = Vec::new();
        for (i, (kind, code, ru, en)) in categories {
            if karta_db::classifiers::by_code(db, kind, code)
                .await?
                .is_none()
            {
                rows.push(classifier::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    kind: Set(kind.to_string()),
                    code: Set(code.to_string()),
                    label_ru: Set(ru.to_string()),
                    label_en: Set(en.to_string()),
                    position: Set(i as i32),
                    active: Set(true),
                    default_minutes: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                });
            }
        }
        let actor = karta_db::history::Actor {
            user_id: None,
            channel: "import",
        };
        let mut tx = crate::uow::Tx::begin(app, actor).await?;
        karta_db::bulk::insert_all::<classifier::Entity, _>(&*tx, rows).await?;
        for draft in crate::demo::catalogue::drafts() {
            let fields = draft.validate().map_err(AppError::Invalid)?;
            crate::products::insert(&mut tx, &fields).await?;
        }
        tx.commit().await?;
    }
    Ok(product::Entity::find()
        .filter(product::Column::DeletedAt.is_null())
        .filter(product::Column::Active.eq(true))
        .order_by_asc(product::Column::Sku)
        .all(db)
        .await?
        .iter()
        .map(|m| Offer {
            id: m.id,
            fields: karta_db::products::fields_of(m),
        })
        .collect())
}

/// One account's order being made up.
struct Trade {
    account_id: Uuid,
    owner: Option<Uuid>,
    team: Option<Uuid>,
    payer: Payer,
    now: i64,
}

impl Trade {
    /// Adds an order numbered `number` placed some day in the past two
    /// years, moved as far as its age allows, invoiced and paid as the
    /// account pays.
    fn add(
        &self,
        batch: &mut Batch,
        rng: &mut Rng,
        offers: &[Offer],
        number: i64,
        invoice_numbers: &mut impl Iterator<Item = i64>,
    ) {
        let id = Uuid::now_v7();
        let placed =
            self.now - (1 + rng.below(730) as i64) * DAY - rng.below(600) as i64 * 60_000_000;
        let age_days = (self.now - placed) / DAY;
        let mut amounts = Vec::new();
        for position in 0..1 + rng.below(3) {
            let offer = rng.pick(offers);
            let f = &offer.fields;
            let quantity = if f.list_price_minor > 100_000_000 {
                1
            } else {
                1 + rng.below(10) as i64
            };
            let discount_bp = [0, 0, 0, 300, 500][rng.below(5)];
            let Some(a) = line(quantity, f.list_price_minor, discount_bp, f.vat_rate) else {
                continue;
            };
            amounts.push(a);
            batch.lines.push(order_line::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(id),
                position: Set(position as i32),
                product_id: Set(offer.id),
                sku: Set(f.sku.to_string()),
                name: Set(f.name.clone()),
                unit: Set(f.unit.as_str().to_string()),
                quantity: Set(quantity),
                list_price_minor: Set(f.list_price_minor),
                unit_price_minor: Set(f.list_price_minor),
                discount_bp: Set(discount_bp),
                vat_rate: Set(f.vat_rate),
                net_minor: Set(a.net_minor),
                vat_minor: Set(a.vat_minor),
                gross_minor: Set(a.gross_minor),
                currency: Set(f.currency.to_string()),
                price_list_id: Set(None),
                price_rule: Set(if discount_bp == 0 {
                    "list_price"
                } else {
                    "manual"
                }
                .into()),
            });
        }
        let sum = total(&amounts).unwrap_or(LineAmounts {
            net_minor: 0,
            vat_minor: 0,
            gross_minor: 0,
        });
        // Where the order got to: a few drafts and cancellations, the rest
        // as far along as their age allows.
        let path: &[(OrderStatus, i64)] = match rng.below(100) {
            0..=3 => &[],
            4..=7 => &[(OrderStatus::Cancelled, 2)],
            _ => &[
                (OrderStatus::Confirmed, 1),
                (OrderStatus::Shipped, 6),
                (OrderStatus::Delivered, 10),
                (OrderStatus::Closed, 45),
            ],
        };
        let mut status = OrderStatus::Draft;
        let mut status_at = placed;
        self.event(batch, id, None, status, placed);
        for (next, after_days) in path {
            if *after_days > age_days {
                break;
            }
            let at = placed + after_days * DAY;
            self.event(batch, id, Some(status), *next, at);
            status = *next;
            status_at = at;
        }
        batch.orders.push(order::ActiveModel {
            number: Set(number),
            account_id: Set(self.account_id),
            contract_id: Set(None),
            contract_override: Set(None),
            deal_id: Set(None),
            status: Set(status.as_str().into()),
            status_at: Set(status_at),
            payment_method: Set(None),
            delivery_address: Set(None),
            comment: Set(None),
            currency: Set("RUB".into()),
            net_minor: Set(sum.net_minor),
            vat_minor: Set(sum.vat_minor),
            gross_minor: Set(sum.gross_minor),
            owner_id: Set(self.owner),
            team_id: Set(self.team),
            custom: Set(json!({})),
            ..<order::Entity as Record>::created(id, placed, None)
        });
        if !matches!(status, OrderStatus::Draft | OrderStatus::Cancelled) {
            let number = invoice_numbers.next().unwrap_or_default();
            self.invoice(batch, rng, id, number, placed + DAY, sum.gross_minor);
        }
    }

    fn event(
        &self,
        batch: &mut Batch,
        order_id: Uuid,
        from: Option<OrderStatus>,
        to: OrderStatus,
        at: i64,
    ) {
        batch.events.push(order_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(order_id),
            at: Set(at),
            user_id: Set(self.owner),
            channel: Set("import".into()),
            from_status: Set(from.map(|s| s.as_str().to_string())),
            to_status: Set(to.as_str().into()),
            comment: Set(None),
        });
    }

    /// An invoice for the whole order, and the payments this payer made on
    /// it by today.
    fn invoice(
        &self,
        batch: &mut Batch,
        rng: &mut Rng,
        order_id: Uuid,
        number: i64,
        issued: i64,
        amount: i64,
    ) {
        let id = Uuid::now_v7();
        let due = issued + PAYMENT_DAYS * DAY;
        let half = amount / 2;
        let paid: Vec<(i64, i64)> = match self.payer {
            Payer::OnTime => vec![(
                issued + rng.below(PAYMENT_DAYS as usize) as i64 * DAY,
                amount,
            )],
            Payer::InParts => vec![(issued + 3 * DAY, half), (due + 10 * DAY, amount - half)],
            Payer::Late => vec![(due + (5 + rng.below(40) as i64) * DAY, amount)],
            Payer::InArrears if self.now - due < 60 * DAY => Vec::new(),
            Payer::InArrears => vec![(due + 30 * DAY, amount)],
        };
        let paid: Vec<(i64, i64)> = paid.into_iter().filter(|(at, _)| *at <= self.now).collect();
        let paid_minor: i64 = paid.iter().map(|(_, sum)| sum).sum();
        for (at, sum) in &paid {
            batch.payments.push(payment::ActiveModel {
                invoice_id: Set(id),
                account_id: Set(self.account_id),
                amount_minor: Set(*sum),
                currency: Set("RUB".into()),
                paid_on: Set(day(*at)),
                method: Set(None),
                reference: Set(Some(format!("п/п {}", 1000 + rng.below(9000)))),
                owner_id: Set(self.owner),
                team_id: Set(self.team),
                custom: Set(json!({})),
                ..<payment::Entity as Record>::created(Uuid::now_v7(), *at, None)
            });
        }
        let status = if paid_minor >= amount {
            karta_db::invoices::PAID
        } else {
            karta_db::invoices::OPEN
        };
        batch.invoices.push(invoice::ActiveModel {
            number: Set(number),
            order_id: Set(order_id),
            account_id: Set(self.account_id),
            issued_on: Set(day(issued)),
            due_on: Set(day(due)),
            currency: Set("RUB".into()),
            amount_minor: Set(amount),
            paid_minor: Set(paid_minor),
            status: Set(status.into()),
            owner_id: Set(self.owner),
            team_id: Set(self.team),
            custom: Set(json!({})),
            ..<invoice::Entity as Record>::created(id, issued, None)
        });
    }
}

fn day(at: i64) -> String {
    date_text(from_micros(at).date())
}
