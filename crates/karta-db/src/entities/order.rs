//! The `orders` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: i64,
    pub account_id: Uuid,
    pub contract_id: Option<Uuid>,
    pub contract_override: Option<String>,
    pub deal_id: Option<Uuid>,
    pub status: String,
    pub status_at: i64,
    pub payment_method: Option<String>,
    pub delivery_address: Option<String>,
    pub comment: Option<String>,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub gross_minor: i64,
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
