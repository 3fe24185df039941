//! Validated identifiers: e-mail, phone (E.164), INN, KPP, OGRN, customer code.
//!
//! Each type can only be built by parsing, so holding one proves validity.
//! Parse errors are stable codes (`invalid_email`, …) that the API returns.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The canonical text form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);
string_newtype!(Email);

impl Email {
    /// Parses an address; the domain must contain a dot and no spaces are allowed.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim().to_lowercase();
        let (local, domain) = value.rsplit_once('@').ok_or("invalid_email")?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && c != ',');
        let domain_ok = domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok && value.len() <= 254 {
            Ok(Self(value))
        } else {
            Err("invalid_email")
        }
    }
}

/// A phone number in E.164 (`+74951234567`). Numbers without a country code
/// are read as Russian, the default country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);
string_newtype!(Phone);

impl Phone {
    /// Parses a number written the way people write them: spaces, dashes,
    /// dots and brackets are ignored; a leading `8` or `7` on 11 digits and a
    /// bare 10-digit number are Russian.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                _ => return Err("invalid_phone"),
            }
        }
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let e164 = if trimmed.starts_with("00") {
            digits[2..].to_string()
        } else if international {
            digits
        } else if digits.len() == 11 && (digits.starts_with('8') || digits.starts_with('7')) {
            format!("7{}", &digits[1..])
        } else if digits.len() == 10 {
            format!("7{digits}")
        } else {
            return Err("invalid_phone");
        };
        if (8..=15).contains(&e164.len()) && !e164.starts_with('0') {
            Ok(Self(format!("+{e164}")))
        } else {
            Err("invalid_phone")
        }
    }

    /// The digits without the plus sign, as indexed for fragment search.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

fn digits_of(raw: &str, allowed: &[usize], code: &'static str) -> Result<Vec<u32>, &'static str> {
    let value = raw.trim();
    if !allowed.contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(code);
    }
    Ok(value.bytes().map(|b| u32::from(b - b'0')).collect())
}

fn weighted(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// Russian taxpayer number (ИНН): 10 digits for organisations, 12 for
/// individuals, with the Federal Tax Service check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Inn(String);
string_newtype!(Inn);

impl Inn {
    /// Parses and checks the control digit(s).
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
        const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
        const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
        let d = digits_of(raw, &[10, 12], "invalid_inn")?;
        let valid = if d.len() == 10 {
            weighted(&d, &W10) == d[9]
        } else {
            weighted(&d, &W11) == d[10] && weighted(&d, &W12) == d[11]
        };
        if valid {
            Ok(Self(raw.trim().to_string()))
        } else {
            Err("invalid_inn")
        }
    }

    /// Appends the check digit(s) to the first 9 (organisation) or 10
    /// (individual) digits; used by the demo generator and tests.
    pub fn complete(prefix: &str) -> Option<Self> {
        let d = digits_of(prefix, &[9, 10], "invalid_inn").ok()?;
        let text = if d.len() == 9 {
            const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
            format!("{prefix}{}", weighted(&d, &W10))
        } else {
            const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
            const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
            let mut all = d.clone();
            all.push(weighted(&d, &W11));
            let last = weighted(&all, &W12);
            format!("{prefix}{}{last}", all[10])
        };
        Inn::parse(&text).ok()
    }

    /// True for an organisation's 10-digit number.
    pub fn is_organisation(&self) -> bool {
        self.0.len() == 10
    }
}

/// Tax registration reason code (КПП): 9 characters, `NNNNPPNNN`, where the
/// reason part `PP` may hold capital Latin letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kpp(String);
string_newtype!(Kpp);

impl Kpp {
    /// Parses the 9-character code.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim().to_uppercase();
        let b = value.as_bytes();
        let ok = b.len() == 9
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4..6]
                .iter()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            && b[6..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(value))
        } else {
            Err("invalid_kpp")
        }
    }
}

/// Primary state registration number: ОГРН (13 digits) or ОГРНИП (15),
/// with its control digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ogrn(String);
string_newtype!(Ogrn);

impl Ogrn {
    /// Parses and checks the control digit.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim();
        digits_of(value, &[13, 15], "invalid_ogrn")?;
        let (body, check) = value.split_at(value.len() - 1);
        let modulus = if value.len() == 13 { 11 } else { 13 };
        let body: u64 = body.parse().map_err(|_| "invalid_ogrn")?;
        let check: u64 = check.parse().map_err(|_| "invalid_ogrn")?;
        if body % modulus % 10 == check {
            Ok(Self(value.to_string()))
        } else {
            Err("invalid_ogrn")
        }
    }

    /// Appends the control digit to 12 (or 14) digits.
    pub fn complete(prefix: &str) -> Option<Self> {
        let body: u64 = prefix.parse().ok()?;
        let modulus = match prefix.len() {
            12 => 11,
            14 => 13,
            _ => return None,
        };
        Ogrn::parse(&format!("{prefix}{}", body % modulus % 10)).ok()
    }
}

/// The customer code (`K-000123`): one identifier for the customer in every
/// system the company runs. Assigned from a sequence, never changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerCode(pub i64);

impl CustomerCode {
    /// Reads `K-000123`, `k000123` or `K-123`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let value = raw.trim();
        let rest = value
            .strip_prefix(['K', 'k', 'К', 'к'])
            .map(|r| r.strip_prefix('-').unwrap_or(r))
            .ok_or("invalid_code")?;
        if rest.is_empty() || rest.len() > 12 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err("invalid_code");
        }
        rest.parse().map(Self).map_err(|_| "invalid_code")
    }
}

impl fmt::Display for CustomerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "K-{:06}", self.0)
    }
}

