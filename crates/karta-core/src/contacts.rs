//! Contacts (контактные лица): people at accounts, their personal data and
//! consents.

use crate::Invalid;
use crate::accounts::{clean_list, clean_text};
use crate::identifiers::{Email, Phone};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

/// Consent as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub given: bool,
    /// `YYYY-MM-DD`; required when `given`.
    pub date: Option<String>,
    /// Where the consent came from (web form, signed paper, call…).
    pub source: Option<String>,
}

/// Contact fields as a client sends them. Unknown fields are rejected.
/// `emails`, `phones`, `messengers` and `birthday` are personal data: absent
/// from answers to roles without that right.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDraft {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub position: Option<String>,
    /// Classifier `purchase_role`: decision maker, influencer, user…
    pub purchase_role: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub messengers: Vec<String>,
    pub birthday: Option<String>,
    #[serde(default)]
    pub account_ids: Vec<Uuid>,
    pub consent_personal_data: Option<Consent>,
    pub consent_marketing: Option<Consent>,
    pub notes: Option<String>,
    /// The record's id in the system it was imported from (1C, old CRM).
    pub external_id: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A validated consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    pub given: bool,
    pub date: Option<Date>,
    pub source: Option<String>,
}

/// A validated contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub position: Option<String>,
    pub purchase_role: Option<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub messengers: Vec<String>,
    pub birthday: Option<Date>,
    pub account_ids: Vec<Uuid>,
    pub consent_personal_data: ConsentRecord,
    pub consent_marketing: ConsentRecord,
    pub notes: Option<String>,
    /// The record's id in the system it was imported from (1C, old CRM).
    pub external_id: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Fields that hold personal data: hidden from roles without that right.
pub const PERSONAL_DATA_FIELDS: &[&str] = &["emails", "phones", "messengers", "birthday"];

/// ISO date format used for every date field.
pub const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A date as `YYYY-MM-DD`.
pub fn date_text(d: Date) -> String {
    d.format(DATE_FORMAT).unwrap_or_default()
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<Date, &'static str> {
    Date::parse(raw.trim(), DATE_FORMAT).map_err(|_| "invalid_date")
}

fn consent(e: &mut Invalid, field: &str, raw: Option<Consent>) -> ConsentRecord {
    let raw = raw.unwrap_or_default();
    let date = match raw.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => e.take(&format!("{field}.date"), parse_date(d)),
        None if raw.given => {
            e.push(format!("{field}.date"), "required");
            None
        }
        None => None,
    };
    ConsentRecord {
        given: raw.given,
        date,
        source: clean_text(e, &format!("{field}.source"), raw.source, 200),
    }
}

impl ContactDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<ContactFields, Invalid> {
        let mut e = Invalid::default();
        let first_name = clean_text(&mut e, "first_name", self.first_name, 100);
        let last_name = clean_text(&mut e, "last_name", self.last_name, 100);
        if first_name.is_none() && last_name.is_none() {
            e.push("last_name", "name_required");
        }
        let mut emails = Vec::new();
        for (i, raw) in clean_list(self.emails).iter().enumerate() {
            if let Some(email) = e.take(&format!("emails[{i}]"), Email::parse(raw))
                && !emails.contains(&email)
            {
                emails.push(email);
            }
        }
        let mut phones = Vec::new();
        for (i, raw) in clean_list(self.phones).iter().enumerate() {
            if let Some(phone) = e.take(&format!("phones[{i}]"), Phone::parse(raw))
                && !phones.contains(&phone)
            {
                phones.push(phone);
            }
        }
        let birthday = self
            .birthday
            .filter(|b| !b.trim().is_empty())
            .and_then(|b| e.take("birthday", parse_date(&b)));
        let mut account_ids = self.account_ids;
        account_ids.dedup();
        let fields = ContactFields {
            middle_name: clean_text(&mut e, "middle_name", self.middle_name, 100),
            position: clean_text(&mut e, "position", self.position, 200),
            purchase_role: clean_text(&mut e, "purchase_role", self.purchase_role, 100),
            messengers: clean_list(self.messengers),
            consent_personal_data: consent(
                &mut e,
                "consent_personal_data",
                self.consent_personal_data,
            ),
            consent_marketing: consent(&mut e, "consent_marketing", self.consent_marketing),
            notes: clean_text(&mut e, "notes", self.notes, 20_000),
            external_id: clean_text(&mut e, "external_id", self.external_id, 100),
            owner_id: self.owner_id,
            team_id: self.team_id,
            custom: self.custom,
            first_name,
            last_name,
            emails,
            phones,
            birthday,
            account_ids,
        };
        e.into_result().map(|()| fields)
    }
}

