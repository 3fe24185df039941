//! "My API tokens": a signed-in user lists, creates and revokes their own
//! tokens. A new token's secret is shown once, on the page that created it.

use super::{PageCtx, forms, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::{AppError, auth};
use karta_core::roles::Entity;
use std::collections::HashMap;
use uuid::Uuid;

/// One token as listed: never its secret.
pub struct TokenRow {
    id: Uuid,
    name: String,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
    /// Revoked or expired: shown greyed, without a revoke button.
    dead: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: PageCtx,
    tokens: Vec<TokenRow>,
    /// `(scope, label)` choices for the create form.
    scopes: Vec<(String, String)>,
    /// The secret of the token just created.
    created: Option<String>,
    errors: HashMap<String, String>,
    name: String,
    expires_days: String,
}

fn when(micros: Option<i64>) -> String {
    micros.map(karta_core::time::rfc3339).unwrap_or_default()
}

async fn show(
    state: &AppState,
    caller: &UiCaller,
    created: Option<String>,
    errors: HashMap<String, String>,
    name: String,
    expires_days: String,
) -> Result<Response, ApiError> {
    let page = PageCtx::of(caller);
    let tr = page.tr;
    let now = state.app.now();
    let tokens = karta_app::auth::tokens(&state.app, &caller.0.principal)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            dead: t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now),
            id: t.id,
            name: t.name,
            scopes: t.scopes.replace(' ', ", "),
            created: when(Some(t.created_at)),
            expires: when(t.expires_at),
            last_used: when(t.last_used_at),
        })
        .collect();
    let mut scopes = Vec::new();
    for e in [Entity::Accounts, Entity::Contacts] {
        let name = tr.t(&format!("nav-{}", e.as_str()));
        scopes.push((
            format!("{}:read", e.as_str()),
            format!("{name}: {}", tr.t("tokens-read")),
        ));
        scopes.push((
            format!("{}:write", e.as_str()),
            format!("{name}: {}", tr.t("tokens-write")),
        ));
    }
    scopes.push(("lookup".into(), tr.t("tokens-lookup")));
    Ok(render(&TokensPage {
        page,
        tokens,
        scopes,
        created,
        errors,
        name,
        expires_days,
    }))
}

/// The token page.
pub async fn page(State(state): State<AppState>, caller: UiCaller) -> Result<Response, ApiError> {
    show(
        &state,
        &caller,
        None,
        HashMap::new(),
        String::new(),
        "90".into(),
    )
    .await
}

/// Creates a token for the signed-in user and shows its secret once.
pub async fn create(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let tr = PageCtx::of(&caller).tr;
    let name = forms::form_value(&form, "name").unwrap_or_default();
    let expires = forms::form_value(&form, "expires_days").unwrap_or_default();
    let scopes: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "scopes")
        .map(|(_, v)| v.clone())
        .collect();
    let mut errors = HashMap::new();
    let expires_days = match expires.trim() {
        "" => None,
        days => match days.parse::<u32>() {
            Ok(d) if d > 0 => Some(d),
            _ => {
                errors.insert("expires_days".to_string(), tr.error("invalid_number"));
                None
            }
        },
    };
    if scopes.is_empty() {
        errors.insert("scopes".to_string(), tr.error("scope_required"));
    }
    if !errors.is_empty() {
        return show(&state, &caller, None, errors, name, expires).await;
    }
    let email = caller
        .0
        .user
        .as_ref()
        .map(|u| u.email.clone())
        .unwrap_or_default();
    match auth::create_token(
        &state.app,
        Some(&caller.0.principal),
        &email,
        &name,
        &scopes,
        expires_days,
    )
    .await
    {
        Ok((secret, _)) => {
            show(
                &state,
                &caller,
                Some(secret),
                HashMap::new(),
                String::new(),
                "90".into(),
            )
            .await
        }
        Err(AppError::Invalid(e)) => {
            show(
                &state,
                &caller,
                None,
                forms::error_map(tr, &e),
                name,
                expires,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Revokes a token listed on the page (whose tokens one may revoke is
/// decided by `auth::revoke_token`, as for the API).
pub async fn revoke(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<forms::VersionForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    auth::revoke_token(&state.app, &caller.0.principal, id).await?;
    Ok(Redirect::to("/tokens").into_response())
}
