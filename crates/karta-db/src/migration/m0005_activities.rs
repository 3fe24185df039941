//! Activities: calls, meetings and other contacts with customers, read by
//! account, contact, deal or performer in time order.

use super::col::*;
use super::m0001_initial::{live_index, record_columns, trash_index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_activities"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut activities = Table::create();
        activities
            .table("activities")
            .col(id("id"))
            .col(text("kind"))
            .col(text_null("subject"))
            .col(text_null("outcome"))
            .col(micros("started_at"))
            .col(int("duration_minutes"))
            .col(text_null("direction"))
            .col(uuid_null("account_id"))
            .col(uuid_null("contact_id"))
            .col(uuid_null("deal_id"));
        record_columns(&mut activities);
        m.create_table(activities.take()).await?;
        for (name, cols) in [
            ("activities_live_started", "started_at, id"),
            ("activities_live_account", "account_id, started_at, id"),
            ("activities_live_contact", "contact_id, started_at, id"),
            ("activities_live_deal", "deal_id, started_at, id"),
            ("activities_live_owner", "owner_id, started_at, id"),
            ("activities_live_team", "team_id, started_at, id"),
        ] {
            live_index(m, "activities", name, cols).await?;
        }
        trash_index(m, "activities").await?;
        Ok(())
    }
}
