//! Leads are found by e-mail and by phone (imports upsert by them, and
//! the people entering an enquiry ask whether it came before): one live
//! index each.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_lead_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in [("leads_live_email", "email"), ("leads_live_phone", "phone")] {
            super::m0001_initial::live_index(m, "leads", name, cols).await?;
        }
        Ok(())
    }
}
