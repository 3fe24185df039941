//! Lead routing (распределение лидов): ordered rules whose conditions on
//! region, industry, source and interest send a new lead to a rep, or to a
//! team where round-robin or the least-loaded rep takes it.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

vocabulary!(
    /// How a team rule picks the rep.
    RoutingMethod { RoundRobin = "round_robin", LeastLoaded = "least_loaded" }
);

/// A rule as a client sends it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDraft {
    pub name: Option<String>,
    /// Rules are tried in ascending position.
    pub position: Option<i32>,
    /// Classifier `region`; absent matches any.
    pub region: Option<String>,
    /// Classifier `industry`; absent matches any.
    pub industry: Option<String>,
    /// Classifier `lead_source`; absent matches any.
    pub source: Option<String>,
    /// Words the lead's interest or message must contain; absent matches any.
    pub interest: Option<String>,
    /// Send to this rep…
    pub target_user_id: Option<Uuid>,
    /// …or to a rep of this team.
    pub target_team_id: Option<Uuid>,
    /// round_robin (default) or least_loaded, for team targets.
    pub method: Option<String>,
    pub active: Option<bool>,
}

/// A validated rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFields {
    pub name: String,
    pub position: i32,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub interest: Option<String>,
    pub target: Target,
    pub method: RoutingMethod,
    pub active: bool,
}

/// Where a rule sends leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Target {
    User(Uuid),
    Team(Uuid),
}

impl RuleDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<RuleFields, Invalid> {
        let mut e = Invalid::default();
        let name = clean_text(&mut e, "name", self.name, 200);
        if name.is_none() && !e.0.iter().any(|f| f.field == "name") {
            e.push("name", "required");
        }
        let target = match (self.target_user_id, self.target_team_id) {
            (Some(u), None) => Some(Target::User(u)),
            (None, Some(t)) => Some(Target::Team(t)),
            _ => {
                e.push("target_user_id", "one_target_required");
                None
            }
        };
        let fields = RuleFields {
            name: name.unwrap_or_default(),
            position: self.position.unwrap_or(0),
            region: clean_text(&mut e, "region", self.region, 64),
            industry: clean_text(&mut e, "industry", self.industry, 64),
            source: clean_text(&mut e, "source", self.source, 64),
            interest: clean_text(&mut e, "interest", self.interest, 200),
            target: target.unwrap_or(Target::User(Uuid::nil())),
            method: optional(&mut e, "method", self.method, RoutingMethod::parse)
                .unwrap_or(RoutingMethod::RoundRobin),
            active: self.active.unwrap_or(true),
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&RuleFields> for RuleDraft {
    fn from(f: &RuleFields) -> Self {
        let (user, team) = match f.target {
            Target::User(u) => (Some(u), None),
            Target::Team(t) => (None, Some(t)),
        };
        RuleDraft {
            name: Some(f.name.clone()),
            position: Some(f.position),
            region: f.region.clone(),
            industry: f.industry.clone(),
            source: f.source.clone(),
            interest: f.interest.clone(),
            target_user_id: user,
            target_team_id: team,
            method: Some(f.method.as_str().to_string()),
            active: Some(f.active),
        }
    }
}

/// What routing looks at in a lead.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeadTraits<'a> {
    pub region: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub source: Option<&'a str>,
    /// Interest and message together.
    pub text: &'a str,
}

impl RuleFields {
    /// Whether every condition the rule sets holds for the lead. Interest
    /// matches when each of the rule's words starts a word of the lead's
    /// interest or message, case-insensitively ("станк" matches "Станки").
    pub fn matches(&self, lead: LeadTraits<'_>) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        let text = lead.text.to_lowercase();
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let interest = self.interest.as_deref().is_none_or(|wanted| {
            wanted
                .to_lowercase()
                .split_whitespace()
                .all(|w| words.iter().any(|have| have.starts_with(w)))
        });
        self.active
            && same(&self.region, lead.region)
            && same(&self.industry, lead.industry)
            && same(&self.source, lead.source)
            && interest
    }
}

/// The next rep in round-robin order after `last` among `members` (sorted
/// the same way every time), wrapping around.
pub fn round_robin(members: &[Uuid], last: Option<Uuid>) -> Option<Uuid> {
    let next = last
        .and_then(|l| members.iter().position(|m| *m == l))
        .map_or(0, |i| i + 1);
    members.get(next % members.len().max(1)).copied()
}

/// The rep with the fewest open leads (the first such in `members` order).
pub fn least_loaded(members: &[Uuid], open_leads: impl Fn(Uuid) -> i64) -> Option<Uuid> {
    members.iter().copied().min_by_key(|m| open_leads(*m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(region: Option<&str>, interest: Option<&str>) -> RuleFields {
        RuleDraft {
            name: Some("r".into()),
            region: region.map(Into::into),
            interest: interest.map(Into::into),
            target_user_id: Some(Uuid::nil()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn conditions_all_hold_and_interest_matches_word_starts() {
        let lead = LeadTraits {
            region: Some("ural"),
            text: "Нужны Станки с ЧПУ",
            ..Default::default()
        };
        assert!(rule(Some("ural"), None).matches(lead));
        assert!(!rule(Some("siberia"), None).matches(lead));
        assert!(rule(None, Some("станк чпу")).matches(lead));
        assert!(!rule(None, Some("насос")).matches(lead));
        assert!(rule(None, None).matches(LeadTraits::default()));
    }

    #[test]
    fn round_robin_goes_around_and_least_loaded_picks_the_idlest() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let c = Uuid::from_u128(3);
        let team = [a, b, c];
        assert_eq!(round_robin(&team, None), Some(a));
        assert_eq!(round_robin(&team, Some(a)), Some(b));
        assert_eq!(round_robin(&team, Some(c)), Some(a));
        assert_eq!(round_robin(&team, Some(Uuid::from_u128(9))), Some(a));
        assert_eq!(round_robin(&[], None), None);
        assert_eq!(least_loaded(&team, |m| if m == b { 0 } else { 5 }), Some(b));
    }

    #[test]
    fn a_rule_needs_a_name_and_exactly_one_target() {
        let codes: Vec<_> = RuleDraft {
            target_user_id: Some(Uuid::nil()),
            target_team_id: Some(Uuid::nil()),
            ..Default::default()
        }
        .validate()
        .err()
        .map(|e| e.0.into_iter().map(|f| f.code).collect())
        .unwrap_or_default();
        assert_eq!(codes, ["required", "one_target_required"]);
    }
}
