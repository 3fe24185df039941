//! The kanban board of a pipeline: a column per stage with its count and
//! sum, deals paged lazily per column, drag-and-drop between stages
//! (`app.js`; a lost column asks for the reason), filters by owner and team.

use super::deals::{DealCard, cards};
use super::lists::{Params, Select};
use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::deals::StageTotal;
use karta_app::model::Cursor;
use karta_app::model::{Deal, Stage};
use karta_app::pipelines::PipelineWithStages;
use karta_app::{AppError, deals, pipelines};
use karta_core::deals::{DealFilter, DealSort};
use karta_core::money::{Currency, format_amount};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Deals shown per column before "more".
const COLUMN_PAGE: u64 = 20;

/// One board column.
pub struct BoardColumn {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub count: i64,
    /// The column's sum, one line per currency (never added across them).
    pub sums: Vec<String>,
    /// The same weighted by each deal's probability (open stages only).
    pub weighted: Vec<String>,
    pub cards: Vec<DealCard>,
    /// The fragment with the next cards, when there are more.
    pub more: Option<String>,
    /// The same deals as a list (the link without JavaScript).
    pub list_href: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    page: PageCtx,
    selects: Vec<Select>,
    columns: Vec<BoardColumn>,
    summary: Option<Summary>,
    loss_reasons: Vec<(String, String)>,
    empty: bool,
}

#[derive(Template)]
#[template(path = "board_cards.html")]
struct MoreCards {
    page: PageCtx,
    cards: Vec<DealCard>,
    more: Option<String>,
}

/// The board's filters as read from the query.
struct BoardFilter {
    pipeline: Option<PipelineWithStages>,
    owner_id: Option<Uuid>,
    team_id: Option<Uuid>,
}

fn uuid(params: &Params, key: &str) -> Option<Uuid> {
    params.get(key).parse().ok()
}

async fn board_filter(
    state: &AppState,
    caller: &UiCaller,
    params: &Params,
) -> Result<(BoardFilter, Vec<PipelineWithStages>), ApiError> {
    let all = pipelines::list(&state.app, &caller.0.principal).await?;
    let wanted = uuid(params, "pipeline");
    let pipeline = all
        .iter()
        .find(|p| Some(p.pipeline.id) == wanted)
        .or_else(|| all.iter().find(|p| p.pipeline.active))
        .cloned();
    Ok((
        BoardFilter {
            pipeline,
            owner_id: uuid(params, "owner"),
            team_id: uuid(params, "team"),
        },
        all,
    ))
}

fn query(f: &BoardFilter, stage: Uuid) -> String {
    let mut q = format!(
        "pipeline={}&stage={stage}",
        f.pipeline
            .as_ref()
            .map(|p| p.pipeline.id)
            .unwrap_or_default()
    );
    if let Some(o) = f.owner_id {
        q.push_str(&format!("&owner={o}"));
    }
    if let Some(t) = f.team_id {
        q.push_str(&format!("&team={t}"));
    }
    q
}

/// One column's page of deals and the link to the next one.
async fn column_page(
    state: &AppState,
    caller: &UiCaller,
    f: &BoardFilter,
    stage: &Stage,
    cursor: Option<&Cursor>,
) -> Result<(Vec<Deal>, Option<String>), ApiError> {
    let filter = DealFilter {
        pipeline_id: Some(stage.pipeline_id),
        stage_id: Some(stage.id),
        owner_id: f.owner_id,
        team_id: f.team_id,
        ..Default::default()
    };
    let page = deals::list(
        &state.app,
        &caller.0.principal,
        filter,
        DealSort::UpdatedDesc,
        cursor,
        COLUMN_PAGE,
    )
    .await?;
    let more = page
        .next_cursor
        .map(|c| format!("/deals/board/column?{}&cursor={c}", query(f, stage.id)));
    Ok((page.items, more))
}

/// Amounts per currency as people read them, roubles first; nothing as
/// `0 ₽`.
fn by_currency(amounts: &BTreeMap<String, i64>, lang: &str) -> Vec<String> {
    if amounts.is_empty() {
        return vec![format_amount(0, &Currency::rub(), lang)];
    }
    let mut codes: Vec<&String> = amounts.keys().collect();
    codes.sort_by_key(|c| (c.as_str() != "RUB", c.as_str()));
    codes
        .into_iter()
        .map(|c| {
            let currency = Currency::parse(c).unwrap_or_else(|_| Currency::rub());
            format_amount(amounts[c], &currency, lang)
        })
        .collect()
}

/// A column's count, its sums per currency and their weighted values.
fn column_sum(totals: &[StageTotal], stage: Uuid, lang: &str) -> (i64, Vec<String>, Vec<String>) {
    let mine: Vec<&StageTotal> = totals.iter().filter(|t| t.stage_id == stage).collect();
    let count = mine.iter().map(|t| t.deals).sum();
    let sums = mine
        .iter()
        .map(|t| (t.currency.clone(), t.amount_minor))
        .collect();
    let weighted = mine
        .iter()
        .map(|t| (t.currency.clone(), t.weighted_minor()))
        .collect();
    (
        count,
        by_currency(&sums, lang),
        by_currency(&weighted, lang),
    )
}

