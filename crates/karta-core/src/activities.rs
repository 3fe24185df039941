//! Activities (активности): calls, meetings, e-mails, demos, materials sent,
//! proposals and notes, each linked to an account, contact or deal.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

vocabulary!(
    /// What kind of contact with the customer it was.
    ActivityKind {
        Call = "call",
        Meeting = "meeting",
        Email = "email",
        Demo = "demo",
        Materials = "materials",
        Proposal = "proposal",
        Note = "note",
    }
);

impl ActivityKind {
    /// How long one usually takes, in minutes (the default duration).
    pub fn default_minutes(self) -> i32 {
        match self {
            Self::Call => 15,
            Self::Meeting | Self::Demo => 60,
            Self::Proposal => 30,
            Self::Materials => 10,
            Self::Email => 5,
            Self::Note => 0,
        }
    }
}

vocabulary!(
    /// Who called whom.
    Direction { Incoming = "incoming", Outgoing = "outgoing" }
);

/// An activity as a client sends it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityDraft {
    /// call, meeting, email, demo, materials, proposal, note.
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub outcome: Option<String>,
    /// RFC 3339; now when absent.
    pub started_at: Option<String>,
    /// Minutes; the kind's usual duration when absent.
    pub duration_minutes: Option<i32>,
    /// Calls only: incoming or outgoing.
    pub direction: Option<String>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    /// Who did it; the caller when absent.
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// A validated activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityFields {
    pub kind: ActivityKind,
    pub subject: Option<String>,
    pub outcome: Option<String>,
    /// Micros; `None` means now.
    pub started_at: Option<i64>,
    pub duration_minutes: i32,
    pub direction: Option<Direction>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

impl ActivityDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<ActivityFields, Invalid> {
        let mut e = Invalid::default();
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            None => {
                e.push("kind", "required");
                None
            }
            Some(k) => e.take("kind", ActivityKind::parse(k)),
        };
        let direction = optional(&mut e, "direction", self.direction, Direction::parse);
        if direction.is_some() && kind.is_some_and(|k| k != ActivityKind::Call) {
            e.push("direction", "direction_only_for_calls");
        }
        if self
            .duration_minutes
            .is_some_and(|d| !(0..=24 * 60).contains(&d))
        {
            e.push("duration_minutes", "out_of_range");
        }
        if self.account_id.is_none()
            && self.contact_id.is_none()
            && self.deal_id.is_none()
            && self.lead_id.is_none()
        {
            e.push("account_id", "link_required");
        }
        let fields = ActivityFields {
            subject: clean_text(&mut e, "subject", self.subject, 300),
            outcome: clean_text(&mut e, "outcome", self.outcome, 20_000),
            started_at: optional(
                &mut e,
                "started_at",
                self.started_at,
                crate::time::parse_rfc3339,
            ),
            duration_minutes: self
                .duration_minutes
                .or(kind.map(ActivityKind::default_minutes))
                .unwrap_or(0),
            kind: kind.unwrap_or(ActivityKind::Note),
            direction,
            account_id: self.account_id,
            contact_id: self.contact_id,
            deal_id: self.deal_id,
            lead_id: self.lead_id,
            owner_id: self.owner_id,
            team_id: self.team_id,
        };
        e.into_result().map(|()| fields)
    }
}

impl From<&ActivityFields> for ActivityDraft {
    fn from(f: &ActivityFields) -> Self {
        ActivityDraft {
            kind: Some(f.kind.as_str().to_string()),
            subject: f.subject.clone(),
            outcome: f.outcome.clone(),
            started_at: f.started_at.map(crate::time::rfc3339),
            duration_minutes: Some(f.duration_minutes),
            direction: f.direction.map(|d| d.as_str().to_string()),
            account_id: f.account_id,
            contact_id: f.contact_id,
            deal_id: f.deal_id,
            lead_id: f.lead_id,
            owner_id: f.owner_id,
            team_id: f.team_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_needs_a_kind_and_a_link_and_only_calls_have_a_direction() {
        let codes: Vec<_> = ActivityDraft {
            kind: Some("meeting".into()),
            direction: Some("incoming".into()),
            started_at: Some("yesterday".into()),
            ..Default::default()
        }
        .validate()
        .err()
        .map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect())
        .unwrap_or_default();
        assert_eq!(
            codes,
            [
                ("direction".to_string(), "direction_only_for_calls"),
                ("account_id".to_string(), "link_required"),
                ("started_at".to_string(), "invalid_datetime"),
            ]
        );
        let call = ActivityDraft {
            kind: Some("call".into()),
            direction: Some("outgoing".into()),
            account_id: Some(Uuid::nil()),
            started_at: Some("2026-11-20T10:00:00+03:00".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(call.duration_minutes, 15);
        assert_eq!(ActivityDraft::from(&call).validate().ok(), Some(call));
    }
}
