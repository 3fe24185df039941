//! Which column fills which field, and one row's cells turned into the JSON
//! draft the API would accept: classifier labels become codes, a user's
//! name or e-mail becomes an owner, a company's code, INN or name becomes a
//! link. Looked-up values are cached for the whole file.

use super::ImportEntity;
use crate::{App, AppError, Principal};
use karta_core::custom_fields::FieldType;
use karta_core::identifiers::{CustomerCode, Inn};
use karta_core::import::{self, ImportField, Kind, header_key};
use karta_db::entities::custom_field;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// Distinct account names, codes or INNs remembered per import; past this
/// the cache starts again, so memory stays bounded on any file.
const ACCOUNT_CACHE: usize = 50_000;

/// What a column fills.
#[derive(Debug, Clone)]
pub enum Target {
    Field(&'static ImportField),
    Custom {
        key: String,
        field_type: FieldType,
        /// Option codes with their labels, for one-of and many-of fields.
        options: Vec<(String, Vec<String>)>,
    },
}

impl Target {
    /// The name the mapping uses: a field, or `custom.<key>`.
    pub fn name(&self) -> String {
        match self {
            Target::Field(f) => f.field.to_string(),
            Target::Custom { key, .. } => format!("custom.{key}"),
        }
    }

    /// Whether several columns may fill it (their values add up).
    fn is_list(&self) -> bool {
        matches!(
            self,
            Target::Field(ImportField {
                kind: Kind::List | Kind::Classifiers(_) | Kind::Accounts,
                ..
            })
        )
    }

    /// The draft field a validation error on it names.
    fn draft_field(&self) -> String {
        match self {
            Target::Field(f) => match f.kind {
                Kind::Owner => "owner_id".into(),
                Kind::Accounts => "account_ids".into(),
                Kind::FullName => "last_name".into(),
                Kind::Money => format!("{}_minor", f.field),
                _ => f.field.into(),
            },
            Target::Custom { key, .. } => format!("custom.{key}"),
        }
    }
}

/// The file's columns and what each fills (`None`: skipped).
#[derive(Debug, Clone)]
pub struct Columns {
    pub headers: Vec<String>,
    pub targets: Vec<Option<Target>>,
}

fn custom_targets(customs: &[custom_field::Model]) -> Vec<(Target, Vec<String>)> {
    customs
        .iter()
        .filter(|d| d.active)
        .filter_map(|d| {
            let field_type = FieldType::parse(&d.field_type).ok()?;
            let options = d
                .options
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| {
                    let code = o.get("code")?.as_str()?.to_string();
                    let labels = ["label_ru", "label_en"]
                        .iter()
                        .filter_map(|l| o.get(*l).and_then(Value::as_str))
                        .map(header_key)
                        .chain([header_key(&code)])
                        .collect();
                    Some((code, labels))
                })
                .collect();
            let headers = vec![
                d.key.clone(),
                format!("custom.{}", d.key),
                d.label_ru.clone(),
                d.label_en.clone(),
            ];
            Some((
                Target::Custom {
                    key: d.key.clone(),
                    field_type,
                    options,
                },
                headers,
            ))
        })
        .collect()
}

impl Columns {
    /// Guesses each column's field from its header; a second column naming
    /// a field that takes one value is skipped.
    pub fn guess(
        entity: ImportEntity,
        headers: &[String],
        customs: &[custom_field::Model],
    ) -> Self {
        let customs = custom_targets(customs);
        let mut targets: Vec<Option<Target>> = Vec::with_capacity(headers.len());
        for h in headers {
            let key = header_key(h);
            let guess = import::guess_field(entity.fields(), h)
                .map(Target::Field)
                .or_else(|| {
                    customs
                        .iter()
                        .find(|(_, names)| names.iter().any(|n| header_key(n) == key))
                        .map(|(t, _)| t.clone())
                });
            let taken = guess.as_ref().is_some_and(|g| {
                !g.is_list() && targets.iter().flatten().any(|t| t.name() == g.name())
            });
            targets.push(if taken { None } else { guess });
        }
        Self {
            headers: headers.to_vec(),
            targets,
        }
    }

    /// The columns as a person mapped them: one field name (or nothing) per
    /// column. Unknown names and a single-value field given twice are
    /// refused as `columns[i]`.
    pub fn chosen(
        entity: ImportEntity,
        headers: &[String],
        names: &[Option<String>],
        customs: &[custom_field::Model],
    ) -> Result<Self, karta_core::Invalid> {
        let customs = custom_targets(customs);
        let mut e = karta_core::Invalid::default();
        let mut targets: Vec<Option<Target>> = Vec::with_capacity(headers.len());
        for i in 0..headers.len() {
            let Some(name) = names.get(i).cloned().flatten().filter(|n| !n.is_empty()) else {
                targets.push(None);
                continue;
            };
            let target = entity
                .fields()
                .iter()
                .find(|f| f.field == name)
                .map(Target::Field)
                .or_else(|| {
                    customs
                        .iter()
                        .find(|(t, _)| t.name() == name)
                        .map(|(t, _)| t.clone())
                });
            match target {
                None => e.push(format!("columns[{i}]"), "unknown_field"),
                Some(t)
                    if !t.is_list() && targets.iter().flatten().any(|o| o.name() == t.name()) =>
                {
                    e.push(format!("columns[{i}]"), "mapped_twice")
                }
                Some(t) => {
                    targets.push(Some(t));
                    continue;
                }
            }
            targets.push(None);
        }
        e.into_result()?;
        Ok(Self {
            headers: headers.to_vec(),
            targets,
        })
    }

