//! Leads (лиды): enquiries from the web form, the API, imports or typed in
//! by hand, before they are qualified into an account, a contact and a deal.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use crate::identifiers::{Email, Phone};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

vocabulary!(
    /// Where the lead stands.
    LeadStatus {
        New = "new",
        Assigned = "assigned",
        InWork = "in_work",
        Qualified = "qualified",
        Disqualified = "disqualified",
    }
);

vocabulary!(
    /// How the lead reached us.
    LeadChannel { Form = "form", Api = "api", Manual = "manual", Import = "import" }
);

/// A lead as a client sends it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadDraft {
    /// The person who enquired.
    pub person_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Classifier `region`.
    pub region: Option<String>,
    /// Classifier `industry`.
    pub industry: Option<String>,
    /// Classifier `lead_source`.
    pub source: Option<String>,
    /// Classifier `campaign`.
    pub campaign: Option<String>,
    /// Products or services wanted.
    pub interest: Option<String>,
    pub message: Option<String>,
    /// new, assigned, in_work, qualified, disqualified.
    pub status: Option<String>,
    /// Classifier `disqualify_reason`; required when disqualified.
    pub disqualify_reason: Option<String>,
    /// Consent to the processing of personal data.
    pub consent: Option<bool>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// A validated lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadFields {
    pub person_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub interest: Option<String>,
    pub message: Option<String>,
    pub status: LeadStatus,
    pub disqualify_reason: Option<String>,
    pub consent: bool,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

fn code(e: &mut Invalid, field: &str, value: Option<String>) -> Option<String> {
    clean_text(e, field, value, 64)
}

impl LeadDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<LeadFields, Invalid> {
        let mut e = Invalid::default();
        let person_name = clean_text(&mut e, "person_name", self.person_name, 200);
        let company_name = clean_text(&mut e, "company_name", self.company_name, 300);
        if person_name.is_none() && company_name.is_none() {
            e.push("person_name", "name_required");
        }
        let email = optional(&mut e, "email", self.email, Email::parse);
        let phone = optional(&mut e, "phone", self.phone, Phone::parse);
        if email.is_none()
            && phone.is_none()
            && !e.0.iter().any(|f| f.field == "email" || f.field == "phone")
        {
            e.push("email", "contact_required");
        }
        let status =
            optional(&mut e, "status", self.status, LeadStatus::parse).unwrap_or(LeadStatus::New);
        let disqualify_reason = code(&mut e, "disqualify_reason", self.disqualify_reason);
        if status == LeadStatus::Disqualified && disqualify_reason.is_none() {
            e.push("disqualify_reason", "disqualify_reason_required");
        }
        let fields = LeadFields {
            person_name,
            company_name,
            email,
            phone,
            region: code(&mut e, "region", self.region),
            industry: code(&mut e, "industry", self.industry),
            source: code(&mut e, "source", self.source),
            campaign: code(&mut e, "campaign", self.campaign),
            interest: clean_text(&mut e, "interest", self.interest, 500),
            message: clean_text(&mut e, "message", self.message, 5_000),
            // A reason belongs to a disqualified lead only.
            disqualify_reason: disqualify_reason.filter(|_| status == LeadStatus::Disqualified),
            status,
            consent: self.consent.unwrap_or(false),
            owner_id: self.owner_id,
            team_id: self.team_id,
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&LeadFields> for LeadDraft {
    fn from(f: &LeadFields) -> Self {
        LeadDraft {
            person_name: f.person_name.clone(),
            company_name: f.company_name.clone(),
            email: f.email.as_ref().map(|v| v.as_str().to_string()),
            phone: f.phone.as_ref().map(|v| v.as_str().to_string()),
            region: f.region.clone(),
            industry: f.industry.clone(),
            source: f.source.clone(),
            campaign: f.campaign.clone(),
            interest: f.interest.clone(),
            message: f.message.clone(),
            status: Some(f.status.as_str().to_string()),
            disqualify_reason: f.disqualify_reason.clone(),
            consent: Some(f.consent),
            owner_id: f.owner_id,
            team_id: f.team_id,
        }
    }
}

/// What the public web form sends (`POST /forms/lead`). `website` is the
/// honeypot: people never see it, robots fill it in.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct WebFormLead {
    pub name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub message: Option<String>,
    /// `true`, `on`, `1` or `yes` (a ticked checkbox) mean consent.
    #[serde(default, deserialize_with = "checkbox")]
    pub consent: bool,
    pub website: Option<String>,
    /// Optional hidden fields a site may add to steer routing.
    pub region: Option<String>,
    pub interest: Option<String>,
    pub source: Option<String>,
    pub campaign: Option<String>,
}

fn checkbox<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        Some(Raw::Bool(b)) => b,
        Some(Raw::Text(t)) => matches!(t.trim(), "true" | "on" | "1" | "yes"),
        None => false,
    })
}

impl WebFormLead {
    /// Whether a robot filled in the hidden field.
    pub fn is_spam(&self) -> bool {
        self.website
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty())
    }

    /// The lead it makes; consent is required from the public.
    pub fn into_draft(self) -> Result<LeadDraft, Invalid> {
        if !self.consent {
            let mut e = Invalid::default();
            e.push("consent", "consent_required");
            return Err(e);
        }
        Ok(LeadDraft {
            person_name: self.name,
            company_name: self.company,
            email: self.email,
            phone: self.phone,
            message: self.message,
            consent: Some(true),
            region: self.region,
            interest: self.interest,
            source: self.source.or(Some("website".into())),
            campaign: self.campaign,
            ..Default::default()
        })
    }
}

/// List filters for leads.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// Only leads nobody owns yet (the head of sales' queue).
    pub unassigned: bool,
    /// Search terms (every one must match as a prefix).
    pub terms: Vec<String>,
    /// Whether the terms may match e-mail and phone.
    pub search_private: bool,
}

impl LeadFilter {
    /// Reads the list parameters.
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            status: q.parsed("status", LeadStatus::parse),
            owner_id: q.id("owner_id"),
            team_id: q.id("team_id"),
            unassigned: q.flag("unassigned").unwrap_or(false),
            terms: q.terms(),
            search_private: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(d: LeadDraft) -> Vec<(String, &'static str)> {
        d.validate()
            .err()
            .map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_lead_needs_a_name_a_way_to_reach_and_a_reason_to_be_dropped() {
        assert_eq!(
            codes(LeadDraft {
                status: Some("disqualified".into()),
                ..Default::default()
            }),
            [
                ("person_name".to_string(), "name_required"),
                ("email".to_string(), "contact_required"),
                (
                    "disqualify_reason".to_string(),
                    "disqualify_reason_required"
                ),
            ]
        );
        let lead = LeadDraft {
            person_name: Some("Ольга".into()),
            phone: Some("+7 (912) 000-11-22".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lead.status, LeadStatus::New);
        assert_eq!(LeadDraft::from(&lead).validate().ok(), Some(lead));
    }

    #[test]
    fn the_public_form_needs_consent_and_spots_robots() {
        let form: WebFormLead =
            serde_json::from_str(r#"{"name":"Ольга","email":"o@example.ru","consent":"on"}"#)
                .unwrap_or_default();
        assert!(form.consent && !form.is_spam());
        let draft = form.into_draft().unwrap_or_default();
        assert_eq!(draft.source.as_deref(), Some("website"));
        let robot = WebFormLead {
            website: Some("http://spam".into()),
            ..Default::default()
        };
        assert!(robot.is_spam());
        assert!(robot.into_draft().is_err());
    }
}
