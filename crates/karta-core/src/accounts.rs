//! Accounts (контрагенты): their fixed vocabularies and input validation.
//!
//! Classifier-backed fields (industry, region, …) hold classifier codes; that
//! a code exists is checked by the application layer, which owns the lists.

use crate::identifiers::{Inn, Kpp, Ogrn};
use crate::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Stable identifier.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }
            /// Parses a stable identifier.
            pub fn parse(raw: &str) -> Result<Self, &'static str> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw).ok_or("invalid_choice")
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// What the account is to us; an account may be several at once.
    AccountType {
        Customer = "customer",
        Prospect = "prospect",
        Partner = "partner",
        Dealer = "dealer",
        Distributor = "distributor",
        Supplier = "supplier",
        Competitor = "competitor",
    }
);

vocabulary!(
    /// Relationship status; `lost` records to which competitor and why.
    AccountStatus { Active = "active", Inactive = "inactive", Lost = "lost" }
);

vocabulary!(
    /// Why the customer buys: to resell or to use.
    PurchasePurpose { Reseller = "reseller", EndUser = "end_user" }
);

/// Account fields as a client sends them. Unknown fields are rejected.
/// Classifier-backed fields hold classifier codes; `custom` holds custom
/// field values by key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDraft {
    #[serde(default)]
    pub name: String,
    pub legal_name: Option<String>,
    #[serde(default)]
    pub types: Vec<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub legal_address: Option<String>,
    pub actual_address: Option<String>,
    pub delivery_address: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub segment: Option<String>,
    pub size: Option<String>,
    pub lead_source: Option<String>,
    pub triggering_event: Option<String>,
    pub status: Option<String>,
    pub lost_to_id: Option<Uuid>,
    pub loss_reason: Option<String>,
    pub purchase_purpose: Option<String>,
    #[serde(default)]
    pub buying_priorities: Vec<String>,
    pub payment_method: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// The record's id in the system it was imported from (1C, old CRM).
    pub external_id: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Classifier kind that backs each classifier-valued account field.
pub const ACCOUNT_CLASSIFIED_FIELDS: &[(&str, &str)] = &[
    ("region", "region"),
    ("industry", "industry"),
    ("segment", "segment"),
    ("size", "company_size"),
    ("lead_source", "lead_source"),
    ("loss_reason", "loss_reason"),
    ("payment_method", "payment_method"),
];

/// A validated account. Optional text is `None`, never an empty string.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountFields {
    pub name: String,
    pub legal_name: Option<String>,
    pub types: Vec<AccountType>,
    pub inn: Option<Inn>,
    pub kpp: Option<Kpp>,
    pub ogrn: Option<Ogrn>,
    pub legal_address: Option<String>,
    pub actual_address: Option<String>,
    pub delivery_address: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub segment: Option<String>,
    pub size: Option<String>,
    pub lead_source: Option<String>,
    pub triggering_event: Option<String>,
    pub status: AccountStatus,
    pub lost_to_id: Option<Uuid>,
    pub loss_reason: Option<String>,
    pub purchase_purpose: Option<PurchasePurpose>,
    pub buying_priorities: Vec<String>,
    pub payment_method: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// The record's id in the system it was imported from (1C, old CRM).
    pub external_id: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Trims text and turns blanks into `None`; rejects overlong values.
pub fn clean_text(
    errors: &mut Invalid,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(field, "too_long");
        return None;
    }
    Some(value)
}

/// Parses an optional identifier, treating blank as absent.
pub fn optional<T>(
    errors: &mut Invalid,
    field: &str,
    value: Option<String>,
    parse: fn(&str) -> Result<T, &'static str>,
) -> Option<T> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    errors.take(field, parse(&value))
}

