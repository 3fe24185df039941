//! The pipelines page: heads of sales and administrators add pipelines and
//! edit their stages (names, kind, probability, day limit, responsible
//! person, checklist); others see them read-only. The forms call the same
//! use cases as `/api/v1/pipelines`; errors are shown translated at the top.

use super::forms::form_value;
use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::pipelines::PipelineWithStages;
use karta_app::{AppError, pipelines};
use karta_core::pipelines::{PipelineDraft, StageDraft, StageKind};
use karta_core::roles::{Access, Entity, Reach};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// One stage row of the form (the last row of each pipeline is blank, for
/// adding a stage).
pub struct StageRow {
    pub id: String,
    pub name_ru: String,
    pub name_en: String,
    pub kind: String,
    pub probability: String,
    pub max_days: String,
    pub responsible: String,
    pub checklist: String,
}

/// One pipeline with its rows.
pub struct PipelineForm {
    pub id: Uuid,
    pub version: i64,
    pub name: String,
    pub active: bool,
    pub rows: Vec<StageRow>,
}

#[derive(Template)]
#[template(path = "pipelines.html")]
struct PipelinesPage {
    page: PageCtx,
    may_edit: bool,
    messages: Vec<String>,
    pipelines: Vec<PipelineForm>,
    users: Vec<(String, String)>,
}

fn rows_of(p: &PipelineWithStages) -> Vec<StageRow> {
    let mut rows: Vec<StageRow> = p
        .stages
        .iter()
        .map(|s| StageRow {
            id: s.id.to_string(),
            name_ru: s.name_ru.clone(),
            name_en: s.name_en.clone(),
            kind: s.kind.clone(),
            probability: s.probability.to_string(),
            max_days: s.max_days.map(|d| d.to_string()).unwrap_or_default(),
            responsible: s
                .responsible_user_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
            checklist: karta_app::pipelines::checklist(s).join("; "),
        })
        .collect();
    rows.push(StageRow {
        id: String::new(),
        name_ru: String::new(),
        name_en: String::new(),
        kind: "open".into(),
        probability: String::new(),
        max_days: String::new(),
        responsible: String::new(),
        checklist: String::new(),
    });
    rows
}

/// Whether the caller may change pipelines.
pub fn may_edit(caller: &UiCaller) -> bool {
    caller.0.principal.reach(Entity::Pipelines, Access::Write) != Reach::Nothing
}

async fn show(
    state: &AppState,
    caller: &UiCaller,
    messages: Vec<String>,
) -> Result<Response, ApiError> {
    let all = pipelines::list(&state.app, &caller.0.principal).await?;
    let users = karta_app::directory::list_users(&state.app, &caller.0.principal).await?;
    Ok(render(&PipelinesPage {
        page: PageCtx::of(caller),
        may_edit: may_edit(caller),
        messages,
        pipelines: all
            .iter()
            .map(|p| PipelineForm {
                id: p.pipeline.id,
                version: p.pipeline.version,
                name: p.pipeline.name.clone(),
                active: p.pipeline.active,
                rows: rows_of(p),
            })
            .collect(),
        users: users
            .iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.name.clone()))
            .collect(),
    }))
}

/// The pipelines page.
pub async fn page(State(state): State<AppState>, caller: UiCaller) -> Result<Response, ApiError> {
    show(&state, &caller, Vec::new()).await
}

/// Reads the stage rows of a posted form; a row without names is skipped
/// (the blank "new stage" row), a row marked `remove` is dropped.
fn stages_of(form: &[(String, String)]) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0.. {
        let get = |k: &str| form_value(form, &format!("stages[{i}].{k}"));
        let Some(name_ru) = get("name_ru") else { break };
        let name_en = get("name_en").unwrap_or_default();
        if (name_ru.trim().is_empty() && name_en.trim().is_empty()) || get("remove").is_some() {
            continue;
        }
        let number = |k: &str| {
            get(k)
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().parse::<i64>().map(Value::from).unwrap_or(json!(v)))
                .unwrap_or(Value::Null)
        };
        let id = get("id").filter(|v| !v.is_empty());
        let responsible = get("responsible_user_id").filter(|v| !v.is_empty());
        let checklist: Vec<String> = get("checklist")
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        out.push(json!({
            "id": id, "name_ru": name_ru, "name_en": name_en,
            "kind": get("kind"), "probability": number("probability"),
            "max_days": number("max_days"), "responsible_user_id": responsible,
            "checklist": checklist,
        }));
    }
    out
}

fn messages(tr: crate::i18n::Tr, e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(inv) => inv
            .0
            .iter()
            .map(|f| {
                let at = f
                    .field
                    .strip_prefix("stages[")
                    .and_then(|r| r.split(']').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .map(|n| format!("{} {}: ", tr.t("pipelines-stage"), n + 1))
                    .unwrap_or_default();
                format!("{at}{}", tr.error(f.code))
            })
            .collect(),
        AppError::VersionMismatch { .. } => vec![tr.error("changed_meanwhile")],
        AppError::Forbidden => vec![tr.error("forbidden")],
        _ => vec![tr.error("other")],
    }
}

/// Saves a pipeline's name, activity and stages.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let version = form_value(&form, "version").and_then(|v| v.parse().ok());
    let mut patch = Map::new();
    patch.insert(
        "name".into(),
        json!(form_value(&form, "name").unwrap_or_default()),
    );
    patch.insert(
        "active".into(),
        json!(form_value(&form, "active").is_some()),
    );
    patch.insert("stages".into(), Value::Array(stages_of(&form)));
    match pipelines::update(&state.app, &caller.0.principal, id, version, patch).await {
        Ok(_) => Ok(Redirect::to("/pipelines").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::VersionMismatch { .. })) => {
            let tr = PageCtx::of(&caller).tr;
            show(&state, &caller, messages(tr, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Adds a pipeline with a starting set of stages to adjust.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let tr = PageCtx::of(&caller).tr;
    let draft = PipelineDraft {
        name: form_value(&form, "name").unwrap_or_default(),
        position: 0,
        active: Some(true),
        stages: vec![
            StageDraft::named("Квалификация", "Qualification", StageKind::Open, Some(10)),
            StageDraft::named(
                "Коммерческое предложение",
                "Proposal",
                StageKind::Open,
                Some(50),
            ),
            StageDraft::named("Выиграна", "Won", StageKind::Won, Some(100)),
            StageDraft::named("Проиграна", "Lost", StageKind::Lost, Some(0)),
        ],
    };
    match pipelines::create(&state.app, &caller.0.principal, draft).await {
        Ok(_) => Ok(Redirect::to("/pipelines").into_response()),
        Err(e @ AppError::Invalid(_)) => show(&state, &caller, messages(tr, &e)).await,
        Err(e) => Err(e.into()),
    }
}
