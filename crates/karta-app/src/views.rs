//! The shapes records take outside: JSON for the API, and the same data for
//! the HTML views. Personal data is removed here for principals without the
//! right, so no output path can forget it.

use karta_core::accounts::AccountDraft;
use karta_core::contacts::{ContactDraft, PERSONAL_DATA_FIELDS};
use karta_core::deals::DealDraft;
use karta_core::identifiers::CustomerCode;
use karta_core::time::rfc3339;
use karta_db::entities::{account, change, contact, deal, stage};
use karta_db::pipelines::PipelineWithStages;
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
    /// Whether confirming and shipping its orders is refused, and why
    /// (lists and reads of accounts carry it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_hold: Option<karta_core::invoices::CreditHold>,
}

impl AccountView {
    /// The view with its credit hold.
    pub fn with_hold(mut self, hold: Option<karta_core::invoices::CreditHold>) -> Self {
        self.credit_hold = hold;
        self
    }

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
            credit_hold: None,
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
    /// The field's value before, as the field is typed (text, number,
    /// boolean, list or object); `null` when it had none.
    #[schema(value_type = Option<serde_json::Value>)]
    pub old: Option<Value>,
    /// The value after, typed as `old`.
    #[schema(value_type = Option<serde_json::Value>)]
    pub new: Option<Value>,
    /// The name of the user or team `old` names (owner, team, stage's
    /// responsible), so people read a name, not an id.
    pub old_name: Option<String>,
    /// The name of the user or team `new` names.
    pub new_name: Option<String>,
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
            old_name: None,
            new_name: None,
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

/// A pipeline stage as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub id: Uuid,
    /// In the caller's language.
    pub name: String,
    pub name_ru: String,
    pub name_en: String,
    /// `open`, `won` or `lost`.
    pub kind: String,
    pub probability: i32,
    pub responsible_user_id: Option<Uuid>,
    pub responsible_role: Option<String>,
    pub checklist: Vec<String>,
    pub max_days: Option<i32>,
}

impl StageView {
    /// The view of a stored stage, named in `lang`.
    pub fn of(s: &stage::Model, lang: &str) -> Self {
        Self {
            id: s.id,
            name: karta_db::pipelines::stage_name(s, lang),
            name_ru: s.name_ru.clone(),
            name_en: s.name_en.clone(),
            kind: s.kind.clone(),
            probability: s.probability,
            responsible_user_id: s.responsible_user_id,
            responsible_role: s.responsible_role.clone(),
            checklist: karta_db::pipelines::checklist(s),
            max_days: s.max_days,
        }
    }
}

/// A pipeline with its stages in board order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PipelineView {
    pub id: Uuid,
    pub name: String,
    pub position: i32,
    pub active: bool,
    pub version: i64,
    pub stages: Vec<StageView>,
}

impl PipelineView {
    /// The view of a stored pipeline, stages named in `lang`.
    pub fn of(p: &PipelineWithStages, lang: &str) -> Self {
        Self {
            id: p.pipeline.id,
            name: p.pipeline.name.clone(),
            position: p.pipeline.position,
            active: p.pipeline.active,
            version: p.pipeline.version,
            stages: p.stages.iter().map(|s| StageView::of(s, lang)).collect(),
        }
    }
}

/// A deal as the API returns it. `probability` is the one in force:
/// the stage's unless `probability_manual`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DealView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: DealDraft,
    pub probability_manual: bool,
    pub stage_entered_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

impl DealView {
    /// The view of a stored deal with its contacts.
    pub fn of(m: &deal::Model, contact_ids: Vec<Uuid>) -> Self {
        let mut fields = DealDraft::from(&karta_db::deals::fields_of(m, contact_ids));
        fields.probability = Some(m.probability);
        Self {
            id: m.id,
            fields,
            probability_manual: m.probability_manual,
            stage_entered_at: rfc3339(m.stage_entered_at),
            closed_at: m.closed_at.map(rfc3339),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
            deleted_at: m.deleted_at.map(rfc3339),
        }
    }
}

/// One stay of a deal in a stage, with its length.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StayView {
    pub stage_id: Uuid,
    pub entered_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_at: Option<String>,
    /// Until `left_at`, or until now for the current stage.
    pub seconds: i64,
    pub entered_by: Option<Uuid>,
}

