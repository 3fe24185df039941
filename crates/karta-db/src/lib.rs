//! Karta's storage: the only crate that knows SQL.
//!
//! One code path over SQLite (embedded default) and PostgreSQL. Entities and
//! backend-neutral migrations are SeaORM/sea-query; the few places that need
//! engine-specific SQL (full-text search, its migration) keep it behind one
//! function each.

pub mod accounts;
pub mod activities;
pub mod bulk;
pub mod children;
pub mod classifiers;
pub mod connection;
pub mod contacts;
pub mod contracts;
pub mod counters;
pub mod custom_fields;
pub mod deal_lines;
pub mod deals;
pub mod duplicates;
pub mod entities;
pub mod history;
pub mod idempotency;
pub mod import;
pub mod invoices;
pub mod jobs;
pub mod leads;
pub mod migration;
pub mod notifications;
pub mod orders;
pub mod outbox;
pub mod page;
pub mod pipelines;
pub mod price_lists;
pub mod products;
pub mod records;
pub mod routing;
pub mod search;
pub mod security;
pub mod settings;
pub mod tasks;
pub mod transfer;
pub mod unique;
pub mod users;
pub mod visibility;

pub use connection::{Backend, Db, DbError, PoolStats};

/// The strings of a stored JSON array (e-mails, checklists…); anything
/// else reads as empty.
pub fn json_strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}
pub use sea_orm::{DatabaseTransaction, DbErr, TransactionTrait};
pub use visibility::Visibility;
