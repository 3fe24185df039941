//! Importing a file from the browser: upload it, check how its columns map
//! to fields (guessed from the headers, changed by hand), try it as a dry
//! run, import it as a background job, follow the job, read or download
//! its error report, undo it.
//!
//! Between the upload and the import the file waits on the server's disk
//! ([`uploads`]); its rows are read and written by the same code as the
//! imports API.

mod uploads;

use super::lists::urlencode;
use super::{PageCtx, render, utc_label};
use crate::AppState;
use crate::api::import::{
    chosen_names, error_report, fillable, first_rows, is_vcard, launch, read, vcard_to_csv,
};
use crate::auth::UiCaller;
use crate::error::{ApiError, bad_request};
use crate::http::Path;
use crate::i18n::Tr;
use crate::ui::forms::{VersionForm, form_value};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use karta_app::import::{self, Columns, ImportEntity, JobView, Spec, profiles};
use karta_app::model::{CustomField, ImportJob};
use karta_core::Invalid;
use karta_core::import::{CsvRows, Key, Mode};
use karta_core::roles::{Access, Reach};
use karta_core::time::rfc3339;
use std::collections::HashMap;
use std::io::Write;
use uuid::Uuid;

/// Sample values shown beside each column on the mapping page.
const SAMPLES: usize = 3;

/// Refused rows listed on a job's page (the download has them all).
const ERRORS_SHOWN: u64 = 100;

/// One line of the recent imports table.
struct JobLine {
    href: String,
    file_name: String,
    entity: String,
    status: String,
    dry_run: bool,
    counts: String,
    at: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    page: PageCtx,
    /// What may be imported, as (value, label).
    entities: Vec<(String, String)>,
    entity: String,
    error: String,
    jobs: Vec<JobLine>,
}

/// The imports page: the upload form and the caller's recent imports.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let jobs = import::recent(&state.app, &caller.0.principal, 20)
        .await?
        .iter()
        .map(|m| JobLine {
            href: format!("/imports/{}", m.id),
            file_name: m.file_name.clone(),
            entity: tr.t(&format!("import-entity-{}", m.entity)),
            status: tr.t(&format!("import-status-{}", m.status)),
            dry_run: m.dry_run,
            counts: counts(tr, m),
            at: utc_label(&rfc3339(m.created_at)),
        })
        .collect();
    // Only what the user may create is offered; none, and there is no form.
    let entities = ImportEntity::ALL
        .iter()
        .filter(|e| caller.0.principal.reach(e.entity(), Access::Write) != Reach::Nothing)
        .map(|e| {
            (
                e.as_str().to_string(),
                tr.t(&format!("import-entity-{}", e.as_str())),
            )
        })
        .collect();
    Ok(render(&ImportsPage {
        entities,
        error: q.get("error").map(|c| tr.error(c)).unwrap_or_default(),
        entity: q.get("entity").cloned().unwrap_or_default(),
        page,
        jobs,
    }))
}

/// "created 3 · updated 1 · unchanged 0 · refused 2".
fn counts(tr: Tr, m: &ImportJob) -> String {
    [
        ("import-created", m.created),
        ("import-updated", m.updated),
        ("import-unchanged", m.unchanged),
        ("import-failed", m.failed),
    ]
    .iter()
    .map(|(k, n)| format!("{} {n}", tr.t(k)))
    .collect::<Vec<_>>()
    .join(" · ")
}

fn unreadable_upload(_: axum::extract::multipart::MultipartError) -> ApiError {
    bad_request("file", "unreadable_file")
}

/// Receives a file (a form of `_csrf`, `entity`, then `file`), keeps it
/// and opens its mapping page. A file that cannot be read goes back to the
/// upload form with the reason.
pub async fn upload(caller: UiCaller, mut form: Multipart) -> Result<Response, ApiError> {
    let user = caller.0.principal.user_id;
    let (mut csrf, mut entity) = (None, String::new());
    while let Some(mut field) = form.next_field().await.map_err(unreadable_upload)? {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf = Some(field.text().await.map_err(unreadable_upload)?),
            "entity" => entity = field.text().await.map_err(unreadable_upload)?,
            "file" => {
                // Checked before a byte is stored.
                caller.check_csrf(csrf.as_deref())?;
                let kind_chosen =
                    ImportEntity::parse(&entity).map_err(|c| bad_request("entity", c))?;
                let name = field.file_name().unwrap_or_default().to_string();
                let (id, mut file) =
                    uploads::create(user).map_err(|_| bad_request("file", "unreadable_file"))?;
                while let Some(chunk) = field.chunk().await.map_err(unreadable_upload)? {
                    file.write_all(&chunk)
                        .map_err(|_| bad_request("file", "unreadable_file"))?;
                }
                drop(file);
                let to = match readable(user, id) {
                    Ok((id, kind)) => format!(
                        "/imports/new/{id}?entity={}&name={}",
                        kind.unwrap_or(kind_chosen).as_str(),
                        urlencode(&name)
                    ),
                    Err(code) => format!("/imports?entity={}&error={code}", kind_chosen.as_str()),
                };
                return Ok(Redirect::to(&to).into_response());
            }
            _ => {}
        }
    }
    Ok(Redirect::to(&format!(
        "/imports?entity={}&error=empty_file",
        urlencode(&entity)
    ))
    .into_response())
}

