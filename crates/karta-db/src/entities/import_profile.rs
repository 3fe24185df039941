//! The `import_profiles` table: a named, reusable column mapping.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "import_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `accounts` or `contacts`.
    pub entity: String,
    pub name: String,
    /// `{header key: field}`: the field a column with this header fills
    /// (`null`: skipped), headers compared as `import::header_key` makes them.
    pub fields: Json,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
