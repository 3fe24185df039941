//! Activities (активности): calls, meetings, e-mails, demos, materials sent,
//! proposals and notes, each linked to an account, contact or deal.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What kind of contact with the customer it was: the code of an
/// `activity_type` classifier value. Administrators may add their own types;
/// the built-in ones below keep their meaning (calls have a direction,
/// meetings and demos fill the calendar).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityKind(String);

/// A built-in activity type: code, Russian and English labels, and how long
/// one usually takes in minutes. Seeded by the migration that made activity
/// types a classifier.
pub struct BuiltInKind {
    pub code: &'static str,
    pub label_ru: &'static str,
    pub label_en: &'static str,
    pub default_minutes: i32,
}

impl ActivityKind {
    /// The classifier kind that lists activity types.
    pub const CLASSIFIER: &'static str = "activity_type";
    pub const CALL: &'static str = "call";
    pub const MEETING: &'static str = "meeting";
    pub const DEMO: &'static str = "demo";
    pub const PROPOSAL: &'static str = "proposal";
    pub const NOTE: &'static str = "note";

    /// The types every installation starts with.
    pub const BUILT_IN: &'static [BuiltInKind] = &[
        built_in(Self::CALL, "Звонок", "Call", 15),
        built_in(Self::MEETING, "Встреча", "Meeting", 60),
        built_in("email", "Письмо", "E-mail", 5),
        built_in(Self::DEMO, "Демонстрация", "Demo", 60),
        built_in("materials", "Отправка материалов", "Materials sent", 10),
        built_in(Self::PROPOSAL, "Коммерческое предложение", "Proposal", 30),
        built_in(Self::NOTE, "Заметка", "Note", 0),
    ];

    /// Parses a classifier code (lower-case letters, digits, `_`); whether
    /// the type exists is the database's question.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        let well_formed = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if well_formed {
            Ok(Self(raw.to_string()))
        } else {
            Err("invalid_choice")
        }
    }

    /// A code read back from storage, where only parsed codes are written.
    pub fn stored(code: String) -> Self {
        Self(code)
    }

    /// The classifier code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Calls alone have a direction.
    pub fn is_call(&self) -> bool {
        self.0 == Self::CALL
    }

    /// Meetings and demos take a slot in the calendar.
    pub fn is_appointment(&self) -> bool {
        self.0 == Self::MEETING || self.0 == Self::DEMO
    }
}

const fn built_in(
    code: &'static str,
    label_ru: &'static str,
    label_en: &'static str,
    default_minutes: i32,
) -> BuiltInKind {
    BuiltInKind {
        code,
        label_ru,
        label_en,
        default_minutes,
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
    /// An `activity_type` classifier code: call, meeting, email, demo,
    /// materials, proposal, note, or one an administrator added.
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
    /// Minutes; `None` until the type's default duration is filled in.
    pub duration_minutes: Option<i32>,
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
        if direction.is_some() && kind.as_ref().is_some_and(|k| !k.is_call()) {
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
            duration_minutes: self.duration_minutes,
            kind: kind.unwrap_or_else(|| ActivityKind::stored(ActivityKind::NOTE.to_string())),
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
            duration_minutes: f.duration_minutes,
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

/// List filters for activities.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub kind: Option<ActivityKind>,
    /// Started at or after (micros).
    pub from: Option<i64>,
    /// Started before (micros).
    pub to: Option<i64>,
}

impl ActivityFilter {
    /// Reads the list parameters.
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            account_id: q.id("account_id"),
            contact_id: q.id("contact_id"),
            deal_id: q.id("deal_id"),
            lead_id: q.id("lead_id"),
            owner_id: q.id("owner_id"),
            team_id: q.id("team_id"),
            kind: q.parsed("kind", ActivityKind::parse),
            from: q.instant("from"),
            to: q.instant("to"),
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
        assert_eq!(call.duration_minutes, None);
        assert_eq!(ActivityDraft::from(&call).validate().ok(), Some(call));
    }
}
