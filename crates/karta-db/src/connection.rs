//! Opening the database: engine detection from the URL, SQLite durability
//! settings, helpful errors, and short write transactions.

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::path::Path;
use std::time::Duration;

/// The two supported engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors the storage layer reports to its callers.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names an engine Karta does not support.
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the database at {url}: {source}")]
    Connect { url: String, source: DbErr },
    /// Any other database error.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A pooled connection to one Karta database.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
    backend: Backend,
}

/// Hides the password part of a URL before it is logged or shown.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// How busy the connection pool is (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl Db {
    /// The SQLite URL of `karta.db` inside `data_dir`, creating the directory.
    pub fn sqlite_url_in(data_dir: &Path) -> std::io::Result<String> {
        std::fs::create_dir_all(data_dir)?;
        Ok(format!("sqlite://{}", data_dir.join("karta.db").display()))
    }

    /// Connects to `url`, detecting the engine from its scheme.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(redact_url(url)));
        };
        let mut options = ConnectOptions::new(url.to_string());
        options
            .sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            let sqlite = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-32000");
            options
                .max_connections(8)
                .map_sqlx_sqlite_opts(move |_| sqlite.clone());
        } else {
            options.max_connections(16);
        }
        let conn = Database::connect(options)
            .await
            .map_err(|source| DbError::Connect {
                url: redact_url(url),
                source,
            })?;
        Ok(Self { conn, backend })
    }

    /// The connections of the pool now: open, idle, and the most it opens.
    pub fn pool_stats(&self) -> PoolStats {
        // The backend was read from the URL this pool was made from, so the
        // engine-specific accessors below match it.
        match self.backend {
            Backend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                PoolStats {
                    open: pool.size(),
                    idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                    max: pool.options().get_max_connections(),
                }
            }
            Backend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                PoolStats {
                    open: pool.size(),
                    idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                    max: pool.options().get_max_connections(),
                }
            }
        }
    }

    /// The engine behind this connection.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SeaORM connection, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never deadlocks on upgrade.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend == Backend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.conn.begin_with_options(options).await
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.execute_unprepared("SELECT 1").await.map(|_| ())
    }

    /// Refreshes the planner's statistics (after bulk loads; `ANALYZE` is
    /// the same statement on both engines).
    pub async fn analyze(&self) -> Result<(), DbErr> {
        self.conn.execute_unprepared("ANALYZE").await.map(|_| ())
    }

    /// Refreshes the statistics of some tables while they grow (a long
    /// import): plans made when a table was nearly empty (a full scan of a
    /// "small" table) would otherwise stay in use as it reaches millions of
    /// rows. SQLite samples a bounded number of rows per index, so this
    /// stays cheap at any size.
    pub async fn analyze_tables(&self, tables: &[&str]) -> Result<(), DbErr> {
        let sql = match self.backend {
            Backend::Postgres => format!("ANALYZE {}", tables.join(", ")),
            Backend::Sqlite => {
                let each: Vec<String> = tables.iter().map(|t| format!("ANALYZE {t};")).collect();
                format!("PRAGMA analysis_limit = 1000; {}", each.join(" "))
            }
        };
        self.conn.execute_unprepared(&sql).await.map(|_| ())
    }

    /// Closes the pool (SQLite checkpoints its WAL on close).
    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_leave_the_url_helper() {
        assert_eq!(
            redact_url("postgres://karta:s3cret@db/karta"),
            "postgres://karta:***@db/karta"
        );
        assert_eq!(
            redact_url("postgres://karta@db/karta"),
            "postgres://karta@db/karta"
        );
        assert_eq!(redact_url("sqlite://./karta.db"), "sqlite://./karta.db");
    }
}
