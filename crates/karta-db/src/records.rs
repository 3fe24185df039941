//! What every business record shares (id, owner and team, version, soft
//! delete), so finding, versioned saves, the trash and purging are written
//! once for accounts, contacts and whatever comes next.

use crate::entities::{
    account, activity, contact, contract, deal, invoice, lead, order, payment, price_list, product,
    task,
};
use crate::visibility::{AccountLink, Scope, Visibility};
use crate::{Backend, search};
use karta_core::identifiers::CustomerCode;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, StatementBuilder,
};
use uuid::Uuid;

/// A table of business records with the shared audit columns.
pub trait Record: EntityTrait {
    /// Its active model.
    type Active: ActiveModelTrait<Entity = Self> + Default + Send;
    /// Entity name used in history and search (`accounts`).
    const NAME: &'static str;
    fn id_col() -> Self::Column;
    /// The columns visibility is decided by.
    fn scope() -> Scope<Self::Column>;
    /// Whether a loaded record is within `vis` (a contact is never within
    /// an account-bound visibility here: its links are not loaded).
    fn visible(vis: &Visibility, m: &Self::Model) -> bool;
    fn version_col() -> Self::Column;
    fn deleted_col() -> Self::Column;
    fn id_of(m: &Self::Model) -> Uuid;
    fn version_of(m: &Self::Model) -> i64;
    /// When it went to the trash; `None` while live.
    fn deleted_at_of(m: &Self::Model) -> Option<i64>;
    /// How a person recognises the record in a list of mixed kinds (the
    /// trash): its code or number and its name.
    fn label_of(m: &Self::Model) -> String;
    /// A new record `id` created by `by` at `now`: audit columns set,
    /// live, version 1; the caller sets the fields.
    fn created(id: Uuid, now: i64, by: Option<Uuid>) -> Self::Active;
    /// Sets the version to write.
    fn set_version(a: &mut Self::Active, version: i64);
    /// Stamps an update by `by` at `now`; `deleted` moves the record into
    /// (`Some(true)`) or out of (`Some(false)`) the trash.
    fn stamp(a: &mut Self::Active, now: i64, by: Option<Uuid>, deleted: Option<bool>);
}

macro_rules! record {
    ($module:ident, $name:literal, $link:expr, |$a:ident| $account:expr, |$m:ident| $label:expr) => {
        impl Record for $module::Entity {
            type Active = $module::ActiveModel;
            const NAME: &'static str = $name;
            fn id_col() -> Self::Column {
                $module::Column::Id
            }
            fn scope() -> Scope<Self::Column> {
                Scope {
                    owner: $module::Column::OwnerId,
                    team: $module::Column::TeamId,
                    account: $link,
                }
            }
            fn visible(vis: &Visibility, $a: &Self::Model) -> bool {
                vis.allows($a.owner_id, $a.team_id, $account)
            }
            fn version_col() -> Self::Column {
                $module::Column::Version
            }
            fn deleted_col() -> Self::Column {
                $module::Column::DeletedAt
            }
            fn id_of(m: &Self::Model) -> Uuid {
                m.id
            }
            fn version_of(m: &Self::Model) -> i64 {
                m.version
            }
            fn deleted_at_of(m: &Self::Model) -> Option<i64> {
                m.deleted_at
            }
            fn label_of($m: &Self::Model) -> String {
                $label
            }
            fn created(id: Uuid, now: i64, by: Option<Uuid>) -> Self::Active {
                $module::ActiveModel {
                    id: Set(id),
                    created_at: Set(now),
                    created_by: Set(by),
                    updated_at: Set(now),
                    updated_by: Set(by),
                    deleted_at: Set(None),
                    deleted_by: Set(None),
                    version: Set(1),
                    ..Default::default()
                }
            }
            fn set_version(a: &mut Self::Active, version: i64) {
                a.version = Set(version);
            }
            fn stamp(a: &mut Self::Active, now: i64, by: Option<Uuid>, deleted: Option<bool>) {
                a.updated_at = Set(now);
                a.updated_by = Set(by);
                if let Some(d) = deleted {
                    a.deleted_at = Set(d.then_some(now));
                    a.deleted_by = Set(if d { by } else { None });
                }
            }
        }
    };
}

