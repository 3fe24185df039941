//! `karta bench`: loads a dataset of the requested size (once) and measures
//! p50/p99 latency of the list, search, card and board endpoints through the
//! real router in-process (no network, so the figures are the server's own);
//! or, with `--import-rows`, the speed of an import (`import`); or, with
//! `--jobs`, the job queue's throughput (`jobs`).

mod import;
mod jobs;

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::Request;
use karta_app::App;
use karta_db::page::Cursor;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Benchmark settings.
pub struct Bench {
    pub accounts: usize,
    pub contacts_per_account: usize,
    /// Deals on the benchmark pipeline's board.
    pub deals: usize,
    pub samples: usize,
    /// Time an import of a file of this many rows instead.
    pub import_rows: Option<usize>,
    /// Time the job queue with this many jobs instead, on this many
    /// workers.
    pub jobs: Option<(usize, usize)>,
}

const BENCH_PIPELINE: &str = "Bench pipeline";

/// The benchmark pipeline (created once) with `wanted` deals on it.
async fn ensure_board(
    app: &App,
    owners: &[(uuid::Uuid, Option<uuid::Uuid>)],
    wanted: usize,
) -> Result<karta_db::pipelines::PipelineWithStages> {
    let fail = |e: karta_app::AppError| anyhow::anyhow!("{e}");
    let admin = karta_db::users::user_by_email(app.db.conn(), "bench-admin@karta.local")
        .await?
        .and_then(|u| karta_app::auth::principal_of(&u, None, "cli"))
        .context("the bench administrator is missing")?;
    let existing = karta_app::pipelines::list(app, &admin)
        .await
        .map_err(fail)?
        .into_iter()
        .find(|p| p.pipeline.name == BENCH_PIPELINE);
    let pipeline = match existing {
        Some(p) => p,
        None => {
            let draft = karta_app::generate::sales_pipeline(BENCH_PIPELINE);
            karta_app::pipelines::create(app, &admin, draft)
                .await
                .map_err(fail)?
        }
    };
    let have =
        karta_db::deals::count_in_pipeline(app.db.conn(), pipeline.pipeline.id).await? as usize;
    if have < wanted {
        eprintln!("Generating {} deals…", wanted - have);
        let took = karta_app::generate::generate_deals(
            app,
            &pipeline,
            wanted - have,
            owners,
            have as u64 + 1,
        )
        .await
        .map_err(fail)?;
        eprintln!("Generated in {:.1} s.", took.as_secs_f64());
    }
    Ok(pipeline)
}

struct Client {
    router: axum::Router,
}

