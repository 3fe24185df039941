//! The shapes records take outside: JSON for the API, and the same data for
//! the HTML views. Personal data is removed here for principals without the
//! right, so no output path can forget it.

use karta_core::accounts::AccountDraft;
use karta_core::contacts::{ContactDraft, PERSONAL_DATA_FIELDS};
use karta_core::identifiers::CustomerCode;
use karta_core::time::rfc3339;
use karta_db::entities::{account, change, contact};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// An account as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    /// Customer code, `K-000123`.
    pub code: String,
    #[serde(flatten)]
    pub fields: AccountDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

impl AccountView {
    /// The view of a stored account.
    pub fn of(m: &account::Model) -> Self {
        Self {
            id: m.id,
            code: CustomerCode(m.code).to_string(),
            fields: AccountDraft::from(&karta_db::accounts::fields_of(m)),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
            deleted_at: m.deleted_at.map(rfc3339),
        }
    }
}

/// A contact as the API returns it (the documented shape of `contact_json`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: Uuid,
    /// "Last First Middle".
    pub display_name: String,
    #[serde(flatten)]
    pub fields: ContactDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

/// A contact as JSON; personal data fields are absent when `personal` is false.
pub fn contact_json(m: &contact::Model, account_ids: Vec<Uuid>, personal: bool) -> Value {
    let fields = karta_db::contacts::fields_of(m, account_ids);
    let view = ContactView {
        id: m.id,
        display_name: fields.display_name(),
        fields: ContactDraft::from(&fields),
        version: m.version,
        created_at: rfc3339(m.created_at),
        updated_at: rfc3339(m.updated_at),
        deleted_at: m.deleted_at.map(rfc3339),
    };
    let mut body = serde_json::to_value(view).unwrap_or(Value::Null);
    if let (Value::Object(map), false) = (&mut body, personal) {
        for f in PERSONAL_DATA_FIELDS {
            map.remove(*f);
        }
    }
    body
}

/// One history entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    pub id: Uuid,
    pub at: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub channel: String,
    pub action: String,
    pub field: Option<String>,
    #[schema(value_type = Object)]
    pub old: Option<Value>,
    #[schema(value_type = Object)]
    pub new: Option<Value>,
}

impl ChangeView {
    /// The view of a change row; `actor_name` is resolved by the caller.
    pub fn of(m: change::Model, actor_name: Option<String>) -> Self {
        Self {
            id: m.id,
            at: rfc3339(m.at),
            actor_id: m.actor_id,
            actor_name,
            channel: m.channel,
            action: m.action,
            field: m.field,
            old: m.old_value,
            new: m.new_value,
        }
    }
}

/// A possible duplicate found on create or edit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateHint {
    pub id: Uuid,
    /// `K-000123` for accounts, the name for contacts.
    pub label: String,
    /// `inn`, `email` or `phone`.
    pub reason: &'static str,
}
