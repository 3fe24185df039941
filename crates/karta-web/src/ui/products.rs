//! Catalogue pages: the product list (search, category, active, sort,
//! columns), the product card with prices with and without VAT and its
//! history, and the create and edit forms for those who keep the catalogue.

use super::lists::{Column, ListPage, Params, Row, Select};
use super::{Labels, PageCtx, forms, lists, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use crate::i18n::Tr;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use karta_app::model::Product as Model;
use karta_app::views::ProductView;
use karta_app::{AppError, products};
use karta_core::custom_fields::{format_money_minor, parse_money_minor};
use karta_core::money::{Currency, format_amount};
use karta_core::pricing::VAT_RATES;
use karta_core::products::{ProductDraft, Unit};
use karta_core::products::{ProductFilter, ProductSort};
use karta_core::roles::{Access, Entity, Reach};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

const COLUMNS_COOKIE: &str = "karta_product_columns";
const DEFAULT_COLUMNS: &[&str] = &["sku", "category", "list_price", "stock_quantity"];
const ALL_COLUMNS: &[&str] = &[
    "sku",
    "category",
    "unit",
    "vat_rate",
    "list_price",
    "list_price_with_vat",
    "cost_price",
    "stock_quantity",
    "active",
];

fn unit_label(tr: Tr, unit: &str) -> String {
    tr.t(&format!("unit-{unit}"))
}

fn money(m: &Model, minor: i64, tr: Tr) -> String {
    format_amount(
        minor,
        &Currency::parse(&m.currency).unwrap_or_else(|_| Currency::rub()),
        tr.lang,
    )
}

fn may_edit(caller: &UiCaller) -> bool {
    caller.0.principal.reach(Entity::Products, Access::Write) != Reach::Nothing
}

/// The catalogue.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    jar: CookieJar,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let p = &caller.0.principal;
    let ((filter, sort), problems) =
        params.read(tr, |q| (ProductFilter::read(q), q.sort(ProductSort::parse)));
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let result = products::list(&state.app, p, filter, sort, cursor.as_ref(), 50).await?;

    let all_columns: Vec<Column> = ALL_COLUMNS
        .iter()
        .filter(|k| p.sees_costs() || **k != "cost_price")
        .map(|k| Column {
            key: k.to_string(),
            label: tr.field(k),
        })
        .collect();
    let defaults = DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect();
    let chosen = params.columns(&jar, COLUMNS_COOKIE, defaults);
    let columns = lists::pick(&all_columns, &chosen);
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let rows = result
        .items
        .iter()
        .map(|m| {
            let view = ProductView::of(m, p.sees_costs());
            let cells = columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "sku" => m.sku.clone(),
                    "category" => labels.of("product_category", m.category.as_deref()),
                    "unit" => unit_label(tr, &m.unit),
                    "vat_rate" => format!("{} %", m.vat_rate),
                    "list_price" => money(m, m.list_price_minor, tr),
                    "list_price_with_vat" => view
                        .list_price_with_vat_minor
                        .map(|v| money(m, v, tr))
                        .unwrap_or_default(),
                    "cost_price" => view
                        .fields
                        .cost_price_minor
                        .map(|v| money(m, v, tr))
                        .unwrap_or_default(),
                    "stock_quantity" => format!("{} {}", m.stock_quantity, unit_label(tr, &m.unit)),
                    "active" => tr.t(if m.active { "yes" } else { "no" }),
                    _ => String::new(),
                })
                .collect();
            let name = karta_app::products::fields_of(m)
                .name_in(tr.lang)
                .to_string();
            Row {
                href: format!("/products/{}", m.id),
                name,
                cells,
            }
        })
        .collect::<Vec<_>>();
    let selects = vec![
        Select {
            name: "category".into(),
            label: tr.t("products-all-categories"),
            value: params.get("category"),
            options: labels.options(&classifiers, "product_category"),
        },
        Select {
            name: "active".into(),
            label: tr.t("products-any-activity"),
            value: params.get("active"),
            options: vec![
                ("true".into(), tr.t("products-active")),
                ("false".into(), tr.t("products-inactive")),
            ],
        },
    ];
    let next = result
        .next_cursor
        .map(|c| params.next_url("/products", &c, &selects));
    let sorts = [
        ("name", "sort-name"),
        ("-name", "sort-name-desc"),
        ("sku", "sort-sku"),
        ("price", "sort-price"),
        ("-price", "sort-price-desc"),
        ("-updated_at", "sort-updated"),
    ];
    let filters = params.filters(&selects);
    let view = ListPage {
        title: tr.t("products-title"),
        action: "/products".into(),
        new_label: if may_edit(&caller) {
            tr.t("products-new")
        } else {
            String::new()
        },
        tools: vec![
            ("/price-lists".into(), tr.t("price-lists-title")),
            (
                format!(
                    "/api/v1/products/export.csv?{}",
                    filters.trim_start_matches('&')
                ),
                tr.t("list-export-csv"),
            ),
            (
                format!(
                    "/api/v1/products/export.xlsx?{}",
                    filters.trim_start_matches('&')
                ),
                tr.t("list-export-xlsx"),
            ),
        ],
        count: tr.count("products-count", rows.len()),
        sorts: sorts
            .iter()
            .map(|(v, k)| (v.to_string(), tr.t(k)))
            .collect(),
        sort: params.get("sort"),
        selects,
        all_columns,
        columns,
        q: params.get("q"),
        rows,
        next,
        problems,
        page,
        chosen: chosen.clone(),
    };
    Ok((lists::remember(jar, COLUMNS_COOKIE, &chosen), render(&view)).into_response())
}

