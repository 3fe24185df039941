//! Deal pages: the list, the deal card (stage path, details, checklist,
//! moves, time in each stage, timeline), create and edit forms, moving to
//! another stage (from the card or the board), trash and restore.

use super::forms::{self, FormField};
use super::lists::{Column, ListPage, Params, Row, Select};
use super::{Labels, PageCtx, TimelineEntry, custom, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::model::{Deal, Stage};
use karta_app::pipelines::stage_name;
use karta_app::{AppError, deals, pipelines};
use karta_core::deals::DealDraft;
use karta_core::deals::{DealFilter, DealSort, DealStatus};
use karta_core::identifiers::CustomerCode;
use karta_core::money::{Currency, format_amount};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

const DAY: i64 = 86_400_000_000;

/// A deal as a board card or a list row shows it.
pub struct DealCard {
    pub id: Uuid,
    pub version: i64,
    pub title: String,
    pub account: String,
    pub amount: String,
    pub owner: String,
    pub stage: String,
    /// Longer in its stage than the stage allows.
    pub stale: bool,
    /// Open and without a next step.
    pub no_next_step: bool,
}

/// Cards for deals, with account and owner names read in one query each.
pub async fn cards(
    state: &AppState,
    caller: &UiCaller,
    tr: crate::i18n::Tr,
    items: &[Deal],
    stages: &[Stage],
) -> Result<Vec<DealCard>, ApiError> {
    let account_ids: Vec<Uuid> = items.iter().map(|d| d.account_id).collect();
    let accounts: HashMap<Uuid, String> =
        karta_app::accounts::names(&state.app, &caller.0.principal, &account_ids).await?;
    let owners: Vec<Uuid> = items.iter().filter_map(|d| d.owner_id).collect();
    let names = karta_app::directory::names(&state.app, &owners).await?;
    let now = state.app.now();
    Ok(items
        .iter()
        .map(|d| {
            DealCard::of(
                d,
                stages.iter().find(|s| s.id == d.stage_id),
                accounts.get(&d.account_id).cloned().unwrap_or_default(),
                d.owner_id
                    .and_then(|o| names.get(&o).cloned())
                    .unwrap_or_default(),
                now,
                tr.lang,
            )
        })
        .collect())
}

impl DealCard {
    /// The card of one deal in `stage`, with names already looked up.
    fn of(
        d: &Deal,
        stage: Option<&Stage>,
        account: String,
        owner: String,
        now: i64,
        lang: &str,
    ) -> Self {
        let open = d.closed_at.is_none();
        DealCard {
            id: d.id,
            version: d.version,
            title: d.title.clone(),
            account,
            amount: format_amount(
                d.amount_minor,
                &Currency::parse(&d.currency).unwrap_or_else(|_| Currency::rub()),
                lang,
            ),
            owner,
            stage: stage.map(|s| stage_name(s, lang)).unwrap_or_default(),
            stale: open
                && stage
                    .and_then(|s| s.max_days)
                    .is_some_and(|days| now - d.stage_entered_at > i64::from(days) * DAY),
            no_next_step: open && d.next_step.is_none(),
        }
    }
}

/// The open deals of an account for its card (none when the role may not
/// read deals).
pub async fn open_of_account(
    state: &AppState,
    caller: &UiCaller,
    tr: crate::i18n::Tr,
    account_id: Uuid,
) -> Result<Vec<DealCard>, ApiError> {
    let filter = DealFilter {
        account_id: Some(account_id),
        status: Some(DealStatus::Open),
        ..Default::default()
    };
    let p = &caller.0.principal;
    match deals::list(&state.app, p, filter, DealSort::UpdatedDesc, None, 20).await {
        Ok(page) => {
            let stages: Vec<Stage> = pipelines::list(&state.app, p)
                .await?
                .into_iter()
                .flat_map(|pl| pl.stages)
                .collect();
            cards(state, caller, tr, &page.items, &stages).await
        }
        Err(AppError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// The deal list: search, pipeline, status and owner filters, sort, paging.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let all = pipelines::list(&state.app, &caller.0.principal).await?;
    let stages: Vec<Stage> = all.iter().flat_map(|p| p.stages.clone()).collect();
    let ((filter, sort), problems) =
        params.read(tr, |q| (DealFilter::read(q), q.sort(DealSort::parse)));
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let result = deals::list(
        &state.app,
        &caller.0.principal,
        filter,
        sort,
        cursor.as_ref(),
        50,
    )
    .await?;
    let shown = cards(&state, &caller, tr, &result.items, &stages).await?;
    let columns: Vec<Column> = [
        "account_id",
        "stage_id",
        "amount_minor",
        "owner_id",
        "next_step",
    ]
    .iter()
    .map(|k| Column {
        key: k.to_string(),
        label: tr.field(k),
    })
    .collect();
    let rows: Vec<Row> = shown
        .into_iter()
        .zip(&result.items)
        .map(|(c, m)| Row {
            href: format!("/deals/{}", c.id),
            name: c.title,
            cells: vec![
                c.account,
                c.stage,
                c.amount,
                c.owner,
                m.next_step.clone().unwrap_or_default(),
            ],
        })
        .collect();
    let users = karta_app::directory::list_users(&state.app, &caller.0.principal).await?;
    let selects = vec![
        Select {
            name: "pipeline_id".into(),
            label: tr.t("filter-all-pipelines"),
            value: params.get("pipeline_id"),
            options: all
                .iter()
                .map(|p| (p.pipeline.id.to_string(), p.pipeline.name.clone()))
                .collect(),
        },
        Select {
            name: "status".into(),
            label: tr.t("filter-all-statuses"),
            value: params.get("status"),
            options: ["open", "won", "lost"]
                .iter()
                .map(|s| (s.to_string(), tr.t(&format!("deal-status-{s}"))))
                .collect(),
        },
        Select {
            name: "owner_id".into(),
            label: tr.t("filter-all-owners"),
            value: params.get("owner_id"),
            options: users
                .iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect(),
        },
    ];
    let next = result
        .next_cursor
        .map(|c| params.next_url("/deals", &c, &selects));
    let sorts = [
        ("-updated_at", "sort-updated"),
        ("-created_at", "sort-created"),
        ("-amount", "sort-amount"),
    ];
    Ok(render(&ListPage {
        title: tr.t("deals-title"),
        action: "/deals".into(),
        new_label: tr.t("deals-new"),
        tools: ["csv", "xlsx"]
            .into_iter()
            .map(|format| {
                (
                    format!(
                        "/api/v1/deals/export.{format}?{}",
                        params.filters(&selects).trim_start_matches('&')
                    ),
                    tr.t(&format!("list-export-{format}")),
                )
            })
            .collect(),
        count: tr.count("deals-count", rows.len()),
        sorts: sorts
            .iter()
            .map(|(v, k)| (v.to_string(), tr.t(k)))
            .collect(),
        sort: params.get("sort"),
        selects,
        all_columns: Vec::new(),
        chosen: Vec::new(),
        columns,
        q: params.get("q"),
        rows,
        next,
        problems,
        page,
    }))
}

/// One step of the stage path on the card.
pub struct PathStep {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub current: bool,
}

/// One stay for the card: stage, when, how long.
pub struct StayRow {
    pub stage: String,
    pub entered: String,
    pub days: String,
}

#[derive(Template)]
#[template(path = "deal.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    version: i64,
    title: String,
    account: Option<(Uuid, String)>,
    contacts: Vec<(Uuid, String)>,
    details: Vec<(String, String)>,
    custom: Vec<(String, String)>,
    path: Vec<PathStep>,
    checklist: Vec<(String, bool)>,
    stays: Vec<StayRow>,
    loss_reasons: Vec<(String, String)>,
    log: super::activities::LogForm,
    timeline: Vec<TimelineEntry>,
    error: String,
    stale: bool,
    no_next_step: bool,
    lines: super::deal_lines::LinesSection,
}

/// A card's query: the reason an action on it was refused.
#[derive(Debug, serde::Deserialize)]
pub struct CardParams {
    pub error: Option<String>,
    /// The line of the products box the refusal is about.
    pub line: Option<usize>,
}

/// The deal card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let (m, contact_ids) = deals::get(&state.app, p, id, false).await?;
    let page = PageCtx::of(&caller).with_notice(&query);
    let tr = page.tr;
    let pipeline = pipelines::get(&state.app, p, m.pipeline_id).await?;
    let f = karta_app::deals::fields_of(&m, contact_ids.clone());
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let linked: Vec<Uuid> = std::iter::once(m.account_id)
        .chain(m.competitor_id)
        .collect();
    let accounts: HashMap<Uuid, String> = karta_app::accounts::visible(&state.app, p, &linked)
        .await?
        .into_iter()
        .map(|a| (a.id, format!("{} {}", CustomerCode(a.code), a.name)))
        .collect();
    let owners: Vec<Uuid> = m.owner_id.into_iter().collect();
    let owner = karta_app::directory::names(&state.app, &owners)
        .await?
        .into_values()
        .next()
        .unwrap_or_default();
    let current = pipeline.stages.iter().find(|s| s.id == m.stage_id);
    let card = DealCard::of(
        &m,
        current,
        accounts.get(&m.account_id).cloned().unwrap_or_default(),
        owner,
        state.app.now(),
        tr.lang,
    );
    let contacts = karta_app::contacts::visible(&state.app, p, &contact_ids)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.id,
                karta_app::contacts::fields_of(&c, Vec::new()).display_name(),
            )
        })
        .collect();
    let mut details = vec![
        (tr.field_name("pipeline_id"), pipeline.pipeline.name.clone()),
        (
            tr.field_name("stage_id"),
            current.map(|s| stage_name(s, tr.lang)).unwrap_or_default(),
        ),
        (tr.field_name("amount_minor"), card.amount.clone()),
        (tr.field_name("probability"), format!("{} %", m.probability)),
        (
            tr.field_name("expected_close"),
            tr.day(m.expected_close.as_deref().unwrap_or_default()),
        ),
        (tr.field_name("owner_id"), card.owner.clone()),
        (
            tr.field_name("next_step"),
            m.next_step.clone().unwrap_or_default(),
        ),
        (
            tr.field_name("source"),
            labels.of("lead_source", f.source.as_deref()),
        ),
        (
            tr.field_name("campaign"),
            labels.of("campaign", f.campaign.as_deref()),
        ),
        (
            tr.field_name("competitor_id"),
            m.competitor_id
                .and_then(|c| accounts.get(&c).cloned())
                .unwrap_or_default(),
        ),
        (
            tr.field_name("loss_reason"),
            labels.of("loss_reason", f.loss_reason.as_deref()),
        ),
        (
            tr.field_name("description"),
            m.description.clone().unwrap_or_default(),
        ),
    ];
    details.retain(|(_, v)| !v.is_empty());
    let checklist = current
        .map(karta_app::pipelines::checklist)
        .unwrap_or_default()
        .into_iter()
        .map(|item| {
            let done = f.checklist_done.contains(&item);
            (item, done)
        })
        .collect();
    let stays = deals::stays(&state.app, p, id)
        .await?
        .into_iter()
        .map(|s| StayRow {
            stage: pipeline
                .stages
                .iter()
                .find(|st| st.id == s.stage_id)
                .map(|st| stage_name(st, tr.lang))
                .unwrap_or_default(),
            entered: s.entered_at.clone(),
            days: tr.decimal(s.seconds as f64 / 86_400.0, 1),
        })
        .collect();
    let defs = custom::active(&state.app, "deals").await?;
    let history = deals::history(&state.app, p, id, None, 50).await?;
    let done = super::activities::entries(
        &state,
        &caller,
        tr,
        &labels,
        karta_core::activities::ActivityFilter {
            deal_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    Ok(render(&CardPage {
        id,
        version: m.version,
        title: m.title.clone(),
        account: accounts
            .get(&m.account_id)
            .map(|n| (m.account_id, n.clone())),
        contacts,
        details,
        custom: custom::card_rows(&defs, &f.custom, tr),
        path: pipeline
            .stages
            .iter()
            .map(|s| PathStep {
                id: s.id,
                name: stage_name(s, tr.lang),
                kind: s.kind.clone(),
                current: s.id == m.stage_id,
            })
            .collect(),
        checklist,
        stays,
        loss_reasons: labels.options(&classifiers, "loss_reason"),
        log: super::activities::LogForm::new(&labels, &classifiers, "deal_id", id, &query),
        timeline: super::activities::merge(
            readable(timeline(history.items, tr, &m.currency), &pipeline, tr),
            done,
        ),
        error: match query.get("line").and_then(|l| l.parse().ok()) {
            Some(line) => {
                super::deal_lines::error_text(&page, query.get("error").cloned(), Some(line))
            }
            None => super::forms::refusal_text(page.tr, &query),
        },
        stale: card.stale,
        no_next_step: card.no_next_step,
        lines: super::deal_lines::section(
            &karta_app::deal_lines::get(&state.app, p, id).await?,
            tr.lang,
        ),
        page,
    }))
}

/// History names stages and the pipeline by id; the card names them.
fn readable(
    mut entries: Vec<TimelineEntry>,
    pipeline: &karta_app::pipelines::PipelineWithStages,
    tr: crate::i18n::Tr,
) -> Vec<TimelineEntry> {
    let names: Vec<(String, String)> = pipeline
        .stages
        .iter()
        .map(|s| (s.id.to_string(), stage_name(s, tr.lang)))
        .chain([(
            pipeline.pipeline.id.to_string(),
            pipeline.pipeline.name.clone(),
        )])
        .collect();
    for e in &mut entries {
        for (id, name) in &names {
            e.detail = e.detail.replace(id, name);
        }
    }
    entries
}

/// A stage move as the card's form or the board posts it.
#[derive(Debug, serde::Deserialize)]
pub struct MoveForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    version: Option<i64>,
    stage_id: Uuid,
    loss_reason: Option<String>,
}

