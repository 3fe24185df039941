//! The `deal_documents` table: documents made from a deal (commercial
//! proposals), kept as sent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "deal_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub deal_id: Uuid,
    /// `proposal`.
    pub kind: String,
    pub number: i64,
    pub lang: String,
    pub file_name: String,
    pub content: Vec<u8>,
    pub created_at: i64,
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
