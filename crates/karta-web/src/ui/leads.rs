//! Leads in the UI: the list (with the head of sales' queue and bulk
//! redistribution), the new-lead form, the lead card (work, disqualify,
//! convert, log an activity, plan a task) and the page that gives the
//! embeddable web form snippet.

use super::activities::LogForm;
use super::forms::{form_value, redirect_after, with_error};
use super::today::TaskLine;
use super::{Labels, PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::leads::{self, ConvertLead};
use karta_app::model::Cursor;
use karta_app::{AppError, tasks};
use karta_core::leads::LeadFilter;
use karta_core::leads::{LeadChannel, LeadDraft, LeadStatus};
use karta_core::roles::Entity;
use karta_core::tasks::TaskFilter;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// A lead row of the list.
pub struct LeadRow {
    pub id: Uuid,
    pub name: String,
    pub company: String,
    pub status: String,
    pub source: String,
    pub owner: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    page: PageCtx,
    rows: Vec<LeadRow>,
    /// `(code, label)` of every status, for the filter.
    statuses: Vec<(String, String)>,
    status: String,
    unassigned: bool,
    /// The search words as typed.
    text: String,
    /// The next page's link, filters kept.
    next: Option<String>,
    may_assign: bool,
    users: Vec<(String, String)>,
    message: Option<String>,
    /// The CSV export of this list, filters kept.
    export: String,
    export_xlsx: String,
}

fn statuses(page: &PageCtx) -> Vec<(String, String)> {
    LeadStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                page.tr.t(&format!("lead-status-{}", s.as_str())),
            )
        })
        .collect()
}

/// The list.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let p = &caller.0.principal;
    let status = q.get("status").cloned().unwrap_or_default();
    let unassigned = q.get("unassigned").is_some_and(|v| v == "1");
    let text = q.get("q").cloned().unwrap_or_default();
    let params = super::lists::Params(q.clone().into_iter().collect());
    let (filter, problems) = params.read(page.tr, LeadFilter::read);
    let cursor = q.get("cursor").and_then(|c| Cursor::decode(c));
    let found = leads::list(&state.app, p, filter, cursor.as_ref(), 50).await?;
    let owners: Vec<Uuid> = found.items.iter().filter_map(|l| l.owner_id).collect();
    let names = karta_app::directory::names(&state.app, &owners).await?;
    let labels = Labels::new(&state.app.classifiers().await?, page.tr);
    let rows = found
        .items
        .iter()
        .map(|l| LeadRow {
            id: l.id,
            name: l.person_name.clone().unwrap_or_default(),
            company: l.company_name.clone().unwrap_or_default(),
            status: page.tr.t(&format!("lead-status-{}", l.status)),
            source: labels.of("lead_source", l.source.as_deref()),
            owner: l
                .owner_id
                .and_then(|o| names.get(&o).cloned())
                .unwrap_or_else(|| page.tr.t("lead-queue")),
            created: karta_core::time::rfc3339(l.created_at),
        })
        .collect();
    let may_assign = p.may_assign(Entity::Leads);
    let users = if may_assign {
        karta_app::directory::list_users(&state.app, p)
            .await?
            .into_iter()
            .filter(|u| u.active && karta_app::directory::may_own(u, Entity::Leads))
            .map(|u| (u.id.to_string(), u.name))
            .collect()
    } else {
        Vec::new()
    };
    let message = q
        .get("moved")
        .map(|n| page.tr.count("lead-moved", n.parse().unwrap_or(0)))
        .or(q.get("error").map(|c| page.tr.error(c)))
        .or((!problems.is_empty()).then(|| problems.join("; ")));
    let mut export = "/api/v1/leads/export.csv?".to_string();
    for (k, v) in [("status", status.as_str()), ("q", text.as_str())] {
        if !v.is_empty() {
            export.push_str(&format!("{k}={}&", super::lists::urlencode(v)));
        }
    }
    if unassigned {
        export.push_str("unassigned=true");
    }
    let next = found.next_cursor.map(|c| {
        let mut href = format!(
            "/leads?status={}&q={}&cursor={c}",
            super::lists::urlencode(&status),
            super::lists::urlencode(&text)
        );
        if unassigned {
            href.push_str("&unassigned=1");
        }
        href
    });
    let view = LeadsPage {
        statuses: statuses(&page),
        page,
        rows,
        status,
        unassigned,
        next,
        text,
        may_assign,
        users,
        message,
        export_xlsx: export.replacen("/export.csv?", "/export.xlsx?", 1),
        export,
    };
    Ok(render(&view))
}

