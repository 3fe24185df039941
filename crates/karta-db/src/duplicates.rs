//! Duplicate clusters as queries, and the re-pointing a merge does. A
//! cluster is a key shared by two or more live, visible records: an INN, a
//! normalised e-mail or phone, or a reduced company name within one region.
//! Keys are read in key order from an index, a page at a time, so the page
//! stays fast however many records there are.

use crate::Visibility;
use crate::entities::{account, contact, contact_channel};
use crate::records::Record;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use uuid::Uuid;

/// What a cluster's records share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Accounts with the same INN.
    Inn,
    /// Accounts whose names reduce to the same words, in the same region.
    Name,
    /// Contacts with the same e-mail.
    Email,
    /// Contacts with the same phone.
    Phone,
}

impl Reason {
    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Inn => "inn",
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// Parses an API code.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Inn, Self::Name, Self::Email, Self::Phone]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Separates a reduced name from its region inside one cluster key.
pub const NAME_REGION_SEPARATOR: char = '\u{1f}';

/// A page's last key as an opaque cursor.
pub fn encode_cursor(key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

/// The key a cursor holds; `None` when it was tampered with.
pub fn decode_cursor(raw: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Up to `limit` cluster keys after `after`, in key order.
pub async fn keys<C: ConnectionTrait>(
    db: &C,
    reason: Reason,
    vis: Visibility,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    match reason {
        Reason::Inn => {
            let mut q = account::Entity::find()
                .select_only()
                .column(account::Column::Inn)
                .filter(account::Column::DeletedAt.is_null())
                .filter(account::Column::Inn.is_not_null())
                .filter(vis.condition(account::Entity::scope()));
            if let Some(after) = after {
                q = q.filter(account::Column::Inn.gt(after));
            }
            q.group_by(account::Column::Inn)
                .having(Expr::cust("COUNT(*) > 1"))
                .order_by_asc(account::Column::Inn)
                .limit(limit)
                .into_tuple::<String>()
                .all(db)
                .await
        }
        Reason::Name => {
            let region = Expr::cust("COALESCE(accounts.region, '')");
            let mut q = account::Entity::find()
                .select_only()
                .column(account::Column::MatchKey)
                .expr_as(region.clone(), "region_key")
                .filter(account::Column::DeletedAt.is_null())
                .filter(account::Column::MatchKey.ne(""))
                .filter(vis.condition(account::Entity::scope()));
            if let Some((name, region_after)) =
                after.and_then(|a| a.split_once(NAME_REGION_SEPARATOR))
            {
                q = q.filter(
                    account::Column::MatchKey
                        .gt(name)
                        .or(account::Column::MatchKey
                            .eq(name)
                            .and(region.clone().gt(region_after))),
                );
            }
            let rows = q
                .group_by(account::Column::MatchKey)
                .group_by(region.clone())
                .having(Expr::cust("COUNT(*) > 1"))
                .order_by_asc(account::Column::MatchKey)
                .order_by_asc(region)
                .limit(limit)
                .into_tuple::<(String, String)>()
                .all(db)
                .await?;
            Ok(rows
                .into_iter()
                .map(|(name, region)| format!("{name}{NAME_REGION_SEPARATOR}{region}"))
                .collect())
        }
        Reason::Email | Reason::Phone => {
            let mut q = Query::select();
            q.column((contact_channel::Entity, contact_channel::Column::Value))
                .from(contact_channel::Entity)
                .inner_join(
                    contact::Entity,
                    Expr::col((contact::Entity, contact::Column::Id))
                        .equals((contact_channel::Entity, contact_channel::Column::ContactId)),
                )
                .and_where(contact_channel::Column::Kind.eq(reason.code()))
                .and_where(contact::Column::DeletedAt.is_null())
                .cond_where(vis.condition(contact::Entity::scope()));
            if let Some(after) = after {
                q.and_where(contact_channel::Column::Value.gt(after));
            }
            q.group_by_col((contact_channel::Entity, contact_channel::Column::Value))
                .and_having(Expr::cust("COUNT(*) > 1"))
                .order_by(
                    (contact_channel::Entity, contact_channel::Column::Value),
                    sea_orm::Order::Asc,
                )
                .limit(limit);
            let rows = db.query_all(&q).await?;
            rows.iter()
                .map(|r| r.try_get::<String>("", "value"))
                .collect()
        }
    }
}

/// The live, visible accounts of some INN or name clusters (at most
/// `limit`), ordered by key then age.
pub async fn account_members<C: ConnectionTrait>(
    db: &C,
    reason: Reason,
    keys: &[String],
    vis: Visibility,
    limit: u64,
) -> Result<Vec<account::Model>, DbErr> {
    let mut any = sea_orm::Condition::any();
    for key in keys {
        any = match reason {
            Reason::Name => {
                let (name, region) = key.split_once(NAME_REGION_SEPARATOR).unwrap_or((key, ""));
                any.add(
                    account::Column::MatchKey
                        .eq(name.to_string())
                        .and(Expr::cust("COALESCE(accounts.region, '')").eq(region.to_string())),
                )
            }
            _ => any.add(account::Column::Inn.eq(key.to_string())),
        };
    }
    account::Entity::find()
        .filter(any)
        .filter(account::Column::DeletedAt.is_null())
        .filter(vis.condition(account::Entity::scope()))
        .order_by_asc(account::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// The live, visible contacts holding any of `values` as an e-mail or
/// phone (`reason`), at most `limit`, oldest first.
pub async fn contact_members<C: ConnectionTrait>(
    db: &C,
    reason: Reason,
    values: &[String],
    vis: Visibility,
    limit: u64,
) -> Result<Vec<contact::Model>, DbErr> {
    let mut ids = Query::select();
    ids.column(contact_channel::Column::ContactId)
        .from(contact_channel::Entity)
        .and_where(contact_channel::Column::Kind.eq(reason.code()))
        .and_where(contact_channel::Column::Value.is_in(values.iter().cloned()));
    contact::Entity::find()
        .filter(contact::Column::Id.in_subquery(ids))
        .filter(contact::Column::DeletedAt.is_null())
        .filter(vis.condition(contact::Entity::scope()))
        .order_by_asc(contact::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Which tables point at a merged record through which column. Link tables
/// whose key includes the column are handled apart: a row is moved only
/// where the survivor is not linked already.
const ACCOUNT_REFERENCES: &[(&str, &str)] = &[
    ("deals", "account_id"),
    ("activities", "account_id"),
    ("tasks", "account_id"),
    ("leads", "account_id"),
    ("accounts", "lost_to_id"),
    ("orders", "account_id"),
    ("invoices", "account_id"),
    ("payments", "account_id"),
    ("hold_releases", "account_id"),
    ("contracts", "account_id"),
];
const CONTACT_REFERENCES: &[(&str, &str)] = &[
    ("activities", "contact_id"),
    ("tasks", "contact_id"),
    ("leads", "contact_id"),
];
/// Link tables: (table, the merged side's column, the other side's column).
const ACCOUNT_LINKS: &[(&str, &str, &str)] = &[("contact_accounts", "account_id", "contact_id")];
/// A contact's companies are not here: the merged contact's `account_ids`
/// already unite them, and the merged-away contacts keep theirs in the trash.
const CONTACT_LINKS: &[(&str, &str, &str)] = &[("deal_contacts", "contact_id", "deal_id")];

/// Every `(table, column)` a merge of `entity` (`accounts` or `contacts`)
/// points at the survivor: references, link tables, and the text scope of
/// price lists for one account. A test holds the schema to it.
pub fn repointed(entity: &str) -> Vec<(&'static str, &'static str)> {
    let (references, links) = match entity {
        "accounts" => (ACCOUNT_REFERENCES, ACCOUNT_LINKS),
        _ => (CONTACT_REFERENCES, CONTACT_LINKS),
    };
    let mut all: Vec<_> = references.to_vec();
    all.extend(links.iter().map(|(table, mine, _)| (*table, *mine)));
    if entity == "accounts" {
        all.push(("price_lists", "scope_value"));
    }
    all
}

/// What a merge moved onto the survivor, by table.
pub type Moved = Vec<(&'static str, u64)>;

/// Points everything that referenced `from` at `into`: related records,
/// links (without doubling one the survivor has), and the change history.
pub async fn repoint<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    into: Uuid,
    from: &[Uuid],
) -> Result<Moved, DbErr> {
    let (references, links) = match entity {
        "accounts" => (ACCOUNT_REFERENCES, ACCOUNT_LINKS),
        _ => (CONTACT_REFERENCES, CONTACT_LINKS),
    };
    let backend = db.get_database_backend();
    let mut moved = Vec::new();
    for (table, column) in references.iter().chain([&("changes", "record_id")]) {
        let mut update = Query::update();
        update
            .table(Alias::new(*table))
            .value(Alias::new(*column), into)
            .and_where(Expr::col(Alias::new(*column)).is_in(from.iter().copied()));
        let done = db.execute(&update).await?.rows_affected();
        moved.push((*table, done));
    }
    for (table, mine, other) in links {
        // Copy each distinct link the survivor lacks, then drop the merged
        // records' own (ON CONFLICT differs between engines; this does not).
        let placeholders = |start: usize| {
            (0..from.len())
                .map(|i| match backend {
                    sea_orm::DbBackend::Postgres => format!("${}", start + i),
                    _ => "?".to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (first, second) = match backend {
            sea_orm::DbBackend::Postgres => ("$1".to_string(), "$2".to_string()),
            _ => ("?".to_string(), "?".to_string()),
        };
        let sql = format!(
            "INSERT INTO {table} ({mine}, {other}) \
             SELECT DISTINCT {first}, {other} FROM {table} \
             WHERE {mine} IN ({}) \
             AND {other} NOT IN (SELECT {other} FROM {table} WHERE {mine} = {second})",
            placeholders(3)
        );
        let sources = from.iter().map(|id| sea_orm::Value::from(*id));
        // Numbered on PostgreSQL; on SQLite in the order they appear.
        let values: Vec<sea_orm::Value> = match backend {
            sea_orm::DbBackend::Postgres => [into.into(), into.into()]
                .into_iter()
                .chain(sources)
                .collect(),
            _ => std::iter::once(into.into())
                .chain(sources)
                .chain([into.into()])
                .collect(),
        };
        let copied = db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
            .rows_affected();
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(*table))
            .and_where(Expr::col(Alias::new(*mine)).is_in(from.iter().copied()));
        db.execute(&delete).await?;
        moved.push((*table, copied));
    }
    if entity == "accounts" {
        // A price list for one account names it in text, beside the other scopes' values.
        let mut update = Query::update();
        update
            .table(Alias::new("price_lists"))
            .value(Alias::new("scope_value"), into.to_string())
            .and_where(Expr::col(Alias::new("scope")).eq("account"))
            .and_where(
                Expr::col(Alias::new("scope_value")).is_in(from.iter().map(Uuid::to_string)),
            );
        let done = db.execute(&update).await?.rows_affected();
        moved.push(("price_lists", done));
    }
    Ok(moved)
}
