//! The `leads` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub interest: Option<String>,
    pub message: Option<String>,
    pub status: String,
    pub disqualify_reason: Option<String>,
    pub consent: bool,
    pub channel: String,
    pub routing_rule_id: Option<Uuid>,
    pub routing_note: Option<String>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub converted_at: Option<i64>,
    pub touched_at: i64,
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
