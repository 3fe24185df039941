//! `/api/v1/invoices`, `/api/v1/payments` and the credit hold of an
//! account (`/api/v1/accounts/{id}/credit-hold`).

use crate::AppState;
use crate::api::accounts::ChangeList;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{etag, no_more, paging, parse_json};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use karta_app::invoices;
use karta_app::views::{InvoiceView, PaymentView};
use karta_core::invoices::{CreditHold, HoldRelease, InvoiceDraft, PaymentDraft};
use karta_core::invoices::{InvoiceFilter, PaymentFilter};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The invoice for payment (счёт на оплату) as a PDF: the payee's bank
/// block, supplier and buyer, the lines with units and VAT, the totals and
/// the amount in words, the due date and signatures; in `lang` (`ru` or
/// `en`; the caller's language when absent).
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "invoices",
    params(("id" = Uuid, Path), ("lang" = Option<String>, Query, description = "ru or en")),
    responses((status = 200, content_type = "application/pdf", body = String), (status = 404, body = Problem)))]
pub async fn pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let lang = super::proposals::lang_of(&mut params, &caller);
    no_more(params)?;
    let (name, bytes) =
        karta_app::printed::invoice::pdf(&state.app, &caller.principal, id, &lang).await?;
    Ok(super::proposals::pdf(&name, bytes))
}

/// A page of invoices, newest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<InvoiceView>,
    pub next_cursor: Option<String>,
}

/// A page of payments, latest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PaymentList {
    pub items: Vec<PaymentView>,
    pub next_cursor: Option<String>,
}

fn today(state: &AppState, caller: &Caller) -> String {
    karta_core::contacts::date_text(state.app.today(&caller.principal))
}

/// List invoices.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices",
    params(
        ("q" = Option<String>, Query, description = "An invoice number (`СЧ-000015`, `INV-15`, `15`) or words of the customer's name, code or INN"),
        ("account_id" = Option<Uuid>, Query), ("order_id" = Option<Uuid>, Query),
        ("status" = Option<String>, Query, description = "open or paid"),
        ("overdue" = Option<bool>, Query, description = "only open invoices past their due date"),
        ("issued_from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"),
        ("issued_to" = Option<String>, Query, description = "YYYY-MM-DD, exclusive"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = InvoiceList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<InvoiceList>, ApiError> {
    let paging = paging(&mut params)?;
    let today = today(&state, &caller);
    let (mut filter, overdue) =
        crate::http::read_list(&mut params, |q| (InvoiceFilter::read(q), q.flag("overdue")))?;
    if overdue == Some(true) {
        filter.due_before = Some(today.clone());
    }
    no_more(params)?;
    let page = invoices::list(
        &state.app,
        &caller.principal,
        filter,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(InvoiceList {
        items: page
            .items
            .iter()
            .map(|m| InvoiceView::of(m, &today))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Invoice an order that is confirmed or further along (accountants).
/// Numbered in sequence; due after the payment terms (14 days without a
/// contract) unless `due_on` is given.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices", request_body = InvoiceDraft,
    responses((status = 201, body = InvoiceView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: InvoiceDraft = parse_json(&body)?;
    let m = invoices::create(&state.app, &caller.principal, draft).await?;
    let view = InvoiceView::of(&m, &today(&state, &caller));
    Ok((StatusCode::CREATED, etag(m.version), Json(view)).into_response())
}

/// Read one invoice.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = Uuid, Path)),
    responses((status = 200, body = InvoiceView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let m = invoices::get(&state.app, &caller.principal, id).await?;
    let view = InvoiceView::of(&m, &today(&state, &caller));
    Ok((etag(m.version), Json(view)).into_response())
}

/// The invoice's history, newest first.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/history", tag = "invoices", params(("id" = Uuid, Path), ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ChangeList), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ChangeList>, ApiError> {
    let paging = paging(&mut params)?;
    no_more(params)?;
    let page = invoices::history(
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

/// List payments.
#[utoipa::path(get, path = "/api/v1/payments", tag = "invoices",
    params(
        ("account_id" = Option<Uuid>, Query), ("invoice_id" = Option<Uuid>, Query),
        ("paid_from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"),
        ("paid_to" = Option<String>, Query, description = "YYYY-MM-DD, exclusive"),
        ("limit" = Option<u64>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = PaymentList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn payments(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<PaymentList>, ApiError> {
    let paging = paging(&mut params)?;
    let filter = crate::http::read_list(&mut params, PaymentFilter::read)?;
    no_more(params)?;
    let page = invoices::payments(
        &state.app,
        &caller.principal,
        filter,
        paging.cursor.as_ref(),
        paging.limit,
    )
    .await?;
    Ok(Json(PaymentList {
        items: page.items.iter().map(PaymentView::of).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Record a payment against an invoice (accountants); partial payments
/// are fine, more than the invoice awaits is refused.
#[utoipa::path(post, path = "/api/v1/payments", tag = "invoices", request_body = PaymentDraft,
    responses((status = 201, body = PaymentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn pay(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let draft: PaymentDraft = parse_json(&body)?;
    let m = invoices::pay(&state.app, &caller.principal, draft).await?;
    Ok((StatusCode::CREATED, Json(PaymentView::of(&m))).into_response())
}

/// Whether the account is on credit hold and why: the overdue invoices,
/// how much, since when, its exposure and limit, a release in force.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/credit-hold", tag = "invoices", params(("id" = Uuid, Path)),
    responses((status = 200, body = CreditHold), (status = 404, body = Problem)))]
pub async fn hold(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<CreditHold>, ApiError> {
    Ok(Json(
        invoices::hold_of(&state.app, &caller.principal, id).await?,
    ))
}

/// Release the account's hold until a date (accountants), with a comment;
/// recorded on the account's history.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/credit-hold/release", tag = "invoices", params(("id" = Uuid, Path)), request_body = HoldRelease,
    responses((status = 200, body = CreditHold), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<CreditHold>, ApiError> {
    let input: HoldRelease = parse_json(&body)?;
    Ok(Json(
        invoices::release_hold(&state.app, &caller.principal, id, input).await?,
    ))
}

/// Load a bank statement (CSV: date, amount, payer INN, purpose; UTF-8 or
/// Windows-1251, `;` or `,`), accountants: each incoming payment is matched
/// to the invoice its purpose names (or the payer's one open invoice of
/// that amount) and recorded; the rest are listed with the reason. Loading
/// the same statement twice records nothing twice.
#[utoipa::path(post, path = "/api/v1/payments/statement", tag = "invoices",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = karta_app::bank::StatementResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn statement(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<karta_app::bank::StatementResult>, ApiError> {
    Ok(Json(
        karta_app::bank::load_statement(&state.app, &caller.principal, body.to_vec()).await?,
    ))
}
