//! Invoice use cases: invoicing a confirmed order (numbered in sequence,
//! due after the payment terms), recording payments (partial ones too,
//! never more than is owed), the credit hold of accounts, and an
//! accountant's release of a hold. Overdue is decided from the due date on
//! every read, so it is always exact for the day.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::contacts::date_text;
use karta_core::invoices::{
    CreditHold, DEFAULT_PAYMENT_DAYS, HoldRelease, InvoiceDraft, Owed, PaymentDraft, credit_hold,
};
use karta_core::invoices::{InvoiceFilter, PaymentFilter};
use karta_core::orders::OrderStatus;
use karta_core::roles::{Access, Entity};
use karta_db::entities::{account, hold_release, invoice, payment};
use karta_db::history;
use karta_db::invoices as store;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use std::collections::HashMap;
use time::Date;
use uuid::Uuid;

/// Invoices an order that is confirmed or further along: the amount not
/// yet invoiced unless less is asked for (an advance).
pub async fn create(
    app: &App,
    p: &Principal,
    draft: InvoiceDraft,
) -> Result<invoice::Model, AppError> {
    p.require(Entity::Invoices, Access::Write)?;
    let req = draft.validate()?;
    let order = match crate::orders::get(app, p, req.order_id).await {
        Ok(o) => o,
        Err(AppError::NotFound) => return Err(AppError::field("order_id", "unknown_order")),
        Err(e) => return Err(e),
    };
    let status = OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Draft);
    if matches!(status, OrderStatus::Draft | OrderStatus::Cancelled) {
        return Err(AppError::Conflict("order_not_confirmed"));
    }
    let mut tx = Tx::begin(app, p.actor()).await?;
    let left = order.gross_minor - store::invoiced_of_order(&*tx, order.id).await?;
    let amount = req.amount_minor.unwrap_or(left);
    if left <= 0 {
        return Err(AppError::Conflict("order_invoiced"));
    }
    if amount > left {
        return Err(AppError::field("amount_minor", "exceeds_order"));
    }
    let issued = req.issued_on.unwrap_or_else(|| app.today(p));
    // The contract's payment terms, else the default.
    let days = match order.contract_id {
        Some(id) => karta_db::records::find::<karta_db::entities::contract::Entity, _>(
            &*tx,
            id,
            karta_db::Visibility::All,
            false,
        )
        .await?
        .map_or(DEFAULT_PAYMENT_DAYS, |c| i64::from(c.payment_days)),
        None => DEFAULT_PAYMENT_DAYS,
    };
    let due = req.due_on.unwrap_or(issued + time::Duration::days(days));
    let now = app.now();
    let id = Uuid::now_v7();
    let number = store::next_number(&*tx).await?;
    let model = invoice::ActiveModel {
        number: Set(number),
        order_id: Set(order.id),
        account_id: Set(order.account_id),
        issued_on: Set(date_text(issued)),
        due_on: Set(date_text(due)),
        currency: Set(order.currency.clone()),
        amount_minor: Set(amount),
        paid_minor: Set(0),
        status: Set(store::OPEN.to_string()),
        owner_id: Set(order.owner_id),
        team_id: Set(order.team_id),
        custom: Set(json!({})),
        ..<invoice::Entity as Record>::created(id, now, Some(p.user_id))
    };
    let saved = invoice::Entity::insert(model)
        .exec_with_returning(&*tx)
        .await?;
    let changes = history::diff(
        &Value::Null,
        &json!({"number": number, "order_id": order.id, "amount_minor": amount,
                "issued_on": date_text(issued), "due_on": date_text(due)}),
    );
    tx.record(Event::new("invoices", id, "create", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Reads one invoice.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<invoice::Model, AppError> {
    let vis = p.require(Entity::Invoices, Access::Read)?;
    karta_db::records::find::<invoice::Entity, _>(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of visible invoices, newest first.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: InvoiceFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<invoice::Model>, AppError> {
    let vis = p.require(Entity::Invoices, Access::Read)?;
    Ok(store::list(app.db.conn(), app.db.backend(), &filter, vis, cursor, limit).await?)
}

/// Records a payment against an invoice; it may be partial, never more
/// than the invoice still awaits.
pub async fn pay(
    app: &App,
    p: &Principal,
    draft: PaymentDraft,
) -> Result<payment::Model, AppError> {
    p.require(Entity::Invoices, Access::Write)?;
    let req = draft.validate()?;
    let invoice = match get(app, p, req.invoice_id).await {
        Ok(i) => i,
        Err(AppError::NotFound) => return Err(AppError::field("invoice_id", "unknown_invoice")),
        Err(e) => return Err(e),
    };
    let mut e = karta_core::Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[("method", "payment_method", req.method.as_deref())],
    )
    .await?;
    e.into_result()?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    if !store::apply_payment(&*tx, invoice.id, req.amount_minor).await? {
        return Err(AppError::field("amount_minor", "exceeds_outstanding"));
    }
    let now = app.now();
    let id = Uuid::now_v7();
    let paid_on = date_text(req.paid_on.unwrap_or_else(|| app.today(p)));
    let model = payment::ActiveModel {
        invoice_id: Set(invoice.id),
        account_id: Set(invoice.account_id),
        amount_minor: Set(req.amount_minor),
        currency: Set(invoice.currency.clone()),
        paid_on: Set(paid_on.clone()),
        method: Set(req.method.clone()),
        reference: Set(req.reference.clone()),
        owner_id: Set(invoice.owner_id),
        team_id: Set(invoice.team_id),
        custom: Set(json!({})),
        ..<payment::Entity as Record>::created(id, now, Some(p.user_id))
    };
    let saved = payment::Entity::insert(model)
        .exec_with_returning(&*tx)
        .await?;
    let changes = history::diff(
        &Value::Null,
        &json!({"invoice_id": invoice.id, "amount_minor": req.amount_minor, "paid_on": paid_on,
                "reference": req.reference}),
    );
    tx.record(Event::new("payments", id, "create", changes));
    tx.commit().await?;
    Ok(saved)
}

/// A page of visible payments, latest first.
pub async fn payments(
    app: &App,
    p: &Principal,
    filter: PaymentFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<payment::Model>, AppError> {
    let vis = p.require(Entity::Invoices, Access::Read)?;
    Ok(store::payments(app.db.conn(), &filter, vis, cursor, limit).await?)
}

/// The credit hold today of each of `accounts` the principal may read (a
/// page of accounts, or one account card), in a fixed number of queries.
pub async fn holds_of(
    app: &App,
    p: &Principal,
    accounts: &[account::Model],
) -> Result<HashMap<Uuid, CreditHold>, AppError> {
    let vis = p.require(Entity::Accounts, Access::Read)?;
    let ids: Vec<Uuid> = accounts
        .iter()
        .filter(|a| account::Entity::visible(&vis, a))
        .map(|a| a.id)
        .collect();
    holds(app.db.conn(), &ids, app.today(p)).await
}

/// The credit hold of each account on `today`, in a fixed number of
/// queries whatever their count (lists of accounts use it).
pub(crate) async fn holds<C: ConnectionTrait>(
    db: &C,
    accounts: &[Uuid],
    today: Date,
) -> Result<HashMap<Uuid, CreditHold>, AppError> {
    if accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let mut unpaid = store::unpaid(db, accounts).await?;
    let uninvoiced = store::uninvoiced(db, accounts).await?;
    let releases = store::releases(db, accounts, &date_text(today)).await?;
    let limits = karta_db::contracts::credit_limits(db, accounts, &date_text(today)).await?;
    Ok(accounts
        .iter()
        .map(|a| {
            let owed = unpaid.remove(a).unwrap_or_default();
            let released = releases
                .get(a)
                .and_then(|r| karta_core::contacts::parse_date(&r.until).ok());
            let hold = credit_hold(
                &owed,
                uninvoiced.get(a).copied().unwrap_or(0),
                limits.get(a).copied(),
                released,
                today,
            );
            (*a, hold)
        })
        .collect())
}

/// The credit hold of one account the principal may see.
pub async fn hold_of(app: &App, p: &Principal, account_id: Uuid) -> Result<CreditHold, AppError> {
    crate::accounts::get(app, p, account_id, false).await?;
    let mut all = holds(app.db.conn(), &[account_id], app.today(p)).await?;
    all.remove(&account_id).ok_or(AppError::NotFound)
}

/// Refuses with `credit_hold` (and why) when the account is on hold, or
/// when `adding_minor` more (an order being confirmed) would take it over
/// its credit limit.
pub(crate) async fn check_hold<C: ConnectionTrait>(
    app: &App,
    p: &Principal,
    db: &C,
    account_id: Uuid,
    adding_minor: i64,
) -> Result<(), AppError> {
    let Some(mut hold) = holds(db, &[account_id], app.today(p))
        .await?
        .remove(&account_id)
    else {
        return Ok(());
    };
    let over = hold
        .credit_limit_minor
        .is_some_and(|limit| hold.exposure_minor + adding_minor > limit);
    if !hold.on_hold && over && hold.released_until.is_none() {
        hold.on_hold = true;
        hold.reason = Some("over_limit".into());
        hold.exposure_minor += adding_minor;
    }
    if hold.on_hold {
        return Err(AppError::Refused {
            code: "credit_hold",
            facts: serde_json::to_value(&hold).unwrap_or(Value::Null),
        });
    }
    Ok(())
}

/// An accountant lets a customer on hold have goods until a date, saying
/// why; the release is recorded on the account's history.
pub async fn release_hold(
    app: &App,
    p: &Principal,
    account_id: Uuid,
    release: HoldRelease,
) -> Result<CreditHold, AppError> {
    p.require(Entity::Invoices, Access::Write)?;
    let account: account::Model = crate::accounts::get(app, p, account_id, false).await?;
    let (comment, until) = release.validate(app.today(p))?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let now = app.now();
    store::add_release(
        &*tx,
        hold_release::Model {
            id: Uuid::now_v7(),
            account_id: account.id,
            until: date_text(until),
            comment: comment.clone(),
            user_id: Some(p.user_id),
            at: now,
        },
    )
    .await?;
    let changes = history::diff(
        &Value::Null,
        &json!({"hold_released_until": date_text(until), "comment": comment}),
    );
    tx.record(Event::new("accounts", account.id, "release_hold", changes));
    tx.commit().await?;
    hold_of(app, p, account_id).await
}

/// The history of an invoice: its creation and changes.
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    records::history::<invoice::Entity>(app, p, Entity::Invoices, id, &[], cursor, limit).await
}

/// What the account still owes, invoice by invoice, when the principal may
/// see the account.
pub async fn owed(app: &App, p: &Principal, account_id: Uuid) -> Result<Vec<Owed>, AppError> {
    crate::accounts::get(app, p, account_id, false).await?;
    Ok(store::unpaid(app.db.conn(), &[account_id])
        .await?
        .remove(&account_id)
        .unwrap_or_default())
}
