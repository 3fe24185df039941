//! Sign-in, sign-out and the language switch.

use super::render;
use crate::AppState;
use crate::auth::{ClientIp, SESSION_COOKIE, UiCaller};
use crate::error::ApiError;
use crate::i18n::{Tr, from_accept_language};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use karta_app::AppError;

const LOGIN_CSRF_COOKIE: &str = "karta_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    email: String,
    error: Option<String>,
}

fn cookie<'a>(state: &AppState, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .path("/")
        .build()
}

fn lang_of(headers: &HeaderMap) -> Tr {
    Tr::new(from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ))
}

/// The sign-in form (with a double-submit CSRF cookie).
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let csrf = karta_app::auth::random_secret();
    let page = LoginPage {
        tr: lang_of(&headers),
        csrf: csrf.clone(),
        email: String::new(),
        error: None,
    };
    (
        jar.add(cookie(&state, LOGIN_CSRF_COOKIE, csrf)),
        render(&page),
    )
        .into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Checks the credentials and opens a session.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = lang_of(&headers);
    if jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value()) != Some(form.csrf.as_str()) {
        return Redirect::to("/login").into_response();
    }
    match karta_app::auth::login(&state.app, &form.email, &form.password, &ip).await {
        Ok(session) => {
            let jar = jar.remove(Cookie::from(LOGIN_CSRF_COOKIE)).add(cookie(
                &state,
                SESSION_COOKIE,
                session.token,
            ));
            // A reset password is replaced before anything else.
            let home = if session.user.must_change_password {
                "/profile"
            } else {
                "/today"
            };
            (jar, Redirect::to(home)).into_response()
        }
        Err(e @ (AppError::BadCredentials | AppError::Throttled)) => {
            let key = if matches!(e, AppError::Throttled) {
                "login-throttled"
            } else {
                "login-failed"
            };
            let page = LoginPage {
                tr,
                csrf: form.csrf,
                email: form.email,
                error: Some(tr.t(key)),
            };
            (axum::http::StatusCode::UNAUTHORIZED, render(&page)).into_response()
        }
        Err(e) => ApiError(e).into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    locale: Option<String>,
}

/// Ends the session.
pub async fn logout(
    State(state): State<AppState>,
    caller: UiCaller,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        karta_app::auth::logout(&state.app, c.value()).await?;
    }
    Ok((
        jar.remove(Cookie::from(SESSION_COOKIE)),
        Redirect::to("/login"),
    )
        .into_response())
}

/// Switches the interface language (saved on the user).
pub async fn language(
    State(state): State<AppState>,
    caller: UiCaller,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    karta_app::directory::set_own_locale(
        &state.app,
        &caller.0.principal,
        form.locale.as_deref().unwrap_or("ru"),
    )
    .await?;
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(Redirect::to(&local_path(referer)).into_response())
}

/// The path (and query) of a URL, to return to the same page; anything
/// that is not a plain local path becomes the account list, so the switch
/// can never redirect elsewhere.
fn local_path(url: &str) -> String {
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("", |j| &url[i + 3 + j..]),
        None => url,
    };
    if path.starts_with('/') && !path.starts_with("//") {
        path.to_string()
    } else {
        "/today".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn language_switch_returns_only_to_local_pages() {
        assert_eq!(
            local_path("http://127.0.0.1:8080/accounts/1?x=2"),
            "/accounts/1?x=2"
        );
        assert_eq!(local_path("/contacts"), "/contacts");
        assert_eq!(local_path("//evil.example/x"), "/today");
        assert_eq!(local_path("https://evil.example"), "/today");
        assert_eq!(local_path(""), "/today");
    }
}
