//! The `stages` table: the stages of each pipeline, in board order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "stages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub position: i32,
    pub name_ru: String,
    pub name_en: String,
    /// `open`, `won` or `lost`.
    pub kind: String,
    pub probability: i32,
    pub responsible_user_id: Option<Uuid>,
    pub responsible_role: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub checklist: Json,
    pub max_days: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