/// Moves a deal to another stage. The board (`X-Requested-With: fetch`)
/// gets JSON with the new version or the reason in the user's language;
/// a plain form post returns to the card.
pub async fn move_to(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Form(form): Form<MoveForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    let tr = PageCtx::of(&caller).tr;
    let mut patch = Map::new();
    patch.insert("stage_id".into(), json!(form.stage_id));
    if let Some(reason) = form.loss_reason.filter(|r| !r.trim().is_empty()) {
        patch.insert("loss_reason".into(), json!(reason));
    }
    let result = deals::update(&state.app, &caller.0.principal, id, form.version, patch).await;
    let by_script = headers
        .get("x-requested-with")
        .is_some_and(|v| v == "fetch");
    let code = match result {
        Ok((m, _)) if by_script => return Ok(Json(json!({"version": m.version})).into_response()),
        Ok(_) => return Ok(Redirect::to(&format!("/deals/{id}")).into_response()),
        Err(AppError::Invalid(e)) => e.0.first().map(|f| f.code).unwrap_or("other"),
        Err(AppError::VersionMismatch { .. }) => "changed_meanwhile",
        Err(e) => return Err(e.into()),
    };
    if by_script {
        let body = json!({"code": code, "message": tr.error(code)});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
    }
    Ok(Redirect::to(&format!("/deals/{id}?error={code}")).into_response())
}

