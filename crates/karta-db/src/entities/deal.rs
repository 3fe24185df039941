//! The `deals` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub account_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub expected_close: Option<String>,
    pub probability: i32,
    pub probability_manual: bool,
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub competitor_id: Option<Uuid>,
    pub loss_reason: Option<String>,
    pub next_step: Option<String>,
    pub description: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub checklist_done: Json,
    pub stage_entered_at: i64,
    pub closed_at: Option<i64>,
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
