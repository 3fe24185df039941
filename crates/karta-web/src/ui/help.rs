//! Built-in help: a short page per section (`/help/accounts`), reached
//! with `?` from that section or the header's «?», and the one-line hint a
//! section shows on a person's first visit. Texts live in the language
//! files (`help-<section>-title`, `-hint`, `-body`).

use super::{PageCtx, render};
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use askama::Template;
use axum::response::Response;
use karta_app::AppError;

/// The sections with help, in the order the index lists them. The
/// browser maps a page's address to one of them (`static/app.js`).
pub const SECTIONS: [&str; 12] = [
    "today", "leads", "accounts", "contacts", "deals", "orders", "invoices", "products",
    "calendar", "control", "imports", "settings",
];

/// One section's help, ready to show.
pub struct Section {
    pub key: &'static str,
    pub title: String,
    pub paragraphs: Vec<String>,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    page: PageCtx,
    /// The section asked for; every section on the index.
    sections: Vec<Section>,
    index: bool,
}

fn section(page: &PageCtx, key: &'static str) -> Section {
    let body = page.tr.t(&format!("help-{key}-body"));
    Section {
        key,
        title: page.tr.t(&format!("help-{key}-title")),
        paragraphs: body.lines().map(str::to_string).collect(),
    }
}

/// Every section's help on one page.
pub async fn index(caller: UiCaller) -> Result<Response, ApiError> {
    let page = PageCtx::of(&caller);
    let sections = SECTIONS.iter().map(|k| section(&page, k)).collect();
    Ok(render(&HelpPage {
        page,
        sections,
        index: true,
    }))
}

/// One section's help.
pub async fn page(caller: UiCaller, Path(key): Path<String>) -> Result<Response, ApiError> {
    let key = SECTIONS
        .iter()
        .find(|s| **s == key)
        .ok_or(ApiError(AppError::NotFound))?;
    let page = PageCtx::of(&caller);
    let sections = vec![section(&page, key)];
    Ok(render(&HelpPage {
        page,
        sections,
        index: false,
    }))
}