/// Checks a stored upload reads as a CSV; a vCard file is first rewritten
/// as the CSV of its contacts (and is contacts whatever was chosen), an XLSX
/// workbook as the CSV of its first sheet. Answers the upload to map, or the
/// code of why it cannot be imported (the upload is then forgotten).
fn readable(user: Uuid, id: Uuid) -> Result<(Uuid, Option<ImportEntity>), &'static str> {
    let mut file = uploads::open(user, id).ok_or("unreadable_file")?;
    if karta_core::xlsx::is_workbook(&mut file).map_err(|_| "unreadable_file")? {
        uploads::remove(user, id);
        let (csv_id, mut csv) = uploads::create(user).map_err(|_| "unreadable_file")?;
        karta_core::xlsx::to_csv(
            std::io::BufReader::new(file),
            std::io::BufWriter::new(&mut csv),
        )
        .map_err(|_| {
            uploads::remove(user, csv_id);
            "unreadable_workbook"
        })?;
        return readable(user, csv_id);
    }
    if !is_vcard(&mut file) {
        return CsvRows::open(file).map(|_| (id, None)).map_err(|e| {
            uploads::remove(user, id);
            e.code()
        });
    }
    // The open file stays readable after its name is gone.
    uploads::remove(user, id);
    let (csv_id, mut csv) = uploads::create(user).map_err(|_| "unreadable_file")?;
    vcard_to_csv(file, &mut csv)
        .map(|()| (csv_id, Some(ImportEntity::Contacts)))
        .inspect_err(|_| uploads::remove(user, csv_id))
}

/// One column of the file on the mapping page.
struct MapColumn {
    /// From 1, as `column.N` counts.
    n: usize,
    header: String,
    /// The field it fills; empty: skipped.
    field: String,
    samples: Vec<String>,
}

#[derive(Template)]
#[template(path = "import_map.html")]
struct MapPage {
    page: PageCtx,
    action: String,
    entity: String,
    entity_label: String,
    name: String,
    encoding: String,
    delimiter: String,
    columns: Vec<MapColumn>,
    /// `(field, label)` choices of every column.
    fields: Vec<(String, String)>,
    mode: String,
    modes: Vec<(String, String)>,
    key: String,
    keys: Vec<(String, String)>,
    /// Saved mapping profiles of the entity, and the one applied.
    profiles: Vec<String>,
    profile: String,
    errors: Vec<String>,
}

/// The mapping page of an upload: `entity` and `name` say what it is;
/// `column.N`, `mode` and `key` carry choices made earlier.
pub async fn mapping(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(upload): Path<Uuid>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    map_page(&state, &caller, upload, params, Vec::new()).await
}

fn entity_of(params: &mut HashMap<String, String>) -> Result<ImportEntity, ApiError> {
    let raw = params.remove("entity").unwrap_or_default();
    ImportEntity::parse(&raw).map_err(|_| ApiError(AppError::NotFound))
}

/// Where an upload the server no longer keeps sends the user.
fn expired() -> Response {
    Redirect::to("/imports?error=upload_expired").into_response()
}

