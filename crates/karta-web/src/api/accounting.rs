//! Exchange with accounting: orders, invoices and payments of a period as
//! CSV or XLSX (`/api/v1/{orders,invoices,payments}/export.{csv,xlsx}`),
//! each row with the customer's name and INN. They take the lists' filters
//! and apply the same visibility. Orders also go to 1C as CommerceML
//! (`commerceml`).

use super::export::{EXPORT_PAGE, Format, Sheet};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::{no_more, take_text, take_uuid};
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::views::{InvoiceView, OrderView, PaymentView};
use karta_app::{App, AppError, invoices, orders};
use karta_core::contacts::date_text;
use karta_core::invoices::{InvoiceFilter, PaymentFilter};
use karta_core::orders::OrderFilter;
use karta_core::orders::OrderStatus;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// A `YYYY-MM-DD` parameter, checked.
fn take_day(
    params: &mut HashMap<String, String>,
    name: &str,
) -> Result<Option<time::Date>, ApiError> {
    take_text(params, name)
        .map(|d| karta_core::contacts::parse_date(&d).map_err(|c| bad_request(name, c)))
        .transpose()
}

/// Adds `account_name` and `account_inn` to rows that carry `account_id`
/// (one query per page).
async fn with_accounts(
    app: &App,
    p: &karta_app::Principal,
    mut rows: Vec<Value>,
) -> Result<Vec<Value>, AppError> {
    let ids: Vec<Uuid> = rows
        .iter()
        .filter_map(|r| r["account_id"].as_str()?.parse().ok())
        .collect();
    let accounts: HashMap<String, (String, Option<String>)> =
        karta_app::accounts::visible(app, p, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id.to_string(), (a.name, a.inn)))
            .collect();
    for row in &mut rows {
        let found = row["account_id"]
            .as_str()
            .and_then(|id| accounts.get(id))
            .cloned();
        if let (Value::Object(map), Some((name, inn))) = (row, found) {
            map.insert("account_name".into(), Value::String(name));
            map.insert("account_inn".into(), inn.map_or(Value::Null, Value::String));
        }
    }
    Ok(rows)
}

/// The orders of a period the accounting exports take: `created_from`,
/// `created_to` (days on the company's clock), `status`, `account_id`.
pub(super) fn order_filter(
    state: &AppState,
    caller: &Caller,
    params: &mut HashMap<String, String>,
) -> Result<OrderFilter, ApiError> {
    // Days begin at midnight on the company's clock.
    let offset = i64::from(state.app.utc_offset(&caller.principal)) * 60_000_000;
    let micros = |d: time::Date| karta_core::time::to_micros(d.midnight().assume_utc()) - offset;
    Ok(OrderFilter {
        account_id: take_uuid(params, "account_id")?,
        status: take_text(params, "status")
            .map(|s| OrderStatus::parse(&s).map_err(|c| bad_request("status", c)))
            .transpose()?,
        created_from: take_day(params, "created_from")?.map(micros),
        created_to: take_day(params, "created_to")?.map(micros),
        ..Default::default()
    })
}

/// Orders created in a period, as accounting takes them.
async fn orders_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
    format: Format,
) -> Result<Response, ApiError> {
    let filter = order_filter(&state, &caller, &mut params)?;
    no_more(params)?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    let sheet = Sheet::new(
        &caller,
        "orders",
        &[
            "number",
            "created_at",
            "status",
            "account_name",
            "account_inn",
            "currency",
            "net_minor",
            "vat_minor",
            "gross_minor",
            "payment_method",
            "delivery_address",
            "id",
            "account_id",
            "deal_id",
        ],
    );
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = orders::list(&app, &p, filter, cursor.as_ref(), EXPORT_PAGE).await?;
            let rows = page
                .items
                .iter()
                .map(|m| serde_json::to_value(OrderView::of(m)).unwrap_or_default())
                .collect();
            Ok((with_accounts(&app, &p, rows).await?, page.next_cursor))
        }
    })
    .await
}

