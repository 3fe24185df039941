//! `GET /metrics` read by an independent parser of the Prometheus text
//! format (the `prometheus-parse` crate): requests by route pattern and
//! status, a latency histogram, jobs and the database pool; for an
//! administrator only.

use axum::http::{Method, StatusCode};
use karta_testkit::TestApp;
use prometheus_parse::{Scrape, Value};

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_for_an_administrator() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    for _ in 0..2 {
        assert_eq!(t.get("/api/v1/accounts", &rep).await.status, StatusCode::OK);
    }
    let missing = "/api/v1/accounts/0190f3a8-0000-7000-8000-000000000001";
    assert_eq!(t.get(missing, &rep).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get("/no/such/page", &rep).await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(t.get("/metrics", &rep).await.status, StatusCode::FORBIDDEN);
    let anonymous = t.call(Method::GET, "/metrics", None, None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let answer = t.get("/metrics", &admin).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let body = answer.text;
    assert!(!body.contains("0190f3a8"), "raw paths are not labels");

    let scrape =
        Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).unwrap_or_else(|e| panic!("{e}"));
    // Every sample line was understood: none was skipped as malformed.
    let lines = body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .count();
    let parsed: usize = scrape
        .samples
        .iter()
        .map(|s| match &s.value {
            Value::Histogram(buckets) => buckets.len(),
            _ => 1,
        })
        .sum();
    assert_eq!(parsed, lines, "{body}");

    let requests = |route: &str, status: &str| {
        scrape
            .samples
            .iter()
            .find(|s| {
                s.metric == "karta_http_requests_total"
                    && s.labels.get("route") == Some(route)
                    && s.labels.get("status") == Some(status)
                    && s.labels.get("method") == Some("GET")
            })
            .map(|s| s.value.clone())
    };
    assert_eq!(
        requests("/api/v1/accounts", "200"),
        Some(Value::Counter(2.0))
    );
    assert_eq!(
        requests("/api/v1/accounts/:id", "404"),
        Some(Value::Counter(1.0))
    );
    assert_eq!(requests("unmatched", "404"), Some(Value::Counter(1.0)));
    assert_eq!(requests("/metrics", "403"), Some(Value::Counter(1.0)));

    let histogram = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "karta_http_request_duration_seconds"
                && s.labels.get("route") == Some("/api/v1/accounts")
        })
        .map(|s| s.value.clone());
    let Some(Value::Histogram(buckets)) = histogram else {
        panic!("no latency histogram: {body}");
    };
    assert!(
        buckets.windows(2).all(|w| w[0].count <= w[1].count),
        "cumulative"
    );
    assert_eq!(
        buckets.last().map(|b| (b.less_than, b.count)),
        Some((f64::INFINITY, 2.0))
    );

    let gauge = |metric: &str, label: (&str, &str)| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == metric && s.labels.get(label.0) == Some(label.1))
            .map(|s| s.value.clone())
    };
    assert!(matches!(
        gauge("karta_jobs", ("status", "queued")),
        Some(Value::Gauge(_))
    ));
    assert!(
        matches!(gauge("karta_db_pool_connections", ("state", "open")), Some(Value::Gauge(n)) if n >= 1.0)
    );
    t.finish().await;
}
