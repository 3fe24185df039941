//! Commercial proposals of deals (`/api/v1/deals/{id}/proposal…`) and the
//! company profile their header shows (`/api/v1/company`).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::{no_more, parse_json, take_text};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use karta_app::company::{self, CompanyProfile};
use karta_app::proposals;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A proposal kept on a deal.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ProposalMade {
    pub id: Uuid,
    pub number: i64,
    pub lang: String,
    /// Where the PDF is.
    pub url: String,
}

/// The language a document is asked for in: `lang`, else the caller's.
pub(crate) fn lang_of(params: &mut HashMap<String, String>, caller: &Caller) -> String {
    take_text(params, "lang").unwrap_or_else(|| caller.lang.to_string())
}

/// A PDF shown in the browser, saved as `file_name`.
pub(crate) fn pdf(file_name: &str, content: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
        ],
        content,
    )
        .into_response()
}

/// Make a new proposal for the deal from its lines (`lang` ru or en; the
/// caller's language when absent); it is kept on the deal and logged as a
/// "proposal" activity.
#[utoipa::path(post, path = "/api/v1/deals/{id}/proposal", tag = "deals",
    params(("id" = Uuid, Path), ("lang" = Option<String>, Query, description = "ru or en")),
    responses((status = 201, body = ProposalMade), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&mut params, &caller);
    no_more(params)?;
    let doc = proposals::create(&state.app, &caller.principal, id, &lang).await?;
    let made = ProposalMade {
        id: doc.id,
        number: doc.number,
        lang: doc.lang,
        url: format!("/api/v1/deals/{id}/proposal.pdf"),
    };
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The deal's latest proposal as PDF; the first request makes one (as
/// `POST …/proposal` does).
#[utoipa::path(get, path = "/api/v1/deals/{id}/proposal.pdf", tag = "deals",
    params(("id" = Uuid, Path), ("lang" = Option<String>, Query, description = "ru or en, for a first proposal")),
    responses((status = 200, content_type = "application/pdf", body = String), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&mut params, &caller);
    no_more(params)?;
    let doc = match proposals::latest(&state.app, &caller.principal, id).await? {
        Some(doc) => doc,
        None => proposals::create(&state.app, &caller.principal, id, &lang).await?,
    };
    Ok(pdf(&doc.file_name, doc.content))
}

/// The company profile documents show in their header.
#[utoipa::path(get, path = "/api/v1/company", tag = "settings",
    responses((status = 200, body = CompanyProfile)))]
pub async fn company(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<CompanyProfile>, ApiError> {
    Ok(Json(company::profile(&state.app).await?))
}

/// Replace the company profile (administrators).
#[utoipa::path(put, path = "/api/v1/company", tag = "settings", request_body = CompanyProfile,
    responses((status = 200, body = CompanyProfile), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_company(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<CompanyProfile>, ApiError> {
    let profile: CompanyProfile = parse_json(&body)?;
    Ok(Json(
        company::set_profile(&state.app, &caller.principal, profile).await?,
    ))
}