    /// The mapping as stored and shown: a field name or `null` per column.
    pub fn names(&self) -> Vec<Option<String>> {
        self.targets
            .iter()
            .map(|t| t.as_ref().map(Target::name))
            .collect()
    }

    /// Whether some column fills `field`.
    pub fn fills(&self, field: &str) -> bool {
        self.targets.iter().flatten().any(|t| t.name() == field)
    }

    /// The column a validation error on draft field `field` belongs to.
    pub fn column_of(&self, field: &str) -> Option<usize> {
        let root = field.split('[').next().unwrap_or(field);
        let root = if root.starts_with("custom.") {
            root
        } else {
            root.split('.').next().unwrap_or(root)
        };
        self.targets
            .iter()
            .position(|t| t.as_ref().is_some_and(|t| t.draft_field() == root))
    }
}

/// One row as a draft, with the cells that could not be read.
#[derive(Debug, Default)]
pub struct RowDraft {
    /// The draft's fields (only those the row fills).
    pub draft: Map<String, Value>,
    /// The customer code, when the file has a code column.
    pub code: Option<i64>,
    /// (column, error code) of every unreadable cell.
    pub errors: Vec<(usize, &'static str)>,
}

/// Look-ups shared by every row of one import.
pub struct Lookups {
    classifiers: HashMap<(String, String), String>,
    users: HashMap<String, Uuid>,
    accounts: HashMap<String, Result<Uuid, &'static str>>,
    today: String,
}

impl Lookups {
    /// Loads classifiers and users once.
    pub async fn load(app: &App, p: &Principal) -> Result<Self, AppError> {
        let db = app.db.conn();
        let mut classifiers = HashMap::new();
        for c in karta_db::classifiers::all(db).await? {
            for name in [&c.code, &c.label_ru, &c.label_en] {
                classifiers
                    .entry((c.kind.clone(), header_key(name)))
                    .or_insert_with(|| c.code.clone());
            }
        }
        let mut users = HashMap::new();
        for u in karta_db::users::users(db).await? {
            users.insert(u.email.to_lowercase(), u.id);
            users.entry(u.name.to_lowercase()).or_insert(u.id);
        }
        // Consents given "today" by a file are dated on the importer's clock.
        let shift = i64::from(app.utc_offset(p)) * 60_000_000;
        let today = karta_core::time::from_micros(app.now() + shift)
            .date()
            .format(karta_core::contacts::DATE_FORMAT)
            .unwrap_or_default();
        Ok(Self {
            classifiers,
            users,
            accounts: HashMap::new(),
            today,
        })
    }

    /// The code of a classifier value given by code or label; the cell
    /// itself when none matches (validation then names it unknown).
    fn classifier(&self, kind: &str, cell: &str) -> String {
        self.classifiers
            .get(&(kind.to_string(), header_key(cell)))
            .cloned()
            .unwrap_or_else(|| cell.to_string())
    }

    /// A live account by customer code, INN or exact name.
    async fn account(
        &mut self,
        app: &App,
        cell: &str,
    ) -> Result<Result<Uuid, &'static str>, AppError> {
        if let Some(found) = self.accounts.get(cell) {
            return Ok(*found);
        }
        let db = app.db.conn();
        let matches = if let Ok(code) = CustomerCode::parse(cell) {
            karta_db::accounts::find_by_code(db, code.0, karta_db::Visibility::All)
                .await?
                .into_iter()
                .collect()
        } else if let Ok(inn) = Inn::parse(cell) {
            karta_db::accounts::with_inn(db, inn.as_str(), None).await?
        } else {
            karta_db::accounts::with_name(db, cell).await?
        };
        let found = match matches.as_slice() {
            [one] => Ok(one.id),
            [] => Err("unknown_account"),
            _ => Err("ambiguous_account"),
        };
        if self.accounts.len() >= ACCOUNT_CACHE {
            self.accounts.clear();
        }
        self.accounts.insert(cell.to_string(), found);
        Ok(found)
    }
}