/// Invoices issued in a period.
async fn invoices_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
    format: Format,
) -> Result<Response, ApiError> {
    let today = date_text(state.app.today(&caller.principal));
    let filter = crate::http::read_list(&mut params, InvoiceFilter::read)?;
    no_more(params)?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    let sheet = Sheet::new(
        &caller,
        "invoices",
        &[
            "number",
            "issued_on",
            "due_on",
            "account_name",
            "account_inn",
            "currency",
            "amount_minor",
            "paid_minor",
            "outstanding_minor",
            "status",
            "overdue",
            "id",
            "order_id",
            "account_id",
        ],
    );
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter, today) = (app.clone(), p.clone(), filter.clone(), today.clone());
        async move {
            let page = invoices::list(&app, &p, filter, cursor.as_ref(), EXPORT_PAGE).await?;
            let rows = page
                .items
                .iter()
                .map(|m| serde_json::to_value(InvoiceView::of(m, &today)).unwrap_or_default())
                .collect();
            Ok((with_accounts(&app, &p, rows).await?, page.next_cursor))
        }
    })
    .await
}

/// Payments received in a period.
async fn payments_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
    format: Format,
) -> Result<Response, ApiError> {
    let filter = crate::http::read_list(&mut params, PaymentFilter::read)?;
    no_more(params)?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    let sheet = Sheet::new(
        &caller,
        "payments",
        &[
            "paid_on",
            "account_name",
            "account_inn",
            "currency",
            "amount_minor",
            "method",
            "reference",
            "id",
            "invoice_id",
            "account_id",
        ],
    );
    super::export::file(format, sheet, move |cursor| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = invoices::payments(&app, &p, filter, cursor.as_ref(), EXPORT_PAGE).await?;
            let rows = page
                .items
                .iter()
                .map(|m| serde_json::to_value(PaymentView::of(m)).unwrap_or_default())
                .collect();
            Ok((with_accounts(&app, &p, rows).await?, page.next_cursor))
        }
    })
    .await
}

/// Orders created in a period as CSV, for accounting.
#[utoipa::path(get, path = "/api/v1/orders/export.csv", tag = "orders",
    params(("created_from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"), ("created_to" = Option<String>, Query, description = "YYYY-MM-DD, exclusive"), ("status" = Option<String>, Query), ("account_id" = Option<Uuid>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = Problem)))]
pub async fn orders_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    orders_file(state, caller, params, Format::Csv).await
}

/// Orders created in a period as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/orders/export.xlsx", tag = "orders",
    params(("created_from" = Option<String>, Query), ("created_to" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 422, body = Problem)))]
pub async fn orders_xlsx(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    orders_file(state, caller, params, Format::Xlsx).await
}

/// Invoices issued in a period as CSV.
#[utoipa::path(get, path = "/api/v1/invoices/export.csv", tag = "invoices",
    params(("issued_from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"), ("issued_to" = Option<String>, Query, description = "YYYY-MM-DD, exclusive"), ("status" = Option<String>, Query), ("account_id" = Option<Uuid>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = Problem)))]
pub async fn invoices_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    invoices_file(state, caller, params, Format::Csv).await
}

/// Invoices issued in a period as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/invoices/export.xlsx", tag = "invoices",
    params(("issued_from" = Option<String>, Query), ("issued_to" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 422, body = Problem)))]
pub async fn invoices_xlsx(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    invoices_file(state, caller, params, Format::Xlsx).await
}

/// Payments of a period as CSV.
#[utoipa::path(get, path = "/api/v1/payments/export.csv", tag = "invoices",
    params(("paid_from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"), ("paid_to" = Option<String>, Query, description = "YYYY-MM-DD, exclusive"), ("account_id" = Option<Uuid>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = Problem)))]
pub async fn payments_csv(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    payments_file(state, caller, params, Format::Csv).await
}

/// Payments of a period as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/payments/export.xlsx", tag = "invoices",
    params(("paid_from" = Option<String>, Query), ("paid_to" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String), (status = 422, body = Problem)))]
pub async fn payments_xlsx(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    payments_file(state, caller, params, Format::Xlsx).await
}
