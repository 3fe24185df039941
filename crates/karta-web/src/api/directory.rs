//! `/api/v1/users`, `/teams`, `/tokens`, `/login-events`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::Path;
use crate::http::parse_json;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use karta_app::directory::{self, NewUser, UserPatch};
use karta_app::model::{ApiToken, LoginEvent, Team, User};
use karta_app::profile::{PasswordChange, ProfilePatch};
use karta_app::{AppError, auth};
use karta_core::time::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user, without secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// admin, head_of_sales, sales_rep, marketer, support, accountant, read_only.
    pub role: String,
    pub team_id: Option<Uuid>,
    pub active: bool,
    pub locale: Option<String>,
    /// The user's own clock (`+07:00`); `null` means the company's.
    pub utc_offset: Option<String>,
    /// An administrator reset the password: the user must choose a new one.
    pub must_change_password: bool,
    pub created_at: String,
    pub version: i64,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            team_id: u.team_id,
            active: u.active,
            locale: u.locale.clone(),
            utc_offset: u
                .utc_offset_minutes
                .map(karta_core::time::format_utc_offset),
            must_change_password: u.must_change_password,
            created_at: rfc3339(u.created_at),
            version: u.version,
        }
    }
}

/// All users (the directory is people, not customers: one page).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    pub next_cursor: Option<String>,
}

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    pub id: Uuid,
    pub name: String,
}

impl From<&Team> for TeamView {
    fn from(t: &Team) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
        }
    }
}

/// All teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamList {
    pub items: Vec<TeamView>,
    pub next_cursor: Option<String>,
}

/// An API token; `token` (the secret) is present only in the answer that
/// created it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub user_id: Uuid,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            user_id: t.user_id,
            scopes: t.scopes.split_whitespace().map(String::from).collect(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            token: None,
        }
    }
}

/// The caller's tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenView>,
    pub next_cursor: Option<String>,
}

/// A login attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginEventView {
    pub at: String,
    pub email: String,
    pub user_id: Option<Uuid>,
    pub ip: String,
    pub success: bool,
    /// `bad_credentials` or `throttled` for failures.
    pub reason: Option<String>,
}

impl From<&LoginEvent> for LoginEventView {
    fn from(r: &LoginEvent) -> Self {
        Self {
            at: rfc3339(r.at),
            email: r.email.clone(),
            user_id: r.user_id,
            ip: r.ip.clone(),
            success: r.success,
            reason: r.reason.clone(),
        }
    }
}

/// The latest login attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginEventList {
    pub items: Vec<LoginEventView>,
    pub next_cursor: Option<String>,
}

/// List users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = UserList), (status = 401, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<UserList>, ApiError> {
    let users = directory::list_users(&state.app, &caller.principal).await?;
    Ok(Json(UserList {
        items: users.iter().map(UserView::from).collect(),
        next_cursor: None,
    }))
}

/// Create a user (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let input: NewUser = parse_json(&body)?;
    let u = directory::create_user(&state.app, Some(&caller.principal), input).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&u))))
}

/// Change a user (administrators). Deactivation ends their sessions and tokens.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = Uuid, Path)), responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<UserView>, ApiError> {
    let patch: UserPatch = parse_json(&body)?;
    let u = directory::update_user(&state.app, &caller.principal, id, patch).await?;
    Ok(Json(UserView::from(&u)))
}

/// The caller's own profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, body = UserView), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<UserView>, ApiError> {
    let u = karta_app::profile::own(&state.app, &caller.principal).await?;
    Ok(Json(UserView::from(&u)))
}

/// Change one's own name, language or time zone (any role).
#[utoipa::path(patch, path = "/api/v1/me", tag = "users", request_body = ProfilePatch,
    responses((status = 200, body = UserView), (status = 422, body = Problem)))]
pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<UserView>, ApiError> {
    let patch: ProfilePatch = parse_json(&body)?;
    let u = karta_app::profile::update_own(&state.app, &caller.principal, patch).await?;
    Ok(Json(UserView::from(&u)))
}

/// Change one's own password, giving the current one. Every other browser
/// session of the user ends; API tokens stay.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "users", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn change_my_password(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let change: PasswordChange = parse_json(&body)?;
    karta_app::profile::change_own_password(
        &state.app,
        &caller.principal,
        change,
        caller.session_id.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List teams.
#[utoipa::path(get, path = "/api/v1/teams", tag = "users", responses((status = 200, body = TeamList)))]
pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TeamList>, ApiError> {
    let teams = directory::list_teams(&state.app, &caller.principal).await?;
    Ok(Json(TeamList {
        items: teams.iter().map(TeamView::from).collect(),
        next_cursor: None,
    }))
}

/// A new team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
}

/// Create a team (administrators).
#[utoipa::path(post, path = "/api/v1/teams", tag = "users", request_body = NewTeam,
    responses((status = 201, body = TeamView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    let input: NewTeam = parse_json(&body)?;
    let t = directory::create_team(&state.app, Some(&caller.principal), &input.name).await?;
    Ok((StatusCode::CREATED, Json(TeamView::from(&t))))
}

/// A token request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    #[serde(default)]
    pub name: String,
    /// Whose token (administrators only); default the caller.
    pub email: Option<String>,
    /// `accounts:read`, `contacts:write`, `lookup`…; empty = the user's full rights.
    #[serde(default)]
    pub scopes: Vec<String>,
    pub expires_days: Option<u32>,
}

/// List the caller's tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "users", responses((status = 200, body = TokenList)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = karta_app::auth::tokens(&state.app, &caller.principal).await?;
    Ok(Json(TokenList {
        items: tokens.iter().map(TokenView::from).collect(),
        next_cursor: None,
    }))
}

/// Create a token; the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "users", request_body = NewToken,
    responses((status = 201, body = TokenView), (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<TokenView>), ApiError> {
    let input: NewToken = parse_json(&body)?;
    let email = match input.email {
        Some(e) => e,
        None => state
            .app
            .user(caller.principal.user_id)
            .await?
            .map(|u| u.email)
            .ok_or(ApiError(AppError::Unauthenticated))?,
    };
    let (secret, t) = auth::create_token(
        &state.app,
        Some(&caller.principal),
        &email,
        &input.name,
        &input.scopes,
        input.expires_days,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenView {
            token: Some(secret),
            ..TokenView::from(&t)
        }),
    ))
}

/// Revoke a token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    auth::revoke_token(&state.app, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Recent successful and failed logins (administrators).
#[utoipa::path(get, path = "/api/v1/login-events", tag = "users", responses((status = 200, body = LoginEventList), (status = 403, body = Problem)))]
pub async fn login_events(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<LoginEventList>, ApiError> {
    let rows = auth::login_records(&state.app, &caller.principal, 200).await?;
    Ok(Json(LoginEventList {
        items: rows.iter().map(LoginEventView::from).collect(),
        next_cursor: None,
    }))
}
