//! Account pages: list with live search, the client card with its
//! timeline, create and edit forms (errors beside fields, stale saves
//! merged with the other change), trash, global search results.

use super::lists::{Column, ListPage, Params, Row, Select};
use super::{Labels, PageCtx, TimelineEntry, custom, forms, lists, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use karta_app::model::CustomField as CustomDefinition;
use karta_app::views::DuplicateHint;
use karta_app::{AppError, accounts};
use karta_core::accounts::{AccountDraft, AccountStatus, AccountType};
use karta_core::accounts::{AccountFilter, AccountSort};
use karta_core::identifiers::CustomerCode;
use karta_core::tasks::TaskFilter;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

const COLUMNS_COOKIE: &str = "karta_account_columns";
const DEFAULT_COLUMNS: &[&str] = &["code", "inn", "types", "region", "status", "owner_id"];
const FIXED_COLUMNS: &[&str] = &[
    "code", "inn", "types", "region", "industry", "segment", "status", "owner_id", "tags",
];

fn type_names(page: &PageCtx, types: &str) -> String {
    types
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| page.tr.t(&format!("type-{t}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The account list: search, filters (including one-of custom fields),
/// sort, keyset paging and a remembered choice of columns.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    jar: CookieJar,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let defs = custom::active(&state.app, "accounts").await?;
    let (custom_selects, custom_filters) = custom::filters(&defs, &params.0, tr);
    let ((mut filter, sort), problems) =
        params.read(tr, |q| (AccountFilter::read(q), q.sort(AccountSort::parse)));
    filter.custom = custom_filters;
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let result = accounts::list(
        &state.app,
        &caller.0.principal,
        filter,
        sort,
        cursor.as_ref(),
        50,
    )
    .await?;

    let (custom_columns, custom_defaults) = custom::columns(&defs, tr);
    let mut all_columns: Vec<Column> = FIXED_COLUMNS
        .iter()
        .map(|k| Column {
            key: k.to_string(),
            label: tr.field(k),
        })
        .collect();
    all_columns.extend(custom_columns);
    let defaults = DEFAULT_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .chain(custom_defaults)
        .collect();
    let chosen = params.columns(&jar, COLUMNS_COOKIE, defaults);
    let columns = lists::pick(&all_columns, &chosen);

    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let owners: Vec<Uuid> = result.items.iter().filter_map(|m| m.owner_id).collect();
    let names = karta_app::directory::names(&state.app, &owners).await?;
    let rows: Vec<Row> = result
        .items
        .iter()
        .map(|m| {
            let f = karta_app::accounts::fields_of(m);
            let cells = columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "code" => CustomerCode(m.code).to_string(),
                    "inn" => m.inn.clone().unwrap_or_default(),
                    "types" => type_names(&page, &m.types),
                    "region" => labels.of("region", m.region.as_deref()),
                    "industry" => labels.of("industry", m.industry.as_deref()),
                    "segment" => labels.of("segment", m.segment.as_deref()),
                    "status" => tr.t(&format!("status-{}", m.status)),
                    "owner_id" => m
                        .owner_id
                        .and_then(|o| names.get(&o).cloned())
                        .unwrap_or_default(),
                    "tags" => f.tags.join(", "),
                    key => custom::cell(&defs, &f.custom, key, tr),
                })
                .collect();
            Row {
                href: format!("/accounts/{}", m.id),
                name: m.name.clone(),
                cells,
            }
        })
        .collect();
    let mut selects = vec![
        Select {
            name: "type".into(),
            label: tr.t("filter-all-types"),
            value: params.get("type"),
            options: AccountType::ALL
                .iter()
                .map(|t| (t.as_str().into(), tr.t(&format!("type-{}", t.as_str()))))
                .collect(),
        },
        Select {
            name: "status".into(),
            label: tr.t("filter-all-statuses"),
            value: params.get("status"),
            options: AccountStatus::ALL
                .iter()
                .map(|s| (s.as_str().into(), tr.t(&format!("status-{}", s.as_str()))))
                .collect(),
        },
    ];
    selects.extend(custom_selects);
    let next = result
        .next_cursor
        .map(|c| params.next_url("/accounts", &c, &selects));
    let sorts = [
        ("name", "sort-name"),
        ("-name", "sort-name-desc"),
        ("-updated_at", "sort-updated"),
        ("-created_at", "sort-created"),
        ("code", "sort-code"),
    ];
    let view = ListPage {
        title: tr.t("accounts-title"),
        action: "/accounts".into(),
        new_label: tr.t("accounts-new"),
        tools: vec![
            ("/imports?entity=accounts".into(), tr.t("import-title")),
            (
                format!(
                    "/api/v1/accounts/export.csv?{}",
                    params.filters(&selects).trim_start_matches('&')
                ),
                tr.t("list-export-csv"),
            ),
            (
                format!(
                    "/api/v1/accounts/export.xlsx?{}",
                    params.filters(&selects).trim_start_matches('&')
                ),
                tr.t("list-export-xlsx"),
            ),
        ],
        count: tr.count("accounts-count", rows.len()),
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
#[template(path = "account.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    code: String,
    name: String,
    version: i64,
    identity: Vec<(String, String, String)>,
    classification: Vec<(String, String, String)>,
    custom: Vec<(String, String)>,
    /// Id, name, position, and phones and e-mails to tap.
    contacts: Vec<(Uuid, String, String, Vec<super::ContactLink>)>,
    deals: Vec<super::deals::DealCard>,
    log: super::activities::LogForm,
    error: String,
    /// The open tasks about this customer: the next contacts planned.
    tasks: Vec<super::today::TaskLine>,
    back: String,
    timeline: Vec<TimelineEntry>,
    duplicates: Vec<DuplicateHint>,
    finance: Option<super::finance::AccountFinance>,
}

/// The client card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let m = match key.parse::<Uuid>() {
        Ok(id) => accounts::get(&state.app, p, id, false).await?,
        Err(_) => {
            accounts::by_code(
                &state.app,
                p,
                CustomerCode::parse(&key).map_err(|_| ApiError(AppError::NotFound))?,
            )
            .await?
        }
    };
    let page = PageCtx::of(&caller).with_notice(&query);
    let tr = page.tr;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let names =
        karta_app::directory::names(&state.app, &m.owner_id.into_iter().collect::<Vec<_>>())
            .await?;
    let f = karta_app::accounts::fields_of(&m);
    let text =
        |name: &str, v: Option<String>| (tr.field(name), v.unwrap_or_default(), name.to_string());
    let identity = vec![
        text("legal_name", f.legal_name.clone()),
        text("inn", f.inn.as_ref().map(ToString::to_string)),
        text("kpp", f.kpp.as_ref().map(ToString::to_string)),
        text("ogrn", f.ogrn.as_ref().map(ToString::to_string)),
        text("legal_address", f.legal_address.clone()),
        text("actual_address", f.actual_address.clone()),
        text("delivery_address", f.delivery_address.clone()),
        text("owner_id", f.owner_id.and_then(|o| names.get(&o).cloned())),
        text("notes", f.notes.clone()),
    ];
    let classification = vec![
        text("types", Some(type_names(&page, &m.types))),
        text("status", Some(tr.t(&format!("status-{}", m.status)))),
        text("region", Some(labels.of("region", f.region.as_deref()))),
        text(
            "industry",
            Some(labels.of("industry", f.industry.as_deref())),
        ),
        text("segment", Some(labels.of("segment", f.segment.as_deref()))),
        text("size", Some(labels.of("company_size", f.size.as_deref()))),
        text(
            "lead_source",
            Some(labels.of("lead_source", f.lead_source.as_deref())),
        ),
        text(
            "purchase_purpose",
            f.purchase_purpose
                .map(|p| tr.t(&format!("purpose-{}", p.as_str()))),
        ),
        text(
            "buying_priorities",
            Some(
                f.buying_priorities
                    .iter()
                    .map(|b| labels.of("buying_priority", Some(b)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        text(
            "payment_method",
            Some(labels.of("payment_method", f.payment_method.as_deref())),
        ),
        text(
            "loss_reason",
            Some(labels.of("loss_reason", f.loss_reason.as_deref())),
        ),
        text("tags", Some(f.tags.join(", "))),
    ];
    let defs = custom::active(&state.app, "accounts").await?;
    let custom = custom::card_rows(&defs, &f.custom, tr);
    let contact_filter = karta_core::contacts::ContactFilter {
        account_id: Some(m.id),
        ..Default::default()
    };
    let contacts = match karta_app::contacts::list(
        &state.app,
        p,
        contact_filter,
        Default::default(),
        None,
        50,
    )
    .await
    {
        Ok((page_rows, _)) => page_rows
            .items
            .iter()
            .map(|c| {
                let cf = karta_app::contacts::fields_of(c, Vec::new());
                let reach = if p.sees_personal_data() {
                    super::ContactLink::of(&cf.phones, &cf.emails)
                } else {
                    Vec::new()
                };
                (
                    c.id,
                    cf.display_name(),
                    cf.position.clone().unwrap_or_default(),
                    reach,
                )
            })
            .collect(),
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let deals = super::deals::open_of_account(&state, &caller, tr, m.id).await?;
    let history = accounts::history(&state.app, p, m.id, None, 50).await?;
    let done = super::activities::entries(
        &state,
        &caller,
        tr,
        &labels,
        karta_core::activities::ActivityFilter {
            account_id: Some(m.id),
            ..Default::default()
        },
    )
    .await?;
    let duplicates = accounts::duplicates(&state.app, &f, Some(m.id)).await?;
    let view = CardPage {
        id: m.id,
        code: CustomerCode(m.code).to_string(),
        name: m.name.clone(),
        version: m.version,
        identity: identity
            .into_iter()
            .filter(|(_, v, _)| !v.is_empty())
            .collect(),
        classification: classification
            .into_iter()
            .filter(|(_, v, _)| !v.is_empty())
            .collect(),
        custom,
        contacts,
        deals,
        log: super::activities::LogForm::new(&labels, &classifiers, "account_id", m.id, &query),
        error: super::forms::refusal_text(tr, &query),
        tasks: super::today::open_tasks(
            &state,
            &caller,
            TaskFilter {
                account_id: Some(m.id),
                ..Default::default()
            },
        )
        .await?,
        back: format!("/accounts/{}", m.id),
        timeline: super::activities::merge(timeline(history.items, tr, "RUB"), done),
        duplicates,
        finance: super::finance::account_section(&state, &caller, m.id).await?,
        page,
    };
    Ok(render(&view))
}

const TEXT_FIELDS: &[&str] = &[
    "name",
    "legal_name",
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "delivery_address",
    "triggering_event",
];
const SELECT_FIELDS: &[(&str, &str)] = &[
    ("region", "region"),
    ("industry", "industry"),
    ("segment", "segment"),
    ("size", "company_size"),
    ("lead_source", "lead_source"),
    ("payment_method", "payment_method"),
];

/// The form's fields filled from `draft`, with errors by field name.
async fn form_fields(
    state: &AppState,
    page: &PageCtx,
    draft: &AccountDraft,
) -> Result<Vec<forms::FormField>, ApiError> {
    let tr = page.tr;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let value = serde_json::to_value(draft).unwrap_or(Value::Null);
    let text_of = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let field = |name: &str, kind: &'static str, options: Vec<(String, String)>| forms::FormField {
        name: name.to_string(),
        label: tr.field(name),
        kind,
        value: text_of(name),
        checked: Vec::new(),
        options,
        error: String::new(),
    };
    let mut fields: Vec<forms::FormField> = TEXT_FIELDS
        .iter()
        .map(|n| field(n, "text", Vec::new()))
        .collect();
    let mut types = field(
        "types",
        "checkboxes",
        AccountType::ALL
            .iter()
            .map(|t| {
                (
                    t.as_str().to_string(),
                    tr.t(&format!("type-{}", t.as_str())),
                )
            })
            .collect(),
    );
    types.checked = draft.types.clone();
    fields.insert(2, types);
    fields.push(field(
        "status",
        "select",
        AccountStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    tr.t(&format!("status-{}", s.as_str())),
                )
            })
            .collect(),
    ));
    for (name, kind) in SELECT_FIELDS {
        fields.push(field(name, "select", labels.options(&classifiers, kind)));
    }
    let mut tags = field("tags", "text", Vec::new());
    tags.value = draft.tags.join(", ");
    fields.push(tags);
    fields.push(field("notes", "textarea", Vec::new()));
    let defs = custom::active(&state.app, "accounts").await?;
    fields.extend(custom::form_fields(&defs, &draft.custom, page));
    Ok(fields)
}

/// Turns a posted form into a JSON patch of account fields.
fn patch_of(form: &[(String, String)], defs: &[CustomDefinition]) -> Map<String, Value> {
    let mut patch = Map::new();
    let mut types = Vec::new();
    for (k, v) in form {
        let text = if v.trim().is_empty() {
            Value::Null
        } else {
            Value::String(v.clone())
        };
        match k.as_str() {
            "types" => types.push(Value::String(v.clone())),
            "tags" => {
                patch.insert(
                    "tags".into(),
                    Value::Array(
                        v.split(',')
                            .map(|t| Value::String(t.trim().to_string()))
                            .filter(|t| t != "")
                            .collect(),
                    ),
                );
            }
            "name" => {
                patch.insert("name".into(), Value::String(v.clone()));
            }
            k if TEXT_FIELDS.contains(&k)
                || SELECT_FIELDS.iter().any(|(f, _)| *f == k)
                || k == "status"
                || k == "notes" =>
            {
                patch.insert(k.to_string(), text);
            }
            _ => {}
        }
    }
    patch.insert("types".into(), Value::Array(types));
    patch.insert("custom".into(), custom::posted(defs, form));
    patch
}

async fn form_page(
    state: &AppState,
    caller: &UiCaller,
    head: forms::FormHead,
    draft: &AccountDraft,
    errors: HashMap<String, String>,
    conflict: bool,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let fields = form_fields(state, &page, draft).await?;
    Ok(forms::page(page, head, fields, &errors, conflict))
}

/// The empty create form.
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
) -> Result<Response, ApiError> {
    let draft = AccountDraft {
        types: vec!["customer".into()],
        ..Default::default()
    };
    let title = PageCtx::of(&caller).tr.t("accounts-new");
    form_page(
        &state,
        &caller,
        forms::FormHead {
            title,
            cancel: "/accounts".into(),
            version: 0,
        },
        &draft,
        HashMap::new(),
        false,
    )
    .await
}

