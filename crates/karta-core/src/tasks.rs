//! Tasks (задачи): something to do by a time — call back, send the
//! proposal — assigned to a person, optionally linked to a customer record,
//! with a reminder and a priority. Open tasks past their due time are overdue.

use crate::Invalid;
use crate::accounts::{clean_text, optional, vocabulary};
use crate::time::Micros;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

vocabulary!(
    /// How urgent the task is.
    Priority { Low = "low", Normal = "normal", High = "high" }
);

vocabulary!(
    /// Where the task stands.
    TaskStatus { Open = "open", Done = "done", Cancelled = "cancelled" }
);

/// A task as a client sends it. Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDraft {
    pub title: Option<String>,
    pub description: Option<String>,
    /// RFC 3339.
    pub due_at: Option<String>,
    /// RFC 3339; when the assignee is reminded (live in the browser).
    pub remind_at: Option<String>,
    /// low, normal (default), high.
    pub priority: Option<String>,
    /// open (default), done, cancelled.
    pub status: Option<String>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    /// The assignee; the caller when absent.
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// A validated task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskFields {
    pub title: String,
    pub description: Option<String>,
    pub due_at: Micros,
    pub remind_at: Option<Micros>,
    pub priority: Priority,
    pub status: TaskStatus,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

impl TaskFields {
    /// Open and past its due time at `now`.
    pub fn is_overdue(&self, now: Micros) -> bool {
        is_overdue(self.status, self.due_at, now)
    }
}

/// Whether a task with this status and due time is overdue at `now`.
pub fn is_overdue(status: TaskStatus, due_at: Micros, now: Micros) -> bool {
    status == TaskStatus::Open && due_at < now
}

impl TaskDraft {
    /// Checks everything that needs no database; collects every error.
    pub fn validate(self) -> Result<TaskFields, Invalid> {
        let mut e = Invalid::default();
        let title = clean_text(&mut e, "title", self.title, 300);
        if title.is_none() && !e.0.iter().any(|f| f.field == "title") {
            e.push("title", "required");
        }
        let due_at = optional(&mut e, "due_at", self.due_at, crate::time::parse_rfc3339);
        if due_at.is_none() && !e.0.iter().any(|f| f.field == "due_at") {
            e.push("due_at", "required");
        }
        let fields = TaskFields {
            title: title.unwrap_or_default(),
            description: clean_text(&mut e, "description", self.description, 20_000),
            due_at: due_at.unwrap_or_default(),
            remind_at: optional(
                &mut e,
                "remind_at",
                self.remind_at,
                crate::time::parse_rfc3339,
            ),
            priority: optional(&mut e, "priority", self.priority, Priority::parse)
                .unwrap_or(Priority::Normal),
            status: optional(&mut e, "status", self.status, TaskStatus::parse)
                .unwrap_or(TaskStatus::Open),
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

impl From<&TaskFields> for TaskDraft {
    fn from(f: &TaskFields) -> Self {
        TaskDraft {
            title: Some(f.title.clone()),
            description: f.description.clone(),
            due_at: Some(crate::time::rfc3339(f.due_at)),
            remind_at: f.remind_at.map(crate::time::rfc3339),
            priority: Some(f.priority.as_str().to_string()),
            status: Some(f.status.as_str().to_string()),
            account_id: f.account_id,
            contact_id: f.contact_id,
            deal_id: f.deal_id,
            lead_id: f.lead_id,
            owner_id: f.owner_id,
            team_id: f.team_id,
        }
    }
}

/// List filters for tasks.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub status: Option<TaskStatus>,
    /// Due at or after (micros).
    pub due_from: Option<i64>,
    /// Due before (micros).
    pub due_to: Option<i64>,
}

impl TaskFilter {
    /// Reads the list parameters (`overdue` is the caller's: it needs the
    /// clock).
    pub fn read(q: &mut crate::query::ListQuery) -> Self {
        Self {
            owner_id: q.id("owner_id"),
            team_id: q.id("team_id"),
            account_id: q.id("account_id"),
            contact_id: q.id("contact_id"),
            deal_id: q.id("deal_id"),
            lead_id: q.id("lead_id"),
            status: q.parsed("status", TaskStatus::parse),
            due_from: q.instant("due_from"),
            due_to: q.instant("due_to"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_needs_a_title_and_a_due_time() {
        let codes: Vec<_> = TaskDraft {
            title: Some("  ".into()),
            priority: Some("urgent".into()),
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
                ("due_at".to_string(), "required"),
                ("priority".to_string(), "invalid_choice"),
            ]
        );
        let task = TaskDraft {
            title: Some("Перезвонить".into()),
            due_at: Some("2026-11-20T10:00:00+03:00".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(task.priority, Priority::Normal);
        assert_eq!(task.status, TaskStatus::Open);
        assert!(task.is_overdue(task.due_at + 1));
        assert!(!task.is_overdue(task.due_at));
        assert_eq!(TaskDraft::from(&task).validate().ok(), Some(task));
    }
}
