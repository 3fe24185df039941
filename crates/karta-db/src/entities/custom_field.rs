//! The `custom_fields` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "custom_fields")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub entity: String,
    pub key: String,
    pub label_ru: String,
    pub label_en: String,
    pub field_type: String,
    /// `[{"code", "label_ru", "label_en"}]` for one-of / many-of fields.
    #[sea_orm(column_type = "JsonBinary")]
    pub options: Json,
    pub required: bool,
    pub show_in_list: bool,
    pub position: i32,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