#[derive(Template)]
#[template(path = "product.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    sku: String,
    name: String,
    version: i64,
    active: bool,
    editable: bool,
    facts: Vec<(String, String)>,
    description: String,
    timeline: Vec<super::TimelineEntry>,
}

/// The product card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let m = products::get(&state.app, p, id, false).await?;
    let page = PageCtx::of(&caller).with_notice(&query);
    let tr = page.tr;
    let view = ProductView::of(&m, p.sees_costs());
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let mut facts = vec![
        (tr.field("name_en"), m.name_en.clone().unwrap_or_default()),
        (
            tr.field("category"),
            labels.of("product_category", m.category.as_deref()),
        ),
        (tr.field("unit"), unit_label(tr, &m.unit)),
        (tr.field("vat_rate"), format!("{} %", m.vat_rate)),
        (tr.field("list_price"), money(&m, m.list_price_minor, tr)),
        (
            tr.field("list_price_with_vat"),
            view.list_price_with_vat_minor
                .map(|v| money(&m, v, tr))
                .unwrap_or_default(),
        ),
    ];
    if let Some(cost) = view.fields.cost_price_minor {
        facts.push((tr.field("cost_price"), money(&m, cost, tr)));
    }
    facts.push((
        tr.field("stock_quantity"),
        format!("{} {}", m.stock_quantity, unit_label(tr, &m.unit)),
    ));
    let history = products::history(&state.app, p, id, None, 50).await?;
    let card = CardPage {
        id: m.id,
        sku: m.sku.clone(),
        name: m.name.clone(),
        version: m.version,
        active: m.active,
        editable: may_edit(&caller),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        description: m.description.clone().unwrap_or_default(),
        timeline: timeline(history.items, tr, "RUB"),
        page,
    };
    Ok(render(&card))
}

