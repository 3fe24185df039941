//! Deals (сделки): an opportunity with one account, moving through the
//! stages of a pipeline, with an amount, a close date and a next step.

use crate::Invalid;
use crate::accounts::{clean_text, optional};
use crate::contacts::{DATE_FORMAT, parse_date};
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

/// Deal fields as a client sends them. Unknown fields are rejected.
/// `pipeline_id` and `stage_id` default to the first active pipeline and its
/// first stage; `probability` defaults to the stage's and, once sent,
/// overrides it until the deal changes stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealDraft {
    pub title: Option<String>,
    pub account_id: Option<Uuid>,
    #[serde(default)]
    pub contact_ids: Vec<Uuid>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    /// In minor units (kopecks).
    pub amount_minor: Option<i64>,
    /// ISO 4217; `RUB` when absent.
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub expected_close: Option<String>,
    pub probability: Option<i32>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// Classifier `lead_source`.
    pub source: Option<String>,
    /// Classifier `campaign`.
    pub campaign: Option<String>,
    /// An account of type competitor.
    pub competitor_id: Option<Uuid>,
    /// Classifier `loss_reason`; required in a lost stage.
    pub loss_reason: Option<String>,
    pub next_step: Option<String>,
    pub description: Option<String>,
    /// Items of the current stage's checklist that are done.
    #[serde(default)]
    pub checklist_done: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A validated deal (pipeline and stage still to be resolved).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealFields {
    pub title: String,
    pub account_id: Uuid,
    pub contact_ids: Vec<Uuid>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub amount_minor: i64,
    pub currency: Currency,
    pub expected_close: Option<Date>,
    pub probability: Option<i32>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub competitor_id: Option<Uuid>,
    pub loss_reason: Option<String>,
    pub next_step: Option<String>,
    pub description: Option<String>,
    pub checklist_done: Vec<String>,
    pub custom: serde_json::Map<String, serde_json::Value>,
}

impl DealDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<DealFields, Invalid> {
        let mut e = Invalid::default();
        let title = clean_text(&mut e, "title", self.title, 300);
        if title.is_none() && !e.0.iter().any(|f| f.field == "title") {
            e.push("title", "required");
        }
        if self.account_id.is_none() {
            e.push("account_id", "required");
        }
        let amount_minor = self.amount_minor.unwrap_or(0);
        if amount_minor < 0 {
            e.push("amount_minor", "out_of_range");
        }
        let currency = optional(&mut e, "currency", self.currency, Currency::parse);
        if self.probability.is_some_and(|p| !(0..=100).contains(&p)) {
            e.push("probability", "out_of_range");
        }
        let mut contact_ids = self.contact_ids;
        contact_ids.dedup();
        let fields = DealFields {
            account_id: self.account_id.unwrap_or_default(),
            pipeline_id: self.pipeline_id,
            stage_id: self.stage_id,
            currency: currency.unwrap_or_else(Currency::rub),
            expected_close: optional(&mut e, "expected_close", self.expected_close, parse_date),
            probability: self.probability,
            owner_id: self.owner_id,
            team_id: self.team_id,
            source: clean_text(&mut e, "source", self.source, 100),
            campaign: clean_text(&mut e, "campaign", self.campaign, 100),
            competitor_id: self.competitor_id,
            loss_reason: clean_text(&mut e, "loss_reason", self.loss_reason, 100),
            next_step: clean_text(&mut e, "next_step", self.next_step, 500),
            description: clean_text(&mut e, "description", self.description, 20_000),
            checklist_done: crate::accounts::clean_list(self.checklist_done),
            custom: self.custom,
            title: title.unwrap_or_default(),
            contact_ids,
            amount_minor,
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&DealFields> for DealDraft {
    fn from(f: &DealFields) -> Self {
        DealDraft {
            title: Some(f.title.clone()),
            account_id: Some(f.account_id),
            contact_ids: f.contact_ids.clone(),
            pipeline_id: f.pipeline_id,
            stage_id: f.stage_id,
            amount_minor: Some(f.amount_minor),
            currency: Some(f.currency.to_string()),
            expected_close: f.expected_close.and_then(|d| d.format(DATE_FORMAT).ok()),
            probability: f.probability,
            owner_id: f.owner_id,
            team_id: f.team_id,
            source: f.source.clone(),
            campaign: f.campaign.clone(),
            competitor_id: f.competitor_id,
            loss_reason: f.loss_reason.clone(),
            next_step: f.next_step.clone(),
            description: f.description.clone(),
            checklist_done: f.checklist_done.clone(),
            custom: f.custom.clone(),
        }
    }
}

/// Which deals by the kind of their stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

impl DealStatus {
    /// Parses the `status` parameter.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "open" => Self::Open,
            "won" => Self::Won,
            "lost" => Self::Lost,
            _ => return None,
        })
    }

    /// The kind of stage the status selects.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }
}

/// List filters for deals.
#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub terms: Vec<String>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub status: Option<DealStatus>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub deleted: bool,
}

/// Sort orders for deal lists and board columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DealSort {
    #[default]
    UpdatedDesc,
    CreatedDesc,
    AmountDesc,
}

impl DealSort {
    /// Parses the `sort` parameter.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "-updated_at" => Self::UpdatedDesc,
            "-created_at" => Self::CreatedDesc,
            "-amount" => Self::AmountDesc,
            _ => return None,
        })
    }
}

impl DealFilter {
    /// Reads the list parameters.
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            terms: q.terms(),
            pipeline_id: q.id("pipeline_id"),
            stage_id: q.id("stage_id"),
            status: q.choice("status", DealStatus::parse),
            account_id: q.id("account_id"),
            contact_id: q.id("contact_id"),
            owner_id: q.id("owner_id"),
            team_id: q.id("team_id"),
            deleted: q.flag("deleted").unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deal_needs_a_title_and_an_account_and_sane_numbers() {
        let codes: Vec<_> = DealDraft {
            amount_minor: Some(-1),
            currency: Some("рубли".into()),
            probability: Some(140),
            expected_close: Some("2026-13-01".into()),
            ..Default::default()
        }
        .validate()
        .err()
        .map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect())
        .unwrap_or_default();
        assert_eq!(
            codes,
            [
                ("title".to_string(), "required"),
                ("account_id".to_string(), "required"),
                ("amount_minor".to_string(), "out_of_range"),
                ("currency".to_string(), "invalid_currency"),
                ("probability".to_string(), "out_of_range"),
                ("expected_close".to_string(), "invalid_date"),
            ]
        );
    }

    #[test]
    fn a_valid_deal_round_trips_with_roubles_by_default() {
        let fields = DealDraft {
            title: Some(" Поставка станков ".into()),
            account_id: Some(Uuid::nil()),
            amount_minor: Some(15_000_000),
            expected_close: Some("2026-12-01".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields.title, "Поставка станков");
        assert_eq!(fields.currency.as_str(), "RUB");
        assert_eq!(DealDraft::from(&fields).validate().ok(), Some(fields));
    }
}
