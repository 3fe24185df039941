//! The `accounts` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: i64,
    pub name: String,
    /// Lower-cased name: the sort key of lists.
    pub name_key: String,
    /// The name reduced for duplicate search (`karta_core::accounts::match_key`).
    pub match_key: String,
    pub legal_name: Option<String>,
    /// Comma-delimited with leading and trailing commas (`,customer,dealer,`).
    pub types: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub legal_address: Option<String>,
    pub actual_address: Option<String>,
    pub delivery_address: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub segment: Option<String>,
    pub size: Option<String>,
    pub lead_source: Option<String>,
    pub triggering_event: Option<String>,
    pub status: String,
    pub lost_to_id: Option<Uuid>,
    pub loss_reason: Option<String>,
    pub purchase_purpose: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub buying_priorities: Json,
    pub payment_method: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    pub notes: Option<String>,
    /// The record's id in the system it was imported from.
    pub external_id: Option<String>,
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
