//! Order pages: the list (status filter, newest first), the order card
//! with its lines, the moves its status allows (each with a comment) and
//! its tracking history, the order of a won deal, and an order typed in
//! by hand for an account.

use super::lists::{Column, ListPage, Params, Row, Select};
use super::{Labels, PageCtx, forms, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use crate::i18n::Tr;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::model::Order as Model;
use karta_app::{AppError, orders};
use karta_core::identifiers::CustomerCode;
use karta_core::money::{Currency, format_amount};
use karta_core::orders::OrderFilter;
use karta_core::orders::{OrderDraft, OrderStatus, StatusChange, number_label};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

fn money(m: &Model, minor: i64, tr: Tr) -> String {
    let currency = Currency::parse(&m.currency).unwrap_or_else(|_| Currency::rub());
    format_amount(minor, &currency, tr.lang)
}

fn status_label(tr: Tr, status: &str) -> String {
    tr.t(&format!("order-status-{status}"))
}

/// The orders.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let (filter, problems) = params.read(tr, OrderFilter::read);
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let result = orders::list(&state.app, &caller.0.principal, filter, cursor.as_ref(), 50).await?;
    let ids: Vec<Uuid> = result.items.iter().map(|o| o.account_id).collect();
    let accounts = karta_app::accounts::names(&state.app, &caller.0.principal, &ids).await?;
    let columns: Vec<Column> = ["account_id", "status", "amount", "created_at"]
        .iter()
        .map(|k| Column {
            key: k.to_string(),
            label: tr.t(&format!("order-col-{k}")),
        })
        .collect();
    let rows = result
        .items
        .iter()
        .map(|m| Row {
            href: format!("/orders/{}", m.id),
            name: number_label(m.number, tr.lang),
            cells: vec![
                accounts.get(&m.account_id).cloned().unwrap_or_default(),
                status_label(tr, &m.status),
                money(m, m.gross_minor, tr),
                tr.day(
                    karta_core::time::rfc3339(m.created_at)
                        .get(..10)
                        .unwrap_or_default(),
                ),
            ],
        })
        .collect::<Vec<_>>();
    let selects = vec![Select {
        name: "status".into(),
        label: tr.t("filter-all-statuses"),
        value: params.get("status"),
        options: OrderStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), status_label(tr, s.as_str())))
            .collect(),
    }];
    let next = result
        .next_cursor
        .map(|c| params.next_url("/orders", &c, &selects));
    let chosen = columns.iter().map(|c| c.key.clone()).collect();
    let all_columns = columns
        .iter()
        .map(|c| Column {
            key: c.key.clone(),
            label: c.label.clone(),
        })
        .collect();
    Ok(render(&ListPage {
        title: tr.t("orders-title"),
        action: "/orders".into(),
        new_label: tr.t("orders-new"),
        tools: vec![
            ("/api/v1/orders/export.csv".into(), tr.t("list-export-csv")),
            (
                "/api/v1/orders/export.xlsx".into(),
                tr.t("list-export-xlsx"),
            ),
            ("/api/v1/orders/export.xml".into(), tr.t("orders-export-1c")),
        ],
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
        problems,
        page,
    }))
}

/// One line of the order card.
pub struct LineRow {
    product_id: Uuid,
    sku: String,
    name: String,
    quantity: i64,
    price: String,
    vat: String,
    gross: String,
}

/// One step of the tracking history.
pub struct Step {
    at: String,
    iso: String,
    who: String,
    status: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "order.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    title: String,
    version: i64,
    status: String,
    account: (Uuid, String),
    deal_id: Option<Uuid>,
    deal_title: String,
    facts: Vec<(String, String)>,
    lines: Vec<LineRow>,
    totals: (String, String, String),
    moves: Vec<(String, String)>,
    steps: Vec<Step>,
    error: String,
    invoices: Vec<super::finance::InvoiceLine>,
    may_invoice: bool,
    today: String,
}

