//! The settings page: users, teams, classifiers, custom fields and recent
//! sign-ins. Each form calls the same use case as the API, so the rights
//! and validation are the same; errors are shown translated at the top.

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::directory::{self, NewUser, UserPatch};
use karta_app::model::{Classifier, CustomField};
use karta_app::settings::{
    self, ClassifierInput, ClassifierPatch, CustomFieldInput, CustomFieldPatch,
};
use karta_app::{AppError, auth};
use karta_core::custom_fields::FieldType;
use karta_core::roles::{Access, Entity, Reach, Role};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

pub struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    team: String,
    active: bool,
    /// Their own clock (`+07:00`), empty when they keep the company's.
    utc_offset: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    page: PageCtx,
    messages: Vec<String>,
    saved: bool,
    manage_users: bool,
    manage_settings: bool,
    /// Whether the company's requisites may be edited (administrators).
    company: bool,
    users: Vec<UserRow>,
    /// The company's clock, shown where a user keeps it.
    company_offset: String,
    teams: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    classifiers: Vec<Classifier>,
    kinds: Vec<&'static str>,
    fields: Vec<CustomField>,
    field_types: Vec<&'static str>,
    logins: Vec<(String, String, String, String)>,
}

/// Whether the caller may see the settings page at all.
pub fn may_manage(caller: &UiCaller) -> bool {
    let p = &caller.0.principal;
    p.reach(Entity::Users, Access::Write) != Reach::Nothing
        || p.reach(Entity::Classifiers, Access::Write) != Reach::Nothing
}

