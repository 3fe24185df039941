//! Full-text search and JSON filters: the engine-specific SQL, each piece
//! behind one function. Terms arrive already stemmed (`karta_core::search`),
//! so both engines match the same prefixes and give the same results.

use crate::Backend;
use karta_core::custom_fields::FieldType;
use karta_core::search::{CustomFilter, DocumentSearch};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, Statement};
use uuid::Uuid;

/// The record ids of `entity` whose index matches every term as a prefix,
/// all in the public text or (when allowed) all in the personal-data text.
pub fn matching_ids(
    backend: Backend,
    entity: &str,
    terms: &[String],
    private: bool,
) -> SelectStatement {
    let mut q = match matching_docs(backend, entity, terms, private) {
        Some(q) => q,
        None => Query::select()
            .from("search_docs")
            .and_where(Expr::val(1).eq(0))
            .to_owned(),
    };
    q.column(("search_docs", "record_id"));
    q
}

/// The condition of a document list's search box: the document with that
/// number, or the documents of the accounts whose search entry matches.
pub fn documents(
    backend: Backend,
    search: &DocumentSearch,
    number: impl ColumnTrait,
    account_id: impl ColumnTrait,
) -> SimpleExpr {
    match search {
        DocumentSearch::Number(n) => number.eq(*n),
        DocumentSearch::Client(terms) => {
            account_id.in_subquery(matching_ids(backend, "accounts", terms, false))
        }
    }
}

/// `FROM search_docs` (joined from the full-text index on SQLite, so the
/// index drives and a LIMIT stops reading it) `WHERE` the entry is one of
/// `entity` and matches every term; no columns yet. `None` when no term is
/// searchable.
pub fn matching_docs(
    backend: Backend,
    entity: &str,
    terms: &[String],
    private: bool,
) -> Option<SelectStatement> {
    let safe: Vec<&str> = terms
        .iter()
        .map(String::as_str)
        .filter(|t| !t.is_empty() && t.chars().all(char::is_alphanumeric))
        .collect();
    if safe.is_empty() {
        return None;
    }
    let mut q = Query::select();
    match backend {
        Backend::Sqlite => {
            let all = safe
                .iter()
                .map(|t| format!("\"{t}\"*"))
                .collect::<Vec<_>>()
                .join(" AND ");
            let columns = if private {
                "{body} : (ALL) OR {private_body} : (ALL)"
            } else {
                "{body} : (ALL)"
            };
            q.from("search_fts")
                .inner_join(
                    "search_docs",
                    Expr::col(("search_docs", "id")).equals(("search_fts", "rowid")),
                )
                // Entity names are fixed identifiers, never user input.
                .and_where(Expr::cust_with_values(
                    "search_fts MATCH ?",
                    [format!(
                        "{{entity}} : {entity} AND ({})",
                        columns.replace("ALL", &all)
                    )],
                ));
        }
        Backend::Postgres => {
            // The query is written into the SQL, not bound: with a bound
            // tsquery PostgreSQL soon switches to a generic plan that walks
            // every entry (170 ms when nothing matches). Terms are only
            // letters and digits (filtered above), so they need no quoting
            // and nothing can escape the literal.
            let tsquery = safe
                .iter()
                .map(|t| format!("{t}:*"))
                .collect::<Vec<_>>()
                .join(" & ");
            let matches = |column: &str| {
                format!("\"search_docs\".{column} @@ to_tsquery('simple', '{tsquery}')")
            };
            q.from("search_docs");
            q.and_where(Expr::cust(if private {
                format!("({} OR {})", matches("body_tsv"), matches("private_tsv"))
            } else {
                matches("body_tsv")
            }));
        }
    }
    q.and_where(Expr::col(("search_docs", "entity")).eq(entity));
    Some(q)
}

