//! Sales pipelines with their stages, deals, the contacts on each deal, and
//! every stay of a deal in a stage (so time in stage and cycle length are
//! exact).

use super::col::*;
use super::m0001_initial::{fk, index, live_index, record_columns, trash_index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_pipelines_and_deals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("pipelines")
                .col(id("id"))
                .col(text("name"))
                .col(int("position"))
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
                .table("stages")
                .col(id("id"))
                .col(uuid("pipeline_id"))
                .col(int("position"))
                .col(text("name_ru"))
                .col(text("name_en"))
                .col(text("kind"))
                .col(int("probability"))
                .col(uuid_null("responsible_user_id"))
                .col(text_null("responsible_role"))
                .col(json("checklist"))
                .col(ColumnDef::new("max_days").integer().null())
                .foreign_key(&mut fk("stages", "pipeline_id", "pipelines"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "stages",
            "stages_pipeline",
            &["pipeline_id", "position"],
        ))
        .await?;

        let mut deals = Table::create();
        deals
            .table("deals")
            .col(id("id"))
            .col(text("title"))
            .col(uuid("account_id"))
            .col(uuid("pipeline_id"))
            .col(uuid("stage_id"))
            .col(ColumnDef::new("amount_minor").big_integer().not_null())
            .col(text("currency"))
            .col(text_null("expected_close"))
            // The probability in force (the stage's unless set by hand), so
            // forecasts are one SUM.
            .col(int("probability"))
            .col(boolean("probability_manual"))
            .col(text_null("source"))
            .col(text_null("campaign"))
            .col(uuid_null("competitor_id"))
            .col(text_null("loss_reason"))
            .col(text_null("next_step"))
            .col(text_null("description"))
            .col(json("checklist_done"))
            .col(micros("stage_entered_at"))
            .col(micros_null("closed_at"));
        record_columns(&mut deals);
        // Purging an account (30 days after it was deleted) takes its deals.
        deals.foreign_key(&mut fk("deals", "account_id", "accounts"));
        deals.foreign_key(
            ForeignKey::create()
                .from("deals", "stage_id")
                .to("stages", "id")
                .on_delete(ForeignKeyAction::Restrict),
        );
        m.create_table(deals.take()).await?;
        for (name, cols) in [
            ("deals_live_updated", "updated_at, id"),
            ("deals_live_created", "created_at, id"),
            ("deals_live_amount", "amount_minor, id"),
            ("deals_live_team_updated", "team_id, updated_at, id"),
            ("deals_live_owner_updated", "owner_id, updated_at, id"),
            // Board columns: one stage in order, per visibility branch.
            ("deals_live_stage", "stage_id, updated_at, id"),
            ("deals_live_team_stage", "team_id, stage_id, updated_at, id"),
            (
                "deals_live_owner_stage",
                "owner_id, stage_id, updated_at, id",
            ),
            // Column totals read from the index alone.
            (
                "deals_live_totals",
                "pipeline_id, stage_id, currency, amount_minor, team_id, owner_id",
            ),
            ("deals_live_account", "account_id, updated_at, id"),
        ] {
            live_index(m, "deals", name, cols).await?;
        }
        trash_index(m, "deals").await?;

        m.create_table(
            Table::create()
                .table("deal_contacts")
                .col(uuid("deal_id"))
                .col(uuid("contact_id"))
                .primary_key(Index::create().col("deal_id").col("contact_id"))
                .foreign_key(&mut fk("deal_contacts", "deal_id", "deals"))
                .foreign_key(&mut fk("deal_contacts", "contact_id", "contacts"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "deal_contacts",
            "deal_contacts_contact",
            &["contact_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("deal_stays")
                .col(id("id"))
                .col(uuid("deal_id"))
                .col(uuid("stage_id"))
                .col(micros("entered_at"))
                .col(micros_null("left_at"))
                .col(uuid_null("entered_by"))
                .foreign_key(&mut fk("deal_stays", "deal_id", "deals"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "deal_stays",
            "deal_stays_deal",
            &["deal_id", "entered_at"],
        ))
        .await?;
        Ok(())
    }
}
