//! Account pages: list with live search, the client card with its
//! timeline, create and edit forms (errors beside fields, stale saves shown
//! and never applied), trash, global search results.

use super::{Labels, PageCtx, TimelineEntry, forms, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use karta_app::views::DuplicateHint;
use karta_app::{AppError, accounts};
use karta_core::accounts::{AccountDraft, AccountStatus, AccountType};
use karta_core::identifiers::CustomerCode;
use karta_db::accounts::{AccountFilter, AccountSort};
use karta_db::entities::{account, custom_field};
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// A list column: key (`inn`, `custom.tier`) and its label.
pub struct Column {
    key: String,
    label: String,
}

pub struct Row {
    id: Uuid,
    name: String,
    /// One cell per chosen column, in order.
    cells: Vec<String>,
}

/// A filter on a one-of custom field.
pub struct CustomSelect {
    name: String,
    label: String,
    value: String,
    options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct ListPage {
    page: PageCtx,
    q: String,
    type_filter: String,
    status_filter: String,
    sort: String,
    types: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
    custom_selects: Vec<CustomSelect>,
    all_columns: Vec<Column>,
    chosen: Vec<String>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    next: Option<String>,
}

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

fn option_pairs(def: &custom_field::Model, tr: crate::i18n::Tr) -> Vec<(String, String)> {
    def.options
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| {
                    let code = o
                        .get("code")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let label = o
                        .get(if tr.lang == "en" {
                            "label_en"
                        } else {
                            "label_ru"
                        })
                        .and_then(Value::as_str)
                        .unwrap_or(&code)
                        .to_string();
                    (code, label)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The account list: search, filters (including one-of custom fields),
/// sort, keyset paging and a remembered choice of columns.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    jar: CookieJar,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let defs = karta_db::custom_fields::of_entity(state.app.db.conn(), "accounts")
        .await?
        .into_iter()
        .filter(|d| d.active)
        .collect::<Vec<_>>();
    let mut custom = Vec::new();
    let mut custom_selects = Vec::new();
    for d in defs.iter().filter(|d| d.field_type == "one_of") {
        let name = format!("custom.{}", d.key);
        let value = get(&name);
        if !value.is_empty() {
            custom.push(karta_db::search::CustomFilter {
                key: d.key.clone(),
                field_type: karta_core::custom_fields::FieldType::OneOf,
                value: value.clone(),
            });
        }
        let label = if tr.lang == "en" {
            d.label_en.clone()
        } else {
            d.label_ru.clone()
        };
        custom_selects.push(CustomSelect {
            options: option_pairs(d, tr),
            name,
            label,
            value,
        });
    }
    let q = get("q");
    let filter = AccountFilter {
        terms: karta_core::search::query_terms(&q),
        account_type: AccountType::parse(&get("type")).ok(),
        status: AccountStatus::parse(&get("status")).ok(),
        custom,
        ..Default::default()
    };
    let sort_text = if get("sort").is_empty() {
        "name".to_string()
    } else {
        get("sort")
    };
    let sort = AccountSort::parse(&sort_text).unwrap_or_default();
    let cursor = params
        .iter()
        .find(|(k, _)| k == "cursor")
        .and_then(|(_, c)| karta_db::page::Cursor::decode(c));
    let result = accounts::list(
        &state.app,
        &caller.0.principal,
        filter,
        sort,
        cursor.as_ref(),
        50,
    )
    .await?;

    let mut all_columns: Vec<Column> = FIXED_COLUMNS
        .iter()
        .map(|k| Column {
            key: k.to_string(),
            label: tr.field(k),
        })
        .collect();
    all_columns.extend(defs.iter().map(|d| Column {
        key: format!("custom.{}", d.key),
        label: if tr.lang == "en" {
            d.label_en.clone()
        } else {
            d.label_ru.clone()
        },
    }));
    let picked: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v.clone())
        .collect();
    let remembered = jar
        .get(COLUMNS_COOKIE)
        .map(|c| c.value().split(',').map(String::from).collect::<Vec<_>>());
    let chosen: Vec<String> = if !picked.is_empty() {
        picked
    } else if let Some(r) = remembered {
        r
    } else {
        DEFAULT_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(
                defs.iter()
                    .filter(|d| d.show_in_list)
                    .map(|d| format!("custom.{}", d.key)),
            )
            .collect()
    };
    let columns: Vec<Column> = all_columns
        .iter()
        .filter(|c| chosen.contains(&c.key))
        .map(|c| Column {
            key: c.key.clone(),
            label: c.label.clone(),
        })
        .collect();

    let classifiers = karta_db::classifiers::all(state.app.db.conn()).await?;
    let labels = Labels::new(&classifiers, tr);
    let owners: Vec<Uuid> = result.items.iter().filter_map(|m| m.owner_id).collect();
    let names = karta_db::users::names(state.app.db.conn(), &owners).await?;
    let rows = result
        .items
        .iter()
        .map(|m| {
            let f = karta_db::accounts::fields_of(m);
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
                    key => {
                        let k = key.trim_start_matches("custom.");
                        match (defs.iter().find(|d| d.key == k), f.custom.get(k)) {
                            (Some(d), Some(v)) => custom_text(d, v, tr),
                            _ => String::new(),
                        }
                    }
                })
                .collect();
            Row {
                id: m.id,
                name: m.name.clone(),
                cells,
            }
        })
        .collect();
    let next = result.next_cursor.map(|c| {
        let mut url = format!("/accounts?cursor={c}&sort={sort_text}");
        for (k, v) in params
            .iter()
            .filter(|(k, _)| k == "q" || k == "type" || k == "status" || k.starts_with("custom."))
        {
            url.push_str(&format!("&{k}={}", urlencode(v)));
        }
        url
    });
    let sorts = [
        ("name", "А→Я / A→Z"),
        ("-name", "Я→А / Z→A"),
        ("-updated_at", "↓ updated"),
        ("code", "K-…"),
    ];
    let view = ListPage {
        types: AccountType::ALL
            .iter()
            .map(|t| {
                (
                    t.as_str().to_string(),
                    tr.t(&format!("type-{}", t.as_str())),
                )
            })
            .collect(),
        statuses: AccountStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    tr.t(&format!("status-{}", s.as_str())),
                )
            })
            .collect(),
        sorts: sorts
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        type_filter: get("type"),
        status_filter: get("status"),
        sort: sort_text,
        custom_selects,
        all_columns,
        columns,
        q,
        rows,
        next,
        page,
        chosen: chosen.clone(),
    };
    let cookie = Cookie::build((COLUMNS_COOKIE, chosen.join(",")))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .permanent()
        .build();
    Ok((jar.add(cookie), render(&view)).into_response())
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
    contacts: Vec<(Uuid, String, String, String)>,
    timeline: Vec<TimelineEntry>,
    duplicates: Vec<DuplicateHint>,
}

