//! Sessions, API tokens and login records.

use crate::entities::{api_token, login_event, session};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Stores a new session.
pub async fn create_session<C: ConnectionTrait>(
    db: &C,
    model: session::ActiveModel,
) -> Result<(), DbErr> {
    session::Entity::insert(model).exec(db).await.map(|_| ())
}

/// A session by the hash of its cookie.
pub async fn session<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find_by_id(id_hash.to_string())
        .one(db)
        .await
}

/// Marks a session as used now.
pub async fn touch_session<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
    at: i64,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(
            session::Column::LastSeenAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(session::Column::Id.eq(id_hash))
        .exec(db)
        .await
        .map(|_| ())
}

/// Ends a session.
pub async fn delete_session<C: ConnectionTrait>(db: &C, id_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(id_hash.to_string())
        .exec(db)
        .await
        .map(|_| ())
}

/// Ends every session of a user (deactivation, password change).
pub async fn delete_sessions_of<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), DbErr> {
    delete_other_sessions(db, user_id, None).await
}

/// Ends every session of a user but `keep` (the id hash of the session
/// that changed its own password stays signed in).
pub async fn delete_other_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    keep: Option<&str>,
) -> Result<(), DbErr> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep));
    }
    q.exec(db).await.map(|_| ())
}

/// Drops sessions idle since before `cutoff`.
pub async fn delete_idle_sessions<C: ConnectionTrait>(db: &C, cutoff: i64) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::LastSeenAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}

/// Stores a new token.
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    model: api_token::ActiveModel,
) -> Result<api_token::Model, DbErr> {
    api_token::Entity::insert(model)
        .exec_with_returning(db)
        .await
}

/// A token by the hash of its secret.
pub async fn token_by_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .one(db)
        .await
}

/// Tokens of a user, newest first.
pub async fn tokens_of<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Vec<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await
}

/// A token by id.
pub async fn token<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find_by_id(id).one(db).await
}

/// Revokes a token.
pub async fn revoke_token<C: ConnectionTrait>(db: &C, id: Uuid, at: i64) -> Result<(), DbErr> {
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Records when a token was last used.
pub async fn token_used<C: ConnectionTrait>(db: &C, id: Uuid, at: i64) -> Result<(), DbErr> {
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::LastUsedAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Records a login attempt.
pub async fn record_login<C: ConnectionTrait>(
    db: &C,
    model: login_event::ActiveModel,
) -> Result<(), DbErr> {
    login_event::Entity::insert(model)
        .exec(db)
        .await
        .map(|_| ())
}

/// Failed logins since `since` for this e-mail and for this address.
pub async fn recent_failures<C: ConnectionTrait>(
    db: &C,
    email: &str,
    ip: &str,
    since: i64,
) -> Result<(u64, u64), DbErr> {
    let base = || {
        login_event::Entity::find()
            .filter(login_event::Column::Success.eq(false))
            .filter(login_event::Column::At.gte(since))
    };
    let by_email = base()
        .filter(login_event::Column::Email.eq(email))
        .count(db)
        .await?;
    let by_ip = base()
        .filter(login_event::Column::Ip.eq(ip))
        .count(db)
        .await?;
    Ok((by_email, by_ip))
}

/// The latest login records, newest first.
pub async fn logins<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<login_event::Model>, DbErr> {
    login_event::Entity::find()
        .order_by_desc(login_event::Column::At)
        .limit(limit)
        .all(db)
        .await
}

/// New login record.
pub fn login_row(
    at: i64,
    email: &str,
    user_id: Option<Uuid>,
    ip: &str,
    success: bool,
    reason: Option<&str>,
) -> login_event::ActiveModel {
    login_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(at),
        email: Set(email.to_string()),
        user_id: Set(user_id),
        ip: Set(ip.to_string()),
        success: Set(success),
        reason: Set(reason.map(String::from)),
    }
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct Hits {
    hits: i64,
}

/// Counts one hit for `key` in the window starting at `window` and returns
/// the hits so far in that window (atomic on both engines).
pub async fn hit<C: ConnectionTrait>(db: &C, key: &str, window: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO rate_limits (key, \"window\", hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, \"window\") DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits"
        }
        _ => {
            "INSERT INTO rate_limits (key, \"window\", hits) VALUES (?, ?, 1) \
             ON CONFLICT (key, \"window\") DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits"
        }
    };
    let stmt = sea_orm::Statement::from_sql_and_values(backend, sql, [key.into(), window.into()]);
    Ok(Hits::find_by_statement(stmt)
        .one(db)
        .await?
        .map(|h| h.hits)
        .unwrap_or(1))
}

/// Forgets windows that ended before `before`.
pub async fn forget_rate_windows<C: ConnectionTrait>(db: &C, before: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "DELETE FROM rate_limits WHERE \"window\" < $1",
        _ => "DELETE FROM rate_limits WHERE \"window\" < ?",
    };
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        sql,
        [before.into()],
    ))
    .await
    .map(|_| ())
}
