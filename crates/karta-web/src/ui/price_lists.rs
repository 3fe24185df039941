//! Price list pages: the lists, one list with its product prices next to
//! the catalogue price, and the form — whom the list is for, when, a
//! discount for everything, and product prices pasted one per line
//! (`ST-16K20 = 2 000 000` or `FRZ-D20 = 7,5 %`).

use super::lists::{Column, ListPage, Params, Row};
use super::{Labels, PageCtx, forms, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use crate::i18n::Tr;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::{AppError, price_lists};
use karta_core::accounts::AccountType;
use karta_core::custom_fields::{format_money_minor, parse_money_minor};
use karta_core::identifiers::CustomerCode;
use karta_core::money::format_amount;
use karta_core::price_lists::{PriceItemDraft, PriceListDraft, PriceListFields, PriceScope};
use karta_core::roles::{Access, Entity, Reach};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

fn may_edit(caller: &UiCaller) -> bool {
    caller.0.principal.reach(Entity::PriceLists, Access::Write) != Reach::Nothing
}

fn percent_text(p: f64) -> String {
    format!("{p} %").replace('.', ",")
}

/// The accounts the lists are for, by id, named `K-000123 Name` (those
/// the caller may see; one query).
async fn account_names(
    state: &AppState,
    caller: &UiCaller,
    lists: &[&PriceListFields],
) -> Result<HashMap<Uuid, String>, ApiError> {
    let ids: Vec<Uuid> = lists
        .iter()
        .filter(|f| f.scope == PriceScope::Account)
        .filter_map(|f| f.scope_value.as_deref()?.parse().ok())
        .collect();
    Ok(
        karta_app::accounts::visible(&state.app, &caller.0.principal, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, format!("{} {}", CustomerCode(a.code), a.name)))
            .collect(),
    )
}

/// Whom the list is for, in words.
fn audience(
    tr: Tr,
    labels: &Labels,
    accounts: &HashMap<Uuid, String>,
    f: &PriceListFields,
) -> String {
    let value = f.scope_value.clone().unwrap_or_default();
    match f.scope {
        PriceScope::Everyone => tr.t("price-scope-everyone"),
        PriceScope::Segment => labels.of("segment", Some(&value)),
        PriceScope::AccountType => tr.t(&format!("type-{value}")),
        PriceScope::Account => value
            .parse::<Uuid>()
            .ok()
            .and_then(|id| accounts.get(&id).cloned())
            .unwrap_or_else(|| tr.t("price-scope-account")),
    }
}

fn period(f: &PriceListFields) -> String {
    let day = |d: Option<time::Date>| d.map(karta_core::contacts::date_text).unwrap_or_default();
    match (f.valid_from, f.valid_to) {
        (None, None) => String::new(),
        _ => format!("{} — {}", day(f.valid_from), day(f.valid_to)),
    }
}

/// The price lists.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let result =
        price_lists::list(&state.app, &caller.0.principal, false, cursor.as_ref(), 50).await?;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let columns: Vec<Column> = ["scope", "period", "discount_percent", "active"]
        .iter()
        .map(|k| Column {
            key: k.to_string(),
            label: tr.field(k),
        })
        .collect();
    // Items are not needed for the rows; the head fields are.
    let heads: Vec<PriceListFields> = result
        .items
        .iter()
        .map(|m| karta_app::price_lists::fields_of(m, &[]))
        .collect();
    let accounts = account_names(&state, &caller, &heads.iter().collect::<Vec<_>>()).await?;
    let mut rows = Vec::new();
    for (m, f) in result.items.iter().zip(&heads) {
        rows.push(Row {
            href: format!("/price-lists/{}", m.id),
            name: m.name.clone(),
            cells: vec![
                audience(tr, &labels, &accounts, f),
                period(f),
                f.discount_bp
                    .map(|bp| percent_text(karta_core::price_lists::percent(bp)))
                    .unwrap_or_default(),
                tr.t(if m.active { "yes" } else { "no" }),
            ],
        });
    }
    let next = result
        .next_cursor
        .map(|c| params.next_url("/price-lists", &c, &[]));
    let chosen: Vec<String> = columns.iter().map(|c| c.key.clone()).collect();
    let all_columns = columns
        .iter()
        .map(|c| Column {
            key: c.key.clone(),
            label: c.label.clone(),
        })
        .collect();
    let view = ListPage {
        title: tr.t("price-lists-title"),
        action: "/price-lists".into(),
        new_label: if may_edit(&caller) {
            tr.t("price-lists-new")
        } else {
            String::new()
        },
        tools: vec![("/products".into(), tr.t("nav-products"))],
        count: String::new(),
        q: String::new(),
        selects: Vec::new(),
        sort: String::new(),
        sorts: vec![("name".into(), tr.t("sort-name"))],
        all_columns,
        chosen,
        columns,
        rows,
        next,
        problems: Vec::new(),
        page,
    };
    Ok(render(&view))
}

