//! Publishing the outbox: the job runner hands committed domain events, in
//! order, to every subscriber the app was started with (webhooks,
//! automation and mail rules will be subscribers).
//!
//! A batch is marked published in the transaction the subscribers write
//! in, so what they do in the database happens exactly once with the mark;
//! a subscriber with an effect outside the database enqueues a job in that
//! transaction and gets the runner's retries and dead-letter state.

use crate::{App, AppError};
use karta_db::entities::outbox::Model as Published;
use sea_orm::DatabaseTransaction;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Events published per transaction.
const BATCH: u64 = 500;

/// The future a subscriber answers with.
pub type Handled<'a> = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + 'a>>;

/// Something that reacts to committed events.
pub trait Subscriber: Send + Sync {
    /// A stable name, for logs.
    fn name(&self) -> &'static str;

    /// Reacts to a batch of events, writing in `txn` (which also marks
    /// them published). An error rolls the batch back for a later run.
    fn handle<'a>(
        &'a self,
        app: &'a App,
        txn: &'a DatabaseTransaction,
        events: &'a [Published],
    ) -> Handled<'a>;
}

/// The subscribers an app publishes to.
#[derive(Clone, Default)]
pub struct Subscribers(pub Vec<Arc<dyn Subscriber>>);

impl std::fmt::Debug for Subscribers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|s| s.name()))
            .finish()
    }
}

/// Publishes every waiting event; answers how many.
pub async fn publish(app: &App) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        let txn = app.db.begin_write().await?;
        let events = karta_db::outbox::take(&txn, BATCH, app.now()).await?;
        if events.is_empty() {
            txn.rollback().await?;
            return Ok(total);
        }
        for s in &app.subscribers.0 {
            s.handle(app, &txn, &events).await?;
        }
        txn.commit().await?;
        total += events.len();
    }
}