/// A Russian bank's identification code (БИК): nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bik(String);
string_newtype!(Bik);

/// Which of a bank's accounts a 20-digit number is meant to be: the
/// client's settlement account (р/с) or the bank's correspondent account
/// at the Central Bank (к/с).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankAccount {
    Settlement,
    Correspondent,
}

impl Bik {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        digits_of(raw, &[9], "invalid_bik")?;
        Ok(Self(raw.trim().to_string()))
    }

    /// Checks a 20-digit account of `kind` held at this bank by the Central
    /// Bank's control key: the weights 7, 1, 3 over the BIK's key digits
    /// and the account give a sum divisible by 10. Spaces are dropped.
    pub fn account(&self, kind: BankAccount, raw: &str) -> Result<String, &'static str> {
        let code = match kind {
            BankAccount::Settlement => "invalid_settlement_account",
            BankAccount::Correspondent => "invalid_correspondent_account",
        };
        let account: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        digits_of(&account, &[20], code)?;
        let key = match kind {
            BankAccount::Settlement => self.0[6..].to_string(),
            BankAccount::Correspondent => format!("0{}", &self.0[4..6]),
        };
        let sum: u32 = format!("{key}{account}")
            .bytes()
            .zip([7, 1, 3].iter().cycle())
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if sum.is_multiple_of(10) {
            Ok(account)
        } else {
            Err(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_accounts_carry_the_central_banks_control_key() {
        let sber = Bik::parse("044525225").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Bik::parse("04452522"), Err("invalid_bik"));
        assert_eq!(
            sber.account(BankAccount::Correspondent, "30101 810 4 0000 0000225"),
            Ok("30101810400000000225".into())
        );
        assert_eq!(
            sber.account(BankAccount::Settlement, "40702810938000030000"),
            Ok("40702810938000030000".into())
        );
        assert_eq!(
            sber.account(BankAccount::Settlement, "40702810938000030001"),
            Err("invalid_settlement_account")
        );
        assert_eq!(
            sber.account(BankAccount::Correspondent, "3010181040000000022"),
            Err("invalid_correspondent_account")
        );
    }
    use proptest::prelude::*;

    #[test]
    fn known_inns() {
        assert!(Inn::parse("7707083893").is_ok()); // Sberbank
        assert!(Inn::parse("7736207543").is_ok()); // Yandex
        assert!(Inn::parse("500100732259").is_ok());
        assert_eq!(Inn::parse("7707083894"), Err("invalid_inn"));
        assert_eq!(Inn::parse("77070838"), Err("invalid_inn"));
        assert_eq!(Inn::parse("77070838ab"), Err("invalid_inn"));
    }

    #[test]
    fn known_ogrn_and_kpp() {
        assert!(Ogrn::parse("1027700132195").is_ok()); // Sberbank
        assert_eq!(Ogrn::parse("1027700132196"), Err("invalid_ogrn"));
        assert!(Ogrn::parse("304500116000157").is_ok());
        assert!(Kpp::parse("773601001").is_ok());
        assert!(Kpp::parse("7736AB001").is_ok());
        assert_eq!(Kpp::parse("77360100"), Err("invalid_kpp"));
    }

    #[test]
    fn phones_are_normalised_to_e164() {
        let p = |s| Phone::parse(s).map(|p| p.to_string());
        assert_eq!(p("8 (495) 123-45-67"), Ok("+74951234567".into()));
        assert_eq!(p("+7 495 123 45 67"), Ok("+74951234567".into()));
        assert_eq!(p("9161234567"), Ok("+79161234567".into()));
        assert_eq!(p("+44 20 7946 0958"), Ok("+442079460958".into()));
        assert_eq!(p("0044 20 7946 0958"), Ok("+442079460958".into()));
        assert_eq!(p("12345"), Err("invalid_phone"));
        assert_eq!(p("call me"), Err("invalid_phone"));
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ivan@Example.RU ").map(|e| e.to_string()),
            Ok("ivan@example.ru".into())
        );
        assert!(Email::parse("info@пример.рф").is_ok());
        for bad in ["", "a", "a@b", "a b@c.ru", "@c.ru", "a@.ru", "a@c..ru"] {
            assert_eq!(Email::parse(bad), Err("invalid_email"), "{bad}");
        }
    }

    #[test]
    fn customer_codes() {
        assert_eq!(CustomerCode(123).to_string(), "K-000123");
        assert_eq!(CustomerCode::parse("k-000123"), Ok(CustomerCode(123)));
        assert_eq!(CustomerCode::parse("K123"), Ok(CustomerCode(123)));
        assert!(CustomerCode::parse("X-1").is_err());
    }

    proptest! {
        #[test]
        fn completed_inns_are_valid(prefix in "[0-9]{9}", person in "[0-9]{10}") {
            prop_assert!(Inn::complete(&prefix).is_some());
            prop_assert!(Inn::complete(&person).is_some());
        }

        #[test]
        fn a_wrong_check_digit_breaks_an_inn(prefix in "[0-9]{9}", delta in 1u8..10) {
            let inn = Inn::complete(&prefix).map(|i| i.to_string()).unwrap_or_default();
            let mut bytes = inn.into_bytes();
            bytes[9] = b'0' + (bytes[9] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap_or_default();
            prop_assert!(Inn::parse(&changed).is_err());
        }

        #[test]
        fn completed_ogrns_are_valid(body in "[1-5][0-9]{11}") {
            prop_assert!(Ogrn::complete(&body).is_some());
        }

        #[test]
        fn phone_parse_is_idempotent(n in "[1-9][0-9]{9,13}") {
            if let Ok(p) = Phone::parse(&format!("+{n}")) {
                prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
            }
        }
    }
}
