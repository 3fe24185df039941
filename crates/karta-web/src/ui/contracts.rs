//! Contract pages: a contract with its products and prices, terms and
//! credit limit, its history, and the form (products one per line,
//! `ST-16K20 = 1 900 000`), reached from the client card.

use super::{Labels, PageCtx, forms, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::{AppError, contracts};
use karta_core::contracts::{ContractDraft, ContractFields, ContractItemDraft, ContractStatus};
use karta_core::custom_fields::{format_money_minor, parse_money_minor};
use karta_core::money::format_amount;
use karta_core::roles::{Access, Entity, Reach};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

fn may_edit(caller: &UiCaller) -> bool {
    caller.0.principal.reach(Entity::Contracts, Access::Write) != Reach::Nothing
}

/// A contract as the client card lists it: link, number, dates, in force.
pub struct ContractLine {
    pub id: Uuid,
    pub number: String,
    pub period: String,
    pub in_force: bool,
}

fn period(f: &ContractFields) -> String {
    let day = karta_core::contacts::date_text;
    format!(
        "{} — {}",
        day(f.valid_from),
        f.valid_to.map(day).unwrap_or_default()
    )
}

/// The contracts of an account, for its card (empty for roles that see
/// none).
pub async fn of_account(
    state: &AppState,
    caller: &UiCaller,
    account_id: Uuid,
) -> Result<Vec<ContractLine>, ApiError> {
    let p = &caller.0.principal;
    if p.reach(Entity::Contracts, Access::Read) == Reach::Nothing {
        return Ok(Vec::new());
    }
    let today = state.app.today(p);
    let page = contracts::list(&state.app, p, Some(account_id), false, None, 20).await?;
    Ok(page
        .items
        .iter()
        .map(|m| {
            let f = karta_app::contracts::fields_of(m, &[]);
            ContractLine {
                id: m.id,
                number: m.number.clone(),
                period: period(&f),
                in_force: f.in_force(today),
            }
        })
        .collect())
}

/// The contracts in force of an account, as `(id, number)` choices.
pub async fn in_force_choices(
    state: &AppState,
    caller: &UiCaller,
    account_id: Uuid,
) -> Result<Vec<(String, String)>, ApiError> {
    Ok(of_account(state, caller, account_id)
        .await?
        .into_iter()
        .filter(|c| c.in_force)
        .map(|c| (c.id.to_string(), c.number))
        .collect())
}

#[derive(Template)]
#[template(path = "contract.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    number: String,
    account: (Uuid, String),
    version: i64,
    editable: bool,
    deletable: bool,
    facts: Vec<(String, String)>,
    items: Vec<(Uuid, String, String, String, String)>,
    timeline: Vec<super::TimelineEntry>,
}

