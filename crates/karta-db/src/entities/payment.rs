//! The `payments` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub account_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub paid_on: String,
    pub method: Option<String>,
    pub reference: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    #[sea_orm(column_type = "JsonBinary")]
    pub custom: Json,
    pub created_at: i64,
    pub created_by: Option<Uuid>,
    pub updated_at: i64,
    pub updated_by: Option<Uuid>,
    pub deleted_at: Option<i64>,
    pub deleted_by: Option<Uuid>,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
