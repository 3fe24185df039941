//! The demo sales department: two pipelines and about 150 deals spread over
//! every stage, created over the past year and moved stage by stage at
//! their own (past) times with a call, meeting or proposal logged at each
//! step, so time in stage, stale deals, won / lost history and the card
//! timelines look like a real year of work.

use super::{DemoAccount, Rng};
use crate::{App, AppError, Principal};
use karta_core::deals::DealDraft;
use karta_core::pipelines::{PipelineDraft, StageDraft, StageKind};
use karta_core::time::FixedClock;
use serde_json::{Map, json};
use std::sync::Arc;
use uuid::Uuid;

const DAY: i64 = 86_400_000_000;

fn with(mut s: StageDraft, max_days: i32, checklist: &[&str]) -> StageDraft {
    s.max_days = Some(max_days);
    s.checklist = checklist.iter().map(|c| c.to_string()).collect();
    s
}

fn equipment() -> PipelineDraft {
    let mut negotiation = with(
        StageDraft::named("Переговоры", "Negotiation", StageKind::Open, Some(70)),
        21,
        &["Согласовать условия оплаты", "Согласовать сроки поставки"],
    );
    negotiation.responsible_role = Some("Руководитель отдела продаж".into());
    PipelineDraft {
        name: "Продажи оборудования".into(),
        position: 0,
        active: Some(true),
        stages: vec![
            with(
                StageDraft::named("Квалификация", "Qualification", StageKind::Open, Some(10)),
                7,
                &["Выявить потребность", "Найти лицо, принимающее решение"],
            ),
            with(
                StageDraft::named("Презентация", "Demo", StageKind::Open, Some(30)),
                14,
                &["Провести демонстрацию"],
            ),
            with(
                StageDraft::named(
                    "Коммерческое предложение",
                    "Proposal",
                    StageKind::Open,
                    Some(50),
                ),
                14,
                &["Отправить КП", "Получить обратную связь"],
            ),
            negotiation,
            with(
                StageDraft::named("Договор", "Contract", StageKind::Open, Some(90)),
                14,
                &["Подписать договор"],
            ),
            StageDraft::named("Выиграна", "Won", StageKind::Won, None),
            StageDraft::named("Проиграна", "Lost", StageKind::Lost, None),
        ],
    }
}

fn service() -> PipelineDraft {
    PipelineDraft {
        name: "Сервисные контракты".into(),
        position: 1,
        active: Some(true),
        stages: vec![
            with(
                StageDraft::named("Заявка", "Request", StageKind::Open, Some(20)),
                5,
                &[],
            ),
            with(
                StageDraft::named("Согласование", "Approval", StageKind::Open, Some(60)),
                10,
                &[],
            ),
            StageDraft::named("Выиграна", "Won", StageKind::Won, None),
            StageDraft::named("Проиграна", "Lost", StageKind::Lost, None),
        ],
    }
}

const TITLES: &[&str] = &[
    "Поставка фрезерных станков",
    "Модернизация линии",
    "Сервисное обслуживание",
    "Поставка запчастей",
    "Пусконаладка оборудования",
    "Обучение операторов",
];

const NEXT_STEPS: &[&str] = &[
    "Позвонить по итогам встречи",
    "Отправить уточнённое КП",
    "Согласовать демонстрацию на площадке клиента",
    "Встреча с техническим директором",
];

