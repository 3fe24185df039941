//! `/api/v1/products`: the catalogue — list, export, read, create, change,
//! trash and restore, history.

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
use karta_app::model::Product as Model;
use karta_app::products;
use karta_app::views::ProductView;
use karta_core::products::ProductDraft;
use karta_core::products::{ProductFilter, ProductSort};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of the catalogue.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<ProductView>,
    pub next_cursor: Option<String>,
}

/// The list's filters and sort, taken out of `params`.
fn filter_from(
    params: &mut HashMap<String, String>,
) -> Result<(ProductFilter, ProductSort), ApiError> {
    crate::http::read_list(params, |q| {
        (ProductFilter::read(q), q.sort(ProductSort::parse))
    })
}

/// Columns of the catalogue export, in order; the cost price only for
/// roles that see margins.
const PRODUCT_COLUMNS: &[&str] = &[
    "id",
    "sku",
    "name",
    "name_en",
    "description",
    "category",
    "unit",
    "vat_rate",
    "cost_price_minor",
    "list_price_minor",
    "list_price_with_vat_minor",
    "currency",
    "stock_quantity",
    "active",
    "created_at",
    "updated_at",
];

/// The catalogue with the list's filters and sort, as CSV.
#[utoipa::path(get, path = "/api/v1/products/export.csv", tag = "products",
    params(("q" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem)))]
pub async fn export_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    export(state, caller, params, Format::Csv).await
}

/// The catalogue with the list's filters and sort, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/products/export.xlsx", tag = "products",
    params(("q" = Option<String>, Query, description = "and every other filter of the list")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 400, body = Problem)))]
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
    let costs = caller.principal.sees_costs();
    let columns: Vec<&str> = PRODUCT_COLUMNS
        .iter()
        .filter(|c| costs || !products::COST_FIELDS.contains(c))
        .copied()
        .collect();
    let sheet = super::export::Sheet::new(&caller, "products", &columns);
    let (app, p) = (state.app.clone(), caller.principal.clone());
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = products::list(
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
                .map(|m| serde_json::to_value(ProductView::of(m, costs)).unwrap_or_default())
                .collect();
            Ok((rows, page.next_cursor))
        }
    })
    .await
}

/// List the catalogue.
#[utoipa::path(get, path = "/api/v1/products", tag = "products",
    params(
        ("q" = Option<String>, Query, description = "words of the article, names or description"),
        ("category" = Option<String>, Query, description = "classifier product_category"),
        ("active" = Option<bool>, Query),
        ("sort" = Option<String>, Query, description = "name (default), -name, sku, price, -price, -updated_at"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = ProductList), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ProductList>, ApiError> {
    let paging = paging(&mut params)?;
    let (filter, sort) = filter_from(&mut params)?;
    no_more(params)?;
    let p = &caller.principal;
    let page = products::list(
        &state.app,
        p,
        filter,
        sort,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(ProductList {
        items: page
            .items
            .iter()
            .map(|m| ProductView::of(m, p.sees_costs()))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

fn written(caller: &Caller, m: &Model, status: StatusCode) -> Response {
    let view = ProductView::of(m, caller.principal.sees_costs());
    (status, etag(m.version), Json(view)).into_response()
}

/// Add a product (administrators, heads of sales).
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductDraft,
    responses((status = 201, body = ProductView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: ProductDraft = parse_json(&body)?;
    let m = products::create(&state.app, &caller.principal, draft).await?;
    Ok(written(&caller, &m, StatusCode::CREATED))
}

/// Read one product.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProductView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = products::get(&state.app, &caller.principal, id, false).await?;
    Ok(written(&caller, &m, StatusCode::OK))
}

/// Change a product (JSON merge); `If-Match` required.
#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "products", request_body = ProductDraft, params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ProductView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_object(&body)?;
    let m = products::update(
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
#[utoipa::path(delete, path = "/api/v1/products/{id}", tag = "products", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ProductView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m =
        products::set_deleted(&state.app, &caller.principal, id, if_match(&headers)?, true).await?;
    Ok(written(&caller, &m, StatusCode::OK))
}

/// Bring back from the trash; `If-Match` required.
#[utoipa::path(post, path = "/api/v1/products/{id}/restore", tag = "products", params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ProductView), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = products::set_deleted(
        &state.app,
        &caller.principal,
        id,
        if_match(&headers)?,
        false,
    )
    .await?;
    Ok(written(&caller, &m, StatusCode::OK))
}

/// The product's change history, newest first.
#[utoipa::path(get, path = "/api/v1/products/{id}/history", tag = "products", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = products::history(
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
