//! Invoices (счета), payments (оплаты) and the credit hold (стоп-отгрузка):
//! what a customer owes, what it paid, and the rule that stops confirming
//! and shipping to a customer in arrears.
//!
//! The hold rule: an account is on hold when it has an unpaid invoice past
//! its due date, or when what it owes and has ordered (open invoices plus
//! confirmed orders not yet invoiced) exceeds its credit limit. A release
//! by an accountant lifts the hold until the date it names.

use crate::Invalid;
use crate::accounts::{clean_text, optional};
use crate::contacts::parse_date;
use crate::products::MAX_AMOUNT;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

/// Days to pay when no contract says otherwise.
pub const DEFAULT_PAYMENT_DAYS: i64 = 14;

/// Longest a hold may be released for.
pub const MAX_RELEASE_DAYS: i64 = 30;

/// An invoice as a client asks for it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceDraft {
    pub order_id: Option<Uuid>,
    /// With VAT, in minor units; what is not yet invoiced of the order when
    /// absent (an advance invoice asks for less).
    pub amount_minor: Option<i64>,
    /// `YYYY-MM-DD`; today when absent.
    pub issued_on: Option<String>,
    /// `YYYY-MM-DD`; the issue date plus the contract's payment days (14
    /// without a contract) when absent.
    pub due_on: Option<String>,
}

/// A checked invoice request (the order is checked against the database).
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRequest {
    pub order_id: Uuid,
    pub amount_minor: Option<i64>,
    pub issued_on: Option<Date>,
    pub due_on: Option<Date>,
}

impl InvoiceDraft {
    /// Checks what needs no database.
    pub fn validate(self) -> Result<InvoiceRequest, Invalid> {
        let mut e = Invalid::default();
        if self.order_id.is_none() {
            e.push("order_id", "required");
        }
        if self
            .amount_minor
            .is_some_and(|a| !(1..=MAX_AMOUNT).contains(&a))
        {
            e.push("amount_minor", "out_of_range");
        }
        let issued_on = optional(&mut e, "issued_on", self.issued_on, parse_date);
        let due_on = optional(&mut e, "due_on", self.due_on, parse_date);
        if let (Some(i), Some(d)) = (issued_on, due_on)
            && d < i
        {
            e.push("due_on", "invalid_period");
        }
        e.into_result().map(|()| InvoiceRequest {
            order_id: self.order_id.unwrap_or_default(),
            amount_minor: self.amount_minor,
            issued_on,
            due_on,
        })
    }
}

/// A payment as a client records it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentDraft {
    pub invoice_id: Option<Uuid>,
    /// In minor units; at most what the invoice still awaits.
    pub amount_minor: Option<i64>,
    /// `YYYY-MM-DD`; today when absent.
    pub paid_on: Option<String>,
    /// Classifier `payment_method`.
    pub method: Option<String>,
    /// The bank document's number or another reference.
    pub reference: Option<String>,
}

/// A checked payment.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    pub invoice_id: Uuid,
    pub amount_minor: i64,
    pub paid_on: Option<Date>,
    pub method: Option<String>,
    pub reference: Option<String>,
}

impl PaymentDraft {
    /// Checks what needs no database.
    pub fn validate(self) -> Result<PaymentRequest, Invalid> {
        let mut e = Invalid::default();
        if self.invoice_id.is_none() {
            e.push("invoice_id", "required");
        }
        match self.amount_minor {
            None => e.push("amount_minor", "required"),
            Some(a) if !(1..=MAX_AMOUNT).contains(&a) => e.push("amount_minor", "out_of_range"),
            Some(_) => {}
        }
        let paid_on = optional(&mut e, "paid_on", self.paid_on, parse_date);
        let method = clean_text(&mut e, "method", self.method, 64);
        let reference = clean_text(&mut e, "reference", self.reference, 200);
        e.into_result().map(|()| PaymentRequest {
            invoice_id: self.invoice_id.unwrap_or_default(),
            amount_minor: self.amount_minor.unwrap_or_default(),
            paid_on,
            method,
            reference,
        })
    }
}

/// An accountant's release of a hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldRelease {
    /// Why the customer may have goods despite the debt. Required.
    pub comment: Option<String>,
    /// `YYYY-MM-DD`, up to 30 days ahead; three days from today when absent.
    pub until: Option<String>,
}

impl HoldRelease {
    /// The comment and the last day of the release.
    pub fn validate(self, today: Date) -> Result<(String, Date), Invalid> {
        let mut e = Invalid::default();
        let comment = clean_text(&mut e, "comment", self.comment, 2_000);
        if comment.is_none() && e.0.is_empty() {
            e.push("comment", "required");
        }
        let until = optional(&mut e, "until", self.until, parse_date)
            .unwrap_or(today + time::Duration::days(3));
        if until < today || until > today + time::Duration::days(MAX_RELEASE_DAYS) {
            e.push("until", "out_of_range");
        }
        e.into_result()?;
        Ok((comment.unwrap_or_default(), until))
    }
}

/// One unpaid invoice, as the hold rule sees it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Owed {
    pub invoice_id: Uuid,
    pub number: i64,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub outstanding_minor: i64,
    /// The invoice's currency (ISO 4217).
    pub currency: String,
}

/// Why an account is (or is not) on hold.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CreditHold {
    pub on_hold: bool,
    /// `overdue`, `over_limit`, or null.
    pub reason: Option<String>,
    /// The sum of unpaid amounts past their due date.
    pub overdue_minor: i64,
    /// The earliest due date missed (`YYYY-MM-DD`).
    pub overdue_since: Option<String>,
    /// The overdue invoices.
    pub invoices: Vec<Owed>,
    /// Open invoices plus confirmed orders not yet invoiced.
    pub exposure_minor: i64,
    pub credit_limit_minor: Option<i64>,
    /// The last day of an accountant's release, while it lasts.
    pub released_until: Option<String>,
}

