//! Invoice and payment storage: numbers, lists, what each account still
//! owes (for one account or a page of them in one query), what orders are
//! not yet invoiced, payments applied without overpaying, and releases of
//! credit holds.

use crate::Backend;
use crate::entities::{hold_release, invoice, order, payment};
use crate::page::{self, Cursor, Page};
use crate::records::Record;
use crate::visibility::Visibility;
use karta_core::invoices::Owed;
use karta_core::invoices::{InvoiceFilter, PaymentFilter};
use karta_core::orders::OrderStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Invoice statuses as stored.
pub const OPEN: &str = "open";
pub const PAID: &str = "paid";

/// Statuses of orders the customer will owe for.
const OWED_ORDER_STATUSES: [OrderStatus; 4] = [
    OrderStatus::Confirmed,
    OrderStatus::InProduction,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
];

/// `SUM(column)` as a 64-bit integer on both engines (PostgreSQL sums
/// bigints into numeric).
fn total(column: impl ColumnTrait) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(column)
        .sum()
        .cast_as(sea_orm::sea_query::Alias::new("bigint"))
}

/// The next invoice number.
pub async fn next_number<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    Ok(*crate::counters::take(db, "invoice_number", 1).await?.end())
}

/// A page of visible live invoices, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    filter: &InvoiceFilter,
    vis: Visibility,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<invoice::Model>, DbErr> {
    use invoice::Column;
    let mut cond = Condition::all().add(Column::DeletedAt.is_null());
    if let Some(search) = &filter.search {
        cond = cond.add(crate::search::documents(
            backend,
            search,
            Column::Number,
            Column::AccountId,
        ));
    }
    if let Some(a) = filter.account_id {
        cond = cond.add(Column::AccountId.eq(a));
    }
    if let Some(o) = filter.order_id {
        cond = cond.add(Column::OrderId.eq(o));
    }
    if let Some(s) = &filter.status {
        cond = cond.add(Column::Status.eq(s.clone()));
    }
    if let Some(d) = &filter.due_before {
        cond = cond
            .add(Column::Status.eq(OPEN))
            .add(Column::DueOn.lt(d.clone()));
    }
    if let Some(d) = &filter.issued_from {
        cond = cond.add(Column::IssuedOn.gte(d.clone()));
    }
    if let Some(d) = &filter.issued_to {
        cond = cond.add(Column::IssuedOn.lt(d.clone()));
    }
    let rows = page::keyset_over(
        invoice::Entity::find().filter(cond),
        vis.branches(invoice::Entity::scope()),
        Column::CreatedAt,
        Column::Id,
        true,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.created_at),
        id: m.id,
    }))
}

/// The unpaid invoices of these accounts, by account (one query).
pub async fn unpaid<C: ConnectionTrait>(
    db: &C,
    accounts: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Owed>>, DbErr> {
    use invoice::Column;
    let rows = invoice::Entity::find()
        .filter(Column::AccountId.is_in(accounts.iter().copied()))
        .filter(Column::Status.eq(OPEN))
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::DueOn)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<Owed>> = HashMap::new();
    for i in rows {
        out.entry(i.account_id).or_default().push(Owed {
            invoice_id: i.id,
            number: i.number,
            due_on: i.due_on,
            outstanding_minor: i.amount_minor - i.paid_minor,
            currency: i.currency,
        });
    }
    Ok(out)
}

