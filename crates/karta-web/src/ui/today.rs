//! "Today" (the home page after login): overdue and today's tasks, today's
//! meetings, deals needing attention, a quick task form; task actions; and
//! `/events`, the Server-Sent Events stream that brings reminders live.

use super::forms::{back_to, form_value, redirect_after, with_error};
use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use futures::stream::Stream;
use karta_app::model::{Activity, Deal, Task};
use karta_app::{agenda, tasks};
use karta_core::tasks::{TaskDraft, TaskFilter, TaskStatus};
use karta_core::time::rfc3339;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// A task line on a page.
pub struct TaskLine {
    pub id: Uuid,
    pub version: i64,
    pub title: String,
    pub iso: String,
    pub at: String,
    pub priority: String,
    pub status: String,
    pub overdue: bool,
    /// Where the task leads (its deal, account, contact or lead card).
    pub link: Option<String>,
    /// Whose task it is, on lists of other people's work.
    pub who: Option<String>,
    /// The account the task is about, for the pages that name it.
    pub account_id: Option<Uuid>,
    /// That account's name, where the page names it.
    pub about: Option<String>,
}

impl TaskLine {
    /// The line of a stored task at `now`.
    pub fn of(t: &Task, now: i64) -> Self {
        let link = match (t.deal_id, t.lead_id, t.contact_id, t.account_id) {
            (Some(d), ..) => Some(format!("/deals/{d}")),
            (None, Some(l), ..) => Some(format!("/leads/{l}")),
            (None, None, Some(c), _) => Some(format!("/contacts/{c}")),
            (None, None, None, Some(a)) => Some(format!("/accounts/{a}")),
            _ => None,
        };
        let iso = rfc3339(t.due_at);
        Self {
            id: t.id,
            version: t.version,
            title: t.title.clone(),
            at: super::utc_label(&iso),
            iso,
            priority: t.priority.clone(),
            status: t.status.clone(),
            overdue: karta_app::tasks::fields_of(t).is_overdue(now),
            link,
            who: None,
            account_id: t.account_id,
            about: None,
        }
    }

    /// The line naming the task's owner from `names`.
    fn owned(t: &Task, now: i64, names: &HashMap<Uuid, String>) -> Self {
        Self {
            who: t.owner_id.and_then(|o| names.get(&o).cloned()),
            ..Self::of(t, now)
        }
    }
}

/// Names on each of `lines` the account it is about (those the caller may
/// see), and returns the names of the `deals`' accounts too: one read for
/// the whole page.
async fn name_accounts(
    state: &AppState,
    caller: &UiCaller,
    lines: &mut [&mut TaskLine],
    deals: &[Deal],
) -> Result<HashMap<Uuid, String>, ApiError> {
    let ids: Vec<Uuid> = lines
        .iter()
        .filter_map(|l| l.account_id)
        .chain(deals.iter().map(|d| d.account_id))
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let names = karta_app::accounts::names(&state.app, &caller.0.principal, &ids).await?;
    for line in lines {
        line.about = line.account_id.and_then(|a| names.get(&a).cloned());
    }
    Ok(names)
}

