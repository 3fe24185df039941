//! Price lists (прайс-листы): who they are for (everyone, a segment, a kind
//! of partner, one account), when they hold, a discount for the whole list
//! and fixed prices or discounts per product — and the rule that decides,
//! explainably, the price a customer gets.
//!
//! The rule: among active lists valid on the day that apply to the customer
//! and price the product, the most specific wins (one account, then a kind
//! of partner, then a segment, then everyone). Within a list, the product's
//! own fixed price comes first, then its own discount, then the list's
//! discount on the list price. Lists equally specific give the lowest price.
//! With no such list, the list price stands.

use crate::Invalid;
use crate::accounts::{AccountType, clean_text, optional, vocabulary};
use crate::contacts::{date_text, parse_date};
use crate::money::Currency;
use crate::pricing::FULL_DISCOUNT_BP;
use crate::products::MAX_AMOUNT;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

vocabulary!(
    /// Whom a list is for, from the least to the most specific.
    PriceScope {
        Everyone = "everyone",
        Segment = "segment",
        AccountType = "account_type",
        Account = "account",
    }
);

impl PriceScope {
    /// Higher is more specific.
    pub fn rank(self) -> u8 {
        match self {
            PriceScope::Everyone => 0,
            PriceScope::Segment => 1,
            PriceScope::AccountType => 2,
            PriceScope::Account => 3,
        }
    }
}

/// Most product prices one list holds; a larger catalogue uses list-wide
/// discounts or several lists.
pub const MAX_ITEMS: usize = 5_000;

/// A product's price in a list: a fixed price or a discount off the list
/// price, one of the two.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceItemDraft {
    pub product_id: Option<Uuid>,
    /// Net of VAT, in minor units of the list's currency.
    pub price_minor: Option<i64>,
    /// Percent with up to two decimals (7.5).
    pub discount_percent: Option<f64>,
}

/// A price list as clients send it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceListDraft {
    pub name: Option<String>,
    /// ISO 4217; `RUB` when absent.
    pub currency: Option<String>,
    /// everyone, segment, account_type, account; `everyone` when absent.
    pub scope: Option<String>,
    /// Classifier `segment`, for scope `segment`.
    pub segment: Option<String>,
    /// partner, dealer, distributor… for scope `account_type`.
    pub account_type: Option<String>,
    /// For scope `account`.
    pub account_id: Option<Uuid>,
    /// `YYYY-MM-DD`; open when absent.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// Off the list price of every product the list does not price itself.
    pub discount_percent: Option<f64>,
    /// `true` when absent.
    pub active: Option<bool>,
    #[serde(default)]
    pub items: Vec<PriceItemDraft>,
}

/// One validated product price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceItem {
    pub product_id: Uuid,
    pub price_minor: Option<i64>,
    pub discount_bp: Option<i64>,
}

/// A validated price list.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceListFields {
    pub name: String,
    pub currency: Currency,
    pub scope: PriceScope,
    /// The segment code, account type or account id the scope names.
    pub scope_value: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub discount_bp: Option<i64>,
    pub active: bool,
    pub items: Vec<PriceItem>,
}

/// Percent with at most two decimals, 0–100, as hundredths of a percent.
pub fn discount_bp(percent: f64) -> Result<i64, &'static str> {
    let bp = (percent * 100.0).round();
    if !(0.0..=100.0).contains(&percent) || ((percent * 100.0) - bp).abs() > 1e-6 {
        return Err("invalid_discount");
    }
    Ok(bp as i64)
}

/// Hundredths of a percent back to percent.
pub fn percent(bp: i64) -> f64 {
    bp as f64 / 100.0
}

fn discount(e: &mut Invalid, field: &str, value: Option<f64>) -> Option<i64> {
    value.and_then(|v| e.take(field, discount_bp(v)))
}

