//! `karta backup` and `karta restore`: one file holding the whole company.
//! On SQLite the backup is a copy of the database made online by `VACUUM
//! INTO` (readers and writers carry on); on PostgreSQL it is the portable
//! export zipped into one file. Either restores into either engine.

use super::{Directory, Manifest, TransferError, ZipReader, ZipWriter, export_all, import_all};
use crate::{Backend, Db};
use sea_orm::{ConnectionTrait, Statement};
use std::io::Read;
use std::path::Path;

/// What kind of file a backup is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupKind {
    /// A SQLite database file.
    Sqlite,
    /// A zipped export.
    Export,
}

/// Writes a backup of `db` into `file`, which must not exist yet.
pub async fn backup(db: &Db, file: &Path) -> Result<BackupKind, TransferError> {
    let name = file.display().to_string();
    if file.exists() {
        return Err(TransferError::Exists(name));
    }
    match db.backend() {
        Backend::Sqlite => {
            db.conn()
                .execute_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Sqlite,
                    "VACUUM INTO ?",
                    [name.into()],
                ))
                .await?;
            Ok(BackupKind::Sqlite)
        }
        Backend::Postgres => {
            let mut zip = ZipWriter::create(file).map_err(TransferError::io(&name))?;
            export_all(db, &mut zip).await?;
            Ok(BackupKind::Export)
        }
    }
}

/// Loads a backup made by [`backup`] into `db` (see [`import_all`] for
/// `replace`). A SQLite backup is first copied aside, brought up to this
/// Karta's schema and exported, so the file given is never changed.
pub async fn restore(db: &Db, file: &Path, replace: bool) -> Result<Manifest, TransferError> {
    let name = file.display().to_string();
    match kind_of(file).map_err(TransferError::io(&name))? {
        Some(BackupKind::Export) => {
            let mut zip = ZipReader::open(file).map_err(TransferError::io(&name))?;
            import_all(db, &mut zip, replace).await
        }
        Some(BackupKind::Sqlite) => {
            let work = tempfile::tempdir().map_err(TransferError::io("a temporary directory"))?;
            let copy = work.path().join("karta.db");
            std::fs::copy(file, &copy).map_err(TransferError::io(&name))?;
            let url = format!("sqlite://{}", copy.display());
            let source = Db::connect(&url)
                .await
                .map_err(|e| TransferError::NotAnExport(format!("{name}: {e}")))?;
            crate::migration::migrate(&source).await?;
            let exported = work.path().join("export");
            let mut dir = Directory::create(&exported).map_err(TransferError::io("export"))?;
            export_all(&source, &mut dir).await?;
            source.close().await?;
            import_all(db, &mut Directory::open(&exported), replace).await
        }
        None => Err(TransferError::NotAnExport(format!(
            "{name} is neither a SQLite database nor a zipped export"
        ))),
    }
}

/// Tells the two backup kinds apart by their first bytes.
fn kind_of(file: &Path) -> std::io::Result<Option<BackupKind>> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(file)?;
    let n = f.read(&mut head)?;
    Ok(if head[..n].starts_with(b"SQLite format 3\0") {
        Some(BackupKind::Sqlite)
    } else if head[..n].starts_with(b"PK\x03\x04") {
        Some(BackupKind::Export)
    } else {
        None
    })
}
