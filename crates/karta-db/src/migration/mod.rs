//! Schema migrations, written once for both engines. They run on every start
//! (`karta serve`) and with `karta migrate`; upgrades need no manual steps.

mod m0001_initial;
mod m0002_idempotency_and_visible_sorts;
mod m0003_search_by_entity;
mod m0004_pipelines_and_deals;
mod m0005_activities;
mod m0006_tasks_leads_routing;
mod m0007_activity_types_and_time_zones;
mod m0008_imports;
mod m0009_import_profiles;
mod m0010_account_match_key;
mod m0011_commerce;
mod m0012_payment_currency;
mod m0013_lead_keys;
mod m0014_jobs;
mod m0015_notifications;
mod m0016_outbox;
mod m0017_password_change;
mod m0018_weighted_totals;

use sea_orm_migration::prelude::*;

/// All migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_idempotency_and_visible_sorts::Migration),
            Box::new(m0003_search_by_entity::Migration),
            Box::new(m0004_pipelines_and_deals::Migration),
            Box::new(m0005_activities::Migration),
            Box::new(m0006_tasks_leads_routing::Migration),
            Box::new(m0007_activity_types_and_time_zones::Migration),
            Box::new(m0008_imports::Migration),
            Box::new(m0009_import_profiles::Migration),
            Box::new(m0010_account_match_key::Migration),
            Box::new(m0011_commerce::Migration),
            Box::new(m0012_payment_currency::Migration),
            Box::new(m0013_lead_keys::Migration),
            Box::new(m0014_jobs::Migration),
            Box::new(m0015_notifications::Migration),
            Box::new(m0016_outbox::Migration),
            Box::new(m0017_password_change::Migration),
            Box::new(m0018_weighted_totals::Migration),
        ]
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &crate::Db) -> Result<(), crate::DbErr> {
    Migrator::up(db.conn(), None).await
}

/// Column helpers so table definitions read as a schema.
pub(crate) mod col {
    use sea_orm_migration::prelude::*;

    pub fn id(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).uuid().not_null().primary_key().take()
    }
    pub fn uuid(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).uuid().not_null().take()
    }
    pub fn uuid_null(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).uuid().null().take()
    }
    pub fn text(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().not_null().take()
    }
    pub fn text_null(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().null().take()
    }
    /// An instant: microseconds since the Unix epoch, UTC.
    pub fn micros(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).big_integer().not_null().take()
    }
    pub fn micros_null(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).big_integer().null().take()
    }
    pub fn int(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).integer().not_null().take()
    }
    pub fn boolean(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).boolean().not_null().take()
    }
    /// JSON (jsonb on PostgreSQL, text on SQLite).
    pub fn json(name: &'static str) -> ColumnDef {
        ColumnDef::new(name).json_binary().not_null().take()
    }
}
