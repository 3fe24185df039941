//! The duplicates page (дубли): clusters of look-alike accounts or contacts,
//! each with a form to merge them into the record chosen to stay — at once
//! (keep the survivor's values, fill its gaps, unite lists), or after
//! choosing, field by field, whose value the merged record keeps.

use super::{Labels, PageCtx, render};
use crate::AppState;
use crate::api::duplicates::read_query;
use crate::auth::UiCaller;
use crate::error::{ApiError, bad_request};
use crate::i18n::Tr;
use crate::ui::forms::form_value;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use karta_app::duplicates::{self, Cluster, MergeInput, entity_of};
use karta_app::duplicates::{Reason, encode_cursor};
use karta_core::roles::Entity;
use serde_json::Value;
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
    let (mut clusters, next, forbidden) =
        match duplicates::clusters(&state.app, &caller.0.principal, reason, after, limit).await {
            Ok(c) => (c.items, c.next, false),
            Err(AppError::Forbidden) => (Vec::new(), None, true),
            Err(e) => return Err(e.into()),
        };
    // Regions by name, not code (`Казань`, not `kazan`).
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    for m in clusters.iter_mut().flat_map(|c| c.members.iter_mut()) {
        m.region = m.region.take().map(|r| labels.of("region", Some(&r)));
    }
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

/// The records a cluster form (with this session's CSRF token) names: the
/// one to keep, the ones to merge into it, and the version the survivor
/// was seen at.
fn chosen(
    caller: &UiCaller,
    form: &[(String, String)],
) -> Result<(Reason, Uuid, Vec<Uuid>, Option<i64>), ApiError> {
    caller.check_csrf(form_value(form, "_csrf").as_deref())?;
    let reason = form_value(form, "reason")
        .and_then(|r| Reason::parse(&r))
        .ok_or_else(|| bad_request("reason", "invalid_choice"))?;
    let into = form_value(form, "into")
        .and_then(|v| v.parse::<Uuid>().ok())
        .ok_or_else(|| bad_request("into", "required"))?;
    let from: Vec<Uuid> = form
        .iter()
        .filter(|(k, _)| k == "from")
        .filter_map(|(_, v)| v.parse().ok())
        .filter(|id| *id != into)
        .collect();
    let version = form_value(form, &format!("version-{into}")).and_then(|v| v.parse().ok());
    Ok((reason, into, from, version))
}

/// One field to choose on the comparison page.
struct Choice {
    field: String,
    label: String,
    /// (record id, its value as shown, whether it is preselected).
    options: Vec<(Uuid, String, bool)>,
}

#[derive(Template)]
#[template(path = "merge_compare.html")]
struct ComparePage {
    page: PageCtx,
    reason: String,
    into: Uuid,
    from: Vec<Uuid>,
    version: i64,
    /// (id, label) of each record, the survivor first.
    records: Vec<(Uuid, String)>,
    choices: Vec<Choice>,
}

/// A value as the comparison shows it: classifier codes by their labels,
/// yes/no in words, a consent as yes/no with its date.
fn shown(tr: Tr, labels: &Labels, kind: Option<&str>, value: &Value) -> String {
    let yes_no = |b: bool| tr.t(if b { "yes" } else { "no" });
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => yes_no(*b),
        Value::String(s) => match kind {
            Some(kind) => labels.of(kind, Some(s)),
            None => s.clone(),
        },
        Value::Object(o) if o.contains_key("given") => {
            let given = o.get("given").and_then(Value::as_bool).unwrap_or(false);
            let date = o.get("date").and_then(Value::as_str).unwrap_or_default();
            format!("{} {date}", yes_no(given)).trim().to_string()
        }
        other => other.to_string(),
    }
}

/// Compares the ticked records field by field before merging them: for
/// each field whose values differ, whose value to keep (the survivor's,
/// or the first filled one when it has none).
pub async fn compare(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (reason, into, from, version) = chosen(&caller, &form)?;
    let p = &caller.0.principal;
    let entity = entity_of(reason);
    let page = PageCtx::of(&caller);
    let tr = page.tr;
    if from.is_empty() {
        return show(
            &state,
            &caller,
            reason,
            None,
            20,
            tr.error("invalid_merge_sources"),
        )
        .await;
    }
    let comparison = duplicates::differences(&state.app, p, entity, into, &from).await?;
    let classifiers = state.app.classifiers().await?;
    let labels = Labels::new(&classifiers, tr);
    let (fields, customs) = match entity {
        Entity::Accounts => (karta_core::import::ACCOUNT_FIELDS, "accounts"),
        _ => (karta_core::import::CONTACT_FIELDS, "contacts"),
    };
    let custom_defs = state.app.custom_fields(customs).await?;
    let kind_of = |field: &str| {
        fields
            .iter()
            .find(|f| f.field == field)
            .and_then(|f| match f.kind {
                karta_core::import::Kind::Classifier(kind) => Some(kind),
                _ => None,
            })
    };
    let choices = comparison
        .differences
        .iter()
        .map(|d| {
            let label = super::imports::field_label(tr, &d.field, &custom_defs);
            // The merge keeps the survivor's value, or else the first filled one.
            let kept = d
                .values
                .iter()
                .find(|(_, v)| !v.is_null() && v.as_str() != Some(""))
                .map(|(id, _)| *id);
            let options = d
                .values
                .iter()
                .map(|(id, v)| {
                    (
                        *id,
                        shown(tr, &labels, kind_of(&d.field), v),
                        Some(*id) == kept,
                    )
                })
                .collect();
            Choice {
                field: d.field.clone(),
                label,
                options,
            }
        })
        .collect();
    Ok(render(&ComparePage {
        page,
        reason: reason.code().to_string(),
        into,
        from,
        version: version.unwrap_or_default(),
        records: comparison.records,
        choices,
    }))
}

/// Merges the ticked records of a cluster into the chosen one and opens its
/// card; a refusal comes back to the page, explained. Choices made on the
/// comparison page come as `field.<name>` = the record whose value wins.
pub async fn merge(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (reason, into, from, version) = chosen(&caller, &form)?;
    let fields = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("field.")?.to_string(), v.parse().ok()?)))
        .collect();
    let input = MergeInput {
        from,
        version,
        fields,
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