/// Trims list entries, drops blanks and duplicates, keeps order.
pub fn clean_list(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let v = v.trim().to_string();
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

impl AccountDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<AccountFields, Invalid> {
        let mut e = Invalid::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            e.push("name", "required");
        } else if name.chars().count() > 300 {
            e.push("name", "too_long");
        }
        let mut types = Vec::new();
        for (i, t) in clean_list(self.types).iter().enumerate() {
            if let Some(t) = e.take(&format!("types[{i}]"), AccountType::parse(t)) {
                types.push(t);
            }
        }
        let status = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(AccountStatus::Active),
            Some(s) => e.take("status", AccountStatus::parse(s)),
        };
        let fields = AccountFields {
            legal_name: clean_text(&mut e, "legal_name", self.legal_name, 500),
            inn: optional(&mut e, "inn", self.inn, Inn::parse),
            kpp: optional(&mut e, "kpp", self.kpp, Kpp::parse),
            ogrn: optional(&mut e, "ogrn", self.ogrn, Ogrn::parse),
            legal_address: clean_text(&mut e, "legal_address", self.legal_address, 1000),
            actual_address: clean_text(&mut e, "actual_address", self.actual_address, 1000),
            delivery_address: clean_text(&mut e, "delivery_address", self.delivery_address, 1000),
            region: clean_text(&mut e, "region", self.region, 100),
            industry: clean_text(&mut e, "industry", self.industry, 100),
            segment: clean_text(&mut e, "segment", self.segment, 100),
            size: clean_text(&mut e, "size", self.size, 100),
            lead_source: clean_text(&mut e, "lead_source", self.lead_source, 100),
            triggering_event: clean_text(&mut e, "triggering_event", self.triggering_event, 1000),
            status: status.unwrap_or(AccountStatus::Active),
            lost_to_id: self.lost_to_id,
            loss_reason: clean_text(&mut e, "loss_reason", self.loss_reason, 100),
            purchase_purpose: optional(
                &mut e,
                "purchase_purpose",
                self.purchase_purpose,
                PurchasePurpose::parse,
            ),
            buying_priorities: clean_list(self.buying_priorities),
            payment_method: clean_text(&mut e, "payment_method", self.payment_method, 100),
            tags: clean_list(self.tags),
            notes: clean_text(&mut e, "notes", self.notes, 20_000),
            external_id: clean_text(&mut e, "external_id", self.external_id, 100),
            owner_id: self.owner_id,
            team_id: self.team_id,
            custom: self.custom,
            name,
            types,
        };
        if fields.status != AccountStatus::Lost
            && (fields.lost_to_id.is_some() || fields.loss_reason.is_some())
        {
            e.0.push(FieldError::new("status", "lost_details_need_lost_status"));
        }
        // Only organisations (10-digit INN) have a KPP.
        if fields.kpp.is_some()
            && fields
                .inn
                .as_ref()
                .is_some_and(|inn| !inn.is_organisation())
        {
            e.push("kpp", "kpp_needs_organisation_inn");
        }
        e.into_result().map(|()| fields)
    }
}

impl From<&AccountFields> for AccountDraft {
    fn from(f: &AccountFields) -> Self {
        let s = |v: &Option<String>| v.clone();
        AccountDraft {
            name: f.name.clone(),
            legal_name: s(&f.legal_name),
            types: f.types.iter().map(|t| t.as_str().to_string()).collect(),
            inn: f.inn.as_ref().map(ToString::to_string),
            kpp: f.kpp.as_ref().map(ToString::to_string),
            ogrn: f.ogrn.as_ref().map(ToString::to_string),
            legal_address: s(&f.legal_address),
            actual_address: s(&f.actual_address),
            delivery_address: s(&f.delivery_address),
            region: s(&f.region),
            industry: s(&f.industry),
            segment: s(&f.segment),
            size: s(&f.size),
            lead_source: s(&f.lead_source),
            triggering_event: s(&f.triggering_event),
            status: Some(f.status.as_str().to_string()),
            lost_to_id: f.lost_to_id,
            loss_reason: s(&f.loss_reason),
            purchase_purpose: f.purchase_purpose.map(|p| p.as_str().to_string()),
            buying_priorities: f.buying_priorities.clone(),
            payment_method: s(&f.payment_method),
            tags: f.tags.clone(),
            notes: s(&f.notes),
            external_id: s(&f.external_id),
            owner_id: f.owner_id,
            team_id: f.team_id,
            custom: f.custom.clone(),
        }
    }
}

