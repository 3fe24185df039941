//! Products (товары и услуги): the catalogue a company sells from — article
//! (SKU), names in Russian and English, unit, VAT rate, cost and list
//! prices, stock.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use crate::money::Currency;
use crate::pricing::{STANDARD_VAT_RATE, VAT_RATES};
use serde::{Deserialize, Serialize};
use std::fmt;

vocabulary!(
    /// The unit a product is sold in (ОКЕИ names in the UI).
    Unit {
        Piece = "pcs",
        Set = "set",
        Pack = "pack",
        Kilogram = "kg",
        Tonne = "t",
        Metre = "m",
        SquareMetre = "m2",
        Litre = "l",
        Hour = "h",
        Service = "service",
    }
);

impl Unit {
    /// Whether stock is counted: services and hours of work are not.
    pub fn is_stocked(self) -> bool {
        !matches!(self, Unit::Service | Unit::Hour)
    }

    /// The unit in ОКЕИ, the classifier 1C and printed documents use: its
    /// code, full name and short name. A service is counted in pieces, as
    /// 1C counts it by default.
    pub fn okei(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Unit::Set => ("839", "Комплект", "компл"),
            Unit::Pack => ("778", "Упаковка", "упак"),
            Unit::Kilogram => ("166", "Килограмм", "кг"),
            Unit::Tonne => ("168", "Тонна", "т"),
            Unit::Metre => ("006", "Метр", "м"),
            Unit::SquareMetre => ("055", "Квадратный метр", "м2"),
            Unit::Litre => ("112", "Литр", "л"),
            Unit::Hour => ("356", "Час", "ч"),
            Unit::Piece | Unit::Service => ("796", "Штука", "шт"),
        }
    }

    /// The ОКЕИ names of a unit code as stored; pieces for a code no
    /// longer known.
    pub fn okei_of(code: &str) -> (&'static str, &'static str, &'static str) {
        Unit::parse(code).unwrap_or(Unit::Piece).okei()
    }
}

/// Largest price or quantity accepted: a trillion roubles in kopecks leaves
/// room for line totals in `i64`.
pub const MAX_AMOUNT: i64 = 100_000_000_000_000;

/// A product's article (артикул): up to 64 visible characters, no spaces,
/// unique in the catalogue. Case is kept as the company writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sku(String);

impl Sku {
    /// Trims and checks an article.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let sku = raw.trim();
        if sku.is_empty() {
            Err("required")
        } else if sku.chars().count() > 64 {
            Err("too_long")
        } else if sku.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err("invalid_sku")
        } else {
            Ok(Self(sku.to_string()))
        }
    }

    /// An article read back from storage, where it was parsed on the way
    /// in; a row edited by hand still shows what it holds.
    pub fn stored(raw: &str) -> Self {
        Self(raw.to_string())
    }

    /// The article as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A product as a client sends it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductDraft {
    /// Article, unique in the catalogue.
    pub sku: Option<String>,
    /// Russian name (the name on documents in Russian).
    pub name: Option<String>,
    /// English name; documents in English fall back to `name` without it.
    pub name_en: Option<String>,
    pub description: Option<String>,
    /// Classifier `product_category`.
    pub category: Option<String>,
    /// pcs, set, pack, kg, t, m, m2, l, h, service; `pcs` when absent.
    pub unit: Option<String>,
    /// Percent: 0, 5, 7, 10, 20 or 22; 22 when absent.
    pub vat_rate: Option<i32>,
    /// Cost price in minor units, net of VAT; shown only to roles that see
    /// margins (administrators, heads of sales, accountants).
    pub cost_price_minor: Option<i64>,
    /// List price in minor units, net of VAT.
    pub list_price_minor: Option<i64>,
    /// ISO 4217; `RUB` when absent.
    pub currency: Option<String>,
    /// Units in stock; 0 when absent.
    pub stock_quantity: Option<i64>,
    /// Inactive products stay on old documents but are not offered; `true`
    /// when absent.
    pub active: Option<bool>,
}

/// A validated product.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFields {
    pub sku: Sku,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub unit: Unit,
    pub vat_rate: i32,
    pub cost_price_minor: Option<i64>,
    pub list_price_minor: i64,
    pub currency: Currency,
    pub stock_quantity: i64,
    pub active: bool,
}

impl ProductFields {
    /// The name for documents and pages in `lang`.
    pub fn name_in(&self, lang: &str) -> &str {
        match (&self.name_en, lang) {
            (Some(en), "en") => en,
            _ => &self.name,
        }
    }
}

/// A required amount in `0..=MAX_AMOUNT`.
fn amount(e: &mut Invalid, field: &str, value: Option<i64>) -> Option<i64> {
    match value {
        Some(v) if (0..=MAX_AMOUNT).contains(&v) => Some(v),
        Some(_) => {
            e.push(field, "out_of_range");
            None
        }
        None => None,
    }
}