/// The refusal of a move in words: which lines are short, or where the
/// order can go instead.
fn refusal_text(tr: Tr, code: &str, facts: &Value) -> String {
    let details = match code {
        "insufficient_stock" => facts["lines"]
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| {
                        format!(
                            "{}: {} {}, {} {}",
                            l["sku"].as_str().unwrap_or_default(),
                            tr.t("order-requested"),
                            l["requested"],
                            tr.t("order-available"),
                            l["available"]
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    if details.is_empty() {
        tr.error(code)
    } else {
        format!("{} {details}", tr.error(code))
    }
}

async fn card_page(
    state: &AppState,
    caller: &UiCaller,
    id: Uuid,
    error: String,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let m = orders::get(&state.app, p, id).await?;
    let page = PageCtx::of(caller);
    let tr = page.tr;
    let account = karta_app::accounts::visible(&state.app, p, &[m.account_id])
        .await?
        .into_iter()
        .next()
        .map(|a| (a.id, format!("{} {}", CustomerCode(a.code), a.name)))
        .unwrap_or((m.account_id, String::new()));
    let lines = orders::lines(&state.app, p, id)
        .await?
        .iter()
        .map(|l| LineRow {
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            quantity: l.quantity,
            price: money(&m, l.unit_price_minor, tr),
            vat: format!("{} % · {}", l.vat_rate, money(&m, l.vat_minor, tr)),
            gross: money(&m, l.gross_minor, tr),
        })
        .collect();
    let steps = orders::event_views(&state.app, p, id)
        .await?
        .into_iter()
        .map(|e| Step {
            at: super::utc_label(&e.at),
            iso: e.at,
            who: e.user_name.unwrap_or_else(|| tr.t("history-system")),
            status: status_label(tr, &e.to_status),
            comment: e.comment.unwrap_or_default(),
        })
        .collect();
    let status = OrderStatus::parse(&m.status).unwrap_or(OrderStatus::Draft);
    let mut facts = vec![
        (
            tr.t("order-col-created_at"),
            super::utc_label(&karta_core::time::rfc3339(m.created_at)),
        ),
        (
            tr.field("delivery_address"),
            m.delivery_address.clone().unwrap_or_default(),
        ),
        (tr.field("comment"), m.comment.clone().unwrap_or_default()),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    // The deal by its title (one the reader may not open keeps the word).
    let deal_title = match m.deal_id {
        Some(d) => karta_app::deals::get(&state.app, &caller.0.principal, d, false)
            .await
            .map(|(deal, _)| deal.title)
            .unwrap_or_else(|_| tr.t("nav-deals")),
        None => String::new(),
    };
    let card = CardPage {
        id,
        title: number_label(m.number, tr.lang),
        version: m.version,
        status: status_label(tr, &m.status),
        account,
        deal_id: m.deal_id,
        deal_title,
        facts,
        lines,
        totals: (
            money(&m, m.net_minor, tr),
            money(&m, m.vat_minor, tr),
            money(&m, m.gross_minor, tr),
        ),
        moves: status
            .next()
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    tr.t(&format!("order-move-{}", s.as_str())),
                )
            })
            .collect(),
        steps,
        error,
        invoices: super::finance::order_invoices(state, caller, id).await?,
        may_invoice: super::finance::may_invoice(caller)
            && !matches!(status, OrderStatus::Draft | OrderStatus::Cancelled),
        today: karta_core::contacts::date_text(state.app.today(p)),
        page,
    };
    Ok(render(&card))
}

/// The order card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Query(params): Query<super::deals::CardParams>,
) -> Result<Response, ApiError> {
    let tr = PageCtx::of(&caller).tr;
    let error = params.error.map(|c| tr.error(&c)).unwrap_or_default();
    card_page(&state, &caller, id, error).await
}

