//! `/api/v1/users`, `/teams`, `/tokens`, `/login-events`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::parse_json;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use karta_app::directory::{self, NewUser, UserPatch};
use karta_app::{AppError, auth};
use karta_core::time::rfc3339;
use karta_db::entities::{api_token, user};
use serde_json::{Value, json};
use uuid::Uuid;

/// A user without secrets.
pub fn user_json(u: &user::Model) -> Value {
    json!({
        "id": u.id, "email": u.email, "name": u.name, "role": u.role, "team_id": u.team_id,
        "active": u.active, "locale": u.locale, "created_at": rfc3339(u.created_at), "version": u.version,
    })
}

fn token_json(t: &api_token::Model) -> Value {
    json!({
        "id": t.id, "name": t.name, "user_id": t.user_id,
        "scopes": t.scopes.split_whitespace().collect::<Vec<_>>(),
        "created_at": rfc3339(t.created_at), "expires_at": t.expires_at.map(rfc3339),
        "revoked_at": t.revoked_at.map(rfc3339), "last_used_at": t.last_used_at.map(rfc3339),
    })
}

/// The colleague directory.
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let users = directory::list_users(&state.app, &caller.principal).await?;
    Ok(Json(
        json!({"items": users.iter().map(user_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

/// Create a user (administrators).
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: NewUser = parse_json(&body)?;
    let u = directory::create_user(&state.app, Some(&caller.principal), input).await?;
    Ok((StatusCode::CREATED, Json(user_json(&u))))
}

/// Change a user (administrators).
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let patch: UserPatch = parse_json(&body)?;
    let u = directory::update_user(&state.app, &caller.principal, id, patch).await?;
    Ok(Json(user_json(&u)))
}

/// All teams.
pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let teams = directory::list_teams(&state.app, &caller.principal).await?;
    let items: Vec<Value> = teams
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name}))
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    name: String,
}

/// Create a team (administrators).
pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: NewTeam = parse_json(&body)?;
    let t = directory::create_team(&state.app, Some(&caller.principal), &input.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": t.id, "name": t.name})),
    ))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    #[serde(default)]
    name: String,
    /// Whose token (administrators only); default the caller.
    email: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    expires_days: Option<u32>,
}

/// The caller's tokens (never their secrets).
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let tokens =
        karta_db::security::tokens_of(state.app.db.conn(), caller.principal.user_id).await?;
    Ok(Json(
        json!({"items": tokens.iter().map(token_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

/// Create a token; the secret is in this answer only.
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: NewToken = parse_json(&body)?;
    let email = match input.email {
        Some(e) => e,
        None => karta_db::users::user(state.app.db.conn(), caller.principal.user_id)
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
    let mut body = token_json(&t);
    body["token"] = Value::String(secret);
    Ok((StatusCode::CREATED, Json(body)))
}

/// Revoke a token.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    auth::revoke_token(&state.app, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Recent successful and failed logins (administrators).
pub async fn login_events(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let rows = auth::login_records(&state.app, &caller.principal, 200).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({"at": rfc3339(r.at), "email": r.email, "user_id": r.user_id, "ip": r.ip, "success": r.success, "reason": r.reason}))
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}
