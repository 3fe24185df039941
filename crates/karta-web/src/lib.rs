//! Karta over HTTP: the JSON API (`/api/v1`), the web UI, static assets,
//! health checks, request ids and structured request logs.

pub mod api;
pub mod auth;
pub mod error;
pub mod http;
pub mod i18n;
pub mod idempotency;
pub mod metrics;
pub mod ui;
pub mod webform;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use karta_app::App;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    /// Mark cookies `Secure` (when served over TLS or behind a TLS proxy).
    pub secure_cookies: bool,
    /// Ends long-lived answers (the event stream) when the server stops.
    pub stopping: Stopping,
    /// Request counts and latencies since start (`/metrics`).
    pub metrics: std::sync::Arc<metrics::Metrics>,
}

/// Tells long-lived answers that the server is stopping, so a graceful
/// shutdown is not held open by a browser tab's event stream.
#[derive(Debug, Clone)]
pub struct Stopping(tokio::sync::watch::Receiver<bool>);

impl Stopping {
    /// A signal and the switch that fires it (`send(true)`).
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Self) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (tx, Self(rx))
    }

    /// A signal that never fires (tests, benchmarks): its switch is gone.
    pub fn never() -> Self {
        Self::new().1
    }

    /// Resolves once the switch is turned; never when it is gone unturned.
    pub async fn wait(mut self) {
        if self.0.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");
const ICON: &str = include_str!("../static/icon.svg");

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.app.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

fn asset(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
        let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        // Only method, path and request id: no query strings (they can hold
        // searched names or phone numbers), no bodies, no cookies.
        // `user_id` is filled in once the caller is known (`auth`).
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, user_id = tracing::field::Empty)
    });
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::page))
        .route("/static/app.css", get(|| async { asset(CSS, "text/css; charset=utf-8") }))
        .route("/static/app.js", get(|| async { asset(JS, "text/javascript; charset=utf-8") }))
        .route("/static/icon.svg", get(|| async { asset(ICON, "image/svg+xml") }))
        .route("/favicon.ico", get(|| async { axum::response::Redirect::permanent("/static/icon.svg") }))
        .nest(
            "/api/v1",
            api::routes().layer(axum::middleware::from_fn_with_state(
                state.clone(),
                idempotency::layer,
            )),
        )
        .route(
            "/forms/lead",
            axum::routing::post(webform::submit).options(webform::preflight),
        )
        .route("/calendar/{file}", get(api::calendar::feed))
        .merge(ui::routes().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ui::problems::as_page,
        )))
        // Before the metrics layer, so that unknown paths are counted too;
        // a signed-in browser gets the "not found" page, not an empty body.
        .merge(
            Router::new()
                .fallback(|| async { error::ApiError(karta_app::AppError::NotFound) })
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    ui::problems::as_page,
                )),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::observe))
        .with_state(state)
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").external_url_unchecked("/api/openapi.json", api::docs::document()))
        // Pages and JSON compressed when the client accepts it (the event
        // stream is left alone by the layer's default rules).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