async fn map_page(
    state: &AppState,
    caller: &UiCaller,
    upload: Uuid,
    mut params: HashMap<String, String>,
    errors: Vec<String>,
) -> Result<Response, ApiError> {
    let entity = entity_of(&mut params)?;
    let Some(file) = uploads::open(caller.0.principal.user_id, upload) else {
        return Ok(expired());
    };
    let mut rows = CsvRows::open(file).map_err(|e| bad_request("file", e.code()))?;
    let customs = import::custom_fields(&state.app, entity).await?;
    let mut guessed = Columns::guess(entity, &rows.headers, &customs).names();
    let p = &caller.0.principal;
    let profiles = profiles::list(&state.app, p, entity).await?;
    let profile = params.remove("profile").unwrap_or_default();
    if let Some(chosen) = profiles.iter().find(|m| m.name == profile) {
        guessed = profiles::apply(chosen, &rows.headers, &guessed);
    }
    // Choices from our own form; one that no longer fits is dropped.
    let names = chosen_names(&guessed, &mut params)
        .ok()
        .flatten()
        .unwrap_or(guessed);
    let sample = first_rows(&mut rows, SAMPLES)?;
    let page = PageCtx::of(caller);
    let tr = page.tr;
    let columns = rows
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| MapColumn {
            n: i + 1,
            header: header.clone(),
            field: names.get(i).cloned().flatten().unwrap_or_default(),
            samples: sample
                .iter()
                .filter_map(|r| r.get(i).filter(|v| !v.trim().is_empty()).cloned())
                .collect(),
        })
        .collect();
    let fields = fillable(entity, &customs, &caller.0.principal)
        .into_iter()
        .map(|f| {
            let label = field_label(tr, &f, &customs);
            (f, label)
        })
        .collect();
    let key = params.remove("key").unwrap_or_else(|| {
        entity
            .keys()
            .iter()
            .find(|k| names.iter().flatten().any(|n| n == k.as_str()))
            .map(|k| k.as_str().to_string())
            .unwrap_or_default()
    });
    let mode = params
        .remove("mode")
        .unwrap_or_else(|| if key.is_empty() { "create" } else { "upsert" }.to_string());
    Ok(render(&MapPage {
        action: format!("/imports/new/{upload}"),
        entity: entity.as_str().into(),
        entity_label: tr.t(&format!("import-entity-{}", entity.as_str())),
        name: params.remove("name").unwrap_or_default(),
        encoding: rows.format().into(),
        delimiter: match rows.delimiter {
            b'\t' => tr.t("import-tab"),
            d => (d as char).to_string(),
        },
        columns,
        fields,
        modes: ["create", "update", "upsert"]
            .iter()
            .map(|m| (m.to_string(), tr.t(&format!("import-mode-{m}"))))
            .collect(),
        mode,
        keys: entity
            .keys()
            .iter()
            .map(|k| (k.as_str().to_string(), tr.field(k.as_str())))
            .collect(),
        key,
        profiles: profiles.into_iter().map(|m| m.name).collect(),
        profile,
        errors,
        page,
    }))
}

/// A field's label in the page language; custom fields by their own labels.
pub(super) fn field_label(tr: Tr, field: &str, customs: &[CustomField]) -> String {
    match field.strip_prefix("custom.") {
        Some(key) => customs
            .iter()
            .find(|c| c.key == key)
            .map(|c| {
                if tr.lang == "en" {
                    c.label_en.clone()
                } else {
                    c.label_ru.clone()
                }
            })
            .unwrap_or_else(|| field.to_string()),
        None => tr.field(field),
    }
}

/// Starts a dry run (`action=dry_run`) or the import of an upload with the
/// mapping page's choices; refused choices come back on the mapping page.
pub async fn start(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(upload): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let params: HashMap<String, String> = form.into_iter().filter(|(k, _)| k != "_csrf").collect();
    if uploads::open(caller.0.principal.user_id, upload).is_none() {
        return Ok(expired());
    }
    match begin(&state, &caller, upload, params.clone()).await {
        Ok(job) if job.dry_run => {
            Ok(Redirect::to(&format!("/imports/{}?upload={upload}", job.id)).into_response())
        }
        Ok(job) => {
            // The job reads the file it has open; nothing else needs it.
            uploads::remove(caller.0.principal.user_id, upload);
            Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
        }
        Err(ApiError(AppError::Invalid(e))) => {
            let errors = explain(PageCtx::of(&caller).tr, &e);
            let mut back = params;
            back.retain(|k, _| k != "action");
            map_page(&state, &caller, upload, back, errors).await
        }
        Err(e) => Err(e),
    }
}

async fn begin(
    state: &AppState,
    caller: &UiCaller,
    upload: Uuid,
    mut params: HashMap<String, String>,
) -> Result<ImportJob, ApiError> {
    let entity = entity_of(&mut params)?;
    let file =
        uploads::open(caller.0.principal.user_id, upload).ok_or(ApiError(AppError::NotFound))?;
    let key = params
        .remove("key")
        .filter(|k| !k.is_empty())
        .map(|k| Key::parse(&k).map_err(|c| bad_request("key", c)))
        .transpose()?;
    let mode = Mode::parse(&params.remove("mode").unwrap_or_default())
        .map_err(|c| bad_request("mode", c))?;
    let dry_run = params.remove("action").as_deref() == Some("dry_run");
    let file_name = params.remove("name").unwrap_or_default();
    let save_profile = params
        .remove("save_profile")
        .filter(|n| !n.trim().is_empty());
    let original = file
        .try_clone()
        .map_err(|_| bad_request("file", "unreadable_file"))?;
    let (rows, columns, _) =
        read(&state.app, &caller.0.principal, entity, file, &mut params).await?;
    let spec = Spec {
        entity,
        mode,
        key,
        dry_run,
        file_name,
        save_profile,
    };
    launch(
        &state.app,
        &caller.0.principal,
        &spec,
        &columns,
        rows.format(),
        original,
    )
    .await
}

