//! The `contacts` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub name_key: String,
    pub position: Option<String>,
    pub purchase_role: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub emails: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub phones: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub messengers: Json,
    pub birthday: Option<String>,
    pub consent_pd_given: bool,
    pub consent_pd_date: Option<String>,
    pub consent_pd_source: Option<String>,
    pub consent_marketing_given: bool,
    pub consent_marketing_date: Option<String>,
    pub consent_marketing_source: Option<String>,
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
