//! Idempotency keys: the first request with a key claims it, later ones
//! with the same key and the same request get the stored answer instead of
//! writing again.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, StatementBuilder};
use uuid::Uuid;

/// A stored answer to replay.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Stored {
    pub fingerprint: String,
    /// `None` while the first request is still running.
    pub status: Option<i32>,
    pub etag: Option<String>,
    pub body: Option<String>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new and now belongs to this request.
    Claimed,
    /// The key was used before (or is in use now).
    Seen(Stored),
}

/// Claims `key` for this user and request, or returns what is stored.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<Claim, DbErr> {
    let insert = Query::insert()
        .into_table("idempotency_keys")
        .columns(["user_id", "key", "fingerprint", "created_at"])
        .values_panic([user_id.into(), key.into(), fingerprint.into(), now.into()])
        .on_conflict(
            OnConflict::columns(["user_id", "key"])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    if db.execute(&insert).await?.rows_affected() == 1 {
        return Ok(Claim::Claimed);
    }
    let select = Query::select()
        .columns(["fingerprint", "status", "etag", "body"])
        .from("idempotency_keys")
        .and_where(Expr::col("user_id").eq(user_id))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    let stored =
        Stored::find_by_statement(StatementBuilder::build(&select, &db.get_database_backend()))
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("idempotency key".into()))?;
    Ok(Claim::Seen(stored))
}

/// Stores the answer of the request that claimed the key.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
    status: u16,
    etag: Option<&str>,
    body: &str,
) -> Result<(), DbErr> {
    let update = Query::update()
        .table("idempotency_keys")
        .value("status", i32::from(status))
        .value("etag", etag.map(String::from))
        .value("body", body)
        .and_where(Expr::col("user_id").eq(user_id))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    db.execute(&update).await.map(|_| ())
}

/// Releases a claimed key whose request failed on our side, so the client
/// may retry it.
pub async fn release<C: ConnectionTrait>(db: &C, user_id: Uuid, key: &str) -> Result<(), DbErr> {
    let delete = Query::delete()
        .from_table("idempotency_keys")
        .and_where(Expr::col("user_id").eq(user_id))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    db.execute(&delete).await.map(|_| ())
}

/// Forgets keys claimed before `before`.
pub async fn forget_before<C: ConnectionTrait>(db: &C, before: i64) -> Result<(), DbErr> {
    let delete = Query::delete()
        .from_table("idempotency_keys")
        .and_where(Expr::col("created_at").lt(before))
        .to_owned();
    db.execute(&delete).await.map(|_| ())
}
