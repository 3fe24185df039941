//! The `routing_rules` table: ordered conditions that send a new lead to a
//! rep or a team.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub position: i32,
    pub name: String,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub interest: Option<String>,
    pub target_user_id: Option<Uuid>,
    pub target_team_id: Option<Uuid>,
    pub method: String,
    /// Who got the rule's last lead (round-robin continues after them).
    pub last_user_id: Option<Uuid>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
