//! `/api/v1/imports`: upload a CSV of accounts or contacts, preview how its
//! columns map, run the import as a background job, follow its progress,
//! download the error report, undo it.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, bad_request};
use crate::http::Path;
use crate::http::{no_more, take_bool, take_text};
use crate::i18n::{Tr, from_accept_language};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use karta_app::import::{
    self, Columns, ImportEntity, JobView, RowError, Spec, UndoSummary, profiles,
};
use karta_app::model::{CustomField, ImportJob};
use karta_app::{App, AppError, Principal};
use karta_core::export::{BOM, line};
use karta_core::import::{CsvRows, Key, Mode, ReadError};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use utoipa::ToSchema;
use uuid::Uuid;

/// Rows shown by a preview.
const PREVIEW_ROWS: usize = 5;

/// Errors per page of the error list.
const ERROR_PAGE: u64 = 200;

/// How a file will be read: what the preview answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// `utf-8` or `windows-1251` for CSV, `xlsx` for a workbook.
    pub encoding: String,
    /// `,`, `;` or a tab.
    pub delimiter: String,
    pub headers: Vec<String>,
    /// The field each column would fill (`null`: skipped), guessed from the
    /// headers unless `column.N` says otherwise.
    pub columns: Vec<Option<String>>,
    /// The first rows, as read.
    pub rows: Vec<Vec<String>>,
    /// Every field a column can fill: `name`, … and `custom.<key>`.
    pub fields: Vec<String>,
}

/// A page of an import's refused rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorList {
    pub items: Vec<RowError>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_after: Option<i64>,
}

fn unreadable(e: ReadError) -> ApiError {
    bad_request("file", e.code())
}

/// Writes the request body to a temporary file, chunk by chunk, so a file
/// of any size costs no more memory than one chunk.
async fn spool(body: Body) -> Result<std::fs::File, ApiError> {
    let mut file = tempfile::tempfile().map_err(|_| bad_request("file", "unreadable_file"))?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| bad_request("file", "unreadable_file"))?;
        file.write_all(&chunk)
            .map_err(|_| bad_request("file", "unreadable_file"))?;
    }
    use std::io::Seek;
    file.rewind()
        .map_err(|_| bad_request("file", "unreadable_file"))?;
    Ok(file)
}

/// The fields of a file's columns: `guessed`, changed by each
/// `column.N=field` (N from 1; empty to skip the column) taken out of
/// `params`. `None` when the caller chose nothing.
pub(crate) fn chosen_names(
    guessed: &[Option<String>],
    params: &mut HashMap<String, String>,
) -> Result<Option<Vec<Option<String>>>, ApiError> {
    let mut names = guessed.to_vec();
    let mut chosen = false;
    for (k, v) in params.clone() {
        let Some(n) = k.strip_prefix("column.") else {
            continue;
        };
        let i = n
            .parse::<usize>()
            .ok()
            .filter(|i| (1..=names.len()).contains(i))
            .ok_or_else(|| bad_request(&k, "unknown_column"))?;
        names[i - 1] = Some(v).filter(|v| !v.is_empty());
        params.remove(&k);
        chosen = true;
    }
    Ok(chosen.then_some(names))
}

/// A file's rows and their columns: guessed from the headers, then
/// `column.N=field` (N from 1) as the caller chose, taken out of `params`;
/// with the entity's custom fields.
pub(crate) async fn read(
    app: &App,
    p: &Principal,
    entity: ImportEntity,
    file: std::fs::File,
    params: &mut HashMap<String, String>,
) -> Result<(CsvRows, Columns, Vec<CustomField>), ApiError> {
    let rows = karta_core::xlsx::open_rows(file).map_err(unreadable)?;
    let customs = import::custom_fields(app, entity).await?;
    let guessed = Columns::guess(entity, &rows.headers, &customs);
    let profile = match take_text(params, "profile") {
        Some(name) => Some(profiles::named(app, p, entity, &name, "profile").await?),
        None => None,
    };
    let base = match &profile {
        Some(profile) => profiles::apply(profile, &rows.headers, &guessed.names()),
        None => guessed.names(),
    };
    let columns = match (chosen_names(&base, params)?, profile) {
        (None, None) => guessed,
        (chosen, _) => Columns::chosen(entity, &rows.headers, &chosen.unwrap_or(base), &customs)
            .map_err(AppError::from)?,
    };
    Ok((rows, columns, customs))
}

