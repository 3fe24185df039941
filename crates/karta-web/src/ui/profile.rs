//! "My profile": every user's own name, language, time zone and password.
//! A session whose password an administrator reset lands here and can go
//! nowhere else until it chooses a new one (`auth::open_while_reset`).

use super::{PageCtx, forms, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use karta_app::profile::{self, PasswordChange, ProfilePatch};
use karta_core::time::format_utc_offset;
use std::collections::HashMap;

/// The zones of Russia, minutes east of UTC: what a rep picks his clock from.
const ZONES: &[i32] = &[120, 180, 240, 300, 360, 420, 480, 540, 600, 660, 720];

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    page: PageCtx,
    email: String,
    name: String,
    locale: String,
    /// `+07:00`, or empty for the company's clock.
    zone: String,
    /// `(value, label)` for the zone select, the company's clock first.
    zones: Vec<(String, String)>,
    /// The administrator reset the password: say why the user is here.
    must_change: bool,
    errors: HashMap<String, String>,
}

/// What the form shows: the stored profile, or what was typed when it was
/// refused.
struct Typed {
    name: String,
    locale: String,
    zone: String,
}

async fn show(
    state: &AppState,
    caller: &UiCaller,
    typed: Option<Typed>,
    errors: HashMap<String, String>,
    query: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    // The session read the user a moment ago; no second read.
    let me = caller.0.user.clone().ok_or(AppError::Unauthenticated)?;
    let page = PageCtx::of(caller).with_notice(query);
    let tr = page.tr;
    let company = format_utc_offset(state.app.config.utc_offset_minutes);
    let mut zones = vec![(
        String::new(),
        format!("{} (UTC{company})", tr.t("profile-zone-company")),
    )];
    zones.extend(ZONES.iter().map(|m| {
        let offset = format_utc_offset(*m);
        let label = format!("UTC{offset} · {}", tr.t(&format!("zone-{m}")));
        (offset, label)
    }));
    let typed = typed.unwrap_or(Typed {
        name: me.name.clone(),
        locale: me.locale.clone().unwrap_or_else(|| tr.lang.to_string()),
        zone: me
            .utc_offset_minutes
            .map(format_utc_offset)
            .unwrap_or_default(),
    });
    Ok(render(&ProfilePage {
        page,
        email: me.email,
        name: typed.name,
        locale: typed.locale,
        zone: typed.zone,
        zones,
        must_change: me.must_change_password,
        errors,
    }))
}

/// The profile page.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    show(&state, &caller, None, HashMap::new(), &query).await
}

/// Saves one's name, language and time zone.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let typed = Typed {
        name: forms::form_value(&form, "name").unwrap_or_default(),
        locale: forms::form_value(&form, "locale").unwrap_or_default(),
        zone: forms::form_value(&form, "utc_offset").unwrap_or_default(),
    };
    let patch = ProfilePatch {
        name: Some(typed.name.clone()),
        locale: Some(typed.locale.clone()),
        utc_offset: Some(Some(typed.zone.clone())),
    };
    match profile::update_own(&state.app, &caller.0.principal, patch).await {
        Ok(_) => Ok(Redirect::to("/profile?done=saved").into_response()),
        Err(AppError::Invalid(e)) => {
            let tr = PageCtx::of(&caller).tr;
            let errors = forms::error_map_as(tr, &e, &[("utc_offset", "utc_offset")]);
            show(&state, &caller, Some(typed), errors, &HashMap::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Changes one's password; this browser stays signed in, every other
/// session of the user ends.
pub async fn change_password(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let change = PasswordChange {
        current: forms::form_value(&form, "current").unwrap_or_default(),
        new: forms::form_value(&form, "new").unwrap_or_default(),
        repeat: Some(forms::form_value(&form, "repeat").unwrap_or_default()),
    };
    let keep = caller.0.session_id.as_deref();
    match profile::change_own_password(&state.app, &caller.0.principal, change, keep).await {
        Ok(()) => Ok(Redirect::to("/profile?done=password").into_response()),
        Err(AppError::Invalid(e)) => {
            let tr = PageCtx::of(&caller).tr;
            // Passwords are never written back into a page.
            show(
                &state,
                &caller,
                None,
                forms::error_map(tr, &e),
                &HashMap::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
