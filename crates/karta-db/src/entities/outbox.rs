//! The `outbox` table: domain events waiting to be published, and for a
//! while after.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// A v7 id: the order events are published in.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: i64,
    /// The registry name of the record's kind (`accounts`).
    pub entity: String,
    pub record_id: Uuid,
    /// `create`, `update`, `delete`, `restore`, `purge`, `merge`, `convert`…
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub channel: String,
    /// The names of the fields the act changed (values stay in history,
    /// behind the readers' rights).
    #[sea_orm(column_type = "JsonBinary")]
    pub fields: Json,
    pub published_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
