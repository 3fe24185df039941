//! A user's own profile: the name colleagues see, the interface language,
//! the time zone the user reads and types times in, and the password.
//! Every user changes these for himself, whatever his role; an
//! administrator's reset (`directory`) makes the next sign-in choose a new
//! password here.

use crate::directory::{MIN_PASSWORD, audited};
use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_db::entities::user;
use karta_db::{history, security, users};
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;
use serde::{Deserialize, Serialize};

/// Changes to one's own profile; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub locale: Option<String>,
    /// One's own clock, like `+07:00`; `null` or `""` for the company's.
    #[serde(default, with = "crate::directory::double_option")]
    #[schema(value_type = Option<String>)]
    pub utc_offset: Option<Option<String>>,
}

/// A new password for oneself, proven by the current one.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    /// The new password typed again, when a form asks for it.
    pub repeat: Option<String>,
}

/// The caller's own user record.
pub async fn own(app: &App, p: &Principal) -> Result<user::Model, AppError> {
    users::user(app.db.conn(), p.user_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the caller's own name, language or time zone.
pub async fn update_own(
    app: &App,
    p: &Principal,
    patch: ProfilePatch,
) -> Result<user::Model, AppError> {
    let current = own(app, p).await?;
    let mut e = Invalid::default();
    let utc_offset = crate::directory::check_profile(
        &mut e,
        patch.name.as_deref(),
        patch.locale.as_deref(),
        patch.utc_offset.as_ref(),
    );
    e.into_result()?;
    let mut model = current.clone().into_active_model();
    if let Some(n) = patch.name {
        model.name = Set(n.trim().to_string());
    }
    if let Some(l) = patch.locale {
        model.locale = Set(Some(l));
    }
    if let Some(offset) = utc_offset {
        model.utc_offset_minutes = Set(offset);
    }
    let mut tx = Tx::begin(app, p.actor()).await?;
    model.updated_at = Set(tx.now());
    model.version = Set(current.version + 1);
    let saved = users::update(&*tx, model).await?;
    let changes = history::diff(&audited(&current), &audited(&saved));
    tx.record(Event::new("users", saved.id, "update", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Replaces the caller's password after checking the current one. Every
/// other session of the user ends (a stolen one among them); `keep` is the
/// id hash of the session making the change, which stays signed in. A reset
/// by an administrator is satisfied by this change.
pub async fn change_own_password(
    app: &App,
    p: &Principal,
    change: PasswordChange,
    keep: Option<&str>,
) -> Result<(), AppError> {
    let current = own(app, p).await?;
    let mut e = Invalid::default();
    if !current
        .password_hash
        .as_deref()
        .is_some_and(|h| crate::auth::verify_password(app, &change.current, h))
    {
        e.push("current", "wrong_password");
    }
    if change.new.chars().count() < MIN_PASSWORD {
        e.push("new", "password_too_short");
    } else if change.new == change.current {
        e.push("new", "same_password");
    }
    if change.repeat.as_ref().is_some_and(|r| *r != change.new) {
        e.push("repeat", "passwords_differ");
    }
    e.into_result()?;
    let hash = crate::auth::hash_password(app, &change.new)?;
    let mut model = current.clone().into_active_model();
    model.password_hash = Set(Some(hash));
    model.must_change_password = Set(false);
    let mut tx = Tx::begin(app, p.actor()).await?;
    model.updated_at = Set(tx.now());
    model.version = Set(current.version + 1);
    users::update(&*tx, model).await?;
    security::delete_other_sessions(&*tx, p.user_id, keep).await?;
    tx.record(Event::new(
        "users",
        p.user_id,
        "update",
        vec![history::FieldChange {
            field: "password".into(),
            old: None,
            new: None,
        }],
    ));
    tx.commit().await?;
    Ok(())
}