/// A saved mapping profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub name: String,
    /// The field a column with each header fills (`null`: skipped); headers
    /// are compared in lower case, letters and digits only.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    pub updated_at: String,
}

/// The saved mapping profiles of an entity. Pass `profile=<name>` to a
/// preview or an import to map by one, `save_profile=<name>` to an import
/// to save its mapping.
#[utoipa::path(get, path = "/api/v1/imports/profiles", tag = "imports",
    params(("entity" = String, Query, description = "accounts or contacts")),
    responses((status = 200, body = Vec<ProfileView>), (status = 422, body = Problem)))]
pub async fn profile_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<ProfileView>>, ApiError> {
    let entity = take_text(&mut params, "entity").unwrap_or_default();
    let entity = ImportEntity::parse(&entity).map_err(|c| bad_request("entity", c))?;
    no_more(params)?;
    let found = profiles::list(&state.app, &caller.principal, entity).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|m| ProfileView {
                name: m.name,
                fields: m.fields,
                updated_at: karta_core::time::rfc3339(m.updated_at),
            })
            .collect(),
    ))
}

/// How a CSV file's columns would be read, without importing anything.
#[utoipa::path(post, path = "/api/v1/imports/{entity}/preview", tag = "imports",
    params(("entity" = String, Path, description = "accounts, contacts, leads or products"),
           ("profile" = Option<String>, Query, description = "Map columns by this saved profile"),
           ("column.N" = Option<String>, Query, description = "The field of column N (from 1); empty to skip it")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Preview), (status = 422, body = Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Path(entity): Path<String>,
    Query(mut params): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Json<Preview>, ApiError> {
    let entity = ImportEntity::parse(&entity).map_err(|_| ApiError(AppError::NotFound))?;
    let file = spool(body).await?;
    let (mut rows, columns, customs) =
        read(&state.app, &caller.principal, entity, file, &mut params).await?;
    no_more(params)?;
    Ok(Json(Preview {
        encoding: rows.format().into(),
        delimiter: (rows.delimiter as char).to_string(),
        headers: rows.headers.clone(),
        columns: columns.names(),
        rows: first_rows(&mut rows, PREVIEW_ROWS)?,
        fields: fillable(entity, &customs, &caller.principal),
    }))
}

/// Up to `n` rows from where `rows` stands.
pub(crate) fn first_rows(rows: &mut CsvRows, n: usize) -> Result<Vec<Vec<String>>, ApiError> {
    let mut sample = Vec::new();
    while sample.len() < n {
        match rows.next_row().map_err(unreadable)? {
            Some(r) => sample.push(r),
            None => break,
        }
    }
    Ok(sample)
}

/// The fields the caller may fill from a column: the entity's own (less
/// the personal data hidden from them), then its active custom fields as
/// `custom.<key>`.
pub(crate) fn fillable(
    entity: ImportEntity,
    customs: &[CustomField],
    p: &Principal,
) -> Vec<String> {
    let hidden = entity.hidden_fields(p);
    entity
        .fields()
        .iter()
        .map(|f| f.field.to_string())
        .filter(|f| !hidden.contains(&f.as_str()))
        .chain(
            customs
                .iter()
                .filter(|c| c.active)
                .map(|c| format!("custom.{}", c.key)),
        )
        .collect()
}

/// Starts importing a CSV file. Answers 202 with the job at once; the rows
/// are imported in the background (follow `GET /api/v1/imports/{id}`).
#[utoipa::path(post, path = "/api/v1/imports/{entity}", tag = "imports",
    params(("entity" = String, Path, description = "accounts, contacts, leads or products"),
           ("mode" = Option<String>, Query, description = "create, update or upsert [default: upsert with a key, else create]"),
           ("key" = Option<String>, Query, description = "code, inn, external_id (accounts); email, phone, external_id (contacts); email, phone (leads); sku (products)"),
           ("dry_run" = Option<bool>, Query, description = "Check every row, change nothing"),
           ("file_name" = Option<String>, Query, description = "The file's name, for the job list"),
           ("profile" = Option<String>, Query, description = "Map columns by this saved profile"),
           ("save_profile" = Option<String>, Query, description = "Save the mapping as the profile of this name"),
           ("column.N" = Option<String>, Query, description = "The field of column N (from 1); empty to skip it")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 202, body = JobView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(entity): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    let entity = ImportEntity::parse(&entity).map_err(|_| ApiError(AppError::NotFound))?;
    let file = spool(body).await?;
    begin(&state, &caller, entity, params, file, "upload.csv").await
}

/// Starts importing the contacts of a vCard file (4.0, 3.0 or 2.1, as
/// phones and address books export them), as an import job like a CSV's.
/// Its cards are read as rows of these columns: 1 UID (external id), 2 last
/// name, 3 first name, 4 middle name, 5 title, 6 e-mails, 7 phones,
/// 8 messengers, 9 birthday, 10 company (a Karta account's name, INN or
/// code), 11 note.
#[utoipa::path(post, path = "/api/v1/contacts/import.vcf", tag = "imports",
    params(("mode" = Option<String>, Query, description = "create, update or upsert [default: upsert with a key, else create]"),
           ("key" = Option<String>, Query, description = "email, phone or external_id (the card's UID)"),
           ("dry_run" = Option<bool>, Query, description = "Check every card, change nothing"),
           ("file_name" = Option<String>, Query, description = "The file's name, for the job list"),
           ("column.N" = Option<String>, Query, description = "The field of column N (from 1); empty to skip it, e.g. column.10= to leave companies out")),
    request_body(content = String, content_type = "text/vcard"),
    responses((status = 202, body = JobView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_from_vcard(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Response, ApiError> {
    let vcf = spool(body).await?;
    let mut csv = tempfile::tempfile().map_err(|_| bad_request("file", "unreadable_file"))?;
    vcard_to_csv(vcf, &mut csv).map_err(|c| bad_request("file", c))?;
    begin(
        &state,
        &caller,
        ImportEntity::Contacts,
        params,
        csv,
        "contacts.vcf",
    )
    .await
}

/// Writes the cards of a vCard file as a CSV the import reads, into `out`
/// (rewound, ready to read). Fails with the code of the problem; a file
/// without cards is refused.
pub(crate) fn vcard_to_csv(
    vcf: std::fs::File,
    out: &mut std::fs::File,
) -> Result<(), &'static str> {
    use std::io::Seek;
    let cards = karta_core::vcard::to_csv(std::io::BufReader::new(vcf), &mut *out)
        .map_err(|_| "unreadable_file")?;
    if cards == 0 {
        return Err("no_cards");
    }
    out.rewind().map_err(|_| "unreadable_file")
}

/// Whether a file starts like a vCard (`BEGIN:VCARD`, after any BOM or
/// blank lines).
pub(crate) fn is_vcard(file: &mut std::fs::File) -> bool {
    use std::io::{Read, Seek};
    let mut start = [0u8; 64];
    let n = file.read(&mut start).unwrap_or(0);
    let rewound = file.rewind().is_ok();
    let text = String::from_utf8_lossy(&start[..n]);
    rewound
        && text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("BEGIN:VCARD")
}

/// Starts importing `file` with the request's parameters (`mode`, `key`,
/// `dry_run`, `file_name`, `column.N`); answers 202 with the job.
async fn begin(
    state: &AppState,
    caller: &Caller,
    entity: ImportEntity,
    mut params: HashMap<String, String>,
    file: std::fs::File,
    default_name: &str,
) -> Result<Response, ApiError> {
    let key = take_text(&mut params, "key")
        .map(|k| Key::parse(&k).map_err(|c| bad_request("key", c)))
        .transpose()?;
    let mode = match take_text(&mut params, "mode") {
        Some(m) => Mode::parse(&m).map_err(|c| bad_request("mode", c))?,
        None if key.is_some() => Mode::Upsert,
        None => Mode::Create,
    };
    let dry_run = take_bool(&mut params, "dry_run")?.unwrap_or(false);
    let file_name = take_text(&mut params, "file_name").unwrap_or_else(|| default_name.into());
    let save_profile = take_text(&mut params, "save_profile");
    let original = file
        .try_clone()
        .map_err(|_| bad_request("file", "unreadable_file"))?;
    let (rows, columns, _) = read(&state.app, &caller.principal, entity, file, &mut params).await?;
    no_more(params)?;
    let spec = Spec {
        entity,
        mode,
        key,
        dry_run,
        file_name,
        save_profile,
    };
    let job = launch(
        &state.app,
        &caller.principal,
        &spec,
        &columns,
        rows.format(),
        original,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(JobView::of(&job))).into_response())
}

/// Records an import job with its file and queues it for the job runner.
/// `file` is the upload as sent (read again from its start).
pub(crate) async fn launch(
    app: &App,
    p: &Principal,
    spec: &Spec,
    columns: &Columns,
    format: &str,
    mut file: std::fs::File,
) -> Result<ImportJob, ApiError> {
    use std::io::{Read, Seek};
    let mut content = Vec::new();
    file.rewind()
        .and_then(|_| file.read_to_end(&mut content))
        .map_err(|_| bad_request("file", "unreadable_file"))?;
    Ok(import::queue(app, p, spec, columns, format, content).await?)
}

/// The caller's latest imports (an administrator's: everyone's).
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports",
    responses((status = 200, body = Vec<JobView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<JobView>>, ApiError> {
    let jobs = import::recent(&state.app, &caller.principal, 50).await?;
    Ok(Json(jobs.iter().map(JobView::of).collect()))
}

/// One import job: its state and counts.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(JobView::of(
        &import::get(&state.app, &caller.principal, id).await?,
    )))
}

