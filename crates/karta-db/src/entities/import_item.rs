//! The `import_items` table: what one imported row did to one record, and
//! what the record held before, so the import can be undone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "import_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job_id: Uuid,
    /// The row's line in the file.
    #[sea_orm(primary_key, auto_increment = false)]
    pub line: i64,
    pub record_id: Uuid,
    /// `created` or `updated`.
    pub action: String,
    /// The record's version right after the import wrote it: undo leaves
    /// alone a record someone changed since.
    pub version: i64,
    /// The record's fields before an update (as the API would send them).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub before: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
