//! Order use cases: placing an order (by hand or from a won deal), its
//! lines while it is a draft, and moving it along its status flow with
//! the stock it holds — reserved on confirmation, released on
//! cancellation, gone from stock when shipped. Every move is recorded with
//! who, when and why: the order's tracking history.

use crate::pricing::PricedLine;
use crate::uow::{Event, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::orders::OrderFilter;
use karta_core::orders::{OrderDraft, OrderStatus, StatusChange};
use karta_core::pricing::{LineAmounts, LineDraft, total, validate_lines};
use karta_core::products::Unit;
use karta_core::roles::{Access, Entity};
use karta_db::entities::{account, deal_line, order, order_event, order_line};
use karta_db::history;
use karta_db::orders as store;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

const ENTITY: &str = "orders";

/// An order's line as stored, whatever it was priced from.
fn line_row(order_id: Uuid, position: usize, l: &PricedLine) -> order_line::ActiveModel {
    order_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        product_id: Set(l.product.id),
        sku: Set(l.product.sku.clone()),
        name: Set(l.product.name.clone()),
        unit: Set(l.product.unit.clone()),
        quantity: Set(l.quantity),
        list_price_minor: Set(l.product.list_price_minor),
        unit_price_minor: Set(l.unit_price_minor),
        discount_bp: Set(l.discount_bp),
        vat_rate: Set(l.product.vat_rate),
        net_minor: Set(l.amounts.net_minor),
        vat_minor: Set(l.amounts.vat_minor),
        gross_minor: Set(l.amounts.gross_minor),
        currency: Set(l.product.currency.clone()),
        price_list_id: Set(l.price_list_id),
        price_rule: Set(l.rule.as_str().to_string()),
    }
}

/// A deal's line carried over to its order as agreed.
fn line_from_deal(order_id: Uuid, l: &deal_line::Model) -> order_line::ActiveModel {
    order_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        position: Set(l.position),
        product_id: Set(l.product_id),
        sku: Set(l.sku.clone()),
        name: Set(l.name.clone()),
        unit: Set(l.unit.clone()),
        quantity: Set(l.quantity),
        list_price_minor: Set(l.list_price_minor),
        unit_price_minor: Set(l.unit_price_minor),
        discount_bp: Set(l.discount_bp),
        vat_rate: Set(l.vat_rate),
        net_minor: Set(l.net_minor),
        vat_minor: Set(l.vat_minor),
        gross_minor: Set(l.gross_minor),
        currency: Set(l.currency.clone()),
        price_list_id: Set(l.price_list_id),
        price_rule: Set(l.price_rule.clone()),
    }
}

/// The account an order is for: it must be one the principal sees.
async fn account_for(app: &App, p: &Principal, id: Uuid) -> Result<account::Model, AppError> {
    match crate::accounts::get(app, p, id, false).await {
        Ok(a) => Ok(a),
        Err(AppError::NotFound | AppError::Forbidden) => {
            Err(AppError::field("account_id", "unknown_account"))
        }
        Err(e) => Err(e),
    }
}

/// The tracking event of entering `to`.
fn event(
    app: &App,
    p: &Principal,
    order_id: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    comment: Option<String>,
) -> order_event::Model {
    order_event::Model {
        id: Uuid::now_v7(),
        order_id,
        at: app.now(),
        user_id: Some(p.user_id),
        channel: p.channel.to_string(),
        from_status: from.map(|s| s.as_str().to_string()),
        to_status: to.as_str().to_string(),
        comment,
    }
}

