//! Prices, discounts and VAT (НДС): the arithmetic every commercial document
//! shares, so a proposal, an order and an invoice always agree to the kopeck.
//!
//! The rounding rule (also in the README):
//! - prices are net of VAT, in minor units (kopecks);
//! - each line's net amount is `quantity × unit price × (1 − discount)`,
//!   rounded half up to the kopeck;
//! - each line's VAT is `net × rate / 100`, rounded half up to the kopeck —
//!   per line, as on a Russian invoice (счёт-фактура), never on the total;
//! - a document's totals are the sums of its lines' net, VAT and gross.
//!
//! Integer arithmetic only; amounts that would not fit are refused.

use crate::Invalid;
use crate::products::MAX_AMOUNT;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Discounts are in hundredths of a percent: 750 is 7.5 %.
pub const FULL_DISCOUNT_BP: i64 = 10_000;

/// VAT rates a product may carry, in percent. 22 % is the standard Russian
/// rate from 2026; 20 % stays for documents dated before; 10 % and 0 % are
/// the reduced rates; 5 % and 7 % are the simplified-tax rates.
pub const VAT_RATES: &[i32] = &[0, 5, 7, 10, 20, 22];

/// The standard rate for new products.
pub const STANDARD_VAT_RATE: i32 = 22;

/// Most lines one deal or order holds.
pub const MAX_LINES: usize = 200;

/// Largest quantity on one line.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// A line of a deal or an order as a client sends it: the product and how
/// many; the unit price comes from the customer's price lists unless given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineDraft {
    pub product_id: Option<Uuid>,
    pub quantity: Option<i64>,
    /// Net of VAT, per unit; the customer's price when absent.
    pub price_minor: Option<i64>,
    /// Off this line, in percent with up to two decimals; none when absent.
    pub discount_percent: Option<f64>,
}

/// A checked line, still to be priced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineInput {
    pub product_id: Uuid,
    pub quantity: i64,
    pub price_minor: Option<i64>,
    pub discount_bp: i64,
}

/// Checks lines (`lines[i].field` errors); collects every error.
pub fn validate_lines(drafts: Vec<LineDraft>) -> Result<Vec<LineInput>, Invalid> {
    let mut e = Invalid::default();
    if drafts.len() > MAX_LINES {
        e.push("lines", "too_many");
    }
    let mut lines = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.into_iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let product_id = d.product_id;
        if product_id.is_none() {
            e.push(field("product_id"), "required");
        }
        let quantity = match d.quantity {
            Some(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
            Some(_) => {
                e.push(field("quantity"), "out_of_range");
                None
            }
            None => {
                e.push(field("quantity"), "required");
                None
            }
        };
        if d.price_minor
            .is_some_and(|p| !(0..=MAX_AMOUNT).contains(&p))
        {
            e.push(field("price_minor"), "out_of_range");
        }
        let discount_bp = match d.discount_percent {
            Some(p) => e
                .take(
                    &field("discount_percent"),
                    crate::price_lists::discount_bp(p),
                )
                .unwrap_or(0),
            None => 0,
        };
        if let (Some(product_id), Some(quantity)) = (product_id, quantity) {
            lines.push(LineInput {
                product_id,
                quantity,
                price_minor: d.price_minor,
                discount_bp,
            });
        }
    }
    e.into_result().map(|()| lines)
}

/// The money of one document line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineAmounts {
    /// After the discount, before VAT.
    pub net_minor: i64,
    pub vat_minor: i64,
    /// `net + vat`.
    pub gross_minor: i64,
}

/// `numerator / denominator` rounded half up, for non-negative values.
fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    (numerator + denominator / 2) / denominator
}

/// VAT on a net amount at `rate` percent, rounded half up to the kopeck.
pub fn vat_of(net_minor: i64, rate: i32) -> Option<i64> {
    if net_minor < 0 || !(0..=100).contains(&rate) {
        return None;
    }
    i64::try_from(div_round_half_up(
        i128::from(net_minor) * i128::from(rate),
        100,
    ))
    .ok()
}

/// The amounts of a line of `quantity` units at `unit_price_minor` with
/// `discount_bp` off and VAT at `vat_rate` percent; `None` for negative
/// input, a discount over 100 % or an amount too large to hold.
pub fn line(
    quantity: i64,
    unit_price_minor: i64,
    discount_bp: i64,
    vat_rate: i32,
) -> Option<LineAmounts> {
    if quantity < 0 || unit_price_minor < 0 || !(0..=FULL_DISCOUNT_BP).contains(&discount_bp) {
        return None;
    }
    let scaled = i128::from(quantity)
        .checked_mul(i128::from(unit_price_minor))?
        .checked_mul(i128::from(FULL_DISCOUNT_BP - discount_bp))?;
    let net = div_round_half_up(scaled, i128::from(FULL_DISCOUNT_BP));
    let net_minor = i64::try_from(net).ok()?;
    let vat_minor = vat_of(net_minor, vat_rate)?;
    Some(LineAmounts {
        net_minor,
        vat_minor,
        gross_minor: net_minor.checked_add(vat_minor)?,
    })
}

