//! The `jobs` table: one piece of background work or one outbox message.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What runs it (`maintenance`, `import`, …).
    pub kind: String,
    /// The handler's input.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// `queued`, `running`, `failed`, `done`, `dead` or `cancelled`.
    pub status: String,
    /// Attempts started so far.
    pub attempts: i32,
    pub max_attempts: i32,
    /// Not before this instant.
    pub run_at: i64,
    /// The process holding it while running.
    pub locked_by: Option<String>,
    /// When the holder's lease runs out: past it, another process takes it.
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    /// Enqueued at most once per key (a schedule's run, a message id).
    pub unique_key: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
