//! Orders for 1C as CommerceML 2 (`GET /api/v1/orders/export.xml`): the
//! same period, filters and visibility as the accounting CSV, each order a
//! document «Заказ товара» with its buyer, lines and VAT, streamed page by
//! page.

use super::accounting::order_filter;
use super::export::EXPORT_PAGE;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::no_more;
use crate::i18n::Tr;
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::model::Cursor;
use karta_app::{App, AppError, orders};
use karta_core::commerceml::{self, Line, Order, Party};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Orders created in a period as a CommerceML 2 file for 1C.
#[utoipa::path(get, path = "/api/v1/orders/export.xml", tag = "orders",
    params(("created_from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"), ("created_to" = Option<String>, Query, description = "YYYY-MM-DD, exclusive"), ("status" = Option<String>, Query), ("account_id" = Option<Uuid>, Query)),
    responses((status = 200, content_type = "application/xml", body = String), (status = 422, body = Problem)))]
pub async fn orders_xml(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let filter = order_filter(&state, &caller, &mut params)?;
    no_more(params)?;
    let (app, p) = (state.app.clone(), caller.principal.clone());
    let offset = i64::from(app.utc_offset(&p)) * 60_000_000;
    let generated = local(app.now() + offset);
    let head = commerceml::head(&format!("{}T{}", generated.0, generated.1));
    let fetch = move |cursor: Option<Cursor>| {
        let (app, p, filter) = (app.clone(), p.clone(), filter.clone());
        async move {
            let page = orders::list(&app, &p, filter, cursor.as_ref(), EXPORT_PAGE).await?;
            let documents = documents(&app, &p, &page.items, offset).await?;
            Ok((documents, page.next_cursor))
        }
    };
    let render = |document: &Value| document.as_str().unwrap_or_default().to_string();
    super::export::stream(
        "orders.xml",
        "application/xml; charset=utf-8",
        (head, commerceml::TAIL),
        fetch,
        render,
    )
    .await
}

/// A moment on the company's clock as `YYYY-MM-DD` and `HH:MM:SS`.
fn local(micros: i64) -> (String, String) {
    let at = karta_core::time::from_micros(micros);
    (
        karta_core::contacts::date_text(at.date()),
        format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second()),
    )
}

/// A page of orders as CommerceML documents, with their buyers and lines
/// read in one query each.
async fn documents(
    app: &App,
    p: &karta_app::Principal,
    page: &[karta_app::model::Order],
    offset: i64,
) -> Result<Vec<Value>, AppError> {
    let account_ids: Vec<Uuid> = page.iter().map(|o| o.account_id).collect();
    let mut lines = karta_app::orders::lines_of(app, p, page).await?;
    let accounts: HashMap<Uuid, karta_app::model::Account> =
        karta_app::accounts::visible(app, p, &account_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    let classifiers = app.classifiers().await?;
    let method_label = |code: &str| {
        classifiers
            .iter()
            .find(|c| c.kind == "payment_method" && c.code == code)
            .map_or_else(|| code.to_string(), |c| c.label_ru.clone())
    };
    // 1C is Russian whatever the exporter's language.
    let tr = Tr::new("ru");
    let mut out = Vec::with_capacity(page.len());
    for o in page {
        let Some(account) = accounts.get(&o.account_id) else {
            continue;
        };
        let own = lines.remove(&o.id).unwrap_or_default();
        let (date, time) = local(o.created_at + offset);
        let number = karta_core::orders::number_label(o.number, "ru");
        let status = tr.t(&format!("order-status-{}", o.status));
        let method = o.payment_method.as_deref().map(method_label);
        let document = Order {
            id: o.id,
            number: &number,
            date: &date,
            time: &time,
            currency: &o.currency,
            gross_minor: o.gross_minor,
            vat_minor: o.vat_minor,
            status: &status,
            cancelled: o.status == "cancelled",
            payment_method: method.as_deref(),
            comment: o.comment.as_deref(),
            buyer: Party {
                id: account.id,
                name: &account.name,
                legal_name: account.legal_name.as_deref(),
                inn: account.inn.as_deref(),
                kpp: account.kpp.as_deref(),
            },
            lines: own
                .iter()
                .map(|l| Line {
                    product_id: l.product_id,
                    sku: &l.sku,
                    name: &l.name,
                    unit: &l.unit,
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                    discount_minor: l.unit_price_minor * l.quantity - l.net_minor,
                    net_minor: l.net_minor,
                    vat_rate: l.vat_rate,
                    vat_minor: l.vat_minor,
                })
                .collect(),
        };
        out.push(Value::String(commerceml::document(&document)));
    }
    Ok(out)
}