/// Writes a new draft order with its lines and first tracking event.
#[allow(clippy::too_many_arguments)]
async fn insert(
    app: &App,
    p: &Principal,
    tx: &mut Tx<'_>,
    account: &account::Model,
    head: karta_core::orders::OrderHead,
    currency: String,
    sum: LineAmounts,
    lines: impl FnOnce(Uuid) -> Vec<order_line::ActiveModel>,
) -> Result<order::Model, AppError> {
    let now = tx.now();
    let id = Uuid::now_v7();
    let number = store::next_number(&**tx).await?;
    let model = order::ActiveModel {
        number: Set(number),
        account_id: Set(account.id),
        contract_id: Set(head.contract_id),
        contract_override: Set(head.contract_override.clone()),
        deal_id: Set(head.deal_id),
        status: Set(OrderStatus::Draft.as_str().to_string()),
        status_at: Set(now),
        payment_method: Set(head
            .payment_method
            .clone()
            .or(account.payment_method.clone())),
        delivery_address: Set(head
            .delivery_address
            .clone()
            .or(account.delivery_address.clone())),
        comment: Set(head.comment.clone()),
        currency: Set(currency),
        net_minor: Set(sum.net_minor),
        vat_minor: Set(sum.vat_minor),
        gross_minor: Set(sum.gross_minor),
        // The account's people follow its orders.
        owner_id: Set(account.owner_id),
        team_id: Set(account.team_id),
        custom: Set(json!({})),
        ..<order::Entity as Record>::created(id, now, Some(p.user_id))
    };
    let saved = order::Entity::insert(model)
        .exec_with_returning(&**tx)
        .await?;
    store::replace_lines(&**tx, id, lines(id)).await?;
    // A departure from the contract is part of the order's story.
    let comment = match (&head.contract_override, &head.comment) {
        (Some(why), Some(c)) => Some(format!("{c} · override: {why}")),
        (Some(why), None) => Some(format!("override: {why}")),
        (None, c) => c.clone(),
    };
    store::add_event(&**tx, event(app, p, id, None, OrderStatus::Draft, comment)).await?;
    let changes = history::diff(
        &Value::Null,
        &json!({"number": number, "account_id": account.id, "deal_id": head.deal_id,
                "contract_id": head.contract_id, "contract_override": head.contract_override,
                "gross_minor": sum.gross_minor, "status": "draft"}),
    );
    tx.record(Event::new(ENTITY, id, "create", changes));
    Ok(saved)
}