/// One contract.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let m = contracts::get(&state.app, p, id).await?;
    let f = contracts::fields(&state.app, &m).await?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let money = |minor: i64| format_amount(minor, &f.currency, tr.lang);
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let account = karta_app::accounts::visible(&state.app, p, &[m.account_id])
        .await?
        .into_iter()
        .next()
        .map(|a| (a.id, a.name))
        .unwrap_or((m.account_id, String::new()));
    let mut facts = vec![
        (
            tr.field("status"),
            tr.t(&format!("contract-status-{}", m.status)),
        ),
        (tr.field("period"), period(&f)),
        (tr.field("payment_days"), f.payment_days.to_string()),
        (
            tr.field("credit_limit"),
            f.credit_limit_minor.map(money).unwrap_or_default(),
        ),
        (
            tr.field("payment_method"),
            labels.of("payment_method", f.payment_method.as_deref()),
        ),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    let ids: Vec<Uuid> = f.items.iter().map(|i| i.product_id).collect();
    let products: HashMap<Uuid, karta_app::model::Product> =
        karta_app::products::by_ids(&state.app, p, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    let mut items: Vec<(Uuid, String, String, String, String)> = f
        .items
        .iter()
        .filter_map(|i| {
            let p = products.get(&i.product_id)?;
            Some((
                p.id,
                p.sku.clone(),
                p.name.clone(),
                money(p.list_price_minor),
                money(i.price_minor),
            ))
        })
        .collect();
    items.sort_by(|a, b| a.1.cmp(&b.1));
    let history = contracts::history(&state.app, p, id, None, 50).await?;
    Ok(render(&CardPage {
        id,
        number: m.number.clone(),
        account,
        version: m.version,
        editable: may_edit(&caller),
        deletable: p.reach(Entity::Contracts, Access::Delete) != Reach::Nothing,
        facts,
        items,
        timeline: timeline(history.items, tr, f.currency.as_str()),
        page,
    }))
}

/// The form's values beside the draft: the products as lines.
struct Posted {
    draft: ContractDraft,
    items_text: String,
}

async fn form_page(
    state: &AppState,
    caller: &UiCaller,
    head: forms::FormHead,
    posted: &Posted,
    errors: HashMap<String, String>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let tr = page.tr;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let d = &posted.draft;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = vec![
        forms::FormField::new(&page, "number", "text", text(&d.number)),
        forms::FormField::new(&page, "status", "select", text(&d.status)).with_options(
            ContractStatus::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        tr.t(&format!("contract-status-{}", s.as_str())),
                    )
                })
                .collect(),
        ),
        forms::FormField::new(&page, "signed_on", "text", text(&d.signed_on)),
        forms::FormField::new(&page, "valid_from", "text", text(&d.valid_from)),
        forms::FormField::new(&page, "valid_to", "text", text(&d.valid_to)),
        forms::FormField::new(
            &page,
            "payment_days",
            "text",
            d.payment_days.map(|p| p.to_string()).unwrap_or_default(),
        ),
        forms::FormField::new(
            &page,
            "credit_limit",
            "text",
            d.credit_limit_minor
                .map(format_money_minor)
                .unwrap_or_default(),
        ),
        forms::FormField::new(&page, "payment_method", "select", text(&d.payment_method))
            .with_options(labels.options(&classifiers, "payment_method")),
        forms::FormField::new(
            &page,
            "contract_items",
            "textarea",
            posted.items_text.clone(),
        ),
    ];
    Ok(forms::page(page, head, fields, &errors, false))
}

/// Reads the posted form into a patch; problems by the form's field names.
async fn read_form(
    state: &AppState,
    caller: &UiCaller,
    form: &[(String, String)],
) -> (Map<String, Value>, HashMap<String, String>) {
    let tr = PageCtx::of(caller).tr;
    let get = |k: &str| forms::form_value(form, k).unwrap_or_default();
    let mut patch = Map::new();
    let mut errors = HashMap::new();
    for k in [
        "number",
        "status",
        "signed_on",
        "valid_from",
        "valid_to",
        "payment_method",
    ] {
        let v = get(k);
        patch.insert(
            k.into(),
            if v.trim().is_empty() {
                Value::Null
            } else {
                json!(v.trim())
            },
        );
    }
    match get("payment_days").trim() {
        "" => {
            patch.insert("payment_days".into(), Value::Null);
        }
        days => match days.parse::<i32>() {
            Ok(n) => {
                patch.insert("payment_days".into(), json!(n));
            }
            Err(_) => {
                errors.insert("payment_days".into(), tr.error("invalid_number"));
            }
        },
    }
    match get("credit_limit").trim() {
        "" => {
            patch.insert("credit_limit_minor".into(), Value::Null);
        }
        limit => match parse_money_minor(limit) {
            Ok(minor) => {
                patch.insert("credit_limit_minor".into(), json!(minor));
            }
            Err(code) => {
                errors.insert("credit_limit".into(), tr.error(code));
            }
        },
    }
    let (lines, mut problems) =
        forms::article_lines(state, &caller.0.principal, tr, &get("contract_items")).await;
    let mut items = Vec::new();
    for l in lines {
        match parse_money_minor(&l.value) {
            Ok(minor) => items.push(ContractItemDraft {
                product_id: Some(l.product_id),
                price_minor: Some(minor),
            }),
            Err(code) => problems.push(forms::line_problem(tr, l.line, code)),
        }
    }
    if !problems.is_empty() {
        errors.insert("contract_items".into(), problems.join("; "));
    }
    patch.insert(
        "items".into(),
        serde_json::to_value(items).unwrap_or_default(),
    );
    (patch, errors)
}

/// The API's field names as the form's.
fn by_form_field(tr: crate::i18n::Tr, e: &karta_core::Invalid) -> HashMap<String, String> {
    forms::error_map_as(
        tr,
        e,
        &[
            ("credit_limit_minor", "credit_limit"),
            ("items", "contract_items"),
        ],
    )
}