/// One product price as the card shows it.
pub struct ItemLine {
    product_id: Uuid,
    sku: String,
    name: String,
    list_price: String,
    price: String,
}

#[derive(Template)]
#[template(path = "price_list.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    name: String,
    version: i64,
    editable: bool,
    facts: Vec<(String, String)>,
    items: Vec<ItemLine>,
    timeline: Vec<super::TimelineEntry>,
}

/// One price list with its product prices.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let m = price_lists::get(&state.app, p, id).await?;
    let f = price_lists::fields(&state.app, &m).await?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let money = |minor: i64| format_amount(minor, &f.currency, tr.lang);
    let accounts = account_names(&state, &caller, &[&f]).await?;
    let facts = vec![
        (tr.field("scope"), audience(tr, &labels, &accounts, &f)),
        (tr.field("period"), period(&f)),
        (
            tr.field("discount_percent"),
            f.discount_bp
                .map(|bp| percent_text(karta_core::price_lists::percent(bp)))
                .unwrap_or_default(),
        ),
        (tr.field("currency"), f.currency.to_string()),
        (
            tr.field("active"),
            tr.t(if f.active { "yes" } else { "no" }),
        ),
    ];
    let ids: Vec<Uuid> = f.items.iter().map(|i| i.product_id).collect();
    let products: HashMap<Uuid, karta_app::model::Product> =
        karta_app::products::by_ids(&state.app, p, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    let mut items: Vec<ItemLine> = f
        .items
        .iter()
        .filter_map(|i| {
            let product = products.get(&i.product_id)?;
            let quoted = karta_core::price_lists::quote(
                product.id,
                product.list_price_minor,
                &f.currency,
                &[(m.id, &f)],
            );
            let price = match i.discount_bp {
                Some(bp) => format!(
                    "{} (−{})",
                    money(quoted.price_minor),
                    percent_text(karta_core::price_lists::percent(bp))
                ),
                None => money(quoted.price_minor),
            };
            Some(ItemLine {
                product_id: product.id,
                sku: product.sku.clone(),
                name: product.name.clone(),
                list_price: money(product.list_price_minor),
                price,
            })
        })
        .collect();
    items.sort_by(|a, b| a.sku.cmp(&b.sku));
    let history = price_lists::history(&state.app, p, id, None, 50).await?;
    let card = CardPage {
        id,
        name: m.name.clone(),
        version: m.version,
        editable: may_edit(&caller),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        items,
        timeline: timeline(history.items, tr, f.currency.as_str()),
        page,
    };
    Ok(render(&card))
}

/// The form's values: the draft's head fields, the account as its code,
/// and the items as `article = price` lines.
struct Posted {
    draft: PriceListDraft,
    account_code: String,
    items_text: String,
}

async fn form_fields(
    state: &AppState,
    page: &PageCtx,
    posted: &Posted,
) -> Result<Vec<forms::FormField>, ApiError> {
    let tr = page.tr;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let d = &posted.draft;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(vec![
        forms::FormField::new(page, "name", "text", text(&d.name)),
        forms::FormField::new(page, "scope", "select", text(&d.scope)).with_options(
            PriceScope::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        tr.t(&format!("price-scope-{}", s.as_str())),
                    )
                })
                .collect(),
        ),
        forms::FormField::new(page, "segment", "select", text(&d.segment))
            .with_options(labels.options(&classifiers, "segment")),
        forms::FormField::new(page, "account_type", "select", text(&d.account_type)).with_options(
            AccountType::ALL
                .iter()
                .map(|t| {
                    (
                        t.as_str().to_string(),
                        tr.t(&format!("type-{}", t.as_str())),
                    )
                })
                .collect(),
        ),
        forms::FormField::new(page, "account_code", "text", posted.account_code.clone()),
        forms::FormField::new(page, "valid_from", "text", text(&d.valid_from)),
        forms::FormField::new(page, "valid_to", "text", text(&d.valid_to)),
        forms::FormField::new(
            page,
            "discount_percent",
            "text",
            d.discount_percent
                .map(|p| p.to_string().replace('.', ","))
                .unwrap_or_default(),
        ),
        forms::FormField::new(page, "currency", "text", text(&d.currency)),
        forms::FormField::new(
            page,
            "active",
            "select",
            if d.active == Some(false) { "no" } else { "yes" }.to_string(),
        )
        .with_options(vec![("yes".into(), tr.t("yes")), ("no".into(), tr.t("no"))]),
        forms::FormField::new(page, "items", "textarea", posted.items_text.clone()),
    ])
}

