//! Karta's use cases, shared by the API, the web UI and the CLI.
//!
//! Every act goes through here: authorization (`policy`), validation,
//! history and the write transaction. Handlers only translate.

pub mod accounts;
pub mod activities;
pub mod agenda;
pub mod auth;
pub mod bank;
pub mod calendar;
pub mod company;
pub mod contacts;
pub mod contracts;
pub mod deal_lines;
pub mod deals;
pub mod demo;
pub mod directory;
pub mod duplicates;
pub mod error;
pub mod generate;
pub mod idempotency;
pub mod import;
pub mod invoices;
pub mod jobs;
pub mod leads;
pub mod maintenance;
pub mod model;
pub mod orders;
pub mod outbox;
pub mod pdf;
pub mod pipelines;
pub mod policy;
pub mod price_lists;
pub mod pricing;
pub mod printed;
pub mod products;
pub mod profile;
pub mod proposals;
pub mod records;
pub mod reference;
pub mod registry;
pub mod routing;
pub mod search;
pub mod settings;
pub mod tasks;
pub mod trash;
pub mod uow;
pub mod views;

use karta_core::time::{Clock, SystemClock};
use karta_db::Db;
use std::sync::Arc;

pub use error::AppError;
pub use policy::Principal;

/// Tunables of the application layer.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session unused this long ends (microseconds).
    pub session_idle: i64,
    /// A session ends this long after login whatever its use (microseconds).
    pub session_absolute: i64,
    /// Deleted records stay restorable this long (microseconds).
    pub restore_window: i64,
    /// Failed logins per account, and per address, tolerated in the window.
    pub max_login_failures: u64,
    /// Window for counting failed logins (microseconds).
    pub login_window: i64,
    /// Argon2 cost; tests lower it.
    pub argon2_memory_kib: u32,
    /// Telephony look-ups allowed per user per minute.
    pub lookups_per_minute: i64,
    /// The company's clock, minutes east of UTC: where "today" and "this
    /// week" begin for users without a clock of their own.
    pub utc_offset_minutes: i32,
}

const MINUTE: i64 = 60_000_000;

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: 8 * 60 * MINUTE,
            session_absolute: 7 * 24 * 60 * MINUTE,
            restore_window: 30 * 24 * 60 * MINUTE,
            max_login_failures: 10,
            login_window: 15 * MINUTE,
            argon2_memory_kib: 19 * 1024,
            lookups_per_minute: 120,
            utc_offset_minutes: 180,
        }
    }
}

/// The application: a database, a clock and settings.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Reference data kept for a bulk job (`remembering_reference`);
    /// `None`: read afresh each time.
    pub remembered: Option<Arc<reference::Remembered>>,
    /// Who hears of committed events (`outbox::publish`).
    pub subscribers: outbox::Subscribers,
}

impl App {
    /// An app on `db` with the wall clock and default settings.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            clock: Arc::new(SystemClock),
            config: Arc::new(AppConfig::default()),
            remembered: None,
            subscribers: outbox::Subscribers::default(),
        }
    }

    /// Whether the database answers (the readiness probe).
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.db.ping().await?)
    }

    /// How busy the database connection pool is (for `/metrics`).
    pub fn pool_stats(&self) -> karta_db::PoolStats {
        self.db.pool_stats()
    }

    /// Now, in storage microseconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Whose clock decides where `p`'s day begins: their own, else the
    /// company's (minutes east of UTC).
    pub fn utc_offset(&self, p: &Principal) -> i32 {
        p.utc_offset_minutes
            .unwrap_or(self.config.utc_offset_minutes)
    }

    /// The date it is now on `p`'s clock.
    pub fn today(&self, p: &Principal) -> time::Date {
        karta_core::time::from_micros(self.now() + i64::from(self.utc_offset(p)) * 60_000_000)
            .date()
    }
}
