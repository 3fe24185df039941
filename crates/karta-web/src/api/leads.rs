//! `/api/v1/leads`: enquiries before qualification, their conversion into
//! an account, a contact and a deal, and bulk redistribution.

use super::export::Format;
use crate::AppState;
use crate::api::accounts::ChangeList;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json, parse_object};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::leads::{self, ConvertLead, Converted};
use karta_app::model::Lead as Model;
use karta_app::views::LeadView;
use karta_core::leads::LeadFilter;
use karta_core::leads::{LeadChannel, LeadDraft};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of leads, newest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct LeadList {
    pub items: Vec<LeadView>,
    pub next_cursor: Option<String>,
}

/// The list's filters, taken out of `params`.
fn filter_from(params: &mut HashMap<String, String>) -> Result<LeadFilter, ApiError> {
    crate::http::read_list(params, LeadFilter::read)
}

/// Columns of the leads export, in order; e-mail and phone are left out
/// for a caller who may not see personal data.
const LEAD_COLUMNS: &[&str] = &[
    "id",
    "person_name",
    "company_name",
    "email",
    "phone",
    "region",
    "industry",
    "source",
    "campaign",
    "interest",
    "message",
    "status",
    "disqualify_reason",
    "consent",
    "channel",
    "owner_id",
    "team_id",
    "account_id",
    "contact_id",
    "deal_id",
    "converted_at",
    "created_at",
    "updated_at",
];

/// Every visible lead matching the list's filters, newest first, as CSV.
#[utoipa::path(get, path = "/api/v1/leads/export.csv", tag = "leads",
    params(("status" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn export_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    export(state, caller, params, Format::Csv).await
}

/// Every visible lead matching the list's filters, newest first, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/leads/export.xlsx", tag = "leads",
    params(("status" = Option<String>, Query, description = "and every other filter of the list")),
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
    let filter = filter_from(&mut params)?;
    no_more(params)?;
    let personal = caller.principal.sees_personal_data();
    let columns: Vec<&str> = LEAD_COLUMNS
        .iter()
        .filter(|c| personal || !["email", "phone"].contains(c))
        .copied()
        .collect();
    let sheet = super::export::Sheet::new(&caller, "leads", &columns);
    let (app, p) = (state.app.clone(), caller.principal.clone());
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = leads::list(
                &app,
                &p,
                filter,
                cursor.as_ref(),
                super::export::EXPORT_PAGE,
            )
            .await?;
            let rows = page
                .items
                .iter()
                .map(|m| serde_json::to_value(LeadView::of(m, personal)).unwrap_or_default())
                .collect();
            Ok((rows, page.next_cursor))
        }
    })
    .await
}

/// List leads.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads",
    params(
        ("status" = Option<String>, Query, description = "new, assigned, in_work, qualified, disqualified"),
        ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query),
        ("unassigned" = Option<bool>, Query, description = "only the queue nobody owns yet"),
        ("q" = Option<String>, Query, description = "words of the name, company or interest; e-mail and phone for roles that see personal data"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = LeadList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<LeadList>, ApiError> {
    let paging = paging(&mut params)?;
    let filter = filter_from(&mut params)?;
    no_more(params)?;
    let p = &caller.principal;
    let page = leads::list(&state.app, p, filter, paging.cursor.as_ref(), paging.limit).await?;
    Ok(Json(LeadList {
        items: page
            .items
            .iter()
            .map(|m| LeadView::of(m, p.sees_personal_data()))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

fn written(caller: &Caller, m: &Model, status: StatusCode) -> Response {
    let view = LeadView::of(m, caller.principal.sees_personal_data());
    (status, etag(m.version), Json(view)).into_response()
}

/// Create a lead. Without `owner_id`, heads of sales, administrators and
/// marketers have it routed by the rules; a rep owns what they enter.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = LeadDraft,
    responses((status = 201, body = LeadView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: LeadDraft = parse_json(&body)?;
    let channel = if caller.principal.channel == "ui" {
        LeadChannel::Manual
    } else {
        LeadChannel::Api
    };
    let m = leads::create(&state.app, &caller.principal, draft, channel).await?;
    Ok(written(&caller, &m, StatusCode::CREATED))
}

/// Read one lead.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = Uuid, Path)),
    responses((status = 200, body = LeadView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = leads::get(&state.app, &caller.principal, id).await?;
    Ok(written(&caller, &m, StatusCode::OK))
}

/// Change a lead (JSON merge); `If-Match` required. Disqualifying needs a
/// `disqualify_reason`.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", request_body = LeadDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = LeadView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = leads::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&caller, &m, StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = LeadView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m =
        leads::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true).await?;
    Ok(written(&caller, &m, StatusCode::OK))
}

/// Convert a lead: link an existing account (duplicate check by INN, name,
/// e-mail, phone) or create one, create or link the contact, create a deal
/// carrying source and campaign; the lead becomes qualified and links to
/// all three. `If-Match` required.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "leads", request_body = ConvertLead, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Converted), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn convert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Converted>, ApiError> {
    let input: ConvertLead = if body.is_empty() {
        ConvertLead::default()
    } else {
        parse_json(&body)?
    };
    let done = leads::convert(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        input,
    )
    .await?;
    Ok(Json(done))
}

/// Leads to give to one rep.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Redistribution {
    pub lead_ids: Vec<Uuid>,
    pub owner_id: Uuid,
}

/// How many leads changed hands.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Redistributed {
    pub moved: usize,
}

/// Give many leads to one rep (heads of sales, administrators).
#[utoipa::path(post, path = "/api/v1/leads/redistribute", tag = "leads", request_body = Redistribution,
    responses((status = 200, body = Redistributed), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn redistribute(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Redistributed>, ApiError> {
    let r: Redistribution = parse_json(&body)?;
    let moved = leads::redistribute(&state.app, &caller.principal, &r.lead_ids, r.owner_id).await?;
    Ok(Json(Redistributed { moved }))
}

/// The lead's change history, newest first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/history", tag = "leads", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = leads::history(
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
