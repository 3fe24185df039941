//! The OpenAPI 3.1 description, generated from the handlers and types that
//! serve the API, at `/api/openapi.json`, with Swagger UI at `/api/docs`.

use super::{
    accounting, accounts, activities, calendar, commerceml, contacts, contracts, deal_lines, deals,
    directory, duplicates, import, invoices, jobs, leads, orders, pipelines, price_lists, products,
    proposals, routing, search, settings, tasks,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Karta API", description = "CRM API. Errors are application/problem+json with a stable `code`; \
        lists use keyset pagination (`limit`, `cursor`); PATCH and DELETE need `If-Match`."),
    paths(
        accounts::list, accounts::export_csv, accounts::export_xlsx, accounts::create, accounts::get, accounts::update, accounts::delete, accounts::restore, accounts::history,
        contacts::list, contacts::export_csv, contacts::export_xlsx, contacts::export_vcf, contacts::create, contacts::get, contacts::update, contacts::delete, contacts::restore, contacts::history,
        activities::list, activities::create, activities::get, activities::update, activities::delete,
        tasks::list, tasks::create, tasks::get, tasks::update, tasks::delete,
        leads::list, leads::export_csv, leads::export_xlsx, leads::create, leads::get, leads::update, leads::delete, leads::convert, leads::redistribute, leads::history,
        products::list, products::export_csv, products::export_xlsx, products::create, products::get, products::update, products::delete, products::restore, products::history,
        contracts::list, contracts::create, contracts::get, contracts::update, contracts::delete, contracts::restore, contracts::history,
        orders::list, orders::create, orders::from_deal, orders::get, orders::lines, orders::put_lines, orders::change_status, orders::history,
        invoices::list, invoices::create, invoices::get, invoices::history, invoices::payments, invoices::pay, invoices::statement, invoices::hold, invoices::release,
        accounting::orders_csv, accounting::orders_xlsx, commerceml::orders_xml, accounting::invoices_csv, accounting::invoices_xlsx, accounting::payments_csv, accounting::payments_xlsx,
        price_lists::list, price_lists::create, price_lists::get, price_lists::update, price_lists::delete, price_lists::restore, price_lists::history, price_lists::quotes,
        routing::list, routing::create, routing::update, routing::delete, routing::set_default,
        calendar::enable, calendar::revoke,
        pipelines::list, pipelines::create, pipelines::get, pipelines::update,
        deals::list, deals::export_csv, deals::export_xlsx, deals::totals, deals::create, deals::get, deals::update, deals::delete, deals::restore, deals::history, deals::stays, deal_lines::get, deal_lines::put, proposals::create, proposals::get, proposals::company, proposals::set_company,
        directory::list_users, directory::create_user, directory::update_user, directory::list_teams, directory::create_team,
        directory::list_tokens, directory::create_token, directory::revoke_token, directory::login_events,
        settings::list_classifiers, settings::create_classifier, settings::update_classifier,
        settings::list_custom_fields, settings::create_custom_field, settings::update_custom_field,
        search::global, search::lookup,
        duplicates::list, duplicates::merge_accounts, duplicates::merge_contacts,
        import::preview, import::profile_list, import::create, import::create_from_vcard, import::list, import::get, import::errors, import::errors_csv, import::undo,
        jobs::list, jobs::get, jobs::retry, jobs::cancel,
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "accounts", description = "Accounts (контрагенты)"),
        (name = "contacts", description = "Contacts (контактные лица)"),
        (name = "duplicates", description = "Duplicate clusters and merging (дубли)"),
        (name = "pipelines", description = "Sales pipelines and their stages (воронки)"),
        (name = "activities", description = "Calls, meetings and other contacts with customers"),
        (name = "deals", description = "Deals (сделки), their stage stays and board totals"),
        (name = "tasks", description = "Tasks (задачи) with due times and reminders"),
        (name = "leads", description = "Leads (лиды), conversion and redistribution; the public form is POST /forms/lead"),
        (name = "products", description = "The catalogue (товары и услуги): articles, units, VAT, prices, stock; price lists and the price a customer gets"),
        (name = "orders", description = "Orders (заказы): lines, status flow with tracking history, stock reservation"),
        (name = "invoices", description = "Invoices (счета), payments (оплаты) and credit holds (стоп-отгрузка)"),
        (name = "routing", description = "Lead routing rules and the default"),
        (name = "calendar", description = "The private iCalendar feed"),
        (name = "users", description = "Users, teams, tokens, login records"),
        (name = "settings", description = "Classifiers and custom fields"),
        (name = "search", description = "Global search and telephony look-up"),
        (name = "imports", description = "CSV imports of accounts and contacts: preview, background job, error report, undo"),
        (name = "jobs", description = "Background jobs (administrators): queued, running, failed with the error, dead; retry and cancel"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
            components.add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                    crate::auth::SESSION_COOKIE,
                ))),
            );
        }
    }
}
