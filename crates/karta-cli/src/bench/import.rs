//! `karta bench --import-rows N`: writes a contacts file of N rows (the
//! kind an old CRM or 1C exports: Cyrillic headers, `;`, every row with an
//! e-mail and a phone), imports it by e-mail as a new import would, then
//! imports it again (every row found, nothing to change), and prints the
//! speed of both runs.

use anyhow::{Context, Result};
use karta_app::App;
use karta_app::generate::{FIRST, LAST};
use karta_app::import::{self, Columns, ImportEntity, Spec};
use karta_core::import::{CsvRows, Key, Mode};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

const POSITIONS: &[&str] = &[
    "Директор",
    "Главный бухгалтер",
    "Менеджер по закупкам",
    "Инженер",
    "Head of procurement",
];

/// Writes `rows` deterministic contact rows to `path`.
fn write_file(path: &Path, rows: usize) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    writeln!(out, "Фамилия;Имя;Должность;E-mail;Телефон")?;
    for i in 0..rows {
        writeln!(
            out,
            "{};{};{};contact{i}@client{}.example.ru;+7 9{:02} {:03}-{:02}-{:02}",
            LAST[i % LAST.len()],
            FIRST[(i / LAST.len()) % FIRST.len()],
            POSITIONS[i % POSITIONS.len()],
            i % 997,
            (i / 10_000_000) % 100,
            (i / 10_000) % 1000,
            (i / 100) % 100,
            i % 100,
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Imports `path` once and returns the job with its wall time in seconds.
async fn import_once(
    app: &App,
    p: &karta_app::Principal,
    path: &Path,
) -> Result<(karta_db::entities::import_job::Model, f64)> {
    let fail = |e: karta_app::AppError| anyhow::anyhow!("{e}");
    let mut rows = CsvRows::open(std::fs::File::open(path)?)?;
    let customs = import::custom_fields(app, ImportEntity::Contacts)
        .await
        .map_err(fail)?;
    let columns = Columns::guess(ImportEntity::Contacts, &rows.headers, &customs);
    let spec = Spec {
        entity: ImportEntity::Contacts,
        mode: Mode::Upsert,
        key: Some(Key::Email),
        dry_run: false,
        file_name: "bench-contacts.csv".into(),
        save_profile: None,
    };
    let started = Instant::now();
    let job = import::start(app, p, &spec, &columns, rows.format())
        .await
        .map_err(fail)?;
    let job = import::run(app, p, job.id, &columns, &mut rows, &mut |_| {})
        .await
        .map_err(fail)?;
    Ok((job, started.elapsed().as_secs_f64()))
}

/// Runs the import benchmark and prints a Markdown table.
pub async fn run(app: &App, rows: usize, dir: &Path) -> Result<()> {
    let admin = karta_db::users::user_by_email(app.db.conn(), "bench-admin@karta.local")
        .await?
        .and_then(|u| karta_app::auth::principal_of(&u, None, "cli"))
        .context("the bench administrator is missing")?;
    let path = dir.join(format!("bench-contacts-{rows}.csv"));
    eprintln!("Writing {rows} rows to {}…", path.display());
    write_file(&path, rows)?;
    println!("| run | rows | seconds | rows/s | created | unchanged | refused |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for run in ["first import (all new)", "same file again (all found)"] {
        eprintln!("Importing: {run}…");
        let (job, seconds) = import_once(app, &admin, &path).await?;
        println!(
            "| {run} | {} | {seconds:.1} | {:.0} | {} | {} | {} |",
            job.rows_done,
            job.rows_done as f64 / seconds.max(0.001),
            job.created,
            job.unchanged,
            job.failed
        );
    }
    std::fs::remove_file(&path).ok();
    Ok(())
}
