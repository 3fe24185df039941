//! `users.must_change_password`: set when an administrator or the operator
//! resets someone's password, so the person who now knows it only from
//! them replaces it at the next sign-in.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_password_change"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(
                    ColumnDef::new("must_change_password")
                        .boolean()
                        .not_null()
                        .default(false)
                        .take(),
                )
                .take(),
        )
        .await
    }
}
