//! `/api/v1/deals`: deals, their stage stays, and board column totals.

use super::accounts::ChangeList;
use super::export::Format;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json, parse_object, take_uuid};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::deals;
use karta_app::model::Deal as Model;
use karta_app::views::{DealView, StayView};
use karta_core::deals::DealDraft;
use karta_core::deals::{DealFilter, DealSort};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of deals.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct DealList {
    pub items: Vec<DealView>,
    pub next_cursor: Option<String>,
}

/// Count and sum of a stage's deals in one currency.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct StageTotalView {
    pub stage_id: Uuid,
    pub currency: String,
    pub deals: i64,
    pub amount_minor: i64,
    /// The sum weighted by each deal's probability.
    pub weighted_minor: i64,
}

/// Totals of a pipeline's visible deals per stage and currency.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct TotalList {
    pub items: Vec<StageTotalView>,
}

/// The deal's stays in stages, oldest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct StayList {
    pub items: Vec<StayView>,
}

/// Reads deal list filters from query parameters.
pub fn filter_from(
    params: &mut HashMap<String, String>,
) -> Result<(DealFilter, DealSort), ApiError> {
    crate::http::read_list(params, |q| (DealFilter::read(q), q.sort(DealSort::parse)))
}

/// List deals.
#[utoipa::path(get, path = "/api/v1/deals", tag = "deals",
    params(
        ("q" = Option<String>, Query), ("pipeline_id" = Option<Uuid>, Query), ("stage_id" = Option<Uuid>, Query),
        ("status" = Option<String>, Query, description = "open, won, lost"), ("account_id" = Option<Uuid>, Query),
        ("contact_id" = Option<Uuid>, Query), ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query),
        ("deleted" = Option<bool>, Query), ("sort" = Option<String>, Query, description = "-updated_at, -created_at, -amount"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = DealList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<DealList>, ApiError> {
    let paging = paging(&mut params)?;
    let (filter, sort) = filter_from(&mut params)?;
    no_more(params)?;
    let page = deals::list(
        &state.app,
        &caller.principal,
        filter,
        sort,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let mut links = deals::contacts_of(&state.app, &page.items).await?;
    Ok(Json(DealList {
        items: page
            .items
            .iter()
            .map(|m| DealView::of(m, links.remove(&m.id).unwrap_or_default()))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Columns of the deals export, in order.
const DEAL_COLUMNS: &[&str] = &[
    "id",
    "title",
    "account_id",
    "contact_ids",
    "pipeline_id",
    "stage_id",
    "amount_minor",
    "currency",
    "expected_close",
    "probability",
    "owner_id",
    "team_id",
    "source",
    "campaign",
    "competitor_id",
    "loss_reason",
    "next_step",
    "description",
    "closed_at",
    "created_at",
    "updated_at",
];

/// Every visible deal matching the list's filters, in its sort, as CSV.
#[utoipa::path(get, path = "/api/v1/deals/export.csv", tag = "deals",
    params(("sort" = Option<String>, Query, description = "as the list"),
           ("status" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn export_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    export(state, caller, params, Format::Csv).await
}

/// Every visible deal matching the list's filters, in its sort, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/deals/export.xlsx", tag = "deals",
    params(("sort" = Option<String>, Query, description = "as the list"),
           ("status" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn export_xlsx(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    export(state, caller, params, Format::Xlsx).await
}

async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
    format: Format,
) -> Result<Response, ApiError> {
    let (filter, sort) = filter_from(&mut params)?;
    no_more(params)?;
    let sheet = super::export::Sheet::new(&caller, "deals", DEAL_COLUMNS)
        .with_custom_fields(&state, &caller, "deals")
        .await?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = deals::list(
                &app,
                &p,
                filter,
                sort,
                cursor.as_ref(),
                super::export::EXPORT_PAGE,
            )
            .await?;
            let mut links = deals::contacts_of(&app, &page.items).await?;
            let rows = page
                .items
                .iter()
                .map(|m| {
                    serde_json::to_value(DealView::of(m, links.remove(&m.id).unwrap_or_default()))
                        .unwrap_or_default()
                })
                .collect();
            Ok((rows, page.next_cursor))
        }
    })
    .await
}

/// Count, sum and probability-weighted sum per stage and currency of a
/// pipeline's visible deals.
#[utoipa::path(get, path = "/api/v1/deals/totals", tag = "deals",
    params(("pipeline_id" = Uuid, Query), ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query)),
    responses((status = 200, body = TotalList), (status = 400, body = Problem)))]
pub async fn totals(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<TotalList>, ApiError> {
    let pipeline_id = take_uuid(&mut params, "pipeline_id")?
        .ok_or_else(|| bad_request("pipeline_id", "required"))?;
    let owner_id = take_uuid(&mut params, "owner_id")?;
    let team_id = take_uuid(&mut params, "team_id")?;
    no_more(params)?;
    let rows = deals::totals(
        &state.app,
        &caller.principal,
        pipeline_id,
        owner_id,
        team_id,
    )
    .await?;
    Ok(Json(TotalList {
        items: rows
            .into_iter()
            .map(|t| StageTotalView {
                weighted_minor: t.weighted_minor(),
                stage_id: t.stage_id,
                currency: t.currency,
                deals: t.deals,
                amount_minor: t.amount_minor,
            })
            .collect(),
    }))
}

fn written(m: &Model, contacts: Vec<Uuid>, status: StatusCode) -> Response {
    (status, etag(m.version), Json(DealView::of(m, contacts))).into_response()
}

/// Create a deal.
#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", request_body = DealDraft,
    responses((status = 201, body = DealView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: DealDraft = parse_json(&body)?;
    let (m, contacts) = deals::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&m, contacts, StatusCode::CREATED))
}

#[derive(Debug, serde::Deserialize)]
pub struct TrashParam {
    #[serde(default)]
    deleted: bool,
}

/// Read one deal.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "deals", params(("id" = Uuid, Path), ("deleted" = Option<bool>, Query)),
    responses((status = 200, body = DealView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(t): Query<TrashParam>,
) -> Result<Response, ApiError> {
    let (m, contacts) = deals::get(&state.app, &caller.principal, id, t.deleted).await?;
    Ok(written(&m, contacts, StatusCode::OK))
}

/// Change fields or move the deal to another stage (JSON merge: send
/// `stage_id`, and `loss_reason` for a lost stage); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/deals/{id}", tag = "deals", request_body = DealDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DealView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let (m, contacts) = deals::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&m, contacts, StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/deals/{id}", tag = "deals", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DealView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m =
        deals::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true).await?;
    Ok(written(&m, Vec::new(), StatusCode::OK))
}

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/deals/{id}/restore", tag = "deals", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DealView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = deals::set_deleted(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        false,
    )
    .await?;
    Ok(written(&m, Vec::new(), StatusCode::OK))
}

/// The deal's history.
#[utoipa::path(get, path = "/api/v1/deals/{id}/history", tag = "deals", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = deals::history(
        &state.app,
        &caller.principal,
        id,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(ChangeList {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Every stay of the deal in a stage, with its length: time in stage and
/// cycle length.
#[utoipa::path(get, path = "/api/v1/deals/{id}/stages", tag = "deals", params(("id" = Uuid, Path)),
    responses((status = 200, body = StayList), (status = 404, body = Problem)))]
pub async fn stays(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<StayList>, ApiError> {
    Ok(Json(StayList {
        items: deals::stays(&state.app, &caller.principal, id).await?,
    }))
}
