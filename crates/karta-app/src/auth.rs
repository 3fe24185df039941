//! Authentication: passwords (argon2id), login throttling and records,
//! database-backed sessions, and API tokens (hashed, scoped, expiring).

use crate::{App, AppError, Principal};
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use karta_core::identifiers::Email;
use karta_core::roles::{Role, Scope};
use karta_db::entities::{api_token, session, user};
use karta_db::{security, users};
use rand::RngCore;
use sea_orm::ActiveValue::Set;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Prefix that makes Karta tokens recognisable to secret scanners.
pub const TOKEN_PREFIX: &str = "karta_";

fn argon(app: &App) -> Result<Argon2<'static>, AppError> {
    let params = Params::new(app.config.argon2_memory_kib, 2, 1, None)
        .map_err(|_| AppError::field("password", "invalid_password"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(app: &App, password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon(app)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::field("password", "invalid_password"))
}

pub(crate) fn verify_password(app: &App, password: &str, hash: &str) -> bool {
    let (Ok(parsed), Ok(a)) = (PasswordHash::new(hash), argon(app)) else {
        return false;
    };
    a.verify_password(password.as_bytes(), &parsed).is_ok()
}

/// A random secret, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 hex of a secret: what is stored instead of the secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A browser session just opened.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Cookie value (never stored).
    pub token: String,
    pub csrf_token: String,
    pub user: user::Model,
}

/// The principal of a signed-in user.
pub fn principal_of(
    u: &user::Model,
    scopes: Option<Vec<Scope>>,
    channel: &'static str,
) -> Option<Principal> {
    let role: Role = u.role.parse().ok()?;
    Some(Principal {
        user_id: u.id,
        role,
        team_id: u.team_id,
        scopes,
        channel,
        utc_offset_minutes: u.utc_offset_minutes,
        account_id: None,
    })
}

/// Checks the password and opens a session. Failures are recorded and
/// throttled per e-mail and per address; the answer never says whether the
/// e-mail exists.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<NewSession, AppError> {
    let now = app.now();
    let email = Email::parse(email)
        .map(|e| e.to_string())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    let conn = app.db.conn();
    let (by_email, by_ip) =
        security::recent_failures(conn, &email, ip, now - app.config.login_window).await?;
    if by_email >= app.config.max_login_failures || by_ip >= app.config.max_login_failures * 3 {
        security::record_login(
            conn,
            security::login_row(now, &email, None, ip, false, Some("throttled")),
        )
        .await?;
        return Err(AppError::Throttled);
    }
    let found = users::user_by_email(conn, &email).await?;
    let ok = match &found {
        Some(u) if u.active => u
            .password_hash
            .as_deref()
            .is_some_and(|h| verify_password(app, password, h)),
        _ => false,
    };
    let Some(user) = found.filter(|_| ok) else {
        security::record_login(
            conn,
            security::login_row(now, &email, None, ip, false, Some("bad_credentials")),
        )
        .await?;
        return Err(AppError::BadCredentials);
    };
    security::record_login(
        conn,
        security::login_row(now, &email, Some(user.id), ip, true, None),
    )
    .await?;
    // A fresh id on every login: a session id planted before login is useless.
    let token = random_secret();
    let csrf_token = random_secret();
    security::create_session(
        conn,
        session::ActiveModel {
            id: Set(digest(&token)),
            user_id: Set(user.id),
            csrf_token: Set(csrf_token.clone()),
            created_at: Set(now),
            last_seen_at: Set(now),
        },
    )
    .await?;
    Ok(NewSession {
        token,
        csrf_token,
        user,
    })
}

