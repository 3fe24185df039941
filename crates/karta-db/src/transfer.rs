//! Moving a whole database out and in, on either engine (`karta export
//! --all`, `import --all`, `backup`, `restore`): every table as JSON Lines,
//! parents before children, with a manifest of row counts and SHA-256
//! checksums. Rows are written in primary-key order and JSON objects with
//! sorted keys, so the same data gives the same files whatever engine held
//! it. Sessions, rate-limit windows and idempotency keys are left out: they
//! are short-lived, and a moved company starts with everyone logged out.

mod archive;
mod backup;

pub use archive::{Directory, Reader, Writer, ZipReader, ZipWriter};
pub use backup::{BackupKind, backup, restore};

use crate::entities as e;
use crate::{Backend, Db};
use futures::TryStreamExt;
use sea_orm::{
    AccessMode, ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    FromQueryResult, IntoActiveModel, IsolationLevel, Iterable, PrimaryKeyToColumn, QueryOrder,
    QuerySelect, StreamTrait, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// The format written into every manifest.
pub const FORMAT: &str = "karta-export/1";
/// The manifest's file name inside an export.
pub const MANIFEST: &str = "manifest.json";

/// What an export holds: its format, the schema it was written with, and
/// each table's row count and checksum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The last migration applied to the database it came from.
    pub schema: String,
    pub tables: BTreeMap<String, TableSummary>,
}

/// One table of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    pub rows: u64,
    /// SHA-256 of the table's `.jsonl` file, lower-case hex.
    pub sha256: String,
}

/// Why an export or import stopped. Imports run in one transaction, so
/// after any of these the database is as it was.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{0} already exists: choose a new name, nothing is ever overwritten")]
    Exists(String),
    #[error("this is not a Karta export: {0}")]
    NotAnExport(String),
    #[error(
        "the export was written by a Karta with schema {found}, this one has {expected}; \
         import it with the Karta version that wrote it"
    )]
    Schema { found: String, expected: String },
    #[error(
        "the database already holds users or records; load into an empty database \
         (a new --data-dir or a new PostgreSQL database), or pass --replace to wipe it first"
    )]
    NotEmpty,
    #[error("{table}.jsonl, line {line}: {message}")]
    BadRow {
        table: String,
        line: u64,
        message: String,
    },
    #[error("{table}.jsonl does not match the manifest ({what}): the export is damaged")]
    Damaged { table: String, what: String },
}

impl TransferError {
    pub(crate) fn io(file: &str) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            file: file.to_string(),
            source,
        }
    }
}

/// Tables that are not exported; wiped by `--replace` all the same.
const SHORT_LIVED: &[&str] = &[
    "sessions",
    "rate_limits",
    "idempotency_keys",
    "notifications",
    "outbox",
];

/// Tables whose rows mean a company already lives in the database.
const COMPANY_TABLES: &[&str] = &[
    "users", "accounts", "contacts", "deals", "leads", "products",
];

macro_rules! tables {
    ($($table:literal => $entity:ident),* $(,)?) => {
        /// Exported tables in load order: parents before children; the
        /// search entries (which reference nothing) last.
        pub const TABLES: &[&str] = &[$($table,)* "search_docs"];

        async fn write_table<C: ConnectionTrait + StreamTrait>(
            db: &C,
            table: &str,
            out: &mut dyn Write,
        ) -> Result<u64, TransferError> {
            match table {
                "search_docs" => write_search_docs(db, out).await,
                $($table => write_rows::<e::$entity::Entity, C>(db, table, out).await,)*
                other => Err(TransferError::NotAnExport(format!("unknown table {other}"))),
            }
        }

        async fn load_table(
            txn: &DatabaseTransaction,
            table: &str,
            input: &mut dyn BufRead,
        ) -> Result<u64, TransferError> {
            match table {
                "search_docs" => load_search_docs(txn, input).await,
                $($table => load_rows::<e::$entity::Entity>(txn, table, input).await,)*
                other => Err(TransferError::NotAnExport(format!("unknown table {other}"))),
            }
        }
    };
}

tables! {
    "teams" => team,
    "users" => user,
    "api_tokens" => api_token,
    "login_events" => login_event,
    "counters" => counter,
    "classifiers" => classifier,
    "custom_fields" => custom_field,
    "accounts" => account,
    "contacts" => contact,
    "contact_accounts" => contact_account,
    "contact_channels" => contact_channel,
    "changes" => change,
    "pipelines" => pipeline,
    "stages" => stage,
    "deals" => deal,
    "deal_contacts" => deal_contact,
    "deal_lines" => deal_line,
    "deal_documents" => deal_document,
    "deal_stays" => deal_stay,
    "activities" => activity,
    "tasks" => task,
    "leads" => lead,
    "products" => product,
    "price_lists" => price_list,
    "price_list_items" => price_list_item,
    "contracts" => contract,
    "contract_items" => contract_item,
    "orders" => order,
    "order_lines" => order_line,
    "order_events" => order_event,
    "invoices" => invoice,
    "payments" => payment,
    "hold_releases" => hold_release,
    "routing_rules" => routing_rule,
    "settings" => setting,
    "calendar_feeds" => calendar_feed,
    "import_jobs" => import_job,
    "import_items" => import_item,
    "import_errors" => import_error,
    "import_profiles" => import_profile,
}