/// A percent typed with a comma or a point and an optional `%`.
fn parse_percent(raw: &str) -> Option<f64> {
    raw.trim()
        .trim_end_matches('%')
        .trim()
        .replace(',', ".")
        .parse()
        .ok()
}

/// Reads the posted form: head fields into a patch, the account code into
/// an id, each items line into a product price. Problems are collected
/// under the form's field names (`items` says which line).
async fn read_form(
    state: &AppState,
    caller: &UiCaller,
    form: &[(String, String)],
) -> (Map<String, Value>, HashMap<String, String>) {
    let tr = PageCtx::of(caller).tr;
    let get = |k: &str| forms::form_value(form, k).unwrap_or_default();
    let opt = |k: &str| {
        let v = get(k);
        if v.trim().is_empty() {
            Value::Null
        } else {
            json!(v.trim())
        }
    };
    let mut patch = Map::new();
    let mut errors = HashMap::new();
    for k in [
        "name",
        "scope",
        "segment",
        "account_type",
        "valid_from",
        "valid_to",
        "currency",
    ] {
        patch.insert(k.into(), opt(k));
    }
    patch.insert("active".into(), json!(get("active") != "no"));
    let discount = get("discount_percent");
    if discount.trim().is_empty() {
        patch.insert("discount_percent".into(), Value::Null);
    } else {
        match parse_percent(&discount) {
            Some(p) => {
                patch.insert("discount_percent".into(), json!(p));
            }
            None => {
                errors.insert("discount_percent".into(), tr.error("invalid_discount"));
            }
        }
    }
    let code = get("account_code");
    if code.trim().is_empty() {
        patch.insert("account_id".into(), Value::Null);
    } else {
        let found =
            karta_app::accounts::by_typed_code(&state.app, &caller.0.principal, &code).await;
        match found {
            Some(a) => {
                patch.insert("account_id".into(), json!(a.id));
            }
            None => {
                errors.insert("account_code".into(), tr.error("unknown_account"));
            }
        }
    }
    let (lines, mut problems) =
        forms::article_lines(state, &caller.0.principal, tr, &get("items")).await;
    let mut items = Vec::new();
    for l in lines {
        let item = if l.value.ends_with('%') {
            parse_percent(&l.value).map(|p| PriceItemDraft {
                product_id: Some(l.product_id),
                discount_percent: Some(p),
                ..Default::default()
            })
        } else {
            parse_money_minor(&l.value)
                .ok()
                .map(|minor| PriceItemDraft {
                    product_id: Some(l.product_id),
                    price_minor: Some(minor),
                    ..Default::default()
                })
        };
        match item {
            Some(i) => items.push(i),
            None => problems.push(forms::line_problem(tr, l.line, "invalid_money")),
        }
    }
    if !problems.is_empty() {
        errors.insert("items".into(), problems.join("; "));
    }
    patch.insert(
        "items".into(),
        serde_json::to_value(items).unwrap_or_default(),
    );
    (patch, errors)
}

/// The items of a list as the form's lines.
async fn items_text(
    state: &AppState,
    p: &karta_app::Principal,
    f: &PriceListFields,
) -> Result<String, ApiError> {
    let values: Vec<(Uuid, String)> = f
        .items
        .iter()
        .map(|i| {
            let value = match (i.price_minor, i.discount_bp) {
                (Some(p), _) => format_money_minor(p),
                (_, Some(bp)) => percent_text(karta_core::price_lists::percent(bp)),
                _ => String::new(),
            };
            (i.product_id, value)
        })
        .collect();
    forms::article_text(state, p, &values).await
}

