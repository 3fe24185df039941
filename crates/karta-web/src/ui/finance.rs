//! Money on the pages: the client card's orders, invoices, payments,
//! balance and credit hold (with the accountant's release), invoicing and
//! payments from the order card, and the invoice list.

use super::lists::{Column, ListPage, Params, Row, Select};
use super::{PageCtx, forms, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use crate::i18n::Tr;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use karta_app::model::Invoice;
use karta_app::{AppError, invoices, orders};
use karta_core::invoices::{HoldRelease, InvoiceDraft, PaymentDraft, number_label};
use karta_core::invoices::{InvoiceFilter, PaymentFilter};
use karta_core::money::{Currency, format_amount};
use karta_core::orders::OrderFilter;
use karta_core::roles::{Access, Entity, Reach};
use uuid::Uuid;

/// An amount in its currency, as the page language writes it.
fn money(minor: i64, currency: &str, tr: Tr) -> String {
    let currency = Currency::parse(currency).unwrap_or_else(|_| Currency::rub());
    format_amount(minor, &currency, tr.lang)
}

fn may(caller: &UiCaller, entity: Entity, access: Access) -> bool {
    caller.0.principal.reach(entity, access) != Reach::Nothing
}

fn today(state: &AppState, caller: &UiCaller) -> String {
    karta_core::contacts::date_text(state.app.today(&caller.0.principal))
}

/// An invoice as a card lists it.
pub struct InvoiceLine {
    pub id: Uuid,
    pub number: String,
    pub due_on: String,
    pub amount: String,
    pub outstanding: String,
    pub open: bool,
    pub overdue: bool,
}

impl InvoiceLine {
    fn of(m: &Invoice, today: &str, tr: Tr) -> Self {
        let outstanding = m.amount_minor - m.paid_minor;
        Self {
            id: m.id,
            number: number_label(m.number, tr.lang),
            due_on: tr.day(&m.due_on),
            amount: money(m.amount_minor, &m.currency, tr),
            outstanding: money(outstanding, &m.currency, tr),
            open: outstanding > 0,
            overdue: outstanding > 0 && m.due_on.as_str() < today,
        }
    }
}

/// The client card's money section.
pub struct AccountFinance {
    pub account_id: Uuid,
    /// The hold in words, empty when there is none.
    pub hold: String,
    pub released_until: String,
    pub balance: String,
    pub orders: Vec<(Uuid, String, String, String)>,
    pub invoices: Vec<InvoiceLine>,
    pub payments: Vec<(String, String, String)>,
    pub may_release: bool,
    pub may_order: bool,
    pub contracts: Vec<super::contracts::ContractLine>,
    pub may_contract: bool,
}

/// The section for the client card, or `None` for a role that sees no
/// orders (it is simply left out).
pub async fn account_section(
    state: &AppState,
    caller: &UiCaller,
    account_id: Uuid,
) -> Result<Option<AccountFinance>, ApiError> {
    if !may(caller, Entity::Orders, Access::Read) {
        return Ok(None);
    }
    let p = &caller.0.principal;
    let tr = PageCtx::of(caller).tr;
    let today = today(state, caller);
    let recent = orders::list(
        &state.app,
        p,
        OrderFilter {
            account_id: Some(account_id),
            ..Default::default()
        },
        None,
        10,
    )
    .await?
    .items
    .iter()
    .map(|o| {
        (
            o.id,
            karta_core::orders::number_label(o.number, tr.lang),
            tr.t(&format!("order-status-{}", o.status)),
            money(o.gross_minor, &o.currency, tr),
        )
    })
    .collect();
    let (invoice_lines, payments) = if may(caller, Entity::Invoices, Access::Read) {
        let invoices_page = invoices::list(
            &state.app,
            p,
            InvoiceFilter {
                account_id: Some(account_id),
                ..Default::default()
            },
            None,
            10,
        )
        .await?;
        let payments = invoices::payments(
            &state.app,
            p,
            PaymentFilter {
                account_id: Some(account_id),
                ..Default::default()
            },
            None,
            10,
        )
        .await?
        .items
        .iter()
        .map(|m| {
            (
                tr.day(&m.paid_on),
                money(m.amount_minor, &m.currency, tr),
                m.reference.clone().unwrap_or_default(),
            )
        })
        .collect();
        (
            invoices_page
                .items
                .iter()
                .map(|m| InvoiceLine::of(m, &today, tr))
                .collect(),
            payments,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let hold = invoices::hold_of(&state.app, p, account_id).await?;
    // What is owed, per currency ("1 200 ₽ + 300 $" for the rare customer
    // invoiced in two).
    let mut owed: std::collections::BTreeMap<String, i64> = Default::default();
    for o in invoices::owed(&state.app, p, account_id).await? {
        *owed.entry(o.currency).or_default() += o.outstanding_minor;
    }
    let balance = if owed.is_empty() {
        money(0, "RUB", tr)
    } else {
        owed.iter()
            .map(|(currency, minor)| money(*minor, currency, tr))
            .collect::<Vec<_>>()
            // Currencies side by side, never added up.
            .join(" · ")
    };
    let hold_text = match hold.reason.as_deref() {
        Some("overdue") if hold.on_hold => format!(
            "{} {} · {} {}",
            tr.t("hold-overdue"),
            money(hold.overdue_minor, "RUB", tr),
            tr.t("hold-since"),
            tr.day(hold.overdue_since.as_deref().unwrap_or_default())
        ),
        Some("over_limit") if hold.on_hold => tr.t("hold-over-limit"),
        _ => String::new(),
    };
    Ok(Some(AccountFinance {
        account_id,
        hold: hold_text,
        released_until: tr.day(hold.released_until.as_deref().unwrap_or_default()),
        balance,
        orders: recent,
        invoices: invoice_lines,
        payments,
        may_release: hold.reason.is_some() && may(caller, Entity::Invoices, Access::Write),
        may_order: may(caller, Entity::Orders, Access::Write),
        contracts: super::contracts::of_account(state, caller, account_id).await?,
        may_contract: may(caller, Entity::Contracts, Access::Write),
    }))
}

/// The invoices of one order, for its card.
pub async fn order_invoices(
    state: &AppState,
    caller: &UiCaller,
    order_id: Uuid,
) -> Result<Vec<InvoiceLine>, ApiError> {
    if !may(caller, Entity::Invoices, Access::Read) {
        return Ok(Vec::new());
    }
    let tr = PageCtx::of(caller).tr;
    let today = today(state, caller);
    Ok(invoices::list(
        &state.app,
        &caller.0.principal,
        InvoiceFilter {
            order_id: Some(order_id),
            ..Default::default()
        },
        None,
        50,
    )
    .await?
    .items
    .iter()
    .map(|m| InvoiceLine::of(m, &today, tr))
    .collect())
}

/// Whether the caller may invoice and record payments.
pub fn may_invoice(caller: &UiCaller) -> bool {
    may(caller, Entity::Invoices, Access::Write)
}

/// Invoices an order from its card (the rest of its amount).
pub async fn invoice_order(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(order_id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let draft = InvoiceDraft {
        order_id: Some(order_id),
        ..Default::default()
    };
    let result = invoices::create(&state.app, &caller.0.principal, draft)
        .await
        .map(|_| format!("/orders/{order_id}"));
    forms::redirect_after(result, &format!("/orders/{order_id}"))
}

/// Records a payment from the order card.
pub async fn pay(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(invoice_id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let back = forms::back_to(&form, "/invoices");
    let get = |k: &str| forms::form_value(&form, k).filter(|v| !v.trim().is_empty());
    let amount = match get("amount").map(|a| karta_core::custom_fields::parse_money_minor(&a)) {
        Some(Ok(minor)) => Some(minor),
        Some(Err(code)) => {
            return forms::redirect_after(Err(AppError::field("amount", code)), &back);
        }
        None => None,
    };
    let draft = PaymentDraft {
        invoice_id: Some(invoice_id),
        amount_minor: amount,
        paid_on: get("paid_on"),
        method: None,
        reference: get("reference"),
    };
    let result = invoices::pay(&state.app, &caller.0.principal, draft)
        .await
        .map(|_| back.clone());
    forms::redirect_after(result, &back)
}

/// Releases an account's hold from the client card.
pub async fn release(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(account_id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let release = HoldRelease {
        comment: forms::form_value(&form, "comment"),
        until: forms::form_value(&form, "until").filter(|v| !v.trim().is_empty()),
    };
    let back = format!("/accounts/{account_id}");
    let result = invoices::release_hold(&state.app, &caller.0.principal, account_id, release)
        .await
        .map(|_| back.clone());
    forms::redirect_after(result, &back)
}

/// The first day of a named period and the first day after it.
fn period(name: &str, today: time::Date) -> Option<(time::Date, time::Date)> {
    let month_start = |d: time::Date| d.replace_day(1).ok();
    let next_month = |d: time::Date| {
        let (y, m) = if d.month() == time::Month::December {
            (d.year() + 1, time::Month::January)
        } else {
            (d.year(), d.month().next())
        };
        time::Date::from_calendar_date(y, m, 1).ok()
    };
    match name {
        "this_month" => {
            let start = month_start(today)?;
            Some((start, next_month(start)?))
        }
        "last_month" => {
            let this = month_start(today)?;
            let start = month_start(this.previous_day()?)?;
            Some((start, this))
        }
        "this_year" => Some((
            time::Date::from_calendar_date(today.year(), time::Month::January, 1).ok()?,
            time::Date::from_calendar_date(today.year() + 1, time::Month::January, 1).ok()?,
        )),
        _ => None,
    }
}

/// The invoice list: open, overdue or paid, of a period; exported for
/// accounting as it is shown.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let today = today(&state, &caller);
    let show = params.get("show");
    let days =
        period(&params.get("period"), state.app.today(&caller.0.principal)).map(|(from, to)| {
            let text = karta_core::contacts::date_text;
            (text(from), text(to))
        });
    let filter = InvoiceFilter {
        search: karta_core::search::DocumentSearch::parse(&params.get("q")),
        issued_from: days.as_ref().map(|d| d.0.clone()),
        issued_to: days.as_ref().map(|d| d.1.clone()),
        status: match show.as_str() {
            "open" | "paid" => Some(show.clone()),
            _ => None,
        },
        due_before: (show == "overdue").then(|| today.clone()),
        ..Default::default()
    };
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let result =
        invoices::list(&state.app, &caller.0.principal, filter, cursor.as_ref(), 50).await?;
    let ids: Vec<Uuid> = result.items.iter().map(|i| i.account_id).collect();
    let names = karta_app::accounts::names(&state.app, &caller.0.principal, &ids).await?;
    let keys = ["account_id", "issued_on", "due_on", "amount", "outstanding"];
    let columns: Vec<Column> = keys
        .iter()
        .map(|k| Column {
            key: k.to_string(),
            label: tr.t(&format!("invoice-col-{k}")),
        })
        .collect();
    let rows = result
        .items
        .iter()
        .map(|m| {
            let line = InvoiceLine::of(m, &today, tr);
            let due = if line.overdue {
                format!("{} ⚠ {}", line.due_on, tr.t("invoice-overdue"))
            } else {
                line.due_on.clone()
            };
            Row {
                href: format!("/orders/{}", m.order_id),
                name: line.number.clone(),
                cells: vec![
                    names.get(&m.account_id).cloned().unwrap_or_default(),
                    tr.day(&m.issued_on),
                    due,
                    line.amount,
                    line.outstanding,
                ],
            }
        })
        .collect::<Vec<_>>();
    let selects = vec![
        Select {
            name: "show".into(),
            label: tr.t("invoice-show-all"),
            value: show.clone(),
            options: ["open", "overdue", "paid"]
                .iter()
                .map(|s| (s.to_string(), tr.t(&format!("invoice-show-{s}"))))
                .collect(),
        },
        Select {
            name: "period".into(),
            label: tr.t("period-any"),
            value: params.get("period"),
            options: ["this_month", "last_month", "this_year"]
                .iter()
                .map(|s| (s.to_string(), tr.t(&format!("period-{s}"))))
                .collect(),
        },
    ];
    // The exports take the same period (and status) as the page.
    let mut query = String::new();
    if let Some((from, to)) = &days {
        query = format!("issued_from={from}&issued_to={to}");
    }
    if show == "open" || show == "paid" {
        query.push_str(&format!("&status={show}"));
    }
    let paid_query = days
        .as_ref()
        .map(|(from, to)| format!("paid_from={from}&paid_to={to}"))
        .unwrap_or_default();
    let tools = vec![
        (
            format!("/api/v1/invoices/export.csv?{query}"),
            tr.t("list-export-csv"),
        ),
        (
            format!("/api/v1/invoices/export.xlsx?{query}"),
            tr.t("list-export-xlsx"),
        ),
        (
            format!("/api/v1/payments/export.xlsx?{paid_query}"),
            tr.t("payments-export"),
        ),
    ];
    let mut tools = tools;
    if may_invoice(&caller) {
        tools.push(("/payments/statement".into(), tr.t("statement-load")));
    }
    let next = result
        .next_cursor
        .map(|c| params.next_url("/invoices", &c, &selects));
    let chosen = keys.iter().map(|k| k.to_string()).collect();
    let all_columns = columns
        .iter()
        .map(|c| Column {
            key: c.key.clone(),
            label: c.label.clone(),
        })
        .collect();
    Ok(render(&ListPage {
        title: tr.t("invoices-title"),
        action: "/invoices".into(),
        new_label: String::new(),
        tools,
        count: String::new(),
        q: params.get("q"),
        selects,
        sort: String::new(),
        sorts: vec![(String::new(), tr.t("sort-created"))],
        all_columns,
        chosen,
        columns,
        rows,
        next,
        problems: Vec::new(),
        page,
    }))
}

/// One line of the statement result.
pub struct StatementRow {
    pub line: u64,
    pub date: String,
    pub amount: String,
    pub detail: String,
}

#[derive(askama::Template)]
#[template(path = "statement.html")]
struct StatementPage {
    page: PageCtx,
    error: String,
    matched: Vec<StatementRow>,
    unmatched: Vec<StatementRow>,
    loaded: bool,
}

/// The statement upload form.
pub async fn statement_form(caller: UiCaller) -> Result<Response, ApiError> {
    if !may_invoice(&caller) {
        return Err(AppError::Forbidden.into());
    }
    Ok(render(&StatementPage {
        page: PageCtx::of(&caller),
        error: String::new(),
        matched: Vec::new(),
        unmatched: Vec::new(),
        loaded: false,
    }))
}

/// Loads an uploaded statement (a form of `_csrf`, then `file`) and shows
/// what was recorded and what was not.
pub async fn statement_upload(
    State(state): State<AppState>,
    caller: UiCaller,
    mut form: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let unreadable = |_| crate::error::bad_request("file", "unreadable_file");
    let (mut csrf, mut file) = (None, Vec::new());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf = Some(field.text().await.map_err(unreadable)?),
            "file" => {
                caller.check_csrf(csrf.as_deref())?;
                // A statement is small; a month of a busy account is a few MB.
                file = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    caller.check_csrf(csrf.as_deref())?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let view = match karta_app::bank::load_statement(&state.app, &caller.0.principal, file).await {
        Ok(r) => StatementPage {
            error: String::new(),
            matched: r
                .matched
                .iter()
                .map(|m| StatementRow {
                    line: m.line,
                    date: tr.day(&m.paid_on),
                    amount: money(m.amount_minor, "RUB", tr),
                    detail: number_label(m.invoice_number, tr.lang),
                })
                .collect(),
            unmatched: r
                .unmatched
                .iter()
                .map(|u| StatementRow {
                    line: u.line,
                    date: u.date.as_deref().map(|d| tr.day(d)).unwrap_or_default(),
                    amount: u
                        .amount_minor
                        .map(|a| money(a, "RUB", tr))
                        .unwrap_or_default(),
                    detail: format!(
                        "{} — {}",
                        u.purpose.clone().unwrap_or_default(),
                        tr.t(&format!("reason-{}", u.reason))
                    ),
                })
                .collect(),
            loaded: true,
            page,
        },
        Err(AppError::Invalid(e)) => StatementPage {
            error: tr.error(e.0.first().map(|f| f.code).unwrap_or("other")),
            matched: Vec::new(),
            unmatched: Vec::new(),
            loaded: false,
            page,
        },
        Err(e) => return Err(e.into()),
    };
    Ok(render(&view))
}
