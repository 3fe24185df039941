//! List parameters (`?q=…&status=open&sort=-amount`) as the API and the
//! pages both receive them. Each list's filter reads itself from a
//! `ListQuery` (`AccountFilter::read`), so one parser serves both: the API
//! refuses with the problems it collects, a page shows the same messages
//! above the list and keeps what the user chose.

use crate::Invalid;
use std::collections::HashMap;
use uuid::Uuid;

/// Parameters not yet read, and what was wrong with those that were.
#[derive(Debug, Default)]
pub struct ListQuery {
    params: HashMap<String, String>,
    problems: Invalid,
}

impl ListQuery {
    pub fn new(params: HashMap<String, String>) -> Self {
        Self {
            params,
            problems: Invalid::default(),
        }
    }

    /// Takes `name` out, trimmed; blank counts as absent.
    pub fn text(&mut self, name: &str) -> Option<String> {
        self.params
            .remove(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The search terms of `q`.
    pub fn terms(&mut self) -> Vec<String> {
        crate::search::query_terms(&self.text("q").unwrap_or_default())
    }

    /// The document search of `q` (a number or a client).
    pub fn search(&mut self) -> Option<crate::search::DocumentSearch> {
        crate::search::DocumentSearch::parse(&self.text("q")?)
    }

    /// Takes `name` as a value `parse` accepts; its error code otherwise.
    pub fn parsed<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Option<T> {
        let raw = self.text(name)?;
        self.problems.take(name, parse(&raw))
    }

    /// Takes `name` as one of the values `parse` knows (`invalid_choice`).
    pub fn choice<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        self.parsed(name, |raw| parse(raw).ok_or("invalid_choice"))
    }

    /// Takes `name` as a record id (`invalid_id`).
    pub fn id(&mut self, name: &str) -> Option<Uuid> {
        self.parsed(name, |raw| raw.parse().map_err(|_| "invalid_id"))
    }

    /// Takes `name` as `true`/`1` or `false`/`0` (`invalid_boolean`).
    pub fn flag(&mut self, name: &str) -> Option<bool> {
        self.parsed(name, |raw| match raw {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("invalid_boolean"),
        })
    }

    /// Takes `name` as an RFC 3339 instant, in storage microseconds.
    pub fn instant(&mut self, name: &str) -> Option<i64> {
        self.parsed(name, crate::time::parse_rfc3339)
    }

    /// Takes `name` as a `YYYY-MM-DD` day, kept as that text.
    pub fn day(&mut self, name: &str) -> Option<String> {
        self.parsed(name, |raw| {
            crate::contacts::parse_date(raw).map(crate::contacts::date_text)
        })
    }

    /// Takes `sort` as one of the orders `parse` knows (`invalid_sort`);
    /// the list's default order when absent or wrong.
    pub fn sort<S: Default>(&mut self, parse: impl FnOnce(&str) -> Option<S>) -> S {
        self.parsed("sort", |raw| parse(raw).ok_or("invalid_sort"))
            .unwrap_or_default()
    }

    /// The parameters nobody read, and the problems of those that were.
    pub fn finish(self) -> (HashMap<String, String>, Invalid) {
        (self.params, self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ListQuery {
        ListQuery::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn every_wrong_parameter_is_reported_and_the_rest_is_read() {
        let mut q = query(&[
            ("owner_id", "nope"),
            ("deleted", "maybe"),
            ("sort", "sideways"),
            ("region", "  msk "),
            ("extra", "1"),
        ]);
        assert_eq!(q.id("owner_id"), None);
        assert_eq!(q.flag("deleted"), None);
        assert_eq!(q.sort(|s| (s == "name").then_some(1u8)), 0);
        assert_eq!(q.text("region").as_deref(), Some("msk"));
        let (rest, problems) = q.finish();
        assert_eq!(rest.keys().collect::<Vec<_>>(), ["extra"]);
        let codes: Vec<(&str, &str)> = problems
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("owner_id", "invalid_id"),
                ("deleted", "invalid_boolean"),
                ("sort", "invalid_sort")
            ]
        );
    }

    #[test]
    fn blank_parameters_are_absent_not_wrong() {
        let mut q = query(&[("owner_id", ""), ("deleted", " ")]);
        assert_eq!(q.id("owner_id"), None);
        assert_eq!(q.flag("deleted"), None);
        assert!(q.finish().1.into_result().is_ok());
    }
}