impl PriceListDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<PriceListFields, Invalid> {
        let mut e = Invalid::default();
        let name = clean_text(&mut e, "name", self.name, 200);
        if name.is_none() && !e.0.iter().any(|f| f.field == "name") {
            e.push("name", "required");
        }
        let scope = optional(&mut e, "scope", self.scope, PriceScope::parse)
            .unwrap_or(PriceScope::Everyone);
        let errors_before = e.0.len();
        let scope_value = match scope {
            PriceScope::Everyone => None,
            PriceScope::Segment => clean_text(&mut e, "segment", self.segment, 64),
            PriceScope::AccountType => optional(
                &mut e,
                "account_type",
                self.account_type,
                AccountType::parse,
            )
            .map(|t| t.as_str().to_string()),
            PriceScope::Account => self.account_id.map(|id| id.to_string()),
        };
        if scope != PriceScope::Everyone && scope_value.is_none() && e.0.len() == errors_before {
            let field = match scope {
                PriceScope::Segment => "segment",
                PriceScope::AccountType => "account_type",
                _ => "account_id",
            };
            e.push(field, "required");
        }
        let valid_from = optional(&mut e, "valid_from", self.valid_from, parse_date);
        let valid_to = optional(&mut e, "valid_to", self.valid_to, parse_date);
        if let (Some(from), Some(to)) = (valid_from, valid_to)
            && to < from
        {
            e.push("valid_to", "invalid_period");
        }
        if self.items.len() > MAX_ITEMS {
            e.push("items", "too_many");
        }
        let mut items: Vec<PriceItem> = Vec::with_capacity(self.items.len());
        for (i, item) in self.items.into_iter().enumerate() {
            let field = |name: &str| format!("items[{i}].{name}");
            let Some(product_id) = item.product_id else {
                e.push(field("product_id"), "required");
                continue;
            };
            if items.iter().any(|x| x.product_id == product_id) {
                e.push(field("product_id"), "duplicate_product");
            }
            let price_minor = item.price_minor.filter(|p| {
                let fits = (0..=MAX_AMOUNT).contains(p);
                if !fits {
                    e.push(field("price_minor"), "out_of_range");
                }
                fits
            });
            let discount_bp = discount(&mut e, &field("discount_percent"), item.discount_percent);
            if item.price_minor.is_some() == item.discount_percent.is_some() {
                e.push(field("price_minor"), "one_price_required");
            }
            items.push(PriceItem {
                product_id,
                price_minor,
                discount_bp,
            });
        }
        let fields = PriceListFields {
            name: name.unwrap_or_default(),
            currency: optional(&mut e, "currency", self.currency, Currency::parse)
                .unwrap_or_else(Currency::rub),
            scope,
            scope_value,
            valid_from,
            valid_to,
            discount_bp: discount(&mut e, "discount_percent", self.discount_percent),
            active: self.active.unwrap_or(true),
            items,
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&PriceListFields> for PriceListDraft {
    fn from(f: &PriceListFields) -> Self {
        let value = f.scope_value.clone();
        PriceListDraft {
            name: Some(f.name.clone()),
            currency: Some(f.currency.to_string()),
            scope: Some(f.scope.as_str().to_string()),
            segment: value.clone().filter(|_| f.scope == PriceScope::Segment),
            account_type: value.clone().filter(|_| f.scope == PriceScope::AccountType),
            account_id: value
                .filter(|_| f.scope == PriceScope::Account)
                .and_then(|v| v.parse().ok()),
            valid_from: f.valid_from.map(date_text),
            valid_to: f.valid_to.map(date_text),
            discount_percent: f.discount_bp.map(percent),
            active: Some(f.active),
            items: f
                .items
                .iter()
                .map(|i| PriceItemDraft {
                    product_id: Some(i.product_id),
                    price_minor: i.price_minor,
                    discount_percent: i.discount_bp.map(percent),
                })
                .collect(),
        }
    }
}

/// Who is buying, as far as prices care.
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    pub account_id: Option<Uuid>,
    pub segment: Option<String>,
    pub account_types: Vec<String>,
}

impl PriceListFields {
    /// Whether the list is for `buyer` on `day` (active and valid).
    pub fn applies(&self, buyer: &Buyer, day: Date) -> bool {
        let for_buyer = match (self.scope, self.scope_value.as_deref()) {
            (PriceScope::Everyone, _) => true,
            (PriceScope::Segment, Some(v)) => buyer.segment.as_deref() == Some(v),
            (PriceScope::AccountType, Some(v)) => buyer.account_types.iter().any(|t| t == v),
            (PriceScope::Account, Some(v)) => {
                buyer.account_id.map(|id| id.to_string()).as_deref() == Some(v)
            }
            _ => false,
        };
        self.active
            && for_buyer
            && self.valid_from.is_none_or(|from| from <= day)
            && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// How a price was arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceRule {
    /// No list applies: the product's list price.
    ListPrice,
    /// The list's fixed price for the product.
    Fixed,
    /// The list's discount for the product.
    ProductDiscount,
    /// The list's discount for everything it does not price itself.
    ListDiscount,
    /// Typed on the line by hand.
    Manual,
    /// The contract's price.
    Contract,
}

impl PriceRule {
    /// Stable identifier, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceRule::ListPrice => "list_price",
            PriceRule::Fixed => "fixed",
            PriceRule::ProductDiscount => "product_discount",
            PriceRule::ListDiscount => "list_discount",
            PriceRule::Manual => "manual",
            PriceRule::Contract => "contract",
        }
    }
}

