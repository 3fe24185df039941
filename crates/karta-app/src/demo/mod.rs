//! The demo company: teams, one user per role, classifiers, custom fields,
//! 210 accounts (Russian ones with valid INN, KPP and OGRN; some abroad in
//! Kazakhstan and Belarus, buying in dollars) and 420+ contacts with full
//! Russian names that agree in gender, the catalogue (`catalogue`), the sales department's pipelines
//! and deals (`sales`), and two years of orders, invoices and payments
//! (`commerce`).
//! Deterministic, loaded once, through the same use cases as real input
//! (so history and search are filled too).

pub(crate) mod catalogue;
mod commerce;
mod leads;
mod sales;

use crate::directory::NewUser;
use crate::settings::{ClassifierInput, CustomFieldInput};
use crate::{App, AppError, Principal};
use karta_core::accounts::AccountDraft;
use karta_core::contacts::{Consent, ContactDraft};
use karta_core::identifiers::{Inn, Ogrn};
use karta_db::users;
use serde_json::json;
use uuid::Uuid;

/// Password of every demo login.
pub const DEMO_PASSWORD: &str = "karta-demo-2026";

/// Demo logins: e-mail, role, name, team (index into `TEAMS`).
pub const DEMO_USERS: &[(&str, &str, &str, Option<usize>)] = &[
    ("admin@demo.karta", "admin", "Администратор Системы", None),
    ("head@demo.karta", "head_of_sales", "Ольга Смирнова", None),
    ("ivan@demo.karta", "sales_rep", "Иван Петров", Some(0)),
    ("maria@demo.karta", "sales_rep", "Мария Кузнецова", Some(0)),
    ("egor@demo.karta", "sales_rep", "Егор Захаров", Some(1)),
    ("anna@demo.karta", "sales_rep", "Анна Волкова", Some(1)),
    ("marketing@demo.karta", "marketer", "Елена Соколова", None),
    ("support@demo.karta", "support", "Дмитрий Орлов", None),
    (
        "accounts@demo.karta",
        "accountant",
        "Наталья Фёдорова",
        None,
    ),
    ("viewer@demo.karta", "read_only", "Виктор Зорин", None),
];

const TEAMS: &[&str] = &["Москва", "Северо-Запад"];

const CLASSIFIERS: &[(&str, &str, &str, &str)] = &[
    ("industry", "manufacturing", "Производство", "Manufacturing"),
    ("industry", "retail", "Розничная торговля", "Retail"),
    ("industry", "wholesale", "Оптовая торговля", "Wholesale"),
    ("industry", "it", "Информационные технологии", "IT"),
    ("industry", "construction", "Строительство", "Construction"),
    ("industry", "logistics", "Логистика", "Logistics"),
    ("region", "moscow", "Москва", "Moscow"),
    ("region", "spb", "Санкт-Петербург", "Saint Petersburg"),
    ("region", "kazan", "Казань", "Kazan"),
    ("region", "ekb", "Екатеринбург", "Yekaterinburg"),
    ("region", "nsk", "Новосибирск", "Novosibirsk"),
    ("segment", "enterprise", "Крупный бизнес", "Enterprise"),
    ("segment", "smb", "Малый и средний бизнес", "SMB"),
    ("company_size", "s", "до 50 сотрудников", "up to 50 staff"),
    ("company_size", "m", "50–500 сотрудников", "50–500 staff"),
    (
        "company_size",
        "l",
        "более 500 сотрудников",
        "over 500 staff",
    ),
    ("lead_source", "exhibition", "Выставка", "Exhibition"),
    ("lead_source", "referral", "Рекомендация", "Referral"),
    ("lead_source", "article", "Статья", "Article"),
    ("lead_source", "ads", "Реклама", "Advertising"),
    ("lead_source", "website", "Сайт", "Website"),
    ("loss_reason", "price", "Цена", "Price"),
    ("loss_reason", "delivery", "Сроки поставки", "Delivery time"),
    (
        "loss_reason",
        "competitor",
        "Выбрали конкурента",
        "Chose a competitor",
    ),
    ("loss_reason", "no_budget", "Нет бюджета", "No budget"),
    ("disqualify_reason", "no_need", "Нет потребности", "No need"),
    ("disqualify_reason", "spam", "Спам", "Spam"),
    ("disqualify_reason", "duplicate", "Дубль", "Duplicate"),
    (
        "campaign",
        "expo_2026",
        "Выставка «Металлообработка-2026»",
        "Metalworking Expo 2026",
    ),
    (
        "campaign",
        "webinar_q3",
        "Вебинар III квартала",
        "Q3 webinar",
    ),
    (
        "campaign",
        "newsletter",
        "Рассылка клиентам",
        "Customer newsletter",
    ),
    (
        "payment_method",
        "transfer",
        "Безналичный расчёт",
        "Bank transfer",
    ),
    ("payment_method", "card", "Карта", "Card"),
    ("buying_priority", "price", "Цена", "Price"),
    ("buying_priority", "quality", "Качество", "Quality"),
    (
        "buying_priority",
        "delivery",
        "Срок поставки",
        "Delivery time",
    ),
    (
        "purchase_role",
        "decision_maker",
        "Принимает решение",
        "Decision maker",
    ),
    (
        "purchase_role",
        "influencer",
        "Влияет на решение",
        "Influencer",
    ),
    ("purchase_role", "user", "Пользователь", "User"),
];