/// Stores or replaces the index entry of one record from its public text
/// and its personal-data text (turned into index terms here).
pub async fn index<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    record_id: Uuid,
    public: &str,
    private: &str,
) -> Result<(), DbErr> {
    let body = karta_core::search::index_terms(public);
    let private_body = karta_core::search::index_terms(private);
    let backend = db.get_database_backend();
    remove(db, record_id).await?;
    let insert = Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO search_docs (entity, record_id, body, private_body) VALUES ($1, $2, $3, $4)"
            }
            _ => {
                "INSERT INTO search_docs (entity, record_id, body, private_body) VALUES (?, ?, ?, ?)"
            }
        },
        [
            entity.into(),
            record_id.into(),
            body.into(),
            private_body.into(),
        ],
    );
    db.execute_raw(insert).await?;
    if backend == sea_orm::DbBackend::Sqlite {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO search_fts (rowid, entity, body, private_body) \
             SELECT id, entity, body, private_body FROM search_docs WHERE record_id = ?",
            [record_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Indexes records that have no entry yet (a bulk import's new records):
/// `(record_id, public text, private text)` each, as `index` would.
pub async fn index_new<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    records: &[(Uuid, String, String)],
) -> Result<(), DbErr> {
    for chunk in records.chunks(1000) {
        let docs: Vec<_> = chunk
            .iter()
            .map(|(id, public, private)| {
                (
                    entity,
                    *id,
                    karta_core::search::index_terms(public),
                    karta_core::search::index_terms(private),
                )
            })
            .collect();
        index_many(db, &docs).await?;
    }
    Ok(())
}

/// Stores many index entries at once (bulk loads). On SQLite the full-text
/// rows are copied from `search_docs` in one statement.
pub async fn index_many<C: ConnectionTrait>(
    db: &C,
    docs: &[(&str, Uuid, String, String)],
) -> Result<(), DbErr> {
    if docs.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let mut insert = Query::insert();
    insert
        .into_table("search_docs")
        .columns(["entity", "record_id", "body", "private_body"]);
    for (entity, id, body, private) in docs {
        insert
            .values([
                (*entity).into(),
                (*id).into(),
                body.clone().into(),
                private.clone().into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    db.execute(&insert).await?;
    if backend == sea_orm::DbBackend::Sqlite {
        let first = docs[0].1;
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO search_fts (rowid, entity, body, private_body) \
             SELECT id, entity, body, private_body FROM search_docs \
             WHERE id >= (SELECT id FROM search_docs WHERE record_id = ?)",
            [first.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Removes a record from the index.
pub async fn remove<C: ConnectionTrait>(db: &C, record_id: Uuid) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let (fts, docs) = match backend {
        sea_orm::DbBackend::Postgres => ("", "DELETE FROM search_docs WHERE record_id = $1"),
        _ => (
            "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE record_id = ?)",
            "DELETE FROM search_docs WHERE record_id = ?",
        ),
    };
    if !fts.is_empty() {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            fts,
            [record_id.into()],
        ))
        .await?;
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        docs,
        [record_id.into()],
    ))
    .await?;
    Ok(())
}

/// `table.column` (a JSON array of strings) contains `value`.
pub fn json_array_contains(backend: Backend, table: &str, column: &str, value: &str) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust_with_values(
            format!(
                "EXISTS (SELECT 1 FROM json_each(\"{table}\".\"{column}\") WHERE json_each.value = ?)"
            ),
            [value.to_string()],
        ),
        Backend::Postgres => Expr::cust_with_values(
            format!("\"{table}\".\"{column}\" @> jsonb_build_array($1::text)"),
            [value.to_string()],
        ),
    }
}

/// A condition on one custom-field value inside `table.custom`.
pub fn custom_condition(backend: Backend, table: &str, filter: &CustomFilter) -> SimpleExpr {
    let key = &filter.key;
    if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Expr::val(1).eq(0);
    }
    let value = filter.value.clone();
    match (backend, filter.field_type) {
        (Backend::Sqlite, FieldType::ManyOf) => Expr::cust_with_values(
            format!(
                "EXISTS (SELECT 1 FROM json_each(\"{table}\".\"custom\", '$.{key}') WHERE json_each.value = ?)"
            ),
            [value],
        ),
        (Backend::Postgres, FieldType::ManyOf) => Expr::cust_with_values(
            format!("(\"{table}\".\"custom\" -> '{key}') @> jsonb_build_array($1::text)"),
            [value],
        ),
        (Backend::Sqlite, FieldType::Boolean) => Expr::cust(format!(
            "json_extract(\"{table}\".\"custom\", '$.{key}') = {}",
            if value == "true" { 1 } else { 0 }
        )),
        (Backend::Sqlite, FieldType::Number) => Expr::cust_with_values(
            format!("json_extract(\"{table}\".\"custom\", '$.{key}') = ?"),
            [value.parse::<f64>().unwrap_or(f64::NAN)],
        ),
        (Backend::Postgres, FieldType::Number) => Expr::cust_with_values(
            format!("(\"{table}\".\"custom\" ->> '{key}')::float8 = $1"),
            [value.parse::<f64>().unwrap_or(f64::NAN)],
        ),
        (Backend::Sqlite, FieldType::Money) => Expr::cust_with_values(
            format!("json_extract(\"{table}\".\"custom\", '$.{key}.minor') = ?"),
            [value.parse::<i64>().unwrap_or(i64::MIN)],
        ),
        (Backend::Postgres, FieldType::Money) => Expr::cust_with_values(
            format!("(\"{table}\".\"custom\" -> '{key}' ->> 'minor')::bigint = $1"),
            [value.parse::<i64>().unwrap_or(i64::MIN)],
        ),
        (Backend::Sqlite, _) => Expr::cust_with_values(
            format!("json_extract(\"{table}\".\"custom\", '$.{key}') = ?"),
            [value],
        ),
        (Backend::Postgres, _) => {
            Expr::cust_with_values(format!("\"{table}\".\"custom\" ->> '{key}' = $1"), [value])
        }
    }
}