/// Moves the order from its card; a refusal is shown on the card with
/// its reasons.
pub async fn change_status(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let change = StatusChange {
        status: forms::form_value(&form, "status"),
        comment: forms::form_value(&form, "comment"),
    };
    let tr = PageCtx::of(&caller).tr;
    match orders::change_status(&state.app, &caller.0.principal, id, version, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
        Err(AppError::Refused { code, facts }) => {
            card_page(&state, &caller, id, refusal_text(tr, code, &facts)).await
        }
        Err(AppError::VersionMismatch { .. }) => {
            card_page(&state, &caller, id, tr.error("changed_meanwhile")).await
        }
        Err(AppError::Invalid(e)) => {
            let code = e.0.first().map(|f| f.code).unwrap_or("other");
            card_page(&state, &caller, id, tr.error(code)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Places the order of a won deal (the button on the deal card).
pub async fn from_deal(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(deal_id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let result = orders::from_deal(&state.app, &caller.0.principal, deal_id)
        .await
        .map(|o| format!("/orders/{}", o.id));
    forms::redirect_after(result, &format!("/deals/{deal_id}"))
}

/// The form of an order typed in by hand: the account's code and the
/// products one per line, as on the deal card.
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let account = Params(params).get("account");
    let (code, contracts) = match account.parse::<Uuid>() {
        Ok(id) => (
            karta_app::accounts::get(&state.app, &caller.0.principal, id, false)
                .await
                .map(|a| CustomerCode(a.code).to_string())
                .unwrap_or_default(),
            super::contracts::in_force_choices(&state, &caller, id).await?,
        ),
        Err(_) => (String::new(), Vec::new()),
    };
    // An account with a contract in force orders under it by default.
    let chosen = contracts.first().map(|c| c.0.clone()).unwrap_or_default();
    let form = NewOrder {
        account_code: code,
        contracts,
        contract: chosen,
        methods: payment_methods(&state, page.tr).await?,
        ..Default::default()
    };
    Ok(new_page(page, form, HashMap::new()))
}

/// What the new-order form shows.
#[derive(Default)]
struct NewOrder {
    account_code: String,
    /// The account's contracts in force, as `(id, number)`.
    contracts: Vec<(String, String)>,
    contract: String,
    lines: String,
    /// The `payment_method` choices; none chosen means the contract's or
    /// the account's.
    methods: Vec<(String, String)>,
    method: String,
    address: String,
}

async fn payment_methods(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, ApiError> {
    let classifiers = state.app.classifiers().await?;
    Ok(Labels::new(&classifiers, tr).options(&classifiers, "payment_method"))
}

fn new_page(page: PageCtx, form: NewOrder, errors: HashMap<String, String>) -> Response {
    let tr = page.tr;
    let mut fields = vec![forms::FormField::new(
        &page,
        "account_code",
        "account",
        form.account_code,
    )];
    if !form.contracts.is_empty() {
        fields.push(
            forms::FormField::new(&page, "contract_id", "select", form.contract)
                .with_options(form.contracts),
        );
    }
    fields.extend([
        forms::FormField::new(&page, "lines", "textarea", form.lines),
        forms::FormField::new(&page, "payment_method", "select", form.method)
            .with_options(form.methods),
        forms::FormField::new(&page, "delivery_address", "text", form.address),
    ]);
    let head = forms::FormHead {
        title: tr.t("orders-new"),
        cancel: "/orders".into(),
        version: 0,
    };
    forms::page(page, head, fields, &errors, false)
}

/// Places an order typed in by hand.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let get = |k: &str| forms::form_value(&form, k).unwrap_or_default();
    let (code, text, address) = (get("account_code"), get("lines"), get("delivery_address"));
    let mut errors = HashMap::new();
    let account = karta_app::accounts::by_typed_code(&state.app, &caller.0.principal, &code).await;
    if account.is_none() {
        errors.insert("account_code".to_string(), tr.error("unknown_account"));
    }
    let lines = match super::deal_lines::read_lines(&state, &caller.0.principal, &text).await {
        Ok(l) => l,
        Err((n, c)) => {
            errors.insert(
                "lines".into(),
                format!("{} {n}: {}", tr.t("line"), tr.error(c)),
            );
            Vec::new()
        }
    };
    let contract = get("contract_id");
    let method = get("payment_method");
    let contracts = match &account {
        Some(a) => super::contracts::in_force_choices(&state, &caller, a.id).await?,
        None => Vec::new(),
    };
    if let (Some(account), true) = (account, errors.is_empty()) {
        let draft = OrderDraft {
            account_id: Some(account.id),
            contract_id: contract.parse().ok(),
            lines,
            payment_method: Some(method.clone()).filter(|m| !m.is_empty()),
            delivery_address: Some(address.clone()),
            ..Default::default()
        };
        match orders::create(&state.app, &caller.0.principal, draft).await {
            Ok(o) => return Ok(Redirect::to(&format!("/orders/{}", o.id)).into_response()),
            Err(AppError::Invalid(e)) => {
                for f in &e.0 {
                    let key = if f.field.starts_with("lines") {
                        "lines"
                    } else {
                        f.field.as_str()
                    };
                    errors.insert(key.to_string(), tr.error(f.code));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let form = NewOrder {
        account_code: code,
        contracts,
        contract,
        lines: text,
        methods: payment_methods(&state, tr).await?,
        method,
        address,
    };
    Ok(new_page(page, form, errors))
}
