//! Commercial proposals (коммерческие предложения): a PDF made from a deal
//! — the company's header, the customer's requisites, the lines with VAT
//! and totals, how long the offer holds — in Russian or English, kept on
//! the deal and logged as a "proposal" activity. Also the company profile
//! the header comes from.

use crate::pdf::{Document, MARGIN, PAGE_WIDTH, Weight};
use crate::uow::Tx;
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::accounts::clean_text;
use karta_core::activities::{ActivityDraft, ActivityKind};
use karta_core::money::{Currency, format_amount};
use karta_core::roles::{Access, Entity, Role};
use karta_db::entities::{deal_document, deal_line};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const COMPANY_KEY: &str = "company";

/// Days an offer holds.
pub const VALID_DAYS: i64 = 30;

/// The selling company, as its documents name it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyProfile {
    pub name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Bank, account and BIC in one line.
    pub bank: Option<String>,
}

impl CompanyProfile {
    fn validate(self) -> Result<Self, Invalid> {
        let mut e = Invalid::default();
        let inn = clean_text(&mut e, "inn", self.inn, 12);
        if let Some(i) = &inn {
            e.take("inn", karta_core::identifiers::Inn::parse(i));
        }
        let profile = Self {
            name: clean_text(&mut e, "name", self.name, 300),
            inn,
            kpp: clean_text(&mut e, "kpp", self.kpp, 9),
            address: clean_text(&mut e, "address", self.address, 500),
            phone: clean_text(&mut e, "phone", self.phone, 100),
            email: clean_text(&mut e, "email", self.email, 200),
            bank: clean_text(&mut e, "bank", self.bank, 500),
        };
        if profile.name.is_none() && e.0.is_empty() {
            e.push("name", "required");
        }
        e.into_result().map(|()| profile)
    }
}