/// Implements `Record` for each table and lists their names in [`ALL`],
/// so the list cannot miss one (`karta_app::registry` is checked against it).
macro_rules! records {
    ($(($module:ident, $name:literal, $link:expr, |$a:ident| $account:expr, |$m:ident| $label:expr)),* $(,)?) => {
        $(record!($module, $name, $link, |$a| $account, |$m| $label);)*
        /// Every record table, by `Record::NAME`.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

// (table, name, how it belongs to an account, that account on a loaded
// row, how a person recognises a row).
records! {
    (account, "accounts", AccountLink::Itself(account::Column::Id), |m| Some(m.id),
        |m| format!("{} {}", CustomerCode(m.code), m.name)),
    (contact, "contacts", AccountLink::Contact(contact::Column::Id), |_m| None,
        |m| crate::contacts::fields_of(m, Vec::new()).display_name()),
    (deal, "deals", AccountLink::Column(deal::Column::AccountId), |m| Some(m.account_id),
        |m| m.title.clone()),
    (activity, "activities", AccountLink::Column(activity::Column::AccountId), |m| m.account_id,
        |m| m.subject.clone().unwrap_or_else(|| m.kind.clone())),
    (task, "tasks", AccountLink::Column(task::Column::AccountId), |m| m.account_id,
        |m| m.title.clone()),
    (lead, "leads", AccountLink::Column(lead::Column::AccountId), |m| m.account_id,
        |m| [m.company_name.as_deref(), m.person_name.as_deref()]
            .into_iter().flatten().collect::<Vec<_>>().join(" · ")),
    (product, "products", AccountLink::Unlinked, |_m| None,
        |m| format!("{} {}", m.sku, m.name)),
    (price_list, "price_lists", AccountLink::Unlinked, |_m| None,
        |m| m.name.clone()),
    (order, "orders", AccountLink::Column(order::Column::AccountId), |m| Some(m.account_id),
        |m| format!("№ {}", m.number)),
    (invoice, "invoices", AccountLink::Column(invoice::Column::AccountId), |m| Some(m.account_id),
        |m| format!("№ {}", m.number)),
    (payment, "payments", AccountLink::Column(payment::Column::AccountId), |m| Some(m.account_id),
        |m| m.reference.clone().unwrap_or_default()),
    (contract, "contracts", AccountLink::Column(contract::Column::AccountId), |m| Some(m.account_id),
        |m| format!("№ {}", m.number)),
}

/// One record by id if visible; `deleted` selects the trash.
pub async fn find<E: Record, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    vis: Visibility,
    deleted: bool,
) -> Result<Option<E::Model>, DbErr> {
    let in_trash = if deleted {
        E::deleted_col().is_not_null()
    } else {
        E::deleted_col().is_null()
    };
    E::find()
        .filter(E::id_col().eq(id))
        .filter(vis.condition(E::scope()))
        .filter(in_trash)
        .one(db)
        .await
}

/// Writes `model` only if the row is still at `version`; `None` when a
/// concurrent write got there first (nothing is overwritten).
pub async fn save_versioned<E: Record, C: ConnectionTrait>(
    db: &C,
    mut model: E::Active,
    id: Uuid,
    version: i64,
) -> Result<Option<E::Model>, DbErr> {
    E::set_version(&mut model, version + 1);
    let result = E::update_many()
        .set(model)
        .filter(E::id_col().eq(id))
        .filter(E::version_col().eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    E::find().filter(E::id_col().eq(id)).one(db).await
}

/// The live records of `ids` within `vis` (a contact's account links
/// included).
pub async fn visible<E: Record, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    vis: Visibility,
) -> Result<Vec<E::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let live = E::find()
        .filter(E::id_col().is_in(ids.iter().copied()))
        .filter(E::deleted_col().is_null());
    match vis {
        // Links are only known to SQL.
        Visibility::Account { .. } => live.filter(vis.condition(E::scope())).all(db).await,
        // By primary key, then filtered here: with the team-or-owner `OR`
        // in the query, SQLite walked those indexes instead of the ids
        // (+20 % on a rep's board, docs/benchmarks.md).
        _ => Ok(live
            .all(db)
            .await?
            .into_iter()
            .filter(|m| E::visible(&vis, m))
            .collect()),
    }
}

/// The newest of the trash the caller may act on (`vis`), newest first
/// (the trash index serves the order).
pub async fn trash<E: Record, C: ConnectionTrait>(
    db: &C,
    vis: Visibility,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr> {
    E::find()
        .filter(E::deleted_col().is_not_null())
        .filter(vis.condition(E::scope()))
        .order_by_desc(E::deleted_col())
        .order_by_desc(E::id_col())
        .limit(limit)
        .all(db)
        .await
}

/// Ids of records in the trash since before `cutoff`.
pub async fn deleted_before<E: Record, C: ConnectionTrait>(
    db: &C,
    cutoff: i64,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(E::find()
        .filter(E::deleted_col().lt(cutoff))
        .all(db)
        .await?
        .iter()
        .map(E::id_of)
        .collect())
}

/// Deletes a row for good (links cascade).
pub async fn delete_row<E: Record, C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    E::delete_many()
        .filter(E::id_col().eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Up to `limit` visible live records whose search entry matches every
/// term, in index order: search-as-you-type stops at the limit instead of
/// sorting every match (callers order the few results themselves). The
/// index entries drive a join to the records, so both engines can stop
/// reading matches once `limit` visible ones are found. The join is a CROSS
/// JOIN because SQLite never reorders one: left to plan freely, it walked a
/// rep's 5,000 team deals and ran the full-text match for each (2 s for a
/// prefix no deal has, against 100,000 deals).
pub async fn search<E: Record, C: ConnectionTrait>(
    db: &C,
    backend: Backend,
    terms: &[String],
    private: bool,
    vis: Visibility,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr> {
    let Some(mut query) = search::matching_docs(backend, E::NAME, terms, private) else {
        return Ok(Vec::new());
    };
    query
        .column((E::default(), Asterisk))
        .cross_join(E::default())
        .and_where(Expr::col(E::id_col().as_column_ref()).equals(("search_docs", "record_id")))
        .and_where(E::deleted_col().is_null())
        .cond_where(vis.condition(E::scope()))
        .limit(limit);
    E::find()
        .from_raw_sql(StatementBuilder::build(&query, &db.get_database_backend()))
        .all(db)
        .await
}