/// Gives the ticked leads to one rep.
pub async fn redistribute(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let ids: Vec<Uuid> = form
        .iter()
        .filter(|(k, _)| k == "lead_id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let Some(owner) = form_value(&form, "owner_id").and_then(|v| v.parse().ok()) else {
        return Ok(Redirect::to("/leads?error=required").into_response());
    };
    let result = leads::redistribute(&state.app, &caller.0.principal, &ids, owner).await;
    redirect_after(result.map(|n| format!("/leads?moved={n}")), "/leads")
}

#[derive(Template)]
#[template(path = "lead_new.html")]
struct NewLeadPage {
    page: PageCtx,
    errors: Vec<String>,
    /// (field, value) of the text inputs.
    inputs: Vec<(&'static str, String)>,
    message: String,
    sources: Vec<(String, String)>,
    regions: Vec<(String, String)>,
}

async fn new_page(
    state: &AppState,
    caller: &UiCaller,
    errors: Vec<String>,
    values: HashMap<String, String>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let all = state.app.classifiers().await?;
    let labels = Labels::new(&all, page.tr);
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    let view = NewLeadPage {
        sources: labels.options(&all, "lead_source"),
        regions: labels.options(&all, "region"),
        inputs: ["person_name", "company_name", "email", "phone", "interest"]
            .into_iter()
            .map(|k| (k, value(k)))
            .collect(),
        message: value("message"),
        page,
        errors,
    };
    Ok(render(&view))
}

/// The new-lead form.
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
) -> Result<Response, ApiError> {
    new_page(&state, &caller, Vec::new(), HashMap::new()).await
}