/// The name of the newest migration this Karta knows.
pub fn current_schema() -> String {
    crate::migration::Migrator::migrations()
        .last()
        .map(|m| m.name().to_string())
        .unwrap_or_default()
}

/// Writes every table into `to`, from one consistent snapshot (a read
/// transaction), while the database keeps serving.
pub async fn export_all(db: &Db, to: &mut dyn Writer) -> Result<Manifest, TransferError> {
    let snapshot = match db.backend() {
        Backend::Postgres => TransactionOptions {
            isolation_level: Some(IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            ..Default::default()
        },
        // SQLite in WAL mode reads one snapshot for a whole transaction.
        Backend::Sqlite => TransactionOptions::default(),
    };
    let txn = db.conn().begin_with_options(snapshot).await?;
    let mut tables = BTreeMap::new();
    for table in TABLES {
        let file = format!("{table}.jsonl");
        let mut out = Hashing::new(to.create(&file).map_err(TransferError::io(&file))?);
        let rows = write_table(&txn, table, &mut out).await?;
        let sha256 = out.finish().map_err(TransferError::io(&file))?;
        tables.insert(table.to_string(), TableSummary { rows, sha256 });
    }
    txn.commit().await?;
    let manifest = Manifest {
        format: FORMAT.to_string(),
        schema: current_schema(),
        tables,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| TransferError::Io {
        file: MANIFEST.into(),
        source: e.into(),
    })?;
    let mut out = to.create(MANIFEST).map_err(TransferError::io(MANIFEST))?;
    out.write_all(&text)
        .and_then(|()| out.flush())
        .map_err(TransferError::io(MANIFEST))?;
    drop(out);
    to.finish().map_err(TransferError::io(MANIFEST))?;
    Ok(manifest)
}

/// Loads an export into `db` in one transaction. The database must hold no
/// company yet unless `replace` is set, which wipes it first; what the
/// migrations seeded (activity types, counters) is replaced by the export's.
pub async fn import_all(
    db: &Db,
    from: &mut dyn Reader,
    replace: bool,
) -> Result<Manifest, TransferError> {
    let manifest = read_manifest(from)?;
    let txn = db.begin_write().await?;
    if !replace && holds_company(&txn).await? {
        return Err(TransferError::NotEmpty);
    }
    for table in SHORT_LIVED.iter().chain(TABLES.iter().rev()) {
        txn.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    if db.backend() == Backend::Sqlite {
        txn.execute_unprepared("DELETE FROM search_fts").await?;
    }
    for table in TABLES {
        let expected = &manifest.tables[*table];
        let file = format!("{table}.jsonl");
        let mut input = from.open(&file).map_err(TransferError::io(&file))?;
        let mut hashed = std::io::BufReader::new(Hashing::new(&mut input));
        let rows = load_table(&txn, table, &mut hashed).await?;
        let sha256 = hashed
            .into_inner()
            .finish_reading()
            .map_err(TransferError::io(&file))?;
        if rows != expected.rows || sha256 != expected.sha256 {
            return Err(TransferError::Damaged {
                table: table.to_string(),
                what: format!("{rows} rows, expected {}", expected.rows),
            });
        }
    }
    txn.commit().await?;
    db.analyze().await?;
    Ok(manifest)
}

/// Reads and checks the manifest: format, schema, and exactly our tables.
pub fn read_manifest(from: &mut dyn Reader) -> Result<Manifest, TransferError> {
    let mut text = Vec::new();
    from.open(MANIFEST)
        .and_then(|mut r| r.read_to_end(&mut text))
        .map_err(|e| TransferError::NotAnExport(format!("{MANIFEST}: {e}")))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| TransferError::NotAnExport(format!("{MANIFEST}: {e}")))?;
    if manifest.format != FORMAT {
        return Err(TransferError::NotAnExport(format!(
            "format {}, expected {FORMAT}",
            manifest.format
        )));
    }
    let expected = current_schema();
    if manifest.schema != expected {
        return Err(TransferError::Schema {
            found: manifest.schema,
            expected,
        });
    }
    let known: Vec<&str> = manifest.tables.keys().map(String::as_str).collect();
    let mut ours = TABLES.to_vec();
    ours.sort_unstable();
    if known != ours {
        return Err(TransferError::NotAnExport(
            "its tables are not this schema's tables".into(),
        ));
    }
    Ok(manifest)
}

async fn holds_company(txn: &DatabaseTransaction) -> Result<bool, DbErr> {
    for table in COMPANY_TABLES {
        let row = txn
            .query_one_raw(sea_orm::Statement::from_string(
                ConnectionTrait::get_database_backend(txn),
                format!("SELECT 1 FROM {table} LIMIT 1"),
            ))
            .await?;
        if row.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn write_rows<E, C>(db: &C, table: &str, out: &mut dyn Write) -> Result<u64, TransferError>
where
    E: EntityTrait,
    E::Model: Serialize + Send + Sync,
    C: ConnectionTrait + StreamTrait,
{
    let mut query = E::find();
    for key in E::PrimaryKey::iter() {
        query = query.order_by_asc(key.into_column());
    }
    let mut rows = query.stream(db).await?;
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        write_line(out, table, &row)?;
        count += 1;
    }
    Ok(count)
}

async fn load_rows<E>(
    txn: &DatabaseTransaction,
    table: &str,
    input: &mut dyn BufRead,
) -> Result<u64, TransferError>
where
    E: EntityTrait,
    E::Model: DeserializeOwned + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let per_insert = crate::bulk::rows_per_insert(E::Column::iter().count());
    let mut lines = Lines::new(input, table);
    let mut batch = Vec::with_capacity(per_insert);
    while let Some(model) = lines.next::<E::Model>()? {
        batch.push(model.into_active_model().reset_all());
        if batch.len() == per_insert {
            E::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(txn)
                .await?;
        }
    }
    if !batch.is_empty() {
        E::insert_many(batch).exec_without_returning(txn).await?;
    }
    Ok(lines.count)
}

/// A search entry without its engine-local row id.
#[derive(Debug, Serialize, Deserialize, FromQueryResult)]
struct SearchDoc {
    entity: String,
    record_id: uuid::Uuid,
    body: String,
    private_body: String,
}

async fn write_search_docs<C: ConnectionTrait + StreamTrait>(
    db: &C,
    out: &mut dyn Write,
) -> Result<u64, TransferError> {
    use e::search_doc::{Column, Entity};
    let mut rows = Entity::find()
        .select_only()
        .columns([
            Column::Entity,
            Column::RecordId,
            Column::Body,
            Column::PrivateBody,
        ])
        .order_by_asc(Column::RecordId)
        .into_model::<SearchDoc>()
        .stream(db)
        .await?;
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        write_line(out, "search_docs", &row)?;
        count += 1;
    }
    Ok(count)
}

