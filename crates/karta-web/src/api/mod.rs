//! The JSON API under `/api/v1`.

pub mod accounting;
pub mod accounts;
pub mod activities;
pub mod calendar;
pub mod commerceml;
pub mod contacts;
pub mod contracts;
pub mod deal_lines;
pub mod deals;
pub mod directory;
pub mod docs;
pub mod duplicates;
pub mod export;
pub mod import;
pub mod invoices;
pub mod jobs;
pub mod leads;
pub mod orders;
pub mod pipelines;
pub mod price_lists;
pub mod products;
pub mod proposals;
pub mod routing;
pub mod search;
pub mod settings;
pub mod tasks;
pub mod trash;

use crate::AppState;
use crate::error::{ApiError, bad_request};
use axum::Router;
use axum::routing::{get, post};
use karta_core::custom_fields::FieldType;
use karta_core::search::CustomFilter;
use std::collections::HashMap;

/// Every `/api/v1` route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/export.csv", get(accounts::export_csv))
        .route("/accounts/export.xlsx", get(accounts::export_xlsx))
        .route(
            "/accounts/{id}",
            get(accounts::get)
                .patch(accounts::update)
                .delete(accounts::delete),
        )
        .route("/accounts/{id}/restore", post(accounts::restore))
        .route("/accounts/{id}/history", get(accounts::history))
        .route("/accounts/{id}/merge", post(duplicates::merge_accounts))
        .route("/duplicates", get(duplicates::list))
        .route("/imports", get(import::list))
        .route("/imports/profiles", get(import::profile_list))
        .route("/imports/{id}", get(import::get).post(import::create))
        .route("/imports/{id}/preview", post(import::preview))
        .route("/imports/{id}/errors", get(import::errors))
        .route("/imports/{id}/errors.csv", get(import::errors_csv))
        .route("/imports/{id}/undo", post(import::undo))
        .route("/trash", get(trash::list))
        .route("/trash/{kind}/{id}/restore", post(trash::restore))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::get))
        .route("/jobs/{id}/retry", post(jobs::retry))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/export.csv", get(contacts::export_csv))
        .route("/contacts/export.xlsx", get(contacts::export_xlsx))
        .route("/contacts/export.vcf", get(contacts::export_vcf))
        .route("/contacts/import.vcf", post(import::create_from_vcard))
        .route(
            "/contacts/{id}",
            get(contacts::get)
                .patch(contacts::update)
                .delete(contacts::delete),
        )
        .route("/contacts/{id}/restore", post(contacts::restore))
        .route("/contacts/{id}/history", get(contacts::history))
        .route("/contacts/{id}/merge", post(duplicates::merge_contacts))
        .route("/pipelines", get(pipelines::list).post(pipelines::create))
        .route(
            "/pipelines/{id}",
            get(pipelines::get).patch(pipelines::update),
        )
        .route(
            "/activities",
            get(activities::list).post(activities::create),
        )
        .route(
            "/activities/{id}",
            get(activities::get)
                .patch(activities::update)
                .delete(activities::delete),
        )
        .route("/deals", get(deals::list).post(deals::create))
        .route("/deals/export.csv", get(deals::export_csv))
        .route("/deals/export.xlsx", get(deals::export_xlsx))
        .route("/deals/totals", get(deals::totals))
        .route(
            "/deals/{id}",
            get(deals::get).patch(deals::update).delete(deals::delete),
        )
        .route("/deals/{id}/restore", post(deals::restore))
        .route("/deals/{id}/history", get(deals::history))
        .route("/deals/{id}/stages", get(deals::stays))
        .route(
            "/deals/{id}/lines",
            get(deal_lines::get).put(deal_lines::put),
        )
        .route("/deals/{id}/order", post(orders::from_deal))
        .route("/deals/{id}/proposal", post(proposals::create))
        .route("/deals/{id}/proposal.pdf", get(proposals::get))
        .route(
            "/company",
            get(proposals::company).put(proposals::set_company),
        )
        .route("/contracts", get(contracts::list).post(contracts::create))
        .route(
            "/contracts/{id}",
            get(contracts::get)
                .patch(contracts::update)
                .delete(contracts::delete),
        )
        .route("/contracts/{id}/history", get(contracts::history))
        .route("/contracts/{id}/restore", post(contracts::restore))
        .route("/orders", get(orders::list).post(orders::create))
        .route("/orders/export.csv", get(accounting::orders_csv))
        .route("/orders/export.xlsx", get(accounting::orders_xlsx))
        .route("/orders/export.xml", get(commerceml::orders_xml))
        .route("/invoices/export.csv", get(accounting::invoices_csv))
        .route("/invoices/export.xlsx", get(accounting::invoices_xlsx))
        .route("/payments/export.csv", get(accounting::payments_csv))
        .route("/payments/export.xlsx", get(accounting::payments_xlsx))
        .route("/orders/{id}", get(orders::get))
        .route(
            "/orders/{id}/lines",
            get(orders::lines).put(orders::put_lines),
        )
        .route("/orders/{id}/status", post(orders::change_status))
        .route("/orders/{id}/history", get(orders::history))
        .route("/invoices", get(invoices::list).post(invoices::create))
        .route("/invoices/{id}", get(invoices::get))
        .route("/invoices/{id}/history", get(invoices::history))
        .route("/invoices/{id}/pdf", get(invoices::pdf))
        .route("/payments", get(invoices::payments).post(invoices::pay))
        .route("/payments/statement", post(invoices::statement))
        .route("/accounts/{id}/credit-hold", get(invoices::hold))
        .route(
            "/accounts/{id}/credit-hold/release",
            post(invoices::release),
        )
        .route(
            "/users",
            get(directory::list_users).post(directory::create_user),
        )
        .route("/users/{id}", axum::routing::patch(directory::update_user))
        .route("/me", get(directory::me).patch(directory::update_me))
        .route("/me/password", post(directory::change_my_password))
        .route(
            "/teams",
            get(directory::list_teams).post(directory::create_team),
        )
        .route(
            "/tokens",
            get(directory::list_tokens).post(directory::create_token),
        )
        .route(
            "/tokens/{id}",
            axum::routing::delete(directory::revoke_token),
        )
        .route("/login-events", get(directory::login_events))
        .route(
            "/classifiers",
            get(settings::list_classifiers).post(settings::create_classifier),
        )
        .route(
            "/custom-fields",
            get(settings::list_custom_fields).post(settings::create_custom_field),
        )
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route(
            "/tasks/{id}",
            get(tasks::get).patch(tasks::update).delete(tasks::delete),
        )
        .route("/leads", get(leads::list).post(leads::create))
        .route("/leads/export.csv", get(leads::export_csv))
        .route("/leads/export.xlsx", get(leads::export_xlsx))
        .route("/leads/redistribute", post(leads::redistribute))
        .route(
            "/leads/{id}",
            get(leads::get).patch(leads::update).delete(leads::delete),
        )
        .route("/leads/{id}/convert", post(leads::convert))
        .route("/leads/{id}/history", get(leads::history))
        .route("/products", get(products::list).post(products::create))
        .route("/products/export.csv", get(products::export_csv))
        .route("/products/export.xlsx", get(products::export_xlsx))
        .route(
            "/products/{id}",
            get(products::get)
                .patch(products::update)
                .delete(products::delete),
        )
        .route("/products/{id}/restore", post(products::restore))
        .route("/products/{id}/history", get(products::history))
        .route(
            "/price-lists",
            get(price_lists::list).post(price_lists::create),
        )
        .route(
            "/price-lists/{id}",
            get(price_lists::get)
                .patch(price_lists::update)
                .delete(price_lists::delete),
        )
        .route("/price-lists/{id}/history", get(price_lists::history))
        .route("/price-lists/{id}/restore", post(price_lists::restore))
        .route("/prices", get(price_lists::quotes))
        .route("/routing-rules", get(routing::list).post(routing::create))
        .route(
            "/routing-rules/default",
            axum::routing::put(routing::set_default),
        )
        .route(
            "/routing-rules/{id}",
            axum::routing::patch(routing::update).delete(routing::delete),
        )
        .route(
            "/calendar-feed",
            post(calendar::enable).delete(calendar::revoke),
        )
        .route("/search", get(search::global))
        .route("/lookup", get(search::lookup))
}

/// Takes `custom.<key>=value` parameters, checked against the definitions.
pub async fn custom_filters(
    state: &AppState,
    entity: &str,
    params: &mut HashMap<String, String>,
) -> Result<Vec<CustomFilter>, ApiError> {
    let keys: Vec<String> = params
        .keys()
        .filter(|k| k.starts_with("custom."))
        .cloned()
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let defs = state.app.custom_fields(entity).await?;
    let mut out = Vec::new();
    for k in keys {
        let value = params.remove(&k).unwrap_or_default();
        let key = &k["custom.".len()..];
        let def = defs
            .iter()
            .find(|d| d.key == key)
            .ok_or_else(|| bad_request(&k, "unknown_parameter"))?;
        let field_type =
            FieldType::parse(&def.field_type).map_err(|_| bad_request(&k, "unknown_parameter"))?;
        let value = if field_type == FieldType::Money {
            karta_core::custom_fields::parse_money_minor(&value)
                .map_err(|c| bad_request(&k, c))?
                .to_string()
        } else {
            value
        };
        out.push(CustomFilter {
            key: key.to_string(),
            field_type,
            value,
        });
    }
    Ok(out)
}
