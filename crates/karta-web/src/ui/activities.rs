//! Activities on cards: the quick "log a call / meeting…" form and the
//! activities merged into a card's timeline with its change history.

use super::forms::form_value;
use super::lists::urlencode;
use super::{Labels, TimelineEntry};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::model::Classifier;
use karta_app::{AppError, activities};
use karta_core::activities::ActivityFilter;
use karta_core::activities::{ActivityDraft, ActivityKind};
use karta_core::time::rfc3339;
use std::collections::HashMap;
use uuid::Uuid;

/// Labels of the activity types alone, for pages that show no other
/// classifier.
pub async fn type_labels(state: &AppState, tr: crate::i18n::Tr) -> Result<Labels, ApiError> {
    let types = state.app.classifiers_of(ActivityKind::CLASSIFIER).await?;
    Ok(Labels::new(&types, tr))
}

/// The latest activities matching `filter`, as timeline entries (none when
/// the role may not read activities).
pub async fn entries(
    state: &AppState,
    caller: &UiCaller,
    tr: crate::i18n::Tr,
    labels: &Labels,
    filter: ActivityFilter,
) -> Result<Vec<TimelineEntry>, ApiError> {
    let page = match activities::list(&state.app, &caller.0.principal, filter, None, 50).await {
        Ok(page) => page,
        Err(AppError::Forbidden) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let owners: Vec<Uuid> = page.items.iter().filter_map(|a| a.owner_id).collect();
    let names = karta_app::directory::names(&state.app, &owners).await?;
    Ok(page
        .items
        .iter()
        .map(|a| {
            let mut what = labels.of(ActivityKind::CLASSIFIER, Some(&a.kind));
            if let Some(d) = &a.direction {
                what = format!("{what} ({})", tr.t(&format!("direction-{d}")));
            }
            let detail = [a.subject.clone(), a.outcome.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — ");
            let who = a
                .owner_id
                .and_then(|o| names.get(&o).cloned())
                .unwrap_or_default();
            TimelineEntry::new(rfc3339(a.started_at), who, what, detail)
        })
        .collect())
}

/// Merges activities into a history timeline, newest first.
pub fn merge(mut timeline: Vec<TimelineEntry>, more: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    let at = |e: &TimelineEntry| karta_core::time::parse_rfc3339(&e.iso).unwrap_or_default();
    timeline.extend(more);
    timeline.sort_by_key(|e| std::cmp::Reverse(at(e)));
    timeline
}

/// The log form's inputs, sent back to the card when it is refused so
/// that nothing typed is lost.
const KEPT: [&str; 7] = [
    "kind",
    "direction",
    "subject",
    "outcome",
    "next_title",
    "next_due_at",
    "next_remind",
];

/// Logs an activity from a card's form and returns to the card: with a
/// word that it was recorded, or with the reason it was refused (naming the
/// field) and everything that was typed.
pub async fn log(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let get = |k: &str| form_value(&form, k).filter(|v| !v.trim().is_empty());
    let id = |k: &str| get(k).and_then(|v| v.parse::<Uuid>().ok());
    // The header's quick add names the customer by its code (picked by
    // name); cards send the record's id.
    let coded = match get("account_code") {
        Some(code) => Some(
            karta_app::accounts::by_typed_code(&state.app, &caller.0.principal, &code)
                .await
                .map(|a| a.id),
        ),
        None => None,
    };
    let account_id = id("account_id").or(coded.flatten());
    let back = match (id("deal_id"), id("lead_id"), id("contact_id"), account_id) {
        (Some(d), ..) => format!("/deals/{d}"),
        (None, Some(l), ..) => format!("/leads/{l}"),
        (None, None, Some(c), _) => format!("/contacts/{c}"),
        (None, None, None, Some(a)) => format!("/accounts/{a}"),
        _ => "/today".to_string(),
    };
    let draft = ActivityDraft {
        kind: get("kind"),
        subject: get("subject"),
        outcome: get("outcome"),
        direction: get("direction"),
        account_id,
        contact_id: id("contact_id"),
        deal_id: id("deal_id"),
        lead_id: id("lead_id"),
        ..Default::default()
    };
    let next =
        super::today::task_from_form(&form, "next_", state.app.utc_offset(&caller.0.principal));
    // A press on "log" with nothing written would record an empty call.
    let result = if coded == Some(None) {
        Err(AppError::field("account_code", "unknown_account"))
    } else if draft.subject.is_none() && draft.outcome.is_none() && next.is_none() {
        Err(AppError::field("subject", "required"))
    } else {
        activities::create(&state.app, &caller.0.principal, draft, next).await
    };
    let to = match result {
        Ok(_) => format!("{back}?done=logged#timeline"),
        Err(e) => {
            let (code, field) = super::forms::refusal(e)?;
            let mut to = format!("{back}?error={code}");
            if let Some(f) = field {
                to.push_str(&format!("&field={}", urlencode(&f)));
            }
            for k in KEPT {
                if let Some(v) = get(k) {
                    to.push_str(&format!("&log.{k}={}", urlencode(&v)));
                }
            }
            to + "#log"
        }
    };
    Ok(Redirect::to(&to).into_response())
}

/// The log form's page data: the active activity types, the record it
/// is for, and what was typed before a refusal.
pub struct LogForm {
    pub kinds: Vec<(String, String)>,
    /// `account_id`, `contact_id`, `deal_id` or `lead_id`.
    pub link: &'static str,
    pub id: Uuid,
    kept: HashMap<String, String>,
}

impl LogForm {
    /// The form for one record, refilled from the card's query (`log.*`).
    pub fn new(
        labels: &Labels,
        all: &[Classifier],
        link: &'static str,
        id: Uuid,
        query: &HashMap<String, String>,
    ) -> Self {
        let kept = query
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("log.")?.to_string(), v.clone())))
            .collect();
        Self {
            kinds: labels.options(all, ActivityKind::CLASSIFIER),
            link,
            id,
            kept,
        }
    }

    /// What was typed in input `name` before a refusal.
    pub fn kept(&self, name: &str) -> &str {
        self.kept.get(name).map(String::as_str).unwrap_or_default()
    }
}