/// An import's refused rows, in file order.
#[utoipa::path(get, path = "/api/v1/imports/{id}/errors", tag = "imports",
    params(("id" = Uuid, Path), ("after" = Option<i64>, Query, description = "next_after of the previous page")),
    responses((status = 200, body = ErrorList), (status = 404, body = Problem)))]
pub async fn errors(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<ErrorList>, ApiError> {
    let after = take_text(&mut params, "after")
        .map(|a| {
            a.parse::<i64>()
                .map_err(|_| bad_request("after", "invalid_number"))
        })
        .transpose()?;
    no_more(params)?;
    let (items, next_after) =
        import::errors(&state.app, &caller.principal, id, after, ERROR_PAGE).await?;
    Ok(Json(ErrorList { items, next_after }))
}

/// The error report as CSV (row, column, value, problem in the caller's
/// language), every refused row, streamed.
#[utoipa::path(get, path = "/api/v1/imports/{id}/errors.csv", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
pub async fn errors_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    error_report(&state.app, &caller.principal, id, lang).await
}

/// An import's error report as a streamed CSV download in `lang`.
pub(crate) async fn error_report(
    app: &App,
    p: &Principal,
    id: Uuid,
    lang: &'static str,
) -> Result<Response, ApiError> {
    import::get(app, p, id).await?;
    let tr = Tr::new(lang);
    let head: Vec<String> = [
        "import-row",
        "import-column",
        "import-value",
        "import-problem",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let (app, p) = (app.clone(), p.clone());
    let pages = futures::stream::try_unfold(Some(0i64), move |after| {
        let (app, p, tr) = (app.clone(), p.clone(), Tr::new(lang));
        async move {
            let Some(after) = after else {
                return Ok::<_, AppError>(None);
            };
            let (items, next) = import::errors(&app, &p, id, Some(after), ERROR_PAGE).await?;
            let text: String = items
                .iter()
                .map(|e| {
                    line(&[
                        e.line.to_string(),
                        karta_core::export::neutralize(&e.column),
                        karta_core::export::neutralize(&e.value),
                        tr.error(&e.code),
                    ])
                })
                .collect();
            Ok(Some((text, next)))
        }
    });
    let body =
        futures::stream::once(async move { Ok::<_, AppError>(format!("{BOM}{}", line(&head))) })
            .chain(pages)
            .map(|chunk| chunk.map_err(|e| std::io::Error::other(e.to_string())));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-errors.csv\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// Undoes an import: what it created goes to the trash, what it updated
/// gets its earlier fields back; records changed since are left alone.
#[utoipa::path(post, path = "/api/v1/imports/{id}/undo", tag = "imports", params(("id" = Uuid, Path)),
    responses((status = 200, body = UndoSummary), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn undo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<UndoSummary>, ApiError> {
    Ok(Json(import::undo(&state.app, &caller.principal, id).await?))
}