/// The open tasks matching `filter` that the caller may read (none when
/// the role reads no tasks), for the blocks of cards.
pub async fn open_tasks(
    state: &AppState,
    caller: &UiCaller,
    filter: TaskFilter,
) -> Result<Vec<TaskLine>, ApiError> {
    let filter = TaskFilter {
        status: Some(TaskStatus::Open),
        ..filter
    };
    let now = state.app.now();
    match tasks::list(&state.app, &caller.0.principal, filter, None, 20).await {
        Ok(page) => Ok(page.items.iter().map(|t| TaskLine::of(t, now)).collect()),
        Err(karta_app::AppError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// A meeting line.
pub struct MeetingLine {
    pub iso: String,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub minutes: i32,
    pub link: Option<String>,
    /// Whose meeting it is, on lists of other people's work.
    pub who: Option<String>,
}

impl MeetingLine {
    /// The line of a planned meeting or demo, its type named by `labels`.
    pub fn of(a: &Activity, labels: &super::Labels) -> Self {
        let iso = rfc3339(a.started_at);
        Self {
            at: super::utc_label(&iso),
            iso,
            kind: labels.of(
                karta_core::activities::ActivityKind::CLASSIFIER,
                Some(&a.kind),
            ),
            subject: a.subject.clone().unwrap_or_default(),
            minutes: a.duration_minutes,
            link: a
                .deal_id
                .map(|d| format!("/deals/{d}"))
                .or(a.account_id.map(|c| format!("/accounts/{c}"))),
            who: None,
        }
    }
}

/// A deal that needs attention, and why.
pub struct AttentionLine {
    pub id: Uuid,
    pub title: String,
    /// The customer and what the deal is worth: whom to call, and how much
    /// is at stake.
    pub account: String,
    pub amount: String,
    pub no_next_step: bool,
    pub since: String,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    page: PageCtx,
    error: Option<String>,
    overdue: Vec<TaskLine>,
    tasks: Vec<TaskLine>,
    meetings: Vec<MeetingLine>,
    deals: Vec<AttentionLine>,
    /// The team's day, for one who leads.
    team: Option<TeamBlock>,
    /// Where task buttons return to.
    back: &'static str,
}

/// Others' overdue and today's tasks and today's meetings, each naming
/// whose it is.
struct TeamBlock {
    overdue: Vec<TaskLine>,
    tasks: Vec<TaskLine>,
    meetings: Vec<MeetingLine>,
}

impl TeamBlock {
    async fn of(
        state: &AppState,
        team: &agenda::TeamDay,
        labels: &super::Labels,
    ) -> Result<Self, ApiError> {
        let now = state.app.now();
        let owners: Vec<Uuid> = team
            .overdue
            .iter()
            .chain(&team.tasks)
            .filter_map(|t| t.owner_id)
            .chain(team.meetings.iter().filter_map(|m| m.owner_id))
            .collect();
        let names = karta_app::directory::names(&state.app, &owners).await?;
        let tasks = |list: &[Task]| -> Vec<TaskLine> {
            list.iter()
                .map(|t| TaskLine::owned(t, now, &names))
                .collect()
        };
        Ok(Self {
            overdue: tasks(&team.overdue),
            tasks: tasks(&team.tasks),
            meetings: team
                .meetings
                .iter()
                .map(|m| MeetingLine {
                    who: m.owner_id.and_then(|o| names.get(&o).cloned()),
                    ..MeetingLine::of(m, labels)
                })
                .collect(),
        })
    }
}

fn attention(d: &Deal, accounts: &HashMap<Uuid, String>, lang: &str) -> AttentionLine {
    let currency = karta_core::money::Currency::parse(&d.currency)
        .unwrap_or_else(|_| karta_core::money::Currency::rub());
    AttentionLine {
        id: d.id,
        title: d.title.clone(),
        account: accounts.get(&d.account_id).cloned().unwrap_or_default(),
        amount: karta_core::money::format_amount(d.amount_minor, &currency, lang),
        no_next_step: d.next_step.is_none(),
        since: rfc3339(d.stage_entered_at),
    }
}

/// The page.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let now = state.app.now();
    let day = agenda::today(&state.app, &caller.0.principal).await?;
    let labels = super::activities::type_labels(&state, page.tr).await?;
    let mut team = match &day.team {
        Some(t) => Some(TeamBlock::of(&state, t, &labels).await?),
        None => None,
    };
    let mut overdue: Vec<TaskLine> = day.overdue.iter().map(|t| TaskLine::of(t, now)).collect();
    let mut tasks: Vec<TaskLine> = day.tasks.iter().map(|t| TaskLine::of(t, now)).collect();
    let mut lines: Vec<&mut TaskLine> = overdue.iter_mut().chain(tasks.iter_mut()).collect();
    if let Some(team) = team.as_mut() {
        lines.extend(team.overdue.iter_mut().chain(team.tasks.iter_mut()));
    }
    let deal_accounts = name_accounts(&state, &caller, &mut lines, &day.deals).await?;
    let lang = page.tr.lang;
    let view = TodayPage {
        error: q.get("error").map(|c| page.tr.error(c)),
        page,
        overdue,
        tasks,
        meetings: day
            .meetings
            .iter()
            .map(|m| MeetingLine::of(m, &labels))
            .collect(),
        deals: day
            .deals
            .iter()
            .map(|d| attention(d, &deal_accounts, lang))
            .collect(),
        team,
        back: "/today",
    };
    Ok(render(&view))
}

/// A `datetime-local` value (`2026-11-23T10:00`, the user's clock) as
/// RFC 3339; anything else is passed on to fail validation visibly.
pub fn local_time(raw: &str, utc_offset_minutes: i32) -> String {
    let raw = raw.trim();
    if raw.len() == 16 && raw.as_bytes().get(10) == Some(&b'T') {
        format!(
            "{raw}:00{}",
            karta_core::time::format_utc_offset(utc_offset_minutes)
        )
    } else {
        raw.to_string()
    }
}

/// The task fields of a form whose task inputs start with `prefix`
/// (`next_` on the activity log form), or `None` when no title was given.
pub fn task_from_form(
    form: &[(String, String)],
    prefix: &str,
    utc_offset_minutes: i32,
) -> Option<TaskDraft> {
    let get = |k: &str| form_value(form, &format!("{prefix}{k}")).filter(|v| !v.trim().is_empty());
    let id = |k: &str| get(k).and_then(|v| v.parse::<Uuid>().ok());
    let title = get("title")?;
    let due_at = get("due_at").map(|v| local_time(&v, utc_offset_minutes));
    // "15 minutes before" and the like: the reminder the form's select
    // chose, counted back from the due time (none when the due time is not
    // a time; its own error says so).
    let remind_at = get("remind")
        .and_then(|m| m.parse::<i64>().ok())
        .zip(
            due_at
                .as_deref()
                .and_then(|d| karta_core::time::parse_rfc3339(d).ok()),
        )
        .map(|(minutes, due)| karta_core::time::rfc3339(due - minutes * 60_000_000));
    Some(TaskDraft {
        title: Some(title),
        due_at,
        remind_at,
        priority: get("priority"),
        account_id: id("account_id"),
        contact_id: id("contact_id"),
        deal_id: id("deal_id"),
        lead_id: id("lead_id"),
        ..Default::default()
    })
}

/// Plans a task from the quick form.
pub async fn create_task(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let back = back_to(&form, "/today");
    let offset = state.app.utc_offset(&caller.0.principal);
    let Some(draft) = task_from_form(&form, "", offset) else {
        return Ok(Redirect::to(&with_error(&back, "required")).into_response());
    };
    let result = tasks::create(&state.app, &caller.0.principal, draft).await;
    redirect_after(result.map(|_| back.clone()), &back)
}

/// Marks a task done (or reopens it with `status=open`).
pub async fn set_status(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let back = back_to(&form, "/today");
    let version = form_value(&form, "version").and_then(|v| v.parse().ok());
    let status = form_value(&form, "status").unwrap_or_else(|| "done".into());
    let patch: Map<String, Value> = [("status".to_string(), json!(status))]
        .into_iter()
        .collect();
    let result = tasks::update(&state.app, &caller.0.principal, id, version, patch).await;
    redirect_after(result.map(|_| back.clone()), &back)
}

/// How often the stream looks for reminders that came due.
const REMINDER_POLL: Duration = Duration::from_secs(20);

/// The reminder stream: each task reminder once, as a `reminder` event
/// with the task's title, due time and link.
pub async fn events(
    State(state): State<AppState>,
    caller: UiCaller,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let principal = caller.0.principal.clone();
    let state_stopping = state.stopping.clone();
    let stream = futures::stream::unfold(true, move |first| {
        let state = state.clone();
        let principal = principal.clone();
        async move {
            if !first {
                tokio::time::sleep(REMINDER_POLL).await;
            }
            let due = tasks::take_reminders(&state.app, &principal)
                .await
                .unwrap_or_default();
            let now = state.app.now();
            let events: Vec<Result<Event, std::convert::Infallible>> = due
                .iter()
                .map(|t| {
                    let line = TaskLine::of(t, now);
                    Ok(Event::default().event("reminder").data(
                        json!({"id": line.id, "title": line.title, "due_at": line.iso,
                               "link": line.link})
                        .to_string(),
                    ))
                })
                .collect();
            Some((futures::stream::iter(events), false))
        }
    });
    use futures::StreamExt;
    let stopping = state_stopping.wait();
    Sse::new(stream.flatten().take_until(stopping)).keep_alive(KeepAlive::default())
}