impl ContactFields {
    /// "Last First Middle", the way Russian lists sort people.
    pub fn display_name(&self) -> String {
        [&self.last_name, &self.first_name, &self.middle_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn consent_draft(c: &ConsentRecord) -> Option<Consent> {
    Some(Consent {
        given: c.given,
        date: c.date.and_then(|d| d.format(DATE_FORMAT).ok()),
        source: c.source.clone(),
    })
}

impl From<&ContactFields> for ContactDraft {
    fn from(f: &ContactFields) -> Self {
        ContactDraft {
            first_name: f.first_name.clone(),
            last_name: f.last_name.clone(),
            middle_name: f.middle_name.clone(),
            position: f.position.clone(),
            purchase_role: f.purchase_role.clone(),
            emails: f.emails.iter().map(ToString::to_string).collect(),
            phones: f.phones.iter().map(ToString::to_string).collect(),
            messengers: f.messengers.clone(),
            birthday: f.birthday.and_then(|d| d.format(DATE_FORMAT).ok()),
            account_ids: f.account_ids.clone(),
            consent_personal_data: consent_draft(&f.consent_personal_data),
            consent_marketing: consent_draft(&f.consent_marketing),
            notes: f.notes.clone(),
            external_id: f.external_id.clone(),
            owner_id: f.owner_id,
            team_id: f.team_id,
            custom: f.custom.clone(),
        }
    }
}

/// List filters for contacts.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub terms: Vec<String>,
    pub search_private: bool,
    pub account_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub purchase_role: Option<String>,
    pub consent_marketing: Option<bool>,
    pub custom: Vec<crate::search::CustomFilter>,
    pub deleted: bool,
}

/// Sort orders for contact lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    #[default]
    Name,
    NameDesc,
    UpdatedDesc,
    CreatedDesc,
}

impl ContactSort {
    /// Parses the `sort` parameter.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "name" => Self::Name,
            "-name" => Self::NameDesc,
            "-updated_at" => Self::UpdatedDesc,
            "-created_at" => Self::CreatedDesc,
            _ => return None,
        })
    }
}

impl ContactFilter {
    /// Reads the list parameters (custom fields aside).
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            terms: q.terms(),
            search_private: false,
            account_id: q.id("account_id"),
            owner_id: q.id("owner_id"),
            team_id: q.id("team_id"),
            purchase_role: q.text("purchase_role"),
            consent_marketing: q.flag("consent_marketing"),
            custom: Vec::new(),
            deleted: q.flag("deleted").unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_collects_errors() {
        let draft = ContactDraft {
            last_name: Some("Иванова".into()),
            emails: vec!["A@B.RU".into(), "a@b.ru".into(), "bad".into()],
            phones: vec!["8 916 123-45-67".into()],
            birthday: Some("1990-02-30".into()),
            consent_marketing: Some(Consent {
                given: true,
                date: None,
                source: None,
            }),
            ..Default::default()
        };
        let codes: Vec<_> = draft
            .validate()
            .err()
            .map(|e| e.0)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("emails[2]".to_string(), "invalid_email"),
                ("birthday".to_string(), "invalid_date"),
                ("consent_marketing.date".to_string(), "required")
            ]
        );
    }

    #[test]
    fn a_valid_contact_round_trips() {
        let draft = ContactDraft {
            first_name: Some("Anna".into()),
            last_name: Some("Smith".into()),
            emails: vec!["anna@example.com".into()],
            phones: vec!["+1 202 555 0143".into()],
            birthday: Some("1985-07-01".into()),
            ..Default::default()
        };
        let fields = draft.validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields.display_name(), "Smith Anna");
        assert_eq!(fields.phones[0].as_str(), "+12025550143");
        assert_eq!(ContactDraft::from(&fields).validate().ok(), Some(fields));
    }
}
