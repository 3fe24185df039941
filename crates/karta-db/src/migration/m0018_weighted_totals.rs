//! The board's column totals also weigh each deal by its probability: the
//! covering index they are read from gains `probability`, so the weighted
//! sum is read from the index alone like the plain one.

use super::m0001_initial::live_index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_weighted_totals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        live_index(
            m,
            "deals",
            "deals_live_weighted_totals",
            "pipeline_id, stage_id, currency, amount_minor, probability, team_id, owner_id",
        )
        .await?;
        m.get_connection()
            .execute_unprepared("DROP INDEX deals_live_totals")
            .await
            .map(|_| ())
    }
}
