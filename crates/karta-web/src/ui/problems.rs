//! Errors on pages: a page handler fails with the same `ApiError` as the
//! API, and a person who navigated there gets a page in their language
//! saying what went wrong and how to go back, instead of problem+json.

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::Problem;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage {
    page: PageCtx,
    title: String,
    message: String,
    /// Field label and message, for input the page could not take.
    details: Vec<(String, String)>,
    /// The page the person came from, when it is one of ours.
    back: Option<String>,
}

/// Middleware over the page routes: replaces a problem response to a
/// browser (which asks for HTML) by an error page with the same status.
pub async fn as_page(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let headers = wants_html.then(|| req.headers().clone());
    let response = next.run(req).await;
    let (Some(headers), Some(problem)) = (headers, response.extensions().get::<Problem>()) else {
        return response;
    };
    // Only a signed-in person gets the page; the rest keep the plain answer.
    let Ok(Some(caller)) = UiCaller::of_headers(&state, headers.clone()).await else {
        return response;
    };
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    let details = problem
        .errors
        .iter()
        .map(|e| (tr.field(&e.field), tr.error(e.code)))
        .collect();
    let view = ProblemPage {
        title: tr.t(&format!("problem-{}", problem.status)),
        message: tr.error(problem.code),
        details,
        back: local_referer(&headers),
        page,
    };
    (response.status(), render(&view)).into_response()
}

/// The `Referer` path when it points into this site (same host).
fn local_referer(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = referer.split_once("://")?.1;
    let path = rest.strip_prefix(host)?;
    path.starts_with('/').then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, referer: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap_or_else(|e| panic!("{e}")));
        h.insert(
            header::REFERER,
            referer.parse().unwrap_or_else(|e| panic!("{e}")),
        );
        h
    }

    #[test]
    fn only_our_own_pages_are_offered_as_the_way_back() {
        let ours = headers("crm.local:8080", "http://crm.local:8080/accounts/1?x=2");
        assert_eq!(local_referer(&ours).as_deref(), Some("/accounts/1?x=2"));
        let theirs = headers("crm.local", "https://crm.local.evil.example/x");
        assert_eq!(local_referer(&theirs), None);
        let other_port = headers("crm.local", "https://crm.local:9/x");
        assert_eq!(local_referer(&other_port), None);
    }
}
