//! The foundation schema: teams, users, sessions, tokens, login records,
//! classifiers, custom fields, accounts, contacts, history and search.

use super::col::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

pub(super) fn index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(*c);
    }
    stmt
}

pub(super) fn fk(
    from: &'static str,
    col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

/// Audit columns shared by every business record.
pub(super) fn record_columns(t: &mut TableCreateStatement) {
    t.col(uuid_null("owner_id"))
        .col(uuid_null("team_id"))
        .col(json("custom"))
        .col(micros("created_at"))
        .col(uuid_null("created_by"))
        .col(micros("updated_at"))
        .col(uuid_null("updated_by"))
        .col(micros_null("deleted_at"))
        .col(uuid_null("deleted_by"))
        .col(
            ColumnDef::new("version")
                .big_integer()
                .not_null()
                .default(1),
        );
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("teams")
                .col(id("id"))
                .col(text("name"))
                .col(micros("created_at"))
                .index(Index::create().name("teams_name").col("name").unique())
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("users")
                .col(id("id"))
                .col(text("email"))
                .col(text("name"))
                .col(text("role"))
                .col(uuid_null("team_id"))
                .col(text_null("password_hash"))
                .col(text_null("locale"))
                .col(boolean("active"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .col(
                    ColumnDef::new("version")
                        .big_integer()
                        .not_null()
                        .default(1),
                )
                .index(Index::create().name("users_email").col("email").unique())
                .foreign_key(
                    ForeignKey::create()
                        .from("users", "team_id")
                        .to("teams", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sessions")
                .col(ColumnDef::new("id").text().not_null().primary_key())
                .col(uuid("user_id"))
                .col(text("csrf_token"))
                .col(micros("created_at"))
                .col(micros("last_seen_at"))
                .foreign_key(&mut fk("sessions", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("sessions", "sessions_user", &["user_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(id("id"))
                .col(uuid("user_id"))
                .col(text("name"))
                .col(text("token_hash"))
                .col(text("scopes"))
                .col(micros("created_at"))
                .col(micros_null("expires_at"))
                .col(micros_null("revoked_at"))
                .col(micros_null("last_used_at"))
                .index(
                    Index::create()
                        .name("api_tokens_hash")
                        .col("token_hash")
                        .unique(),
                )
                .foreign_key(&mut fk("api_tokens", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("login_events")
                .col(id("id"))
                .col(micros("at"))
                .col(text("email"))
                .col(uuid_null("user_id"))
                .col(text("ip"))
                .col(boolean("success"))
                .col(text_null("reason"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "login_events",
            "login_events_email_at",
            &["email", "at"],
        ))
        .await?;
        m.create_index(index("login_events", "login_events_ip_at", &["ip", "at"]))
            .await?;
        m.create_index(index("login_events", "login_events_at", &["at"]))
            .await?;
        // Fixed-window counters for rate limits, shared by every instance.
        m.create_table(
            Table::create()
                .table("rate_limits")
                .col(text("key"))
                .col(ColumnDef::new("window").big_integer().not_null())
                .col(ColumnDef::new("hits").big_integer().not_null())
                .primary_key(Index::create().col("key").col("window"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("counters")
                .col(ColumnDef::new("name").text().not_null().primary_key())
                .col(ColumnDef::new("value").big_integer().not_null())
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("INSERT INTO counters (name, value) VALUES ('account_code', 0)")
            .await?;
        m.create_table(
            Table::create()
                .table("classifiers")
                .col(id("id"))
                .col(text("kind"))
                .col(text("code"))
                .col(text("label_ru"))
                .col(text("label_en"))
                .col(int("position"))
                .col(boolean("active"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .col(
                    ColumnDef::new("version")
                        .big_integer()
                        .not_null()
                        .default(1),
                )
                .index(
                    Index::create()
                        .name("classifiers_kind_code")
                        .col("kind")
                        .col("code")
                        .unique(),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("custom_fields")
                .col(id("id"))
                .col(text("entity"))
                .col(text("key"))
                .col(text("label_ru"))
                .col(text("label_en"))
                .col(text("field_type"))
                .col(json("options"))
                .col(boolean("required"))
                .col(boolean("show_in_list"))
                .col(int("position"))
                .col(boolean("active"))
                .col(micros("created_at"))
                .col(micros("updated_at"))
                .col(
                    ColumnDef::new("version")
                        .big_integer()
                        .not_null()
                        .default(1),
                )
                .index(
                    Index::create()
                        .name("custom_fields_entity_key")
                        .col("entity")
                        .col("key")
                        .unique(),
                )
                .take(),
        )
        .await?;

        let mut accounts = Table::create();
        accounts
            .table("accounts")
            .col(id("id"))
            .col(ColumnDef::new("code").big_integer().not_null())
            .col(text("name"))
            .col(text("name_key"))
            .col(text_null("legal_name"))
            .col(text("types"))
            .col(text_null("inn"))
            .col(text_null("kpp"))
            .col(text_null("ogrn"))
            .col(text_null("legal_address"))
            .col(text_null("actual_address"))
            .col(text_null("delivery_address"))
            .col(text_null("region"))
            .col(text_null("industry"))
            .col(text_null("segment"))
            .col(text_null("size"))
            .col(text_null("lead_source"))
            .col(text_null("triggering_event"))
            .col(text("status"))
            .col(uuid_null("lost_to_id"))
            .col(text_null("loss_reason"))
            .col(text_null("purchase_purpose"))
            .col(json("buying_priorities"))
            .col(text_null("payment_method"))
            .col(json("tags"))
            .col(text_null("notes"));
        record_columns(&mut accounts);
        accounts.index(Index::create().name("accounts_code").col("code").unique());
        m.create_table(accounts.take()).await?;
        // Lists read live records in key order: partial indexes over live
        // rows let both engines walk the index instead of sorting.
        for (name, cols) in [
            ("accounts_live_name", "name_key, id"),
            ("accounts_live_team_name", "team_id, name_key, id"),
            ("accounts_live_owner_name", "owner_id, name_key, id"),
            ("accounts_live_updated", "updated_at, id"),
            ("accounts_live_created", "created_at, id"),
            ("accounts_live_region_name", "region, name_key, id"),
        ] {
            live_index(m, "accounts", name, cols).await?;
        }
        m.create_index(index("accounts", "accounts_inn", &["inn"]))
            .await?;
        trash_index(m, "accounts").await?;

        let mut contacts = Table::create();
        contacts
            .table("contacts")
            .col(id("id"))
            .col(text_null("first_name"))
            .col(text_null("last_name"))
            .col(text_null("middle_name"))
            .col(text("name_key"))
            .col(text_null("position"))
            .col(text_null("purchase_role"))
            .col(json("emails"))
            .col(json("phones"))
            .col(json("messengers"))
            .col(text_null("birthday"))
            .col(boolean("consent_pd_given"))
            .col(text_null("consent_pd_date"))
            .col(text_null("consent_pd_source"))
            .col(boolean("consent_marketing_given"))
            .col(text_null("consent_marketing_date"))
            .col(text_null("consent_marketing_source"))
            .col(text_null("notes"));
        record_columns(&mut contacts);
        m.create_table(contacts.take()).await?;
        for (name, cols) in [
            ("contacts_live_name", "name_key, id"),
            ("contacts_live_team_name", "team_id, name_key, id"),
            ("contacts_live_owner_name", "owner_id, name_key, id"),
            ("contacts_live_updated", "updated_at, id"),
            ("contacts_live_created", "created_at, id"),
        ] {
            live_index(m, "contacts", name, cols).await?;
        }
        trash_index(m, "contacts").await?;
        m.create_table(
            Table::create()
                .table("contact_accounts")
                .col(uuid("contact_id"))
                .col(uuid("account_id"))
                .primary_key(Index::create().col("contact_id").col("account_id"))
                .foreign_key(&mut fk("contact_accounts", "contact_id", "contacts"))
                .foreign_key(&mut fk("contact_accounts", "account_id", "accounts"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "contact_accounts",
            "contact_accounts_account",
            &["account_id", "contact_id"],
        ))
        .await?;
        // One row per e-mail / phone, for look-up by phone and duplicate checks.
        m.create_table(
            Table::create()
                .table("contact_channels")
                .col(uuid("contact_id"))
                .col(text("kind"))
                .col(text("value"))
                .primary_key(Index::create().col("contact_id").col("kind").col("value"))
                .foreign_key(&mut fk("contact_channels", "contact_id", "contacts"))
                .take(),
        )
        .await?;
        m.create_index(index(
            "contact_channels",
            "contact_channels_value",
            &["kind", "value"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("changes")
                .col(id("id"))
                .col(text("entity"))
                .col(uuid("record_id"))
                .col(micros("at"))
                .col(uuid_null("actor_id"))
                .col(text("channel"))
                .col(text("action"))
                .col(text_null("field"))
                .col(ColumnDef::new("old_value").json_binary().null())
                .col(ColumnDef::new("new_value").json_binary().null())
                .take(),
        )
        .await?;
        m.create_index(index("changes", "changes_record", &["record_id", "at"]))
            .await?;

        m.create_table(
            Table::create()
                .table("search_docs")
                .col(
                    ColumnDef::new("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(text("entity"))
                .col(uuid("record_id"))
                .col(text("body"))
                .col(text("private_body"))
                .index(
                    Index::create()
                        .name("search_docs_record")
                        .col("record_id")
                        .unique(),
                )
                .take(),
        )
        .await?;
        create_search_index(m).await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the initial schema cannot be rolled back".into(),
        ))
    }
}

/// An index over live (not deleted) rows; the same SQL on both engines.
pub(super) async fn live_index(
    m: &SchemaManager<'_>,
    table: &str,
    name: &str,
    cols: &str,
) -> Result<(), DbErr> {
    m.get_connection()
        .execute_unprepared(&format!(
            "CREATE INDEX {name} ON {table} ({cols}) WHERE deleted_at IS NULL"
        ))
        .await
        .map(|_| ())
}

/// An index over the trash (small), for the trash view and the purge job.
pub(super) async fn trash_index(m: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    m.get_connection()
        .execute_unprepared(&format!(
            "CREATE INDEX {table}_trash ON {table} (deleted_at, id) WHERE deleted_at IS NOT NULL"
        ))
        .await
        .map(|_| ())
}

/// The engine's full-text index over `search_docs` (the one engine-specific
/// part of the schema). Terms are already stemmed in Rust, so both engines
/// only need to split on spaces and match prefixes.
async fn create_search_index(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    match m.get_database_backend() {
        DbBackend::Sqlite => {
            conn.execute_unprepared(
                "CREATE VIRTUAL TABLE search_fts USING fts5(body, private_body, \
                 content='', contentless_delete=1, prefix='2 3 4', tokenize='unicode61 remove_diacritics 0')",
            )
            .await?;
        }
        _ => {
            conn.execute_unprepared(
                "ALTER TABLE search_docs \
                 ADD COLUMN body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED, \
                 ADD COLUMN private_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', private_body)) STORED",
            )
            .await?;
            conn.execute_unprepared(
                "CREATE INDEX search_docs_body_tsv ON search_docs USING GIN (body_tsv)",
            )
            .await?;
            conn.execute_unprepared(
                "CREATE INDEX search_docs_private_tsv ON search_docs USING GIN (private_tsv)",
            )
            .await?;
        }
    }
    Ok(())
}
