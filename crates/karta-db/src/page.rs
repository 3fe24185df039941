//! Keyset pagination: an opaque cursor holds the last row's sort key and id;
//! the next page starts strictly after it, so any depth costs one index seek.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, IntoCondition, Query, UnionType};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest page a client may ask for.
pub const MAX_LIMIT: u64 = 200;

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// Sort key of the last row (text or number).
    pub k: serde_json::Value,
    /// Id of the last row (tie-breaker).
    pub id: Uuid,
}

impl Cursor {
    /// Opaque text form for `next_cursor`.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor a client sent back; `None` when it was tampered with.
    pub fn decode(raw: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Orders `select` by `key` then `id` and starts after `cursor`; fetches one
/// extra row to learn whether another page exists.
pub fn keyset<E: EntityTrait, C: ColumnTrait>(
    select: Select<E>,
    key: C,
    id: C,
    descending: bool,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Select<E> {
    let order = if descending { Order::Desc } else { Order::Asc };
    let mut select = select
        .order_by(key, order.clone())
        .order_by(id, order)
        .limit(limit + 1);
    if let Some(c) = cursor {
        let value = match &c.k {
            serde_json::Value::Number(n) => sea_orm::Value::BigInt(n.as_i64()),
            serde_json::Value::String(s) => sea_orm::Value::String(Some(s.clone())),
            _ => sea_orm::Value::String(None),
        };
        // A row-value comparison `(key, id) > (k, id)`: both engines turn it
        // into one index range scan.
        let row = Expr::tuple([Expr::col(key), Expr::col(id)]);
        let after = Expr::tuple([Expr::val(value), Expr::val(c.id)]);
        let condition = if descending {
            row.lt(after)
        } else {
            row.gt(after)
        };
        select = select.filter(condition.into_condition());
    }
    select
}

/// `keyset` over the union of `branches` (see `Visibility::branches`):
/// each branch reads at most one page in key order from its own index, and
/// the page is cut from those few rows. With one branch it is plain
/// `keyset`; with none, an empty page.
pub fn keyset_over<E: EntityTrait, C: ColumnTrait>(
    select: Select<E>,
    branches: Vec<Condition>,
    key: C,
    id: C,
    descending: bool,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Select<E> {
    if branches.len() < 2 {
        let only = branches
            .into_iter()
            .next()
            .unwrap_or_else(|| Condition::all().add(Expr::val(1).eq(0)));
        return keyset(select.filter(only), key, id, descending, cursor, limit);
    }
    let mut union: Option<sea_orm::sea_query::SelectStatement> = None;
    for (i, branch) in branches.into_iter().enumerate() {
        let ids = keyset(
            select.clone().filter(branch),
            key,
            id,
            descending,
            cursor,
            limit,
        )
        .select_only()
        .column(id)
        .into_query();
        // Each branch is wrapped so its ORDER BY and LIMIT stay its own.
        let part = Query::select()
            .column(Asterisk)
            .from_subquery(ids, Alias::new(format!("branch{i}")))
            .to_owned();
        match union.as_mut() {
            None => union = Some(part),
            Some(u) => {
                u.union(UnionType::All, part);
            }
        }
    }
    let select = match union {
        Some(u) => select.filter(id.in_subquery(u)),
        None => select,
    };
    keyset(select, key, id, descending, cursor, limit)
}

/// How a list's sort order (a core type the API and pages parse) becomes
/// SQL: the column it orders by, and the cursor a row of the page leaves.
pub trait SortKey: Copy {
    /// The column, with its direction where the order has one.
    type Key;
    /// The rows the order sorts.
    type Row;
    fn column(self) -> Self::Key;
    fn cursor_of(self, row: &Self::Row) -> Cursor;
}

/// Cuts the extra row and builds the next cursor from the last kept row.
pub fn finish<T>(mut rows: Vec<T>, limit: u64, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| cursor_of(r).encode())
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}
