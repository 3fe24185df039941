//! The demo's incoming work: routing rules (so a web-form lead lands with a
//! rep), two weeks of leads from several sources in every status, and each
//! rep's tasks and meetings around today, so "Today", the calendar and the
//! control page look alive.

use super::Rng;
use crate::{App, AppError, Principal};
use karta_core::activities::ActivityDraft;
use karta_core::leads::{LeadChannel, LeadDraft};
use karta_core::routing::RuleDraft;
use karta_core::tasks::TaskDraft;
use karta_core::time::{FixedClock, rfc3339};
use serde_json::{Map, json};
use std::sync::Arc;
use uuid::Uuid;

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

const PEOPLE: &[(&str, &str, &str)] = &[
    ("Алексей Морозов", "ООО «ТехноСтрой»", "spb"),
    ("Светлана Лебедева", "АО «Северный порт»", "spb"),
    ("Игорь Новиков", "ООО «Вектор»", "moscow"),
    ("Татьяна Егорова", "ООО «Агрокомплекс»", "kazan"),
    ("Павел Козлов", "ИП Козлов П. А.", "moscow"),
    ("Юлия Павлова", "ООО «МеталлПром»", "ekb"),
    ("Денис Соловьёв", "ООО «СибЛес»", "nsk"),
    ("Ксения Васильева", "ООО «Ладога Логистик»", "spb"),
    ("Роман Зайцев", "АО «Промавтоматика»", "moscow"),
    ("Марина Белова", "ООО «Фабрика Уют»", "kazan"),
    ("Григорий Тарасов", "ООО «Уралтрансмаш-Сервис»", "ekb"),
    ("Анастасия Климова", "ООО «Невские мастерские»", "spb"),
    ("Олег Фролов", "АО «Казанский инструмент»", "kazan"),
    ("Евгения Орлова", "ООО «Обь-Металл»", "nsk"),
    ("Станислав Гусев", "ООО «Подольск-Деталь»", "moscow"),
    ("Вера Никитина", "ИП Никитина В. С.", "moscow"),
    ("Артём Жуков", "ООО «Сибирская механика»", "nsk"),
    ("Людмила Сергеева", "ООО «Камский привод»", "kazan"),
    ("Никита Быков", "АО «Балтийский станкосервис»", "spb"),
    ("Дарья Комарова", "ООО «Екатеринбургские станки»", "ekb"),
    ("Константин Лукин", "ООО «Мосгидромаш»", "moscow"),
    ("Ирина Медведева", "ООО «Волжский литейщик»", "kazan"),
    ("Василий Крылов", "ООО «Новосибирский завод узлов»", "nsk"),
    ("Елизавета Титова", "ООО «Охта-Пласт»", "spb"),
];

const INTERESTS: &[&str] = &[
    "Станок с ЧПУ для цеха",
    "Сервисный контракт на год",
    "Запчасти и расходники",
    "Модернизация линии",
    "Демонстрация оборудования",
];

/// Routing rules: the North-West region to its team in turn, machine-tool
/// enquiries to Ivan, everything else to the Moscow team, least loaded.
pub(super) async fn load_rules(
    app: &App,
    admin: &Principal,
    ivan: Uuid,
    teams: &[Uuid],
) -> Result<(), AppError> {
    let rules = [
        RuleDraft {
            name: Some("Северо-Запад — своей команде".into()),
            position: Some(10),
            region: Some("spb".into()),
            target_team_id: Some(teams[1]),
            method: Some("round_robin".into()),
            ..Default::default()
        },
        RuleDraft {
            name: Some("Станки — Ивану".into()),
            position: Some(20),
            interest: Some("станок".into()),
            target_user_id: Some(ivan),
            ..Default::default()
        },
        RuleDraft {
            name: Some("Остальное — команде Москвы".into()),
            position: Some(30),
            target_team_id: Some(teams[0]),
            method: Some("least_loaded".into()),
            ..Default::default()
        },
    ];
    for rule in rules {
        crate::routing::create(app, admin, rule).await?;
    }
    Ok(())
}