/// Creates a lead typed in by hand.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let get = |k: &str| form_value(&form, k).filter(|v| !v.trim().is_empty());
    let draft = LeadDraft {
        person_name: get("person_name"),
        company_name: get("company_name"),
        email: get("email"),
        phone: get("phone"),
        region: get("region"),
        source: get("source"),
        interest: get("interest"),
        message: get("message"),
        consent: Some(get("consent").is_some()),
        ..Default::default()
    };
    match leads::create(&state.app, &caller.0.principal, draft, LeadChannel::Manual).await {
        Ok(m) => Ok(Redirect::to(&format!("/leads/{}", m.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let tr = PageCtx::of(&caller).tr;
            let errors =
                e.0.iter()
                    .map(|f| format!("{}: {}", tr.field(&f.field), tr.error(f.code)))
                    .collect();
            let values = form.into_iter().filter(|(k, _)| k != "_csrf").collect();
            new_page(&state, &caller, errors, values).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadCard {
    page: PageCtx,
    error: Option<String>,
    lead: karta_app::views::LeadView,
    status_label: String,
    owner: String,
    routing: String,
    source: String,
    campaign: String,
    region: String,
    open: bool,
    statuses: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    pipelines: Vec<(String, String)>,
    tasks: Vec<TaskLine>,
    /// Where task buttons return to.
    back: String,
    log: LogForm,
    timeline: Vec<super::TimelineEntry>,
}

/// The lead card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller).with_notice(&q);
    let p = &caller.0.principal;
    let m = leads::get(&state.app, p, id).await?;
    let all = state.app.classifiers().await?;
    let labels = Labels::new(&all, page.tr);
    let owner = match m.owner_id {
        Some(o) => karta_app::directory::names(&state.app, &[o])
            .await?
            .remove(&o)
            .unwrap_or_default(),
        None => page.tr.t("lead-queue"),
    };
    let rule = match m.routing_rule_id {
        Some(r) => karta_app::routing::name_of(&state.app, r).await?,
        None => None,
    };
    let routing = match (&m.routing_note, rule) {
        (Some(how), Some(rule)) => format!(
            "{} «{rule}» · {}",
            page.tr.t("lead-rule"),
            page.tr.t(&format!("routing-{how}"))
        ),
        (Some(how), None) => page.tr.t(&format!("routing-{how}")),
        (None, _) => page.tr.t(&format!("lead-channel-{}", m.channel)),
    };
    let now = state.app.now();
    let task_rows = tasks::list(
        &state.app,
        p,
        TaskFilter {
            lead_id: Some(id),
            ..Default::default()
        },
        None,
        50,
    )
    .await?;
    let history = leads::history(&state.app, p, id, None, 50).await?;
    let timeline = super::activities::merge(
        super::timeline(history.items, page.tr, "RUB"),
        super::activities::entries(
            &state,
            &caller,
            page.tr,
            &labels,
            karta_core::activities::ActivityFilter {
                lead_id: Some(id),
                ..Default::default()
            },
        )
        .await?,
    );
    let pipelines = karta_app::pipelines::list(&state.app, p)
        .await?
        .into_iter()
        .filter(|x| x.pipeline.active)
        .map(|x| (x.pipeline.id.to_string(), x.pipeline.name))
        .collect();
    let open = m.converted_at.is_none() && m.status != LeadStatus::Disqualified.as_str();
    let view = LeadCard {
        error: q
            .contains_key("error")
            .then(|| super::forms::refusal_text(page.tr, &q)),
        status_label: page.tr.t(&format!("lead-status-{}", m.status)),
        owner,
        routing,
        source: labels.of("lead_source", m.source.as_deref()),
        campaign: labels.of("campaign", m.campaign.as_deref()),
        region: labels.of("region", m.region.as_deref()),
        open,
        statuses: statuses(&page)
            .into_iter()
            .filter(|(s, _)| s != "qualified")
            .collect(),
        reasons: labels.options(&all, "disqualify_reason"),
        pipelines,
        tasks: task_rows
            .items
            .iter()
            .map(|t| TaskLine::of(t, now))
            .collect(),
        back: format!("/leads/{id}"),
        log: LogForm::new(&labels, &all, "lead_id", id, &q),
        timeline,
        lead: karta_app::views::LeadView::of(&m, p.sees_personal_data()),
        page,
    };
    Ok(render(&view))
}

/// Changes the lead's status (with the reason when disqualifying).
pub async fn set_status(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let back = format!("/leads/{id}");
    let version = form_value(&form, "version").and_then(|v| v.parse().ok());
    let mut patch: Map<String, Value> = Map::new();
    patch.insert("status".into(), json!(form_value(&form, "status")));
    if let Some(r) = form_value(&form, "disqualify_reason").filter(|r| !r.is_empty()) {
        patch.insert("disqualify_reason".into(), json!(r));
    }
    redirect_after(
        leads::update(&state.app, &caller.0.principal, id, version, patch)
            .await
            .map(|_| back.clone()),
        &back,
    )
}

/// Converts the lead and opens the new deal (or the account).
pub async fn convert(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let get = |k: &str| form_value(&form, k).filter(|v| !v.trim().is_empty());
    let version = get("version").and_then(|v| v.parse().ok());
    let amount = match get("amount") {
        Some(raw) => match karta_core::custom_fields::parse_money_minor(&raw) {
            Ok(v) => Some(v),
            Err(code) => {
                return Ok(Redirect::to(&with_error(&format!("/leads/{id}"), code)).into_response());
            }
        },
        None => None,
    };
    let input = ConvertLead {
        inn: get("inn"),
        create_deal: Some(get("create_deal").is_some()),
        pipeline_id: get("pipeline_id").and_then(|v| v.parse().ok()),
        title: get("title"),
        amount_minor: amount,
        ..Default::default()
    };
    let result = leads::convert(&state.app, &caller.0.principal, id, version, input)
        .await
        .map(|c| match c.deal_id {
            Some(d) => format!("/deals/{d}"),
            None => format!("/accounts/{}", c.account_id),
        });
    redirect_after(result, &format!("/leads/{id}"))
}

#[derive(Template)]
#[template(path = "lead_snippet.html")]
struct SnippetPage {
    page: PageCtx,
    snippet: String,
}

/// The embeddable form: HTML to paste into a site.
pub async fn snippet(caller: UiCaller, headers: HeaderMap) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let action = format!("{}/forms/lead", crate::api::calendar::origin(&headers));
    let t = |k: &str| page.tr.t(k);
    let snippet = format!(
        r#"<form method="post" action="{action}" accept-charset="utf-8">
  <label>{name} <input name="name" required></label>
  <label>{company} <input name="company"></label>
  <label>E-mail <input type="email" name="email"></label>
  <label>{phone} <input type="tel" name="phone"></label>
  <label>{message} <textarea name="message"></textarea></label>
  <input type="hidden" name="source" value="website">
  <div style="position:absolute;left:-9999px" aria-hidden="true"><input name="website" tabindex="-1" autocomplete="off"></div>
  <label><input type="checkbox" name="consent" value="on" required> {consent}</label>
  <button>{send}</button>
</form>"#,
        name = t("webform-name"),
        company = t("webform-company"),
        phone = t("webform-phone"),
        message = t("webform-message"),
        consent = t("webform-consent"),
        send = t("webform-send"),
    );
    Ok(render(&SnippetPage { page, snippet }))
}