/// The form's fields, filled from `draft`.
async fn form_fields(
    state: &AppState,
    caller: &UiCaller,
    page: &PageCtx,
    draft: &ProductDraft,
) -> Result<Vec<forms::FormField>, ApiError> {
    let tr = page.tr;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let money_text = |v: Option<i64>| v.map(format_money_minor).unwrap_or_default();
    let mut fields = vec![
        forms::FormField::new(page, "sku", "text", text(&draft.sku)),
        forms::FormField::new(page, "name", "text", text(&draft.name)),
        forms::FormField::new(page, "name_en", "text", text(&draft.name_en)),
        forms::FormField::new(page, "category", "select", text(&draft.category))
            .with_options(labels.options(&classifiers, "product_category")),
        forms::FormField::new(page, "unit", "select", text(&draft.unit)).with_options(
            Unit::ALL
                .iter()
                .map(|u| (u.as_str().to_string(), unit_label(tr, u.as_str())))
                .collect(),
        ),
        forms::FormField::new(
            page,
            "vat_rate",
            "select",
            draft.vat_rate.map(|r| r.to_string()).unwrap_or_default(),
        )
        .with_options(
            VAT_RATES
                .iter()
                .rev()
                .map(|r| (r.to_string(), format!("{r} %")))
                .collect(),
        ),
        forms::FormField::new(
            page,
            "list_price",
            "text",
            money_text(draft.list_price_minor),
        ),
    ];
    if caller.0.principal.sees_costs() {
        fields.push(forms::FormField::new(
            page,
            "cost_price",
            "text",
            money_text(draft.cost_price_minor),
        ));
    }
    fields.extend([
        forms::FormField::new(page, "currency", "text", text(&draft.currency)),
        forms::FormField::new(
            page,
            "stock_quantity",
            "text",
            draft
                .stock_quantity
                .map(|q| q.to_string())
                .unwrap_or_default(),
        ),
        forms::FormField::new(
            page,
            "active",
            "select",
            if draft.active == Some(false) {
                "no"
            } else {
                "yes"
            }
            .to_string(),
        )
        .with_options(vec![
            ("yes".into(), tr.t("products-active")),
            ("no".into(), tr.t("products-inactive")),
        ]),
        forms::FormField::new(page, "description", "textarea", text(&draft.description)),
    ]);
    Ok(fields)
}

/// Turns a posted form into a JSON patch: money text becomes kopecks and
/// numbers become numbers; what does not parse is a field error.
fn patch_of(
    form: &[(String, String)],
    costs: bool,
) -> Result<Map<String, Value>, karta_core::Invalid> {
    let mut patch = Map::new();
    let mut errors = karta_core::Invalid::default();
    let get = |k: &str| forms::form_value(form, k).unwrap_or_default();
    for k in [
        "sku",
        "name",
        "name_en",
        "category",
        "unit",
        "currency",
        "description",
    ] {
        let v = get(k);
        patch.insert(
            k.into(),
            if v.trim().is_empty() {
                Value::Null
            } else {
                json!(v)
            },
        );
    }
    let mut amounts = vec![("list_price", "list_price_minor")];
    if costs {
        amounts.push(("cost_price", "cost_price_minor"));
    }
    for (field, key) in amounts {
        let v = get(field);
        if v.trim().is_empty() {
            patch.insert(key.into(), Value::Null);
        } else {
            match parse_money_minor(&v) {
                Ok(minor) => {
                    patch.insert(key.into(), json!(minor));
                }
                Err(code) => errors.push(field, code),
            }
        }
    }
    for field in ["vat_rate", "stock_quantity"] {
        let v = get(field);
        if v.trim().is_empty() {
            patch.insert(field.into(), Value::Null);
        } else {
            match v.trim().replace([' ', '\u{a0}'], "").parse::<i64>() {
                Ok(n) => {
                    patch.insert(field.into(), json!(n));
                }
                Err(_) => errors.push(field, "invalid_number"),
            }
        }
    }
    patch.insert("active".into(), json!(get("active") != "no"));
    errors.into_result().map(|()| patch)
}

