//! What the server did, for operators: one access-log line per request at
//! info level (route, status, latency in milliseconds as a number, inside
//! the request's span with its id), and `GET /metrics` in the Prometheus
//! text format (0.0.4): requests by method, route and status, a latency
//! histogram per route, background jobs by status and the database pool.
//!
//! Routes are the router's patterns (`/api/v1/accounts/:id`), never raw
//! paths, so the number of series stays bounded whatever clients send.
//! `/metrics` needs an administrator (a token, as Prometheus' scrape
//! `authorization` sends it): job counts are decided by the policy.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, in seconds.
const BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Request counters and latency histograms since the process started.
#[derive(Debug, Default)]
pub struct Metrics(Mutex<Counts>);

#[derive(Debug, Default)]
struct Counts {
    /// `(method, route, status)` → requests answered.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → latency histogram.
    latency: BTreeMap<String, Histogram>,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Observations at or below each bound (not cumulative here).
    buckets: [u64; BOUNDS.len()],
    sum: f64,
    count: u64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, took: Duration) {
        // A panic elsewhere while holding the lock leaves counts that are
        // still counts: keep using them.
        let mut c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *c.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = c.latency.entry(route.to_string()).or_default();
        let seconds = took.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
        h.sum += seconds;
        h.count += 1;
    }

    fn render(&self, out: &mut String) {
        let c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        family(
            out,
            "karta_http_requests_total",
            "counter",
            "HTTP requests answered, by method, route and status.",
        );
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "karta_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        family(
            out,
            "karta_http_request_duration_seconds",
            "histogram",
            "Time to answer a request, by route.",
        );
        for (route, h) in &c.latency {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, n) in BOUNDS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "karta_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "karta_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 karta_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 karta_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format quotes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts and logs every request (a layer over the whole router).
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_string();
    // `/accounts/:id`, the usual spelling in dashboards; braces inside
    // label values also trip some scrapers' parsers.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .replace('{', ":")
        .replace('}', "");
    let res = next.run(req).await;
    let took = start.elapsed();
    let status = res.status().as_u16();
    state.metrics.record(&method, &route, status, took);
    tracing::info!(
        target: "karta::access",
        route = %route,
        status,
        // Microsecond precision is plenty, and keeps the number short.
        latency_ms = (took.as_secs_f64() * 1e6).round() / 1e3,
        "answered"
    );
    res
}

/// `GET /metrics`: the Prometheus text exposition.
pub async fn page(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let jobs = karta_app::jobs::counts(&state.app, &caller.principal).await?;
    let mut out = String::new();
    state.metrics.render(&mut out);
    family(
        &mut out,
        "karta_jobs",
        "gauge",
        "Background jobs, by status.",
    );
    for (status, n) in jobs {
        let _ = writeln!(out, "karta_jobs{{status=\"{}\"}} {n}", status.as_str());
    }
    let pool = state.app.pool_stats();
    family(
        &mut out,
        "karta_db_pool_connections",
        "gauge",
        "Database connections, open and idle.",
    );
    let _ = writeln!(
        out,
        "karta_db_pool_connections{{state=\"open\"}} {}\nkarta_db_pool_connections{{state=\"idle\"}} {}",
        pool.open, pool.idle
    );
    family(
        &mut out,
        "karta_db_pool_max_connections",
        "gauge",
        "The most connections the pool opens.",
    );
    let _ = writeln!(out, "karta_db_pool_max_connections {}", pool.max);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}
