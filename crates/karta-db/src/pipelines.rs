//! Pipeline storage: pipelines with their stages in board order, and
//! replacing a pipeline's stages in one go.

use crate::entities::{deal, pipeline, stage};
use karta_core::pipelines::StageFields;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A pipeline and its stages, in board order.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineWithStages {
    pub pipeline: pipeline::Model,
    pub stages: Vec<stage::Model>,
}

/// Every pipeline (active first, then by position and name) with its stages.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<PipelineWithStages>, DbErr> {
    let pipelines = pipeline::Entity::find()
        .order_by_desc(pipeline::Column::Active)
        .order_by_asc(pipeline::Column::Position)
        .order_by_asc(pipeline::Column::Name)
        .all(db)
        .await?;
    let mut stages: HashMap<Uuid, Vec<stage::Model>> = HashMap::new();
    for s in stage::Entity::find()
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?
    {
        stages.entry(s.pipeline_id).or_default().push(s);
    }
    Ok(pipelines
        .into_iter()
        .map(|p| PipelineWithStages {
            stages: stages.remove(&p.id).unwrap_or_default(),
            pipeline: p,
        })
        .collect())
}

/// One pipeline with its stages.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<PipelineWithStages>, DbErr> {
    let Some(pipeline) = pipeline::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let stages = stage::Entity::find()
        .filter(stage::Column::PipelineId.eq(id))
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?;
    Ok(Some(PipelineWithStages { pipeline, stages }))
}

/// One stage.
pub async fn stage<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<stage::Model>, DbErr> {
    stage::Entity::find_by_id(id).one(db).await
}

/// How many deals (live or in the trash) are in these stages.
pub async fn deals_in<C: ConnectionTrait>(db: &C, stage_ids: &[Uuid]) -> Result<u64, DbErr> {
    if stage_ids.is_empty() {
        return Ok(0);
    }
    deal::Entity::find()
        .filter(deal::Column::StageId.is_in(stage_ids.iter().copied()))
        .count(db)
        .await
}

/// Makes the pipeline's stages exactly `stages`, in that order: stages with
/// an id are updated, those without are created, the rest are deleted (the
/// caller has checked that no deal is in them).
pub async fn replace_stages<C: ConnectionTrait>(
    db: &C,
    pipeline_id: Uuid,
    stages: &[StageFields],
) -> Result<(), DbErr> {
    let kept: Vec<Uuid> = stages.iter().filter_map(|s| s.id).collect();
    stage::Entity::delete_many()
        .filter(stage::Column::PipelineId.eq(pipeline_id))
        .filter(stage::Column::Id.is_not_in(kept))
        .exec(db)
        .await?;
    for (position, s) in stages.iter().enumerate() {
        let row = stage::ActiveModel {
            id: Set(s.id.unwrap_or_else(Uuid::now_v7)),
            pipeline_id: Set(pipeline_id),
            position: Set(position as i32),
            name_ru: Set(s.name_ru.clone()),
            name_en: Set(s.name_en.clone()),
            kind: Set(s.kind.as_str().to_string()),
            probability: Set(s.probability),
            responsible_user_id: Set(s.responsible_user_id),
            responsible_role: Set(s.responsible_role.clone()),
            checklist: Set(json!(s.checklist)),
            max_days: Set(s.max_days),
        };
        if s.id.is_some() {
            stage::Entity::update(row).exec(db).await?;
        } else {
            stage::Entity::insert(row).exec(db).await?;
        }
    }
    Ok(())
}

/// The checklist of a stage as text items.
pub fn checklist(s: &stage::Model) -> Vec<String> {
    crate::json_strings(&s.checklist)
}

/// A stage's name in `lang` (`en`, else Russian).
pub fn stage_name(s: &stage::Model, lang: &str) -> String {
    if lang == "en" {
        s.name_en.clone()
    } else {
        s.name_ru.clone()
    }
}