/// Messages keyed by API field, keyed by form field instead.
fn by_form_field(errors: HashMap<String, String>) -> HashMap<String, String> {
    errors
        .into_iter()
        .map(|(k, v)| {
            let k = match k.as_str() {
                "list_price_minor" => "list_price".to_string(),
                "cost_price_minor" => "cost_price".to_string(),
                _ => k,
            };
            (k, v)
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    caller: &UiCaller,
    head: forms::FormHead,
    draft: &ProductDraft,
    errors: HashMap<String, String>,
    conflict: bool,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let fields = form_fields(state, caller, &page, draft).await?;
    Ok(forms::page(page, head, fields, &errors, conflict))
}

fn new_head(tr: Tr) -> forms::FormHead {
    forms::FormHead {
        title: tr.t("products-new"),
        cancel: "/products".into(),
        version: 0,
    }
}

/// The empty create form.
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
) -> Result<Response, ApiError> {
    if !may_edit(&caller) {
        return Err(AppError::Forbidden.into());
    }
    let draft = ProductDraft {
        unit: Some(Unit::Piece.as_str().into()),
        vat_rate: Some(karta_core::pricing::STANDARD_VAT_RATE),
        currency: Some("RUB".into()),
        stock_quantity: Some(0),
        active: Some(true),
        ..Default::default()
    };
    let tr = PageCtx::of(&caller).tr;
    form_page(&state, &caller, new_head(tr), &draft, HashMap::new(), false).await
}

/// The form's values as a draft, to show again beside its errors.
fn draft_of(form: &[(String, String)], base: &ProductDraft) -> ProductDraft {
    let get = |k: &str| forms::form_value(form, k).filter(|v| !v.trim().is_empty());
    ProductDraft {
        sku: get("sku"),
        name: get("name"),
        name_en: get("name_en"),
        category: get("category"),
        unit: get("unit"),
        currency: get("currency"),
        description: get("description"),
        active: Some(get("active").as_deref() != Some("no")),
        ..base.clone()
    }
}

/// Creates a product from the form.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let tr = PageCtx::of(&caller).tr;
    let costs = caller.0.principal.sees_costs();
    let result = match patch_of(&form, costs) {
        Ok(patch) => match serde_json::from_value::<ProductDraft>(Value::Object(patch)) {
            Ok(draft) => products::create(&state.app, &caller.0.principal, draft).await,
            Err(e) => Err(karta_app::accounts::json_error(&e)),
        },
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/products/{}", m.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let draft = draft_of(&form, &ProductDraft::default());
            let errors = by_form_field(forms::error_map(tr, &e));
            form_page(&state, &caller, new_head(tr), &draft, errors, false).await
        }
        Err(e) => Err(e.into()),
    }
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
    let m = products::get(&state.app, &caller.0.principal, id, false).await?;
    let draft = ProductDraft::from(&karta_app::products::fields_of(&m));
    let head = forms::FormHead {
        title: m.name.clone(),
        cancel: format!("/products/{id}"),
        version: m.version,
    };
    form_page(&state, &caller, head, &draft, HashMap::new(), false).await
}

/// Saves the edit form. A stale save keeps what does not collide with the
/// other change and shows what does.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let p = &caller.0.principal;
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let tr = PageCtx::of(&caller).tr;
    let parsed = patch_of(&form, p.sees_costs());
    let result = match &parsed {
        Ok(patch) => products::update(&state.app, p, id, version, patch.clone()).await,
        Err(e) => Err(AppError::Invalid(e.clone())),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/products/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let m = products::get(&state.app, p, id, false).await?;
            let draft = draft_of(
                &form,
                &ProductDraft::from(&karta_app::products::fields_of(&m)),
            );
            let head = forms::FormHead {
                title: m.name.clone(),
                cancel: format!("/products/{id}"),
                version: version.unwrap_or(m.version),
            };
            let errors = by_form_field(forms::error_map(tr, &e));
            form_page(&state, &caller, head, &draft, errors, false).await
        }
        Err(AppError::VersionMismatch { .. }) => {
            // Someone saved meanwhile: keep every change that does not
            // collide with theirs, and show the ones that do.
            let m = products::get(&state.app, p, id, false).await?;
            let current = ProductDraft::from(&karta_app::products::fields_of(&m));
            let base = patch_of(&forms::base_of(&form), p.sees_costs()).unwrap_or_default();
            let current_json = serde_json::to_value(&current).unwrap_or(Value::Null);
            let (app, version) = (&state.app, m.version);
            let conflicts = forms::save_merged(
                &parsed.unwrap_or_default(),
                &base,
                &current_json,
                |apply| async move {
                    products::update(app, p, id, Some(version), apply)
                        .await
                        .map(|_| ())
                },
            )
            .await?;
            if conflicts.is_empty() {
                return Ok(Redirect::to(&format!("/products/{id}?done=merged")).into_response());
            }
            let m = products::get(&state.app, p, id, false).await?;
            let head = forms::FormHead {
                title: m.name.clone(),
                cancel: format!("/products/{id}"),
                version: m.version,
            };
            let current = ProductDraft::from(&karta_app::products::fields_of(&m));
            form_page(
                &state,
                &caller,
                head,
                &current,
                by_form_field(conflicts),
                true,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a product to the trash.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    products::set_deleted(&state.app, &caller.0.principal, id, form.version, true).await?;
    Ok(Redirect::to("/products").into_response())
}

/// Brings a product back from the trash.
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    products::set_deleted(&state.app, &caller.0.principal, id, form.version, false).await?;
    Ok(Redirect::to(&format!("/products/{id}")).into_response())
}