const RU_NAMES: &[&str] = &[
    "Ромашка",
    "Вектор",
    "Альфа",
    "Сибирь",
    "Прогресс",
    "Север",
    "Орион",
    "Гранит",
    "Меридиан",
    "Стройсервис",
    "Техноком",
    "Волга",
    "Уралмет",
    "Клиент-Сервис",
    "Энергия",
    "Кристалл",
    "Континент",
    "Форвард",
    "Балтика",
    "Логистик",
];
const RU_FORMS: &[&str] = &["ООО", "АО", "ПАО", "ООО ТД"];
/// Customers abroad (Kazakhstan, Belarus), who buy in dollars: their
/// names and where they are.
const ABROAD: &[(&str, &str)] = &[
    (
        "ТОО «Астана-Машсервис»",
        "Казахстан, г. Астана, пр. Республики, д.",
    ),
    (
        "ТОО «Каспий Индастри»",
        "Казахстан, г. Атырау, ул. Сатпаева, д.",
    ),
    ("ТОО «Алатау Техника»", "Казахстан, г. Алматы, пр. Абая, д."),
    (
        "ТОО «Караганда-Станкоремонт»",
        "Казахстан, г. Караганда, ул. Ермекова, д.",
    ),
    (
        "ОАО «Минскпромснаб»",
        "Беларусь, г. Минск, пр. Независимости, д.",
    ),
    (
        "ОАО «Гомельский станкоцентр»",
        "Беларусь, г. Гомель, ул. Советская, д.",
    ),
    (
        "ЧУП «Брестметаллсервис»",
        "Беларусь, г. Брест, ул. Московская, д.",
    ),
    (
        "ООО «Витебск-Инструмент»",
        "Беларусь, г. Витебск, ул. Ленина, д.",
    ),
];
/// First names and patronymics: (men's, women's).
const RU_FIRST_MEN: &[&str] = &["Алексей", "Сергей", "Андрей", "Михаил", "Павел", "Виктор"];
const RU_FIRST_WOMEN: &[&str] = &[
    "Ольга",
    "Татьяна",
    "Екатерина",
    "Наталья",
    "Юлия",
    "Светлана",
];
const RU_PATRONYMICS: &[(&str, &str)] = &[
    ("Иванович", "Ивановна"),
    ("Петрович", "Петровна"),
    ("Сергеевич", "Сергеевна"),
    ("Александрович", "Александровна"),
    ("Николаевич", "Николаевна"),
];
const RU_LAST: &[(&str, &str)] = &[
    ("Иванов", "Иванова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Соколов", "Соколова"),
    ("Лебедев", "Лебедева"),
    ("Новиков", "Новикова"),
    ("Морозов", "Морозова"),
    ("Волков", "Волкова"),
    ("Зайцев", "Зайцева"),
];
const POSITIONS: &[&str] = &[
    "Генеральный директор",
    "Коммерческий директор",
    "Менеджер по закупкам",
    "Главный инженер",
    "Финансовый директор",
    "Начальник отдела снабжения",
];

