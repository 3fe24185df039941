//! SQLite only: the full-text index also holds each entry's entity, so a
//! search over accounts reads only accounts' entries (it read contacts'
//! matches too and threw them away, up to 150 ms on a common prefix). The
//! index is contentless, so it is rebuilt from `search_docs`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_search_by_entity"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let conn = m.get_connection();
        conn.execute_unprepared("DROP TABLE search_fts").await?;
        conn.execute_unprepared(
            "CREATE VIRTUAL TABLE search_fts USING fts5(entity, body, private_body, \
             content='', contentless_delete=1, prefix='2 3 4', tokenize='unicode61 remove_diacritics 0')",
        )
        .await?;
        conn.execute_unprepared(
            "INSERT INTO search_fts (rowid, entity, body, private_body) \
             SELECT id, entity, body, private_body FROM search_docs",
        )
        .await?;
        Ok(())
    }
}
