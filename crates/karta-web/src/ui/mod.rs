//! The server-rendered web UI. Pages work without JavaScript; `app.js`
//! adds live search and the `/` shortcut.

pub mod accounts;
pub mod activities;
pub mod admin;
pub mod board;
pub mod calendar;
pub mod company;
pub mod contacts;
pub mod contracts;
pub mod control;
pub mod custom;
pub mod deal_lines;
pub mod deals;
pub mod duplicates;
pub mod finance;
pub mod forms;
pub mod help;
pub mod imports;
pub mod jobs;
pub mod leads;
pub mod lists;
pub mod orders;
pub mod pipelines;
pub mod price_lists;
pub mod problems;
pub mod products;
pub mod profile;
pub mod routing;
pub mod search;
pub mod session;
pub mod today;
pub mod tokens;
pub mod trash;

use crate::AppState;
use crate::auth::UiCaller;
use crate::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use karta_app::model::Classifier;
use karta_app::views::ChangeView;
use karta_core::money::{Currency, format_amount};
use karta_core::roles::{Access, Entity, Reach};
use serde_json::Value;
use std::collections::HashMap;

/// Every UI route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/today") }))
        .route("/today", get(today::page))
        .route("/events", get(today::events))
        .route("/tasks", post(today::create_task))
        .route("/tasks/{id}/status", post(today::set_status))
        .route("/calendar", get(calendar::page))
        .route("/calendar/feed", post(calendar::enable_feed))
        .route("/calendar/feed/revoke", post(calendar::revoke_feed))
        .route("/leads", get(leads::list))
        .route("/leads/new", get(leads::new_form).post(leads::create))
        .route("/leads/form", get(leads::snippet))
        .route("/leads/redistribute", post(leads::redistribute))
        .route("/leads/{id}", get(leads::card))
        .route("/leads/{id}/status", post(leads::set_status))
        .route("/leads/{id}/convert", post(leads::convert))
        .route("/routing", get(routing::page).post(routing::create))
        .route("/routing/default", post(routing::set_default))
        .route("/routing/{id}", post(routing::update))
        .route("/routing/{id}/delete", post(routing::delete))
        .route("/control", get(control::page))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/language", post(session::language))
        .route("/accounts", get(accounts::list))
        .route(
            "/accounts/new",
            get(accounts::new_form).post(accounts::create),
        )
        .route("/accounts/{id}", get(accounts::card))
        .route(
            "/accounts/{id}/edit",
            get(accounts::edit_form).post(accounts::save),
        )
        .route("/accounts/{id}/delete", post(accounts::delete))
        .route("/accounts/{id}/restore", post(accounts::restore))
        .route("/products", get(products::list))
        .route(
            "/products/new",
            get(products::new_form).post(products::create),
        )
        .route("/products/{id}", get(products::card))
        .route(
            "/products/{id}/edit",
            get(products::edit_form).post(products::save),
        )
        .route("/products/{id}/delete", post(products::delete))
        .route("/products/{id}/restore", post(products::restore))
        .route("/price-lists", get(price_lists::list))
        .route(
            "/price-lists/new",
            get(price_lists::new_form).post(price_lists::create),
        )
        .route("/price-lists/{id}", get(price_lists::card))
        .route(
            "/price-lists/{id}/edit",
            get(price_lists::edit_form).post(price_lists::save),
        )
        .route("/price-lists/{id}/delete", post(price_lists::delete))
        .route("/price-lists/{id}/restore", post(price_lists::restore))
        .route("/trash", get(trash::page))
        .route("/trash/{kind}/{id}/restore", post(trash::restore))
        .route("/duplicates", get(duplicates::page))
        .route("/duplicates/merge", post(duplicates::merge))
        .route("/duplicates/compare", post(duplicates::compare))
        .route(
            "/imports",
            get(imports::page).post(imports::upload).layer(
                // A customer base from 1C can be hundreds of megabytes; the
                // upload streams to disk, so no cap is needed.
                axum::extract::DefaultBodyLimit::disable(),
            ),
        )
        .route(
            "/imports/new/{id}",
            get(imports::mapping).post(imports::start),
        )
        .route("/imports/{id}", get(imports::job))
        .route("/imports/{id}/errors.csv", get(imports::errors_csv))
        .route("/imports/{id}/undo", post(imports::undo))
        .route("/search", get(search::results))
        .route("/contacts", get(contacts::list))
        .route(
            "/contacts/new",
            get(contacts::new_form).post(contacts::create),
        )
        .route("/contacts/{id}", get(contacts::card))
        .route(
            "/contacts/{id}/edit",
            get(contacts::edit_form).post(contacts::save),
        )
        .route("/contacts/{id}/delete", post(contacts::delete))
        .route("/contacts/{id}/restore", post(contacts::restore))
        .route("/activities", post(activities::log))
        .route("/deals", get(deals::list))
        .route("/deals/new", get(deals::new_form).post(deals::create))
        .route("/deals/board", get(board::page))
        .route("/deals/board/column", get(board::column))
        .route("/deals/{id}", get(deals::card))
        .route("/deals/{id}/edit", get(deals::edit_form).post(deals::save))
        .route("/deals/{id}/move", post(deals::move_to))
        .route("/deals/{id}/checklist", post(deals::checklist))
        .route("/deals/{id}/lines", post(deal_lines::save))
        .route("/deals/{id}/order", post(orders::from_deal))
        .route("/deals/{id}/proposal", post(deal_lines::proposal))
        .route(
            "/contracts/new",
            get(contracts::new_form).post(contracts::create),
        )
        .route("/contracts/{id}", get(contracts::card))
        .route(
            "/contracts/{id}/edit",
            get(contracts::edit_form).post(contracts::save),
        )
        .route("/contracts/{id}/delete", post(contracts::delete))
        .route("/contracts/{id}/restore", post(contracts::restore))
        .route("/orders", get(orders::list))
        .route("/orders/new", get(orders::new_form).post(orders::create))
        .route("/orders/{id}", get(orders::card))
        .route("/orders/{id}/status", post(orders::change_status))
        .route("/orders/{id}/invoice", post(finance::invoice_order))
        .route("/invoices", get(finance::list))
        .route("/invoices/{id}/pay", post(finance::pay))
        .route(
            "/payments/statement",
            get(finance::statement_form).post(finance::statement_upload),
        )
        .route("/accounts/{id}/release", post(finance::release))
        .route("/deals/{id}/delete", post(deals::delete))
        .route("/deals/{id}/restore", post(deals::restore))
        .route("/pipelines", get(pipelines::page).post(pipelines::create))
        .route("/pipelines/{id}", post(pipelines::save))
        .route("/profile", get(profile::page).post(profile::save))
        .route("/help", get(help::index))
        .route("/help/{section}", get(help::page))
        .route("/profile/password", post(profile::change_password))
        .route("/tokens", get(tokens::page).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/admin", get(admin::page))
        .route("/admin/jobs", get(jobs::page))
        .route("/admin/company", get(company::page).post(company::save))
        .route("/admin/jobs/{id}/{act}", post(jobs::act))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/{id}", post(admin::update_user))
        .route("/admin/teams", post(admin::add_team))
        .route("/admin/classifiers", post(admin::add_classifier))
        .route("/admin/classifiers/{id}", post(admin::update_classifier))
        .route("/admin/custom-fields", post(admin::add_custom_field))
        .route(
            "/admin/custom-fields/{id}",
            post(admin::update_custom_field),
        )
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub tr: Tr,
    pub csrf: String,
    pub user_name: String,
    pub q: String,
    /// Show the settings link.
    pub show_admin: bool,
    /// Show the head of sales' control page link.
    pub show_control: bool,
    /// A word that the last action was done («Записано.»), shown once.
    pub notice: String,
    /// The reader's clock, minutes east of UTC, and as `+03:00`: pages show
    /// instants and read typed times in it.
    pub utc_minutes: i32,
    pub zone: String,
    /// The kinds of records the user may change (some of) and delete, so
    /// a page offers only the actions that will not end on a 403.
    writable: Vec<Entity>,
    deletable: Vec<Entity>,
}