/// Search entries go in through `search::index_many`, which also fills
/// SQLite's full-text table; their row ids are the target engine's own.
async fn load_search_docs(
    txn: &DatabaseTransaction,
    input: &mut dyn BufRead,
) -> Result<u64, TransferError> {
    let mut lines = Lines::new(input, "search_docs");
    let mut batch: Vec<SearchDoc> = Vec::with_capacity(1000);
    while let Some(doc) = lines.next::<SearchDoc>()? {
        batch.push(doc);
        if batch.len() == 1000 {
            index_docs(txn, &std::mem::take(&mut batch)).await?;
        }
    }
    index_docs(txn, &batch).await?;
    Ok(lines.count)
}

async fn index_docs(txn: &DatabaseTransaction, docs: &[SearchDoc]) -> Result<(), DbErr> {
    let docs: Vec<_> = docs
        .iter()
        .map(|d| {
            (
                d.entity.as_str(),
                d.record_id,
                d.body.clone(),
                d.private_body.clone(),
            )
        })
        .collect();
    crate::search::index_many(txn, &docs).await
}

fn write_line<T: Serialize>(
    out: &mut dyn Write,
    table: &str,
    row: &T,
) -> Result<(), TransferError> {
    let file = format!("{table}.jsonl");
    serde_json::to_writer(&mut *out, row)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(TransferError::io(&file))
}

/// Rows of one `.jsonl` file, numbered for error messages.
struct Lines<'a> {
    input: &'a mut dyn BufRead,
    table: &'a str,
    line: u64,
    count: u64,
    buf: String,
}

impl<'a> Lines<'a> {
    fn new(input: &'a mut dyn BufRead, table: &'a str) -> Self {
        Self {
            input,
            table,
            line: 0,
            count: 0,
            buf: String::new(),
        }
    }

    fn next<T: DeserializeOwned>(&mut self) -> Result<Option<T>, TransferError> {
        loop {
            self.buf.clear();
            self.line += 1;
            let read = self
                .input
                .read_line(&mut self.buf)
                .map_err(|e| self.bad(e.to_string()))?;
            if read == 0 {
                return Ok(None);
            }
            let text = self.buf.trim_end();
            if text.is_empty() {
                continue;
            }
            let row = serde_json::from_str(text).map_err(|e| self.bad(e.to_string()))?;
            self.count += 1;
            return Ok(Some(row));
        }
    }

    fn bad(&self, message: String) -> TransferError {
        TransferError::BadRow {
            table: self.table.to_string(),
            line: self.line,
            message,
        }
    }
}

/// Passes bytes through while hashing them.
struct Hashing<T> {
    inner: T,
    hasher: Sha256,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }
}

impl<T: Write> Hashing<T> {
    /// Flushes and returns the hex digest of everything written.
    fn finish(mut self) -> std::io::Result<String> {
        self.inner.flush()?;
        Ok(hex(&self.hasher.finalize()))
    }
}

impl<T: std::io::Read> Hashing<T> {
    /// The hex digest of everything read, after reading to the end.
    fn finish_reading(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(hex(&self.hasher.finalize()))
    }
}

impl<T: Write> Write for Hashing<T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<T: std::io::Read> std::io::Read for Hashing<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
