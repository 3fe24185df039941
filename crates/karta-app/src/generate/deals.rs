//! Deals for the board benchmark: spread over every stage of one pipeline,
//! owned round-robin by the given reps, each with its stage stay and search
//! entry, written in bulk batches.

use super::db_err;
use crate::demo::Rng;
use crate::{App, AppError};
use karta_db::entities::{account, deal, deal_stay};
use karta_db::pipelines::PipelineWithStages;
use karta_db::records::Record;
use karta_db::search;
use sea_orm::ActiveValue::Set;
use sea_orm::{EntityTrait, QuerySelect};
use serde_json::json;
use uuid::Uuid;

const WHAT: &[&str] = &[
    "Станки ЧПУ",
    "Поставка металла",
    "Сервисный контракт",
    "Запчасти",
    "Пусконаладка",
    "Licences",
    "Support renewal",
];

/// Adds `count` deals to `pipeline` on existing accounts, owned round-robin
/// by `owners` (user id, team id). Returns the time taken.
pub async fn generate_deals(
    app: &App,
    pipeline: &PipelineWithStages,
    count: usize,
    owners: &[(Uuid, Option<Uuid>)],
    seed: u64,
) -> Result<std::time::Duration, AppError> {
    let started = std::time::Instant::now();
    let accounts: Vec<Uuid> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .limit(10_000)
        .into_tuple()
        .all(app.db.conn())
        .await?;
    if accounts.is_empty() || owners.is_empty() || pipeline.stages.is_empty() {
        return Err(db_err("deals need accounts, owners and stages"));
    }
    let mut rng = Rng(seed);
    let now = app.now();
    let batch = 1000;
    let mut done = 0;
    while done < count {
        let n = batch.min(count - done);
        let (mut deals, mut stays, mut docs) = (vec![], vec![], vec![]);
        for i in 0..n {
            let seq = done + i;
            let (owner, team) = owners[seq % owners.len()];
            let stage = &pipeline.stages[rng.below(pipeline.stages.len())];
            let closed = stage.kind != "open";
            let entered = now - rng.below(120) as i64 * karta_core::time::DAY;
            let id = Uuid::now_v7();
            let title = format!("{} №{seq}", WHAT[rng.below(WHAT.len())]);
            docs.push((
                "deals",
                id,
                karta_core::search::index_terms(&title),
                String::new(),
            ));
            deals.push(deal::ActiveModel {
                title: Set(title),
                account_id: Set(accounts[rng.below(accounts.len())]),
                pipeline_id: Set(pipeline.pipeline.id),
                stage_id: Set(stage.id),
                amount_minor: Set(rng.below(5_000_000) as i64 * 100),
                currency: Set("RUB".into()),
                expected_close: Set(None),
                probability: Set(stage.probability),
                probability_manual: Set(false),
                source: Set(None),
                campaign: Set(None),
                competitor_id: Set(None),
                loss_reason: Set((stage.kind == "lost").then(|| "price".to_string())),
                next_step: Set((seq % 3 != 0).then(|| "Позвонить".to_string())),
                description: Set(None),
                checklist_done: Set(json!([])),
                custom: Set(json!({})),
                stage_entered_at: Set(entered),
                closed_at: Set(closed.then_some(entered)),
                owner_id: Set(Some(owner)),
                team_id: Set(team),
                ..<deal::Entity as Record>::created(id, now, None)
            });
            stays.push(deal_stay::ActiveModel {
                id: Set(Uuid::now_v7()),
                deal_id: Set(id),
                stage_id: Set(stage.id),
                entered_at: Set(entered),
                left_at: Set(None),
                entered_by: Set(None),
            });
        }
        let txn = app.db.begin_write().await?;
        for chunk in deals.chunks(500) {
            deal::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        deal_stay::Entity::insert_many(stays).exec(&txn).await?;
        search::index_many(&txn, &docs).await?;
        txn.commit().await?;
        done += n;
    }
    app.db.analyze().await?;
    Ok(started.elapsed())
}
