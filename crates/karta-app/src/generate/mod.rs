//! A deterministic generator of large datasets (benchmarks): accounts with
//! valid INNs and contacts with Russian and English names, written in bulk
//! batches with their links, search entries and a "create" history row;
//! deals across a pipeline's stages (`deals`); activities on every account
//! (`activities`); trade with invoices and payments (`orders`).
//!
//! The one writer that goes around the unit of work, as a backup restore
//! does: it loads a million synthetic rows straight into the tables and
//! their index, with no events to publish (nothing happened to anyone).

mod activities;
mod deals;
mod orders;

use crate::demo::Rng;
pub use activities::generate_activities;
pub use deals::generate_deals;
pub use orders::generate_orders;

use crate::{App, AppError};
use karta_core::accounts::{AccountDraft, AccountFields};
use karta_core::contacts::{ContactDraft, ContactFields};
use karta_core::identifiers::Inn;
use karta_db::entities::{account, contact, contact_account, contact_channel};
use karta_db::records::Record;
use karta_db::{accounts as account_store, contacts as contact_store, history, search};
use sea_orm::ActiveValue::Set;

use uuid::Uuid;

const RU: &[&str] = &[
    "Ромашка",
    "Вектор",
    "Альфа",
    "Сибирь",
    "Прогресс",
    "Север",
    "Орион",
    "Гранит",
    "Меридиан",
    "Техноком",
    "Волга",
    "Уралмет",
    "Энергия",
    "Кристалл",
    "Континент",
    "Балтика",
];
const EN: &[&str] = &[
    "Northwind",
    "Harbor",
    "Acme",
    "Silverline",
    "Greenfield",
    "Summit",
    "Brightway",
    "Oakridge",
];
/// First names the generators use, Russian and English.
pub const FIRST: &[&str] = &[
    "Алексей",
    "Сергей",
    "Ольга",
    "Татьяна",
    "Михаил",
    "Наталья",
    "James",
    "Emily",
    "Oliver",
    "Sophie",
];
/// Surnames the generators use, Russian and English.
pub const LAST: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Smith",
    "Brown",
    "Taylor",
    "Wilson",
];
const REGIONS: &[&str] = &["moscow", "spb", "kazan", "ekb", "nsk"];

/// A six-stage sales pipeline named `name` (qualification, needs,
/// proposal, negotiation, won, lost), for generated data.
pub fn sales_pipeline(name: &str) -> karta_core::pipelines::PipelineDraft {
    use karta_core::pipelines::{PipelineDraft, StageDraft, StageKind};
    let stage = StageDraft::named;
    PipelineDraft {
        name: name.into(),
        stages: vec![
            stage("Квалификация", "Qualification", StageKind::Open, Some(10)),
            stage("Потребность", "Needs", StageKind::Open, Some(25)),
            stage("КП", "Proposal", StageKind::Open, Some(50)),
            stage("Переговоры", "Negotiation", StageKind::Open, Some(75)),
            stage("Выиграна", "Won", StageKind::Won, None),
            stage("Проиграна", "Lost", StageKind::Lost, None),
        ],
        ..Default::default()
    }
}

/// The next `limit` live accounts after `after` by id, with owner and
/// team: how the generators walk every account in bounded steps.
pub(crate) async fn accounts_after(
    app: &App,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<(Uuid, Option<Uuid>, Option<Uuid>)>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut q = account::Entity::find()
        .select_only()
        .columns([
            account::Column::Id,
            account::Column::OwnerId,
            account::Column::TeamId,
        ])
        .filter(account::Column::DeletedAt.is_null())
        .order_by_asc(account::Column::Id)
        .limit(limit);
    if let Some(id) = after {
        q = q.filter(account::Column::Id.gt(id));
    }
    Ok(q.into_tuple().all(app.db.conn()).await?)
}

pub(crate) fn db_err(e: impl std::fmt::Display) -> AppError {
    AppError::Db(karta_db::DbErr::Custom(e.to_string()))
}

