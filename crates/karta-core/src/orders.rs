//! Orders (заказы): what a customer bought, its lines, and where it is on
//! its way — draft → confirmed → in production → shipped → delivered →
//! closed, or cancelled before it ships.

use crate::Invalid;
use crate::accounts::{clean_text, vocabulary};
use crate::pricing::LineDraft;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

vocabulary!(
    /// Where an order is.
    OrderStatus {
        Draft = "draft",
        Confirmed = "confirmed",
        InProduction = "in_production",
        Shipped = "shipped",
        Delivered = "delivered",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

impl OrderStatus {
    /// The statuses an order may move to from this one. Goods in stock may
    /// ship straight from confirmed; an order is cancelled only before it
    /// ships.
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Draft => &[Confirmed, Cancelled],
            Confirmed => &[InProduction, Shipped, Cancelled],
            InProduction => &[Shipped, Cancelled],
            Shipped => &[Delivered],
            Delivered => &[Closed],
            Closed | Cancelled => &[],
        }
    }

    /// Whether the order holds stock for its lines (reserved on
    /// confirmation until shipped or cancelled).
    pub fn holds_stock(self) -> bool {
        matches!(self, OrderStatus::Confirmed | OrderStatus::InProduction)
    }
}

/// A new order as a client sends it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderDraft {
    pub account_id: Option<Uuid>,
    /// The contract it is placed under, if any.
    pub contract_id: Option<Uuid>,
    /// The deal it came from, if any.
    pub deal_id: Option<Uuid>,
    #[serde(default)]
    pub lines: Vec<LineDraft>,
    /// Classifier `payment_method`.
    pub payment_method: Option<String>,
    pub delivery_address: Option<String>,
    pub comment: Option<String>,
    /// With `contract_id`: why this order departs from the contract (other
    /// products or prices). Heads of sales and administrators only; the
    /// reason is recorded.
    pub contract_override: Option<String>,
}

/// The checked head of an order (lines are checked by
/// `pricing::validate_lines`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderHead {
    pub account_id: Uuid,
    pub contract_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub payment_method: Option<String>,
    pub delivery_address: Option<String>,
    pub comment: Option<String>,
    pub contract_override: Option<String>,
}

impl OrderDraft {
    /// Checks the head; the lines are returned for pricing.
    pub fn validate(self) -> Result<(OrderHead, Vec<LineDraft>), Invalid> {
        let mut e = Invalid::default();
        if self.account_id.is_none() {
            e.push("account_id", "required");
        }
        if self.lines.is_empty() {
            e.push("lines", "required");
        }
        let head = OrderHead {
            account_id: self.account_id.unwrap_or_default(),
            contract_id: self.contract_id,
            deal_id: self.deal_id,
            payment_method: clean_text(&mut e, "payment_method", self.payment_method, 64),
            delivery_address: clean_text(&mut e, "delivery_address", self.delivery_address, 500),
            comment: clean_text(&mut e, "comment", self.comment, 2_000),
            contract_override: clean_text(
                &mut e,
                "contract_override",
                self.contract_override,
                2_000,
            ),
        };
        e.into_result().map(|()| (head, self.lines))
    }
}

/// A status change as a client asks for it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// confirmed, in_production, shipped, delivered, closed, cancelled.
    pub status: Option<String>,
    pub comment: Option<String>,
}

impl StatusChange {
    /// The target status and the comment; the move itself is checked
    /// against the order's current status (`OrderStatus::next`).
    pub fn validate(self) -> Result<(OrderStatus, Option<String>), Invalid> {
        let mut e = Invalid::default();
        let status = match self.status.as_deref() {
            Some(s) => e.take("status", OrderStatus::parse(s)),
            None => {
                e.push("status", "required");
                None
            }
        };
        let comment = clean_text(&mut e, "comment", self.comment, 2_000);
        e.into_result()?;
        Ok((status.unwrap_or(OrderStatus::Draft), comment))
    }
}

/// How an order number is shown: `З-000042` in Russian, `SO-000042` in English.
pub fn number_label(number: i64, lang: &str) -> String {
    let prefix = if lang == "en" { "SO" } else { "З" };
    format!("{prefix}-{number:06}")
}

/// List filters; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// The search box: a number or the client.
    pub search: Option<crate::search::DocumentSearch>,
    pub account_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub status: Option<OrderStatus>,
    /// Orders created from this instant on (micros).
    pub created_from: Option<i64>,
    /// Orders created before this instant (micros).
    pub created_to: Option<i64>,
}

impl OrderFilter {
    /// Reads the list parameters (periods are the accounting exports',
    /// which read days on the company's clock).
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            search: q.search(),
            account_id: q.id("account_id"),
            deal_id: q.id("deal_id"),
            status: q.parsed("status", OrderStatus::parse),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_move_forward_and_are_cancelled_only_before_shipping() {
        use OrderStatus::*;
        assert!(Draft.next().contains(&Confirmed));
        assert!(!Draft.next().contains(&Shipped));
        assert!(Confirmed.next().contains(&Shipped));
        assert!(InProduction.next().contains(&Cancelled));
        assert!(!Shipped.next().contains(&Cancelled));
        assert!(Closed.next().is_empty() && Cancelled.next().is_empty());
        assert!(Confirmed.holds_stock() && InProduction.holds_stock());
        assert!(!Draft.holds_stock() && !Shipped.holds_stock());
        assert_eq!(number_label(42, "ru"), "З-000042");
    }

    #[test]
    fn a_status_change_names_a_status() {
        let e = StatusChange::default().validate().err().unwrap_or_default();
        assert_eq!(e.0[0].code, "required");
        let e = StatusChange {
            status: Some("lost".into()),
            comment: None,
        }
        .validate()
        .err()
        .unwrap_or_default();
        assert_eq!(e.0[0].code, "invalid_choice");
    }
}
