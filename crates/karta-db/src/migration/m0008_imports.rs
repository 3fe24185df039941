//! Imports: each run is a job whose items say what it created or changed
//! (so it can be undone and resumed) and whose errors say which cell of
//! which row was refused. Accounts and contacts get the id they had in the
//! system they came from, the key a repeated import finds them by.

use super::col::*;
use super::m0001_initial::live_index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["accounts", "contacts"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(text_null("external_id"))
                    .take(),
            )
            .await?;
            live_index(m, table, &format!("{table}_live_external"), "external_id").await?;
        }
        let count = |name: &'static str| {
            ColumnDef::new(name)
                .big_integer()
                .not_null()
                .default(0)
                .take()
        };
        m.create_table(
            Table::create()
                .table("import_jobs")
                .col(id("id"))
                .col(text("entity"))
                .col(text("mode"))
                .col(text_null("key_field"))
                .col(boolean("dry_run"))
                .col(text("status"))
                .col(text("file_name"))
                .col(text("encoding"))
                .col(json("columns"))
                .col(count("rows_done"))
                .col(count("created"))
                .col(count("updated"))
                .col(count("unchanged"))
                .col(count("failed"))
                .col(text_null("failure"))
                .col(uuid_null("created_by"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .col(micros_null("finished_at"))
                .col(micros_null("undone_at"))
                .col(uuid_null("undone_by"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("CREATE INDEX import_jobs_recent ON import_jobs (created_at, id)")
            .await?;
        m.create_table(
            Table::create()
                .table("import_items")
                .col(uuid("job_id"))
                .col(micros("line"))
                .col(uuid("record_id"))
                .col(text("action"))
                .col(ColumnDef::new("version").big_integer().not_null())
                .col(ColumnDef::new("before").json_binary().null())
                .primary_key(Index::create().col("job_id").col("line"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("import_errors")
                .col(uuid("job_id"))
                .col(micros("line"))
                .col(int("n"))
                .col(text("column_name"))
                .col(text("value"))
                .col(text("code"))
                .primary_key(Index::create().col("job_id").col("line").col("n"))
                .take(),
        )
        .await?;
        Ok(())
    }
}