/// The pipeline's open deals: how many, their sums and weighted sums per
/// currency.
pub struct Summary {
    pub count: String,
    pub sums: Vec<String>,
    pub weighted: Vec<String>,
}

fn summary(totals: &[StageTotal], open: &[Uuid], tr: crate::i18n::Tr) -> Summary {
    let (mut count, mut sums, mut weighted) = (0, BTreeMap::new(), BTreeMap::new());
    for t in totals.iter().filter(|t| open.contains(&t.stage_id)) {
        count += t.deals;
        *sums.entry(t.currency.clone()).or_insert(0) += t.amount_minor;
        *weighted.entry(t.currency.clone()).or_insert(0) += t.weighted_minor();
    }
    Summary {
        count: tr.count("board-open-deals", usize::try_from(count).unwrap_or(0)),
        sums: by_currency(&sums, tr.lang),
        weighted: by_currency(&weighted, tr.lang),
    }
}

/// The board page.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let (f, all) = board_filter(&state, &caller, &params).await?;
    let mut columns = Vec::new();
    let mut open_summary = None;
    if let Some(p) = &f.pipeline {
        let totals = deals::totals(
            &state.app,
            &caller.0.principal,
            p.pipeline.id,
            f.owner_id,
            f.team_id,
        )
        .await?;
        let mut shown: Vec<Deal> = Vec::new();
        let mut pages = Vec::new();
        for s in &p.stages {
            let (items, more) = column_page(&state, &caller, &f, s, None).await?;
            pages.push((items.len(), more));
            shown.extend(items);
        }
        // Names of every account and owner on the board, in one query each.
        let mut all_cards = cards(&state, &caller, tr, &shown, &p.stages)
            .await?
            .into_iter();
        let open: Vec<Uuid> = p
            .stages
            .iter()
            .filter(|s| s.kind == "open")
            .map(|s| s.id)
            .collect();
        open_summary = Some(summary(&totals, &open, tr));
        for (s, (shown_here, more)) in p.stages.iter().zip(pages) {
            let (count, sums, weighted) = column_sum(&totals, s.id, tr.lang);
            columns.push(BoardColumn {
                id: s.id,
                name: karta_app::pipelines::stage_name(s, tr.lang),
                kind: s.kind.clone(),
                count,
                sums,
                weighted: if s.kind == "open" {
                    weighted
                } else {
                    Vec::new()
                },
                cards: all_cards.by_ref().take(shown_here).collect(),
                more,
                list_href: format!("/deals?pipeline_id={}&stage_id={}", p.pipeline.id, s.id),
            });
        }
    }
    let users = karta_app::directory::list_users(&state.app, &caller.0.principal).await?;
    let teams = karta_app::directory::list_teams(&state.app, &caller.0.principal).await?;
    let classifiers = state.app.classifiers().await?;
    let labels = super::Labels::new(&classifiers, tr);
    let selects = vec![
        Select {
            name: "pipeline".into(),
            label: tr.t("board-pipeline"),
            value: f
                .pipeline
                .as_ref()
                .map(|p| p.pipeline.id.to_string())
                .unwrap_or_default(),
            options: all
                .iter()
                .map(|p| (p.pipeline.id.to_string(), p.pipeline.name.clone()))
                .collect(),
        },
        Select {
            name: "owner".into(),
            label: tr.t("filter-all-owners"),
            value: f.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            options: users
                .iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect(),
        },
        Select {
            name: "team".into(),
            label: tr.t("filter-all-teams"),
            value: f.team_id.map(|t| t.to_string()).unwrap_or_default(),
            options: teams
                .iter()
                .map(|t| (t.id.to_string(), t.name.clone()))
                .collect(),
        },
    ];
    Ok(render(&BoardPage {
        summary: open_summary,
        empty: f.pipeline.is_none(),
        loss_reasons: labels.options(&classifiers, "loss_reason"),
        selects,
        columns,
        page,
    }))
}

/// The next cards of one column (a fragment `app.js` appends).
pub async fn column(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let (f, _) = board_filter(&state, &caller, &params).await?;
    let stage = f
        .pipeline
        .as_ref()
        .and_then(|p| {
            p.stages
                .iter()
                .find(|s| Some(s.id) == uuid(&params, "stage"))
        })
        .cloned()
        .ok_or(ApiError(AppError::NotFound))?;
    let cursor = Cursor::decode(&params.get("cursor"));
    let (items, more) = column_page(&state, &caller, &f, &stage, cursor.as_ref()).await?;
    let cards = cards(
        &state,
        &caller,
        page.tr,
        &items,
        std::slice::from_ref(&stage),
    )
    .await?;
    Ok(render(&MoreCards { page, cards, more }))
}
