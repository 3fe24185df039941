//! `karta demo generate`: a large company generated from a seed and written
//! straight into an empty database — sales reps in teams, accounts with
//! valid INNs, their contact people, deals on a pipeline, activities, and
//! two years of orders with invoices and payments —
//! for benchmarks and for trying Karta at the size of a national firm.

use crate::config::DbArgs;
use anyhow::{Context, Result, bail};
use karta_app::App;
use karta_app::directory::{self, NewUser};
use uuid::Uuid;

/// What `karta demo` does.
#[derive(Debug, clap::Subcommand)]
pub enum DemoCommand {
    /// Fill an empty database with a generated company of the given size
    /// (the same seed gives the same names, INNs, amounts and dates).
    Generate(GenerateArgs),
}

/// Options of `karta demo generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Accounts to generate.
    #[arg(long)]
    pub accounts: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Contact people per account.
    #[arg(long, default_value_t = 2)]
    pub contacts_per_account: usize,
    /// Activities per account.
    #[arg(long, default_value_t = 5)]
    pub activities_per_account: usize,
    /// Orders per account over the past two years, with their invoices
    /// and payments (and the demo catalogue they are made from).
    #[arg(long, default_value_t = 2)]
    pub orders_per_account: usize,
    /// Deals [default: half the number of accounts].
    #[arg(long)]
    pub deals: Option<usize>,
    /// Sales reps owning the records, ten to a team.
    #[arg(long, default_value_t = 50)]
    pub reps: usize,
    #[command(flatten)]
    pub db: DbArgs,
}

fn fail(e: karta_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The generated reps (user id, team id), created as needed.
async fn reps(app: &App, count: usize) -> Result<Vec<(Uuid, Option<Uuid>)>> {
    let mut owners = Vec::with_capacity(count);
    let mut team = None;
    for i in 0..count.max(1) {
        if i % 10 == 0 {
            let name = format!("Отдел продаж {}", i / 10 + 1);
            team = Some(
                match karta_db::users::team_by_name(app.db.conn(), &name).await? {
                    Some(t) => t.id,
                    None => {
                        directory::create_team(app, None, &name)
                            .await
                            .map_err(fail)?
                            .id
                    }
                },
            );
        }
        let email = format!("rep{}@generated.karta", i + 1);
        let user = match karta_db::users::user_by_email(app.db.conn(), &email).await? {
            Some(u) => u,
            None => {
                let input = NewUser {
                    email,
                    name: format!("Менеджер {}", i + 1),
                    role: "sales_rep".into(),
                    team_id: team,
                    password: None,
                    locale: None,
                };
                directory::create_user(app, None, input)
                    .await
                    .map_err(fail)?
            }
        };
        owners.push((user.id, user.team_id));
    }
    Ok(owners)
}

/// The pipeline the deals go on: the first one there is, or a new one.
async fn pipeline(app: &App) -> Result<karta_db::pipelines::PipelineWithStages> {
    let admin = karta_db::users::users(app.db.conn())
        .await?
        .into_iter()
        .find(|u| u.active && u.role == "admin");
    let admin = match admin {
        Some(u) => u,
        None => {
            let input = NewUser {
                email: "admin@generated.karta".into(),
                name: "Администратор".into(),
                role: "admin".into(),
                team_id: None,
                password: None,
                locale: None,
            };
            directory::create_user(app, None, input)
                .await
                .map_err(fail)?
        }
    };
    let admin = karta_app::auth::principal_of(&admin, None, "cli")
        .context("the administrator's role is unknown")?;
    if let Some(p) = karta_app::pipelines::list(app, &admin)
        .await
        .map_err(fail)?
        .into_iter()
        .next()
    {
        return Ok(p);
    }
    let draft = karta_app::generate::sales_pipeline("Продажи");
    karta_app::pipelines::create(app, &admin, draft)
        .await
        .map_err(fail)
}

/// Runs `karta demo generate`.
pub async fn generate(app: App, args: GenerateArgs) -> Result<()> {
    if karta_db::accounts::count_all(app.db.conn()).await? > 0 {
        bail!(
            "the database already holds accounts; generate into an empty one \
             (a new --data-dir or database)"
        );
    }
    let owners = reps(&app, args.reps).await?;
    let rows = args.accounts * (1 + args.contacts_per_account);
    eprintln!(
        "Generating {} accounts with {} contacts each…",
        args.accounts, args.contacts_per_account
    );
    let took = karta_app::generate::generate(
        &app,
        args.accounts,
        args.contacts_per_account,
        &owners,
        args.seed,
    )
    .await
    .map_err(fail)?;
    eprintln!(
        "  {:.1} s ({:.0} rows/s)",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64().max(0.001)
    );
    let deals = args.deals.unwrap_or(args.accounts / 2);
    if deals > 0 {
        eprintln!("Generating {deals} deals…");
        let pipeline = pipeline(&app).await?;
        let took = karta_app::generate::generate_deals(&app, &pipeline, deals, &owners, args.seed)
            .await
            .map_err(fail)?;
        eprintln!("  {:.1} s", took.as_secs_f64());
    }
    if args.activities_per_account > 0 {
        eprintln!(
            "Generating {} activities…",
            args.accounts * args.activities_per_account
        );
        let took =
            karta_app::generate::generate_activities(&app, args.activities_per_account, args.seed)
                .await
                .map_err(fail)?;
        eprintln!("  {:.1} s", took.as_secs_f64());
    }
    if args.orders_per_account > 0 {
        eprintln!(
            "Generating {} orders with their invoices and payments…",
            args.accounts * args.orders_per_account
        );
        let took = karta_app::generate::generate_orders(&app, args.orders_per_account, args.seed)
            .await
            .map_err(fail)?;
        eprintln!("  {:.1} s", took.as_secs_f64());
    }
    println!(
        "Generated {} accounts, {} contacts, {deals} deals, {} activities and {} orders for {} reps \
         (rep1@generated.karta…, without passwords). To look around, add yourself: \
         `karta user add you@example.com --role admin`.",
        args.accounts,
        args.accounts * args.contacts_per_account,
        args.accounts * args.activities_per_account,
        args.accounts * args.orders_per_account,
        owners.len()
    );
    Ok(())
}
