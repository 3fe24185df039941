//! Which field a unique-index violation is about, so a write that lost a
//! race to a concurrent one is refused like one that saw the value taken
//! (`already_exists` on that field) instead of failing as a storage error.
//!
//! PostgreSQL names the index; SQLite names the table and columns. Both
//! forms of every unique index a person's input can hit are listed here.

use sea_orm::{DbErr, SqlErr};

/// (index name, SQLite's "table.column" list, the field it guards).
const UNIQUE_FIELDS: &[(&str, &str, &str)] = &[
    ("teams_name", "teams.name", "name"),
    ("users_email", "users.email", "email"),
    (
        "classifiers_kind_code",
        "classifiers.kind, classifiers.code",
        "code",
    ),
    (
        "custom_fields_entity_key",
        "custom_fields.entity, custom_fields.key",
        "key",
    ),
    ("products_sku", "products.sku", "sku"),
    (
        "import_profiles_name",
        "import_profiles.entity, import_profiles.name",
        "name",
    ),
];

/// The field whose value is taken, when `e` is a unique-index violation
/// (`id` for an index not listed, which no input should reach).
pub fn taken_field(e: &DbErr) -> Option<&'static str> {
    let Some(SqlErr::UniqueConstraintViolation(message)) = e.sql_err() else {
        return None;
    };
    let named = UNIQUE_FIELDS.iter().find(|(index, columns, _)| {
        message.contains(&format!("\"{index}\"")) || message.ends_with(columns)
    });
    Some(named.map_or("id", |(_, _, field)| field))
}
