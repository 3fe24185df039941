//! Activity types become an `activity_type` classifier with a default
//! duration, and each user may keep their own clock (minutes east of UTC)
//! for firms that span time zones.

use karta_core::activities::ActivityKind;
use sea_orm_migration::prelude::*;
use uuid::Uuid;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_activity_types_and_time_zones"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("classifiers")
                .add_column(ColumnDef::new("default_minutes").integer().null().take())
                .take(),
        )
        .await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1_000_000;
        let mut insert = Query::insert();
        insert.into_table("classifiers").columns([
            "id",
            "kind",
            "code",
            "label_ru",
            "label_en",
            "position",
            "active",
            "default_minutes",
            "created_at",
            "updated_at",
            "version",
        ]);
        for (position, kind) in (0..).zip(ActivityKind::BUILT_IN) {
            insert.values_panic([
                Uuid::now_v7().into(),
                ActivityKind::CLASSIFIER.into(),
                kind.code.into(),
                kind.label_ru.into(),
                kind.label_en.into(),
                position.into(),
                true.into(),
                kind.default_minutes.into(),
                now.into(),
                now.into(),
                1i64.into(),
            ]);
        }
        m.exec_stmt(insert).await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(ColumnDef::new("utc_offset_minutes").integer().null().take())
                .take(),
        )
        .await?;
        Ok(())
    }
}
