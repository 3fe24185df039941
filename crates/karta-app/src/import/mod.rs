//! Imports of accounts and contacts from CSV files.
//!
//! An import is a job. It reads the file row by row and checks each row
//! with the API's own rules. It writes in batches: each batch is one
//! transaction that also records the job's progress, what it created or
//! changed, and the rows it refused. A crash loses at most the batch in
//! flight, and a resumed run starts after the last committed one. A dry run
//! does all of this and then rolls every batch back. A finished import can
//! be undone.

mod columns;
pub mod profiles;
mod undo;
mod write;

pub use columns::{Columns, Lookups, Target};
pub use undo::{UndoSummary, undo};

use crate::uow::Tx;
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::import::{CsvRows, ImportField, Key, Mode};
use karta_core::roles::{Access, Entity, Role};
use karta_db::entities::{import_error, import_item, import_job};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// Rows written per transaction.
pub const BATCH: usize = 1000;

/// Longest cell text kept in an error report.
const REPORTED_VALUE: usize = 200;

/// What an import brings in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportEntity {
    Accounts,
    Contacts,
    Leads,
    Products,
}

impl ImportEntity {
    /// Every importable entity, in the order the UI offers them.
    pub const ALL: [ImportEntity; 4] =
        [Self::Accounts, Self::Contacts, Self::Leads, Self::Products];

    /// Parses `accounts`, `contacts`, `leads` or `products`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == raw)
            .ok_or("invalid_entity")
    }

    /// Stable identifier (the API's path segment).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounts => "accounts",
            Self::Contacts => "contacts",
            Self::Leads => "leads",
            Self::Products => "products",
        }
    }

    /// The fields a column can fill.
    pub fn fields(self) -> &'static [ImportField] {
        match self {
            Self::Accounts => karta_core::import::ACCOUNT_FIELDS,
            Self::Contacts => karta_core::import::CONTACT_FIELDS,
            Self::Leads => karta_core::import::LEAD_FIELDS,
            Self::Products => karta_core::import::PRODUCT_FIELDS,
        }
    }

    /// The entity the import creates, whose write right it needs.
    pub fn entity(self) -> Entity {
        match self {
            Self::Accounts => Entity::Accounts,
            Self::Contacts => Entity::Contacts,
            Self::Leads => Entity::Leads,
            Self::Products => Entity::Products,
        }
    }

    /// The tables an import of this entity fills.
    fn tables(self) -> &'static [&'static str] {
        match self {
            Self::Accounts => &["accounts", "changes", "search_docs"],
            Self::Contacts => &["contacts", "contact_channels", "changes", "search_docs"],
            Self::Leads => &["leads", "changes", "search_docs"],
            Self::Products => &["products", "changes", "search_docs"],
        }
    }

    /// The keys that find this entity's records.
    pub fn keys(self) -> &'static [Key] {
        match self {
            Self::Accounts => &[Key::Code, Key::Inn, Key::ExternalId],
            Self::Contacts => &[Key::Email, Key::Phone, Key::ExternalId],
            Self::Leads => &[Key::Email, Key::Phone],
            Self::Products => &[Key::Sku],
        }
    }

    /// The import fields `p` may not see, so may not fill either.
    pub fn hidden_fields(self, p: &Principal) -> &'static [&'static str] {
        match self {
            Self::Contacts => crate::contacts::hidden_fields(p),
            Self::Leads if !p.sees_personal_data() => &["email", "phone"],
            Self::Products if !p.sees_costs() => &["cost_price"],
            _ => &[],
        }
    }

    /// The import field that carries `key` (a lead has one e-mail, a
    /// contact a list of them).
    pub fn key_field(self, key: Key) -> &'static str {
        match (self, key) {
            (Self::Leads, Key::Email) => "email",
            (Self::Leads, Key::Phone) => "phone",
            _ => key.as_str(),
        }
    }
}