/// Adds `accounts` accounts with `contacts_per_account` contacts each, owned
/// round-robin by `owners` (user id, team id). Returns the time taken.
pub async fn generate(
    app: &App,
    accounts: usize,
    contacts_per_account: usize,
    owners: &[(Uuid, Option<Uuid>)],
    seed: u64,
) -> Result<std::time::Duration, AppError> {
    let started = std::time::Instant::now();
    let mut rng = Rng(seed);
    let batch = 500;
    let mut done = 0;
    while done < accounts {
        let n = batch.min(accounts - done);
        let txn = app.db.begin_write().await?;
        let first_code = *account_store::next_codes(&txn, n).await?.start();
        let now = app.now();
        let (mut acc_rows, mut con_rows, mut links, mut channels, mut docs) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut created_accounts, mut created_contacts) = (vec![], vec![]);
        for i in 0..n {
            let seq = done + i;
            let (owner, team) = owners[seq % owners.len()];
            let name = if seq % 5 == 4 {
                format!(
                    "{} {} {}",
                    EN[rng.below(EN.len())],
                    ["Ltd", "LLC", "Group"][seq % 3],
                    seq
                )
            } else {
                format!("ООО «{}-{}»", RU[rng.below(RU.len())], seq)
            };
            let draft = AccountDraft {
                name,
                types: vec![if seq % 4 == 0 { "prospect" } else { "customer" }.into()],
                inn: Inn::complete(&format!("{:09}", 100_000_000 + seq * 7 % 899_999_999))
                    .map(|i| i.to_string()),
                region: Some(REGIONS[rng.below(REGIONS.len())].into()),
                owner_id: Some(owner),
                team_id: team,
                ..Default::default()
            };
            let fields: AccountFields = draft.validate().map_err(AppError::Invalid)?;
            let id = Uuid::now_v7();
            let mut a = account::ActiveModel {
                code: Set(first_code + i as i64),
                ..<account::Entity as Record>::created(id, now, None)
            };
            account_store::set_fields(&mut a, &fields);
            let (public, private) = account_store::search_text(first_code + i as i64, &fields);
            docs.push((
                "accounts",
                id,
                karta_core::search::index_terms(&public),
                karta_core::search::index_terms(&private),
            ));
            created_accounts.push((id, Vec::new()));
            acc_rows.push(a);
            for c in 0..contacts_per_account {
                let draft = ContactDraft {
                    first_name: Some(FIRST[rng.below(FIRST.len())].into()),
                    last_name: Some(LAST[rng.below(LAST.len())].into()),
                    emails: vec![format!("c{seq}.{c}@example.ru")],
                    phones: vec![format!("+7 9{:09}", (seq * 10 + c) % 1_000_000_000)],
                    account_ids: vec![id],
                    owner_id: Some(owner),
                    team_id: team,
                    ..Default::default()
                };
                let cf: ContactFields = draft.validate().map_err(AppError::Invalid)?;
                let cid = Uuid::now_v7();
                let mut m = <contact::Entity as Record>::created(cid, now, None);
                contact_store::set_fields(&mut m, &cf);
                con_rows.push(m);
                links.push(contact_account::ActiveModel {
                    contact_id: Set(cid),
                    account_id: Set(id),
                });
                for e in &cf.emails {
                    channels.push(contact_channel::ActiveModel {
                        contact_id: Set(cid),
                        kind: Set("email".into()),
                        value: Set(e.to_string()),
                    });
                }
                for p in &cf.phones {
                    channels.push(contact_channel::ActiveModel {
                        contact_id: Set(cid),
                        kind: Set("phone".into()),
                        value: Set(p.to_string()),
                    });
                }
                let (public, private) = contact_store::search_text(&cf);
                docs.push((
                    "contacts",
                    cid,
                    karta_core::search::index_terms(&public),
                    karta_core::search::index_terms(&private),
                ));
                created_contacts.push((cid, Vec::new()));
            }
        }
        karta_db::bulk::insert_all::<account::Entity, _>(&txn, acc_rows).await?;
        karta_db::bulk::insert_all::<contact::Entity, _>(&txn, con_rows).await?;
        karta_db::bulk::insert_all::<contact_account::Entity, _>(&txn, links).await?;
        karta_db::bulk::insert_all::<contact_channel::Entity, _>(&txn, channels).await?;
        // Made by no one through the import channel: one row per record.
        let actor = history::Actor {
            user_id: None,
            channel: "import",
        };
        history::record_many(&txn, now, actor, "accounts", "create", &created_accounts).await?;
        history::record_many(&txn, now, actor, "contacts", "create", &created_contacts).await?;
        for chunk in docs.chunks(1000) {
            search::index_many(&txn, chunk).await?;
        }
        txn.commit().await?;
        done += n;
    }
    // Fresh bulk data has no planner statistics until the engine gathers
    // them; gather them now so plans match a database in steady use.
    app.db.analyze().await?;
    Ok(started.elapsed())
}
