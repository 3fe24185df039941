//! `karta export --all`, `karta import --all`, `karta backup` and `karta
//! restore`: the whole company out of one database and into another.

use crate::config::DbArgs;
use anyhow::{Context, Result};
use karta_db::transfer::{self, Directory, Manifest};
use std::path::Path;
use std::time::Instant;

/// `karta export --all DIR`.
pub async fn export_all(db: &DbArgs, dir: &Path) -> Result<()> {
    let app = crate::open(db).await?;
    let started = Instant::now();
    let mut to = Directory::create(dir)
        .with_context(|| format!("cannot write the export into {}", dir.display()))?;
    let manifest = transfer::export_all(&app.db, &mut to).await?;
    report("exported", &manifest, started, &dir.display().to_string());
    Ok(())
}

/// `karta import --all DIR [--replace]`.
pub async fn import_all(db: &DbArgs, dir: &Path, replace: bool) -> Result<()> {
    let app = crate::open(db).await?;
    let started = Instant::now();
    let manifest = transfer::import_all(&app.db, &mut Directory::open(dir), replace).await?;
    report("imported", &manifest, started, &dir.display().to_string());
    Ok(())
}

/// `karta backup FILE`.
pub async fn backup(db: &DbArgs, file: &Path) -> Result<()> {
    let app = crate::open(db).await?;
    let started = Instant::now();
    let kind = transfer::backup(&app.db, file).await?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up into {} ({}, {:.1} MB) in {:.1} s",
        file.display(),
        match kind {
            transfer::BackupKind::Sqlite => "a SQLite database",
            transfer::BackupKind::Export => "a zipped export",
        },
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `karta restore FILE [--replace]`.
pub async fn restore(db: &DbArgs, file: &Path, replace: bool) -> Result<()> {
    let app = crate::open(db).await?;
    let started = Instant::now();
    let manifest = transfer::restore(&app.db, file, replace).await?;
    report("restored", &manifest, started, &file.display().to_string());
    Ok(())
}

fn report(done: &str, manifest: &Manifest, started: Instant, place: &str) {
    let rows: u64 = manifest.tables.values().map(|t| t.rows).sum();
    println!(
        "{done} {rows} rows in {} tables ({place}) in {:.1} s",
        manifest.tables.len(),
        started.elapsed().as_secs_f64()
    );
    for (table, summary) in &manifest.tables {
        if summary.rows > 0 {
            println!("  {table:<18} {:>10}", summary.rows);
        }
    }
}