/// A tiny deterministic generator (no dependency, same data every run).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|i| {
                char::from(
                    b'0' + if i == 0 {
                        1 + self.below(9) as u8
                    } else {
                        self.below(10) as u8
                    },
                )
            })
            .collect()
    }
}

/// Whether the demo company is already loaded.
pub async fn is_loaded(app: &App) -> Result<bool, AppError> {
    Ok(users::user_by_email(app.db.conn(), DEMO_USERS[0].0)
        .await?
        .is_some())
}

/// Loads the demo company unless it is there already. Returns whether it
/// loaded anything.
pub async fn load(app: &App) -> Result<bool, AppError> {
    load_reporting(app, &|_| {}).await
}

/// Like `load`, telling `progress` each part as it starts (`"catalogue"`,
/// `"deals"`…), so a person waiting sees it move.
pub async fn load_reporting(app: &App, progress: &(dyn Fn(&str) + Sync)) -> Result<bool, AppError> {
    if is_loaded(app).await? {
        return Ok(false);
    }
    progress("users and settings");
    let mut team_ids = Vec::new();
    for t in TEAMS {
        let team = match users::team_by_name(app.db.conn(), t).await? {
            Some(team) => team,
            None => crate::directory::create_team(app, None, t).await?,
        };
        team_ids.push(team.id);
    }
    let mut user_ids = Vec::new();
    for (email, role, name, team) in DEMO_USERS {
        let u = crate::directory::create_user(
            app,
            None,
            NewUser {
                email: email.to_string(),
                name: name.to_string(),
                role: role.to_string(),
                team_id: team.map(|i| team_ids[i]),
                password: Some(DEMO_PASSWORD.to_string()),
                locale: Some("ru".to_string()),
            },
        )
        .await?;
        user_ids.push((u.id, u.team_id));
    }
    let admin = crate::auth::principal_of(
        &users::user(app.db.conn(), user_ids[0].0)
            .await?
            .ok_or(AppError::NotFound)?,
        None,
        "job",
    )
    .ok_or(AppError::NotFound)?;
    for (i, (kind, code, ru, en)) in CLASSIFIERS.iter().chain(catalogue::CATEGORIES).enumerate() {
        let input = ClassifierInput {
            kind: kind.to_string(),
            code: code.to_string(),
            label_ru: ru.to_string(),
            label_en: en.to_string(),
            position: i as i32,
            active: true,
            default_minutes: None,
        };
        crate::settings::create_classifier(app, &admin, input).await?;
    }
    crate::settings::create_custom_field(
        app,
        &admin,
        CustomFieldInput {
            entity: "accounts".into(),
            key: "loyalty".into(),
            label_ru: "Уровень лояльности".into(),
            label_en: "Loyalty tier".into(),
            field_type: "one_of".into(),
            options: vec![
                json!({"code": "gold", "label_ru": "Золото", "label_en": "Gold"}),
                json!({"code": "silver", "label_ru": "Серебро", "label_en": "Silver"}),
                json!({"code": "bronze", "label_ru": "Бронза", "label_en": "Bronze"}),
            ],
            required: false,
            show_in_list: true,
            position: 1,
        },
    )
    .await?;
    crate::settings::create_custom_field(
        app,
        &admin,
        CustomFieldInput {
            entity: "accounts".into(),
            key: "annual_budget".into(),
            label_ru: "Годовой бюджет".into(),
            label_en: "Annual budget".into(),
            field_type: "money".into(),
            options: vec![],
            required: false,
            show_in_list: false,
            position: 2,
        },
    )
    .await?;
    progress("catalogue");
    catalogue::load(app, &admin).await?;
    crate::company::set_profile(
        app,
        &admin,
        crate::company::CompanyProfile {
            name: Some("ООО «Карта Станкоцентр»".into()),
            inn: Some("7707083893".into()),
            kpp: Some("770701001".into()),
            address: Some("115093, Москва, ул. Заводская, д. 7".into()),
            phone: Some("+7 495 123-45-67".into()),
            email: Some("sales@demo.karta".into()),
            bank: Some("ПАО Сбербанк".into()),
            bik: Some("044525225".into()),
            settlement_account: Some("40702810938000030000".into()),
            correspondent_account: Some("30101810400000000225".into()),
            ogrn: Some("1027700132195".into()),
            director: Some("Смирнов А. В.".into()),
            chief_accountant: Some("Кузнецова Е. П.".into()),
        },
    )
    .await?;
    progress("customers");
    let customers = load_customers(app, &admin, &user_ids[2..6]).await?;
    progress("deals");
    sales::load(app, &admin, &customers).await?;
    progress("leads and tasks");
    leads::load_rules(app, &admin, user_ids[2].0, &team_ids).await?;
    leads::load_leads(app, &admin).await?;
    let reps: Vec<Uuid> = user_ids[2..6].iter().map(|(id, _)| *id).collect();
    let owned: Vec<(Uuid, Uuid)> = customers
        .iter()
        .filter(|c| !c.competitor)
        .map(|c| (c.id, c.owner))
        .collect();
    leads::load_tasks(app, &admin, &reps, &owned).await?;
    let head = demo_principal(app, DEMO_USERS[1].0).await?;
    let accounting = demo_principal(app, DEMO_USERS[8].0).await?;
    let buyers: Vec<Uuid> = owned.iter().map(|(id, _)| *id).take(32).collect();
    progress("two years of orders, invoices and payments");
    commerce::load(app, &head, &accounting, &buyers).await?;
    Ok(true)
}

