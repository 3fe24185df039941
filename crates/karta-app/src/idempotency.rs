//! Idempotency keys of API writes, per user: the first request with a key
//! claims it and its answer is stored; a retry with the same key gets that
//! answer back instead of writing again. Keys are forgotten after a day
//! (`maintenance`). The HTTP layer decides what a request and an answer are.

use crate::{App, AppError, Principal};
use karta_db::idempotency as store;

pub use karta_db::idempotency::{Claim, Stored};

/// Claims `key` for the principal's request `fingerprint`, or returns what
/// an earlier request with the key stored (or is still producing).
pub async fn claim(
    app: &App,
    p: &Principal,
    key: &str,
    fingerprint: &str,
) -> Result<Claim, AppError> {
    Ok(store::claim(app.db.conn(), p.user_id, key, fingerprint, app.now()).await?)
}

/// Stores the answer of the request that claimed `key`.
pub async fn store(
    app: &App,
    p: &Principal,
    key: &str,
    status: u16,
    etag: Option<&str>,
    body: &str,
) -> Result<(), AppError> {
    Ok(store::store(app.db.conn(), p.user_id, key, status, etag, body).await?)
}

/// Gives `key` up after a failure on our side, so the client may retry.
pub async fn release(app: &App, p: &Principal, key: &str) -> Result<(), AppError> {
    Ok(store::release(app.db.conn(), p.user_id, key).await?)
}
