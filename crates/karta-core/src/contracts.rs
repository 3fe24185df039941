//! Contracts (договоры): what one customer may buy at which prices, how
//! many days it has to pay, its credit limit and how it pays. An order
//! placed under a contract takes only the contracted products at the
//! contracted prices.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use crate::contacts::{date_text, parse_date};
use crate::money::Currency;
use crate::price_lists::MAX_ITEMS;
use crate::products::MAX_AMOUNT;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

vocabulary!(
    /// Where a contract stands.
    ContractStatus { Draft = "draft", Active = "active", Terminated = "terminated" }
);

/// Longest deferral of payment, in days.
pub const MAX_PAYMENT_DAYS: i32 = 365;

/// One contracted product and its price.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractItemDraft {
    pub product_id: Option<Uuid>,
    /// Net of VAT, per unit, in minor units of the contract's currency.
    pub price_minor: Option<i64>,
}

/// A contract as clients send it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractDraft {
    pub account_id: Option<Uuid>,
    /// The contract's own number, as signed (`Д-2026/17`).
    pub number: Option<String>,
    /// `YYYY-MM-DD`.
    pub signed_on: Option<String>,
    /// `YYYY-MM-DD`; required.
    pub valid_from: Option<String>,
    /// `YYYY-MM-DD`; open-ended when absent.
    pub valid_to: Option<String>,
    /// draft, active, terminated; `draft` when absent.
    pub status: Option<String>,
    /// Days to pay an invoice; 14 when absent.
    pub payment_days: Option<i32>,
    /// The most the customer may owe and have ordered; no limit when absent.
    pub credit_limit_minor: Option<i64>,
    /// Classifier `payment_method`.
    pub payment_method: Option<String>,
    /// ISO 4217; `RUB` when absent.
    pub currency: Option<String>,
    #[serde(default)]
    pub items: Vec<ContractItemDraft>,
}

/// A validated contracted product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractItem {
    pub product_id: Uuid,
    pub price_minor: i64,
}

/// A validated contract.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractFields {
    pub account_id: Uuid,
    pub number: String,
    pub signed_on: Option<Date>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub status: ContractStatus,
    pub payment_days: i32,
    pub credit_limit_minor: Option<i64>,
    pub payment_method: Option<String>,
    pub currency: Currency,
    pub items: Vec<ContractItem>,
}

impl ContractFields {
    /// Whether orders may be placed under it on `day`.
    pub fn in_force(&self, day: Date) -> bool {
        self.status == ContractStatus::Active
            && self.valid_from <= day
            && self.valid_to.is_none_or(|to| day <= to)
    }

    /// The contracted price of a product, if it is contracted.
    pub fn price_of(&self, product_id: Uuid) -> Option<i64> {
        self.items
            .iter()
            .find(|i| i.product_id == product_id)
            .map(|i| i.price_minor)
    }
}