impl ProductDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<ProductFields, Invalid> {
        let mut e = Invalid::default();
        let sku = e.take("sku", Sku::parse(self.sku.as_deref().unwrap_or_default()));
        let name = clean_text(&mut e, "name", self.name, 300);
        if name.is_none() && !e.0.iter().any(|f| f.field == "name") {
            e.push("name", "required");
        }
        let vat_rate = self.vat_rate.unwrap_or(STANDARD_VAT_RATE);
        if !VAT_RATES.contains(&vat_rate) {
            e.push("vat_rate", "invalid_vat_rate");
        }
        let list_price_minor = amount(&mut e, "list_price_minor", self.list_price_minor);
        if self.list_price_minor.is_none() {
            e.push("list_price_minor", "required");
        }
        let fields = ProductFields {
            name_en: clean_text(&mut e, "name_en", self.name_en, 300),
            description: clean_text(&mut e, "description", self.description, 5_000),
            category: clean_text(&mut e, "category", self.category, 64),
            unit: optional(&mut e, "unit", self.unit, Unit::parse).unwrap_or(Unit::Piece),
            vat_rate,
            cost_price_minor: amount(&mut e, "cost_price_minor", self.cost_price_minor),
            currency: optional(&mut e, "currency", self.currency, Currency::parse)
                .unwrap_or_else(Currency::rub),
            stock_quantity: amount(&mut e, "stock_quantity", self.stock_quantity.or(Some(0)))
                .unwrap_or(0),
            active: self.active.unwrap_or(true),
            list_price_minor: list_price_minor.unwrap_or(0),
            name: name.unwrap_or_default(),
            sku: sku.unwrap_or(Sku(String::new())),
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&ProductFields> for ProductDraft {
    fn from(f: &ProductFields) -> Self {
        ProductDraft {
            sku: Some(f.sku.to_string()),
            name: Some(f.name.clone()),
            name_en: f.name_en.clone(),
            description: f.description.clone(),
            category: f.category.clone(),
            unit: Some(f.unit.as_str().to_string()),
            vat_rate: Some(f.vat_rate),
            cost_price_minor: f.cost_price_minor,
            list_price_minor: Some(f.list_price_minor),
            currency: Some(f.currency.to_string()),
            stock_quantity: Some(f.stock_quantity),
            active: Some(f.active),
        }
    }
}

/// Catalogue filters; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Full-text query terms: words of the names and description, the article.
    pub terms: Vec<String>,
    /// Classifier `product_category`.
    pub category: Option<String>,
    pub active: Option<bool>,
    /// The trash instead of live products.
    pub deleted: bool,
}

/// Sort orders the catalogue offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProductSort {
    #[default]
    Name,
    NameDesc,
    Sku,
    Price,
    PriceDesc,
    UpdatedDesc,
}

impl ProductSort {
    /// Parses the `sort` parameter (`name`, `-name`, `sku`, `price`, `-price`, `-updated_at`).
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "name" => Self::Name,
            "-name" => Self::NameDesc,
            "sku" => Self::Sku,
            "price" => Self::Price,
            "-price" => Self::PriceDesc,
            "-updated_at" => Self::UpdatedDesc,
            _ => return None,
        })
    }
}

impl ProductFilter {
    /// Reads the list parameters.
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            terms: q.terms(),
            category: q.text("category"),
            active: q.flag("active"),
            deleted: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(d: ProductDraft) -> Vec<(String, &'static str)> {
        d.validate()
            .err()
            .map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_product_needs_an_article_a_name_and_a_price() {
        assert_eq!(
            codes(ProductDraft::default()),
            [
                ("sku".to_string(), "required"),
                ("name".to_string(), "required"),
                ("list_price_minor".to_string(), "required"),
            ]
        );
        assert_eq!(
            codes(ProductDraft {
                sku: Some("ST 100".into()),
                name: Some("Станок".into()),
                list_price_minor: Some(-1),
                vat_rate: Some(18),
                stock_quantity: Some(-5),
                unit: Some("barrel".into()),
                ..Default::default()
            }),
            [
                ("sku".to_string(), "invalid_sku"),
                ("vat_rate".to_string(), "invalid_vat_rate"),
                ("list_price_minor".to_string(), "out_of_range"),
                ("unit".to_string(), "invalid_choice"),
                ("stock_quantity".to_string(), "out_of_range"),
            ]
        );
    }

    #[test]
    fn defaults_fill_what_is_usually_left_out_and_survive_a_round_trip() {
        let p = ProductDraft {
            sku: Some(" СТ-100/a ".into()),
            name: Some("Станок токарный".into()),
            list_price_minor: Some(125_000_000),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.sku.as_str(), "СТ-100/a");
        assert_eq!(
            (
                p.unit,
                p.vat_rate,
                p.currency.as_str(),
                p.stock_quantity,
                p.active
            ),
            (Unit::Piece, 22, "RUB", 0, true)
        );
        assert_eq!(p.name_in("en"), "Станок токарный");
        assert_eq!(ProductDraft::from(&p).validate().ok(), Some(p));
    }
}