/// Loads the pipelines and the deals of the demo customers.
pub(super) async fn load(
    app: &App,
    admin: &Principal,
    customers: &[DemoAccount],
) -> Result<(), AppError> {
    let main = crate::pipelines::create(app, admin, equipment()).await?;
    let services = crate::pipelines::create(app, admin, service()).await?;
    let mut rng = Rng(77);
    let now = app.now();
    let sources = ["exhibition", "referral", "article", "ads", "website"];
    let campaigns = ["expo_2026", "webinar_q3", "newsletter"];
    let reasons = ["price", "delivery", "competitor", "no_budget"];
    let competitor = customers.iter().find(|c| c.competitor).map(|c| c.id);
    let (machines, works) = catalogue(app, admin).await?;
    for (i, customer) in customers.iter().filter(|c| !c.competitor).enumerate() {
        if i % 4 == 3 {
            continue;
        }
        let pipeline = if i % 5 == 4 { &services } else { &main };
        let stages = &pipeline.stages;
        let target = rng.below(stages.len());
        let last_open = stages.iter().rposition(|s| s.kind == "open").unwrap_or(0);
        let path: Vec<usize> = if target <= last_open {
            (1..=target).collect()
        } else {
            (1..=last_open.min(target % (last_open + 1)))
                .chain([target])
                .collect()
        };
        let gaps: Vec<i64> = path
            .iter()
            .map(|_| (2 + rng.below(15) as i64) * DAY)
            .collect();
        // Each deal lives on its own clock: closed deals ended up to a year
        // ago, open ones entered their stage in the last two weeks or so.
        let since_last = if target > last_open {
            5 + rng.below(300) as i64
        } else {
            rng.below(16) as i64
        } * DAY;
        let started = now - since_last - gaps.iter().sum::<i64>() - DAY;
        let clock = Arc::new(FixedClock::new(started));
        let past = App {
            clock: clock.clone(),
            ..app.clone()
        };
        let abroad = customer.abroad;
        let draft = DealDraft {
            title: Some(if abroad {
                format!("Экспортная поставка №{}", 100 + i)
            } else {
                format!("{} №{}", rng.pick(TITLES), 100 + i)
            }),
            account_id: Some(customer.id),
            pipeline_id: Some(pipeline.pipeline.id),
            amount_minor: Some((50 + rng.below(4_950) as i64) * 1_000 * 100),
            currency: Some(if abroad { "USD" } else { "RUB" }.into()),
            expected_close: None,
            owner_id: Some(customer.owner),
            source: Some(rng.pick(&sources).to_string()),
            campaign: (i % 3 == 0).then(|| rng.pick(&campaigns).to_string()),
            next_step: (i % 6 != 5).then(|| rng.pick(NEXT_STEPS).to_string()),
            ..Default::default()
        };
        let (mut deal, _) = crate::deals::create(&past, admin, draft).await?;
        // What is being sold, so a won deal goes on to its order, invoice
        // and payment. (Customers abroad buy in dollars, which the rouble
        // catalogue does not price.)
        if !abroad {
            let lines = if pipeline.pipeline.id == main.pipeline.id {
                vec![line(*rng.pick(&machines), 1), line(*rng.pick(&works), 1)]
            } else {
                vec![line(*rng.pick(&works), 1 + rng.below(3) as i64)]
            };
            deal = crate::deal_lines::set(&past, admin, deal.id, Some(deal.version), lines)
                .await?
                .0;
        }
        log(&past, admin, &deal, customer, "call", &mut rng).await?;
        for (step, gap) in path.into_iter().zip(gaps) {
            clock.advance(gap);
            let s = &stages[step];
            let mut patch = Map::new();
            patch.insert("stage_id".into(), json!(s.id));
            if s.kind == "lost" {
                let reason = rng.pick(&reasons);
                patch.insert("loss_reason".into(), json!(reason));
                if *reason == "competitor" && competitor.is_some() {
                    patch.insert("competitor_id".into(), json!(competitor));
                }
            }
            deal = crate::deals::update(&past, admin, deal.id, Some(deal.version), patch)
                .await?
                .0;
            let kind = ["meeting", "demo", "proposal", "call", "email"][step % 5];
            log(&past, admin, &deal, customer, kind, &mut rng).await?;
        }
        if deal.closed_at.is_none() {
            let close = time::OffsetDateTime::from_unix_timestamp(
                (now + (5 + rng.below(80) as i64) * DAY) / 1_000_000,
            )
            .map(|t| t.date().to_string())
            .unwrap_or_default();
            let mut patch = Map::new();
            patch.insert("expected_close".into(), json!(close));
            crate::deals::update(&past, admin, deal.id, Some(deal.version), patch).await?;
        }
    }
    Ok(())
}

/// The catalogue's machines in stock and its services, by id: what the
/// demo deals sell.
async fn catalogue(app: &App, admin: &Principal) -> Result<(Vec<Uuid>, Vec<Uuid>), AppError> {
    let products = super::catalogue::products(app, admin).await?;
    let of = |category: &str| -> Vec<Uuid> {
        products
            .iter()
            .filter(|p| p.active && p.category.as_deref() == Some(category))
            .filter(|p| category != "machines" || p.stock_quantity > 0)
            .map(|p| p.id)
            .collect()
    };
    Ok((of("machines"), of("services")))
}

fn line(product_id: Uuid, quantity: i64) -> karta_core::pricing::LineDraft {
    karta_core::pricing::LineDraft {
        product_id: Some(product_id),
        quantity: Some(quantity),
        ..Default::default()
    }
}

const OUTCOMES: &[&str] = &[
    "Интерес подтверждён, ждут КП",
    "Попросили скидку",
    "Договорились о встрече на площадке",
    "Передали техническому директору",
    "Не дозвонились, перезвонить",
];

/// Records a contact with the customer at the deal's clock.
async fn log(
    app: &App,
    admin: &Principal,
    deal: &karta_db::entities::deal::Model,
    customer: &DemoAccount,
    kind: &str,
    rng: &mut Rng,
) -> Result<(), AppError> {
    let draft = karta_core::activities::ActivityDraft {
        kind: Some(kind.into()),
        subject: Some(deal.title.clone()),
        outcome: Some(rng.pick(OUTCOMES).to_string()),
        direction: (kind == "call").then(|| "outgoing".into()),
        deal_id: Some(deal.id),
        owner_id: Some(customer.owner),
        ..Default::default()
    };
    crate::activities::create(app, admin, draft, None).await?;
    Ok(())
}