/// Creates an account from the form.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let defs = custom::active(&state.app, "accounts").await?;
    let draft: AccountDraft =
        serde_json::from_value(Value::Object(patch_of(&form, &defs))).unwrap_or_default();
    match accounts::create(&state.app, &caller.0.principal, draft.clone()).await {
        Ok((m, _)) => Ok(Redirect::to(&format!("/accounts/{}", m.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let tr = PageCtx::of(&caller).tr;
            form_page(
                &state,
                &caller,
                forms::FormHead {
                    title: tr.t("accounts-new"),
                    cancel: "/accounts".into(),
                    version: 0,
                },
                &draft,
                forms::error_map(tr, &e),
                false,
            )
            .await
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
    let m = accounts::get(&state.app, &caller.0.principal, id, false).await?;
    let draft = AccountDraft::from(&karta_app::accounts::fields_of(&m));
    form_page(
        &state,
        &caller,
        forms::FormHead {
            title: m.name.clone(),
            cancel: format!("/accounts/{id}"),
            version: m.version,
        },
        &draft,
        HashMap::new(),
        false,
    )
    .await
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
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let defs = custom::active(&state.app, "accounts").await?;
    let patch = patch_of(&form, &defs);
    let tr = PageCtx::of(&caller).tr;
    match accounts::update(&state.app, &caller.0.principal, id, version, patch.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let m = accounts::get(&state.app, &caller.0.principal, id, false).await?;
            let mut merged =
                serde_json::to_value(AccountDraft::from(&karta_app::accounts::fields_of(&m)))
                    .unwrap_or(Value::Null);
            if let Value::Object(map) = &mut merged {
                map.extend(patch);
            }
            let draft: AccountDraft = serde_json::from_value(merged).unwrap_or_default();
            form_page(
                &state,
                &caller,
                forms::FormHead {
                    title: m.name.clone(),
                    cancel: format!("/accounts/{id}"),
                    version: version.unwrap_or(m.version),
                },
                &draft,
                forms::error_map(tr, &e),
                false,
            )
            .await
        }
        Err(AppError::VersionMismatch { .. }) => {
            // Someone saved meanwhile: keep every change that does not
            // collide with theirs, and show the ones that do.
            let p = &caller.0.principal;
            let m = accounts::get(&state.app, p, id, false).await?;
            let current = AccountDraft::from(&karta_app::accounts::fields_of(&m));
            let base = patch_of(&forms::base_of(&form), &defs);
            let current_json = serde_json::to_value(&current).unwrap_or(Value::Null);
            let (app, version) = (&state.app, m.version);
            let conflicts = forms::save_merged(&patch, &base, &current_json, |apply| async move {
                accounts::update(app, p, id, Some(version), apply)
                    .await
                    .map(|_| ())
            })
            .await?;
            if conflicts.is_empty() {
                return Ok(Redirect::to(&format!("/accounts/{id}?done=merged")).into_response());
            }
            let m = accounts::get(&state.app, p, id, false).await?;
            form_page(
                &state,
                &caller,
                forms::FormHead {
                    title: m.name.clone(),
                    cancel: format!("/accounts/{id}"),
                    version: m.version,
                },
                &AccountDraft::from(&karta_app::accounts::fields_of(&m)),
                conflicts,
                true,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves an account to the trash.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    accounts::delete(&state.app, &caller.0.principal, id, form.version).await?;
    Ok(Redirect::to("/trash").into_response())
}

/// Restores an account from the trash.
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    accounts::restore(&state.app, &caller.0.principal, id, form.version).await?;
    Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
}
