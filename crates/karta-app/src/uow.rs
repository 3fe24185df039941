//! The unit of work: one write transaction that carries who acts, one
//! clock reading and the domain events the use cases record. History rows,
//! search-index updates and outbox rows are all written from those events
//! when the work commits, in the same transaction, so no use case writes
//! them by hand and none can forget one. Use cases that take a `&mut Tx`
//! compose: a lead's conversion is one `Tx` through four use cases, and a
//! failure anywhere leaves nothing behind.
//!
//! Jobs asked for through [`Tx::enqueue`] are the other half of the outbox:
//! they exist exactly when the work commits (a rolled-back e-mail is never
//! sent).

use crate::jobs::Kind;
use crate::{App, AppError};
use karta_db::history::{self, Actor, FieldChange};
use karta_db::outbox::{self, NewEvent};
use karta_db::search;
use sea_orm::DatabaseTransaction;
use std::ops::Deref;
use uuid::Uuid;

/// What an event does to the record's search entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Indexing {
    /// Nothing (the searchable text did not change).
    Keep,
    /// A new record's entry: its public text and its personal-data text.
    New(String, String),
    /// Replaces the entry.
    Replace(String, String),
    /// Removes the entry (the record is gone for good).
    Remove,
}

/// One thing that happened to one record.
#[derive(Debug, Clone)]
pub struct Event {
    /// The registry name of the record's kind (`accounts`).
    pub entity: &'static str,
    pub record_id: Uuid,
    /// `create`, `update`, `delete`, `restore`, `purge`, `merge`, `convert`…
    pub action: &'static str,
    /// Field by field; an act without field changes still leaves a row.
    pub changes: Vec<FieldChange>,
    pub indexing: Indexing,
}

impl Event {
    /// An act on a record with these field changes; its search entry kept.
    pub fn new(
        entity: &'static str,
        record_id: Uuid,
        action: &'static str,
        changes: Vec<FieldChange>,
    ) -> Self {
        Self {
            entity,
            record_id,
            action,
            changes,
            indexing: Indexing::Keep,
        }
    }

    /// An act whose changes are the difference between two states of a
    /// settings row (`None`: it did not exist), its bookkeeping columns
    /// left out.
    pub fn between<T: serde::Serialize>(
        entity: &'static str,
        record_id: Uuid,
        action: &'static str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        let state = |m: Option<&T>| {
            let mut v = m
                .and_then(|m| serde_json::to_value(m).ok())
                .unwrap_or(serde_json::Value::Null);
            if let Some(fields) = v.as_object_mut() {
                for key in ["id", "created_at", "updated_at", "version"] {
                    fields.remove(key);
                }
            }
            v
        };
        Self::new(
            entity,
            record_id,
            action,
            history::diff(&state(before), &state(after)),
        )
    }

    /// The same event, also changing the record's search entry.
    pub fn indexed(mut self, indexing: Indexing) -> Self {
        self.indexing = indexing;
        self
    }
}

/// One write transaction with its actor, clock and events.
pub struct Tx<'a> {
    app: &'a App,
    txn: DatabaseTransaction,
    actor: Actor,
    now: i64,
    events: Vec<Event>,
}

impl<'a> Tx<'a> {
    /// Opens a unit of work acting as `actor`, at the app's current time.
    pub async fn begin(app: &'a App, actor: Actor) -> Result<Self, AppError> {
        Ok(Self {
            txn: app.db.begin_write().await?,
            now: app.now(),
            app,
            actor,
            events: Vec::new(),
        })
    }

    /// The app the work runs in.
    pub fn app(&self) -> &'a App {
        self.app
    }

    /// Who acts (recorded in history and the outbox).
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The one time every row of this work is stamped with.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Records an event; it is written when the work commits.
    pub fn record(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Records many events (a bulk act).
    pub fn record_all(&mut self, events: impl IntoIterator<Item = Event>) {
        self.events.extend(events);
    }

    /// Asks for a job that runs only if this work commits.
    pub async fn enqueue(
        &self,
        kind: Kind,
        payload: serde_json::Value,
        unique_key: Option<String>,
    ) -> Result<Option<Uuid>, AppError> {
        crate::jobs::enqueue(
            &self.txn,
            self.now,
            kind,
            payload,
            unique_key,
            self.actor.user_id,
        )
        .await
    }

    /// Writes what the events say (history, search, outbox), then commits.
    pub async fn commit(mut self) -> Result<(), AppError> {
        self.flush().await?;
        Ok(self.txn.commit().await?)
    }

    /// Abandons the work: nothing of it, events included, is kept.
    pub async fn rollback(self) -> Result<(), AppError> {
        Ok(self.txn.rollback().await?)
    }

    /// Writes the recorded events, batching runs of alike ones so a bulk
    /// import's thousands of creates cost a few statements per table.
    async fn flush(&mut self) -> Result<(), AppError> {
        let mut events = std::mem::take(&mut self.events);
        let db = &self.txn;
        let published: Vec<NewEvent> = events
            .iter()
            .map(|e| NewEvent {
                entity: e.entity,
                record_id: e.record_id,
                action: e.action,
                fields: e.changes.iter().map(|c| c.field.clone()).collect(),
            })
            .collect();
        outbox::insert_many(db, self.now, self.actor, &published).await?;
        // Texts and changes are moved out, not copied: an import flushes
        // hundreds of thousands of them.
        for run in events.chunk_by_mut(|a, b| {
            a.entity == b.entity
                && matches!(a.indexing, Indexing::New(..))
                && matches!(b.indexing, Indexing::New(..))
        }) {
            let mut new = Vec::new();
            for e in run.iter_mut() {
                match std::mem::replace(&mut e.indexing, Indexing::Keep) {
                    Indexing::Keep => {}
                    Indexing::New(public, private) => new.push((e.record_id, public, private)),
                    Indexing::Replace(public, private) => {
                        search::index(db, e.entity, e.record_id, &public, &private).await?;
                    }
                    Indexing::Remove => search::remove(db, e.record_id).await?,
                }
            }
            search::index_new(db, run[0].entity, &new).await?;
        }
        for run in events.chunk_by_mut(|a, b| a.entity == b.entity && a.action == b.action) {
            let acts: Vec<(Uuid, Vec<FieldChange>)> = run
                .iter_mut()
                .map(|e| (e.record_id, std::mem::take(&mut e.changes)))
                .collect();
            history::record_many(
                db,
                self.now,
                self.actor,
                run[0].entity,
                run[0].action,
                &acts,
            )
            .await?;
        }
        Ok(())
    }
}

/// Writes one settings row (a classifier, a custom field, a routing rule)
/// in a unit of work of its own, recording the change from `before` to
/// what `write` saved as `action` on `id`.
pub(crate) async fn audited<M: serde::Serialize>(
    app: &App,
    actor: Actor,
    (entity, action, id): (&'static str, &'static str, Uuid),
    before: Option<&M>,
    write: impl AsyncFnOnce(&Tx<'_>) -> Result<M, AppError>,
) -> Result<M, AppError> {
    let mut tx = Tx::begin(app, actor).await?;
    let saved = write(&tx).await?;
    tx.record(Event::between(entity, id, action, before, Some(&saved)));
    tx.commit().await?;
    Ok(saved)
}

/// The transaction itself, for the storage calls a use case makes.
impl Deref for Tx<'_> {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
