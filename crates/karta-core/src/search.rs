//! Text normalisation for full-text search, shared by indexing and querying
//! so that both engines see the same terms.
//!
//! Words are lower-cased, `ё` folded to `е`, and stemmed with Snowball
//! (Russian for Cyrillic words, English for Latin ones): "клиентов" and
//! "Клиент" both become `клиент`. Digit runs (phones, INNs, codes) are also
//! indexed by every suffix of three or more digits, so a prefix query on the
//! fragment "4567" finds "+7 495 123-45-67".

use frostem::{Algorithm, Stemmer};

fn stem(word: &str) -> String {
    let cyrillic = word.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
    let latin = word.chars().all(|c| c.is_ascii_alphabetic());
    if cyrillic {
        Stemmer::new(Algorithm::Russian).stem(word).into_owned()
    } else if latin {
        Stemmer::new(Algorithm::English).stem(word).into_owned()
    } else {
        word.to_string()
    }
}

/// Lower-cased alphanumeric words of `text`.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('ё', "е"))
}

/// Terms to index for `text`, space separated.
pub fn index_terms(text: &str) -> String {
    let mut terms: Vec<String> = Vec::new();
    for word in words(text) {
        if word.bytes().all(|b| b.is_ascii_digit()) {
            for start in 0..word.len().saturating_sub(2) {
                terms.push(word[start..].to_string());
            }
        } else {
            let stemmed = stem(&word);
            if stemmed != word {
                terms.push(word);
            }
            terms.push(stemmed);
        }
    }
    terms.dedup();
    terms.join(" ")
}

/// Terms of a query, each to be matched as a prefix; empty when the query
/// has nothing searchable. A query of digits and phone punctuation is one
/// number: "8 (916) 12" searches the digits `791612`.
pub fn query_terms(query: &str) -> Vec<String> {
    let phone_like = query.chars().any(|c| c.is_ascii_digit())
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like {
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        let digits = match digits.strip_prefix('8') {
            Some(rest) if query.trim_start().starts_with('8') && digits.len() >= 4 => {
                format!("7{rest}")
            }
            _ => digits,
        };
        return vec![digits];
    }
    let mut terms: Vec<String> = words(query)
        .map(|w| if w.chars().count() > 3 { stem(&w) } else { w })
        .collect();
    terms.dedup();
    terms.truncate(8);
    terms
}

/// What a document list's search box asks for: a document by its number
/// (`З-000015`, `SO-15`, `СЧ-000015`, `15`) or the documents of the
/// clients whose name, code or INN match the terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentSearch {
    Number(i64),
    Client(Vec<String>),
}

impl DocumentSearch {
    /// Reads a search box; `None` when it holds nothing searchable.
    pub fn parse(raw: &str) -> Option<Self> {
        if let Some(number) = document_number(raw) {
            return Some(Self::Number(number));
        }
        let terms = query_terms(raw);
        (!terms.is_empty()).then_some(Self::Client(terms))
    }
}

/// The number in a document number as people type it: digits alone (up
/// to eight, so an INN stays a client search), or after an order or
/// invoice prefix and a dash. The Cyrillic `З` of an order number reads as
/// the digit 3, so `3-000015` is order 15 too.
fn document_number(raw: &str) -> Option<i64> {
    const PREFIXES: [&str; 5] = ["з", "3", "so", "сч", "inv"];
    let raw = raw.trim().trim_start_matches('№').trim();
    let digits = match raw.rsplit_once('-') {
        Some((prefix, digits)) => {
            let prefix = prefix.trim().to_lowercase();
            PREFIXES
                .contains(&prefix.as_str())
                .then_some(digits.trim())?
        }
        None if raw.len() <= 8 => raw,
        None => return None,
    };
    let plain = !digits.is_empty() && digits.len() <= 12;
    (plain && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// A filter on one custom field; the key is a validated identifier.
#[derive(Debug, Clone)]
pub struct CustomFilter {
    pub key: String,
    pub field_type: crate::custom_fields::FieldType,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_searches_read_numbers_as_people_type_them() {
        use DocumentSearch::*;
        for raw in [
            "З-000015",
            "3-000015",
            "SO-15",
            "СЧ-000015",
            "INV-15",
            "№ 15",
            "15",
        ] {
            assert_eq!(DocumentSearch::parse(raw), Some(Number(15)), "{raw}");
        }
        assert_eq!(
            DocumentSearch::parse("Сибирь"),
            Some(Client(vec!["сибир".to_string()]))
        );
        for raw in ["Клиент-Сервис-1", "Сервис-1", "7701234567", "K-000123"] {
            assert!(
                matches!(DocumentSearch::parse(raw), Some(Client(_))),
                "{raw}"
            );
        }
        assert_eq!(DocumentSearch::parse("  "), None);
    }

    #[test]
    fn russian_morphology_meets_in_the_middle() {
        let indexed = index_terms("Клиент Ромашка");
        for term in query_terms("клиентов") {
            assert!(
                indexed.split(' ').any(|t| t.starts_with(&term)),
                "{term} in {indexed}"
            );
        }
    }

    #[test]
    fn digit_fragments_are_found() {
        let indexed = index_terms("+74951234567");
        let fragment = &query_terms("45-67")[0];
        assert!(indexed.split(' ').any(|t| t.starts_with(fragment.as_str())));
        assert_eq!(query_terms("8 (916) 12"), ["791612"]);
    }

    #[test]
    fn empty_queries_have_no_terms() {
        assert!(query_terms(" -- ").is_empty());
    }
}