/// Places an order by hand: its lines are priced for the account today
/// (or as given) and it starts as a draft.
pub async fn create(app: &App, p: &Principal, draft: OrderDraft) -> Result<order::Model, AppError> {
    p.require(Entity::Orders, Access::Write)?;
    let (head, drafts) = draft.validate()?;
    let inputs = validate_lines(drafts)?;
    let account = account_for(app, p, head.account_id).await?;
    let mut e = Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[(
            "payment_method",
            "payment_method",
            head.payment_method.as_deref(),
        )],
    )
    .await?;
    if let Some(deal_id) = head.deal_id {
        let same_account = crate::deals::get(app, p, deal_id, false)
            .await
            .is_ok_and(|(d, _)| d.account_id == account.id);
        if !same_account {
            e.push("deal_id", "unknown_deal");
        }
    }
    e.into_result()?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let mut head = head;
    let (inputs, under_contract) = match head.contract_id {
        Some(contract_id) => {
            let contract =
                crate::contracts::for_order(&*tx, contract_id, account.id, app.today(p)).await?;
            // Unless chosen, the customer pays as the contract says.
            head.payment_method = head.payment_method.or(contract.payment_method.clone());
            if head.contract_override.is_some() {
                if !p.role.may_override_contracts() {
                    return Err(AppError::Forbidden);
                }
                (inputs, false)
            } else {
                (crate::contracts::contract_lines(&contract, &inputs)?, true)
            }
        }
        None => (inputs, false),
    };
    let mut priced =
        crate::pricing::price_lines(&*tx, &account, &inputs, &[], app.today(p)).await?;
    if under_contract {
        for l in &mut priced {
            l.rule = karta_core::price_lists::PriceRule::Contract;
        }
    }
    let sum = total(&priced.iter().map(|l| l.amounts).collect::<Vec<_>>())
        .ok_or_else(|| AppError::field("lines", "out_of_range"))?;
    let currency = priced
        .first()
        .map(|l| l.product.currency.clone())
        .unwrap_or_else(|| "RUB".into());
    let saved = insert(app, p, &mut tx, &account, head, currency, sum, |id| {
        priced
            .iter()
            .enumerate()
            .map(|(i, l)| line_row(id, i, l))
            .collect()
    })
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Places the order of a won deal with the deal's lines at the agreed
/// prices. A deal has one live order.
pub async fn from_deal(app: &App, p: &Principal, deal_id: Uuid) -> Result<order::Model, AppError> {
    p.require(Entity::Orders, Access::Write)?;
    let (deal, _) = crate::deals::get(app, p, deal_id, false).await?;
    let db = app.db.conn();
    let won = karta_db::pipelines::stage(db, deal.stage_id)
        .await?
        .is_some_and(|s| s.kind == "won");
    if !won {
        return Err(AppError::Conflict("deal_not_won"));
    }
    let lines = karta_db::deal_lines::of_deal(db, deal_id).await?;
    if lines.is_empty() {
        return Err(AppError::Conflict("deal_has_no_lines"));
    }
    let account = account_for(app, p, deal.account_id).await?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let existing = store::list(
        &*tx,
        app.db.backend(),
        &OrderFilter {
            deal_id: Some(deal_id),
            ..Default::default()
        },
        karta_db::Visibility::All,
        None,
        1,
    )
    .await?;
    if !existing.items.is_empty() {
        return Err(AppError::Conflict("order_exists"));
    }
    let sum = LineAmounts {
        net_minor: lines.iter().map(|l| l.net_minor).sum(),
        vat_minor: lines.iter().map(|l| l.vat_minor).sum(),
        gross_minor: lines.iter().map(|l| l.gross_minor).sum(),
    };
    let head = karta_core::orders::OrderHead {
        account_id: account.id,
        contract_id: None,
        deal_id: Some(deal_id),
        payment_method: account.payment_method.clone(),
        delivery_address: None,
        comment: None,
        contract_override: None,
    };
    let currency = lines[0].currency.clone();
    let saved = insert(app, p, &mut tx, &account, head, currency, sum, |id| {
        lines.iter().map(|l| line_from_deal(id, l)).collect()
    })
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Reads one order.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<order::Model, AppError> {
    let vis = p.require(Entity::Orders, Access::Read)?;
    karta_db::records::find::<order::Entity, _>(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// The lines of an order the principal may read.
pub async fn lines(app: &App, p: &Principal, id: Uuid) -> Result<Vec<order_line::Model>, AppError> {
    get(app, p, id).await?;
    Ok(store::lines(app.db.conn(), id).await?)
}

/// The tracking history of an order the principal may read, oldest first.
pub async fn events(
    app: &App,
    p: &Principal,
    id: Uuid,
) -> Result<Vec<order_event::Model>, AppError> {
    get(app, p, id).await?;
    Ok(store::events(app.db.conn(), id).await?)
}

/// A page of visible orders, newest first.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: OrderFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<order::Model>, AppError> {
    let vis = p.require(Entity::Orders, Access::Read)?;
    Ok(store::list(app.db.conn(), app.db.backend(), &filter, vis, cursor, limit).await?)
}

/// Replaces a draft order's lines (at its version), priced as on creation.
pub async fn set_lines(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    drafts: Vec<LineDraft>,
) -> Result<(order::Model, Vec<order_line::Model>), AppError> {
    let inputs = validate_lines(drafts)?;
    if inputs.is_empty() {
        return Err(AppError::field("lines", "required"));
    }
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<order::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Orders,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    if current.status != OrderStatus::Draft.as_str() {
        return Err(AppError::Conflict("order_not_draft"));
    }
    let account =
        karta_db::accounts::find(&*tx, current.account_id, karta_db::Visibility::All, false)
            .await?
            .ok_or_else(|| AppError::field("account_id", "unknown_account"))?;
    let kept: Vec<Uuid> = store::lines(&*tx, id)
        .await?
        .iter()
        .map(|l| l.product_id)
        .collect();
    let inputs = match current.contract_id {
        Some(contract_id) => {
            let contract =
                crate::contracts::for_order(&*tx, contract_id, account.id, app.today(p)).await?;
            crate::contracts::contract_lines(&contract, &inputs)?
        }
        None => inputs,
    };
    let mut priced =
        crate::pricing::price_lines(&*tx, &account, &inputs, &kept, app.today(p)).await?;
    if current.contract_id.is_some() {
        for l in &mut priced {
            l.rule = karta_core::price_lists::PriceRule::Contract;
        }
    }
    let sum = total(&priced.iter().map(|l| l.amounts).collect::<Vec<_>>())
        .ok_or_else(|| AppError::field("lines", "out_of_range"))?;
    let model = order::ActiveModel {
        net_minor: Set(sum.net_minor),
        vat_minor: Set(sum.vat_minor),
        gross_minor: Set(sum.gross_minor),
        currency: Set(priced[0].product.currency.clone()),
        ..Default::default()
    };
    let saved = records::save::<order::Entity>(&tx, model, id, current.version, None).await?;
    store::replace_lines(
        &*tx,
        id,
        priced
            .iter()
            .enumerate()
            .map(|(i, l)| line_row(id, i, l))
            .collect(),
    )
    .await?;
    let changes = history::diff(
        &json!({"gross_minor": current.gross_minor}),
        &json!({"gross_minor": sum.gross_minor}),
    );
    tx.record(Event::new(ENTITY, id, "update", changes));
    tx.commit().await?;
    let lines = store::lines(app.db.conn(), id).await?;
    Ok((saved, lines))
}

/// Refuses to confirm an order whose contract is no longer in force
/// (`contract_not_in_force`) or no longer has its products at its prices
/// (`not_in_contract`, with the lines).
async fn check_contract<C: ConnectionTrait>(
    app: &App,
    p: &Principal,
    db: &C,
    order: &order::Model,
    contract_id: Uuid,
    lines: &[order_line::Model],
) -> Result<(), AppError> {
    let contract =
        match crate::contracts::for_order(db, contract_id, order.account_id, app.today(p)).await {
            Ok(c) => c,
            Err(AppError::Invalid(_)) => {
                return Err(AppError::Refused {
                    code: "contract_not_in_force",
                    facts: json!({ "contract_id": contract_id }),
                });
            }
            Err(e) => return Err(e),
        };
    let outside: Vec<Value> = lines
        .iter()
        .filter(|l| contract.price_of(l.product_id) != Some(l.unit_price_minor))
        .map(|l| {
            json!({"sku": l.sku, "unit_price_minor": l.unit_price_minor,
                   "contract_price_minor": contract.price_of(l.product_id)})
        })
        .collect();
    if outside.is_empty() {
        Ok(())
    } else {
        Err(AppError::Refused {
            code: "not_in_contract",
            facts: json!({ "lines": outside }),
        })
    }
}

/// The stocked lines of an order: (product, quantity, article).
fn stocked(lines: &[order_line::Model]) -> Vec<(Uuid, i64, String)> {
    lines
        .iter()
        .filter(|l| Unit::parse(&l.unit).is_ok_and(Unit::is_stocked))
        .map(|l| (l.product_id, l.quantity, l.sku.clone()))
        .collect()
}

/// Holds stock for every stocked line, or refuses with what is short.
async fn reserve<C: ConnectionTrait>(db: &C, lines: &[order_line::Model]) -> Result<(), AppError> {
    let mut short = Vec::new();
    for (product_id, quantity, sku) in stocked(lines) {
        if !store::reserve(db, product_id, quantity).await? {
            let free = karta_db::products::by_ids(db, &[product_id])
                .await?
                .first()
                .map(|p| p.stock_quantity - p.reserved_quantity)
                .unwrap_or(0);
            short.push(json!({"product_id": product_id, "sku": sku,
                              "requested": quantity, "available": free.max(0)}));
        }
    }
    if short.is_empty() {
        Ok(())
    } else {
        Err(AppError::Refused {
            code: "insufficient_stock",
            facts: json!({ "lines": short }),
        })
    }
}

/// Moves an order to another status (at its version) and records it.
/// Confirming reserves stock (all or nothing); shipping takes it out of
/// stock; cancelling a confirmed order releases it. A move the flow does
/// not allow is refused with `invalid_transition`; confirming or shipping
/// for an account on credit hold with `credit_hold`.
pub async fn change_status(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    change: StatusChange,
) -> Result<order::Model, AppError> {
    let (to, comment) = change.validate()?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<order::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Orders,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let from = OrderStatus::parse(&current.status).unwrap_or(OrderStatus::Draft);
    if !from.next().contains(&to) {
        return Err(AppError::Refused {
            code: "invalid_transition",
            facts: json!({"from": from.as_str(), "to": to.as_str(),
                          "allowed": from.next().iter().map(|s| s.as_str()).collect::<Vec<_>>()}),
        });
    }
    // A customer in arrears gets nothing confirmed or shipped.
    if matches!(to, OrderStatus::Confirmed | OrderStatus::Shipped) {
        // Confirming adds the order to what the customer will owe.
        let adding = if to == OrderStatus::Confirmed {
            current.gross_minor
        } else {
            0
        };
        crate::invoices::check_hold(app, p, &*tx, current.account_id, adding).await?;
    }
    let lines = store::lines(&*tx, id).await?;
    // The contract may have changed since the order was placed.
    if let (OrderStatus::Confirmed, Some(contract_id), None) =
        (to, current.contract_id, &current.contract_override)
    {
        check_contract(app, p, &*tx, &current, contract_id, &lines).await?;
    }
    match (from.holds_stock(), to) {
        (false, OrderStatus::Confirmed) => reserve(&*tx, &lines).await?,
        (true, OrderStatus::Cancelled) => {
            for (product, quantity, _) in stocked(&lines) {
                store::release(&*tx, product, quantity).await?;
            }
        }
        (true, OrderStatus::Shipped) => {
            for (product, quantity, _) in stocked(&lines) {
                store::ship(&*tx, product, quantity).await?;
            }
        }
        _ => {}
    }
    let now = tx.now();
    let model = order::ActiveModel {
        status: Set(to.as_str().to_string()),
        status_at: Set(now),
        ..Default::default()
    };
    let saved = records::save::<order::Entity>(&tx, model, id, current.version, None).await?;
    store::add_event(&*tx, event(app, p, id, Some(from), to, comment)).await?;
    // The tracking timeline above is the order's story for people; the
    // event is what subscribers (webhooks, mail) hear.
    tx.record(Event::new(
        ENTITY,
        id,
        "status",
        vec![history::FieldChange {
            field: "status".into(),
            old: Some(json!(from.as_str())),
            new: Some(json!(to.as_str())),
        }],
    ));
    tx.commit().await?;
    Ok(saved)
}

/// The tracking history with the names of the people who moved the order.
pub async fn event_views(
    app: &App,
    p: &Principal,
    id: Uuid,
) -> Result<Vec<crate::views::OrderEventView>, AppError> {
    let rows = events(app, p, id).await?;
    let users: Vec<Uuid> = rows.iter().filter_map(|e| e.user_id).collect();
    let names = karta_db::users::names(app.db.conn(), &users).await?;
    Ok(rows
        .into_iter()
        .map(|e| crate::views::OrderEventView {
            at: karta_core::time::rfc3339(e.at),
            user_name: e.user_id.and_then(|u| names.get(&u).cloned()),
            user_id: e.user_id,
            channel: e.channel,
            from_status: e.from_status,
            to_status: e.to_status,
            comment: e.comment,
        })
        .collect())
}

/// The lines of those `orders` the principal may read, by order, in one
/// query (for exports that write a page of orders with their lines).
pub async fn lines_of(
    app: &App,
    p: &Principal,
    orders: &[order::Model],
) -> Result<std::collections::HashMap<Uuid, Vec<order_line::Model>>, AppError> {
    let vis = p.require(Entity::Orders, Access::Read)?;
    let ids: Vec<Uuid> = orders
        .iter()
        .filter(|o| order::Entity::visible(&vis, o))
        .map(|o| o.id)
        .collect();
    Ok(store::lines_of(app.db.conn(), &ids).await?)
}
