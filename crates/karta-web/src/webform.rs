//! `POST /forms/lead`: the public web form. Sites post an HTML form or
//! JSON; the lead is routed to a rep. No sign-in: the anonymous caller owns
//! nothing, each address may post a few times a minute, and a filled
//! honeypot (`website`) is thanked and dropped.

use crate::AppState;
use crate::auth::ClientIp;
use crate::error::{ApiError, bad_request};
use crate::i18n::{Tr, from_accept_language};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use karta_app::AppError;
use karta_core::leads::WebFormLead;

#[derive(Template)]
#[template(path = "form_done.html")]
struct Done {
    tr: Tr,
    errors: Vec<String>,
}

/// Any site may post to the form with `fetch`.
fn open_to_all_sites(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    response
}

/// Answers the browser's CORS preflight for JSON posts.
pub async fn preflight() -> Response {
    let mut r = open_to_all_sites(StatusCode::NO_CONTENT.into_response());
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    r
}

/// Takes a lead from the public form.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    req: Request,
) -> Response {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let lang = from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let form = if is_json {
        Json::<WebFormLead>::from_request(req, &state)
            .await
            .map(|Json(f)| f)
            .map_err(|_| bad_request("body", "invalid_json"))
    } else {
        Form::<WebFormLead>::from_request(req, &state)
            .await
            .map(|Form(f)| f)
            .map_err(|_| bad_request("body", "invalid_json"))
    };
    let result = match form {
        Ok(form) => karta_app::leads::submit_form(&state.app, &ip, form)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let response = match (result, is_json) {
        (Ok(_), true) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "status": "received" })),
        )
            .into_response(),
        (Err(e), true) => e.into_response(),
        (outcome, false) => {
            let tr = Tr::new(lang);
            let (status, errors) = match outcome {
                Ok(_) => (StatusCode::OK, Vec::new()),
                Err(ApiError(AppError::Invalid(inv))) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    inv.0.iter().map(|f| tr.error(f.code)).collect(),
                ),
                Err(e) => (e.parts().0, vec![tr.error(e.parts().1)]),
            };
            let page = Done { tr, errors };
            match page.render() {
                Ok(html) => (status, Html(html)).into_response(),
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
    };
    open_to_all_sites(response)
}
