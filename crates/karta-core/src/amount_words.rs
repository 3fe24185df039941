//! An amount in words, as an invoice for payment and a contract write it
//! under the total («Два миллиона семьсот шестьдесят девять тысяч четыреста
//! рублей 00 копеек»): the whole units in words, agreeing in gender and
//! number with the currency's name, the minor units in figures.

use crate::money::Currency;

/// Russian forms of a counted noun: one (1, 21), few (2–4, 22–24) and many
/// (0, 5–20, 25…), and whether it is feminine (одна, две).
struct Noun {
    one: &'static str,
    few: &'static str,
    many: &'static str,
    feminine: bool,
}

const fn noun(one: &'static str, few: &'static str, many: &'static str, feminine: bool) -> Noun {
    Noun {
        one,
        few,
        many,
        feminine,
    }
}

impl Noun {
    /// The form that goes with `n`.
    fn form(&self, n: u64) -> &'static str {
        match (n % 100, n % 10) {
            (11..=14, _) => self.many,
            (_, 1) => self.one,
            (_, 2..=4) => self.few,
            _ => self.many,
        }
    }
}

const RU_SCALES: [Noun; 4] = [
    noun("тысяча", "тысячи", "тысяч", true),
    noun("миллион", "миллиона", "миллионов", false),
    noun("миллиард", "миллиарда", "миллиардов", false),
    noun("триллион", "триллиона", "триллионов", false),
];

/// A currency's whole and minor units in Russian; `None` for a currency
/// without Russian names (its code is written instead).
fn ru_units(currency: &str) -> Option<(Noun, Noun)> {
    let cent = noun("цент", "цента", "центов", false);
    match currency {
        "RUB" => Some((
            noun("рубль", "рубля", "рублей", false),
            noun("копейка", "копейки", "копеек", true),
        )),
        "USD" => Some((
            noun("доллар США", "доллара США", "долларов США", false),
            cent,
        )),
        "EUR" => Some((noun("евро", "евро", "евро", false), cent)),
        "CNY" => Some((
            noun("юань", "юаня", "юаней", false),
            noun("фэнь", "фэня", "фэней", false),
        )),
        "KZT" => Some((
            noun("тенге", "тенге", "тенге", false),
            noun("тиын", "тиына", "тиынов", false),
        )),
        "BYN" => Some((
            noun(
                "белорусский рубль",
                "белорусских рубля",
                "белорусских рублей",
                false,
            ),
            noun("копейка", "копейки", "копеек", true),
        )),
        _ => None,
    }
}

/// A number below 1000 in Russian words.
fn ru_hundreds(n: u64, feminine: bool, out: &mut Vec<&'static str>) {
    const HUNDREDS: [&str; 10] = [
        "",
        "сто",
        "двести",
        "триста",
        "четыреста",
        "пятьсот",
        "шестьсот",
        "семьсот",
        "восемьсот",
        "девятьсот",
    ];
    const TENS: [&str; 10] = [
        "",
        "",
        "двадцать",
        "тридцать",
        "сорок",
        "пятьдесят",
        "шестьдесят",
        "семьдесят",
        "восемьдесят",
        "девяносто",
    ];
    const TEENS: [&str; 10] = [
        "десять",
        "одиннадцать",
        "двенадцать",
        "тринадцать",
        "четырнадцать",
        "пятнадцать",
        "шестнадцать",
        "семнадцать",
        "восемнадцать",
        "девятнадцать",
    ];
    const UNITS: [&str; 10] = [
        "",
        "один",
        "два",
        "три",
        "четыре",
        "пять",
        "шесть",
        "семь",
        "восемь",
        "девять",
    ];
    let (h, t, u) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    out.push(HUNDREDS[h]);
    if t == 1 {
        out.push(TEENS[u]);
        return;
    }
    out.push(TENS[t]);
    out.push(match (u, feminine) {
        (1, true) => "одна",
        (2, true) => "две",
        _ => UNITS[u],
    });
}

/// `n` in Russian words, agreeing with a noun of `feminine` gender.
fn ru_number(n: u64, feminine: bool) -> String {
    if n == 0 {
        return "ноль".into();
    }
    let mut words = Vec::new();
    let groups: Vec<u64> = std::iter::successors(Some(n), |g| (*g >= 1000).then_some(g / 1000))
        .map(|g| g % 1000)
        .collect();
    for (i, group) in groups.iter().enumerate().rev() {
        if *group == 0 {
            continue;
        }
        match i.checked_sub(1).and_then(|s| RU_SCALES.get(s)) {
            Some(scale) => {
                ru_hundreds(*group, scale.feminine, &mut words);
                words.push(scale.form(*group));
            }
            None => ru_hundreds(*group, feminine, &mut words),
        }
    }
    words.retain(|w| !w.is_empty());
    words.join(" ")
}

