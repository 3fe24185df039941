//! The trash: deleted accounts, contacts, products, price lists and
//! contracts the caller may see (and restore), newest first, each with a
//! restore button. Records leave it for good after the restore window (the
//! purge job).

use super::{PageCtx, render};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use karta_app::{AppError, accounts, contacts, contracts, price_lists, products};
use karta_core::accounts::{AccountFilter, AccountSort};
use karta_core::contacts::{ContactFilter, ContactSort};
use karta_core::identifiers::CustomerCode;
use karta_core::products::{ProductFilter, ProductSort};
use uuid::Uuid;

/// A deleted record: where restore posts, code (accounts), name, version.
pub struct Deleted {
    restore: String,
    code: String,
    name: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    page: PageCtx,
    /// A heading and its rows, per entity with anything deleted.
    sections: Vec<(String, Vec<Deleted>)>,
}

/// How many deleted records of each kind the page shows.
const SHOWN: u64 = 100;

/// The deleted records of one kind, or none when the caller's role may not
/// restore that kind.
fn or_none<T>(listed: Result<Vec<T>, AppError>) -> Result<Vec<T>, ApiError> {
    match listed {
        Err(AppError::Forbidden) => Ok(Vec::new()),
        other => Ok(other?),
    }
}

fn deleted(restore: &str, id: Uuid, code: String, name: String, version: i64) -> Deleted {
    Deleted {
        restore: restore_path(restore, id),
        code,
        name,
        version,
    }
}

/// The trash page; an entity the caller may not restore is simply absent.
pub async fn page(State(state): State<AppState>, caller: UiCaller) -> Result<Response, ApiError> {
    let (app, p) = (&state.app, &caller.0.principal);
    let accounts = or_none(
        accounts::list(
            app,
            p,
            AccountFilter {
                deleted: true,
                ..Default::default()
            },
            AccountSort::UpdatedDesc,
            None,
            SHOWN,
        )
        .await
        .map(|page| {
            let row = |m: &karta_app::model::Account| {
                deleted(
                    "accounts",
                    m.id,
                    CustomerCode(m.code).to_string(),
                    m.name.clone(),
                    m.version,
                )
            };
            page.items.iter().map(row).collect()
        }),
    )?;
    let contacts = or_none(
        contacts::list(
            app,
            p,
            ContactFilter {
                deleted: true,
                ..Default::default()
            },
            ContactSort::UpdatedDesc,
            None,
            SHOWN,
        )
        .await
        .map(|(page, _)| {
            let row = |m: &karta_app::model::Contact| {
                let name = karta_app::contacts::fields_of(m, Vec::new()).display_name();
                deleted("contacts", m.id, String::new(), name, m.version)
            };
            page.items.iter().map(row).collect()
        }),
    )?;
    let product_filter = ProductFilter {
        deleted: true,
        ..Default::default()
    };
    let products = or_none(
        products::list(
            app,
            p,
            product_filter,
            ProductSort::UpdatedDesc,
            None,
            SHOWN,
        )
        .await
        .map(|page| {
            let row = |m: &karta_app::model::Product| {
                deleted("products", m.id, m.sku.clone(), m.name.clone(), m.version)
            };
            page.items.iter().map(row).collect()
        }),
    )?;
    let price_lists = or_none(
        price_lists::list(app, p, true, None, SHOWN)
            .await
            .map(|page| {
                let row = |m: &karta_app::model::PriceList| {
                    deleted(
                        "price-lists",
                        m.id,
                        String::new(),
                        m.name.clone(),
                        m.version,
                    )
                };
                page.items.iter().map(row).collect()
            }),
    )?;
    let contracts = or_none(
        contracts::list(app, p, None, true, None, SHOWN)
            .await
            .map(|page| {
                let row = |m: &karta_app::model::Contract| {
                    deleted(
                        "contracts",
                        m.id,
                        String::new(),
                        m.number.clone(),
                        m.version,
                    )
                };
                page.items.iter().map(row).collect()
            }),
    )?;
    let page = PageCtx::of(&caller);
    let sections = [
        ("trash-accounts", accounts),
        ("trash-contacts", contacts),
        ("trash-products", products),
        ("trash-price-lists", price_lists),
        ("trash-contracts", contracts),
    ]
    .into_iter()
    .filter(|(_, rows)| !rows.is_empty())
    .map(|(heading, rows)| (page.tr.t(heading), rows))
    .collect();
    Ok(render(&TrashPage { page, sections }))
}

fn restore_path(entity: &str, id: Uuid) -> String {
    format!("/{entity}/{id}/restore")
}
