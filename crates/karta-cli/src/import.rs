//! `karta import`: a CSV or XLSX file of accounts, contacts, leads or
//! products into the database, with a progress line and a summary;
//! `karta import undo JOB`.

use crate::config::DbArgs;
use anyhow::{Context, Result, bail};
use karta_app::import::{self, Columns, ImportEntity, Spec};
use karta_app::{App, Principal};
use karta_core::import::{Key, Mode};
use std::io::Write;
use std::path::PathBuf;

/// What `karta import` does.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Import accounts from a CSV or XLSX file.
    Accounts(ImportArgs),
    /// Import contacts from a CSV or XLSX file.
    Contacts(ImportArgs),
    /// Import leads from a CSV or XLSX file (routed like any new lead
    /// unless the file names an owner).
    Leads(ImportArgs),
    /// Import products (the catalogue) from a CSV or XLSX file.
    Products(ImportArgs),
    /// Undo an import: what it created goes to the trash, what it updated
    /// gets its earlier fields back.
    Undo {
        /// The job id the import printed.
        job: uuid::Uuid,
        /// The user the undo acts as [default: the first administrator].
        #[arg(long = "as", env = "KARTA_IMPORT_AS")]
        user: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Options of `karta import accounts|contacts|leads|products FILE`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A CSV file (UTF-8 or Windows-1251; `,`, `;` or tab separated) or
    /// an XLSX workbook (its first sheet).
    pub file: PathBuf,
    /// A JSON file naming the field of each column by its header:
    /// `{"ИНН": "inn", "Комментарий": null}`; other columns are guessed.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// create, update or upsert [default: upsert with --key, else create].
    #[arg(long)]
    pub mode: Option<String>,
    /// The field that finds existing records: code, inn, external_id
    /// (accounts); email, phone, external_id (contacts); email, phone
    /// (leads); sku (products).
    #[arg(long)]
    pub key: Option<String>,
    /// Check every row and report, changing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Continue the job with this id (after a crash or a kill) from the
    /// last row it committed; give the same file.
    #[arg(long)]
    pub resume: Option<uuid::Uuid>,
    /// The user the import acts as [default: the first administrator].
    #[arg(long = "as", env = "KARTA_IMPORT_AS")]
    pub user: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// The principal an import acts as.
pub async fn acting_user(app: &App, email: Option<&str>) -> Result<Principal> {
    let user = match email {
        Some(e) => karta_db::users::user_by_email(app.db.conn(), &e.to_lowercase())
            .await?
            .with_context(|| format!("no user {e}"))?,
        None => karta_db::users::users(app.db.conn())
            .await?
            .into_iter()
            .filter(|u| u.active && u.role == "admin")
            .min_by_key(|u| u.created_at)
            .context("no administrator yet: create one with `karta user add` or pass --as")?,
    };
    karta_app::auth::principal_of(&user, None, "cli").context("the user's role is unknown")
}

fn explain_invalid(e: karta_app::AppError, headers: &[String]) -> anyhow::Error {
    match e {
        karta_app::AppError::Invalid(inv) => {
            let lines: Vec<String> = inv
                .0
                .iter()
                .map(|f| {
                    let column = f
                        .field
                        .strip_prefix("columns[")
                        .and_then(|r| r.trim_end_matches(']').parse::<usize>().ok())
                        .and_then(|i| headers.get(i));
                    match column {
                        Some(h) => format!("column \"{h}\": {}", f.code),
                        None => format!("{}: {}", f.field, f.code),
                    }
                })
                .collect();
            anyhow::anyhow!("the import cannot start: {}", lines.join(", "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// Runs `karta import accounts|contacts|leads|products`.
pub async fn run(app: App, entity: ImportEntity, args: ImportArgs) -> Result<()> {
    let key = args
        .key
        .as_deref()
        .map(|k| Key::parse(k).map_err(|_| anyhow::anyhow!("--key {k} is not a known key")))
        .transpose()?;
    let mode = match args.mode.as_deref() {
        Some(m) => {
            Mode::parse(m).map_err(|_| anyhow::anyhow!("--mode is create, update or upsert"))?
        }
        None if key.is_some() => Mode::Upsert,
        None => Mode::Create,
    };
    let p = acting_user(&app, args.user.as_deref()).await?;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let mut rows = karta_core::xlsx::open_rows(file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let customs = import::custom_fields(&app, entity)
        .await
        .map_err(crate::explain)?;
    let mut columns = Columns::guess(entity, &rows.headers, &customs);
    if let Some(path) = &args.mapping {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let chosen: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON object of header: field", path.display()))?;
        let mut names = columns.names();
        for (header, field) in chosen {
            let Some(i) = rows.headers.iter().position(|h| *h == header) else {
                bail!("the mapping names a column \"{header}\" the file does not have");
            };
            names[i] = field.as_str().map(String::from);
        }
        columns = Columns::chosen(entity, &rows.headers, &names, &customs)
            .map_err(|e| explain_invalid(e.into(), &rows.headers))?;
    }
    let job = match args.resume {
        Some(id) => import::get(&app, &p, id).await.map_err(crate::explain)?,
        None => {
            let spec = Spec {
                entity,
                mode,
                key,
                dry_run: args.dry_run,
                file_name: args
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                save_profile: None,
            };
            import::start(&app, &p, &spec, &columns, rows.format())
                .await
                .map_err(|e| explain_invalid(e, &rows.headers))?
        }
    };
    eprintln!(
        "{} ({}, '{}'), job {}:",
        args.file.display(),
        rows.format(),
        rows.delimiter as char,
        job.id
    );
    for (h, t) in rows.headers.iter().zip(columns.names()) {
        eprintln!("  {h:<30} → {}", t.as_deref().unwrap_or("(skipped)"));
    }
    let started = std::time::Instant::now();
    let mut progress = |j: &karta_db::entities::import_job::Model| {
        eprint!(
            "\r  {} rows: {} created, {} updated, {} unchanged, {} refused",
            j.rows_done, j.created, j.updated, j.unchanged, j.failed
        );
        let _ = std::io::stderr().flush();
    };
    let job = import::run(&app, &p, job.id, &columns, &mut rows, &mut progress)
        .await
        .map_err(crate::explain)?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!();
    println!(
        "{}{} rows in {:.1} s ({:.0} rows/s): {} created, {} updated, {} unchanged, {} refused.",
        if job.dry_run {
            "Dry run, nothing saved. "
        } else {
            ""
        },
        job.rows_done,
        seconds,
        job.rows_done as f64 / seconds.max(0.001),
        job.created,
        job.updated,
        job.unchanged,
        job.failed
    );
    if let Some(f) = &job.failure {
        println!(
            "The file stopped being readable: {f}. Fix it and run again with --resume {}.",
            job.id
        );
    }
    if job.failed > 0 {
        println!("Refused rows (line, column, value, problem):");
        let (first, _) = import::errors(&app, &p, job.id, None, 20)
            .await
            .map_err(crate::explain)?;
        for e in first {
            println!("  {:>6}  {}  {:?}  {}", e.line, e.column, e.value, e.code);
        }
        if job.failed > 20 {
            println!(
                "  … the full report: GET /api/v1/imports/{}/errors.csv",
                job.id
            );
        }
    }
    if !job.dry_run {
        println!("Undo with: karta import undo {}", job.id);
    }
    Ok(())
}

/// Runs `karta import undo JOB`.
pub async fn undo(app: App, job: uuid::Uuid, user: Option<String>) -> Result<()> {
    let p = acting_user(&app, user.as_deref()).await?;
    let s = import::undo(&app, &p, job).await.map_err(crate::explain)?;
    println!(
        "Undone: {} created records moved to the trash, {} restored, {} left alone (changed since).",
        s.removed, s.restored, s.skipped
    );
    Ok(())
}