async fn show(
    state: &AppState,
    caller: &UiCaller,
    messages: Vec<String>,
    saved: bool,
) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    if !may_manage(caller) {
        return Err(ApiError(AppError::Forbidden));
    }
    let page = PageCtx::of(caller);
    let tr = page.tr;
    let manage_users = p.reach(Entity::Users, Access::Write) != Reach::Nothing;
    let manage_settings = p.reach(Entity::Classifiers, Access::Write) != Reach::Nothing;
    let teams: Vec<(String, String)> = directory::list_teams(&state.app, p)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let users = if manage_users {
        directory::list_users(&state.app, p)
            .await?
            .into_iter()
            .map(|u| UserRow {
                id: u.id,
                email: u.email,
                name: u.name,
                role: u.role,
                team: u.team_id.map(|t| t.to_string()).unwrap_or_default(),
                active: u.active,
                utc_offset: u
                    .utc_offset_minutes
                    .map(karta_core::time::format_utc_offset)
                    .unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let logins = if manage_users {
        auth::login_records(&state.app, p, 50)
            .await?
            .into_iter()
            .map(|l| {
                let at = karta_core::time::rfc3339(l.at);
                let result = if l.success {
                    tr.t("admin-ok")
                } else {
                    l.reason.unwrap_or_default()
                };
                (
                    // RFC 3339; the page shows it on the reader's clock.
                    at, l.email, l.ip, result,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let view = AdminPage {
        company: p.may_edit_company(),
        company_offset: karta_core::time::format_utc_offset(state.app.config.utc_offset_minutes),
        messages,
        saved,
        manage_users,
        manage_settings,
        users,
        teams,
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str().to_string(),
                    tr.t(&format!("role-{}", r.as_str())),
                )
            })
            .collect(),
        classifiers: settings::list_classifiers(&state.app, p).await?,
        kinds: settings::CLASSIFIER_KINDS.to_vec(),
        fields: settings::list_custom_fields(&state.app, p).await?,
        field_types: FieldType::ALL.iter().map(|t| t.as_str()).collect(),
        logins,
        page,
    };
    Ok(render(&view))
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedParam {
    saved: Option<String>,
}

/// The settings page.
pub async fn page(
    State(state): State<AppState>,
    caller: UiCaller,
    Query(q): Query<SavedParam>,
) -> Result<Response, ApiError> {
    show(&state, &caller, Vec::new(), q.saved.is_some()).await
}

/// Runs a settings act: on success back to the page, on a user error the
/// page again with the reasons in the user's language.
async fn act<T>(
    state: &AppState,
    caller: &UiCaller,
    form: &HashMap<String, String>,
    result: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.get("_csrf").map(String::as_str))?;
    match result.await {
        Ok(_) => Ok(Redirect::to("/admin?saved=1").into_response()),
        Err(AppError::Invalid(e)) => {
            let tr = PageCtx::of(caller).tr;
            let messages =
                e.0.iter()
                    .map(|f| format!("{}: {}", tr.field(&f.field), tr.error(f.code)))
                    .collect();
            show(state, caller, messages, false).await
        }
        Err(AppError::Forbidden) => {
            show(
                state,
                caller,
                vec![PageCtx::of(caller).tr.error("forbidden")],
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn text(form: &HashMap<String, String>, key: &str) -> String {
    form.get(key).cloned().unwrap_or_default()
}

fn checked(form: &HashMap<String, String>, key: &str) -> bool {
    form.get(key).is_some_and(|v| v == "true")
}

fn team_of(form: &HashMap<String, String>) -> Option<Uuid> {
    form.get("team_id").and_then(|t| t.parse().ok())
}

/// Adds a user.
pub async fn add_user(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let input = NewUser {
        email: text(&form, "email"),
        name: text(&form, "name"),
        role: text(&form, "role"),
        team_id: team_of(&form),
        password: Some(text(&form, "password")),
        locale: None,
    };
    let result = directory::create_user(&state.app, Some(&caller.0.principal), input);
    act(&state, &caller, &form, result).await
}

/// Changes a user's role, team, time zone or active flag, or resets the
/// password.
pub async fn update_user(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let patch = UserPatch {
        role: Some(text(&form, "role")),
        team_id: Some(team_of(&form)),
        active: Some(checked(&form, "active")),
        utc_offset: Some(Some(text(&form, "utc_offset")).filter(|o| !o.trim().is_empty())),
        // A password typed here is a reset: its owner replaces it at sign-in.
        password: Some(text(&form, "password")).filter(|p| !p.is_empty()),
        ..Default::default()
    };
    let result = directory::update_user(&state.app, &caller.0.principal, id, patch);
    act(&state, &caller, &form, result).await
}

/// Adds a team.
pub async fn add_team(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let name = text(&form, "name");
    let result = directory::create_team(&state.app, Some(&caller.0.principal), &name);
    act(&state, &caller, &form, result).await
}

/// Adds a classifier value.
pub async fn add_classifier(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let input = ClassifierInput {
        kind: text(&form, "kind"),
        code: text(&form, "code").trim().to_string(),
        label_ru: text(&form, "label_ru"),
        label_en: text(&form, "label_en"),
        position: 1000,
        active: true,
        default_minutes: minutes(&form),
    };
    let result = settings::create_classifier(&state.app, &caller.0.principal, input);
    act(&state, &caller, &form, result).await
}

/// The activity type's default duration from the form; the number input
/// lets only whole minutes through.
fn minutes(form: &HashMap<String, String>) -> Option<i32> {
    text(form, "default_minutes").trim().parse().ok()
}

/// Changes a classifier value's labels, active flag or default duration.
pub async fn update_classifier(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let patch = ClassifierPatch {
        label_ru: Some(text(&form, "label_ru")),
        label_en: Some(text(&form, "label_en")),
        position: None,
        active: Some(checked(&form, "active")),
        default_minutes: minutes(&form),
    };
    let result = settings::update_classifier(&state.app, &caller.0.principal, id, patch);
    act(&state, &caller, &form, result).await
}

/// Defines a custom field.
pub async fn add_custom_field(
    State(state): State<AppState>,
    caller: UiCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let options = text(&form, "options")
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| json!({"code": o}))
        .collect();
    let input = CustomFieldInput {
        entity: text(&form, "entity"),
        key: text(&form, "key").trim().to_string(),
        label_ru: text(&form, "label_ru"),
        label_en: text(&form, "label_en"),
        field_type: text(&form, "field_type"),
        options,
        required: checked(&form, "required"),
        show_in_list: false,
        position: 1000,
    };
    let result = settings::create_custom_field(&state.app, &caller.0.principal, input);
    act(&state, &caller, &form, result).await
}

/// Changes a custom field's labels or active flag.
pub async fn update_custom_field(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let patch = CustomFieldPatch {
        label_ru: Some(text(&form, "label_ru")),
        label_en: Some(text(&form, "label_en")),
        active: Some(checked(&form, "active")),
        ..Default::default()
    };
    let result = settings::update_custom_field(&state.app, &caller.0.principal, id, patch);
    act(&state, &caller, &form, result).await
}