/// Applies the hold rule to what an account owes on `today`.
pub fn credit_hold(
    unpaid: &[Owed],
    uninvoiced_orders_minor: i64,
    credit_limit_minor: Option<i64>,
    released_until: Option<Date>,
    today: Date,
) -> CreditHold {
    let today_text = crate::contacts::date_text(today);
    let overdue: Vec<Owed> = unpaid
        .iter()
        .filter(|o| o.outstanding_minor > 0 && o.due_on < today_text)
        .cloned()
        .collect();
    let overdue_minor = overdue.iter().map(|o| o.outstanding_minor).sum();
    let exposure_minor =
        unpaid.iter().map(|o| o.outstanding_minor).sum::<i64>() + uninvoiced_orders_minor;
    let reason = if !overdue.is_empty() {
        Some("overdue")
    } else if credit_limit_minor.is_some_and(|limit| exposure_minor > limit) {
        Some("over_limit")
    } else {
        None
    };
    let released = released_until.filter(|until| *until >= today);
    CreditHold {
        on_hold: reason.is_some() && released.is_none(),
        reason: reason.map(String::from),
        overdue_minor,
        overdue_since: overdue.iter().map(|o| o.due_on.clone()).min(),
        invoices: overdue,
        exposure_minor,
        credit_limit_minor,
        released_until: released.map(crate::contacts::date_text),
    }
}

/// How an invoice number is shown: `СЧ-000042` (`INV-000042` in English).
pub fn number_label(number: i64, lang: &str) -> String {
    let prefix = if lang == "en" { "INV" } else { "СЧ" };
    format!("{prefix}-{number:06}")
}

/// Invoice list filters; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// The search box: a number or the client.
    pub search: Option<crate::search::DocumentSearch>,
    pub account_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    /// `open` or `paid`.
    pub status: Option<String>,
    /// Open invoices due before this day (`YYYY-MM-DD`): the overdue ones.
    pub due_before: Option<String>,
    /// Issued on or after / before (`YYYY-MM-DD`), for accounting periods.
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
}

/// Payment list filters.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub account_id: Option<Uuid>,
    pub invoice_id: Option<Uuid>,
    /// Paid on or after / before (`YYYY-MM-DD`).
    pub paid_from: Option<String>,
    pub paid_to: Option<String>,
}

impl InvoiceFilter {
    /// Reads the list parameters (`overdue` is the caller's: it needs
    /// today's date on the user's clock).
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            search: q.search(),
            account_id: q.id("account_id"),
            order_id: q.id("order_id"),
            status: q.choice("status", |s| {
                matches!(s, "open" | "paid").then(|| s.to_string())
            }),
            due_before: None,
            issued_from: q.day("issued_from"),
            issued_to: q.day("issued_to"),
        }
    }
}

impl PaymentFilter {
    /// Reads the list parameters.
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            account_id: q.id("account_id"),
            invoice_id: q.id("invoice_id"),
            paid_from: q.day("paid_from"),
            paid_to: q.day("paid_to"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        parse_date(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn owed(number: i64, due_on: &str, outstanding: i64) -> Owed {
        Owed {
            invoice_id: Uuid::from_u128(number as u128),
            number,
            due_on: due_on.into(),
            outstanding_minor: outstanding,
            currency: "RUB".into(),
        }
    }

    #[test]
    fn an_unpaid_invoice_past_due_puts_the_account_on_hold_until_released() {
        let unpaid = [owed(1, "2026-03-01", 500), owed(2, "2026-03-20", 300)];
        let hold = credit_hold(&unpaid, 0, None, None, day("2026-03-10"));
        assert!(hold.on_hold);
        assert_eq!(hold.reason.as_deref(), Some("overdue"));
        assert_eq!((hold.overdue_minor, hold.exposure_minor), (500, 800));
        assert_eq!(hold.overdue_since.as_deref(), Some("2026-03-01"));
        assert_eq!(hold.invoices.len(), 1);
        // Due today is not overdue yet.
        assert!(!credit_hold(&unpaid, 0, None, None, day("2026-03-01")).on_hold);
        // Released until the 12th: through the 12th, not after.
        let released = Some(day("2026-03-12"));
        assert!(!credit_hold(&unpaid, 0, None, released, day("2026-03-12")).on_hold);
        assert!(credit_hold(&unpaid, 0, None, released, day("2026-03-13")).on_hold);
    }

    #[test]
    fn exposure_over_the_credit_limit_is_a_hold_too() {
        let unpaid = [owed(1, "2026-04-01", 700)];
        let hold = credit_hold(&unpaid, 400, Some(1_000), None, day("2026-03-10"));
        assert_eq!(
            (hold.on_hold, hold.reason.as_deref()),
            (true, Some("over_limit"))
        );
        assert!(!credit_hold(&unpaid, 300, Some(1_000), None, day("2026-03-10")).on_hold);
    }

    #[test]
    fn a_release_needs_a_reason_and_a_near_end() {
        let today = day("2026-03-10");
        let e = HoldRelease::default()
            .validate(today)
            .err()
            .unwrap_or_default();
        assert_eq!(e.0[0].code, "required");
        let e = HoldRelease {
            comment: Some("Гарантийное письмо".into()),
            until: Some("2026-05-01".into()),
        }
        .validate(today)
        .err()
        .unwrap_or_default();
        assert_eq!(e.0[0].code, "out_of_range");
        let ok = HoldRelease {
            comment: Some("Гарантийное письмо".into()),
            until: None,
        }
        .validate(today);
        assert_eq!(ok.map(|(_, d)| d).ok(), Some(day("2026-03-13")));
    }
}
