//! Import mapping profiles: a named choice of which field each column fills,
//! by the column's header, reused for the next file of the same shape.

use super::col::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_import_profiles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("import_profiles")
                .col(id("id"))
                .col(text("entity"))
                .col(text("name"))
                .col(json("fields"))
                .col(uuid_null("created_by"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX import_profiles_name ON import_profiles (entity, name)",
            )
            .await?;
        Ok(())
    }
}
