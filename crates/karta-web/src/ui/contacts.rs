//! Contact pages: the list, the contact card (details, accounts, custom
//! fields, duplicates, timeline), create and edit forms, trash and restore.
//! Personal data is shown only to roles that may see it.

use super::forms::{self, FormField};
use super::lists::{Column, ListPage, Params, Row, Select};
use super::{Labels, PageCtx, TimelineEntry, custom, lists, render, timeline};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use karta_app::AppError;
use karta_app::contacts;
use karta_app::model::CustomField as CustomDefinition;
use karta_app::views::DuplicateHint;
use karta_core::contacts::ContactDraft;
use karta_core::contacts::{ContactFilter, ContactSort};
use karta_core::identifiers::CustomerCode;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

const COLUMNS_COOKIE: &str = "karta_contact_columns";
const DEFAULT_COLUMNS: &[&str] = &["position", "account_ids", "phones", "emails"];
const FIXED_COLUMNS: &[&str] = &[
    "position",
    "purchase_role",
    "account_ids",
    "phones",
    "emails",
    "owner_id",
];
/// Columns that show personal data, offered only to roles that see it.
const PERSONAL_COLUMNS: &[&str] = &["phones", "emails"];

fn joined<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The contact list: search, filters (role in the purchase, marketing
/// consent, one-of custom fields), sort, keyset paging, column choice.
pub async fn list(
    State(state): State<AppState>,
    caller: UiCaller,
    jar: CookieJar,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params(params);
    let p = &caller.0.principal;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let defs = custom::active(&state.app, "contacts").await?;
    let (custom_selects, custom_filters) = custom::filters(&defs, &params.0, tr);
    let ((mut filter, sort), problems) =
        params.read(tr, |q| (ContactFilter::read(q), q.sort(ContactSort::parse)));
    filter.custom = custom_filters;
    let cursor = karta_app::model::Cursor::decode(&params.get("cursor"));
    let (result, links) = contacts::list(&state.app, p, filter, sort, cursor.as_ref(), 50).await?;

    let personal = p.sees_personal_data();
    let (custom_columns, custom_defaults) = custom::columns(&defs, tr);
    let mut all_columns: Vec<Column> = FIXED_COLUMNS
        .iter()
        .filter(|k| personal || !PERSONAL_COLUMNS.contains(k))
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
    // Picking from the offered columns keeps personal data out of the page
    // even when a remembered choice names it.
    let columns = lists::pick(&all_columns, &chosen);

    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let owners: Vec<Uuid> = result.items.iter().filter_map(|m| m.owner_id).collect();
    let names = karta_app::directory::names(&state.app, &owners).await?;
    let linked: Vec<Uuid> = links.values().flatten().copied().collect();
    let account_names = karta_app::accounts::names(&state.app, p, &linked).await?;
    let rows: Vec<Row> = result
        .items
        .iter()
        .map(|m| {
            let f = karta_app::contacts::fields_of(m, Vec::new());
            let cells = columns
                .iter()
                .map(|c| match c.key.as_str() {
                    "position" => f.position.clone().unwrap_or_default(),
                    "purchase_role" => labels.of("purchase_role", f.purchase_role.as_deref()),
                    "account_ids" => links
                        .get(&m.id)
                        .map(|ids| {
                            ids.iter()
                                .filter_map(|id| account_names.get(id).cloned())
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                    "phones" => joined(&f.phones),
                    "emails" => joined(&f.emails),
                    "owner_id" => m
                        .owner_id
                        .and_then(|o| names.get(&o).cloned())
                        .unwrap_or_default(),
                    key => custom::cell(&defs, &f.custom, key, tr),
                })
                .collect();
            Row {
                href: format!("/contacts/{}", m.id),
                name: f.display_name(),
                cells,
            }
        })
        .collect();
    let mut selects = vec![
        Select {
            name: "purchase_role".into(),
            label: tr.t("filter-all-roles"),
            value: params.get("purchase_role"),
            options: labels.options(&classifiers, "purchase_role"),
        },
        Select {
            name: "consent_marketing".into(),
            label: tr.t("filter-marketing"),
            value: params.get("consent_marketing"),
            options: vec![
                ("true".into(), tr.t("filter-marketing-yes")),
                ("false".into(), tr.t("filter-marketing-no")),
            ],
        },
    ];
    selects.extend(custom_selects);
    let next = result
        .next_cursor
        .map(|c| params.next_url("/contacts", &c, &selects));
    let sorts = [
        ("name", "sort-name"),
        ("-name", "sort-name-desc"),
        ("-updated_at", "sort-updated"),
        ("-created_at", "sort-created"),
    ];
    let view = ListPage {
        title: tr.t("contacts-title"),
        action: "/contacts".into(),
        new_label: tr.t("contacts-new"),
        tools: vec![
            ("/imports?entity=contacts".into(), tr.t("import-title")),
            (
                format!(
                    "/api/v1/contacts/export.csv?{}",
                    params.filters(&selects).trim_start_matches('&')
                ),
                tr.t("list-export-csv"),
            ),
            (
                format!(
                    "/api/v1/contacts/export.xlsx?{}",
                    params.filters(&selects).trim_start_matches('&')
                ),
                tr.t("list-export-xlsx"),
            ),
            (
                format!(
                    "/api/v1/contacts/export.vcf?{}",
                    params.filters(&selects).trim_start_matches('&')
                ),
                tr.t("list-export-vcard"),
            ),
        ],
        count: tr.count("contacts-count", rows.len()),
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
#[template(path = "contact.html")]
struct CardPage {
    page: PageCtx,
    id: Uuid,
    version: i64,
    name: String,
    details: Vec<(String, String)>,
    /// Phones and e-mails, to call or write with a tap.
    reach: Vec<super::ContactLink>,
    custom: Vec<(String, String)>,
    accounts: Vec<(Uuid, String)>,
    timeline: Vec<TimelineEntry>,
    duplicates: Vec<DuplicateHint>,
}

/// The contact card.
pub async fn card(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let (m, account_ids) = contacts::get(&state.app, p, id, false).await?;
    let page = PageCtx::of(&caller).with_notice(&query);
    let tr = page.tr;
    let f = karta_app::contacts::fields_of(&m, account_ids.clone());
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let mut details = vec![
        (tr.field("position"), f.position.clone().unwrap_or_default()),
        (
            tr.field("purchase_role"),
            labels.of("purchase_role", f.purchase_role.as_deref()),
        ),
    ];
    let reach = if p.sees_personal_data() {
        super::ContactLink::of(&f.phones, &f.emails)
    } else {
        Vec::new()
    };
    if p.sees_personal_data() {
        details.push((
            tr.field("birthday"),
            f.birthday.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    for (key, consent) in [
        ("consent_personal_data", &f.consent_personal_data),
        ("consent_marketing", &f.consent_marketing),
    ] {
        let shown = if consent.given {
            [
                Some(tr.t("yes")),
                consent.date.map(|d| d.to_string()),
                consent.source.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        } else {
            tr.t("no")
        };
        details.push((tr.field(key), shown));
    }
    details.push((tr.field("notes"), f.notes.clone().unwrap_or_default()));
    let accounts = karta_app::accounts::visible(&state.app, p, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, format!("{} {}", CustomerCode(a.code), a.name)))
        .collect();
    let defs = custom::active(&state.app, "contacts").await?;
    let history = contacts::history(&state.app, p, id, None, 50).await?;
    let duplicates = contacts::duplicates(&state.app, p, &f, Some(id)).await?;
    Ok(render(&CardPage {
        id,
        version: m.version,
        name: f.display_name(),
        details: details.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        reach,
        custom: custom::card_rows(&defs, &f.custom, tr),
        accounts,
        timeline: timeline(history.items, tr, "RUB"),
        duplicates,
        page,
    }))
}

/// Form rows for a contact; personal-data rows only for roles that see it.
async fn form_fields(
    state: &AppState,
    page: &PageCtx,
    p: &karta_app::Principal,
    draft: &ContactDraft,
) -> Result<Vec<FormField>, ApiError> {
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, page.tr);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let codes = karta_app::accounts::visible(&state.app, p, &draft.account_ids)
        .await?
        .iter()
        .map(|a| CustomerCode(a.code).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut fields = vec![
        FormField::new(page, "last_name", "text", text(&draft.last_name)),
        FormField::new(page, "first_name", "text", text(&draft.first_name)),
        FormField::new(page, "middle_name", "text", text(&draft.middle_name)),
        FormField::new(page, "position", "text", text(&draft.position)),
        FormField::new(page, "purchase_role", "select", text(&draft.purchase_role))
            .with_options(labels.options(&classifiers, "purchase_role")),
        FormField::new(page, "account_codes", "text", codes),
    ];
    if p.sees_personal_data() {
        fields.push(FormField::new(
            page,
            "emails",
            "text",
            draft.emails.join(", "),
        ));
        fields.push(FormField::new(
            page,
            "phones",
            "text",
            draft.phones.join(", "),
        ));
        fields.push(FormField::new(
            page,
            "birthday",
            "text",
            text(&draft.birthday),
        ));
    }
    for key in ["consent_personal_data", "consent_marketing"] {
        let consent = if key == "consent_marketing" {
            &draft.consent_marketing
        } else {
            &draft.consent_personal_data
        };
        let mut given = FormField::new(page, key, "checkboxes", String::new())
            .with_options(vec![("true".into(), page.tr.t("yes"))]);
        if consent.as_ref().is_some_and(|c| c.given) {
            given.checked = vec!["true".into()];
        }
        fields.push(given);
        let mut date = FormField::new(
            page,
            &format!("{key}.date"),
            "text",
            consent
                .as_ref()
                .and_then(|c| c.date.clone())
                .unwrap_or_default(),
        );
        date.label = page.tr.field("consent_date");
        fields.push(date);
    }
    fields.push(FormField::new(
        page,
        "notes",
        "textarea",
        text(&draft.notes),
    ));
    let defs = custom::active(&state.app, "contacts").await?;
    fields.extend(custom::form_fields(&defs, &draft.custom, page));
    Ok(fields)
}

fn split_list(v: &str) -> Value {
    Value::Array(
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect(),
    )
}

/// Turns a posted contact form into a JSON patch; account codes become ids
/// (unknown or invisible codes are field errors).
async fn patch_of(
    state: &AppState,
    p: &karta_app::Principal,
    form: &[(String, String)],
    current: &ContactDraft,
    defs: &[CustomDefinition],
) -> Result<Map<String, Value>, karta_core::Invalid> {
    let mut patch = Map::new();
    let mut errors = karta_core::Invalid::default();
    let get = |k: &str| forms::form_value(form, k).unwrap_or_default();
    let opt = |k: &str| {
        let v = get(k);
        if v.trim().is_empty() {
            Value::Null
        } else {
            Value::String(v)
        }
    };
    for k in [
        "first_name",
        "last_name",
        "middle_name",
        "position",
        "purchase_role",
        "notes",
    ] {
        patch.insert(k.into(), opt(k));
    }
    if p.sees_personal_data() {
        patch.insert("emails".into(), split_list(&get("emails")));
        patch.insert("phones".into(), split_list(&get("phones")));
        patch.insert("birthday".into(), opt("birthday"));
    }
    let mut ids = Vec::new();
    for (i, code) in get("account_codes")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .enumerate()
    {
        let found = karta_app::accounts::by_typed_code(&state.app, p, code).await;
        match found {
            Some(a) => ids.push(json!(a.id)),
            None => errors.push(format!("account_codes[{i}]"), "unknown_account"),
        }
    }
    patch.insert("account_ids".into(), Value::Array(ids));
    patch.insert("custom".into(), custom::posted(defs, form));
    for (key, existing) in [
        ("consent_personal_data", &current.consent_personal_data),
        ("consent_marketing", &current.consent_marketing),
    ] {
        let given = forms::form_value(form, key).is_some();
        let date = opt(&format!("{key}.date"));
        let source = existing.as_ref().and_then(|c| c.source.clone());
        patch.insert(
            key.into(),
            json!({"given": given, "date": date, "source": source}),
        );
    }
    errors.into_result().map(|()| patch)
}

#[derive(Debug, serde::Deserialize)]
pub struct NewParams {
    account: Option<Uuid>,
}

async fn show_form(
    state: &AppState,
    caller: &UiCaller,
    head: forms::FormHead,
    draft: &ContactDraft,
    errors: HashMap<String, String>,
    conflict: bool,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let fields = form_fields(state, &page, &caller.0.principal, draft).await?;
    Ok(forms::page(page, head, fields, &errors, conflict))
}

/// The empty contact form (linked to an account when opened from its card).
pub async fn new_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(params): Query<NewParams>,
) -> Result<Response, ApiError> {
    let draft = ContactDraft {
        account_ids: params.account.into_iter().collect(),
        ..Default::default()
    };
    let title = PageCtx::of(&caller).tr.t("contacts-new");
    show_form(
        &state,
        &caller,
        forms::FormHead {
            title,
            cancel: "/contacts".into(),
            version: 0,
        },
        &draft,
        HashMap::new(),
        false,
    )
    .await
}

/// Field errors of a rejected contact, with account codes named as in the form.
fn contact_errors(tr: crate::i18n::Tr, e: &karta_core::Invalid) -> HashMap<String, String> {
    forms::error_map(tr, e)
        .into_iter()
        .map(|(k, v)| (k.replace("account_ids", "account_codes"), v))
        .collect()
}

/// Creates a contact from the form.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let p = &caller.0.principal;
    let tr = PageCtx::of(&caller).tr;
    let empty = ContactDraft::default();
    let defs = custom::active(&state.app, "contacts").await?;
    let result = match patch_of(&state, p, &form, &empty, &defs).await {
        Ok(patch) => {
            let draft: ContactDraft =
                serde_json::from_value(Value::Object(patch.clone())).unwrap_or_default();
            contacts::create(&state.app, p, draft.clone())
                .await
                .map_err(|e| (e, draft))
        }
        Err(e) => Err((AppError::Invalid(e), empty.clone())),
    };
    match result {
        Ok((m, _, _)) => Ok(Redirect::to(&format!("/contacts/{}", m.id)).into_response()),
        Err((AppError::Invalid(e), draft)) => {
            show_form(
                &state,
                &caller,
                forms::FormHead {
                    title: tr.t("contacts-new"),
                    cancel: "/contacts".into(),
                    version: 0,
                },
                &draft,
                contact_errors(tr, &e),
                false,
            )
            .await
        }
        Err((e, _)) => Err(e.into()),
    }
}

/// The edit form with the current values.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (m, accounts) = contacts::get(&state.app, &caller.0.principal, id, false).await?;
    let fields = karta_app::contacts::fields_of(&m, accounts);
    let draft = ContactDraft::from(&fields);
    show_form(
        &state,
        &caller,
        forms::FormHead {
            title: fields.display_name(),
            cancel: format!("/contacts/{id}"),
            version: m.version,
        },
        &draft,
        HashMap::new(),
        false,
    )
    .await
}

/// Saves the edit form; a stale save keeps what does not collide with the
/// other change and shows what does.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let p = &caller.0.principal;
    let tr = PageCtx::of(&caller).tr;
    let (m, accounts) = contacts::get(&state.app, p, id, false).await?;
    let current_fields = karta_app::contacts::fields_of(&m, accounts);
    let current = ContactDraft::from(&current_fields);
    let title = current_fields.display_name();
    let cancel = format!("/contacts/{id}");
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let defs = custom::active(&state.app, "contacts").await?;
    let patch = match patch_of(&state, p, &form, &current, &defs).await {
        Ok(patch) => patch,
        Err(e) => {
            return show_form(
                &state,
                &caller,
                forms::FormHead {
                    title,
                    cancel,
                    version: version.unwrap_or(m.version),
                },
                &current,
                contact_errors(tr, &e),
                false,
            )
            .await;
        }
    };
    match contacts::update(&state.app, p, id, version, patch.clone()).await {
        Ok(_) => Ok(Redirect::to(&cancel).into_response()),
        Err(AppError::Invalid(e)) => {
            let mut merged = serde_json::to_value(&current).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut merged {
                map.extend(patch);
            }
            let draft: ContactDraft = serde_json::from_value(merged).unwrap_or(current);
            show_form(
                &state,
                &caller,
                forms::FormHead {
                    title,
                    cancel,
                    version: version.unwrap_or(m.version),
                },
                &draft,
                contact_errors(tr, &e),
                false,
            )
            .await
        }
        Err(AppError::VersionMismatch { .. }) => {
            // Someone saved meanwhile: keep every change that does not
            // collide with theirs, and show the ones that do.
            let base = patch_of(&state, p, &forms::base_of(&form), &current, &defs)
                .await
                .unwrap_or_default();
            let current_json = serde_json::to_value(&current).unwrap_or(Value::Null);
            let (app, version) = (&state.app, m.version);
            let conflicts = forms::save_merged(&patch, &base, &current_json, |apply| async move {
                contacts::update(app, p, id, Some(version), apply)
                    .await
                    .map(|_| ())
            })
            .await?;
            if conflicts.is_empty() {
                return Ok(Redirect::to(&format!("{cancel}?done=merged")).into_response());
            }
            let (m, accounts) = contacts::get(&state.app, p, id, false).await?;
            show_form(
                &state,
                &caller,
                forms::FormHead {
                    title,
                    cancel,
                    version: m.version,
                },
                &ContactDraft::from(&karta_app::contacts::fields_of(&m, accounts)),
                conflicts,
                true,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a contact to the trash.
pub async fn delete(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    contacts::set_deleted(&state.app, &caller.0.principal, id, form.version, true).await?;
    Ok(Redirect::to("/trash").into_response())
}

/// Restores a contact from the trash.
pub async fn restore(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    contacts::set_deleted(&state.app, &caller.0.principal, id, form.version, false).await?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}