/// Leads over the last two weeks, routed by the rules; some worked, some
/// dropped.
pub(super) async fn load_leads(app: &App, admin: &Principal) -> Result<(), AppError> {
    let mut rng = Rng(2026);
    let sources = ["website", "exhibition", "referral", "ads", "website"];
    let now = app.now();
    for (i, (person, company, region)) in PEOPLE.iter().enumerate() {
        let clock = Arc::new(FixedClock::new(now - (14 * DAY) + i as i64 * 13 * HOUR));
        let past = App {
            clock,
            ..app.clone()
        };
        let draft = LeadDraft {
            person_name: Some(person.to_string()),
            company_name: Some(company.to_string()),
            email: Some(format!("lead{i}@example.ru")),
            phone: Some(format!("+7 9{:02} 555 {:02} {:02}", 10 + i, i, 40 + i)),
            region: Some(region.to_string()),
            source: Some(rng.pick(&sources).to_string()),
            campaign: (i % 3 == 0).then(|| "expo_2026".into()),
            interest: Some(rng.pick(INTERESTS).to_string()),
            message: Some("Прошу связаться и прислать предложение.".into()),
            consent: Some(true),
            ..Default::default()
        };
        let channel = if i % 2 == 0 {
            LeadChannel::Form
        } else {
            LeadChannel::Manual
        };
        let lead = crate::leads::create(&past, admin, draft, channel).await?;
        let mut patch = Map::new();
        match i % 6 {
            1 | 4 => {
                patch.insert("status".into(), json!("in_work"));
            }
            5 => {
                patch.insert("status".into(), json!("disqualified"));
                patch.insert("disqualify_reason".into(), json!("no_need"));
            }
            _ => {}
        }
        if !patch.is_empty() {
            crate::leads::update(&past, admin, lead.id, Some(lead.version), patch).await?;
        }
    }
    Ok(())
}

/// For each rep: an overdue task, tasks and a meeting today (one with a
/// reminder in a few minutes), and work planned for the coming days.
pub(super) async fn load_tasks(
    app: &App,
    admin: &Principal,
    reps: &[Uuid],
    accounts: &[(Uuid, Uuid)],
) -> Result<(), AppError> {
    let now = app.now();
    let plans: &[(&str, i64, Option<i64>, &str)] = &[
        ("Перезвонить по КП", -DAY - 2 * HOUR, None, "high"),
        (
            "Отправить уточнённое КП",
            2 * HOUR,
            Some(5 * 60_000_000),
            "high",
        ),
        ("Согласовать дату демонстрации", 5 * HOUR, None, "normal"),
        (
            "Подготовить договор",
            DAY + 3 * HOUR,
            Some(DAY + 2 * HOUR),
            "normal",
        ),
        ("Напомнить об оплате счёта", 3 * DAY, None, "low"),
    ];
    for (r, rep) in reps.iter().enumerate() {
        let mine: Vec<Uuid> = accounts
            .iter()
            .filter(|(_, owner)| owner == rep)
            .map(|(id, _)| *id)
            .collect();
        for (k, (title, due_in, remind_in, priority)) in plans.iter().enumerate() {
            let draft = TaskDraft {
                title: Some(title.to_string()),
                due_at: Some(rfc3339(now + due_in + r as i64 * 20 * 60_000_000)),
                remind_at: remind_in.map(|m| rfc3339(now + m)),
                priority: Some(priority.to_string()),
                account_id: mine.get(k % mine.len().max(1)).copied(),
                owner_id: Some(*rep),
                ..Default::default()
            };
            crate::tasks::create(app, admin, draft).await?;
        }
        if let Some(account) = mine.first() {
            let meeting = ActivityDraft {
                kind: Some("meeting".into()),
                subject: Some("Встреча с закупщиком".into()),
                started_at: Some(rfc3339(now + 3 * HOUR + r as i64 * HOUR)),
                duration_minutes: Some(60),
                account_id: Some(*account),
                owner_id: Some(*rep),
                ..Default::default()
            };
            crate::activities::create(app, admin, meeting, None).await?;
        }
    }
    Ok(())
}