/// Saves which checklist items of the current stage are done.
pub async fn checklist(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let done: Vec<Value> = form
        .iter()
        .filter(|(k, _)| k == "done")
        .map(|(_, v)| json!(v))
        .collect();
    let mut patch = Map::new();
    patch.insert("checklist_done".into(), Value::Array(done));
    match deals::update(&state.app, &caller.0.principal, id, version, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/deals/{id}")).into_response()),
        Err(AppError::VersionMismatch { .. }) => {
            Ok(Redirect::to(&format!("/deals/{id}?error=changed_meanwhile")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Form rows for a deal.
async fn form_fields(
    state: &AppState,
    caller: &UiCaller,
    page: &PageCtx,
    draft: &DealDraft,
    amount_text: &str,
) -> Result<Vec<FormField>, ApiError> {
    let p = &caller.0.principal;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, page.tr);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let code_of = |id: Option<Uuid>, found: &[karta_app::model::Account]| {
        id.and_then(|id| found.iter().find(|a| a.id == id))
            .map(|a| CustomerCode(a.code).to_string())
            .unwrap_or_default()
    };
    let linked: Vec<Uuid> = draft
        .account_id
        .into_iter()
        .chain(draft.competitor_id)
        .collect();
    let found = karta_app::accounts::visible(&state.app, p, &linked).await?;
    let stages: Vec<(String, String)> = pipelines::list(&state.app, p)
        .await?
        .iter()
        .filter(|pl| pl.pipeline.active || pl.stages.iter().any(|s| Some(s.id) == draft.stage_id))
        .flat_map(|pl| {
            pl.stages.iter().map(|s| {
                (
                    s.id.to_string(),
                    format!("{} — {}", pl.pipeline.name, stage_name(s, page.tr.lang)),
                )
            })
        })
        .collect();
    // The people of the deal's account are the ones to pick from.
    let mut people = Vec::new();
    if let Some(account_id) = draft.account_id {
        let filter = karta_core::contacts::ContactFilter {
            account_id: Some(account_id),
            ..Default::default()
        };
        let (found, _) = karta_app::contacts::list(
            &state.app,
            p,
            filter,
            Default::default(),
            None,
            karta_app::model::MAX_LIMIT,
        )
        .await?;
        people = found
            .items
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    karta_app::contacts::fields_of(c, Vec::new()).display_name(),
                )
            })
            .collect();
    }
    let mut contacts =
        FormField::new(page, "contact_ids", "checkboxes", String::new()).with_options(people);
    contacts.checked = draft.contact_ids.iter().map(Uuid::to_string).collect();
    let mut fields = vec![
        FormField::new(page, "title", "text", text(&draft.title)),
        FormField::new(
            page,
            "account_code",
            "account",
            code_of(draft.account_id, &found),
        ),
        contacts,
        FormField::new(
            page,
            "stage_id",
            "select",
            draft.stage_id.map(|s| s.to_string()).unwrap_or_default(),
        )
        .with_options(stages),
        FormField::new(page, "amount", "text", amount_text.to_string()),
        FormField::new(page, "currency", "select", text(&draft.currency))
            .with_options(currencies(text(&draft.currency))),
        FormField::new(page, "expected_close", "date", text(&draft.expected_close)),
        FormField::new(
            page,
            "probability",
            "text",
            draft.probability.map(|p| p.to_string()).unwrap_or_default(),
        ),
        FormField::new(page, "next_step", "text", text(&draft.next_step)),
        FormField::new(page, "source", "select", text(&draft.source))
            .with_options(labels.options(&classifiers, "lead_source")),
        FormField::new(page, "campaign", "select", text(&draft.campaign))
            .with_options(labels.options(&classifiers, "campaign")),
        FormField::new(
            page,
            "competitor_code",
            "account",
            code_of(draft.competitor_id, &found),
        ),
        FormField::new(page, "description", "textarea", text(&draft.description)),
    ];
    let defs = custom::active(&state.app, "deals").await?;
    fields.extend(custom::form_fields(&defs, &draft.custom, page));
    Ok(fields)
}

/// The currencies a deal is usually in, and the deal's own if it is
/// another.
fn currencies(current: String) -> Vec<(String, String)> {
    let mut codes = vec!["RUB", "USD", "EUR", "CNY", "KZT", "BYN"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    if !current.is_empty() && !codes.contains(&current) {
        codes.push(current);
    }
    codes.into_iter().map(|c| (c.clone(), c)).collect()
}

/// Turns a posted deal form into a JSON patch: customer codes become ids,
/// the amount text becomes kopecks (bad ones are field errors).
async fn patch_of(
    state: &AppState,
    caller: &UiCaller,
    form: &[(String, String)],
    defs: &[karta_app::model::CustomField],
) -> Result<Map<String, Value>, karta_core::Invalid> {
    let p = &caller.0.principal;
    let mut patch = Map::new();
    let mut errors = karta_core::Invalid::default();
    let get = |k: &str| forms::form_value(form, k).unwrap_or_default();
    let opt = |k: &str| {
        let v = get(k);
        if v.trim().is_empty() {
            Value::Null
        } else {
            Value::String(v.trim().to_string())
        }
    };
    for k in [
        "title",
        "currency",
        "expected_close",
        "next_step",
        "source",
        "campaign",
        "description",
        "stage_id",
    ] {
        patch.insert(k.into(), opt(k));
    }
    for (field, key) in [
        ("account_code", "account_id"),
        ("competitor_code", "competitor_id"),
    ] {
        let code = get(field);
        if code.trim().is_empty() {
            patch.insert(key.into(), Value::Null);
            continue;
        }
        let found = karta_app::accounts::by_typed_code(&state.app, p, &code).await;
        match found {
            Some(a) => {
                patch.insert(key.into(), json!(a.id));
            }
            None => errors.push(field, "unknown_account"),
        }
    }
    let amount = get("amount");
    if amount.trim().is_empty() {
        patch.insert("amount_minor".into(), json!(0));
    } else {
        match karta_core::custom_fields::parse_money_minor(&amount) {
            Ok(minor) => {
                patch.insert("amount_minor".into(), json!(minor));
            }
            Err(code) => errors.push("amount", code),
        }
    }
    let probability = get("probability");
    if probability.trim().is_empty() {
        patch.insert("probability".into(), Value::Null);
    } else {
        match probability
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<i32>()
        {
            Ok(n) => {
                patch.insert("probability".into(), json!(n));
            }
            Err(_) => errors.push("probability", "invalid_number"),
        }
    }
    let contacts: Vec<Value> = form
        .iter()
        .filter(|(k, _)| k == "contact_ids")
        .map(|(_, v)| json!(v))
        .collect();
    patch.insert("contact_ids".into(), Value::Array(contacts));
    patch.insert("custom".into(), custom::posted(defs, form));
    errors.into_result().map(|()| patch)
}

/// Field errors of a rejected deal, named as in the form.
fn deal_errors(tr: crate::i18n::Tr, e: &karta_core::Invalid) -> HashMap<String, String> {
    forms::error_map_as(
        tr,
        e,
        &[
            ("account_id", "account_code"),
            ("competitor_id", "competitor_code"),
            ("amount_minor", "amount"),
            ("pipeline_id", "stage_id"),
        ],
    )
}

fn amount_text(minor: Option<i64>) -> String {
    minor
        .filter(|m| *m != 0)
        .map(karta_core::custom_fields::format_money_minor)
        .unwrap_or_default()
}

#[derive(Debug, serde::Deserialize)]
pub struct NewParams {
    account: Option<Uuid>,
}

/// The empty deal form (for an account when opened from its card).
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<NewParams>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let draft = DealDraft {
        account_id: params.account,
        stage_id: pipelines::default_stage(&state.app).await?.map(|s| s.id),
        ..Default::default()
    };
    let fields = form_fields(&state, &caller, &page, &draft, "").await?;
    let head = forms::FormHead {
        title: page.tr.t("deals-new"),
        cancel: params
            .account
            .map(|a| format!("/accounts/{a}"))
            .unwrap_or_else(|| "/deals/board".into()),
        version: 0,
    };
    Ok(forms::page(page, head, fields, &HashMap::new(), false))
}

/// Re-shows a rejected form with what the user typed.
async fn rejected(
    state: &AppState,
    caller: &UiCaller,
    head: forms::FormHead,
    base: Value,
    patch: Map<String, Value>,
    form: &[(String, String)],
    errors: HashMap<String, String>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let mut merged = base;
    if let Value::Object(map) = &mut merged {
        map.extend(patch);
    }
    let draft: DealDraft = serde_json::from_value(merged).unwrap_or_default();
    let amount = forms::form_value(form, "amount").unwrap_or_default();
    let fields = form_fields(state, caller, &page, &draft, &amount).await?;
    Ok(forms::page(page, head, fields, &errors, false))
}

/// Creates a deal from the form.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let tr = PageCtx::of(&caller).tr;
    let head = forms::FormHead {
        title: tr.t("deals-new"),
        cancel: "/deals/board".into(),
        version: 0,
    };
    let defs = custom::active(&state.app, "deals").await?;
    let (patch, errors) = match patch_of(&state, &caller, &form, &defs).await {
        Ok(patch) => {
            let draft: Result<DealDraft, _> = serde_json::from_value(Value::Object(patch.clone()));
            let result = match draft {
                Ok(d) => deals::create(&state.app, &caller.0.principal, d).await,
                Err(_) => Err(AppError::field("body", "invalid_json")),
            };
            match result {
                Ok((m, _)) => return Ok(Redirect::to(&format!("/deals/{}", m.id)).into_response()),
                Err(AppError::Invalid(e)) => (patch, deal_errors(tr, &e)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => (Map::new(), deal_errors(tr, &e)),
    };
    rejected(&state, &caller, head, json!({}), patch, &form, errors).await
}

/// The edit form with the current values.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (m, contacts) = deals::get(&state.app, &caller.0.principal, id, false).await?;
    let draft = DealDraft::from(&karta_app::deals::fields_of(&m, contacts));
    let page = PageCtx::of(&caller);
    let fields = form_fields(
        &state,
        &caller,
        &page,
        &draft,
        &amount_text(draft.amount_minor),
    )
    .await?;
    let head = forms::FormHead {
        title: m.title.clone(),
        cancel: format!("/deals/{id}"),
        version: m.version,
    };
    Ok(forms::page(page, head, fields, &HashMap::new(), false))
}

/// Saves the edit form; a stale save keeps what does not collide with the
/// other change and shows what does.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let p = &caller.0.principal;
    let tr = PageCtx::of(&caller).tr;
    let (m, contacts) = deals::get(&state.app, p, id, false).await?;
    let current = DealDraft::from(&karta_app::deals::fields_of(&m, contacts));
    let current_json = serde_json::to_value(&current).unwrap_or(Value::Null);
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let head = forms::FormHead {
        title: m.title.clone(),
        cancel: format!("/deals/{id}"),
        version: version.unwrap_or(m.version),
    };
    let defs = custom::active(&state.app, "deals").await?;
    let patch = match patch_of(&state, &caller, &form, &defs).await {
        Ok(patch) => patch,
        Err(e) => {
            let errors = deal_errors(tr, &e);
            return rejected(
                &state,
                &caller,
                head,
                current_json,
                Map::new(),
                &form,
                errors,
            )
            .await;
        }
    };
    match deals::update(&state.app, p, id, version, patch.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/deals/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = deal_errors(tr, &e);
            rejected(&state, &caller, head, current_json, patch, &form, errors).await
        }
        Err(AppError::VersionMismatch { .. }) => {
            // Someone saved meanwhile: keep every change that does not
            // collide with theirs, and show the ones that do.
            let base = patch_of(&state, &caller, &forms::base_of(&form), &defs)
                .await
                .unwrap_or_default();
            let (app, version) = (&state.app, m.version);
            let conflicts = forms::save_merged(&patch, &base, &current_json, |apply| async move {
                deals::update(app, p, id, Some(version), apply)
                    .await
                    .map(|_| ())
            })
            .await?;
            if conflicts.is_empty() {
                return Ok(Redirect::to(&format!("/deals/{id}?done=merged")).into_response());
            }
            let (m, contacts) = deals::get(&state.app, p, id, false).await?;
            let current = DealDraft::from(&karta_app::deals::fields_of(&m, contacts));
            let head = forms::FormHead {
                version: m.version,
                ..head
            };
            let amount = amount_text(current.amount_minor);
            let page = PageCtx::of(&caller);
            let fields = form_fields(&state, &caller, &page, &current, &amount).await?;
            Ok(forms::page(page, head, fields, &conflicts, true))
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a deal to the trash.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    deals::set_deleted(&state.app, &caller.0.principal, id, form.version, true).await?;
    Ok(Redirect::to("/trash").into_response())
}

/// Restores a deal from the trash.
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    deals::set_deleted(&state.app, &caller.0.principal, id, form.version, false).await?;
    Ok(Redirect::to(&format!("/deals/{id}")).into_response())
}