impl Client {
    async fn get(&self, path: &str, token: &str) -> Result<(Duration, Value)> {
        let req = Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())?;
        let started = Instant::now();
        let response = self.router.clone().oneshot(req).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await?;
        let took = started.elapsed();
        anyhow::ensure!(
            status.is_success(),
            "{path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok((took, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

/// The requests one timed sample makes: (path, token) pairs.
type Requests = Vec<(String, String)>;

/// A named workload producing the requests of one sample.
type Workload<'a> = (&'a str, Box<dyn Fn(&mut Rng) -> Requests + 'a>);

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

async fn ensure_users(app: &App) -> Result<Vec<(uuid::Uuid, Option<uuid::Uuid>)>> {
    let mut owners = Vec::new();
    for t in 0..20 {
        let email = format!("bench-rep{t}@karta.local");
        let user = match karta_db::users::user_by_email(app.db.conn(), &email).await? {
            Some(u) => u,
            None => {
                let team = karta_app::directory::create_team(app, None, &format!("Bench team {t}"))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let input = karta_app::directory::NewUser {
                    email,
                    name: format!("Bench Rep {t}"),
                    role: "sales_rep".into(),
                    team_id: Some(team.id),
                    password: None,
                    locale: None,
                };
                karta_app::directory::create_user(app, None, input)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
            }
        };
        owners.push((user.id, user.team_id));
    }
    if karta_db::users::user_by_email(app.db.conn(), "bench-admin@karta.local")
        .await?
        .is_none()
    {
        let input = karta_app::directory::NewUser {
            email: "bench-admin@karta.local".into(),
            name: "Bench Admin".into(),
            role: "admin".into(),
            team_id: None,
            password: None,
            locale: None,
        };
        karta_app::directory::create_user(app, None, input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(owners)
}

/// Runs the benchmark and prints a Markdown table.
pub async fn run(app: App, bench: Bench) -> Result<()> {
    let owners = ensure_users(&app).await?;
    if let Some(rows) = bench.import_rows {
        return import::run(&app, rows, &std::env::temp_dir()).await;
    }
    if let Some((n, workers)) = bench.jobs {
        return jobs::run(&app, n, workers).await;
    }
    let existing = karta_db::accounts::count_all(app.db.conn()).await? as usize;
    if existing < bench.accounts {
        let missing = bench.accounts - existing;
        eprintln!(
            "Generating {missing} accounts with {} contacts each…",
            bench.contacts_per_account
        );
        let took = karta_app::generate::generate(
            &app,
            missing,
            bench.contacts_per_account,
            &owners,
            existing as u64 + 1,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        eprintln!(
            "Generated in {:.1} s ({:.0} rows/s).",
            took.as_secs_f64(),
            (missing * (1 + bench.contacts_per_account)) as f64 / took.as_secs_f64()
        );
    }
    let token = |email: &'static str| {
        let app = app.clone();
        async move {
            karta_app::auth::create_token(&app, None, email, "bench", &[], Some(1))
                .await
                .map(|t| t.0)
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    };
    let board = ensure_board(&app, &owners, bench.deals).await?;
    let admin = token("bench-admin@karta.local").await?;
    let rep = token("bench-rep3@karta.local").await?;
    // What the board page reads: the column totals, then the first page of
    // every column.
    let board_requests = |token: &String| {
        let id = board.pipeline.id;
        let mut requests = vec![(
            format!("/api/v1/deals/totals?pipeline_id={id}"),
            token.clone(),
        )];
        for s in &board.stages {
            requests.push((
                format!(
                    "/api/v1/deals?pipeline_id={id}&stage_id={}&sort=-updated_at&limit=20",
                    s.id
                ),
                token.clone(),
            ));
        }
        requests
    };
    let client = Client {
        router: karta_web::router(karta_web::AppState {
            app: app.clone(),
            secure_cookies: false,
            stopping: karta_web::Stopping::never(),
            metrics: Default::default(),
        }),
    };
    let mut rng = Rng(7);
    let words = [
        "ромашка",
        "вектор",
        "орион",
        "гранит",
        "смирнов",
        "кузнецова",
        "northwind",
        "acme",
    ];
    let prefixes = [
        "ооо «альфа-",
        "ооо «волга-",
        "ооо «орион-",
        "ооо «север-",
        "acme ",
        "summit ",
    ];
    // Account ids for the card, picked from random places in the list.
    let mut ids = Vec::new();
    for _ in 0..bench.samples.min(200) {
        let cursor = Cursor {
            k: json!(format!(
                "{}{}",
                prefixes[rng.below(prefixes.len())],
                rng.below(10)
            )),
            id: uuid::Uuid::nil(),
        }
        .encode();
        let (_, page) = client
            .get(&format!("/api/v1/accounts?limit=1&cursor={cursor}"), &admin)
            .await?;
        if let Some(id) = page["items"][0]["id"].as_str() {
            ids.push(id.to_string());
        }
    }
    anyhow::ensure!(!ids.is_empty(), "no accounts to benchmark");
    let workloads: Vec<Workload> = vec![
        (
            "list, first page (rep: team visibility)",
            Box::new(|_| vec![("/api/v1/accounts?limit=50".to_string(), rep.clone())]),
        ),
        (
            "list, deep page (keyset at a random name)",
            Box::new(|r: &mut Rng| {
                let k = format!("{}{}", prefixes[r.below(prefixes.len())], r.below(100_000));
                let c = Cursor {
                    k: json!(k),
                    id: uuid::Uuid::nil(),
                }
                .encode();
                vec![(
                    format!("/api/v1/accounts?limit=50&cursor={c}"),
                    admin.clone(),
                )]
            }),
        ),
        (
            "list, filtered and sorted (type, region, -updated_at)",
            Box::new(|_| {
                vec![(
                    "/api/v1/accounts?limit=50&type=customer&region=spb&sort=-updated_at"
                        .to_string(),
                    admin.clone(),
                )]
            }),
        ),
        (
            "search as you type (rep)",
            Box::new(|r: &mut Rng| {
                let w = words[r.below(words.len())];
                let typed = &w[..w.char_indices().nth(4).map(|(i, _)| i).unwrap_or(w.len())];
                vec![(
                    format!(
                        "/api/v1/search?q={}",
                        karta_web::ui::lists::urlencode(typed)
                    ),
                    rep.clone(),
                )]
            }),
        ),
        (
            "search a phone fragment (admin)",
            Box::new(|r: &mut Rng| {
                vec![(
                    format!("/api/v1/search?q=9{:04}", r.below(10_000)),
                    admin.clone(),
                )]
            }),
        ),
        (
            "client card (account + contacts + first history page)",
            Box::new(|r: &mut Rng| {
                let id = ids[r.below(ids.len())].clone();
                vec![
                    (format!("/api/v1/accounts/{id}"), admin.clone()),
                    (
                        format!("/api/v1/contacts?account_id={id}&limit=50"),
                        admin.clone(),
                    ),
                    (
                        format!("/api/v1/accounts/{id}/history?limit=20"),
                        admin.clone(),
                    ),
                ]
            }),
        ),
        (
            "board: totals + first page of 6 columns (rep)",
            Box::new(|_| board_requests(&rep)),
        ),
        (
            "board: totals + first page of 6 columns (head: all deals)",
            Box::new(|_| board_requests(&admin)),
        ),
    ];
    println!("| workload | p50 ms | p99 ms | samples |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, make) in &workloads {
        // Warm up caches the way a running server would have them.
        for _ in 0..10 {
            for (path, token) in make(&mut rng) {
                client
                    .get(&path, &token)
                    .await
                    .with_context(|| name.to_string())?;
            }
        }
        let mut times = Vec::with_capacity(bench.samples);
        for _ in 0..bench.samples {
            let mut total = Duration::ZERO;
            for (path, token) in make(&mut rng) {
                total += client
                    .get(&path, &token)
                    .await
                    .with_context(|| name.to_string())?
                    .0;
            }
            times.push(total);
        }
        times.sort();
        println!(
            "| {name} | {:.2} | {:.2} | {} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.len()
        );
    }
    Ok(())
}
