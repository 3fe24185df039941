//! The job queue (`jobs`): background work and the outbox in one table,
//! written in the same transaction as the business change that asks for
//! it; the recurring schedules that feed it (`schedules`); and the files
//! imports read, kept in the database so any process can run the import
//! and a restart does not lose it (`import_files`).

use super::col::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_jobs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jobs")
                .col(id("id"))
                .col(text("kind"))
                .col(json("payload"))
                .col(text("status"))
                .col(int("attempts"))
                .col(int("max_attempts"))
                .col(micros("run_at"))
                .col(text_null("locked_by"))
                .col(micros_null("locked_until"))
                .col(text_null("last_error"))
                .col(text_null("unique_key"))
                .col(uuid_null("created_by"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .col(micros_null("finished_at"))
                .take(),
        )
        .await?;
        // Claiming walks (status, run_at); an expired lease is found by
        // (status, locked_until); the admin page pages by (status, created_at).
        for (name, cols) in [
            ("jobs_due", &["status", "run_at"][..]),
            ("jobs_leases", &["status", "locked_until"]),
            ("jobs_by_status", &["status", "created_at", "id"]),
            ("jobs_by_created", &["created_at", "id"]),
        ] {
            let mut index = Index::create().name(name).table("jobs").take();
            for c in cols {
                index.col(*c);
            }
            m.create_index(index).await?;
        }
        m.create_index(
            Index::create()
                .name("jobs_unique_key")
                .table("jobs")
                .col("unique_key")
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("schedules")
                .col(ColumnDef::new("name").text().not_null().primary_key())
                .col(text("kind"))
                .col(text("cron"))
                .col(micros("next_run_at"))
                .col(micros_null("last_run_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("import_files")
                .col(id("job_id"))
                .col(ColumnDef::new("content").blob().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from("import_files", "job_id")
                        .to("import_jobs", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        Ok(())
    }
}