/// `n` in English words ("two million seven hundred sixty-nine thousand").
fn en_number(n: u64) -> String {
    const SMALL: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const SCALES: [&str; 5] = ["", "thousand", "million", "billion", "trillion"];
    let below_thousand = |n: u64| {
        let mut parts = Vec::new();
        if n >= 100 {
            parts.push(format!("{} hundred", SMALL[(n / 100) as usize]));
        }
        match n % 100 {
            0 => {}
            r @ 1..=19 => parts.push(SMALL[r as usize].to_string()),
            r if r % 10 == 0 => parts.push(TENS[(r / 10) as usize].to_string()),
            r => parts.push(format!(
                "{}-{}",
                TENS[(r / 10) as usize],
                SMALL[(r % 10) as usize]
            )),
        }
        parts.join(" ")
    };
    if n == 0 {
        return SMALL[0].into();
    }
    let groups: Vec<u64> = std::iter::successors(Some(n), |g| (*g >= 1000).then_some(g / 1000))
        .map(|g| g % 1000)
        .collect();
    let mut words = Vec::new();
    for (i, group) in groups.iter().enumerate().rev() {
        if *group > 0 {
            words.push(below_thousand(*group));
            if i > 0 {
                words.push(SCALES[i].to_string());
            }
        }
    }
    words.join(" ")
}

/// English names of a currency's whole and minor units (singular, plural).
fn en_units(currency: &str) -> Option<[(&'static str, &'static str); 2]> {
    match currency {
        "RUB" => Some([("rouble", "roubles"), ("kopeck", "kopecks")]),
        "USD" => Some([("US dollar", "US dollars"), ("cent", "cents")]),
        "EUR" => Some([("euro", "euros"), ("cent", "cents")]),
        _ => None,
    }
}

fn capitalized(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// `minor` units of `currency` in words in `lang` (`ru` unless `en`): the
/// whole units in words, the minor ones in two figures. A negative amount
/// is written as its absolute value (documents do not ask for less than
/// nothing).
pub fn amount_in_words(minor: i64, currency: &Currency, lang: &str) -> String {
    let abs = minor.unsigned_abs();
    let (whole, cents) = (abs / 100, abs % 100);
    let code = currency.as_str();
    let text = if lang == "en" {
        match en_units(code) {
            Some([(one, many), (cent, cents_name)]) => format!(
                "{} {} {cents:02} {}",
                en_number(whole),
                if whole == 1 { one } else { many },
                if cents == 1 { cent } else { cents_name }
            ),
            None => format!("{} {code} {cents:02}", en_number(whole)),
        }
    } else {
        match ru_units(code) {
            Some((unit, sub)) => format!(
                "{} {} {cents:02} {}",
                ru_number(whole, unit.feminine),
                unit.form(whole),
                sub.form(cents)
            ),
            None => format!("{} {code} {cents:02}", ru_number(whole, false)),
        }
    };
    capitalized(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru(minor: i64) -> String {
        amount_in_words(minor, &Currency::rub(), "ru")
    }

    #[test]
    fn roubles_in_russian_words_agree_in_gender_and_number() {
        assert_eq!(
            ru(276_940_000),
            "Два миллиона семьсот шестьдесят девять тысяч четыреста рублей 00 копеек"
        );
        assert_eq!(
            ru(715_755_875),
            "Семь миллионов сто пятьдесят семь тысяч пятьсот пятьдесят восемь рублей 75 копеек"
        );
        assert_eq!(ru(100), "Один рубль 00 копеек");
        assert_eq!(ru(201), "Два рубля 01 копейка");
        assert_eq!(ru(1_100_002), "Одиннадцать тысяч рублей 02 копейки");
        assert_eq!(ru(2_100_000), "Двадцать одна тысяча рублей 00 копеек");
        assert_eq!(ru(200_000), "Две тысячи рублей 00 копеек");
        assert_eq!(ru(1_211), "Двенадцать рублей 11 копеек");
        assert_eq!(ru(5), "Ноль рублей 05 копеек");
        assert_eq!(ru(100_000_000_000), "Один миллиард рублей 00 копеек");
        assert_eq!(
            ru(1_000_100_000),
            "Десять миллионов одна тысяча рублей 00 копеек"
        );
    }

    #[test]
    fn other_currencies_and_english() {
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            amount_in_words(2_150, &usd, "ru"),
            "Двадцать один доллар США 50 центов"
        );
        assert_eq!(
            amount_in_words(276_940_000, &Currency::rub(), "en"),
            "Two million seven hundred sixty-nine thousand four hundred roubles 00 kopecks"
        );
        assert_eq!(
            amount_in_words(101, &Currency::rub(), "en"),
            "One rouble 01 kopeck"
        );
        let gbp = Currency::parse("GBP").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(amount_in_words(1_250, &gbp, "ru"), "Двенадцать GBP 50");
    }
}
