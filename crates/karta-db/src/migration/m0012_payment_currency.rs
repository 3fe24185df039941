//! Payments get `currency`: a payment is in its invoice's currency, and
//! money is never shown or exported without one. Existing payments take
//! their invoice's.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_payment_currency"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("payments")
                .add_column(ColumnDef::new("currency").text().not_null().default("RUB"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE payments SET currency = \
                 (SELECT currency FROM invoices WHERE invoices.id = payments.invoice_id)",
            )
            .await?;
        Ok(())
    }
}