/// The principal of a demo login, acting as the loading job.
async fn demo_principal(app: &App, email: &str) -> Result<Principal, AppError> {
    let user = users::user_by_email(app.db.conn(), email)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::auth::principal_of(&user, None, "job").ok_or(AppError::NotFound)
}

/// A demo account as the sales demo needs it.
struct DemoAccount {
    id: Uuid,
    owner: Uuid,
    /// Abroad, buying in dollars.
    abroad: bool,
    competitor: bool,
}

async fn load_customers(
    app: &App,
    admin: &Principal,
    reps: &[(Uuid, Option<Uuid>)],
) -> Result<Vec<DemoAccount>, AppError> {
    let mut loaded = Vec::new();
    let mut rng = Rng(2026);
    let regions = ["moscow", "spb", "kazan", "ekb", "nsk"];
    let industries = [
        "manufacturing",
        "retail",
        "wholesale",
        "it",
        "construction",
        "logistics",
    ];
    let sources = ["exhibition", "referral", "article", "ads", "website"];
    let mut competitors = Vec::new();
    for i in 0..210usize {
        // Every fifth customer is abroad and buys in dollars.
        let abroad = (i % 5 == 4).then(|| ABROAD[(i / 5) % ABROAD.len()]);
        let name = match abroad {
            Some((name, _)) if i < 5 * ABROAD.len() => name.to_string(),
            Some((name, _)) => {
                format!("{}-{}»", name.trim_end_matches('»'), i / (5 * ABROAD.len()))
            }
            None => format!(
                "{} «{}{}»",
                rng.pick(RU_FORMS),
                rng.pick(RU_NAMES),
                if i >= 20 {
                    format!("-{}", i / 20)
                } else {
                    String::new()
                }
            ),
        };
        // Russian requisites for Russian companies only.
        let russian = abroad.is_none();
        let inn = Inn::complete(&format!("77{}", rng.digits(7)))
            .map(|i| i.to_string())
            .filter(|_| russian);
        let (owner, team) = reps[i % reps.len()];
        let types = match i % 10 {
            0 => vec!["competitor"],
            1 | 2 => vec!["prospect"],
            3 => vec!["customer", "dealer"],
            4 => vec!["partner"],
            _ => vec!["customer"],
        };
        let lost = i % 23 == 7 && !competitors.is_empty();
        let draft = AccountDraft {
            name,
            legal_name: None,
            types: types.into_iter().map(String::from).collect(),
            inn,
            kpp: Some(format!("77{}01001", rng.digits(2))).filter(|_| russian),
            ogrn: Ogrn::complete(&format!("10277{}", rng.digits(7)))
                .map(|o| o.to_string())
                .filter(|_| russian),
            legal_address: Some(match abroad {
                Some((_, street)) => format!("{street} {}", 1 + rng.below(120)),
                None => format!("г. Москва, ул. Тверская, д. {}", 1 + rng.below(120)),
            }),
            region: Some(regions[rng.below(regions.len())].to_string()).filter(|_| russian),
            industry: Some(industries[rng.below(industries.len())].to_string()),
            segment: Some(if i % 4 == 0 { "enterprise" } else { "smb" }.to_string()),
            size: Some(["s", "m", "l"][rng.below(3)].to_string()),
            lead_source: Some(sources[rng.below(sources.len())].to_string()),
            status: Some(
                if lost {
                    "lost"
                } else if i % 17 == 0 {
                    "inactive"
                } else {
                    "active"
                }
                .to_string(),
            ),
            lost_to_id: if lost {
                competitors.first().copied()
            } else {
                None
            },
            loss_reason: lost.then(|| "price".to_string()),
            purchase_purpose: Some(if i % 3 == 0 { "reseller" } else { "end_user" }.to_string()),
            buying_priorities: vec![["price", "quality", "delivery"][i % 3].to_string()],
            payment_method: Some("transfer".into()),
            tags: if i % 6 == 0 {
                vec!["vip".into()]
            } else {
                vec![]
            },
            owner_id: Some(owner),
            team_id: team,
            custom: serde_json::Map::from_iter([(
                "loyalty".to_string(),
                json!(["gold", "silver", "bronze"][i % 3]),
            )]),
            ..Default::default()
        };
        let (account, _) = crate::accounts::create(app, admin, draft).await?;
        if i % 10 == 0 {
            competitors.push(account.id);
        }
        loaded.push(DemoAccount {
            id: account.id,
            owner,
            abroad: abroad.is_some(),
            competitor: i % 10 == 0,
        });
        for c in 0..2 + usize::from(i % 3 == 0) {
            let female = rng.below(2) == 0;
            let (m, f) = rng.pick(RU_LAST);
            let (pm, pf) = rng.pick(RU_PATRONYMICS);
            let (first, last, middle) = if female {
                (rng.pick(RU_FIRST_WOMEN), f, pf)
            } else {
                (rng.pick(RU_FIRST_MEN), m, pm)
            };
            let (first, last) = (first.to_string(), last.to_string());
            let login =
                format!("{}.{}{}", first.chars().take(1).collect::<String>(), i, c).to_lowercase();
            let draft = ContactDraft {
                first_name: Some(first),
                last_name: Some(last),
                middle_name: Some(middle.to_string()),
                position: Some(rng.pick(POSITIONS).to_string()),
                purchase_role: Some(["decision_maker", "influencer", "user"][c % 3].to_string()),
                emails: vec![format!(
                    "{}@example{}.ru",
                    if login.is_ascii() {
                        login
                    } else {
                        format!("contact{i}{c}")
                    },
                    i % 7
                )],
                phones: vec![format!("+7 9{} {}", rng.digits(2), rng.digits(7))],
                birthday: (c == 0).then(|| {
                    format!(
                        "19{}-0{}-1{}",
                        60 + rng.below(35),
                        1 + rng.below(9),
                        rng.below(10)
                    )
                }),
                account_ids: vec![account.id],
                consent_personal_data: Some(Consent {
                    given: true,
                    date: Some("2025-03-01".into()),
                    source: Some("договор".into()),
                }),
                consent_marketing: Some(Consent {
                    given: c == 0,
                    date: (c == 0).then(|| "2025-03-01".into()),
                    source: None,
                }),
                owner_id: Some(owner),
                team_id: team,
                ..Default::default()
            };
            crate::contacts::create(app, admin, draft).await?;
        }
    }
    Ok(loaded)
}
