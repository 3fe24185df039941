//! The outbox (`outbox`): one row per domain event, written in the
//! transaction of the change it describes, so an event exists exactly
//! when its change committed. The runner publishes unpublished rows in
//! order; the partial index keeps finding them cheap however long the
//! published tail grows before housekeeping forgets it.

use super::col::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbox")
                .col(id("id"))
                .col(micros("at"))
                .col(text("entity"))
                .col(uuid("record_id"))
                .col(text("action"))
                .col(uuid_null("actor_id"))
                .col(text("channel"))
                .col(json("fields"))
                .col(micros_null("published_at"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("outbox_published")
                .table("outbox")
                .col("published_at")
                .take(),
        )
        .await?;
        Ok(())
    }
}