impl PageCtx {
    /// The layout context of a signed-in user.
    pub fn of(caller: &UiCaller) -> Self {
        let user = caller.0.user.as_ref();
        Self {
            tr: Tr::new(user.and_then(|u| u.locale.as_deref()).unwrap_or("ru")),
            csrf: caller.0.csrf.clone().unwrap_or_default(),
            user_name: user.map(|u| u.name.clone()).unwrap_or_default(),
            q: String::new(),
            show_admin: admin::may_manage(caller),
            show_control: caller
                .0
                .principal
                .may_assign(karta_core::roles::Entity::Deals),
            notice: String::new(),
            utc_minutes: caller.0.utc_offset,
            zone: karta_core::time::format_utc_offset(caller.0.utc_offset),
            writable: reachable(caller, Access::Write),
            deletable: reachable(caller, Access::Delete),
        }
    }

    /// Says what the last action did, named by `done` in the query
    /// (`?done=logged` → `done-logged`).
    pub fn with_notice(mut self, query: &HashMap<String, String>) -> Self {
        if let Some(done) = query.get("done") {
            self.notice = self.tr.t(&format!("done-{done}"));
        }
        self
    }

    /// Whether the user may create or change (some) records of `entity`
    /// (`accounts`, `price_lists`).
    pub fn may_write(&self, entity: &str) -> bool {
        entity.parse().is_ok_and(|e| self.writable.contains(&e))
    }

