//! Interface translations (Fluent): Russian and English, with Russian
//! plural forms. Language comes from the user's setting, else
//! `Accept-Language`, else Russian.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

/// Supported languages, default first.
pub const LANGS: &[&str] = &["ru", "en"];

struct Bundles {
    ru: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Translations ship in the binary; a broken file is caught by the tests.
    if let Ok(resource) = FluentResource::try_new(source.to_string()) {
        let _ = bundle.add_resource(resource);
    }
    bundle.set_use_isolating(false);
    bundle
}

fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| Bundles {
        ru: bundle("ru", include_str!("../i18n/ru.ftl")),
        en: bundle("en", include_str!("../i18n/en.ftl")),
    })
}

/// A translator for one language, handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: &'static str,
}

impl Tr {
    /// The translator for `lang` (unknown languages fall back to Russian).
    pub fn new(lang: &str) -> Self {
        Self {
            lang: LANGS.iter().find(|l| **l == lang).copied().unwrap_or("ru"),
        }
    }

    fn bundle(&self) -> &'static FluentBundle<FluentResource> {
        if self.lang == "en" {
            &bundles().en
        } else {
            &bundles().ru
        }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text of `key` with a `$count` (plural rules apply).
    pub fn count(&self, key: &str, count: usize) -> String {
        let mut args = FluentArgs::new();
        args.set("count", count);
        self.format(key, Some(&args))
    }

    /// Message for a field error code.
    pub fn error(&self, code: &str) -> String {
        let key = format!("err-{code}");
        let text = self.t(&key);
        if text == key {
            self.t("err-other")
        } else {
            text
        }
    }

    /// Label of a field name.
    pub fn field(&self, name: &str) -> String {
        let key = format!("field-{name}");
        let text = self.t(&key);
        if text == key { name.to_string() } else { text }
    }

    /// The name of a field where it is read, not typed (history, read-only
    /// cards): the form label without its input hint — «Ожидаемая дата
    /// закрытия», not «… (ГГГГ-ММ-ДД)» — or a `name-<field>` of its own.
    pub fn field_name(&self, name: &str) -> String {
        let key = format!("name-{name}");
        let own = self.t(&key);
        if own != key {
            return own;
        }
        let label = self.field(name);
        match label.rsplit_once(" (") {
            Some((bare, hint)) if hint.ends_with(')') => bare.to_string(),
            _ => label,
        }
    }

    /// A number with `places` decimals as the language writes it: `3,5`
    /// in Russian, `3.5` in English.
    pub fn decimal(&self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        if self.lang == "en" {
            text
        } else {
            text.replace('.', ",")
        }
    }

    /// A day (`YYYY-MM-DD`) as the language writes it: `14.02.2027`,
    /// `14 Feb 2027`; anything else is shown as it is.
    pub fn day(&self, iso: &str) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let Ok(day) = time::Date::parse(iso, &format) else {
            return iso.to_string();
        };
        if self.lang == "en" {
            let month = &day.month().to_string()[..3];
            format!("{} {month} {}", day.day(), day.year())
        } else {
            format!(
                "{:02}.{:02}.{}",
                day.day(),
                u8::from(day.month()),
                day.year()
            )
        }
    }
}

/// Picks the language from an `Accept-Language` header.
pub fn from_accept_language(header: Option<&str>) -> &'static str {
    let Some(header) = header else { return "ru" };
    let mut best = ("ru", -1.0f32);
    for part in header.split(',') {
        let mut bits = part.trim().split(';');
        let tag = bits.next().unwrap_or_default().to_lowercase();
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
            .unwrap_or(1.0);
        if let Some(lang) = LANGS
            .iter()
            .find(|l| tag == **l || tag.starts_with(&format!("{l}-")))
            && q > best.1
        {
            best = (lang, q);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals_and_fallbacks() {
        let ru = Tr::new("ru");
        assert_eq!(ru.count("accounts-count", 1), "1 контрагент на странице");
        assert_eq!(ru.count("accounts-count", 3), "3 контрагента на странице");
        assert_eq!(
            ru.count("accounts-count", 25),
            "25 контрагентов на странице"
        );
        assert_eq!(
            Tr::new("en").count("accounts-count", 2),
            "2 accounts on this page"
        );
        assert_eq!(ru.error("no_such_code"), "Неверное значение.");
    }

    #[test]
    fn days_and_decimals_as_each_language_writes_them() {
        let (ru, en) = (Tr::new("ru"), Tr::new("en"));
        assert_eq!(ru.decimal(14.0 / 4.0, 1), "3,5");
        assert_eq!(en.decimal(14.0 / 4.0, 1), "3.5");
        assert_eq!(ru.day("2026-12-03"), "03.12.2026");
        assert_eq!(en.day("2026-12-03"), "3 Dec 2026");
    }

    #[test]
    fn history_reads_without_gendered_verbs() {
        // Karta does not know who is «он» or «она»: «создал(а)» read as a
        // form letter, so the Russian timeline names acts, not verbs.
        let ru = include_str!("../i18n/ru.ftl");
        assert!(!ru.contains("(а)"));
        assert_eq!(Tr::new("ru").t("history-merge"), "— объединение дублей");
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| !l.starts_with(' ') && l.contains(" = "))
                .map(|l| l.split(" = ").next().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(
            keys(include_str!("../i18n/ru.ftl")),
            keys(include_str!("../i18n/en.ftl"))
        );
    }

    #[test]
    fn accept_language_is_honoured() {
        assert_eq!(from_accept_language(Some("en-GB,en;q=0.9,ru;q=0.5")), "en");
        assert_eq!(from_accept_language(Some("ru-RU,en;q=0.8")), "ru");
        assert_eq!(from_accept_language(Some("de")), "ru");
        assert_eq!(from_accept_language(None), "ru");
    }
}
