//! Activities on the accounts already in the database: calls, meetings,
//! e-mails and notes spread over the past two years, owned by each
//! account's owner, written in bulk batches.

use crate::demo::Rng;
use crate::{App, AppError};
use karta_core::activities::ActivityKind;
use karta_db::entities::activity;
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use serde_json::json;
use uuid::Uuid;

const SUBJECTS: &[(&str, &str)] = &[
    (ActivityKind::CALL, "Звонок по поставке"),
    (ActivityKind::CALL, "Уточнить объём заказа"),
    (ActivityKind::MEETING, "Встреча на объекте"),
    ("email", "Отправлен прайс-лист"),
    (ActivityKind::NOTE, "Клиент просит отсрочку"),
    (ActivityKind::CALL, "Follow-up call"),
];

/// Accounts read per step.
const ACCOUNTS_PER_STEP: u64 = 1000;

/// Adds `per_account` activities to every live account. Returns the time
/// taken.
pub async fn generate_activities(
    app: &App,
    per_account: usize,
    seed: u64,
) -> Result<std::time::Duration, AppError> {
    let started = std::time::Instant::now();
    let mut rng = Rng(seed);
    let now = app.now();
    let mut after: Option<Uuid> = None;
    loop {
        let accounts = super::accounts_after(app, after, ACCOUNTS_PER_STEP).await?;
        let Some(last) = accounts.last() else {
            break;
        };
        after = Some(last.0);
        let mut rows = Vec::with_capacity(accounts.len() * per_account);
        for (account_id, owner, team) in &accounts {
            for _ in 0..per_account {
                let (kind, subject) = *rng.pick(SUBJECTS);
                let minutes_ago = rng.below(730 * 24 * 60) as i64;
                rows.push(activity::ActiveModel {
                    kind: Set(kind.into()),
                    subject: Set(Some(subject.into())),
                    outcome: Set(None),
                    started_at: Set(now - minutes_ago * 60_000_000),
                    duration_minutes: Set(if kind == ActivityKind::NOTE { 0 } else { 15 }),
                    direction: Set(None),
                    account_id: Set(Some(*account_id)),
                    contact_id: Set(None),
                    deal_id: Set(None),
                    lead_id: Set(None),
                    owner_id: Set(*owner),
                    team_id: Set(*team),
                    custom: Set(json!({})),
                    ..<activity::Entity as Record>::created(Uuid::now_v7(), now, None)
                });
            }
        }
        let txn = app.db.begin_write().await?;
        karta_db::bulk::insert_all::<activity::Entity, _>(&txn, rows).await?;
        txn.commit().await?;
    }
    app.db.analyze().await?;
    Ok(started.elapsed())
}