    /// Whether the user may delete (some) records of `entity`.
    pub fn may_delete(&self, entity: &str) -> bool {
        entity.parse().is_ok_and(|e| self.deletable.contains(&e))
    }
}

/// The entities on which the caller's role and token reach some records.
fn reachable(caller: &UiCaller, access: Access) -> Vec<Entity> {
    Entity::ALL
        .into_iter()
        .filter(|e| caller.0.principal.reach(*e, access) != Reach::Nothing)
        .collect()
}

/// Renders a template, or a plain 500 if rendering fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Classifier labels in the page language, by (kind, code).
pub struct Labels(HashMap<(String, String), String>);

impl Labels {
    /// Labels of all classifier values.
    pub fn new(all: &[Classifier], tr: Tr) -> Self {
        Self(
            all.iter()
                .map(|c| {
                    (
                        (c.kind.clone(), c.code.clone()),
                        if tr.lang == "en" {
                            c.label_en.clone()
                        } else {
                            c.label_ru.clone()
                        },
                    )
                })
                .collect(),
        )
    }

    /// The label of a code (the code itself when unknown).
    pub fn of(&self, kind: &str, code: Option<&str>) -> String {
        match code {
            Some(c) => self
                .0
                .get(&(kind.to_string(), c.to_string()))
                .cloned()
                .unwrap_or_else(|| c.to_string()),
            None => String::new(),
        }
    }

    /// `(code, label)` pairs of one kind, for selects.
    pub fn options(&self, all: &[Classifier], kind: &str) -> Vec<(String, String)> {
        all.iter()
            .filter(|c| c.kind == kind && c.active)
            .map(|c| (c.code.clone(), self.of(kind, Some(&c.code))))
            .collect()
    }
}

/// An RFC 3339 instant as text for pages without JavaScript
/// (`2026-11-23 07:15 UTC`); `app.js` rewrites it on the reader's clock
/// (their profile's zone, not the browser's: the one they type times in).
pub fn utc_label(iso: &str) -> String {
    format!("{} UTC", iso.get(..16).unwrap_or(iso).replace('T', " "))
}

/// A phone number as a `tel:` link a phone dials: digits and the leading
/// `+` only (`+7 (495) 123-45-67` → `tel:+74951234567`).
pub fn tel_href(phone: &str) -> String {
    let dialled: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{dialled}")
}

