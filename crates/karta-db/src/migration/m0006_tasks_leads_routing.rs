//! Tasks with reminders, leads with their routing rules, private calendar
//! feeds, company settings, and activities linked to a lead.

use super::col::*;
use super::m0001_initial::{live_index, record_columns, trash_index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_tasks_leads_routing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        let mut tasks = Table::create();
        tasks
            .table("tasks")
            .col(id("id"))
            .col(text("title"))
            .col(text_null("description"))
            .col(micros("due_at"))
            .col(micros_null("remind_at"))
            .col(micros_null("reminded_at"))
            .col(text("priority"))
            .col(text("status"))
            .col(micros_null("completed_at"))
            .col(uuid_null("account_id"))
            .col(uuid_null("contact_id"))
            .col(uuid_null("deal_id"))
            .col(uuid_null("lead_id"));
        record_columns(&mut tasks);
        m.create_table(tasks.take()).await?;
        for (name, cols) in [
            ("tasks_live_due", "status, due_at, id"),
            ("tasks_live_owner", "owner_id, status, due_at, id"),
            ("tasks_live_team", "team_id, status, due_at, id"),
            ("tasks_live_account", "account_id, due_at, id"),
            ("tasks_live_contact", "contact_id, due_at, id"),
            ("tasks_live_deal", "deal_id, due_at, id"),
            ("tasks_live_lead", "lead_id, due_at, id"),
        ] {
            live_index(m, "tasks", name, cols).await?;
        }
        trash_index(m, "tasks").await?;
        // Reminders still to send: a small set the live stream polls.
        conn.execute_unprepared(
            "CREATE INDEX tasks_pending_reminders ON tasks (owner_id, remind_at) \
             WHERE reminded_at IS NULL AND remind_at IS NOT NULL AND deleted_at IS NULL",
        )
        .await?;

        let mut leads = Table::create();
        leads
            .table("leads")
            .col(id("id"))
            .col(text_null("person_name"))
            .col(text_null("company_name"))
            .col(text_null("email"))
            .col(text_null("phone"))
            .col(text_null("region"))
            .col(text_null("industry"))
            .col(text_null("source"))
            .col(text_null("campaign"))
            .col(text_null("interest"))
            .col(text_null("message"))
            .col(text("status"))
            .col(text_null("disqualify_reason"))
            .col(boolean("consent"))
            .col(text("channel"))
            .col(uuid_null("routing_rule_id"))
            .col(text_null("routing_note"))
            .col(uuid_null("account_id"))
            .col(uuid_null("contact_id"))
            .col(uuid_null("deal_id"))
            .col(micros_null("converted_at"))
            .col(micros("touched_at"));
        record_columns(&mut leads);
        m.create_table(leads.take()).await?;
        for (name, cols) in [
            ("leads_live_created", "created_at, id"),
            ("leads_live_status", "status, created_at, id"),
            ("leads_live_owner", "owner_id, status, created_at, id"),
            ("leads_live_team", "team_id, status, created_at, id"),
        ] {
            live_index(m, "leads", name, cols).await?;
        }
        trash_index(m, "leads").await?;

        m.create_table(
            Table::create()
                .table("routing_rules")
                .col(id("id"))
                .col(int("position"))
                .col(text("name"))
                .col(text_null("region"))
                .col(text_null("industry"))
                .col(text_null("source"))
                .col(text_null("interest"))
                .col(uuid_null("target_user_id"))
                .col(uuid_null("target_team_id"))
                .col(text("method"))
                .col(uuid_null("last_user_id"))
                .col(boolean("active"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .col(
                    ColumnDef::new("version")
                        .big_integer()
                        .not_null()
                        .default(1),
                )
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("settings")
                .col(ColumnDef::new("key").text().not_null().primary_key())
                .col(json("value"))
                .col(micros("updated_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(id("user_id"))
                .col(text("token_hash"))
                .col(micros("created_at"))
                .take(),
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds (token_hash)",
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table("activities")
                .add_column(uuid_null("lead_id"))
                .take(),
        )
        .await?;
        live_index(
            m,
            "activities",
            "activities_live_lead",
            "lead_id, started_at, id",
        )
        .await?;
        Ok(())
    }
}
