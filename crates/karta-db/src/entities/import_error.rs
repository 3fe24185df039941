//! The `import_errors` table: one refused cell (or row) of an import.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "import_errors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job_id: Uuid,
    /// The row's line in the file.
    #[sea_orm(primary_key, auto_increment = false)]
    pub line: i64,
    /// The error's place among the row's errors.
    #[sea_orm(primary_key, auto_increment = false)]
    pub n: i32,
    /// The column's header as the file has it (empty for a whole-row error).
    pub column_name: String,
    pub value: String,
    /// A stable error code, explained in the user's language by the UI.
    pub code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
