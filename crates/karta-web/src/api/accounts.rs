//! `/api/v1/accounts`.

use super::export::Format;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json, parse_object};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::AppError;
use karta_app::accounts;
use karta_app::model::Account as Model;
use karta_app::views::{AccountView, ChangeView, DuplicateHint};
use karta_core::accounts::AccountDraft;
use karta_core::accounts::{AccountFilter, AccountSort};
use karta_core::identifiers::CustomerCode;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub items: Vec<AccountView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// An account just written, with possible duplicates (same INN).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountWritten {
    #[serde(flatten)]
    pub account: AccountView,
    pub duplicates: Vec<DuplicateHint>,
}

/// A page of history entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    pub items: Vec<ChangeView>,
    pub next_cursor: Option<String>,
}

/// Reads list filters from query parameters.
pub async fn filter_from(
    state: &AppState,
    params: &mut HashMap<String, String>,
) -> Result<(AccountFilter, AccountSort), ApiError> {
    let (mut filter, sort) = crate::http::read_list(params, |q| {
        (AccountFilter::read(q), q.sort(AccountSort::parse))
    })?;
    filter.custom = super::custom_filters(state, "accounts", params).await?;
    Ok((filter, sort))
}

/// List accounts: filters, `q`, `sort`, `limit`, `cursor`.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    params(
        ("q" = Option<String>, Query, description = "Full-text search: words (Russian morphology), INN, code, fragments"),
        ("type" = Option<String>, Query, description = "customer, prospect, partner, dealer, distributor, supplier, competitor"),
        ("status" = Option<String>, Query, description = "active, inactive, lost"),
        ("region" = Option<String>, Query), ("industry" = Option<String>, Query), ("segment" = Option<String>, Query),
        ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query), ("tag" = Option<String>, Query), ("inn" = Option<String>, Query),
        ("deleted" = Option<bool>, Query, description = "The trash instead of live records"),
        ("custom.<key>" = Option<String>, Query, description = "Custom field value (money in units, e.g. 1500.50)"),
        ("sort" = Option<String>, Query, description = "name, -name, -updated_at, -created_at, code"),
        ("limit" = Option<u64>, Query, description = "1–200, default 50"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses((status = 200, body = AccountList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<AccountList>, ApiError> {
    let paging = paging(&mut params)?;
    let (filter, sort) = filter_from(&state, &mut params).await?;
    no_more(params)?;
    let page = accounts::list(
        &state.app,
        &caller.principal,
        filter,
        sort,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let mut holds =
        karta_app::invoices::holds_of(&state.app, &caller.principal, &page.items).await?;
    Ok(Json(AccountList {
        items: page
            .items
            .iter()
            .map(|m| AccountView::of(m).with_hold(holds.remove(&m.id)))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The columns of an account export: the list's fields, then every active
/// custom field as `custom.<key>`.
const ACCOUNT_COLUMNS: &[&str] = &[
    "code",
    "name",
    "legal_name",
    "types",
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "region",
    "industry",
    "segment",
    "status",
    "tags",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
];

/// Every visible account matching the list's filters, in its sort, as CSV.
#[utoipa::path(get, path = "/api/v1/accounts/export.csv", tag = "accounts",
    params(("sort" = Option<String>, Query, description = "as the list"),
           ("q" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn export_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    export(state, caller, params, Format::Csv).await
}

/// Every visible account matching the list's filters, in its sort, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/accounts/export.xlsx", tag = "accounts",
    params(("sort" = Option<String>, Query, description = "as the list"),
           ("q" = Option<String>, Query, description = "and every other filter of the list")),
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
    let (filter, sort) = filter_from(&state, &mut params).await?;
    no_more(params)?;
    let sheet = super::export::Sheet::new(&caller, "accounts", ACCOUNT_COLUMNS)
        .with_custom_fields(&state, &caller, "accounts")
        .await?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = accounts::list(
                &app,
                &p,
                filter,
                sort,
                cursor.as_ref(),
                super::export::EXPORT_PAGE,
            )
            .await?;
            let rows = page
                .items
                .iter()
                .map(|m| serde_json::to_value(AccountView::of(m)).unwrap_or_default())
                .collect();
            Ok((rows, page.next_cursor))
        }
    })
    .await
}

fn written(m: &Model, duplicates: Vec<DuplicateHint>, status: StatusCode) -> Response {
    (
        status,
        etag(m.version),
        Json(AccountWritten {
            account: AccountView::of(m),
            duplicates,
        }),
    )
        .into_response()
}

fn one(m: &Model) -> Response {
    (etag(m.version), Json(AccountView::of(m))).into_response()
}

/// Create an account. Answers 201 with the record (`id`, `code`,
/// `version`) and an `ETag`.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountDraft,
    responses((status = 201, body = AccountWritten), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: AccountDraft = parse_json(&body)?;
    let (m, dups) = accounts::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&m, dups, StatusCode::CREATED))
}

/// An id or a customer code (`K-000123`).
pub(crate) async fn resolve(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> Result<Uuid, ApiError> {
    if let Ok(id) = key.parse::<Uuid>() {
        return Ok(id);
    }
    let code = CustomerCode::parse(key).map_err(|_| ApiError(AppError::NotFound))?;
    Ok(accounts::by_code(&state.app, &caller.principal, code)
        .await?
        .id)
}

#[derive(Debug, serde::Deserialize)]
pub struct TrashParam {
    #[serde(default)]
    deleted: bool,
}

/// Read one account by id or customer code (`K-000123`).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "UUID or customer code"), ("deleted" = Option<bool>, Query, description = "Read from the trash")),
    responses((status = 200, body = AccountView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(t): Query<TrashParam>,
) -> Result<Response, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let m = accounts::get(&state.app, &caller.principal, id, t.deleted).await?;
    let hold =
        karta_app::invoices::holds_of(&state.app, &caller.principal, std::slice::from_ref(&m))
            .await?
            .remove(&id);
    Ok((etag(m.version), Json(AccountView::of(&m).with_hold(hold))).into_response())
}

/// Change fields (JSON merge: present keys replace, `null` clears);
/// `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts", request_body = AccountDraft,
    params(("id" = String, Path, description = "UUID or customer code"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, body = AccountWritten), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let patch = parse_object(&body)?;
    let (m, dups) = accounts::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&m, dups, StatusCode::OK))
}

/// Move to the trash (restorable for 30 days); `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = AccountView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    Ok(one(&accounts::delete(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
    )
    .await?))
}

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/restore", tag = "accounts",
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = AccountView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Ok(one(&accounts::restore(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
    )
    .await?))
}

/// The account's change history, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/history", tag = "accounts",
    params(("id" = String, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let id = resolve(&state, &caller, &key).await?;
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = accounts::history(
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