fn posted_again(form: &[(String, String)], patch: &Map<String, Value>) -> Posted {
    let mut draft: ContractDraft =
        serde_json::from_value(Value::Object(patch.clone())).unwrap_or_default();
    draft.items.clear();
    Posted {
        draft,
        items_text: forms::form_value(form, "contract_items").unwrap_or_default(),
    }
}

/// The empty form for an account's new contract.
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    if !may_edit(&caller) {
        return Err(AppError::Forbidden.into());
    }
    let account = super::lists::Params(params).get("account");
    let tr = PageCtx::of(&caller).tr;
    let posted = Posted {
        draft: ContractDraft {
            status: Some("active".into()),
            payment_days: Some(14),
            valid_from: Some(karta_core::contacts::date_text(
                state.app.today(&caller.0.principal),
            )),
            ..Default::default()
        },
        items_text: String::new(),
    };
    let head = forms::FormHead {
        title: tr.t("contracts-new"),
        cancel: format!("/accounts/{account}"),
        version: 0,
    };
    form_page(&state, &caller, head, &posted, HashMap::new()).await
}

/// Records a contract for the account the form came from.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let account = super::lists::Params(params).get("account");
    let tr = PageCtx::of(&caller).tr;
    let (mut patch, mut errors) = read_form(&state, &caller, &form).await;
    patch.insert("account_id".into(), json!(account));
    if errors.is_empty() {
        let result = match serde_json::from_value::<ContractDraft>(Value::Object(patch.clone())) {
            Ok(d) => contracts::create(&state.app, &caller.0.principal, d).await,
            Err(e) => Err(karta_app::accounts::json_error(&e)),
        };
        match result {
            Ok(m) => return Ok(Redirect::to(&format!("/contracts/{}", m.id)).into_response()),
            Err(AppError::Invalid(e)) => errors = by_form_field(tr, &e),
            Err(e) => return Err(e.into()),
        }
    }
    let head = forms::FormHead {
        title: tr.t("contracts-new"),
        cancel: format!("/accounts/{account}"),
        version: 0,
    };
    form_page(&state, &caller, head, &posted_again(&form, &patch), errors).await
}

/// The edit form.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    if !may_edit(&caller) {
        return Err(AppError::Forbidden.into());
    }
    let m = contracts::get(&state.app, &caller.0.principal, id).await?;
    let f = contracts::fields(&state.app, &m).await?;
    let values: Vec<(Uuid, String)> = f
        .items
        .iter()
        .map(|i| (i.product_id, format_money_minor(i.price_minor)))
        .collect();
    let items_text = forms::article_text(&state, &caller.0.principal, &values).await?;
    let mut draft = ContractDraft::from(&f);
    draft.items.clear();
    let posted = Posted { draft, items_text };
    let head = forms::FormHead {
        title: m.number.clone(),
        cancel: format!("/contracts/{id}"),
        version: m.version,
    };
    form_page(&state, &caller, head, &posted, HashMap::new()).await
}

/// Saves the edit form; a stale version saves nothing and says so.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let p = &caller.0.principal;
    let tr = PageCtx::of(&caller).tr;
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let (patch, mut errors) = read_form(&state, &caller, &form).await;
    if errors.is_empty() {
        match contracts::update(&state.app, p, id, version, patch.clone()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/contracts/{id}")).into_response()),
            Err(AppError::Invalid(e)) => errors = by_form_field(tr, &e),
            Err(AppError::VersionMismatch { .. }) => {
                errors.insert("number".into(), tr.t("form-conflict"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let m = contracts::get(&state.app, p, id).await?;
    let head = forms::FormHead {
        title: m.number.clone(),
        cancel: format!("/contracts/{id}"),
        version: version.unwrap_or(m.version),
    };
    form_page(&state, &caller, head, &posted_again(&form, &patch), errors).await
}

/// Moves a contract to the trash; back to its account's card.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    let m = contracts::set_deleted(&state.app, &caller.0.principal, id, form.version, true).await?;
    Ok(Redirect::to(&format!("/accounts/{}", m.account_id)).into_response())
}

/// Brings a contract back from the trash.
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    contracts::set_deleted(&state.app, &caller.0.principal, id, form.version, false).await?;
    Ok(Redirect::to(&format!("/contracts/{id}")).into_response())
}