fn custom_text(def: &custom_field::Model, v: &Value, tr: crate::i18n::Tr) -> String {
    let option_label = |code: &str| {
        def.options
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|o| o.get("code").and_then(Value::as_str) == Some(code))
            })
            .and_then(|o| {
                o.get(if tr.lang == "en" {
                    "label_en"
                } else {
                    "label_ru"
                })
                .and_then(Value::as_str)
            })
            .unwrap_or(code)
            .to_string()
    };
    match v {
        Value::String(s) if def.field_type == "one_of" => option_label(s),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(option_label)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Bool(b) => tr.t(if *b { "yes" } else { "no" }),
        Value::Object(o) => format!(
            "{} {}",
            karta_core::custom_fields::format_money_minor(
                o.get("minor").and_then(Value::as_i64).unwrap_or_default()
            ),
            o.get("currency")
                .and_then(Value::as_str)
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

/// The client card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(key): Path<String>,
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
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let classifiers = karta_db::classifiers::all(state.app.db.conn()).await?;
    let labels = Labels::new(&classifiers, tr);
    let names = karta_db::users::names(
        state.app.db.conn(),
        &m.owner_id.into_iter().collect::<Vec<_>>(),
    )
    .await?;
    let f = karta_db::accounts::fields_of(&m);
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
    let defs = karta_db::custom_fields::of_entity(state.app.db.conn(), "accounts").await?;
    let custom = defs
        .iter()
        .filter_map(|d| {
            f.custom.get(&d.key).map(|v| {
                (
                    if tr.lang == "en" {
                        d.label_en.clone()
                    } else {
                        d.label_ru.clone()
                    },
                    custom_text(d, v, tr),
                )
            })
        })
        .collect();
    let contact_filter = karta_db::contacts::ContactFilter {
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
                let cf = karta_db::contacts::fields_of(c, Vec::new());
                let reach = if p.sees_personal_data() {
                    cf.phones
                        .iter()
                        .map(ToString::to_string)
                        .chain(cf.emails.iter().map(ToString::to_string))
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    String::new()
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
    let history = accounts::history(&state.app, p, m.id, None, 50).await?;
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
        timeline: timeline(history.items, tr),
        duplicates,
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
    tr: crate::i18n::Tr,
    draft: &AccountDraft,
) -> Result<Vec<forms::FormField>, ApiError> {
    let classifiers = karta_db::classifiers::all(state.app.db.conn()).await?;
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
    for def in karta_db::custom_fields::of_entity(state.app.db.conn(), "accounts")
        .await?
        .into_iter()
        .filter(|d| d.active)
    {
        let name = format!("custom.{}", def.key);
        let current = draft.custom.get(&def.key);
        let options = option_pairs(&def, tr);
        let value = match current {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Object(o)) => karta_core::custom_fields::format_money_minor(
                o.get("minor").and_then(Value::as_i64).unwrap_or_default(),
            ),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        fields.push(forms::FormField {
            label: if tr.lang == "en" {
                def.label_en.clone()
            } else {
                def.label_ru.clone()
            },
            kind: if def.field_type == "one_of" {
                "select"
            } else {
                "text"
            },
            error: String::new(),
            name,
            value,
            checked: Vec::new(),
            options,
        });
    }
    Ok(fields)
}

/// Turns a posted form into a JSON patch of account fields.
fn patch_of(form: &[(String, String)]) -> Map<String, Value> {
    let mut patch = Map::new();
    let mut custom = Map::new();
    let mut types = Vec::new();
    for (k, v) in form {
        let text = if v.trim().is_empty() {
            Value::Null
        } else {
            Value::String(v.clone())
        };
        match k.as_str() {
            "_csrf" | "version" => {}
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
            k if k.starts_with("custom.") => {
                custom.insert(k["custom.".len()..].to_string(), text);
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
    patch.insert(
        "custom".into(),
        Value::Object(custom.into_iter().filter(|(_, v)| !v.is_null()).collect()),
    );
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
    let fields = form_fields(state, page.tr, draft).await?;
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
    let draft: AccountDraft =
        serde_json::from_value(Value::Object(patch_of(&form))).unwrap_or_default();
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
    let draft = AccountDraft::from(&karta_db::accounts::fields_of(&m));
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

/// Saves the edit form. A stale version shows the current record and what
/// the user had typed differently, and saves nothing.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let patch = patch_of(&form);
    let tr = PageCtx::of(&caller).tr;
    match accounts::update(&state.app, &caller.0.principal, id, version, patch.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let m = accounts::get(&state.app, &caller.0.principal, id, false).await?;
            let mut merged =
                serde_json::to_value(AccountDraft::from(&karta_db::accounts::fields_of(&m)))
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
            let m = accounts::get(&state.app, &caller.0.principal, id, false).await?;
            let current = AccountDraft::from(&karta_db::accounts::fields_of(&m));
            let errors = forms::conflict_errors(
                &patch,
                &serde_json::to_value(&current).unwrap_or(Value::Null),
            );
            form_page(
                &state,
                &caller,
                forms::FormHead {
                    title: m.name.clone(),
                    cancel: format!("/accounts/{id}"),
                    version: m.version,
                },
                &current,
                errors,
                true,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct VersionForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    version: Option<i64>,
}

/// Moves an account to the trash.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
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
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    accounts::restore(&state.app, &caller.0.principal, id, form.version).await?;
    Ok(Redirect::to(&format!("/accounts/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    page: PageCtx,
    rows: Vec<(Uuid, String, String, i64)>,
}

/// Deleted accounts the caller may restore.
pub async fn trash(State(state): State<AppState>, caller: UiCaller) -> Result<Response, ApiError> {
    let filter = AccountFilter {
        deleted: true,
        ..Default::default()
    };
    let rows = match accounts::list(
        &state.app,
        &caller.0.principal,
        filter,
        AccountSort::UpdatedDesc,
        None,
        100,
    )
    .await
    {
        Ok(p) => p
            .items
            .iter()
            .map(|m: &account::Model| {
                (
                    m.id,
                    CustomerCode(m.code).to_string(),
                    m.name.clone(),
                    m.version,
                )
            })
            .collect(),
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(render(&TrashPage {
        page: PageCtx::of(&caller),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: PageCtx,
    accounts: Vec<(Uuid, String, String, String)>,
    contacts: Vec<(Uuid, String, String)>,
}

/// Global search results; a single exact customer code opens the card.
pub async fn search(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let q = params.get("q").cloned().unwrap_or_default();
    let found = karta_app::search::global(&state.app, &caller.0.principal, &q, 20).await?;
    if found.accounts.len() == 1 && found.contacts.is_empty() && CustomerCode::parse(&q).is_ok() {
        return Ok(Redirect::to(&format!("/accounts/{}", found.accounts[0].id)).into_response());
    }
    let mut page = PageCtx::of(&caller);
    page.q = q;
    let accounts = found
        .accounts
        .iter()
        .map(|m| {
            (
                m.id,
                CustomerCode(m.code).to_string(),
                m.name.clone(),
                m.inn.clone().unwrap_or_default(),
            )
        })
        .collect();
    let contacts = found
        .contacts
        .iter()
        .map(|c| {
            let f = karta_db::contacts::fields_of(c, Vec::new());
            (c.id, f.display_name(), f.position.unwrap_or_default())
        })
        .collect();
    Ok(render(&SearchPage {
        page,
        accounts,
        contacts,
    }))
}