/// How to import a file.
#[derive(Debug, Clone)]
pub struct Spec {
    pub entity: ImportEntity,
    pub mode: Mode,
    pub key: Option<Key>,
    pub dry_run: bool,
    pub file_name: String,
    /// Also save the columns' mapping as the profile of this name.
    pub save_profile: Option<String>,
}

/// An import job as clients see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub entity: String,
    pub mode: String,
    pub key: Option<String>,
    pub dry_run: bool,
    /// `running`, `done`, `failed` or `undone`.
    pub status: String,
    pub file_name: String,
    /// `utf-8` or `windows-1251` for CSV, `xlsx` for a workbook.
    pub encoding: String,
    /// The field each column fills, in column order (`null`: skipped).
    #[schema(value_type = Vec<Option<String>>)]
    pub columns: Value,
    /// Data rows processed so far.
    pub rows_done: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    /// Why the file stopped being read, if it did.
    pub failure: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub undone_at: Option<i64>,
}

impl JobView {
    /// The view of a stored job.
    pub fn of(m: &import_job::Model) -> Self {
        Self {
            id: m.id,
            entity: m.entity.clone(),
            mode: m.mode.clone(),
            key: m.key_field.clone(),
            dry_run: m.dry_run,
            status: m.status.clone(),
            file_name: m.file_name.clone(),
            encoding: m.encoding.clone(),
            columns: m.columns.clone(),
            rows_done: m.rows_done,
            created: m.created,
            updated: m.updated,
            unchanged: m.unchanged,
            failed: m.failed,
            failure: m.failure.clone(),
            created_by: m.created_by,
            created_at: m.created_at,
            finished_at: m.finished_at,
            undone_at: m.undone_at,
        }
    }
}

/// One refused cell or row of an import, as the error report lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The row's line in the file (the header is line 1).
    pub line: i64,
    /// The column's header; empty when the whole row is refused.
    pub column: String,
    pub value: String,
    /// A stable error code.
    pub code: String,
}

/// The custom fields of the imported entity.
pub async fn custom_fields(
    app: &App,
    entity: ImportEntity,
) -> Result<Vec<karta_db::entities::custom_field::Model>, AppError> {
    Ok(karta_db::custom_fields::of_entity(app.db.conn(), entity.as_str()).await?)
}

/// Checks a spec and its columns and records a new job, ready to run
/// here and now (the CLI, which shows its progress).
pub async fn start(
    app: &App,
    p: &Principal,
    spec: &Spec,
    columns: &Columns,
    encoding: &str,
) -> Result<import_job::Model, AppError> {
    let job = prepare(app, p, spec, columns, encoding).await?;
    Ok(job.insert(app.db.conn()).await?)
}

/// Checks a spec and its columns, records a new job with its file and
/// queues it for the job runner, all in one transaction (the API and the
/// import page): the import survives a restart and runs in any process.
pub async fn queue(
    app: &App,
    p: &Principal,
    spec: &Spec,
    columns: &Columns,
    encoding: &str,
    file: Vec<u8>,
) -> Result<import_job::Model, AppError> {
    let job = prepare(app, p, spec, columns, encoding).await?;
    let tx = Tx::begin(app, p.actor()).await?;
    let job = job.insert(&*tx).await?;
    karta_db::jobs::store_import_file(&*tx, job.id, file).await?;
    let payload = Queued {
        import_id: job.id,
        user_id: p.user_id,
        scopes: p
            .scopes
            .as_ref()
            .map(|s| s.iter().map(ToString::to_string).collect()),
        channel: p.channel.into(),
    };
    tx.enqueue(
        crate::jobs::Kind::Import,
        serde_json::to_value(&payload).unwrap_or_default(),
        Some(format!("import:{}", job.id)),
    )
    .await?;
    tx.commit().await?;
    Ok(job)
}

/// What the job runner needs to run a queued import as the person who
/// asked for it (their rights are read again when it runs).
#[derive(Debug, Serialize, serde::Deserialize)]
struct Queued {
    import_id: Uuid,
    user_id: Uuid,
    scopes: Option<Vec<String>>,
    channel: String,
}

