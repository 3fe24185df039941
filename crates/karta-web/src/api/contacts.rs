//! `/api/v1/contacts`.

use super::accounts::ChangeList;
use super::export::{ExportPage, Format};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::Path;
use crate::http::{etag, if_match, no_more, paging, parse_json, parse_object, take_text};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use karta_app::model::Contact as Model;
use karta_app::model::Cursor;
use karta_app::views::{ContactView, DuplicateHint, contact_json};
use karta_app::{App, AppError, Principal, contacts};
use karta_core::contacts::{ContactDraft, PERSONAL_DATA_FIELDS};
use karta_core::contacts::{ContactFilter, ContactSort};
use karta_core::vcard;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of contacts (personal data absent for roles without the right).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<ContactView>,
    pub next_cursor: Option<String>,
}

/// A contact just written, with possible duplicates (same e-mail or phone).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ContactWritten {
    #[serde(flatten)]
    pub contact: ContactView,
    pub duplicates: Vec<DuplicateHint>,
}

/// The list's filters, taken out of `params`.
async fn filter_from(
    state: &AppState,
    params: &mut HashMap<String, String>,
) -> Result<(ContactFilter, ContactSort), ApiError> {
    let (mut filter, sort) = crate::http::read_list(params, |q| {
        (ContactFilter::read(q), q.sort(ContactSort::parse))
    })?;
    filter.custom = super::custom_filters(state, "contacts", params).await?;
    Ok((filter, sort))
}

/// Columns of the contacts export, in order; personal data is left out
/// for a caller who may not see it.
const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "last_name",
    "first_name",
    "middle_name",
    "position",
    "purchase_role",
    "emails",
    "phones",
    "messengers",
    "birthday",
    "account_ids",
    "consent_personal_data.given",
    "consent_personal_data.date",
    "consent_marketing.given",
    "consent_marketing.date",
    "notes",
    "external_id",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
];

/// Every visible contact matching the list's filters, in its sort, as CSV.
#[utoipa::path(get, path = "/api/v1/contacts/export.csv", tag = "contacts",
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

/// Every visible contact matching the list's filters, in its sort, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/contacts/export.xlsx", tag = "contacts",
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
    let personal = caller.principal.sees_personal_data();
    let columns: Vec<&str> = CONTACT_COLUMNS
        .iter()
        .filter(|c| personal || !PERSONAL_DATA_FIELDS.contains(c))
        .copied()
        .collect();
    let sheet = super::export::Sheet::new(&caller, "contacts", &columns)
        .with_custom_fields(&state, &caller, "contacts")
        .await?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    super::export::file(format, sheet, move |cursor| {
        export_page(app.clone(), p.clone(), filter.clone(), sort, cursor)
    })
    .await
}

/// One page of a contacts export: the contacts as the API shows them to
/// the caller.
async fn export_page(
    app: App,
    p: Principal,
    filter: ContactFilter,
    sort: ContactSort,
    cursor: Option<Cursor>,
) -> Result<ExportPage, AppError> {
    let (page, mut links) = contacts::list(
        &app,
        &p,
        filter,
        sort,
        cursor.as_ref(),
        super::export::EXPORT_PAGE,
    )
    .await?;
    let personal = p.sees_personal_data();
    let rows = page
        .items
        .iter()
        .map(|m| contact_json(m, links.remove(&m.id).unwrap_or_default(), personal))
        .collect();
    Ok((rows, page.next_cursor))
}

