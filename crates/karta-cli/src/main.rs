//! The `karta` binary: subcommands, configuration, logging.

mod bench;
mod config;
mod demo;
mod import;
mod transfer;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use config::DbArgs;
use karta_app::{App, AppError};
use std::io::IsTerminal;
use std::net::SocketAddr;

/// Karta — an open-source CRM. One binary: web UI, JSON API, embedded
/// database (SQLite) or PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "karta", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How `karta serve` runs.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KARTA_BIND")]
    bind: Option<String>,
    /// Load the demo company (once) and print its logins.
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure (set when users reach Karta over HTTPS).
    #[arg(long, env = "KARTA_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The company's clock, e.g. +03:00 (Moscow) or +07:00: where "today"
    /// begins for users without a time zone of their own [default: +03:00].
    #[arg(long, env = "KARTA_UTC_OFFSET")]
    utc_offset: Option<String>,
    /// Background jobs this process runs at once (0: run none, e.g. on a
    /// web-only instance; other instances on the same PostgreSQL run them).
    #[arg(long, env = "KARTA_JOB_WORKERS", default_value_t = 2)]
    job_workers: usize,
    /// How long a job this process claimed stays its own without being
    /// renewed: after a crash, others take its jobs once this has passed.
    #[arg(long, env = "KARTA_JOB_LEASE_SECONDS", default_value_t = 60)]
    job_lease_seconds: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web UI and API.
    ///
    /// Settings come from the options below, their KARTA_* environment
    /// variables, or `karta.toml` in the working directory (or the file
    /// KARTA_CONFIG names) with `data_dir`, `database_url`, `bind` and
    /// `utc_offset`. Logs go to stderr: KARTA_LOG sets the filter
    /// [default: info, one line per request], KARTA_LOG_FORMAT=json
    /// writes JSON lines. GET /metrics gives Prometheus metrics to an
    /// administrator's API token.
    Serve(ServeArgs),
    /// Print the API's OpenAPI 3.1 description (as served at
    /// /api/openapi.json), for generating clients.
    Openapi,
    /// Create or upgrade the database schema and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Measure list, search and card latency on a generated dataset (not
    /// for production databases: it adds bench users and records).
    Bench {
        #[command(flatten)]
        db: DbArgs,
        /// Accounts in the dataset (generated once, then reused).
        #[arg(long, default_value_t = 100_000)]
        accounts: usize,
        /// Contacts per generated account.
        #[arg(long, default_value_t = 2)]
        contacts_per_account: usize,
        /// Deals on the benchmark pipeline's board (generated once).
        #[arg(long, default_value_t = 100_000)]
        deals: usize,
        /// Timed requests per workload.
        #[arg(long, default_value_t = 300)]
        samples: usize,
        /// Instead of the latency workloads: write a contacts file of this
        /// many rows and time its import (and its re-import).
        #[arg(long)]
        import_rows: Option<usize>,
        /// Instead of the latency workloads: enqueue this many jobs and
        /// time the job runner draining them.
        #[arg(long)]
        jobs: Option<usize>,
        /// With --jobs: jobs run at once.
        #[arg(long, default_value_t = 2)]
        job_workers: usize,
    },
    /// Import accounts, contacts, leads or products from a CSV or XLSX
    /// file (with --dry-run to check first), undo an import, or load a
    /// whole export with --all.
    #[command(args_conflicts_with_subcommands = true)]
    Import {
        /// Load a whole `karta export --all` directory into an empty
        /// database, in one transaction.
        #[arg(long, value_name = "DIR")]
        all: Option<std::path::PathBuf>,
        /// With --all: wipe the database first instead of refusing one that
        /// already holds a company.
        #[arg(long, requires = "all")]
        replace: bool,
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: Option<import::ImportCommand>,
    },
    /// Write every table as JSON Lines, with a manifest of row counts and
    /// checksums, from one consistent snapshot while Karta keeps serving.
    Export {
        /// A new or empty directory to write into.
        #[arg(long, value_name = "DIR")]
        all: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Back the database up into one new file while Karta keeps serving
    /// (SQLite: a database copy; PostgreSQL: a zipped export).
    Backup {
        /// The backup file to create (it must not exist yet).
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load a backup into an empty database of either engine.
    Restore {
        /// A file written by `karta backup`.
        file: std::path::PathBuf,
        /// Wipe the database first instead of refusing one that already
        /// holds a company.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Generate a large company into an empty database.
    Demo {
        #[command(subcommand)]
        command: demo::DemoCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user. The password comes from KARTA_PASSWORD or a prompt.
    Add {
        email: String,
        /// admin, head_of_sales, sales_rep, marketer, support, accountant, read_only.
        #[arg(long)]
        role: String,
        /// Display name [default: the e-mail].
        #[arg(long)]
        name: Option<String>,
        /// Team name; created when it does not exist.
        #[arg(long)]
        team: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new password for EMAIL (from KARTA_PASSWORD or a prompt); the
    /// user must choose another at the next sign-in, and their sessions end.
    Password {
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token for EMAIL and print only the token.
    Create {
        email: String,
        /// Scope such as accounts:read, contacts:write or lookup; repeatable
        /// [default: the user's full rights].
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Days until the token expires [default: never].
        #[arg(long)]
        expires: Option<u32>,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The log filter unless `KARTA_LOG` sets one: one access line per request
/// (`karta::access`) and migrations at info, the SQL layers' chatter off
/// (`sea_orm=warn` would match `sea_orm_migration` by prefix too, hence its
/// own line).
const DEFAULT_LOG: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=info";

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KARTA_LOG")
        .unwrap_or_else(|_| DEFAULT_LOG.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a person at a terminal, not in log files.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if std::env::var("KARTA_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(db: &DbArgs) -> Result<App> {
    let url = db.resolve()?;
    let conn = karta_db::Db::connect(&url).await?;
    karta_db::migration::migrate(&conn)
        .await
        .context("database migration failed")?;
    Ok(App::new(conn))
}

/// Explains an application error to a person at the terminal.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(inv) => {
            let list: Vec<String> = inv
                .0
                .iter()
                .map(|f| format!("{}: {}", f.field, f.code))
                .collect();
            anyhow::anyhow!("invalid input: {}", list.join(", "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn serve(args: ServeArgs) -> Result<()> {
    let ServeArgs {
        db,
        bind,
        demo,
        secure_cookies,
        utc_offset,
        job_workers,
        job_lease_seconds,
    } = args;
    let mut app = open(&db).await?;
    if let Some(raw) = utc_offset.or(db.file_utc_offset()) {
        let minutes = karta_core::time::parse_utc_offset(&raw).map_err(|_| {
            anyhow::anyhow!(
                "--utc-offset {raw} is not an offset like +03:00 (from -12:00 to +14:00)"
            )
        })?;
        app.config = std::sync::Arc::new(karta_app::AppConfig {
            utc_offset_minutes: minutes,
            ..karta_app::AppConfig::default()
        });
    }
    if demo {
        let started = std::time::Instant::now();
        let say = |part: &str| {
            println!(
                "Loading the demo company: {part}… ({} s)",
                started.elapsed().as_secs()
            )
        };
        let loaded = karta_app::demo::load_reporting(&app, &say)
            .await
            .map_err(explain)?;
        println!(
            "{}",
            if loaded {
                "Demo company loaded."
            } else {
                "Demo company already present."
            }
        );
        println!(
            "Demo logins (password: {}):",
            karta_app::demo::DEMO_PASSWORD
        );
        for (email, role, name, _) in karta_app::demo::DEMO_USERS {
            println!("  {email:<24} {role:<14} {name}");
        }
        println!("Add yourself as an administrator with:");
        println!(
            "  karta user add you@example.com --role admin --name \"Your Name\"{}",
            db.flags()
        );
    } else if karta_db::users::count(app.db.conn()).await? == 0 {
        println!("No users yet. Create the first administrator with:");
        println!(
            "  karta user add you@example.com --role admin --name \"Your Name\"{}",
            db.flags()
        );
        println!("(or start with --demo to explore a demo company).");
    }
    let bind = bind
        .or(db.file_bind())
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let addr: SocketAddr = bind
        .parse()
        .with_context(|| format!("--bind {bind} is not an address like 127.0.0.1:8080"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let runner = (job_workers > 0).then(|| {
        karta_app::jobs::runner::start(
            app.clone(),
            karta_app::jobs::runner::RunnerConfig {
                workers: job_workers,
                lease: std::time::Duration::from_secs(job_lease_seconds.max(3)),
                ..Default::default()
            },
        )
    });
    let (stop, stopping) = karta_web::Stopping::new();
    let router = karta_web::router(karta_web::AppState {
        app: app.clone(),
        secure_cookies,
        stopping,
        metrics: Default::default(),
    });
    println!("Karta is running at http://{}/", listener.local_addr()?);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Event streams end, so open browser tabs do not hold the shutdown.
        let _ = stop.send(true);
    })
    .await?;
    if let Some(runner) = runner {
        runner.stop().await;
    }
    app.db.close().await?;
    Ok(())
}

fn read_password() -> Result<Option<String>> {
    if let Ok(p) = std::env::var("KARTA_PASSWORD") {
        return Ok(Some(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("set KARTA_PASSWORD or run in a terminal to be asked for the password");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Repeat: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(Some(first))
}

#[tokio::main]
async fn main() -> Result<()> {
    init_logging();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await?,
        Command::Bench {
            db,
            accounts,
            contacts_per_account,
            deals,
            samples,
            import_rows,
            jobs,
            job_workers,
        } => {
            let app = open(&db).await?;
            bench::run(
                app,
                bench::Bench {
                    accounts,
                    contacts_per_account,
                    deals,
                    samples,
                    import_rows,
                    jobs: jobs.map(|n| (n, job_workers)),
                },
            )
            .await?;
        }
        Command::Export { all, db } => transfer::export_all(&db, &all).await?,
        Command::Demo {
            command: demo::DemoCommand::Generate(args),
        } => {
            let app = open(&args.db).await?;
            demo::generate(app, args).await?;
        }
        Command::Backup { file, db } => transfer::backup(&db, &file).await?,
        Command::Restore { file, replace, db } => transfer::restore(&db, &file, replace).await?,
        Command::Import {
            all: Some(dir),
            replace,
            db,
            ..
        } => transfer::import_all(&db, &dir, replace).await?,
        Command::Import { command: None, .. } => {
            bail!(
                "say what to import: `karta import accounts|contacts|leads|products FILE` or `karta import --all DIR`"
            )
        }
        Command::Import {
            command: Some(command),
            ..
        } => match command {
            import::ImportCommand::Accounts(args) => {
                let app = open(&args.db).await?;
                import::run(app, karta_app::import::ImportEntity::Accounts, args).await?;
            }
            import::ImportCommand::Contacts(args) => {
                let app = open(&args.db).await?;
                import::run(app, karta_app::import::ImportEntity::Contacts, args).await?;
            }
            import::ImportCommand::Leads(args) => {
                let app = open(&args.db).await?;
                import::run(app, karta_app::import::ImportEntity::Leads, args).await?;
            }
            import::ImportCommand::Products(args) => {
                let app = open(&args.db).await?;
                import::run(app, karta_app::import::ImportEntity::Products, args).await?;
            }
            import::ImportCommand::Undo { job, user, db } => {
                let app = open(&db).await?;
                import::undo(app, job, user).await?;
            }
        },
        Command::Openapi => println!("{}", karta_web::api::docs::json()),
        Command::Migrate { db } => {
            open(&db).await?;
            println!("Database is up to date.");
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    name,
                    team,
                    db,
                },
        } => {
            let app = open(&db).await?;
            let team_id = match team {
                Some(t) => Some(
                    match karta_db::users::team_by_name(app.db.conn(), &t).await? {
                        Some(team) => team.id,
                        None => {
                            karta_app::directory::create_team(&app, None, &t)
                                .await
                                .map_err(explain)?
                                .id
                        }
                    },
                ),
                None => None,
            };
            let input = karta_app::directory::NewUser {
                name: name.unwrap_or_else(|| email.clone()),
                email,
                role,
                team_id,
                password: read_password()?,
                locale: None,
            };
            let u = karta_app::directory::create_user(&app, None, input)
                .await
                .map_err(explain)?;
            println!("Created {} ({}).", u.email, u.role);
        }
        Command::User {
            command: UserCommand::Password { email, db },
        } => {
            let app = open(&db).await?;
            let password = read_password()?.unwrap_or_default();
            let u = karta_app::directory::reset_password(&app, &email, &password)
                .await
                .map_err(explain)?;
            println!(
                "New password set for {}; they will be asked to change it at sign-in.",
                u.email
            );
        }
        Command::User {
            command: UserCommand::List { db },
        } => {
            let app = open(&db).await?;
            let teams = karta_db::users::teams(app.db.conn()).await?;
            for u in karta_db::users::users(app.db.conn()).await? {
                let team = u
                    .team_id
                    .and_then(|t| teams.iter().find(|x| x.id == t))
                    .map(|t| t.name.as_str())
                    .unwrap_or("-");
                println!(
                    "{:<28} {:<14} {:<10} {:<8} {}",
                    u.email,
                    u.role,
                    team,
                    if u.active { "active" } else { "inactive" },
                    u.name
                );
            }
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    scopes,
                    expires,
                    name,
                    db,
                },
        } => {
            let app = open(&db).await?;
            let (secret, _) =
                karta_app::auth::create_token(&app, None, &email, &name, &scopes, expires)
                    .await
                    .map_err(explain)?;
            println!("{secret}");
        }
    }
    Ok(())
}