/// Words that say what kind of legal entity a company is, not which one:
/// left out when names are compared for duplicates.
const LEGAL_FORMS: &[&str] = &[
    "ооо", "оао", "зао", "пао", "ао", "ип", "нко", "ано", "гк", "фгуп", "муп", "гуп", "тд", "llc",
    "ltd", "inc", "gmbh", "corp", "co", "plc", "jsc",
];

/// A company name reduced for duplicate search: lower case, `ё` as `е`,
/// quotes and punctuation gone, legal forms dropped, single spaces. «ООО
/// "Ромашка"» and «Ромашка, ооо» both become `ромашка`.
pub fn match_key(name: &str) -> String {
    let lowered = name.to_lowercase().replace('ё', "е");
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .collect();
    if words.is_empty() {
        // A name that is only a legal form still matches itself.
        return lowered.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    words.join(" ")
}

/// List filters; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Full-text query terms (see `karta_core::search::query_terms`).
    pub terms: Vec<String>,
    /// Whether the principal may match on personal data in search.
    pub search_private: bool,
    pub account_type: Option<AccountType>,
    pub status: Option<AccountStatus>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub segment: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub tag: Option<String>,
    pub inn: Option<String>,
    pub custom: Vec<crate::search::CustomFilter>,
    /// The trash instead of live records.
    pub deleted: bool,
}

/// Sort orders a list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountSort {
    #[default]
    Name,
    NameDesc,
    UpdatedDesc,
    CreatedDesc,
    Code,
}

impl AccountSort {
    /// Parses the `sort` parameter (`name`, `-name`, `-updated_at`, `-created_at`, `code`).
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "name" => Self::Name,
            "-name" => Self::NameDesc,
            "-updated_at" => Self::UpdatedDesc,
            "-created_at" => Self::CreatedDesc,
            "code" => Self::Code,
            _ => return None,
        })
    }
}

impl AccountFilter {
    /// Reads the list parameters (custom fields aside: their definitions
    /// live in storage).
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            terms: q.terms(),
            search_private: false,
            account_type: q.parsed("type", AccountType::parse),
            status: q.parsed("status", AccountStatus::parse),
            region: q.text("region"),
            industry: q.text("industry"),
            segment: q.text("segment"),
            owner_id: q.id("owner_id"),
            team_id: q.id("team_id"),
            tag: q.text("tag"),
            inn: q.text("inn"),
            custom: Vec::new(),
            deleted: q.flag("deleted").unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn match_key_ignores_legal_forms_quotes_case_and_yo() {
        use super::match_key;
        assert_eq!(match_key("ООО «Ромашка»"), "ромашка");
        assert_eq!(match_key("Ромашка, ооо"), "ромашка");
        assert_eq!(match_key("ЗАО \"Ёлка-Трейд\""), "елка трейд");
        assert_eq!(match_key("Acme Co., Ltd."), "acme");
        assert_ne!(match_key("Ромашка Плюс"), match_key("Ромашка"));
        assert_eq!(match_key("ООО"), "ооо");
    }

    use super::*;

    #[test]
    fn collects_every_error() {
        let draft = AccountDraft {
            name: "  ".into(),
            inn: Some("1234567890".into()),
            types: vec!["customer".into(), "alien".into()],
            ..Default::default()
        };
        let errors = draft.validate().err().map(|e| e.0).unwrap_or_default();
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("name", "required"),
                ("types[1]", "invalid_choice"),
                ("inn", "invalid_inn")
            ]
        );
    }

    #[test]
    fn round_trips_through_a_draft() {
        let draft = AccountDraft {
            name: " ООО Ромашка ".into(),
            inn: Some("7707083893".into()),
            kpp: Some("773601001".into()),
            types: vec!["customer".into(), "customer".into(), "dealer".into()],
            legal_name: Some(" ".into()),
            ..Default::default()
        };
        let fields = draft.validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields.name, "ООО Ромашка");
        assert_eq!(fields.types, [AccountType::Customer, AccountType::Dealer]);
        assert_eq!(fields.legal_name, None);
        assert_eq!(AccountDraft::from(&fields).validate().ok(), Some(fields));
    }
}