/// The user and CSRF token behind a session cookie, if still valid.
pub async fn resolve_session(
    app: &App,
    token: &str,
) -> Result<Option<(user::Model, String)>, AppError> {
    let conn = app.db.conn();
    let id = digest(token);
    let Some(s) = security::session(conn, &id).await? else {
        return Ok(None);
    };
    let now = app.now();
    if s.last_seen_at < now - app.config.session_idle
        || s.created_at < now - app.config.session_absolute
    {
        security::delete_session(conn, &id).await?;
        return Ok(None);
    }
    let Some(u) = users::user(conn, s.user_id).await?.filter(|u| u.active) else {
        return Ok(None);
    };
    // Refresh at most once a minute: reads should not all become writes.
    if now - s.last_seen_at > 60_000_000 {
        security::touch_session(conn, &id, now).await?;
    }
    Ok(Some((u, s.csrf_token)))
}

/// Ends a session.
pub async fn logout(app: &App, token: &str) -> Result<(), AppError> {
    Ok(security::delete_session(app.db.conn(), &digest(token)).await?)
}

/// Creates an API token for the user with `email`. `by` is `None` for the
/// command line; otherwise users create their own tokens and administrators
/// anyone's. Returns the secret (shown once) and the stored record.
pub async fn create_token(
    app: &App,
    by: Option<&Principal>,
    email: &str,
    name: &str,
    scopes: &[String],
    expires_days: Option<u32>,
) -> Result<(String, api_token::Model), AppError> {
    let owner = users::user_by_email(app.db.conn(), &email.trim().to_lowercase())
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::field("email", "unknown_user"))?;
    if let Some(p) = by
        && p.user_id != owner.id
        && p.role != Role::Admin
    {
        return Err(AppError::Forbidden);
    }
    let mut parsed = Vec::new();
    for (i, s) in scopes.iter().enumerate() {
        parsed.push(
            s.parse::<Scope>()
                .map_err(|code| AppError::field(&format!("scopes[{i}]"), code))?,
        );
    }
    if parsed.is_empty() {
        parsed = Scope::all();
    }
    if expires_days == Some(0) {
        return Err(AppError::field("expires_days", "invalid_number"));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let now = app.now();
    let model = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(owner.id),
        name: Set(if name.trim().is_empty() {
            "token".to_string()
        } else {
            name.trim().to_string()
        }),
        token_hash: Set(digest(&secret)),
        scopes: Set(parsed
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")),
        created_at: Set(now),
        expires_at: Set(expires_days.map(|d| now + i64::from(d) * 86_400_000_000)),
        revoked_at: Set(None),
        last_used_at: Set(None),
    };
    let saved = security::create_token(app.db.conn(), model).await?;
    Ok((secret, saved))
}

/// The principal behind a bearer token: valid, unexpired, unrevoked, and
/// its user still active (rights re-read from the user every time).
pub async fn resolve_token(app: &App, secret: &str) -> Result<Principal, AppError> {
    let conn = app.db.conn();
    let t = security::token_by_hash(conn, &digest(secret))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let now = app.now();
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::Unauthenticated);
    }
    let u = users::user(conn, t.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::Unauthenticated)?;
    let scopes: Vec<Scope> = t
        .scopes
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    if t.last_used_at.is_none_or(|at| now - at > 60_000_000) {
        security::token_used(conn, t.id, now).await?;
    }
    principal_of(&u, Some(scopes), "api").ok_or(AppError::Unauthenticated)
}

/// The caller's own API tokens, revoked and expired ones included.
pub async fn tokens(app: &App, p: &Principal) -> Result<Vec<api_token::Model>, AppError> {
    Ok(security::tokens_of(app.db.conn(), p.user_id).await?)
}

/// Revokes one of the caller's tokens (administrators: anyone's).
pub async fn revoke_token(app: &App, p: &Principal, id: Uuid) -> Result<(), AppError> {
    let t = security::token(app.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if t.user_id != p.user_id && p.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    Ok(security::revoke_token(app.db.conn(), id, app.now()).await?)
}

/// Recent login records (administrators).
pub async fn login_records(
    app: &App,
    p: &Principal,
    limit: u64,
) -> Result<Vec<karta_db::entities::login_event::Model>, AppError> {
    p.require(
        karta_core::roles::Entity::AuditLog,
        karta_core::roles::Access::Read,
    )?;
    Ok(security::logins(app.db.conn(), limit).await?)
}
