//! The products of a deal on its card: a table with VAT and totals, and a
//! box to change them one line per product — `article; quantity` and
//! optionally `; price` and `; discount %` (a row pasted from a
//! spreadsheet works too: tabs separate like semicolons).

use super::{PageCtx, forms};
use crate::AppState;
use crate::auth::UiCaller;
use crate::error::ApiError;
use crate::http::Path;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use karta_app::AppError;
use karta_app::model::DealLine;
use karta_core::custom_fields::{format_money_minor, parse_money_minor};
use karta_core::money::{Currency, format_amount};
use karta_core::price_lists::percent;
use karta_core::pricing::LineDraft;
use uuid::Uuid;

/// One line as the card shows it.
pub struct LineRow {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub quantity: String,
    pub price: String,
    pub discount: String,
    pub vat: String,
    pub gross: String,
}

/// The card's products section.
#[derive(Default)]
pub struct LinesSection {
    pub rows: Vec<LineRow>,
    /// Net, VAT and gross totals, formatted.
    pub totals: Option<(String, String, String)>,
    /// The lines as the edit box shows them.
    pub text: String,
}

/// The section for a deal's lines, in the page language.
pub fn section(lines: &[DealLine], lang: &str) -> LinesSection {
    let Some(first) = lines.first() else {
        return LinesSection::default();
    };
    let currency = Currency::parse(&first.currency).unwrap_or_else(|_| Currency::rub());
    let money = |minor: i64| format_amount(minor, &currency, lang);
    let rows = lines
        .iter()
        .map(|l| LineRow {
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            quantity: l.quantity.to_string(),
            price: money(l.unit_price_minor),
            discount: if l.discount_bp == 0 {
                String::new()
            } else {
                format!("{} %", percent(l.discount_bp)).replace('.', ",")
            },
            vat: format!("{} % · {}", l.vat_rate, money(l.vat_minor)),
            gross: money(l.gross_minor),
        })
        .collect();
    let sum = |f: fn(&DealLine) -> i64| lines.iter().map(f).sum::<i64>();
    let text = lines
        .iter()
        .map(|l| {
            let mut s = format!("{}; {}", l.sku, l.quantity);
            if l.price_rule == "manual" {
                s.push_str(&format!("; {}", format_money_minor(l.unit_price_minor)));
            }
            if l.discount_bp != 0 {
                if l.price_rule != "manual" {
                    s.push(';');
                }
                s.push_str(&format!("; {} %", percent(l.discount_bp)).replace('.', ","));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n");
    LinesSection {
        rows,
        totals: Some((
            money(sum(|l| l.net_minor)),
            money(sum(|l| l.vat_minor)),
            money(sum(|l| l.gross_minor)),
        )),
        text,
    }
}

/// Reads the box: one line per product. `Err((line number, code))` for
/// the first line that cannot be read.
pub(super) async fn read_lines(
    state: &AppState,
    p: &karta_app::Principal,
    text: &str,
) -> Result<Vec<LineDraft>, (usize, &'static str)> {
    let mut drafts = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = raw.split([';', '\t']).map(str::trim).collect();
        let product = karta_app::products::with_sku(&state.app, p, cells[0])
            .await
            .ok()
            .flatten()
            .filter(|p| p.deleted_at.is_none())
            .ok_or((n + 1, "unknown_product"))?;
        let quantity = match cells.get(1).filter(|c| !c.is_empty()) {
            Some(q) => q
                .replace([' ', '\u{a0}'], "")
                .parse::<i64>()
                .map_err(|_| (n + 1, "invalid_number"))?,
            None => 1,
        };
        let price_minor = match cells.get(2).filter(|c| !c.is_empty()) {
            Some(p) => Some(parse_money_minor(p).map_err(|c| (n + 1, c))?),
            None => None,
        };
        let discount_percent = match cells.get(3).filter(|c| !c.is_empty()) {
            Some(d) => Some(
                d.trim_end_matches('%')
                    .trim()
                    .replace(',', ".")
                    .parse::<f64>()
                    .map_err(|_| (n + 1, "invalid_discount"))?,
            ),
            None => None,
        };
        drafts.push(LineDraft {
            product_id: Some(product.id),
            quantity: Some(quantity),
            price_minor,
            discount_percent,
        });
    }
    Ok(drafts)
}

/// The card's address with the refusal and, when known, its line.
fn refused(id: Uuid, code: &str, line: Option<usize>) -> Response {
    let line = line.map(|n| format!("&line={n}")).unwrap_or_default();
    Redirect::to(&format!("/deals/{id}?error={code}{line}#lines")).into_response()
}

/// The line number (from 1) a `lines[i].…` field names, counting only the
/// box's non-empty lines as the API sees them.
fn line_of(field: &str, text: &str) -> Option<usize> {
    let index: usize = field
        .strip_prefix("lines[")?
        .split(']')
        .next()?
        .parse()
        .ok()?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .nth(index)
        .map(|(n, _)| n + 1)
}

/// Saves the products box of the deal card.
pub async fn save(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let version = forms::form_value(&form, "version").and_then(|v| v.parse().ok());
    let text = forms::form_value(&form, "lines").unwrap_or_default();
    let drafts = match read_lines(&state, &caller.0.principal, &text).await {
        Ok(d) => d,
        Err((line, code)) => return Ok(refused(id, code, Some(line))),
    };
    match karta_app::deal_lines::set(&state.app, &caller.0.principal, id, version, drafts).await {
        Ok(_) => Ok(Redirect::to(&format!("/deals/{id}#lines")).into_response()),
        Err(AppError::Invalid(e)) => {
            let first = e.0.first();
            let code = first.map(|f| f.code).unwrap_or("other");
            Ok(refused(
                id,
                code,
                first.and_then(|f| line_of(&f.field, &text)),
            ))
        }
        Err(AppError::VersionMismatch { .. }) => Ok(refused(id, "changed_meanwhile", None)),
        Err(e) => Err(e.into()),
    }
}

/// The refusal shown on the card: the message, with its line when known.
pub fn error_text(page: &PageCtx, code: Option<String>, line: Option<usize>) -> String {
    match (code, line) {
        (Some(c), Some(n)) => format!("{} {n}: {}", page.tr.t("line"), page.tr.error(&c)),
        (Some(c), None) => page.tr.error(&c),
        _ => String::new(),
    }
}

/// Makes a proposal from the deal card and opens it.
pub async fn proposal(
    State(state): State<AppState>,
    caller: UiCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.check_csrf(forms::form_value(&form, "_csrf").as_deref())?;
    let lang = forms::form_value(&form, "lang").unwrap_or_else(|| "ru".into());
    let result = karta_app::proposals::create(&state.app, &caller.0.principal, id, &lang)
        .await
        .map(|_| format!("/api/v1/deals/{id}/proposal.pdf"));
    forms::redirect_after(result, &format!("/deals/{id}"))
}
