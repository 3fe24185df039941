//! Pipeline use cases: everyone reads pipelines (to show stages); heads of
//! sales and administrators create and change them. A stage that still
//! holds deals cannot be removed.

use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::pipelines::{PipelineDraft, PipelineFields, StageDraft};
use karta_core::roles::{Access, Entity};
use karta_db::entities::pipeline;
use karta_db::history;
use karta_db::pipelines as store;
pub use karta_db::pipelines::{PipelineWithStages, checklist, stage_name};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "pipelines";

/// Every pipeline with its stages.
pub async fn list(app: &App, p: &Principal) -> Result<Vec<PipelineWithStages>, AppError> {
    p.require(Entity::Pipelines, Access::Read)?;
    Ok(store::all(app.db.conn()).await?)
}

/// One pipeline with its stages.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<PipelineWithStages, AppError> {
    p.require(Entity::Pipelines, Access::Read)?;
    store::find(app.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks what needs the database: responsible users exist; stage ids
/// belong to this pipeline; removed stages hold no deals.
async fn check(
    app: &App,
    fields: &PipelineFields,
    current: Option<&PipelineWithStages>,
) -> Result<(), AppError> {
    let mut e = Invalid::default();
    for (i, s) in fields.stages.iter().enumerate() {
        if let Some(user) = s.responsible_user_id
            && !karta_db::users::user(app.db.conn(), user)
                .await?
                .is_some_and(|u| u.active)
        {
            e.push(format!("stages[{i}].responsible_user_id"), "unknown_user");
        }
        let known = current.is_some_and(|c| c.stages.iter().any(|cs| Some(cs.id) == s.id));
        if s.id.is_some() && !known {
            e.push(format!("stages[{i}].id"), "unknown_stage");
        }
    }
    if let Some(c) = current {
        let removed: Vec<Uuid> = c
            .stages
            .iter()
            .filter(|cs| !fields.stages.iter().any(|s| s.id == Some(cs.id)))
            .map(|cs| cs.id)
            .collect();
        if store::deals_in(app.db.conn(), &removed).await? > 0 {
            e.push("stages", "stage_has_deals");
        }
    }
    e.into_result().map_err(AppError::from)
}

fn snapshot(f: &PipelineFields) -> Value {
    serde_json::to_value(f).unwrap_or(Value::Null)
}

/// Creates a pipeline with its stages.
pub async fn create(
    app: &App,
    p: &Principal,
    draft: PipelineDraft,
) -> Result<PipelineWithStages, AppError> {
    p.require(Entity::Pipelines, Access::Write)?;
    let fields = draft.validate()?;
    check(app, &fields, None).await?;
    let now = app.now();
    let id = Uuid::now_v7();
    let mut tx = Tx::begin(app, p.actor()).await?;
    pipeline::Entity::insert(pipeline::ActiveModel {
        id: Set(id),
        name: Set(fields.name.clone()),
        position: Set(fields.position),
        active: Set(fields.active),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(&*tx)
    .await?;
    store::replace_stages(&*tx, id, &fields.stages).await?;
    tx.record(Event::new(
        ENTITY,
        id,
        "create",
        history::diff(&Value::Null, &snapshot(&fields)),
    ));
    tx.commit().await?;
    get(app, p, id).await
}

/// The draft a stored pipeline would be sent as.
pub fn draft_of(current: &PipelineWithStages) -> PipelineDraft {
    PipelineDraft {
        name: current.pipeline.name.clone(),
        position: current.pipeline.position,
        active: Some(current.pipeline.active),
        stages: current
            .stages
            .iter()
            .map(|s| StageDraft {
                id: Some(s.id),
                name: None,
                name_ru: Some(s.name_ru.clone()),
                name_en: Some(s.name_en.clone()),
                kind: Some(s.kind.clone()),
                probability: Some(s.probability),
                responsible_user_id: s.responsible_user_id,
                responsible_role: s.responsible_role.clone(),
                checklist: store::checklist(s),
                max_days: s.max_days,
            })
            .collect(),
    }
}

/// Changes a pipeline (JSON merge; `stages`, when sent, is the whole new
/// list) at the given version.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<PipelineWithStages, AppError> {
    p.require(Entity::Pipelines, Access::Write)?;
    let current = get(app, p, id).await?;
    let version = expected.ok_or(AppError::VersionRequired)?;
    if version != current.pipeline.version {
        return Err(AppError::VersionMismatch {
            current: current.pipeline.version,
        });
    }
    let before = draft_of(&current);
    let fields = crate::accounts::merge(&before, patch)?.validate()?;
    check(app, &fields, Some(&current)).await?;
    let old = snapshot(&before.validate()?);
    let changes = history::diff(&old, &snapshot(&fields));
    if changes.is_empty() {
        return Ok(current);
    }
    let now = app.now();
    let mut tx = Tx::begin(app, p.actor()).await?;
    let written = pipeline::Entity::update_many()
        .col_expr(pipeline::Column::Name, Expr::val(fields.name.clone()))
        .col_expr(pipeline::Column::Position, Expr::val(fields.position))
        .col_expr(pipeline::Column::Active, Expr::val(fields.active))
        .col_expr(pipeline::Column::UpdatedAt, Expr::val(now))
        .col_expr(pipeline::Column::Version, Expr::val(version + 1))
        .filter(pipeline::Column::Id.eq(id))
        .filter(pipeline::Column::Version.eq(version))
        .exec(&*tx)
        .await?;
    if written.rows_affected == 0 {
        return Err(AppError::VersionMismatch {
            current: version + 1,
        });
    }
    store::replace_stages(&*tx, id, &fields.stages).await?;
    tx.record(Event::new(ENTITY, id, "update", changes));
    tx.commit().await?;
    get(app, p, id).await
}

/// The first stage of the first active pipeline: where a deal starts when
/// the client names neither.
pub async fn default_stage(
    app: &App,
) -> Result<Option<karta_db::entities::stage::Model>, AppError> {
    Ok(store::all(app.db.conn())
        .await?
        .into_iter()
        .find(|p| p.pipeline.active)
        .and_then(|p| p.stages.into_iter().next()))
}
