//! Reference data that every write checks against — classifiers, custom
//! field definitions, users and teams — read through the `App`.
//!
//! A normal request reads them afresh. A bulk job (an import batch) asks for
//! an `App::remembering_reference` copy that reads each of them once and
//! keeps it for its own short life: thousands of rows then cost one query
//! for each of these instead of several per row.

use crate::{App, AppError};
use karta_db::entities::{classifier, custom_field, team, user};
use karta_db::{DbErr, classifiers, custom_fields, users};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// What a remembering `App` has read so far.
#[derive(Debug, Default)]
pub struct Remembered {
    classifiers: Mutex<HashMap<(), Arc<Vec<classifier::Model>>>>,
    custom_fields: Mutex<HashMap<String, Arc<Vec<custom_field::Model>>>>,
    users: Mutex<HashMap<Uuid, Option<user::Model>>>,
    teams: Mutex<HashMap<Uuid, Option<team::Model>>>,
}

/// One of the maps of `Remembered`.
type Pick<K, T> = fn(&Remembered) -> &Mutex<HashMap<K, T>>;

/// The map under its lock; a panic elsewhere cannot corrupt a cache of
/// read-only copies, so a poisoned lock is used as it is.
fn locked<K, T>(map: &Mutex<HashMap<K, T>>) -> std::sync::MutexGuard<'_, HashMap<K, T>> {
    map.lock().unwrap_or_else(PoisonError::into_inner)
}

impl App {
    /// A copy of this app that remembers the reference data it reads (for
    /// one bulk batch; changes made meanwhile are seen by the next copy).
    pub fn remembering_reference(&self) -> App {
        App {
            remembered: Some(Arc::new(Remembered::default())),
            ..self.clone()
        }
    }

    /// The value under `key` in the map `pick` names, when this app
    /// remembers and has read it; else what `load` reads (then kept).
    async fn remember<K, T>(
        &self,
        pick: Pick<K, T>,
        key: K,
        load: impl Future<Output = Result<T, DbErr>>,
    ) -> Result<T, AppError>
    where
        K: Hash + Eq,
        T: Clone,
    {
        let Some(r) = self.remembered.as_deref() else {
            return Ok(load.await?);
        };
        if let Some(value) = locked(pick(r)).get(&key).cloned() {
            return Ok(value);
        }
        let value = load.await?;
        locked(pick(r)).insert(key, value.clone());
        Ok(value)
    }

    /// Every classifier value.
    pub async fn classifiers(&self) -> Result<Arc<Vec<classifier::Model>>, AppError> {
        let load = async { Ok(Arc::new(classifiers::all(self.db.conn()).await?)) };
        self.remember(|r| &r.classifiers, (), load).await
    }

    /// The values of one classifier kind, in their order.
    pub async fn classifiers_of(&self, kind: &str) -> Result<Vec<classifier::Model>, AppError> {
        Ok(self
            .classifiers()
            .await?
            .iter()
            .filter(|c| c.kind == kind)
            .cloned()
            .collect())
    }

    /// The custom field definitions of `entity`.
    pub async fn custom_fields(
        &self,
        entity: &str,
    ) -> Result<Arc<Vec<custom_field::Model>>, AppError> {
        let load = async {
            Ok(Arc::new(
                custom_fields::of_entity(self.db.conn(), entity).await?,
            ))
        };
        self.remember(|r| &r.custom_fields, entity.to_string(), load)
            .await
    }

    /// A user by id.
    pub async fn user(&self, id: Uuid) -> Result<Option<user::Model>, AppError> {
        self.remember(|r| &r.users, id, users::user(self.db.conn(), id))
            .await
    }

    /// A team by id.
    pub async fn team(&self, id: Uuid) -> Result<Option<team::Model>, AppError> {
        self.remember(|r| &r.teams, id, users::team(self.db.conn(), id))
            .await
    }
}
