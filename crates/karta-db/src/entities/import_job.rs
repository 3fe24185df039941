//! The `import_jobs` table: one import run, its counters and its state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `accounts` or `contacts`.
    pub entity: String,
    /// `create`, `update` or `upsert`.
    pub mode: String,
    /// The field that finds existing records, if any.
    pub key_field: Option<String>,
    pub dry_run: bool,
    /// `running`, `done`, `failed` or `undone`.
    pub status: String,
    pub file_name: String,
    pub encoding: String,
    /// The field each column went to, in column order (`null`: skipped).
    #[sea_orm(column_type = "JsonBinary")]
    pub columns: Json,
    /// Data rows whose outcome is committed: a resumed run skips them.
    pub rows_done: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    /// Why the whole file stopped (unreadable past some line), if it did.
    pub failure: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub undone_at: Option<i64>,
    pub undone_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