fn push(draft: &mut Map<String, Value>, field: &str, values: impl IntoIterator<Item = String>) {
    let list = draft
        .entry(field.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = list {
        items.extend(values.into_iter().map(Value::String));
    }
}

impl Columns {
    /// The draft of one row. Empty cells fill nothing.
    pub async fn draft(
        &self,
        app: &App,
        lookups: &mut Lookups,
        cells: &[String],
    ) -> Result<RowDraft, AppError> {
        let mut row = RowDraft::default();
        for (i, target) in self.targets.iter().enumerate() {
            let (Some(target), Some(raw)) = (target, cells.get(i)) else {
                continue;
            };
            let cell = import::cell_text(raw);
            if cell.is_empty() {
                continue;
            }
            let d = &mut row.draft;
            match target {
                Target::Field(f) => match f.kind {
                    Kind::Text => {
                        let value = import::vocabulary_code(f.field, cell);
                        d.insert(f.field.into(), json!(value));
                    }
                    Kind::List => {
                        let items = import::split_list(cell)
                            .into_iter()
                            .map(|v| import::vocabulary_code(f.field, &v));
                        push(d, f.field, items);
                    }
                    Kind::YesNo => match import::parse_yes_no(cell) {
                        Ok(given) => {
                            let date = given.then(|| lookups.today.clone());
                            d.insert(
                                f.field.into(),
                                json!({"given": given, "date": date, "source": "import"}),
                            );
                        }
                        Err(code) => row.errors.push((i, code)),
                    },
                    Kind::Date => match import::iso_date(cell) {
                        Ok(date) => {
                            d.insert(f.field.into(), json!(date));
                        }
                        Err(code) => row.errors.push((i, code)),
                    },
                    Kind::Classifier(kind) => {
                        d.insert(f.field.into(), json!(lookups.classifier(kind, cell)));
                    }
                    Kind::Classifiers(kind) => {
                        let codes: Vec<String> = import::split_list(cell)
                            .iter()
                            .map(|v| lookups.classifier(kind, v))
                            .collect();
                        push(d, f.field, codes);
                    }
                    Kind::Owner => match lookups.users.get(&cell.to_lowercase()) {
                        Some(id) => {
                            d.insert("owner_id".into(), json!(id));
                        }
                        None => row.errors.push((i, "unknown_user")),
                    },
                    Kind::Accounts => {
                        // A name that itself holds ';' is one company, not two.
                        let whole = match cell.contains(';') {
                            true => lookups.account(app, cell.trim()).await?.ok(),
                            false => None,
                        };
                        if let Some(id) = whole {
                            push(d, "account_ids", [id.to_string()]);
                        } else {
                            for name in cell.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                                match lookups.account(app, name).await? {
                                    Ok(id) => push(d, "account_ids", [id.to_string()]),
                                    Err(code) => row.errors.push((i, code)),
                                }
                            }
                        }
                    }
                    Kind::FullName => {
                        let russian = self.headers[i]
                            .chars()
                            .any(|c| c.is_alphabetic() && !c.is_ascii());
                        let (last, first, middle) = import::split_full_name(cell, russian);
                        for (field, value) in [
                            ("last_name", last),
                            ("first_name", first),
                            ("middle_name", middle),
                        ] {
                            if let Some(v) = value
                                && !self.fills(field)
                            {
                                d.insert(field.into(), json!(v));
                            }
                        }
                    }
                    Kind::Number => match import::whole_number(cell) {
                        Ok(n) => {
                            d.insert(f.field.into(), json!(n));
                        }
                        Err(code) => row.errors.push((i, code)),
                    },
                    Kind::VatRate => match import::vat_rate(cell) {
                        Ok(n) => {
                            d.insert(f.field.into(), json!(n));
                        }
                        Err(code) => row.errors.push((i, code)),
                    },
                    Kind::Money => match import::amount(cell) {
                        Ok(minor) => {
                            d.insert(format!("{}_minor", f.field), json!(minor));
                        }
                        Err(code) => row.errors.push((i, code)),
                    },
                    Kind::Flag => match import::parse_yes_no(cell) {
                        Ok(flag) => {
                            d.insert(f.field.into(), json!(flag));
                        }
                        Err(code) => row.errors.push((i, code)),
                    },
                    Kind::Code => match CustomerCode::parse(cell) {
                        Ok(code) => row.code = Some(code.0),
                        Err(code) => row.errors.push((i, code)),
                    },
                },
                Target::Custom {
                    key,
                    field_type,
                    options,
                } => {
                    let option = |v: &str| {
                        let k = header_key(v);
                        options
                            .iter()
                            .find(|(_, labels)| labels.contains(&k))
                            .map_or_else(|| v.to_string(), |(code, _)| code.clone())
                    };
                    let value = match field_type {
                        FieldType::Boolean => import::parse_yes_no(cell).map(Value::Bool),
                        FieldType::Date => import::iso_date(cell).map(Value::String),
                        FieldType::OneOf => Ok(json!(option(cell))),
                        FieldType::ManyOf => Ok(json!(
                            import::split_list(cell)
                                .iter()
                                .map(|v| option(v))
                                .collect::<Vec<_>>()
                        )),
                        _ => Ok(json!(cell)),
                    };
                    match value {
                        Ok(v) => {
                            d.entry("custom")
                                .or_insert_with(|| Value::Object(Map::new()))
                                .as_object_mut()
                                .map(|m| m.insert(key.clone(), v));
                        }
                        Err(code) => row.errors.push((i, code)),
                    }
                }
            }
        }
        Ok(row)
    }
}
