//! Commercial proposals (коммерческие предложения): a PDF made from a deal
//! — the company's header, the customer's requisites, the lines with VAT
//! and totals, how long the offer holds — in Russian or English, kept on
//! the deal and logged as a "proposal" activity.

use crate::company::CompanyProfile;
use crate::pdf::{Document, MARGIN, Weight};
use crate::printed::{self, PrintLine};
use crate::uow::Tx;
use crate::{App, AppError, Principal};
use karta_core::activities::{ActivityDraft, ActivityKind};
use karta_core::money::Currency;
use karta_core::roles::{Access, Entity};
use karta_db::entities::{deal_document, deal_line};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Days an offer holds.
pub const VALID_DAYS: i64 = 30;

/// Words of the proposal in one language.
struct Words {
    title: &'static str,
    from: &'static str,
    to: &'static str,
    deal: &'static str,
    net: &'static str,
    vat: &'static str,
    gross: &'static str,
    valid: &'static str,
    manager: &'static str,
}

const RU: Words = Words {
    title: "Коммерческое предложение №",
    from: "от",
    to: "Покупатель:",
    deal: "По сделке:",
    net: "Итого без НДС:",
    vat: "НДС:",
    gross: "Всего с НДС:",
    valid: "Предложение действительно до",
    manager: "Ваш менеджер:",
};

const EN: Words = Words {
    title: "Commercial proposal No.",
    from: "of",
    to: "Buyer:",
    deal: "Deal:",
    net: "Total excl. VAT:",
    vat: "VAT:",
    gross: "Total incl. VAT:",
    valid: "This offer is valid until",
    manager: "Your account manager:",
};

/// What the document shows.
struct Sheet<'a> {
    lang: &'a str,
    number: i64,
    today: time::Date,
    company: &'a CompanyProfile,
    buyer: String,
    deal_title: &'a str,
    lines: &'a [deal_line::Model],
    manager: Option<String>,
}

/// Lays the proposal out on A4 pages: the company's header, the buyer,
/// the lines with units and VAT, the totals and the amount in words, how
/// long the offer holds, who to call and who signs.
fn render(s: &Sheet) -> Vec<u8> {
    let w = if s.lang == "en" { &EN } else { &RU };
    let currency = s
        .lines
        .first()
        .and_then(|l| Currency::parse(&l.currency).ok())
        .unwrap_or_else(Currency::rub);
    let mut doc = Document::new();
    printed::company_header(&mut doc, s.company, s.lang);
    doc.advance(28.0);
    let title = format!(
        "{} {} {} {}",
        w.title,
        s.number,
        w.from,
        printed::day(s.today, s.lang)
    );
    doc.title = title.clone();
    doc.text(MARGIN, doc.y, 15.0, Weight::Bold, &title);
    doc.advance(22.0);
    printed::labelled(&mut doc, w.to, &s.buyer, 80.0);
    printed::labelled(&mut doc, w.deal, s.deal_title, 80.0);
    doc.advance(14.0);
    let lines: Vec<PrintLine> = s
        .lines
        .iter()
        .map(|l| {
            PrintLine::of(
                &format!("{} · {}", l.name, l.sku),
                &l.unit,
                l.quantity,
                (l.unit_price_minor, l.discount_bp),
                (l.vat_rate, l.vat_minor),
                l.gross_minor,
            )
        })
        .collect();
    printed::lines_table(&mut doc, &lines, s.lang);
    doc.advance(4.0);
    let sum = |f: fn(&deal_line::Model) -> i64| s.lines.iter().map(f).sum::<i64>();
    let gross = sum(|l| l.gross_minor);
    printed::totals(
        &mut doc,
        &[
            (w.net, Some(sum(|l| l.net_minor)), false),
            (w.vat, Some(sum(|l| l.vat_minor)), false),
            (w.gross, Some(gross), true),
        ],
        s.lang,
    );
    doc.advance(8.0);
    printed::in_words(&mut doc, lines.len(), gross, &currency, s.lang);
    doc.advance(10.0);
    let until = s.today + time::Duration::days(VALID_DAYS);
    doc.text(
        MARGIN,
        doc.y,
        10.0,
        Weight::Regular,
        &format!("{} {}.", w.valid, printed::day(until, s.lang)),
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
    doc.advance(16.0);
    printed::signatures(&mut doc, s.company, s.lang, false);
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
    let buyer = printed::party(
        lang,
        account.legal_name.as_deref().unwrap_or(&account.name),
        account.inn.as_deref(),
        account.kpp.as_deref(),
        account.legal_address.as_deref(),
    );
    let manager = match deal.owner_id {
        Some(o) => karta_db::users::names(app.db.conn(), &[o])
            .await?
            .remove(&o),
        None => None,
    };
    let company = crate::company::profile(app).await?;
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
