//! Notifications (`notifications`): what the job runner has to tell a user
//! (a task's reminder came due), kept until the user's open page takes it.
//! Reminders are found across all users by due time, so the pending ones
//! get an index of their own.

use super::col::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_notifications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notifications")
                .col(id("id"))
                .col(uuid("user_id"))
                .col(text("kind"))
                .col(uuid("record_id"))
                .col(micros("created_at"))
                .col(micros_null("delivered_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("notifications_by_user")
                .table("notifications")
                .col("user_id")
                .col("delivered_at")
                .col("created_at")
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX tasks_due_reminders ON tasks (remind_at) \
                 WHERE reminded_at IS NULL AND remind_at IS NOT NULL AND deleted_at IS NULL",
            )
            .await?;
        Ok(())
    }
}