/// The price a buyer gets for one product, and why.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Quote {
    pub product_id: Uuid,
    pub list_price_minor: i64,
    /// Net of VAT, per unit.
    pub price_minor: i64,
    pub rule: PriceRule,
    pub price_list_id: Option<Uuid>,
    pub price_list_name: Option<String>,
    /// The discount applied, in percent.
    pub discount_percent: Option<f64>,
}

/// The list price less `bp` hundredths of a percent, rounded half up.
fn discounted(list_price: i64, bp: i64) -> i64 {
    let scaled = i128::from(list_price) * i128::from(FULL_DISCOUNT_BP - bp);
    let half = i128::from(FULL_DISCOUNT_BP) / 2;
    i64::try_from((scaled + half) / i128::from(FULL_DISCOUNT_BP)).unwrap_or(list_price)
}

/// The price of `product_id` (list price `list_price`, in `currency`) for a
/// buyer, given the lists that apply to them (see the module's rule).
/// Lists in another currency are not used.
pub fn quote(
    product_id: Uuid,
    list_price: i64,
    currency: &Currency,
    lists: &[(Uuid, &PriceListFields)],
) -> Quote {
    let mut best: Option<(u8, Quote)> = None;
    for (id, list) in lists {
        if &list.currency != currency {
            continue;
        }
        let item = list.items.iter().find(|i| i.product_id == product_id);
        let (price, rule, bp) = match item {
            Some(PriceItem {
                price_minor: Some(p),
                ..
            }) => (*p, PriceRule::Fixed, None),
            Some(PriceItem {
                discount_bp: Some(bp),
                ..
            }) => (
                discounted(list_price, *bp),
                PriceRule::ProductDiscount,
                Some(*bp),
            ),
            _ => match list.discount_bp {
                Some(bp) => (
                    discounted(list_price, bp),
                    PriceRule::ListDiscount,
                    Some(bp),
                ),
                None => continue,
            },
        };
        let rank = list.scope.rank();
        let better = match &best {
            None => true,
            Some((r, q)) => rank > *r || (rank == *r && price < q.price_minor),
        };
        if better {
            best = Some((
                rank,
                Quote {
                    product_id,
                    list_price_minor: list_price,
                    price_minor: price,
                    rule,
                    price_list_id: Some(*id),
                    price_list_name: Some(list.name.clone()),
                    discount_percent: bp.map(percent),
                },
            ));
        }
    }
    best.map(|(_, q)| q).unwrap_or(Quote {
        product_id,
        list_price_minor: list_price,
        price_minor: list_price,
        rule: PriceRule::ListPrice,
        price_list_id: None,
        price_list_name: None,
        discount_percent: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(
        scope: &str,
        value: Option<&str>,
        discount: Option<f64>,
        items: Vec<PriceItemDraft>,
    ) -> PriceListFields {
        PriceListDraft {
            name: Some(format!("{scope} list")),
            scope: Some(scope.into()),
            segment: value.filter(|_| scope == "segment").map(String::from),
            account_type: value.filter(|_| scope == "account_type").map(String::from),
            account_id: value
                .filter(|_| scope == "account")
                .and_then(|v| v.parse().ok()),
            discount_percent: discount,
            items,
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn day(s: &str) -> Date {
        parse_date(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_most_specific_list_wins_and_says_why() {
        let product = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let account = Uuid::from_u128(9);
        let rub = Currency::rub();
        let everyone = list("everyone", None, Some(5.0), vec![]);
        let dealers = list(
            "account_type",
            Some("dealer"),
            None,
            vec![PriceItemDraft {
                product_id: Some(product),
                discount_percent: Some(12.5),
                ..Default::default()
            }],
        );
        let own = list(
            "account",
            Some(&account.to_string()),
            None,
            vec![PriceItemDraft {
                product_id: Some(other),
                price_minor: Some(70_000),
                ..Default::default()
            }],
        );
        let lists = [
            (Uuid::from_u128(10), &everyone),
            (Uuid::from_u128(11), &dealers),
            (Uuid::from_u128(12), &own),
        ];
        // The dealers' 12,5 % beats everyone's 5 %; the account's own list
        // does not price this product, so it does not count.
        let q = quote(product, 100_000, &rub, &lists);
        assert_eq!(
            (q.price_minor, q.rule),
            (87_500, PriceRule::ProductDiscount)
        );
        assert_eq!(q.price_list_id, Some(Uuid::from_u128(11)));
        assert_eq!(q.discount_percent, Some(12.5));
        let q = quote(other, 100_000, &rub, &lists);
        assert_eq!((q.price_minor, q.rule), (70_000, PriceRule::Fixed));
        // Only the list for everyone: its discount on the list price.
        let q = quote(other, 100_001, &rub, &lists[..1]);
        assert_eq!((q.price_minor, q.rule), (95_001, PriceRule::ListDiscount));
        // Another currency's lists do not apply; the list price stands.
        let q = quote(
            product,
            100_000,
            &Currency::parse("USD").unwrap_or_else(|e| panic!("{e}")),
            &lists,
        );
        assert_eq!(
            (q.price_minor, q.rule, q.price_list_id),
            (100_000, PriceRule::ListPrice, None)
        );
    }

    #[test]
    fn a_list_applies_to_its_buyers_while_it_is_valid() {
        let mut segment = list("segment", Some("smb"), Some(3.0), vec![]);
        segment.valid_from = Some(day("2026-01-01"));
        segment.valid_to = Some(day("2026-06-30"));
        let buyer = Buyer {
            segment: Some("smb".into()),
            ..Default::default()
        };
        assert!(segment.applies(&buyer, day("2026-06-30")));
        assert!(!segment.applies(&buyer, day("2026-07-01")));
        assert!(!segment.applies(&Buyer::default(), day("2026-03-01")));
        segment.active = false;
        assert!(!segment.applies(&buyer, day("2026-03-01")));
    }

    #[test]
    fn bad_lists_are_explained() {
        let e = PriceListDraft {
            scope: Some("segment".into()),
            valid_from: Some("2026-05-01".into()),
            valid_to: Some("2026-04-01".into()),
            discount_percent: Some(7.125),
            items: vec![
                PriceItemDraft {
                    product_id: Some(Uuid::from_u128(1)),
                    ..Default::default()
                },
                PriceItemDraft {
                    product_id: Some(Uuid::from_u128(1)),
                    price_minor: Some(-1),
                    discount_percent: Some(10.0),
                },
            ],
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
                ("name".to_string(), "required"),
                ("segment".into(), "required"),
                ("valid_to".into(), "invalid_period"),
                ("items[0].price_minor".into(), "one_price_required"),
                ("items[1].product_id".into(), "duplicate_product"),
                ("items[1].price_minor".into(), "out_of_range"),
                ("items[1].price_minor".into(), "one_price_required"),
                ("discount_percent".into(), "invalid_discount"),
            ]
        );
    }
}
