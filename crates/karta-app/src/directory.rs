//! Users and teams: creating and changing them, who may own records, and
//! resolving user names for history.

use crate::uow::{Event, Tx};
use crate::views::ChangeView;
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::identifiers::Email;
use karta_core::roles::{Access, Entity, Role};
use karta_db::entities::{change, team, user};
use karta_db::history;
use karta_db::page::Page;
use karta_db::users;
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// A new user, as the API and CLI send it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub team_id: Option<Uuid>,
    pub password: Option<String>,
    pub locale: Option<String>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `null` removes the user from their team.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub team_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
    pub locale: Option<String>,
    pub password: Option<String>,
    /// The user's own clock, like `+07:00`, for firms across time zones;
    /// `null` returns them to the company's.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub utc_offset: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// Minimum password length.
pub const MIN_PASSWORD: usize = 10;

/// Supported interface languages.
pub const LOCALES: &[&str] = &["ru", "en"];

/// Creates a user. `by` is `None` for the command line (the operator of the
/// machine), else it must be an administrator.
pub async fn create_user(
    app: &App,
    by: Option<&Principal>,
    input: NewUser,
) -> Result<user::Model, AppError> {
    if let Some(p) = by {
        p.require(Entity::Users, Access::Write)?;
    }
    let mut e = Invalid::default();
    let email = e.take("email", Email::parse(&input.email));
    let role = e.take(
        "role",
        input.role.parse::<Role>().map_err(|_| "invalid_choice"),
    );
    let name = input.name.trim().to_string();
    if name.is_empty() {
        e.push("name", "required");
    }
    if let Some(pw) = &input.password
        && pw.chars().count() < MIN_PASSWORD
    {
        e.push("password", "password_too_short");
    }
    if let Some(l) = &input.locale
        && !LOCALES.contains(&l.as_str())
    {
        e.push("locale", "invalid_choice");
    }
    if let Some(t) = input.team_id
        && users::team(app.db.conn(), t).await?.is_none()
    {
        e.push("team_id", "unknown_team");
    }
    e.into_result()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::field("email", "invalid_email"));
    };
    if users::user_by_email(app.db.conn(), email.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::field("email", "already_exists"));
    }
    let hash = match &input.password {
        Some(pw) => Some(crate::auth::hash_password(app, pw)?),
        None => None,
    };
    let mut tx = Tx::begin(app, actor_of(by)).await?;
    let now = tx.now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_string()),
        name: Set(name),
        role: Set(role.as_str().to_string()),
        team_id: Set(input.team_id),
        password_hash: Set(hash),
        locale: Set(input.locale),
        active: Set(true),
        utc_offset_minutes: Set(None),
        must_change_password: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let saved = users::insert(&*tx, model).await?;
    let changes = history::diff(&Value::Null, &audited(&saved));
    tx.record(Event::new("users", saved.id, "create", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Who acts for `by`: the principal, or the machine's operator.
fn actor_of(by: Option<&Principal>) -> history::Actor {
    by.map_or(
        history::Actor {
            user_id: None,
            channel: "cli",
        },
        Principal::actor,
    )
}

/// What the audit trail keeps of a user (never the password hash).
pub(crate) fn audited(u: &user::Model) -> Value {
    json!({
        "email": u.email, "name": u.name, "role": u.role, "team_id": u.team_id,
        "active": u.active, "locale": u.locale, "utc_offset_minutes": u.utc_offset_minutes,
    })
}

/// Checks the fields a user and an administrator both change on a
/// profile: a name that is not blank, a language Karta speaks, a time zone.
/// Returns the zone to store: outer `None` leaves it, `Some(None)` (sent
/// as `null` or empty) returns the user to the company's clock.
pub(crate) fn check_profile(
    e: &mut Invalid,
    name: Option<&str>,
    locale: Option<&str>,
    utc_offset: Option<&Option<String>>,
) -> Option<Option<i32>> {
    if name.is_some_and(|n| n.trim().is_empty()) {
        e.push("name", "required");
    }
    if locale.is_some_and(|l| !LOCALES.contains(&l)) {
        e.push("locale", "invalid_choice");
    }
    match utc_offset {
        Some(Some(raw)) if !raw.trim().is_empty() => e
            .take("utc_offset", karta_core::time::parse_utc_offset(raw))
            .map(Some),
        Some(_) => Some(None),
        None => None,
    }
}

/// Changes a user (administrators only). Deactivation and password changes
/// end the user's sessions; deactivation also kills their tokens, because
/// tokens are checked against the user on every request.
pub async fn update_user(
    app: &App,
    p: &Principal,
    id: Uuid,
    patch: UserPatch,
) -> Result<user::Model, AppError> {
    p.require(Entity::Users, Access::Write)?;
    let current = users::user(app.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = Invalid::default();
    let role = patch
        .role
        .as_deref()
        .and_then(|r| e.take("role", r.parse::<Role>().map_err(|_| "invalid_choice")));
    if let Some(Some(t)) = patch.team_id
        && users::team(app.db.conn(), t).await?.is_none()
    {
        e.push("team_id", "unknown_team");
    }
    if patch
        .password
        .as_deref()
        .is_some_and(|pw| pw.chars().count() < MIN_PASSWORD)
    {
        e.push("password", "password_too_short");
    }
    let utc_offset = check_profile(
        &mut e,
        patch.name.as_deref(),
        patch.locale.as_deref(),
        patch.utc_offset.as_ref(),
    );
    if id == p.user_id && (patch.active == Some(false) || role.is_some_and(|r| r != Role::Admin)) {
        e.push("role", "cannot_demote_self");
    }
    e.into_result()?;
    let end_sessions = patch.active == Some(false) || patch.password.is_some();
    let mut model = current.clone().into_active_model();
    if let Some(n) = patch.name {
        model.name = Set(n.trim().to_string());
    }
    if let Some(r) = role {
        model.role = Set(r.as_str().to_string());
    }
    if let Some(t) = patch.team_id {
        model.team_id = Set(t);
    }
    if let Some(a) = patch.active {
        model.active = Set(a);
    }
    if let Some(l) = patch.locale {
        model.locale = Set(Some(l));
    }
    if let Some(offset) = utc_offset {
        model.utc_offset_minutes = Set(offset);
    }
    let password = patch.password.is_some();
    if let Some(pw) = patch.password {
        model.password_hash = Set(Some(crate::auth::hash_password(app, &pw)?));
        // Someone else now knows it: the owner replaces it at sign-in.
        model.must_change_password = Set(id != p.user_id);
    }
    // The change and the end of the sessions commit together: a user
    // switched off is never left logged in.
    let mut tx = Tx::begin(app, p.actor()).await?;
    model.updated_at = Set(tx.now());
    model.version = Set(current.version + 1);
    let saved = users::update(&*tx, model).await?;
    if end_sessions {
        karta_db::security::delete_sessions_of(&*tx, id).await?;
    }
    let mut changes = history::diff(&audited(&current), &audited(&saved));
    if password {
        changes.push(history::FieldChange {
            field: "password".into(),
            old: None,
            new: None,
        });
    }
    tx.record(Event::new("users", id, "update", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Sets a new password for the user with `email` from the machine's
/// command line (an administrator who forgot his own, say). The user must
/// choose another at the next sign-in, and every session of theirs ends.
pub async fn reset_password(
    app: &App,
    email: &str,
    password: &str,
) -> Result<user::Model, AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::field("password", "password_too_short"));
    }
    let current = users::user_by_email(app.db.conn(), &email.trim().to_lowercase())
        .await?
        .ok_or_else(|| AppError::field("email", "unknown_user"))?;
    let mut model = current.clone().into_active_model();
    model.password_hash = Set(Some(crate::auth::hash_password(app, password)?));
    model.must_change_password = Set(true);
    let mut tx = Tx::begin(app, actor_of(None)).await?;
    model.updated_at = Set(tx.now());
    model.version = Set(current.version + 1);
    let saved = users::update(&*tx, model).await?;
    karta_db::security::delete_sessions_of(&*tx, saved.id).await?;
    tx.record(Event::new(
        "users",
        saved.id,
        "update",
        vec![history::FieldChange {
            field: "password".into(),
            old: None,
            new: None,
        }],
    ));
    tx.commit().await?;
    Ok(saved)
}

/// Sets the caller's own interface language.
pub async fn set_own_locale(app: &App, p: &Principal, locale: &str) -> Result<(), AppError> {
    let patch = crate::profile::ProfilePatch {
        locale: Some(locale.to_string()),
        ..Default::default()
    };
    crate::profile::update_own(app, p, patch).await.map(|_| ())
}

/// The colleague directory.
pub async fn list_users(app: &App, p: &Principal) -> Result<Vec<user::Model>, AppError> {
    p.require(Entity::Users, Access::Read)?;
    Ok(users::users(app.db.conn()).await?)
}

/// All teams.
pub async fn list_teams(app: &App, p: &Principal) -> Result<Vec<team::Model>, AppError> {
    p.require(Entity::Teams, Access::Read)?;
    Ok(users::teams(app.db.conn()).await?)
}

/// Creates a team (administrators; `None` for the CLI).
pub async fn create_team(
    app: &App,
    by: Option<&Principal>,
    name: &str,
) -> Result<team::Model, AppError> {
    if let Some(p) = by {
        p.require(Entity::Teams, Access::Write)?;
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            if name.is_empty() {
                "required"
            } else {
                "too_long"
            },
        ));
    }
    if users::team_by_name(app.db.conn(), name).await?.is_some() {
        return Err(AppError::field("name", "already_exists"));
    }
    let mut tx = Tx::begin(app, actor_of(by)).await?;
    let saved = users::create_team(&*tx, name, tx.now()).await?;
    let changes = history::diff(&Value::Null, &json!({"name": saved.name}));
    tx.record(Event::new("teams", saved.id, "create", changes));
    tx.commit().await?;
    Ok(saved)
}

/// Whether `user`'s role may work on records of `entity`, so that
/// giving one to them is not a hand-over to someone who cannot act on it
/// (a read-only user, an accountant for a lead).
pub fn may_own(user: &karta_db::entities::user::Model, entity: Entity) -> bool {
    user.role
        .parse::<karta_core::roles::Role>()
        .is_ok_and(|r| r.reach(entity, Access::Write) != karta_core::roles::Reach::Nothing)
}

/// Fills and checks a record's owner and team. Owner defaults to the
/// current owner (or the creator), team to the owner's team; giving a
/// record to someone else needs the right to assign.
pub async fn assign_owner(
    app: &App,
    p: &Principal,
    entity: Entity,
    owner: &mut Option<Uuid>,
    team: &mut Option<Uuid>,
    current: Option<(Option<Uuid>, Option<Uuid>)>,
    e: &mut Invalid,
) -> Result<(), AppError> {
    let (default_owner, default_team) = current.unwrap_or((Some(p.user_id), None));
    let owner_id = owner.or(default_owner).unwrap_or(p.user_id);
    *owner = Some(owner_id);
    let owner_user = app.user(owner_id).await?;
    let Some(owner_user) = owner_user.filter(|u| u.active) else {
        e.push("owner_id", "unknown_user");
        return Ok(());
    };
    let owner_changed = Some(owner_id) != default_owner;
    if owner_changed && !may_own(&owner_user, entity) {
        e.push("owner_id", "owner_cannot_work");
    }
    if team.is_none() {
        *team = if owner_changed || current.is_none() {
            owner_user.team_id
        } else {
            default_team
        };
    }
    let team_changed = *team != owner_user.team_id && *team != default_team;
    if (owner_changed || team_changed) && !p.may_assign(entity) {
        e.push(
            if owner_changed { "owner_id" } else { "team_id" },
            "cannot_assign",
        );
    }
    if let Some(t) = *team
        && app.team(t).await?.is_none()
    {
        e.push("team_id", "unknown_team");
    }
    Ok(())
}

/// Turns a page of change rows into views with actor names, and the names
/// of the users and teams the changed values name (one query for users,
/// teams from the reference cache).
pub async fn change_views(
    app: &App,
    page: Page<change::Model>,
) -> Result<Page<ChangeView>, AppError> {
    const USER_FIELDS: [&str; 2] = ["owner_id", "responsible_user_id"];
    let id_of = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
    };
    let field_is = |c: &change::Model, fields: &[&str]| {
        c.field.as_deref().is_some_and(|f| fields.contains(&f))
    };
    let mut ids: Vec<Uuid> = page.items.iter().filter_map(|c| c.actor_id).collect();
    for c in page.items.iter().filter(|c| field_is(c, &USER_FIELDS)) {
        ids.extend(id_of(&c.old_value).into_iter().chain(id_of(&c.new_value)));
    }
    let names = users::names(app.db.conn(), &ids).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for r in page.items {
        let (old, new) = (id_of(&r.old_value), id_of(&r.new_value));
        let users_named = field_is(&r, &USER_FIELDS);
        let teams_named = field_is(&r, &["team_id"]);
        let name_of = async |id: Option<Uuid>| -> Result<Option<String>, AppError> {
            let Some(id) = id else { return Ok(None) };
            Ok(if users_named {
                names.get(&id).cloned()
            } else if teams_named {
                app.team(id).await?.map(|t| t.name)
            } else {
                None
            })
        };
        let (old_name, new_name) = (name_of(old).await?, name_of(new).await?);
        let actor = r.actor_id.and_then(|id| names.get(&id).cloned());
        items.push(ChangeView {
            old_name,
            new_name,
            ..ChangeView::of(r, actor)
        });
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// The names of the users `ids`, for the owners and authors shown beside
/// records the caller may already read (a name is directory data every
/// signed-in principal sees).
pub async fn names(
    app: &App,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, AppError> {
    Ok(users::names(app.db.conn(), ids).await?)
}