/// The totals of a document: the sums of its lines.
pub fn total(lines: &[LineAmounts]) -> Option<LineAmounts> {
    lines.iter().try_fold(
        LineAmounts {
            net_minor: 0,
            vat_minor: 0,
            gross_minor: 0,
        },
        |sum, l| {
            Some(LineAmounts {
                net_minor: sum.net_minor.checked_add(l.net_minor)?,
                vat_minor: sum.vat_minor.checked_add(l.vat_minor)?,
                gross_minor: sum.gross_minor.checked_add(l.gross_minor)?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn vat_is_rounded_half_up_per_line() {
        // 3 × 33,33 ₽ = 99,99 ₽; 22 % of it is 21,9978 ₽ → 22,00 ₽.
        assert_eq!(
            line(3, 3_333, 0, 22),
            Some(LineAmounts {
                net_minor: 9_999,
                vat_minor: 2_200,
                gross_minor: 12_199
            })
        );
        // Exactly half a kopeck goes up: 10 % of 0,05 ₽ is 0,005 ₽ → 0,01 ₽.
        assert_eq!(vat_of(5, 10), Some(1));
        assert_eq!(vat_of(4, 10), Some(0));
        // 7,5 % off 1 000,00 ₽ × 1 = 925,00 ₽; no VAT at 0 %.
        assert_eq!(line(1, 100_000, 750, 0).map(|l| l.net_minor), Some(92_500));
    }

    #[test]
    fn per_line_rounding_differs_from_rounding_the_total_and_is_what_counts() {
        // Two lines of 0,05 ₽ at 10 %: 0,01 ₽ VAT each, 0,02 ₽ in all,
        // although 10 % of the 0,10 ₽ total would be 0,01 ₽.
        let one = line(1, 5, 0, 10).unwrap_or_else(|| panic!("fits"));
        let sum = total(&[one, one]).unwrap_or_else(|| panic!("fits"));
        assert_eq!(sum.vat_minor, 2);
        assert_eq!(vat_of(sum.net_minor, 10), Some(1));
    }

    #[test]
    fn impossible_lines_are_refused() {
        assert_eq!(line(-1, 100, 0, 22), None);
        assert_eq!(line(1, -100, 0, 22), None);
        assert_eq!(line(1, 100, 10_001, 22), None);
        assert_eq!(line(1, 100, 0, 101), None);
        assert_eq!(line(i64::MAX, i64::MAX, 0, 22), None);
    }

    proptest! {
        #[test]
        fn a_line_is_net_plus_vat_within_half_a_kopeck_of_exact(
            quantity in 0i64..1_000_000,
            price in 0i64..10_000_000_000,
            discount in 0i64..=10_000,
            rate in prop::sample::select(VAT_RATES),
        ) {
            let l = line(quantity, price, discount, rate).unwrap_or_else(|| panic!("fits"));
            prop_assert_eq!(l.gross_minor, l.net_minor + l.vat_minor);
            // |net − exact net| ≤ ½ kopeck, scaled by 10 000 to stay integral.
            let exact_net = i128::from(quantity) * i128::from(price) * i128::from(10_000 - discount);
            prop_assert!((i128::from(l.net_minor) * 10_000 - exact_net).abs() <= 5_000);
            // |vat − exact vat| ≤ ½ kopeck, scaled by 100.
            let exact_vat = i128::from(l.net_minor) * i128::from(rate);
            prop_assert!((i128::from(l.vat_minor) * 100 - exact_vat).abs() <= 50);
            prop_assert!(l.net_minor <= quantity * price);
        }

        #[test]
        fn totals_are_the_sums_of_their_lines(
            lines in prop::collection::vec((0i64..1_000, 0i64..100_000_000, 0i64..=10_000, prop::sample::select(VAT_RATES)), 0..20)
        ) {
            let amounts: Vec<LineAmounts> = lines
                .iter()
                .filter_map(|(q, p, d, r)| line(*q, *p, *d, *r))
                .collect();
            prop_assert_eq!(amounts.len(), lines.len());
            let sum = total(&amounts).unwrap_or_else(|| panic!("fits"));
            prop_assert_eq!(sum.net_minor, amounts.iter().map(|l| l.net_minor).sum::<i64>());
            prop_assert_eq!(sum.vat_minor, amounts.iter().map(|l| l.vat_minor).sum::<i64>());
            prop_assert_eq!(sum.gross_minor, sum.net_minor + sum.vat_minor);
        }
    }
}
