//! Where the database is: `--database-url` / `--data-dir` flags, then
//! `KARTA_*` environment variables (clap), then an optional `karta.toml` in
//! the working directory (or `KARTA_CONFIG`), then defaults.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Options every data-touching subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Directory for the embedded database [default: ./karta-data].
    #[arg(long, env = "KARTA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: postgres://user@host/db (PostgreSQL) or sqlite://path.
    #[arg(long, env = "KARTA_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// The optional `karta.toml`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    bind: Option<String>,
    utc_offset: Option<String>,
}

fn file_config() -> Result<FileConfig> {
    let path = std::env::var("KARTA_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("karta.toml"));
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).with_context(|| format!("cannot read {}", path.display()))
        }
        Err(_) => Ok(FileConfig::default()),
    }
}

impl DbArgs {
    /// The database URL to use.
    pub fn resolve(&self) -> Result<String> {
        let file = file_config()?;
        if let Some(url) = self.database_url.clone().or(file.database_url) {
            return Ok(url);
        }
        let dir = self
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("karta-data"));
        karta_db::Db::sqlite_url_in(&dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))
    }

    /// The options that chose this database, to print in a command the
    /// operator will copy (` --data-dir ./crm`): without them the copy
    /// would act on `./karta-data`, another database. Settings read from
    /// the environment or `karta.toml` hold for the copy too.
    pub fn flags(&self) -> String {
        let from_env = |name: &str| std::env::var_os(name).is_some();
        match (&self.database_url, &self.data_dir) {
            (Some(url), _) if !from_env("KARTA_DATABASE_URL") => format!(" --database-url '{url}'"),
            (None, Some(dir)) if !from_env("KARTA_DATA_DIR") => {
                format!(" --data-dir '{}'", dir.display())
            }
            _ => String::new(),
        }
    }

    /// `bind` from `karta.toml`, if any.
    pub fn file_bind(&self) -> Option<String> {
        file_config().ok().and_then(|f| f.bind)
    }

    /// `utc_offset` from `karta.toml`, if any.
    pub fn file_utc_offset(&self) -> Option<String> {
        file_config().ok().and_then(|f| f.utc_offset)
    }
}