/// The company profile (empty until an administrator fills it in).
pub async fn company(app: &App) -> Result<CompanyProfile, AppError> {
    Ok(karta_db::settings::get(app.db.conn(), COMPANY_KEY)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Replaces the company profile (administrators).
pub async fn set_company(
    app: &App,
    p: &Principal,
    profile: CompanyProfile,
) -> Result<CompanyProfile, AppError> {
    if p.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let profile = profile.validate()?;
    let value = serde_json::to_value(&profile).unwrap_or_default();
    karta_db::settings::put(app.db.conn(), COMPANY_KEY, value, app.now()).await?;
    Ok(profile)
}

/// Words of the proposal in one language.
struct Words {
    title: &'static str,
    from: &'static str,
    to: &'static str,
    deal: &'static str,
    columns: [&'static str; 7],
    net: &'static str,
    vat: &'static str,
    gross: &'static str,
    valid: &'static str,
    manager: &'static str,
    inn: &'static str,
    kpp: &'static str,
}

const RU: Words = Words {
    title: "Коммерческое предложение №",
    from: "от",
    to: "Покупатель:",
    deal: "По сделке:",
    columns: [
        "№",
        "Наименование",
        "Кол-во",
        "Цена без НДС",
        "Скидка",
        "НДС",
        "Сумма с НДС",
    ],
    net: "Итого без НДС:",
    vat: "НДС:",
    gross: "Всего с НДС:",
    valid: "Предложение действительно до",
    manager: "Ваш менеджер:",
    inn: "ИНН",
    kpp: "КПП",
};

const EN: Words = Words {
    title: "Commercial proposal No.",
    from: "of",
    to: "Buyer:",
    deal: "Deal:",
    columns: [
        "No.",
        "Item",
        "Qty",
        "Price excl. VAT",
        "Disc.",
        "VAT",
        "Total incl. VAT",
    ],
    net: "Total excl. VAT:",
    vat: "VAT:",
    gross: "Total incl. VAT:",
    valid: "This offer is valid until",
    manager: "Your account manager:",
    inn: "INN",
    kpp: "KPP",
};

fn day(d: time::Date, lang: &str) -> String {
    if lang == "en" {
        karta_core::contacts::date_text(d)
    } else {
        format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
    }
}

/// What the document shows.
struct Sheet<'a> {
    lang: &'a str,
    number: i64,
    today: time::Date,
    company: &'a CompanyProfile,
    buyer: Vec<String>,
    deal_title: &'a str,
    lines: &'a [deal_line::Model],
    manager: Option<String>,
}

/// Lays the proposal out on A4 pages.
fn render(s: &Sheet) -> Vec<u8> {
    let w = if s.lang == "en" { &EN } else { &RU };
    let currency = s
        .lines
        .first()
        .and_then(|l| Currency::parse(&l.currency).ok())
        .unwrap_or_else(Currency::rub);
    let money = |minor: i64| format_amount(minor, &currency, s.lang);
    let right = PAGE_WIDTH - MARGIN;
    let mut doc = Document::new();
    let company_name = s.company.name.clone().unwrap_or_default();
    doc.text(MARGIN, doc.y, 14.0, Weight::Bold, &company_name);
    let requisites = [
        s.company.inn.as_ref().map(|i| format!("{} {i}", w.inn)),
        s.company.kpp.as_ref().map(|k| format!("{} {k}", w.kpp)),
        s.company.address.clone(),
        s.company.phone.clone(),
        s.company.email.clone(),
        s.company.bank.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    for line in doc.wrap(&requisites, right - MARGIN, 8.0, Weight::Regular) {
        doc.advance(11.0);
        doc.text(MARGIN, doc.y, 8.0, Weight::Regular, &line);
    }
    doc.advance(8.0);
    doc.rule(MARGIN, right, doc.y, 0.8);
    doc.advance(28.0);
    let title = format!(
        "{} {} {} {}",
        w.title,
        s.number,
        w.from,
        day(s.today, s.lang)
    );
    doc.text(MARGIN, doc.y, 15.0, Weight::Bold, &title);
    doc.advance(22.0);
    doc.text(MARGIN, doc.y, 10.0, Weight::Bold, w.to);
    for line in &s.buyer {
        for wrapped in doc.wrap(line, right - MARGIN - 80.0, 10.0, Weight::Regular) {
            doc.text(MARGIN + 80.0, doc.y, 10.0, Weight::Regular, &wrapped);
            doc.advance(13.0);
        }
    }
    doc.text(MARGIN, doc.y, 10.0, Weight::Bold, w.deal);
    doc.text(MARGIN + 80.0, doc.y, 10.0, Weight::Regular, s.deal_title);
    doc.advance(24.0);

    // № | item | qty | price | discount | VAT | total: right edges.
    let edges = [MARGIN + 18.0, 0.0, 300.0, 375.0, 420.0, 470.0, right];
    let item_x = MARGIN + 24.0;
    let item_width = 300.0 - 40.0 - item_x;
    let head = |doc: &mut Document| {
        for (i, label) in w.columns.iter().enumerate() {
            if i == 1 {
                doc.text(item_x, doc.y, 8.5, Weight::Bold, label);
            } else {
                doc.text_right(edges[i], doc.y, 8.5, Weight::Bold, label);
            }
        }
        doc.advance(5.0);
        doc.rule(MARGIN, right, doc.y, 0.5);
        doc.advance(13.0);
    };
    head(&mut doc);
    for (n, l) in s.lines.iter().enumerate() {
        let name = format!("{} · {}", l.name, l.sku);
        let wrapped = doc.wrap(&name, item_width, 9.0, Weight::Regular);
        if doc.y - 12.0 * (wrapped.len() as f32) < MARGIN + 60.0 {
            doc.new_page();
            head(&mut doc);
        }
        let discount = if l.discount_bp == 0 {
            String::new()
        } else {
            format!("{} %", karta_core::price_lists::percent(l.discount_bp))
        };
        let cells = [
            (n + 1).to_string(),
            String::new(),
            l.quantity.to_string(),
            money(l.unit_price_minor),
            discount,
            format!("{} %", l.vat_rate),
            money(l.gross_minor),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i != 1 {
                doc.text_right(edges[i], doc.y, 9.0, Weight::Regular, cell);
            }
        }
        for (k, part) in wrapped.iter().enumerate() {
            if k > 0 {
                doc.advance(11.0);
            }
            doc.text(item_x, doc.y, 9.0, Weight::Regular, part);
        }
        doc.advance(6.0);
        doc.rule(MARGIN, right, doc.y, 0.2);
        doc.advance(12.0);
    }
    let sum = |f: fn(&deal_line::Model) -> i64| s.lines.iter().map(f).sum::<i64>();
    for (label, value, weight) in [
        (w.net, sum(|l| l.net_minor), Weight::Regular),
        (w.vat, sum(|l| l.vat_minor), Weight::Regular),
        (w.gross, sum(|l| l.gross_minor), Weight::Bold),
    ] {
        doc.advance(4.0);
        doc.text_right(right - 110.0, doc.y, 10.0, weight, label);
        doc.text_right(right, doc.y, 10.0, weight, &money(value));
        doc.advance(10.0);
    }
    doc.advance(20.0);
    let until = s.today + time::Duration::days(VALID_DAYS);
    doc.text(
        MARGIN,
        doc.y,
        10.0,
        Weight::Regular,
        &format!("{} {}.", w.valid, day(until, s.lang)),
    );
    if let Some(manager) = &s.manager {
        doc.advance(16.0);
        doc.text(
            MARGIN,
            doc.y,
            10.0,
            Weight::Regular,
            &format!("{} {manager}", w.manager),
        );
    }
    doc.finish()
}

/// Makes a proposal for a deal with lines, keeps it on the deal and logs
/// a "proposal" activity. `lang` is `ru` or `en`.
pub async fn create(
    app: &App,
    p: &Principal,
    deal_id: Uuid,
    lang: &str,
) -> Result<deal_document::Model, AppError> {
    p.require(Entity::Deals, Access::Write)?;
    let lang = if lang == "en" { "en" } else { "ru" };
    let (deal, _) = crate::deals::get(app, p, deal_id, false).await?;
    let mut lines = karta_db::deal_lines::of_deal(app.db.conn(), deal_id).await?;
    if lines.is_empty() {
        return Err(AppError::Conflict("deal_has_no_lines"));
    }
    if lang == "en" {
        // English names where the catalogue has them.
        let ids: Vec<Uuid> = lines.iter().map(|l| l.product_id).collect();
        for product in karta_db::products::by_ids(app.db.conn(), &ids).await? {
            if let Some(en) = product.name_en {
                for l in lines.iter_mut().filter(|l| l.product_id == product.id) {
                    l.name = en.clone();
                }
            }
        }
    }
    let account = karta_db::accounts::find(
        app.db.conn(),
        deal.account_id,
        karta_db::Visibility::All,
        false,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let w = if lang == "en" { &EN } else { &RU };
    let buyer = [
        Some(
            account
                .legal_name
                .clone()
                .unwrap_or_else(|| account.name.clone()),
        ),
        account.inn.as_ref().map(|i| {
            let kpp = account
                .kpp
                .as_ref()
                .map(|k| format!(", {} {k}", w.kpp))
                .unwrap_or_default();
            format!("{} {i}{kpp}", w.inn)
        }),
        account.legal_address.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let manager = match deal.owner_id {
        Some(o) => karta_db::users::names(app.db.conn(), &[o])
            .await?
            .remove(&o),
        None => None,
    };
    let company = company(app).await?;
    let tx = Tx::begin(app, p.actor()).await?;
    let number = *karta_db::counters::take(&*tx, "proposal_number", 1)
        .await?
        .end();
    let pdf = render(&Sheet {
        lang,
        number,
        today: app.today(p),
        company: &company,
        buyer,
        deal_title: &deal.title,
        lines: &lines,
        manager,
    });
    let doc = deal_document::Model {
        id: Uuid::now_v7(),
        deal_id,
        kind: "proposal".into(),
        number,
        lang: lang.into(),
        file_name: format!("proposal-{number}.pdf"),
        content: pdf,
        created_at: tx.now(),
        created_by: Some(p.user_id),
    };
    let active = deal_document::ActiveModel {
        id: Set(doc.id),
        deal_id: Set(doc.deal_id),
        kind: Set(doc.kind.clone()),
        number: Set(doc.number),
        lang: Set(doc.lang.clone()),
        file_name: Set(doc.file_name.clone()),
        content: Set(doc.content.clone()),
        created_at: Set(doc.created_at),
        created_by: Set(doc.created_by),
    };
    deal_document::Entity::insert(active)
        .exec_without_returning(&*tx)
        .await?;
    tx.commit().await?;
    let subject = format!("{} {number}", w.title);
    let activity = ActivityDraft {
        kind: Some(ActivityKind::PROPOSAL.into()),
        subject: Some(subject),
        deal_id: Some(deal_id),
        account_id: Some(deal.account_id),
        ..Default::default()
    };
    crate::activities::create(app, p, activity, None).await?;
    Ok(doc)
}

/// The latest proposal of a deal the principal may read, if any.
pub async fn latest(
    app: &App,
    p: &Principal,
    deal_id: Uuid,
) -> Result<Option<deal_document::Model>, AppError> {
    crate::deals::get(app, p, deal_id, false).await?;
    Ok(deal_document::Entity::find()
        .filter(deal_document::Column::DealId.eq(deal_id))
        .filter(deal_document::Column::Kind.eq("proposal"))
        .order_by_desc(deal_document::Column::CreatedAt)
        .order_by_desc(deal_document::Column::Number)
        .one(app.db.conn())
        .await?)
}