/// Refusals as sentences: what they are about (the key, a column by its
/// header), then why.
fn explain(tr: Tr, e: &Invalid) -> Vec<String> {
    e.0.iter()
        .map(|f| {
            let about = match f.field.as_str() {
                "key" if f.code == "required" => return tr.t("import-key-required"),
                "key" => tr.t("import-key"),
                "mode" => tr.t("import-mode"),
                _ => String::new(),
            };
            let why = tr.error(f.code);
            if about.is_empty() {
                why
            } else {
                format!("{about}: {why}")
            }
        })
        .collect()
}

/// One refused cell on a job's page.
struct ErrorLine {
    line: i64,
    column: String,
    value: String,
    problem: String,
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    page: PageCtx,
    job: JobView,
    entity_label: String,
    /// The mode and key, in words.
    how: String,
    status: String,
    running: bool,
    counts: String,
    started: String,
    errors: Vec<ErrorLine>,
    more_errors: bool,
    list: String,
    /// After a dry run of an upload still kept: its mapping page with the
    /// same choices, and the same choices as hidden fields for the import.
    remap: Option<String>,
    again: Vec<(String, String)>,
    again_action: String,
    undone: String,
}

/// An import job: its state, live while it runs; its refused rows; after a
/// dry run the way on to the real import; after an import, undo.
pub async fn job(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let m = import::get(&state.app, p, id).await?;
    let (items, next) = import::errors(&state.app, p, id, None, ERRORS_SHOWN).await?;
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let errors = items
        .into_iter()
        .map(|e| ErrorLine {
            line: e.line,
            column: e.column,
            value: e.value,
            problem: tr.error(&e.code),
        })
        .collect();
    let upload = q
        .get("upload")
        .and_then(|u| u.parse::<Uuid>().ok())
        .filter(|u| m.dry_run && uploads::open(p.user_id, *u).is_some());
    let again = upload.map(|_| choices(&m)).unwrap_or_default();
    let remap = upload.map(|u| {
        let query: String = again
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("/imports/new/{u}?{query}")
    });
    let undone = match (q.get("removed"), q.get("restored"), q.get("skipped")) {
        (Some(a), Some(b), Some(c)) => format!(
            "{} {a} · {} {b} · {} {c}",
            tr.t("import-removed"),
            tr.t("import-restored"),
            tr.t("import-skipped")
        ),
        _ => String::new(),
    };
    Ok(render(&JobPage {
        entity_label: tr.t(&format!("import-entity-{}", m.entity)),
        how: match &m.key_field {
            Some(k) => format!(
                "{} · {}: {}",
                tr.t(&format!("import-mode-{}", m.mode)),
                tr.t("import-key"),
                tr.field(k)
            ),
            None => tr.t(&format!("import-mode-{}", m.mode)),
        },
        status: tr.t(&format!("import-status-{}", m.status)),
        running: m.status == "running",
        counts: counts(tr, &m),
        started: utc_label(&rfc3339(m.created_at)),
        errors,
        more_errors: next.is_some(),
        list: format!("/{}", m.entity),
        again_action: upload
            .map(|u| format!("/imports/new/{u}"))
            .unwrap_or_default(),
        remap,
        again,
        undone,
        job: JobView::of(&m),
        page,
    }))
}

/// A job's choices as the mapping form posts them.
fn choices(m: &ImportJob) -> Vec<(String, String)> {
    let mut out = vec![
        ("entity".to_string(), m.entity.clone()),
        ("name".to_string(), m.file_name.clone()),
        ("mode".to_string(), m.mode.clone()),
        ("key".to_string(), m.key_field.clone().unwrap_or_default()),
    ];
    if let Some(columns) = m.columns.as_array() {
        for (i, c) in columns.iter().enumerate() {
            out.push((
                format!("column.{}", i + 1),
                c.as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

/// The error report of a job as CSV, in the user's language.
pub async fn errors_csv(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let lang = PageCtx::of(&caller).tr.lang;
    error_report(&state.app, &caller.0.principal, id, lang).await
}

/// Undoes an import and shows what the undo did.
pub async fn undo(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    let done = import::undo(&state.app, &caller.0.principal, id).await?;
    Ok(Redirect::to(&format!(
        "/imports/{id}?removed={}&restored={}&skipped={}",
        done.removed, done.restored, done.skipped
    ))
    .into_response())
}
