//! Reference data that every write checks against — classifiers, custom
//! field definitions, users and teams — read through the `App`.
//!
//! A normal request reads them afresh. A bulk job (an import batch) asks for
//! an `App::remembering_reference` copy that reads each of them once and
//! keeps it for its own short life: thousands of rows then cost one query
//! for each of these instead of several per row.

use crate::App;
use karta_db::entities::{classifier, custom_field, team, user};
use karta_db::{DbErr, classifiers, custom_fields, users};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// What a remembering `App` has read so far.
#[derive(Debug, Default)]
pub struct Remembered {
    classifiers: Mutex<Option<Arc<Vec<classifier::Model>>>>,
    custom_fields: Mutex<HashMap<String, Arc<Vec<custom_field::Model>>>>,
    users: Mutex<HashMap<Uuid, Option<user::Model>>>,
    teams: Mutex<HashMap<Uuid, Option<team::Model>>>,
}

/// The value under a lock; a panic elsewhere cannot corrupt a cache of
/// read-only copies, so a poisoned lock is used as it is.
fn get<T: Clone, K: std::hash::Hash + Eq>(map: &Mutex<HashMap<K, T>>, key: &K) -> Option<T> {
    map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
        .cloned()
}

fn put<T, K: std::hash::Hash + Eq>(map: &Mutex<HashMap<K, T>>, key: K, value: T) {
    map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, value);
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

    /// Every classifier value.
    pub async fn classifiers(&self) -> Result<Arc<Vec<classifier::Model>>, DbErr> {
        let Some(r) = &self.remembered else {
            return Ok(Arc::new(classifiers::all(self.db.conn()).await?));
        };
        let cached = r
            .classifiers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(all) = cached {
            return Ok(all);
        }
        let all = Arc::new(classifiers::all(self.db.conn()).await?);
        *r.classifiers.lock().unwrap_or_else(PoisonError::into_inner) = Some(all.clone());
        Ok(all)
    }

    /// The custom field definitions of `entity`.
    pub async fn custom_fields(
        &self,
        entity: &str,
    ) -> Result<Arc<Vec<custom_field::Model>>, DbErr> {
        let key = entity.to_string();
        if let Some(defs) = self
            .remembered
            .as_ref()
            .and_then(|r| get(&r.custom_fields, &key))
        {
            return Ok(defs);
        }
        let defs = Arc::new(custom_fields::of_entity(self.db.conn(), entity).await?);
        if let Some(r) = &self.remembered {
            put(&r.custom_fields, key, defs.clone());
        }
        Ok(defs)
    }

    /// A user by id.
    pub async fn user(&self, id: Uuid) -> Result<Option<user::Model>, DbErr> {
        if let Some(u) = self.remembered.as_ref().and_then(|r| get(&r.users, &id)) {
            return Ok(u);
        }
        let u = users::user(self.db.conn(), id).await?;
        if let Some(r) = &self.remembered {
            put(&r.users, id, u.clone());
        }
        Ok(u)
    }

    /// A team by id.
    pub async fn team(&self, id: Uuid) -> Result<Option<team::Model>, DbErr> {
        if let Some(t) = self.remembered.as_ref().and_then(|r| get(&r.teams, &id)) {
            return Ok(t);
        }
        let t = users::team(self.db.conn(), id).await?;
        if let Some(r) = &self.remembered {
            put(&r.teams, id, t.clone());
        }
        Ok(t)
    }
}
