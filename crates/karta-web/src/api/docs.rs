//! The OpenAPI 3.1 description, generated from the handlers and types that
//! serve the API, at `/api/openapi.json`, with Swagger UI at `/api/docs`.

use super::{
    accounting, accounts, activities, calendar, commerceml, contacts, contracts, deal_lines, deals,
    directory, duplicates, import, invoices, jobs, leads, orders, pipelines, price_lists, products,
    proposals, routing, search, settings, tasks, trash,
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
        invoices::list, invoices::create, invoices::get, invoices::pdf, invoices::history, invoices::payments, invoices::pay, invoices::statement, invoices::hold, invoices::release,
        accounting::orders_csv, accounting::orders_xlsx, commerceml::orders_xml, accounting::invoices_csv, accounting::invoices_xlsx, accounting::payments_csv, accounting::payments_xlsx,
        price_lists::list, price_lists::create, price_lists::get, price_lists::update, price_lists::delete, price_lists::restore, price_lists::history, price_lists::quotes,
        routing::list, routing::create, routing::update, routing::delete, routing::set_default,
        calendar::enable, calendar::revoke,
        pipelines::list, pipelines::create, pipelines::get, pipelines::update,
        deals::list, deals::export_csv, deals::export_xlsx, deals::totals, deals::create, deals::get, deals::update, deals::delete, deals::restore, deals::history, deals::stays, deal_lines::get, deal_lines::put, proposals::create, proposals::get, proposals::company, proposals::set_company,
        directory::list_users, directory::create_user, directory::update_user, directory::me, directory::update_me, directory::change_my_password, directory::list_teams, directory::create_team,
        directory::list_tokens, directory::create_token, directory::revoke_token, directory::login_events,
        settings::list_classifiers, settings::create_classifier, settings::update_classifier,
        settings::list_custom_fields, settings::create_custom_field, settings::update_custom_field,
        search::global, search::lookup,
        duplicates::list, duplicates::merge_accounts, duplicates::merge_contacts,
        import::preview, import::profile_list, import::create, import::create_from_vcard, import::list, import::get, import::errors, import::errors_csv, import::undo,
        jobs::list, jobs::get, jobs::retry, jobs::cancel,
        trash::list, trash::restore,
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
        (name = "trash", description = "Deleted records of every kind the caller may restore (корзина), and restoring them"),
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

/// The description as served at `/api/openapi.json`.
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    make_truthful(&mut doc);
    doc
}

/// The description as served, pretty-printed (`karta openapi`).
pub fn json() -> String {
    serde_json::to_string_pretty(&document()).unwrap_or_default()
}

/// Makes the generated description valid OpenAPI 3.1 and true to what is
/// served: operation ids unique (`<resource>_<handler>`), every response
/// described, problem answers under `application/problem+json`, and a
/// wire type that extends a strict draft (`allOf` over a schema with
/// `additionalProperties: false`) satisfiable by its own fields. Done on
/// the JSON, since some of it (a value of any type) has no utoipa type.
fn make_truthful(doc: &mut serde_json::Value) {
    use serde_json::Value;
    let schemas = doc["components"]["schemas"].clone();
    let mut seen = std::collections::HashSet::<String>::new();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                let handler = op["operationId"].as_str().unwrap_or(method).to_string();
                let words: Vec<String> = path
                    .trim_start_matches("/api/v1/")
                    .split('/')
                    .filter(|w| !w.starts_with('{') && !w.is_empty())
                    .map(|w| w.replace(['-', '.'], "_"))
                    .collect();
                // The resource and the handler (`price_lists_list`), else
                // the whole path's words, else method and path.
                let candidates = [
                    format!("{}_{handler}", words.first().map_or("api", String::as_str)),
                    format!("{}_{handler}", words.join("_")),
                    format!("{method}_{}", words.join("_")),
                ];
                let id = candidates
                    .iter()
                    .find(|c| !seen.contains(c.as_str()))
                    .cloned()
                    .unwrap_or_else(|| {
                        format!("{method}{}", path.replace(['/', '{', '}', '-', '.'], "_"))
                    });
                seen.insert(id.clone());
                op["operationId"] = Value::String(id);
                let Some(responses) = op["responses"].as_object_mut() else {
                    continue;
                };
                for (status, response) in responses.iter_mut() {
                    if response.get("description").is_none_or(|d| d == "") {
                        response["description"] = Value::String(status_text(status).into());
                    }
                    // (`get_mut`: indexing a missing key would add a null.)
                    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                    else {
                        continue;
                    };
                    let is_problem = content
                        .get("application/json")
                        .and_then(|c| c["schema"]["$ref"].as_str())
                        .is_some_and(|r| r.ends_with("/Problem"));
                    if is_problem && let Some(schema) = content.remove("application/json") {
                        content.insert("application/problem+json".into(), schema);
                    }
                }
            }
        }
    }
    if let Some(all) = doc["components"]["schemas"].as_object_mut() {
        for schema in all.values_mut() {
            let parts = schema.get_mut("allOf").and_then(Value::as_array_mut);
            for part in parts.into_iter().flatten() {
                let name = part["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next())
                    .unwrap_or_default();
                let base = &schemas[name];
                if base["additionalProperties"] == Value::Bool(false) {
                    let mut open = base.clone();
                    if let Some(o) = open.as_object_mut() {
                        o.remove("additionalProperties");
                    }
                    *part = open;
                }
            }
        }
    }
}

fn status_text(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted: the work goes on in the background",
        "204" => "Done; no content",
        "400" | "422" => "The request is not valid (problem+json with the fields)",
        "401" => "Not signed in",
        "403" => "Not allowed",
        "404" => "No such record, or one you may not see",
        "409" => "Conflicts with the record's state",
        "412" => "The record changed since you read it",
        "428" => "If-Match is required",
        "429" => "Too many requests",
        _ => "Answer",
    }
}
