//! Who is calling: a bearer token or the session cookie, resolved into a
//! `Principal`. Cookie-authenticated writes must carry the session's CSRF
//! token (header `X-CSRF-Token` or form field `_csrf`).

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use karta_app::model::User;
use karta_app::{AppError, Principal, auth};
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "karta_session";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The session's CSRF token (cookie sessions only).
    pub csrf: Option<String>,
    /// The signed-in user (cookie sessions only; for names and language).
    pub user: Option<User>,
    /// The stored id (hash) of the cookie session, which a password change
    /// leaves signed in.
    pub session_id: Option<String>,
    /// Minutes east of UTC of the clock the caller reads and types times in:
    /// their own, else the company's.
    pub utc_offset: i32,
    /// The language names and files are given in: the user's setting, else
    /// `Accept-Language`, else Russian.
    pub lang: &'static str,
}

/// The caller's language: `user`'s setting, else the request's
/// `Accept-Language`, else Russian.
fn lang_of(user: Option<&User>, parts: &Parts) -> &'static str {
    match user.and_then(|u| u.locale.as_deref()) {
        Some("en") => "en",
        Some(_) => "ru",
        None => crate::i18n::from_accept_language(
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    }
}

impl Caller {
    /// Whether an administrator's reset still waits for this session's user
    /// to choose a new password.
    pub fn must_change_password(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.must_change_password)
    }
}

/// What a session whose password was reset may still reach: the profile to
/// change it, signing out, and the assets the page needs.
fn open_while_reset(path: &str) -> bool {
    matches!(
        path,
        "/profile"
            | "/profile/password"
            | "/logout"
            | "/language"
            | "/api/v1/me"
            | "/api/v1/me/password"
    ) || path.starts_with("/static/")
}

/// The caller's address as the server saw it (`local` in in-process tests).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientIp(ip.unwrap_or_else(|| "local".to_string())))
    }
}

/// Names the caller on the request's log span.
fn log_caller(p: &Principal) {
    tracing::Span::current().record("user_id", tracing::field::display(p.user_id));
}

async fn from_session(state: &AppState, parts: &Parts) -> Result<Option<Caller>, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((u, csrf)) = auth::resolve_session(&state.app, cookie.value()).await? else {
        return Ok(None);
    };
    let channel = if parts.uri.path().starts_with("/api/") {
        "api"
    } else {
        "ui"
    };
    let principal = auth::principal_of(&u, None, channel).ok_or(AppError::Unauthenticated)?;
    log_caller(&principal);
    Ok(Some(Caller {
        utc_offset: state.app.utc_offset(&principal),
        lang: lang_of(Some(&u), parts),
        principal,
        csrf: Some(csrf),
        user: Some(u),
        session_id: Some(auth::digest(cookie.value())),
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ApiError(AppError::Unauthenticated))?;
            let principal = auth::resolve_token(&state.app, token.trim()).await?;
            log_caller(&principal);
            return Ok(Caller {
                utc_offset: state.app.utc_offset(&principal),
                lang: lang_of(None, parts),
                principal,
                csrf: None,
                user: None,
                session_id: None,
            });
        }
        let caller = from_session(state, parts)
            .await?
            .ok_or(ApiError(AppError::Unauthenticated))?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let is_api = parts.uri.path().starts_with("/api/");
        if !safe && is_api {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if sent.is_none() || sent != caller.csrf.as_deref() {
                return Err(ApiError(AppError::Forbidden));
            }
        }
        if caller.must_change_password() && !open_while_reset(parts.uri.path()) {
            return Err(ApiError(AppError::Refused {
                code: "password_change_required",
                facts: serde_json::json!({ "change_at": "/api/v1/me/password" }),
            }));
        }
        Ok(caller)
    }
}

/// A signed-in browser user; anything else is sent to the login page.
#[derive(Debug, Clone)]
pub struct UiCaller(pub Caller);

impl FromRequestParts<AppState> for UiCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match from_session(state, parts).await {
            Ok(Some(caller))
                if caller.must_change_password() && !open_while_reset(parts.uri.path()) =>
            {
                Err(Redirect::to("/profile").into_response())
            }
            Ok(Some(caller)) => Ok(UiCaller(caller)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(ApiError(e).into_response()),
        }
    }
}

impl UiCaller {
    /// The signed-in person behind these request headers, if any.
    pub async fn of_headers(
        state: &AppState,
        headers: HeaderMap,
    ) -> Result<Option<Self>, AppError> {
        let mut probe = axum::http::Request::new(());
        *probe.headers_mut() = headers;
        let (parts, ()) = probe.into_parts();
        Ok(from_session(state, &parts).await?.map(UiCaller))
    }

    /// Fails unless a posted form carries this session's CSRF token.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), ApiError> {
        match (sent, self.0.csrf.as_deref()) {
            (Some(s), Some(expected)) if s == expected => Ok(()),
            _ => Err(ApiError(AppError::Forbidden)),
        }
    }
}
