//! The duplicates page (дубли): clusters of look-alike accounts or contacts,
//! each with a form to merge them into the record chosen to stay. Field
//! choices beyond "keep the survivor's, fill its gaps, unite lists" are
//! made through the API (`fields`).

use super::{PageCtx, render};
use crate::AppState;
use crate::api::duplicates::read_query;
use crate::auth::UiCaller;
use crate::error::{ApiError, bad_request};
use crate::ui::forms::form_value;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use karta_app::duplicates::{self, Cluster, MergeInput, entity_of};
use karta_core::roles::Entity;
use karta_db::duplicates::{Reason, encode_cursor};
use std::collections::HashMap;
use uuid::Uuid;

/// A tab of the page: one reason.
struct Tab {
    href: String,
    label: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    page: PageCtx,
    tabs: Vec<Tab>,
    reason: String,
    /// Where a member's card is: `/accounts/` or `/contacts/`.
    card: String,
    clusters: Vec<Cluster>,
    next: String,
    error: String,
    forbidden: bool,
}

/// The duplicates page for one reason, a page of clusters at a time.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(mut q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let error = q.remove("error").unwrap_or_default();
    let (reason, after, limit) = read_query(&mut q)?;
    show(&state, &caller, reason, after.as_deref(), limit, error).await
}

async fn show(
    state: &AppState,
    caller: &UiCaller,
    reason: Reason,
    after: Option<&str>,
    limit: u64,
    error: String,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let tr = page.tr;
    let tabs = [Reason::Inn, Reason::Name, Reason::Email, Reason::Phone]
        .into_iter()
        .map(|r| Tab {
            href: format!("/duplicates?reason={}", r.code()),
            label: tr.t(&format!("dup-reason-{}", r.code())),
            current: r == reason,
        })
        .collect();
    let (clusters, next, forbidden) =
        match duplicates::clusters(&state.app, &caller.0.principal, reason, after, limit).await {
            Ok(c) => (c.items, c.next, false),
            Err(AppError::Forbidden) => (Vec::new(), None, true),
            Err(e) => return Err(e.into()),
        };
    let next = next
        .map(|k| {
            format!(
                "/duplicates?reason={}&cursor={}",
                reason.code(),
                encode_cursor(&k)
            )
        })
        .unwrap_or_default();
    let card = match entity_of(reason) {
        Entity::Accounts => "/accounts/",
        _ => "/contacts/",
    }
    .to_string();
    Ok(render(&DuplicatesPage {
        page,
        tabs,
        reason: reason.code().to_string(),
        card,
        clusters,
        next,
        error,
        forbidden,
    }))
}

/// Merges the ticked records of a cluster into the chosen one and opens its
/// card; a refusal comes back to the page, explained.
pub async fn merge(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form_value(&form, "_csrf").as_deref())?;
    let reason = form_value(&form, "reason")
        .and_then(|r| Reason::parse(&r))
        .ok_or_else(|| bad_request("reason", "invalid_choice"))?;
    let into = form_value(&form, "into")
        .and_then(|v| v.parse::<Uuid>().ok())
        .ok_or_else(|| bad_request("into", "required"))?;
    let from: Vec<Uuid> = form
        .iter()
        .filter(|(k, _)| k == "from")
        .filter_map(|(_, v)| v.parse().ok())
        .filter(|id| *id != into)
        .collect();
    let version = form_value(&form, &format!("version-{into}")).and_then(|v| v.parse().ok());
    let input = MergeInput {
        from,
        version,
        ..MergeInput::default()
    };
    let p = &caller.0.principal;
    let (done, card) = match entity_of(reason) {
        Entity::Accounts => (
            duplicates::merge_accounts(&state.app, p, into, input)
                .await
                .map(|_| ()),
            "accounts",
        ),
        _ => (
            duplicates::merge_contacts(&state.app, p, into, input)
                .await
                .map(|_| ()),
            "contacts",
        ),
    };
    let tr = PageCtx::of(&caller).tr;
    let why = match done {
        Ok(()) => return Ok(Redirect::to(&format!("/{card}/{into}")).into_response()),
        Err(AppError::Invalid(e)) => {
            e.0.iter()
                .map(|f| tr.error(f.code))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Err(AppError::VersionMismatch { .. }) => tr.t("dup-changed"),
        Err(e) => return Err(e.into()),
    };
    show(&state, &caller, reason, None, 20, why).await
}