/// Runs (or resumes) a queued import: the job runner's handler. Running it
/// again after it finished does nothing.
pub async fn run_job(app: &App, payload: &Value) -> Result<(), AppError> {
    let task: Queued = serde_json::from_value(payload.clone())
        .map_err(|_| AppError::field("payload", "invalid"))?;
    let conn = app.db.conn();
    let Some(file) = karta_db::jobs::import_file(conn, task.import_id).await? else {
        return Ok(());
    };
    let user = karta_db::users::user(conn, task.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::Forbidden)?;
    let scopes = task
        .scopes
        .map(|s| s.iter().filter_map(|s| s.parse().ok()).collect());
    let channel = match task.channel.as_str() {
        "ui" => "ui",
        "cli" => "cli",
        _ => "api",
    };
    let p = crate::auth::principal_of(&user, scopes, channel).ok_or(AppError::Forbidden)?;
    let job = get(app, &p, task.import_id).await?;
    let entity = ImportEntity::parse(&job.entity).map_err(|_| AppError::NotFound)?;
    // A file that no longer reads, or columns that no longer fit (a custom
    // field removed meanwhile), stop the import where a person sees why.
    let mut rows = match open_file(file) {
        Ok(rows) => rows,
        Err(code) => {
            mark_failed(app, job.id, code).await;
            return Err(AppError::field("file", code));
        }
    };
    let names: Vec<Option<String>> =
        serde_json::from_value(job.columns.clone()).unwrap_or_default();
    let customs = custom_fields(app, entity).await?;
    let columns = match Columns::chosen(entity, &rows.headers, &names, &customs) {
        Ok(columns) => columns,
        Err(e) => {
            mark_failed(app, job.id, "columns_changed").await;
            return Err(e.into());
        }
    };
    match run(app, &p, job.id, &columns, &mut rows, &mut |_| {}).await {
        Ok(_) | Err(AppError::Conflict("import_finished")) => {
            karta_db::jobs::forget_import_file(conn, job.id).await?;
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Reads a stored upload (CSV, or a workbook's first sheet).
fn open_file(content: Vec<u8>) -> Result<CsvRows, &'static str> {
    use std::io::{Seek, Write};
    let mut file = tempfile::tempfile().map_err(|_| "unreadable_file")?;
    file.write_all(&content).map_err(|_| "unreadable_file")?;
    file.rewind().map_err(|_| "unreadable_file")?;
    karta_core::xlsx::open_rows(file).map_err(|e| e.code())
}

/// Checks a spec and its columns (saving the mapping as a profile when
/// asked) and builds the job's row.
async fn prepare(
    app: &App,
    p: &Principal,
    spec: &Spec,
    columns: &Columns,
    encoding: &str,
) -> Result<import_job::ActiveModel, AppError> {
    p.require(spec.entity.entity(), Access::Write)?;
    let mut e = Invalid::default();
    match spec.key {
        Some(key) if !spec.entity.keys().contains(&key) => e.push("key", "key_not_for_entity"),
        Some(key) if !columns.fills(spec.entity.key_field(key)) => {
            e.push("key", "key_column_missing")
        }
        None if spec.mode != Mode::Create => e.push("key", "required"),
        _ => {}
    }
    if columns.targets.iter().all(Option::is_none) {
        e.push("columns", "nothing_mapped");
    }
    let hidden = spec.entity.hidden_fields(p);
    for (i, t) in columns.targets.iter().enumerate() {
        if t.as_ref()
            .is_some_and(|t| hidden.contains(&t.name().as_str()))
        {
            e.push(format!("columns[{i}]"), "field_not_allowed");
        }
    }
    e.into_result()?;
    if let Some(name) = &spec.save_profile {
        profiles::save(
            app,
            p,
            spec.entity,
            name,
            &columns.headers,
            &columns.names(),
        )
        .await?;
    }
    let now = app.now();
    let job = import_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        entity: Set(spec.entity.as_str().into()),
        mode: Set(spec.mode.as_str().into()),
        key_field: Set(spec.key.map(|k| k.as_str().to_string())),
        dry_run: Set(spec.dry_run),
        status: Set("running".into()),
        file_name: Set(spec.file_name.chars().take(200).collect()),
        encoding: Set(encoding.into()),
        columns: Set(serde_json::json!(columns.names())),
        rows_done: Set(0),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        failed: Set(0),
        failure: Set(None),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        undone_at: Set(None),
        undone_by: Set(None),
    };
    Ok(job)
}

/// Reads a job the principal may see: their own, or any for an
/// administrator.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<import_job::Model, AppError> {
    let job = import_job::Entity::find_by_id(id)
        .one(app.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    if job.created_by != Some(p.user_id) && p.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    Ok(job)
}

/// The principal's latest jobs (an administrator's: everyone's), newest
/// first.
pub async fn recent(
    app: &App,
    p: &Principal,
    limit: u64,
) -> Result<Vec<import_job::Model>, AppError> {
    let mut q = import_job::Entity::find();
    if p.role != Role::Admin {
        q = q.filter(import_job::Column::CreatedBy.eq(p.user_id));
    }
    Ok(q.order_by_desc(import_job::Column::CreatedAt)
        .order_by_desc(import_job::Column::Id)
        .limit(limit)
        .all(app.db.conn())
        .await?)
}

/// Errors of a job after row `after`, in file order: up to `limit`, whole
/// rows only (unless one row alone has more), with the row to continue
/// after when there are more.
pub async fn errors(
    app: &App,
    p: &Principal,
    id: Uuid,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<RowError>, Option<i64>), AppError> {
    get(app, p, id).await?;
    let rows = import_error::Entity::find()
        .filter(import_error::Column::JobId.eq(id))
        .filter(import_error::Column::Line.gt(after.unwrap_or(0)))
        .order_by_asc(import_error::Column::Line)
        .order_by_asc(import_error::Column::N)
        .limit(limit)
        .all(app.db.conn())
        .await?;
    let mut items: Vec<RowError> = rows
        .into_iter()
        .map(|r| RowError {
            line: r.line,
            column: r.column_name,
            value: r.value,
            code: r.code,
        })
        .collect();
    if (items.len() as u64) < limit {
        return Ok((items, None));
    }
    let last = items.last().map_or(0, |e| e.line);
    if items.iter().any(|e| e.line < last) {
        // The rest of the last row comes with the next page.
        items.retain(|e| e.line < last);
    }
    let next = items.last().map(|e| e.line);
    Ok((items, next))
}

/// What one row did.
enum Outcome {
    Created {
        id: Uuid,
        version: i64,
    },
    Updated {
        id: Uuid,
        version: i64,
        before: Value,
    },
    Unchanged,
    /// (column, error code) for each problem; `None` for the whole row.
    Refused(Vec<(Option<usize>, String)>),
}

/// Runs (or resumes) a job over the file's rows, calling `progress` after
/// every batch. The rows a previous run committed are skipped, so running a
/// job again after a crash imports each row exactly once. A run that fails
/// leaves the job `failed` (failure `internal`), ready to resume.
pub async fn run(
    app: &App,
    p: &Principal,
    job_id: Uuid,
    columns: &Columns,
    rows: &mut CsvRows,
    progress: &mut (dyn FnMut(&import_job::Model) + Send),
) -> Result<import_job::Model, AppError> {
    let outcome = run_rows(app, p, job_id, columns, rows, progress).await;
    // Not for a job that was never run (unknown, or finished already).
    if let Err(e) = &outcome
        && !matches!(e, AppError::NotFound | AppError::Conflict(_))
    {
        mark_failed(app, job_id, "internal").await;
    }
    outcome
}

/// Records that a job stopped (`failure` says why), ready to resume.
async fn mark_failed(app: &App, job_id: Uuid, failure: &str) {
    let failed = import_job::ActiveModel {
        id: Set(job_id),
        status: Set("failed".into()),
        failure: Set(Some(failure.into())),
        updated_at: Set(app.now()),
        ..Default::default()
    };
    if let Err(second) = failed.update(app.db.conn()).await {
        tracing::error!(job = %job_id, error = %second, "import failure not recorded");
    }
}

async fn run_rows(
    app: &App,
    p: &Principal,
    job_id: Uuid,
    columns: &Columns,
    rows: &mut CsvRows,
    progress: &mut (dyn FnMut(&import_job::Model) + Send),
) -> Result<import_job::Model, AppError> {
    let mut job = get(app, p, job_id).await?;
    if job.status != "running" && job.status != "failed" {
        return Err(AppError::Conflict("import_finished"));
    }
    let spec = Spec {
        entity: ImportEntity::parse(&job.entity).map_err(|_| AppError::NotFound)?,
        mode: Mode::parse(&job.mode).map_err(|_| AppError::NotFound)?,
        key: job.key_field.as_deref().and_then(|k| Key::parse(k).ok()),
        dry_run: job.dry_run,
        file_name: job.file_name.clone(),
        save_profile: None,
    };
    let mut lookups = Lookups::load(app, p).await?;
    // Rows an earlier run of this job committed.
    let committed = job.rows_done;
    let mut skipped = 0;
    let mut batch: Vec<(i64, Vec<String>)> = Vec::with_capacity(BATCH);
    let mut batches: u64 = 0;
    let mut failure = None;
    loop {
        let cells = match rows.next_row() {
            Ok(Some(cells)) => cells,
            Ok(None) => break,
            Err(e) => {
                failure = Some(format!("{} (line {})", e.code(), rows.line() + 1));
                break;
            }
        };
        if skipped < committed {
            skipped += 1;
            continue;
        }
        batch.push((rows.line() as i64, cells));
        if batch.len() == BATCH {
            job = write_batch(app, p, &spec, job, columns, &mut lookups, &batch).await?;
            batch.clear();
            batches += 1;
            // Each time the import has doubled what it wrote, so the key
            // look-ups keep using their indexes as the tables grow.
            if batches.is_power_of_two() {
                app.db.analyze_tables(spec.entity.tables()).await?;
            }
            progress(&job);
        }
    }
    if !batch.is_empty() {
        job = write_batch(app, p, &spec, job, columns, &mut lookups, &batch).await?;
    }
    let now = app.now();
    let mut done = job.into_active_model();
    done.status = Set(if failure.is_some() { "failed" } else { "done" }.into());
    done.failure = Set(failure);
    done.finished_at = Set(Some(now));
    done.updated_at = Set(now);
    let job = done.update(app.db.conn()).await?;
    progress(&job);
    Ok(job)
}

/// What the rows of one batch did: counts, items for undo, report lines,
/// and the new rows waiting to be inserted together.
struct Tally<'a> {
    job_id: Uuid,
    columns: &'a Columns,
    rows: &'a [(i64, Vec<String>)],
    waiting: Vec<(usize, write::Prepared)>,
    items: Vec<import_item::ActiveModel>,
    errors: Vec<import_error::ActiveModel>,
    created: i64,
    updated: i64,
    unchanged: i64,
    failed: i64,
}

impl<'a> Tally<'a> {
    fn new(job_id: Uuid, columns: &'a Columns, rows: &'a [(i64, Vec<String>)]) -> Self {
        Self {
            job_id,
            columns,
            rows,
            waiting: Vec::new(),
            items: Vec::new(),
            errors: Vec::new(),
            created: 0,
            updated: 0,
            unchanged: 0,
            failed: 0,
        }
    }

    /// Inserts the waiting new rows and records them.
    async fn create_waiting(&mut self, tx: &mut Tx<'_>) -> Result<(), AppError> {
        if self.waiting.is_empty() {
            return Ok(());
        }
        let (indexes, prepared): (Vec<usize>, Vec<write::Prepared>) =
            self.waiting.drain(..).unzip();
        let outcomes = write::create_many(tx, prepared).await?;
        for (i, outcome) in indexes.into_iter().zip(outcomes) {
            self.add(i, outcome);
        }
        Ok(())
    }

    /// Records what the batch's `i`-th row did.
    fn add(&mut self, i: usize, outcome: Outcome) {
        let (line, cells) = &self.rows[i];
        let item = |record_id, action: &str, version, before| import_item::ActiveModel {
            job_id: Set(self.job_id),
            line: Set(*line),
            record_id: Set(record_id),
            action: Set(action.into()),
            version: Set(version),
            before: Set(before),
        };
        match outcome {
            Outcome::Created { id, version } => {
                self.created += 1;
                self.items.push(item(id, "created", version, None));
            }
            Outcome::Updated {
                id,
                version,
                before,
            } => {
                self.updated += 1;
                self.items.push(item(id, "updated", version, Some(before)));
            }
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Refused(problems) => {
                self.failed += 1;
                for (n, (column, code)) in (0..).zip(problems) {
                    let (header, value) = column
                        .map(|c| {
                            (
                                self.columns.headers.get(c).cloned().unwrap_or_default(),
                                cells.get(c).cloned().unwrap_or_default(),
                            )
                        })
                        .unwrap_or_default();
                    self.errors.push(import_error::ActiveModel {
                        job_id: Set(self.job_id),
                        line: Set(*line),
                        n: Set(n),
                        column_name: Set(header),
                        value: Set(value.chars().take(REPORTED_VALUE).collect()),
                        code: Set(code),
                    });
                }
            }
        }
    }
}

/// Writes one batch in one transaction with the job's progress; a dry run
/// rolls the records back and keeps only the counts and the errors.
///
/// Rows that can only be new records are created together in a few
/// statements; the others are looked up and written one by one, in file
/// order (the new rows before them are written first).
async fn write_batch(
    app: &App,
    p: &Principal,
    spec: &Spec,
    job: import_job::Model,
    columns: &Columns,
    lookups: &mut Lookups,
    batch: &[(i64, Vec<String>)],
) -> Result<import_job::Model, AppError> {
    let app = &app.remembering_reference();
    let mut drafts = Vec::with_capacity(batch.len());
    for (_, cells) in batch {
        drafts.push(columns.draft(app, lookups, cells).await?);
    }
    let actor = write::import_actor(p);
    let mut tx = Tx::begin(app, actor).await?;
    let mut fresh = write::Fresh::load(&tx, spec, &drafts).await?;
    let mut tally = Tally::new(job.id, columns, batch);
    for (i, row) in drafts.into_iter().enumerate() {
        let outcome = if fresh.claim(spec, i, &row) {
            match write::prepare_new(app, p, columns, spec.entity, row).await? {
                Ok(prepared) => {
                    tally.waiting.push((i, prepared));
                    continue;
                }
                Err(refusal) => refusal,
            }
        } else {
            tally.create_waiting(&mut tx).await?;
            write::row(app, &mut tx, p, spec, columns, &mut fresh, row).await?
        };
        tally.add(i, outcome);
    }
    tally.create_waiting(&mut tx).await?;
    let progress_txn = if spec.dry_run {
        tx.rollback().await?;
        Tx::begin(app, actor).await?
    } else {
        tx
    };
    if !spec.dry_run {
        karta_db::bulk::insert_all::<import_item::Entity, _>(&*progress_txn, tally.items).await?;
    }
    karta_db::bulk::insert_all::<import_error::Entity, _>(&*progress_txn, tally.errors).await?;
    let mut next = job.clone().into_active_model();
    next.rows_done = Set(job.rows_done + batch.len() as i64);
    next.created = Set(job.created + tally.created);
    next.updated = Set(job.updated + tally.updated);
    next.unchanged = Set(job.unchanged + tally.unchanged);
    next.failed = Set(job.failed + tally.failed);
    next.updated_at = Set(progress_txn.now());
    let saved = next.update(&*progress_txn).await?;
    progress_txn.commit().await?;
    Ok(saved)
}