/// An activity as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::activities::ActivityDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ActivityView {
    /// The view of a stored activity.
    pub fn of(m: &karta_db::entities::activity::Model) -> Self {
        Self {
            id: m.id,
            fields: karta_core::activities::ActivityDraft::from(&karta_db::activities::fields_of(
                m,
            )),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// A task as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::tasks::TaskDraft,
    /// Open and past its due time.
    pub overdue: bool,
    pub completed_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl TaskView {
    /// The view of a stored task at `now`.
    pub fn of(m: &karta_db::entities::task::Model, now: i64) -> Self {
        let fields = karta_db::tasks::fields_of(m);
        Self {
            id: m.id,
            overdue: fields.is_overdue(now),
            fields: karta_core::tasks::TaskDraft::from(&fields),
            completed_at: m.completed_at.map(rfc3339),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// A lead as the API returns it; e-mail and phone only for roles that see
/// personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeadView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::leads::LeadDraft,
    /// form, api, manual or import.
    pub channel: String,
    /// The routing rule that sent the lead to its owner.
    pub routing_rule_id: Option<Uuid>,
    /// How routing decided: user, round_robin, least_loaded, default, queue.
    pub routing: Option<String>,
    /// What the lead became.
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub converted_at: Option<String>,
    /// The last time someone worked on it.
    pub touched_at: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl LeadView {
    /// The view of a stored lead.
    pub fn of(m: &karta_db::entities::lead::Model, personal: bool) -> Self {
        let mut fields = karta_core::leads::LeadDraft::from(&karta_db::leads::fields_of(m));
        if !personal {
            fields.email = None;
            fields.phone = None;
        }
        Self {
            id: m.id,
            fields,
            channel: m.channel.clone(),
            routing_rule_id: m.routing_rule_id,
            routing: m.routing_note.clone(),
            account_id: m.account_id,
            contact_id: m.contact_id,
            deal_id: m.deal_id,
            converted_at: m.converted_at.map(rfc3339),
            touched_at: rfc3339(m.touched_at),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// A routing rule as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::routing::RuleDraft,
    pub version: i64,
}

impl RuleView {
    /// The view of a stored rule.
    pub fn of(m: &karta_db::entities::routing_rule::Model) -> Self {
        Self {
            id: m.id,
            fields: karta_core::routing::RuleDraft::from(&karta_db::routing::fields_of(m)),
            version: m.version,
        }
    }
}

/// A product as the API returns it. `cost_price_minor` is null for roles
/// that do not see margins.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::products::ProductDraft,
    /// The list price with VAT, rounded as on documents.
    pub list_price_with_vat_minor: Option<i64>,
    /// Held by confirmed orders that have not shipped yet.
    pub reserved_quantity: i64,
    /// In stock and not held: what a new order can still get.
    pub available_quantity: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

impl ProductView {
    /// The view of a stored product for a principal who does (`costs`) or
    /// does not see cost prices.
    pub fn of(m: &karta_db::entities::product::Model, costs: bool) -> Self {
        let mut fields =
            karta_core::products::ProductDraft::from(&karta_db::products::fields_of(m));
        if !costs {
            fields.cost_price_minor = None;
        }
        Self {
            id: m.id,
            fields,
            list_price_with_vat_minor: karta_core::pricing::line(
                1,
                m.list_price_minor,
                0,
                m.vat_rate,
            )
            .map(|l| l.gross_minor),
            reserved_quantity: m.reserved_quantity,
            available_quantity: (m.stock_quantity - m.reserved_quantity).max(0),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
            deleted_at: m.deleted_at.map(rfc3339),
        }
    }
}

/// A price list as the API returns it, with its product prices.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceListView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::price_lists::PriceListDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

impl PriceListView {
    /// The view of a stored list and its validated fields.
    pub fn of(
        m: &karta_db::entities::price_list::Model,
        f: &karta_core::price_lists::PriceListFields,
    ) -> Self {
        Self {
            id: m.id,
            fields: karta_core::price_lists::PriceListDraft::from(f),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
            deleted_at: m.deleted_at.map(rfc3339),
        }
    }
}

/// A priced line of a deal (or, with the same shape, an order).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineView {
    pub product_id: Uuid,
    /// The article and name as they were when the line was priced.
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: i64,
    /// The catalogue price then.
    pub list_price_minor: i64,
    /// Net of VAT, per unit, before the line's discount.
    pub unit_price_minor: i64,
    pub discount_percent: f64,
    pub vat_rate: i32,
    #[serde(flatten)]
    pub amounts: karta_core::pricing::LineAmounts,
    pub currency: String,
    /// The price list the price came from.
    pub price_list_id: Option<Uuid>,
    /// list_price, fixed, product_discount, list_discount or manual.
    pub price_rule: String,
}

impl LineView {
    /// The view of a stored deal line.
    pub fn of_deal(l: &karta_db::entities::deal_line::Model) -> Self {
        Self {
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            list_price_minor: l.list_price_minor,
            unit_price_minor: l.unit_price_minor,
            discount_percent: karta_core::price_lists::percent(l.discount_bp),
            vat_rate: l.vat_rate,
            amounts: karta_core::pricing::LineAmounts {
                net_minor: l.net_minor,
                vat_minor: l.vat_minor,
                gross_minor: l.gross_minor,
            },
            currency: l.currency.clone(),
            price_list_id: l.price_list_id,
            price_rule: l.price_rule.clone(),
        }
    }
}

/// A document's lines with their totals (net, VAT, gross).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinesView {
    pub lines: Vec<LineView>,
    pub total: karta_core::pricing::LineAmounts,
    /// The version of the deal or order the lines belong to (its ETag).
    pub version: i64,
}

impl LinesView {
    /// Lines and their sums.
    pub fn of(lines: Vec<LineView>, version: i64) -> Self {
        let total =
            karta_core::pricing::total(&lines.iter().map(|l| l.amounts).collect::<Vec<_>>())
                .unwrap_or(karta_core::pricing::LineAmounts {
                    net_minor: 0,
                    vat_minor: 0,
                    gross_minor: 0,
                });
        Self {
            lines,
            total,
            version,
        }
    }
}

/// An order as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: Uuid,
    /// Sequential; shown as З-000042 (SO-000042 in English).
    pub number: i64,
    pub account_id: Uuid,
    pub contract_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    /// draft, confirmed, in_production, shipped, delivered, closed, cancelled.
    pub status: String,
    /// When it entered its status.
    pub status_at: String,
    pub payment_method: Option<String>,
    pub delivery_address: Option<String>,
    pub comment: Option<String>,
    pub currency: String,
    #[serde(flatten)]
    pub amounts: karta_core::pricing::LineAmounts,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl OrderView {
    /// The view of a stored order.
    pub fn of(m: &karta_db::entities::order::Model) -> Self {
        Self {
            id: m.id,
            number: m.number,
            account_id: m.account_id,
            contract_id: m.contract_id,
            deal_id: m.deal_id,
            status: m.status.clone(),
            status_at: rfc3339(m.status_at),
            payment_method: m.payment_method.clone(),
            delivery_address: m.delivery_address.clone(),
            comment: m.comment.clone(),
            currency: m.currency.clone(),
            amounts: karta_core::pricing::LineAmounts {
                net_minor: m.net_minor,
                vat_minor: m.vat_minor,
                gross_minor: m.gross_minor,
            },
            owner_id: m.owner_id,
            team_id: m.team_id,
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// One step of an order's tracking history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderEventView {
    pub at: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    /// ui, api, cli, job.
    pub channel: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub comment: Option<String>,
}

impl LineView {
    /// The view of a stored order line.
    pub fn of_order(l: &karta_db::entities::order_line::Model) -> Self {
        Self {
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            list_price_minor: l.list_price_minor,
            unit_price_minor: l.unit_price_minor,
            discount_percent: karta_core::price_lists::percent(l.discount_bp),
            vat_rate: l.vat_rate,
            amounts: karta_core::pricing::LineAmounts {
                net_minor: l.net_minor,
                vat_minor: l.vat_minor,
                gross_minor: l.gross_minor,
            },
            currency: l.currency.clone(),
            price_list_id: l.price_list_id,
            price_rule: l.price_rule.clone(),
        }
    }
}

/// An invoice as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvoiceView {
    pub id: Uuid,
    /// Sequential; shown as СЧ-000042 (INV-000042 in English).
    pub number: i64,
    pub order_id: Uuid,
    pub account_id: Uuid,
    pub issued_on: String,
    pub due_on: String,
    pub currency: String,
    /// With VAT.
    pub amount_minor: i64,
    pub paid_minor: i64,
    pub outstanding_minor: i64,
    /// open or paid.
    pub status: String,
    /// Open and past its due date today.
    pub overdue: bool,
    pub version: i64,
    pub created_at: String,
}

impl InvoiceView {
    /// The view of a stored invoice on `today` (`YYYY-MM-DD`).
    pub fn of(m: &karta_db::entities::invoice::Model, today: &str) -> Self {
        let outstanding = m.amount_minor - m.paid_minor;
        Self {
            id: m.id,
            number: m.number,
            order_id: m.order_id,
            account_id: m.account_id,
            issued_on: m.issued_on.clone(),
            due_on: m.due_on.clone(),
            currency: m.currency.clone(),
            amount_minor: m.amount_minor,
            paid_minor: m.paid_minor,
            outstanding_minor: outstanding,
            status: m.status.clone(),
            overdue: outstanding > 0 && m.due_on.as_str() < today,
            version: m.version,
            created_at: rfc3339(m.created_at),
        }
    }
}

/// A payment as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub account_id: Uuid,
    pub amount_minor: i64,
    /// The invoice's currency (ISO 4217).
    pub currency: String,
    pub paid_on: String,
    pub method: Option<String>,
    pub reference: Option<String>,
    pub created_at: String,
}

impl PaymentView {
    /// The view of a stored payment.
    pub fn of(m: &karta_db::entities::payment::Model) -> Self {
        Self {
            id: m.id,
            invoice_id: m.invoice_id,
            account_id: m.account_id,
            amount_minor: m.amount_minor,
            currency: m.currency.clone(),
            paid_on: m.paid_on.clone(),
            method: m.method.clone(),
            reference: m.reference.clone(),
            created_at: rfc3339(m.created_at),
        }
    }
}

/// A contract as the API returns it, with its products.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractView {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: karta_core::contracts::ContractDraft,
    /// Active and within its dates today.
    pub in_force: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ContractView {
    /// The view of a stored contract on `today`.
    pub fn of(
        m: &karta_db::entities::contract::Model,
        f: &karta_core::contracts::ContractFields,
        today: time::Date,
    ) -> Self {
        Self {
            id: m.id,
            fields: karta_core::contracts::ContractDraft::from(f),
            in_force: f.in_force(today),
            version: m.version,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}