/// The API's field names as the form's.
fn by_form_field(tr: Tr, e: &karta_core::Invalid) -> HashMap<String, String> {
    forms::error_map_as(tr, e, &[("account_id", "account_code"), ("items", "items")])
}

async fn form_page(
    state: &AppState,
    caller: &UiCaller,
    head: forms::FormHead,
    posted: &Posted,
    errors: HashMap<String, String>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let fields = form_fields(state, &page, posted).await?;
    Ok(forms::page(page, head, fields, &errors, false))
}

fn posted_again(form: &[(String, String)], patch: &Map<String, Value>) -> Posted {
    let mut draft: PriceListDraft =
        serde_json::from_value(Value::Object(patch.clone())).unwrap_or_default();
    draft.items.clear();
    Posted {
        draft,
        account_code: forms::form_value(form, "account_code").unwrap_or_default(),
        items_text: forms::form_value(form, "items").unwrap_or_default(),
    }
}

/// The empty form.
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
) -> Result<Response, ApiError> {
    if !may_edit(&caller) {
        return Err(AppError::Forbidden.into());
    }
    let tr = PageCtx::of(&caller).tr;
    let posted = Posted {
        draft: PriceListDraft {
            scope: Some("everyone".into()),
            currency: Some("RUB".into()),
            ..Default::default()
        },
        account_code: String::new(),
        items_text: String::new(),
    };
    let head = forms::FormHead {
        title: tr.t("price-lists-new"),
        cancel: "/price-lists".into(),
        version: 0,
    };
    form_page(&state, &caller, head, &posted, HashMap::new()).await
}

/// Creates a price list from the form.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let tr = PageCtx::of(&caller).tr;
    let (patch, mut errors) = read_form(&state, &caller, &form).await;
    if errors.is_empty() {
        let draft = serde_json::from_value::<PriceListDraft>(Value::Object(patch.clone()))
            .map_err(|e| karta_app::accounts::json_error(&e));
        let result = match draft {
            Ok(d) => price_lists::create(&state.app, &caller.0.principal, d).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(m) => return Ok(Redirect::to(&format!("/price-lists/{}", m.id)).into_response()),
            Err(AppError::Invalid(e)) => errors = by_form_field(tr, &e),
            Err(e) => return Err(e.into()),
        }
    }
    let head = forms::FormHead {
        title: tr.t("price-lists-new"),
        cancel: "/price-lists".into(),
        version: 0,
    };
    form_page(&state, &caller, head, &posted_again(&form, &patch), errors).await
}

/// The edit form with the current values.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    if !may_edit(&caller) {
        return Err(AppError::Forbidden.into());
    }
    let p = &caller.0.principal;
    let m = price_lists::get(&state.app, p, id).await?;
    let f = price_lists::fields(&state.app, &m).await?;
    let mut draft = PriceListDraft::from(&f);
    draft.items.clear();
    let account_code = match draft.account_id {
        Some(a) => karta_app::accounts::get(&state.app, p, a, false)
            .await
            .map(|a| CustomerCode(a.code).to_string())
            .unwrap_or_default(),
        None => String::new(),
    };
    let posted = Posted {
        draft,
        account_code,
        items_text: items_text(&state, &caller.0.principal, &f).await?,
    };
    let head = forms::FormHead {
        title: m.name.clone(),
        cancel: format!("/price-lists/{id}"),
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
        match price_lists::update(&state.app, p, id, version, patch.clone()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/price-lists/{id}")).into_response()),
            Err(AppError::Invalid(e)) => errors = by_form_field(tr, &e),
            Err(AppError::VersionMismatch { .. }) => {
                errors.insert("name".into(), tr.t("form-conflict"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let m = price_lists::get(&state.app, p, id).await?;
    let head = forms::FormHead {
        title: m.name.clone(),
        cancel: format!("/price-lists/{id}"),
        version: version.unwrap_or(m.version),
    };
    form_page(&state, &caller, head, &posted_again(&form, &patch), errors).await
}

/// Moves a price list to the trash.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    price_lists::set_deleted(&state.app, &caller.0.principal, id, form.version, true).await?;
    Ok(Redirect::to("/price-lists").into_response())
}

/// Brings a price list back from the trash.
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    price_lists::set_deleted(&state.app, &caller.0.principal, id, form.version, false).await?;
    Ok(Redirect::to(&format!("/price-lists/{id}")).into_response())
}
