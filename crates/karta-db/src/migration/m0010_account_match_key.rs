//! Accounts get `match_key`, the name reduced for duplicate search (see
//! `karta_core::accounts::match_key`), indexed with the region so "the same
//! company name in the same city" is one index scan. Existing accounts are
//! filled in here, page by page.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_account_match_key"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("accounts")
                .add_column(ColumnDef::new("match_key").text().not_null().default(""))
                .take(),
        )
        .await?;
        let conn = m.get_connection();
        let backend = m.get_database_backend();
        let (select, update) = match backend {
            sea_orm::DbBackend::Postgres => (
                "SELECT id, name FROM accounts WHERE id > $1 ORDER BY id LIMIT 1000",
                "UPDATE accounts SET match_key = $1 WHERE id = $2",
            ),
            _ => (
                "SELECT id, name FROM accounts WHERE id > ? ORDER BY id LIMIT 1000",
                "UPDATE accounts SET match_key = ? WHERE id = ?",
            ),
        };
        let mut after = uuid::Uuid::nil();
        loop {
            let rows = conn
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    select,
                    [after.into()],
                ))
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("", "id")?;
            for row in &rows {
                let id: uuid::Uuid = row.try_get("", "id")?;
                let name: String = row.try_get("", "name")?;
                let key = karta_core::accounts::match_key(&name);
                conn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    update,
                    [key.into(), id.into()],
                ))
                .await?;
            }
        }
        super::m0001_initial::live_index(m, "accounts", "accounts_match_key", "match_key, region")
            .await
    }
}