impl ContractDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<ContractFields, Invalid> {
        let mut e = Invalid::default();
        if self.account_id.is_none() {
            e.push("account_id", "required");
        }
        let number = clean_text(&mut e, "number", self.number, 100);
        if number.is_none() && !e.0.iter().any(|f| f.field == "number") {
            e.push("number", "required");
        }
        let valid_from = optional(&mut e, "valid_from", self.valid_from.clone(), parse_date);
        if self
            .valid_from
            .as_deref()
            .is_none_or(|v| v.trim().is_empty())
        {
            e.push("valid_from", "required");
        }
        let valid_to = optional(&mut e, "valid_to", self.valid_to, parse_date);
        if let (Some(from), Some(to)) = (valid_from, valid_to)
            && to < from
        {
            e.push("valid_to", "invalid_period");
        }
        let payment_days = self.payment_days.unwrap_or(14);
        if !(0..=MAX_PAYMENT_DAYS).contains(&payment_days) {
            e.push("payment_days", "out_of_range");
        }
        if self
            .credit_limit_minor
            .is_some_and(|l| !(0..=MAX_AMOUNT).contains(&l))
        {
            e.push("credit_limit_minor", "out_of_range");
        }
        if self.items.len() > MAX_ITEMS {
            e.push("items", "too_many");
        }
        let mut items: Vec<ContractItem> = Vec::with_capacity(self.items.len());
        for (i, item) in self.items.into_iter().enumerate() {
            let field = |name: &str| format!("items[{i}].{name}");
            let Some(product_id) = item.product_id else {
                e.push(field("product_id"), "required");
                continue;
            };
            if items.iter().any(|x| x.product_id == product_id) {
                e.push(field("product_id"), "duplicate_product");
            }
            match item.price_minor {
                Some(p) if (0..=MAX_AMOUNT).contains(&p) => items.push(ContractItem {
                    product_id,
                    price_minor: p,
                }),
                Some(_) => e.push(field("price_minor"), "out_of_range"),
                None => e.push(field("price_minor"), "required"),
            }
        }
        let fields = ContractFields {
            account_id: self.account_id.unwrap_or_default(),
            number: number.unwrap_or_default(),
            signed_on: optional(&mut e, "signed_on", self.signed_on, parse_date),
            valid_from: valid_from.unwrap_or(Date::MIN),
            valid_to,
            status: optional(&mut e, "status", self.status, ContractStatus::parse)
                .unwrap_or(ContractStatus::Draft),
            payment_days,
            credit_limit_minor: self.credit_limit_minor,
            payment_method: clean_text(&mut e, "payment_method", self.payment_method, 64),
            currency: optional(&mut e, "currency", self.currency, Currency::parse)
                .unwrap_or_else(Currency::rub),
            items,
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&ContractFields> for ContractDraft {
    fn from(f: &ContractFields) -> Self {
        let day = |d: Date| Some(date_text(d));
        ContractDraft {
            account_id: Some(f.account_id),
            number: Some(f.number.clone()),
            signed_on: f.signed_on.and_then(day),
            valid_from: day(f.valid_from),
            valid_to: f.valid_to.and_then(day),
            status: Some(f.status.as_str().to_string()),
            payment_days: Some(f.payment_days),
            credit_limit_minor: f.credit_limit_minor,
            payment_method: f.payment_method.clone(),
            currency: Some(f.currency.to_string()),
            items: f
                .items
                .iter()
                .map(|i| ContractItemDraft {
                    product_id: Some(i.product_id),
                    price_minor: Some(i.price_minor),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_needs_a_customer_a_number_and_a_start_and_holds_while_active() {
        let e = ContractDraft {
            payment_days: Some(400),
            items: vec![ContractItemDraft {
                product_id: Some(Uuid::from_u128(1)),
                price_minor: None,
            }],
            ..Default::default()
        }
        .validate()
        .err()
        .map(|e| {
            e.0.into_iter()
                .map(|f| (f.field, f.code))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
        assert_eq!(
            e,
            [
                ("account_id".to_string(), "required"),
                ("number".into(), "required"),
                ("valid_from".into(), "required"),
                ("payment_days".into(), "out_of_range"),
                ("items[0].price_minor".into(), "required"),
            ]
        );
        let c = ContractDraft {
            account_id: Some(Uuid::from_u128(9)),
            number: Some("Д-2026/17".into()),
            valid_from: Some("2026-01-01".into()),
            valid_to: Some("2026-12-31".into()),
            status: Some("active".into()),
            items: vec![ContractItemDraft {
                product_id: Some(Uuid::from_u128(1)),
                price_minor: Some(90_000),
            }],
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        let day = |s: &str| parse_date(s).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.in_force(day("2026-06-01")));
        assert!(!c.in_force(day("2027-01-01")));
        assert_eq!(c.price_of(Uuid::from_u128(1)), Some(90_000));
        assert_eq!(c.price_of(Uuid::from_u128(2)), None);
        assert_eq!(ContractDraft::from(&c).validate().ok(), Some(c));
    }
}
