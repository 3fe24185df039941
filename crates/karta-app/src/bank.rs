//! Loading a bank statement: each incoming payment is matched to the
//! invoice its purpose names (the payer's INN must be the customer's), or,
//! without a number, to the one open invoice of that INN for exactly that
//! amount; matched payments are recorded as payments. What cannot be
//! matched is listed with the reason. Loading the same statement again
//! records nothing twice.

use crate::{App, AppError, Principal};
use karta_core::bank::{StatementLine, invoice_numbers, read_statement};
use karta_core::invoices::PaymentDraft;
use karta_core::roles::{Access, Entity};
use karta_db::entities::invoice;
use karta_db::invoices::PaidTo;
use serde::Serialize;
use uuid::Uuid;

/// A statement line recorded as a payment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Matched {
    pub line: u64,
    pub invoice_id: Uuid,
    pub invoice_number: i64,
    pub amount_minor: i64,
    pub paid_on: String,
    pub payment_id: Uuid,
}

/// A statement line left for a person, and why: `no_invoice` (no number
/// and no single open invoice of the payer for that amount),
/// `unknown_invoice`, `inn_mismatch`, `already_paid`, `exceeds_outstanding`,
/// `already_recorded`, or a reading problem (`invalid_date`,
/// `invalid_money`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unmatched {
    pub line: u64,
    pub date: Option<String>,
    pub amount_minor: Option<i64>,
    pub payer_inn: Option<String>,
    pub purpose: Option<String>,
    pub reason: String,
}

/// What loading a statement did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct StatementResult {
    pub matched: Vec<Matched>,
    pub unmatched: Vec<Unmatched>,
}

fn unmatched(l: &StatementLine, reason: &str) -> Unmatched {
    Unmatched {
        line: l.line,
        date: Some(l.date.clone()),
        amount_minor: Some(l.amount_minor),
        payer_inn: l.payer_inn.clone(),
        purpose: Some(l.purpose.clone()),
        reason: reason.to_string(),
    }
}

/// The invoice a line pays, or why there is none.
async fn invoice_for(app: &App, l: &StatementLine) -> Result<invoice::Model, &'static str> {
    let db = app.db.conn();
    let numbers = invoice_numbers(&l.purpose);
    if numbers.is_empty() {
        let Some(inn) = &l.payer_inn else {
            return Err("no_invoice");
        };
        let mut exact: Vec<invoice::Model> = karta_db::invoices::open_of_inn(db, inn)
            .await
            .map_err(|_| "no_invoice")?
            .into_iter()
            .filter(|i| i.amount_minor - i.paid_minor == l.amount_minor)
            .collect();
        return match exact.len() {
            1 => Ok(exact.remove(0)),
            _ => Err("no_invoice"),
        };
    }
    for number in numbers {
        let Ok(Some(found)) = karta_db::invoices::by_number(db, number).await else {
            continue;
        };
        let account =
            karta_db::accounts::find(db, found.account_id, karta_db::Visibility::All, false)
                .await
                .ok()
                .flatten();
        let payer_is_customer = match (&l.payer_inn, account.and_then(|a| a.inn)) {
            (Some(payer), Some(customer)) => *payer == customer,
            // Without an INN on either side, the number alone decides.
            _ => true,
        };
        if !payer_is_customer {
            return Err("inn_mismatch");
        }
        return Ok(found);
    }
    Err("unknown_invoice")
}

/// Loads a statement (accountants): matches and records what it can,
/// lists the rest.
pub async fn load_statement(
    app: &App,
    p: &Principal,
    file: Vec<u8>,
) -> Result<StatementResult, AppError> {
    p.require(Entity::Invoices, Access::Write)?;
    let (lines, unread) = read_statement(file).map_err(|code| AppError::field("file", code))?;
    let mut result = StatementResult::default();
    for u in unread {
        result.unmatched.push(Unmatched {
            line: u.line,
            date: None,
            amount_minor: None,
            payer_inn: None,
            purpose: None,
            reason: u.code.to_string(),
        });
    }
    for l in &lines {
        let invoice = match invoice_for(app, l).await {
            Ok(i) => i,
            Err(reason) => {
                // A line without a number paid its invoice last time, which
                // is why no open invoice matches it now.
                let recorded = match (&l.payer_inn, reason) {
                    (Some(inn), "no_invoice") => {
                        karta_db::invoices::payment_recorded(
                            app.db.conn(),
                            PaidTo::Inn(inn),
                            l.amount_minor,
                            &l.date,
                            l.reference.as_deref(),
                        )
                        .await?
                    }
                    _ => false,
                };
                let reason = if recorded { "already_recorded" } else { reason };
                result.unmatched.push(unmatched(l, reason));
                continue;
            }
        };
        let recorded = karta_db::invoices::payment_recorded(
            app.db.conn(),
            PaidTo::Invoice(invoice.id),
            l.amount_minor,
            &l.date,
            l.reference.as_deref(),
        )
        .await?;
        if recorded {
            result.unmatched.push(unmatched(l, "already_recorded"));
            continue;
        }
        if invoice.paid_minor >= invoice.amount_minor {
            result.unmatched.push(unmatched(l, "already_paid"));
            continue;
        }
        let draft = PaymentDraft {
            invoice_id: Some(invoice.id),
            amount_minor: Some(l.amount_minor),
            paid_on: Some(l.date.clone()),
            method: None,
            reference: l.reference.clone(),
        };
        match crate::invoices::pay(app, p, draft).await {
            Ok(payment) => result.matched.push(Matched {
                line: l.line,
                invoice_id: invoice.id,
                invoice_number: invoice.number,
                amount_minor: l.amount_minor,
                paid_on: l.date.clone(),
                payment_id: payment.id,
            }),
            Err(AppError::Invalid(e)) => {
                let code = e.0.first().map(|f| f.code).unwrap_or("invalid");
                result.unmatched.push(unmatched(l, code));
            }
            Err(e) => return Err(e),
        }
    }
    result.unmatched.sort_by_key(|u| u.line);
    Ok(result)
}