/// What these accounts have ordered (confirmed and on) but not yet been
/// invoiced for, by account (two queries).
pub async fn uninvoiced<C: ConnectionTrait>(
    db: &C,
    accounts: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let ordered: Vec<(Uuid, i64)> = order::Entity::find()
        .select_only()
        .column(order::Column::AccountId)
        .column_as(total(order::Column::GrossMinor), "total")
        .filter(order::Column::AccountId.is_in(accounts.iter().copied()))
        .filter(order::Column::Status.is_in(OWED_ORDER_STATUSES.iter().map(|s| s.as_str())))
        .filter(order::Column::DeletedAt.is_null())
        .group_by(order::Column::AccountId)
        .into_tuple::<(Uuid, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(a, t)| (a, t.unwrap_or(0)))
        .collect();
    let invoiced: HashMap<Uuid, i64> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::AccountId)
        .column_as(total(invoice::Column::AmountMinor), "total")
        .filter(invoice::Column::AccountId.is_in(accounts.iter().copied()))
        .filter(invoice::Column::DeletedAt.is_null())
        .filter(
            invoice::Column::OrderId.in_subquery(sea_orm::QueryTrait::into_query(
                order::Entity::find()
                    .select_only()
                    .column(order::Column::Id)
                    .filter(order::Column::AccountId.is_in(accounts.iter().copied()))
                    .filter(
                        order::Column::Status.is_in(OWED_ORDER_STATUSES.iter().map(|s| s.as_str())),
                    ),
            )),
        )
        .group_by(invoice::Column::AccountId)
        .into_tuple::<(Uuid, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(a, t)| (a, t.unwrap_or(0)))
        .collect();
    Ok(ordered
        .into_iter()
        .map(|(a, total)| {
            let left = total - invoiced.get(&a).copied().unwrap_or(0);
            (a, Ord::max(left, 0))
        })
        .collect())
}

/// The amount already invoiced of an order (live invoices).
pub async fn invoiced_of_order<C: ConnectionTrait>(db: &C, order_id: Uuid) -> Result<i64, DbErr> {
    let total: Option<Option<i64>> = invoice::Entity::find()
        .select_only()
        .column_as(total(invoice::Column::AmountMinor), "total")
        .filter(invoice::Column::OrderId.eq(order_id))
        .filter(invoice::Column::DeletedAt.is_null())
        .into_tuple()
        .one(db)
        .await?;
    Ok(total.flatten().unwrap_or(0))
}

/// Adds a payment of `amount` to an invoice unless that would pay more
/// than it awaits; marks it paid when it is. `false` when refused.
pub async fn apply_payment<C: ConnectionTrait>(
    db: &C,
    invoice_id: Uuid,
    amount: i64,
) -> Result<bool, DbErr> {
    use invoice::Column;
    let done = invoice::Entity::update_many()
        .col_expr(Column::PaidMinor, Expr::col(Column::PaidMinor).add(amount))
        .filter(Column::Id.eq(invoice_id))
        .filter(Column::Status.eq(OPEN))
        .filter(
            Expr::col(Column::PaidMinor)
                .add(amount)
                .lte(Expr::col(Column::AmountMinor)),
        )
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    invoice::Entity::update_many()
        .col_expr(Column::Status, Expr::value(PAID))
        .filter(Column::Id.eq(invoice_id))
        .filter(Expr::col(Column::PaidMinor).eq(Expr::col(Column::AmountMinor)))
        .exec(db)
        .await?;
    Ok(true)
}

/// A page of visible live payments, latest payment date first.
pub async fn payments<C: ConnectionTrait>(
    db: &C,
    filter: &PaymentFilter,
    vis: Visibility,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<payment::Model>, DbErr> {
    use payment::Column;
    let mut cond = Condition::all().add(Column::DeletedAt.is_null());
    if let Some(a) = filter.account_id {
        cond = cond.add(Column::AccountId.eq(a));
    }
    if let Some(i) = filter.invoice_id {
        cond = cond.add(Column::InvoiceId.eq(i));
    }
    if let Some(d) = &filter.paid_from {
        cond = cond.add(Column::PaidOn.gte(d.clone()));
    }
    if let Some(d) = &filter.paid_to {
        cond = cond.add(Column::PaidOn.lt(d.clone()));
    }
    let rows = page::keyset_over(
        payment::Entity::find().filter(cond),
        vis.branches(payment::Entity::scope()),
        Column::PaidOn,
        Column::Id,
        true,
        cursor,
        limit,
    )
    .all(db)
    .await?;
    Ok(page::finish(rows, limit, |m| Cursor {
        k: json!(m.paid_on),
        id: m.id,
    }))
}

/// The furthest release still on record for these accounts, by account.
pub async fn releases<C: ConnectionTrait>(
    db: &C,
    accounts: &[Uuid],
    today: &str,
) -> Result<HashMap<Uuid, hold_release::Model>, DbErr> {
    let rows = hold_release::Entity::find()
        .filter(hold_release::Column::AccountId.is_in(accounts.iter().copied()))
        .filter(hold_release::Column::Until.gte(today))
        .order_by_asc(hold_release::Column::Until)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.account_id, r)).collect())
}

