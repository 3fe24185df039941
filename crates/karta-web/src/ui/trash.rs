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
use karta_app::{AppError, accounts, contacts};
use karta_core::identifiers::CustomerCode;
use karta_core::roles::{Access, Entity, Reach};
use karta_db::accounts::{AccountFilter, AccountSort};
use karta_db::contacts::{ContactFilter, ContactSort};
use karta_db::products::ProductSort;
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

/// The trash page; an entity the caller may not read is simply absent.
pub async fn page(State(state): State<AppState>, caller: UiCaller) -> Result<Response, ApiError> {
    let p = &caller.0.principal;
    let accounts = match accounts::list(
        &state.app,
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
    {
        Ok(page) => page
            .items
            .iter()
            .map(|m| Deleted {
                restore: restore_path("accounts", m.id),
                code: CustomerCode(m.code).to_string(),
                name: m.name.clone(),
                version: m.version,
            })
            .collect(),
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let contacts = match contacts::list(
        &state.app,
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
    {
        Ok((page, _)) => page
            .items
            .iter()
            .map(|m| Deleted {
                restore: restore_path("contacts", m.id),
                code: String::new(),
                name: karta_db::contacts::fields_of(m, Vec::new()).display_name(),
                version: m.version,
            })
            .collect(),
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let products = if p.reach(Entity::Products, Access::Delete) == Reach::Nothing {
        Vec::new()
    } else {
        let filter = karta_db::products::ProductFilter {
            deleted: true,
            ..Default::default()
        };
        karta_app::products::list(&state.app, p, filter, ProductSort::UpdatedDesc, None, SHOWN)
            .await?
            .items
            .iter()
            .map(|m| Deleted {
                restore: restore_path("products", m.id),
                code: m.sku.clone(),
                name: m.name.clone(),
                version: m.version,
            })
            .collect()
    };
    let price_lists = match karta_app::price_lists::list(&state.app, p, true, None, SHOWN).await {
        Ok(page) => page
            .items
            .iter()
            .map(|m| Deleted {
                restore: restore_path("price-lists", m.id),
                code: String::new(),
                name: m.name.clone(),
                version: m.version,
            })
            .collect(),
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let contracts = match karta_app::contracts::list(&state.app, p, None, true, None, SHOWN).await {
        Ok(page) => page
            .items
            .iter()
            .map(|m| Deleted {
                restore: restore_path("contracts", m.id),
                code: String::new(),
                name: m.number.clone(),
                version: m.version,
            })
            .collect(),
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
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