/// Every visible contact matching the list's filters, in its sort, as
/// vCards (4.0, or 3.0 with `version=3.0`) for address books and phones.
#[utoipa::path(get, path = "/api/v1/contacts/export.vcf", tag = "contacts",
    params(("version" = Option<String>, Query, description = "4.0 (default) or 3.0"),
           ("sort" = Option<String>, Query, description = "as the list"),
           ("q" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "text/vcard", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn export_vcf(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let version = match take_text(&mut params, "version") {
        Some(v) => vcard::Version::parse(&v).map_err(|c| bad_request("version", c))?,
        None => vcard::Version::V4,
    };
    let (filter, sort) = filter_from(&state, &mut params).await?;
    no_more(params)?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    let fetch = move |cursor: Option<Cursor>| {
        let page = export_page(app.clone(), p.clone(), filter.clone(), sort, cursor);
        let (app, p) = (app.clone(), p.clone());
        async move {
            let (mut rows, next) = page.await?;
            // One query for the page's companies, named on each card.
            let firsts: Vec<Uuid> = rows
                .iter()
                .filter_map(|r| r["account_ids"][0].as_str()?.parse().ok())
                .collect();
            // Named only when the reader may see the account.
            let names = karta_app::accounts::names(&app, &p, &firsts).await?;
            for row in &mut rows {
                let company = row["account_ids"][0]
                    .as_str()
                    .and_then(|id| id.parse::<Uuid>().ok())
                    .and_then(|id| names.get(&id));
                row["company"] = company.cloned().map_or(Value::Null, Value::String);
            }
            Ok((rows, next))
        }
    };
    let render = move |row: &Value| vcard::write(&card_of(row), version);
    super::export::stream(
        "contacts.vcf",
        "text/vcard; charset=utf-8",
        (String::new(), ""),
        fetch,
        render,
    )
    .await
}

/// A contact's export row as a vCard.
fn card_of(row: &Value) -> vcard::Card {
    let text = |k: &str| row[k].as_str().filter(|s| !s.is_empty()).map(String::from);
    let list = |k: &str| -> Vec<String> {
        row[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    vcard::Card {
        uid: text("id").map(|id| format!("urn:uuid:{id}")),
        last_name: text("last_name"),
        first_name: text("first_name"),
        middle_name: text("middle_name"),
        full_name: text("display_name"),
        position: text("position"),
        emails: list("emails"),
        phones: list("phones"),
        messengers: list("messengers"),
        birthday: text("birthday"),
        company: text("company"),
        notes: text("notes"),
    }
}

/// List contacts.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts",
    params(
        ("q" = Option<String>, Query), ("account_id" = Option<Uuid>, Query), ("owner_id" = Option<Uuid>, Query), ("team_id" = Option<Uuid>, Query),
        ("purchase_role" = Option<String>, Query), ("consent_marketing" = Option<bool>, Query), ("deleted" = Option<bool>, Query),
        ("custom.<key>" = Option<String>, Query), ("sort" = Option<String>, Query, description = "name, -name, -updated_at, -created_at"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = ContactList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let paging = paging(&mut params)?;
    let (filter, sort) = filter_from(&state, &mut params).await?;
    no_more(params)?;
    let (page, mut links) = contacts::list(
        &state.app,
        &caller.principal,
        filter,
        sort,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    let personal = caller.principal.sees_personal_data();
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|m| contact_json(m, links.remove(&m.id).unwrap_or_default(), personal))
        .collect();
    Ok(Json(
        json!({"items": items, "next_cursor": page.next_cursor}),
    ))
}

fn written(
    caller: &Caller,
    m: &Model,
    accounts: Vec<Uuid>,
    dups: Option<Vec<DuplicateHint>>,
    status: StatusCode,
) -> Response {
    let mut body = contact_json(m, accounts, caller.principal.sees_personal_data());
    if let (Value::Object(map), Some(d)) = (&mut body, dups) {
        map.insert("duplicates".into(), json!(d));
    }
    (status, etag(m.version), Json(body)).into_response()
}

/// Create a contact.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactDraft,
    responses((status = 201, body = ContactWritten), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: ContactDraft = parse_json(&body)?;
    let (m, accounts, dups) = contacts::create(&state.app, &caller.principal, draft).await?;
    Ok(written(
        &caller,
        &m,
        accounts,
        Some(dups),
        StatusCode::CREATED,
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct TrashParam {
    #[serde(default)]
    deleted: bool,
}

/// Read one contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path), ("deleted" = Option<bool>, Query)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(t): Query<TrashParam>,
) -> Result<Response, ApiError> {
    let (m, accounts) = contacts::get(&state.app, &caller.principal, id, t.deleted).await?;
    Ok(written(&caller, &m, accounts, None, StatusCode::OK))
}

/// Change fields (JSON merge); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = ContactDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactWritten), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let (m, accounts, dups) = contacts::update(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        patch,
    )
    .await?;
    Ok(written(&caller, &m, accounts, Some(dups), StatusCode::OK))
}

/// Move to the trash; `If-Match` required.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m =
        contacts::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true).await?;
    Ok(written(&caller, &m, Vec::new(), None, StatusCode::OK))
}

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/restore", tag = "contacts", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = contacts::set_deleted(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        false,
    )
    .await?;
    Ok(written(&caller, &m, Vec::new(), None, StatusCode::OK))
}

/// The contact's history (personal data left out for roles without it).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/history", tag = "contacts", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = contacts::history(
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
