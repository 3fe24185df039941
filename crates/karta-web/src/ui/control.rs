//! The head of sales' control page: first, per rep, the figures that ask
//! for action — open deals, deals without a next step, overdue tasks,
//! untouched leads, this week's activities and time — in one table that
//! fits the screen; then open deals by stage and activities by type. Deal
//! counts link to the deals behind them.

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::agenda;
use karta_core::activities::ActivityKind;
use std::collections::HashMap;

/// One rep's row, ready to show.
pub struct Row {
    pub name: String,
    /// The rep's open deals (`/deals?owner_id=…&status=open`).
    pub deals_href: String,
    /// Per open stage: its count and the link to those deals.
    pub stage_links: Vec<String>,
    /// This week's activities of every type.
    pub activities_total: i64,
    pub stages: Vec<i64>,
    pub open_deals: i64,
    pub without_next_step: i64,
    /// Per activity kind: "count / hours".
    pub activities: Vec<String>,
    pub hours: String,
    pub overdue_tasks: i64,
    pub untouched_leads: i64,
}

#[derive(Template)]
#[template(path = "control.html")]
struct ControlPage {
    page: PageCtx,
    stages: Vec<String>,
    kinds: Vec<String>,
    rows: Vec<Row>,
    hours: i64,
}

fn hours(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The page; `hours` sets how long a lead may go untouched (default 24).
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let untouched = q
        .get("hours")
        .and_then(|h| h.parse::<i64>().ok())
        .filter(|h| (1..=24 * 90).contains(h))
        .unwrap_or(24);
    let reps = agenda::control(&state.app, &caller.0.principal, untouched).await?;
    // Columns: the open stages of every active pipeline, in order.
    let pipelines = karta_app::pipelines::list(&state.app, &caller.0.principal).await?;
    let open_stages: Vec<_> = pipelines
        .iter()
        .filter(|p| p.pipeline.active)
        .flat_map(|p| p.stages.iter().filter(|s| s.kind == "open"))
        .collect();
    let lang = page.tr.lang;
    // Activity columns: the active types, and retired ones still in use.
    let types = state.app.classifiers_of(ActivityKind::CLASSIFIER).await?;
    let labels = super::Labels::new(&types, page.tr);
    let kinds: Vec<_> = types
        .iter()
        .filter(|t| t.active || reps.iter().any(|r| r.activities.contains_key(&t.code)))
        .collect();
    let rows = reps
        .iter()
        .map(|r| Row {
            name: r.user.name.clone(),
            deals_href: format!("/deals?owner_id={}&status=open", r.user.id),
            stage_links: open_stages
                .iter()
                .map(|s| format!("/deals?owner_id={}&stage_id={}", r.user.id, s.id))
                .collect(),
            activities_total: r.activities.values().map(|(n, _)| n).sum(),
            stages: open_stages
                .iter()
                .map(|s| r.stages.get(&s.id).copied().unwrap_or(0))
                .collect(),
            open_deals: r.open_deals,
            without_next_step: r.without_next_step,
            activities: kinds
                .iter()
                .map(|k| match r.activities.get(&k.code) {
                    Some((n, minutes)) => format!("{n} / {}", hours(*minutes)),
                    None => "—".into(),
                })
                .collect(),
            hours: hours(r.minutes_this_week),
            overdue_tasks: r.overdue_tasks,
            untouched_leads: r.untouched_leads,
        })
        .collect();
    let view = ControlPage {
        stages: open_stages
            .iter()
            .map(|s| karta_app::pipelines::stage_name(s, lang))
            .collect(),
        kinds: kinds
            .iter()
            .map(|k| labels.of(ActivityKind::CLASSIFIER, Some(&k.code)))
            .collect(),
        page,
        rows,
        hours: untouched,
    };
    Ok(render(&view))
}
