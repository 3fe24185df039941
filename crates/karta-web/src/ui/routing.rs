//! The routing page: heads of sales and administrators order the rules that
//! send new leads to reps or teams, and set where the rest go.

use super::forms::{form_value, redirect_after};
use super::{Labels, PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::AppError;
use karta_app::routing::{self, RoutingDefault};
use karta_core::routing::{RuleDraft, RuleFields, Target};
use std::collections::HashMap;
use uuid::Uuid;

/// A rule as the page lists it.
pub struct RuleRow {
    pub id: Uuid,
    pub version: i64,
    pub position: i32,
    pub name: String,
    pub conditions: String,
    pub target: String,
    pub method: String,
    pub active: bool,
    /// The values its edit form starts from.
    pub values: RuleValues,
}

/// A rule form's values: empty for a new rule, the rule's own to edit one.
#[derive(Default)]
pub struct RuleValues {
    pub position: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub source: String,
    pub interest: String,
    /// `user:<id>` or `team:<id>`.
    pub target: String,
    pub method: String,
    pub active: bool,
}

impl RuleValues {
    fn of(f: &RuleFields) -> Self {
        Self {
            position: f.position.to_string(),
            name: f.name.clone(),
            region: f.region.clone().unwrap_or_default(),
            industry: f.industry.clone().unwrap_or_default(),
            source: f.source.clone().unwrap_or_default(),
            interest: f.interest.clone().unwrap_or_default(),
            target: match f.target {
                Target::User(u) => format!("user:{u}"),
                Target::Team(t) => format!("team:{t}"),
            },
            method: f.method.as_str().to_string(),
            active: f.active,
        }
    }
}

#[derive(Template)]
#[template(path = "routing.html")]
struct RoutingPage {
    page: PageCtx,
    error: Option<String>,
    rules: Vec<RuleRow>,
    /// The empty form that adds a rule.
    blank: RuleValues,
    users: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    industries: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    default_user: String,
}

/// The page.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let p = &caller.0.principal;
    let rules = routing::list(&state.app, p).await?;
    let all = state.app.classifiers().await?;
    let labels = Labels::new(&all, page.tr);
    let users: Vec<(String, String)> = karta_app::directory::list_users(&state.app, p)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let teams: Vec<(String, String)> = karta_app::directory::list_teams(&state.app, p)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let name_of = |list: &[(String, String)], id: Uuid| {
        list.iter()
            .find(|(i, _)| *i == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let rows = rules
        .iter()
        .map(|m| {
            let f = karta_app::routing::fields_of(m);
            let conditions = [
                f.region.as_deref().map(|r| labels.of("region", Some(r))),
                f.industry
                    .as_deref()
                    .map(|r| labels.of("industry", Some(r))),
                f.source
                    .as_deref()
                    .map(|r| labels.of("lead_source", Some(r))),
                f.interest.clone().map(|i| format!("«{i}»")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            RuleRow {
                id: m.id,
                version: m.version,
                values: RuleValues::of(&f),
                position: f.position,
                name: f.name.clone(),
                conditions: if conditions.is_empty() {
                    page.tr.t("routing-any")
                } else {
                    conditions
                },
                target: match f.target {
                    Target::User(u) => name_of(&users, u),
                    Target::Team(t) => {
                        format!("{} {}", page.tr.t("routing-team"), name_of(&teams, t))
                    }
                },
                method: match f.target {
                    Target::User(_) => String::new(),
                    Target::Team(_) => page.tr.t(&format!("routing-{}", f.method.as_str())),
                },
                active: f.active,
            }
        })
        .collect();
    let default_user = routing::default_target(&state.app)
        .await?
        .user_id
        .map(|u| u.to_string())
        .unwrap_or_default();
    let view = RoutingPage {
        error: q.get("error").map(|c| page.tr.error(c)),
        regions: labels.options(&all, "region"),
        industries: labels.options(&all, "industry"),
        sources: labels.options(&all, "lead_source"),
        page,
        rules: rows,
        blank: RuleValues {
            active: true,
            ..Default::default()
        },
        users,
        teams,
        default_user,
    };
    Ok(render(&view))
}

fn back<T>(result: Result<T, AppError>) -> Result<Response, ApiError> {
    redirect_after(result.map(|_| "/routing".to_string()), "/routing")
}

/// The whole rule as its form states it.
fn draft_of(form: &[(String, String)]) -> RuleDraft {
    let get = |k: &str| form_value(form, k).filter(|v| !v.trim().is_empty());
    // One select names the target: `user:<id>` or `team:<id>`.
    let target = get("target").unwrap_or_default();
    let (kind, id) = target.split_once(':').unwrap_or(("", ""));
    let id = id.parse::<Uuid>().ok();
    RuleDraft {
        name: get("name"),
        position: get("position").and_then(|v| v.parse().ok()),
        region: get("region"),
        industry: get("industry"),
        source: get("source"),
        interest: get("interest"),
        target_user_id: id.filter(|_| kind == "user"),
        target_team_id: id.filter(|_| kind == "team"),
        method: get("method"),
        active: Some(get("active").is_some()),
    }
}

/// Adds a rule.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    back(
        routing::create(&state.app, &caller.0.principal, draft_of(&form))
            .await
            .map(|_| ()),
    )
}

/// Rewrites a rule at the version the form was shown with (a rule changed
/// meanwhile is refused, not overwritten).
pub async fn update(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let version = form_value(&form, "version").and_then(|v| v.parse().ok());
    let patch = match serde_json::to_value(draft_of(&form)) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    back(
        routing::update(&state.app, &caller.0.principal, id, version, patch)
            .await
            .map(|_| ()),
    )
}

/// Removes a rule.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    back(routing::delete(&state.app, &caller.0.principal, id).await)
}

/// Sets where unmatched leads go.
pub async fn set_default(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let user_id = form_value(&form, "user_id").and_then(|v| v.parse().ok());
    back(routing::set_default(&state.app, &caller.0.principal, RoutingDefault { user_id }).await)
}
