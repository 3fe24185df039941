//! Record lists on pages: one template for every entity, with search as you
//! type, filter selects, sort, keyset paging and a remembered choice of
//! columns. Each entity's page decides what its filters and cells are.

use super::PageCtx;
use askama::Template;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// A list column: key (`inn`, `custom.tier`) and its label.
pub struct Column {
    pub key: String,
    pub label: String,
}

/// One row: the link and name, then one cell per chosen column.
pub struct Row {
    pub href: String,
    pub name: String,
    pub cells: Vec<String>,
}

/// A filter select (`name=value`), the first option meaning "any".
pub struct Select {
    pub name: String,
    pub label: String,
    pub value: String,
    pub options: Vec<(String, String)>,
}

/// Everything a list page shows.
#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub page: PageCtx,
    pub title: String,
    /// Where the list lives (`/accounts`): the form's action.
    pub action: String,
    pub new_label: String,
    /// Links beside "new": `(href, label)`, e.g. import and export.
    pub tools: Vec<(String, String)>,
    pub count: String,
    pub q: String,
    pub selects: Vec<Select>,
    pub sort: String,
    pub sorts: Vec<(String, String)>,
    pub all_columns: Vec<Column>,
    pub chosen: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    /// What was wrong with the filters, shown above the list.
    pub problems: Vec<String>,
}

impl ListPage {
    /// The search box's hint names what this list's search finds
    /// (`list-search-accounts` for `/accounts`).
    pub fn placeholder_key(&self) -> String {
        format!("list-search-{}", self.action.trim_start_matches('/'))
    }

    /// The first column's heading: what the list names its rows by («ФИО»
    /// for people), «Название» unless the list says otherwise.
    pub fn name_header(&self) -> String {
        let key = format!("list-name-{}", self.action.trim_start_matches('/'));
        let own = self.page.tr.t(&key);
        if own == key {
            self.page.tr.t("col-name")
        } else {
            own
        }
    }

    /// The entity the list shows (`price_lists` for `/price-lists`), whose
    /// rights decide whether "new" is offered.
    pub fn entity(&self) -> String {
        self.action.trim_start_matches('/').replace('-', "_")
    }
}

/// The request's parameters with a lookup by name.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Reads the list's filter with the parser the API uses (the first
    /// value of each parameter); its problems as messages in the page's
    /// language, so a wrong filter is reported, not silently dropped.
    pub fn read<T>(
        &self,
        tr: crate::i18n::Tr,
        read: impl FnOnce(&mut karta_core::query::ListQuery) -> T,
    ) -> (T, Vec<String>) {
        let mut first = std::collections::HashMap::new();
        for (k, v) in self.0.iter().rev() {
            first.insert(k.clone(), v.clone());
        }
        let mut q = karta_core::query::ListQuery::new(first);
        let value = read(&mut q);
        let (_, problems) = q.finish();
        let problems = problems
            .0
            .iter()
            .map(|e| format!("{}: {}", tr.field(&e.field), tr.error(e.code)))
            .collect();
        (value, problems)
    }

    /// The first value of `key`, or "".
    pub fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The columns to show: picked in this request, else remembered in the
    /// cookie, else the defaults.
    pub fn columns(&self, jar: &CookieJar, cookie: &str, defaults: Vec<String>) -> Vec<String> {
        let picked: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == "col")
            .map(|(_, v)| v.clone())
            .collect();
        if !picked.is_empty() {
            return picked;
        }
        jar.get(cookie)
            .map(|c| c.value().split(',').map(String::from).collect())
            .unwrap_or(defaults)
    }

    /// The next page's address: the same filters, sort and the cursor.
    pub fn next_url(&self, action: &str, cursor: &str, selects: &[Select]) -> String {
        format!("{action}?cursor={cursor}{}", self.filters(selects))
    }

    /// `&name=value` of the search, sort and filter selects in use.
    pub fn filters(&self, selects: &[Select]) -> String {
        self.0
            .iter()
            .filter(|(k, v)| {
                !v.is_empty() && (k == "q" || k == "sort" || selects.iter().any(|s| &s.name == k))
            })
            .map(|(k, v)| format!("&{k}={}", urlencode(v)))
            .collect()
    }
}

/// The chosen columns, in the order `all` lists them.
pub fn pick(all: &[Column], chosen: &[String]) -> Vec<Column> {
    all.iter()
        .filter(|c| chosen.contains(&c.key))
        .map(|c| Column {
            key: c.key.clone(),
            label: c.label.clone(),
        })
        .collect()
}

/// Remembers the column choice for the next visit.
pub fn remember(jar: CookieJar, cookie: &str, chosen: &[String]) -> CookieJar {
    jar.add(
        Cookie::build((cookie.to_string(), chosen.join(",")))
            .path("/")
            .same_site(SameSite::Lax)
            .http_only(true)
            .permanent()
            .build(),
    )
}

/// Percent-encodes a query value.
pub fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
