//! The selling company's requisites (реквизиты), as its documents print
//! them: names and registration numbers, address and contacts, the bank
//! with its BIK and accounts, and who signs.

use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::accounts::clean_text;
use karta_core::identifiers::{BankAccount, Bik, Inn, Kpp, Ogrn};
use serde::{Deserialize, Serialize};

const COMPANY_KEY: &str = "company";

/// The selling company, as its documents name it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyProfile {
    pub name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The bank's name («ПАО Сбербанк»).
    pub bank: Option<String>,
    /// The bank's BIK (9 digits).
    pub bik: Option<String>,
    /// The settlement account (р/с, 20 digits, checked against the BIK).
    pub settlement_account: Option<String>,
    /// The bank's correspondent account (к/с, 20 digits, checked against
    /// the BIK).
    pub correspondent_account: Option<String>,
    /// Who signs as director («Иванов И. И.»).
    pub director: Option<String>,
    /// Who signs as chief accountant.
    pub chief_accountant: Option<String>,
}

impl CompanyProfile {
    fn validate(self) -> Result<Self, Invalid> {
        let mut e = Invalid::default();
        let inn = clean_text(&mut e, "inn", self.inn, 12);
        if let Some(i) = &inn {
            e.take("inn", Inn::parse(i));
        }
        let kpp = clean_text(&mut e, "kpp", self.kpp, 9);
        if let Some(k) = &kpp {
            e.take("kpp", Kpp::parse(k));
        }
        let ogrn = clean_text(&mut e, "ogrn", self.ogrn, 15);
        if let Some(o) = &ogrn {
            e.take("ogrn", Ogrn::parse(o));
        }
        let bik =
            clean_text(&mut e, "bik", self.bik, 9).and_then(|b| e.take("bik", Bik::parse(&b)));
        let [settlement_account, correspondent_account] = [
            (
                "settlement_account",
                self.settlement_account,
                BankAccount::Settlement,
            ),
            (
                "correspondent_account",
                self.correspondent_account,
                BankAccount::Correspondent,
            ),
        ]
        .map(|(field, raw, kind)| {
            let raw = clean_text(&mut e, field, raw, 30)?;
            match &bik {
                Some(bik) => e.take(field, bik.account(kind, &raw)),
                None => Some(raw),
            }
        });
        // An account's key is checked against the BIK, which it then needs.
        if bik.is_none() && (settlement_account.is_some() || correspondent_account.is_some()) {
            e.push("bik", "required");
        }
        let profile = Self {
            name: clean_text(&mut e, "name", self.name, 300),
            inn,
            kpp,
            ogrn,
            address: clean_text(&mut e, "address", self.address, 500),
            phone: clean_text(&mut e, "phone", self.phone, 100),
            email: clean_text(&mut e, "email", self.email, 200),
            bank: clean_text(&mut e, "bank", self.bank, 500),
            bik: bik.map(|b| b.to_string()),
            settlement_account,
            correspondent_account,
            director: clean_text(&mut e, "director", self.director, 200),
            chief_accountant: clean_text(&mut e, "chief_accountant", self.chief_accountant, 200),
        };
        if profile.name.is_none() && e.0.is_empty() {
            e.push("name", "required");
        }
        e.into_result().map(|()| profile)
    }
}

/// The company profile (empty until an administrator fills it in).
pub async fn profile(app: &App) -> Result<CompanyProfile, AppError> {
    Ok(karta_db::settings::get(app.db.conn(), COMPANY_KEY)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Replaces the company profile (administrators).
pub async fn set_profile(
    app: &App,
    p: &Principal,
    profile: CompanyProfile,
) -> Result<CompanyProfile, AppError> {
    if !p.may_edit_company() {
        return Err(AppError::Forbidden);
    }
    let profile = profile.validate()?;
    let value = serde_json::to_value(&profile).unwrap_or_default();
    karta_db::settings::put(app.db.conn(), COMPANY_KEY, value, app.now()).await?;
    Ok(profile)
}