/// Records a release.
pub async fn add_release<C: ConnectionTrait>(
    db: &C,
    release: hold_release::Model,
) -> Result<(), DbErr> {
    hold_release::Entity::insert(sea_orm::IntoActiveModel::into_active_model(release))
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// The live invoice with this number, if any.
pub async fn by_number<C: ConnectionTrait>(
    db: &C,
    number: i64,
) -> Result<Option<invoice::Model>, DbErr> {
    invoice::Entity::find()
        .filter(invoice::Column::Number.eq(number))
        .filter(invoice::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// Which invoices a recorded payment is looked for on.
#[derive(Debug, Clone, Copy)]
pub enum PaidTo<'a> {
    /// One invoice.
    Invoice(Uuid),
    /// Any invoice of the accounts with this INN: a statement line that
    /// named no invoice, loaded again after it paid one.
    Inn(&'a str),
}

/// Whether a payment of `amount_minor` on `paid_on` with this reference
/// (none: without one) is recorded on those invoices already: a bank
/// statement loaded twice records nothing twice.
pub async fn payment_recorded<C: ConnectionTrait>(
    db: &C,
    to: PaidTo<'_>,
    amount_minor: i64,
    paid_on: &str,
    reference: Option<&str>,
) -> Result<bool, DbErr> {
    use crate::entities::account;
    let mut q = payment::Entity::find()
        .filter(payment::Column::AmountMinor.eq(amount_minor))
        .filter(payment::Column::PaidOn.eq(paid_on))
        .filter(payment::Column::DeletedAt.is_null());
    q = match to {
        PaidTo::Invoice(id) => q.filter(payment::Column::InvoiceId.eq(id)),
        PaidTo::Inn(inn) => {
            let of_inn = invoice::Entity::find()
                .select_only()
                .column(invoice::Column::Id)
                .filter(
                    invoice::Column::AccountId.in_subquery(sea_orm::QueryTrait::into_query(
                        account::Entity::find()
                            .select_only()
                            .column(account::Column::Id)
                            .filter(account::Column::Inn.eq(inn)),
                    )),
                );
            q.filter(
                payment::Column::InvoiceId.in_subquery(sea_orm::QueryTrait::into_query(of_inn)),
            )
        }
    };
    q = match reference {
        Some(r) => q.filter(payment::Column::Reference.eq(r)),
        None => q.filter(payment::Column::Reference.is_null()),
    };
    Ok(q.one(db).await?.is_some())
}

/// The open invoices of the live account with this INN.
pub async fn open_of_inn<C: ConnectionTrait>(
    db: &C,
    inn: &str,
) -> Result<Vec<invoice::Model>, DbErr> {
    use crate::entities::account;
    invoice::Entity::find()
        .filter(invoice::Column::Status.eq(OPEN))
        .filter(invoice::Column::DeletedAt.is_null())
        .filter(
            invoice::Column::AccountId.in_subquery(sea_orm::QueryTrait::into_query(
                account::Entity::find()
                    .select_only()
                    .column(account::Column::Id)
                    .filter(account::Column::Inn.eq(inn))
                    .filter(account::Column::DeletedAt.is_null()),
            )),
        )
        .all(db)
        .await
}

/// How many orders past draft (not cancelled) and invoices `account_id`
/// has, in the trash or not: accounting documents that must outlive the
/// account, whose purge would take them along.
pub async fn documents_of<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
) -> Result<(u64, u64), DbErr> {
    let orders = order::Entity::find()
        .filter(order::Column::AccountId.eq(account_id))
        .filter(
            order::Column::Status
                .is_not_in([OrderStatus::Draft.as_str(), OrderStatus::Cancelled.as_str()]),
        )
        .count(db)
        .await?;
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::AccountId.eq(account_id))
        .count(db)
        .await?;
    Ok((orders, invoices))
}
