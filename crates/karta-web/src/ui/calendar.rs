//! The calendar page: a day, a week or a month of tasks and meetings, mine
//! or my team's, and the switch for the private iCalendar feed.

use super::forms::form_value;
use super::today::{MeetingLine, TaskLine};
use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::calendar::{self, Whose};
use karta_core::time::{DAY, day_bounds, from_micros, to_micros, week_bounds};
use std::collections::HashMap;

/// One day's column or row.
pub struct DayBox {
    pub label: String,
    /// The day as the reader writes it (`03.12.2026`).
    pub date: String,
    /// The day of the month, for the month grid.
    pub number: u8,
    pub today: bool,
    pub tasks: Vec<TaskLine>,
    pub meetings: Vec<MeetingLine>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    page: PageCtx,
    view: String,
    whose: String,
    date: String,
    prev: String,
    next: String,
    days: Vec<DayBox>,
    /// The weekdays over the grid, Monday first.
    weekdays: Vec<String>,
    /// Empty cells before the 1st, so it sits under its weekday.
    blanks: Vec<()>,
    /// Where task buttons return to.
    back: String,
    feed: bool,
    feed_url: Option<String>,
    error: Option<String>,
}

fn iso_date(at: i64, offset: i32) -> String {
    let local = from_micros(at + i64::from(offset) * 60_000_000);
    local.date().to_string()
}

fn parse_date(raw: &str, offset: i32) -> Option<i64> {
    let date = karta_core::contacts::parse_date(raw).ok()?;
    Some(to_micros(date.midnight().assume_utc()) - i64::from(offset) * 60_000_000)
}

/// The page: `view` day|week|month, `date` YYYY-MM-DD, `whose` me|team.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    show(&state, &caller, &q, None).await
}

async fn show(
    state: &AppState,
    caller: &UiCaller,
    q: &HashMap<String, String>,
    feed_url: Option<String>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let offset = state.app.utc_offset(&caller.0.principal);
    let now = state.app.now();
    let at = q
        .get("date")
        .and_then(|d| parse_date(d, offset))
        .unwrap_or(now);
    let view = match q.get("view").map(String::as_str) {
        Some("day") => "day",
        Some("month") => "month",
        _ => "week",
    };
    let whose = if q.get("whose").is_some_and(|w| w == "team") {
        Whose::Team
    } else {
        Whose::Mine
    };
    let (from, to) = match view {
        "day" => day_bounds(at, offset),
        "week" => week_bounds(at, offset),
        _ => {
            let local = from_micros(at + i64::from(offset) * 60_000_000).date();
            let first = local.replace_day(1).unwrap_or(local);
            let start = to_micros(first.midnight().assume_utc()) - i64::from(offset) * 60_000_000;
            let days = i64::from(first.month().length(first.year()));
            (start, start + days * DAY)
        }
    };
    let got = calendar::period(&state.app, &caller.0.principal, whose, from, to).await?;
    let labels = super::activities::type_labels(state, page.tr).await?;
    let (today, _) = day_bounds(now, offset);
    let mut days: Vec<DayBox> = Vec::new();
    let mut day = from;
    while day < to {
        let end = day + DAY;
        let local = from_micros(day + i64::from(offset) * 60_000_000);
        days.push(DayBox {
            label: page
                .tr
                .t(&format!("weekday-{}", local.weekday().number_from_monday())),
            date: page.tr.day(&local.date().to_string()),
            number: local.day(),
            today: day == today,
            tasks: got
                .tasks
                .iter()
                .filter(|t| (day..end).contains(&t.due_at))
                .map(|t| TaskLine::of(t, now))
                .collect(),
            meetings: got
                .meetings
                .iter()
                .filter(|a| (day..end).contains(&a.started_at))
                .map(|m| MeetingLine::of(m, &labels))
                .collect(),
        });
        day = end;
    }
    let back = if view == "week" { 7 * DAY } else { DAY };
    let weekdays = (1..=7)
        .map(|d| page.tr.t(&format!("weekday-short-{d}")))
        .collect();
    let first_weekday = from_micros(from + i64::from(offset) * 60_000_000)
        .weekday()
        .number_days_from_monday();
    let blanks = if view == "month" {
        vec![(); usize::from(first_weekday)]
    } else {
        Vec::new()
    };
    let view_page = CalendarPage {
        error: q.get("error").map(|c| page.tr.error(c)),
        feed: calendar::has_feed(&state.app, &caller.0.principal).await?,
        feed_url,
        page,
        view: view.to_string(),
        whose: if whose == Whose::Team { "team" } else { "me" }.to_string(),
        weekdays,
        blanks,
        date: iso_date(at, offset),
        prev: iso_date(from - back, offset),
        next: iso_date(to, offset),
        back: format!(
            "/calendar?view={view}&whose={}&date={}",
            if whose == Whose::Team { "team" } else { "me" },
            iso_date(at, offset)
        ),
        days,
    };
    Ok(render(&view_page))
}

/// Enables (or rotates) the caller's feed and shows its URL once.
pub async fn enable_feed(
    State(state): State<AppState>,
    caller: UiCaller,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let token = calendar::enable_feed(&state.app, &caller.0.principal).await?;
    let url = format!(
        "{}{}",
        crate::api::calendar::origin(&headers),
        crate::api::calendar::feed_path(&token)
    );
    // Shown on this answer only: the secret is never put in a URL we redirect to.
    show(&state, &caller, &HashMap::new(), Some(url)).await
}

/// Revokes the caller's feed.
pub async fn revoke_feed(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    calendar::revoke_feed(&state.app, &caller.0.principal).await?;
    Ok(Redirect::to("/calendar").into_response())
}