/// A phone or e-mail shown as a link to call or write.
pub struct ContactLink {
    pub href: String,
    pub text: String,
}

impl ContactLink {
    pub fn phone(p: &str) -> Self {
        Self {
            href: tel_href(p),
            text: p.to_string(),
        }
    }

    pub fn email(e: &str) -> Self {
        Self {
            href: format!("mailto:{e}"),
            text: e.to_string(),
        }
    }

    /// A contact's phones, then e-mails.
    pub fn of<P: ToString, E: ToString>(phones: &[P], emails: &[E]) -> Vec<Self> {
        phones
            .iter()
            .map(|p| Self::phone(&p.to_string()))
            .chain(emails.iter().map(|e| Self::email(&e.to_string())))
            .collect()
    }
}

/// One timeline entry, ready to show.
pub struct TimelineEntry {
    /// UTC, shown as is without JavaScript and converted to the reader's
    /// clock by `app.js`.
    pub at: String,
    /// RFC 3339 instant for `<time datetime>`.
    pub iso: String,
    pub who: String,
    pub what: String,
    pub detail: String,
}

impl TimelineEntry {
    /// An entry at the RFC 3339 instant `iso`.
    pub fn new(iso: String, who: String, what: String, detail: String) -> Self {
        Self {
            at: utc_label(&iso),
            iso,
            who,
            what,
            detail,
        }
    }
}

/// A history value as the field is shown on the card: money in roubles
/// (or the record's currency), days in the reader's format, yes/no, a
/// deal's lines as `SKU × quantity — amount`, a user or team by name.
fn shown(
    field: &str,
    value: &Option<Value>,
    name: Option<String>,
    tr: Tr,
    currency: &Currency,
) -> String {
    if let Some(name) = name {
        return name;
    }
    let money = |minor: i64| format_amount(minor, currency, tr.lang);
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::Array(items)) if items.is_empty() => "—".to_string(),
        Some(Value::Number(n)) if field.ends_with("_minor") => {
            n.as_i64().map(money).unwrap_or_else(|| n.to_string())
        }
        Some(Value::Bool(b)) => tr.t(if *b { "yes" } else { "no" }),
        Some(Value::String(s)) => tr.day(s),
        Some(Value::Array(items)) if field == "lines" => items
            .iter()
            .map(|l| {
                let sku = l["sku"].as_str().unwrap_or_default();
                let quantity = l["quantity"].to_string();
                let gross = l["gross_minor"].as_i64().map(money).unwrap_or_default();
                let discount = l["discount_percent"].as_f64().unwrap_or_default();
                if discount > 0.0 {
                    let discount = discount
                        .to_string()
                        .replace('.', if tr.lang == "en" { "." } else { "," });
                    format!("{sku} × {quantity} − {discount} % — {gross}")
                } else {
                    format!("{sku} × {quantity} — {gross}")
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(Value::Array(items)) => items
            .iter()
            .map(|x| {
                x.as_str()
                    .map(|s| tr.day(s))
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// History rows as timeline entries (UTC, minute precision), money in the
/// record's `currency`. A record's creation is one entry, not one per
/// initial field.
pub fn timeline(rows: Vec<ChangeView>, tr: Tr, currency: &str) -> Vec<TimelineEntry> {
    let currency = &Currency::parse(currency).unwrap_or_else(|_| Currency::rub());
    let mut seen_create = false;
    rows.into_iter()
        .filter(|c| c.action != "create" || !std::mem::replace(&mut seen_create, true))
        .map(|c| {
            let what = tr.t(&format!("history-{}", c.action));
            let detail = match &c.field {
                Some(f) if c.action == "update" => format!(
                    "{} {} → {}",
                    tr.field_name(f),
                    shown(f, &c.old, c.old_name.clone(), tr, currency),
                    shown(f, &c.new, c.new_name.clone(), tr, currency)
                ),
                _ => String::new(),
            };
            let who = c.actor_name.unwrap_or_else(|| tr.t("history-system"));
            TimelineEntry::new(c.at, who, what, detail)
        })
        .collect()
}
