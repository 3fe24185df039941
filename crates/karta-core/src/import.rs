//! Import files as people bring them: CSV from Excel, Google Sheets or 1C,
//! in UTF-8 (with or without BOM) or Windows-1251, separated by `,`, `;` or
//! tabs. This module reads such a file row by row, guesses which column is
//! which field from Russian or English headers, and turns cell text into the
//! values the API accepts (dates as `YYYY-MM-DD`, lists, yes/no).

use std::io::Read;

/// How much of the file is looked at to decide its encoding and delimiter.
const SNIFF_BYTES: usize = 64 * 1024;

/// What an import does with a row whose key matches an existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only new records; a row whose key exists is refused.
    Create,
    /// Only existing records; a row whose key matches nothing is refused.
    Update,
    /// Update what matches, create the rest.
    Upsert,
}

impl Mode {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Create => "create",
            Mode::Update => "update",
            Mode::Upsert => "upsert",
        }
    }

    /// Parses `create`, `update` or `upsert`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw {
            "create" => Ok(Mode::Create),
            "update" => Ok(Mode::Update),
            "upsert" => Ok(Mode::Upsert),
            _ => Err("invalid_mode"),
        }
    }
}

/// The field that finds a row's existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The customer code (`K-000123`); accounts only.
    Code,
    /// The INN; accounts only.
    Inn,
    /// Any of the row's e-mails; contacts only.
    Email,
    /// Any of the row's phones; contacts only.
    Phone,
    /// The record's id in the system the file came from (1C, old CRM).
    ExternalId,
    /// The article (артикул); products only.
    Sku,
}

impl Key {
    /// Stable identifier, also the import field that carries the key.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Code => "code",
            Key::Inn => "inn",
            Key::Email => "emails",
            Key::Phone => "phones",
            Key::ExternalId => "external_id",
            Key::Sku => "sku",
        }
    }

    /// Parses `code`, `inn`, `email`, `phone`, `external_id` or `sku`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw {
            "code" => Ok(Key::Code),
            "inn" => Ok(Key::Inn),
            "email" | "emails" => Ok(Key::Email),
            "phone" | "phones" => Ok(Key::Phone),
            "external_id" => Ok(Key::ExternalId),
            "sku" => Ok(Key::Sku),
            _ => Err("invalid_key"),
        }
    }
}

/// A file's text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// What 1C and Russian Excel write by default.
    Windows1251,
}

impl Encoding {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1251 => "windows-1251",
        }
    }

    /// UTF-8 when the sample is valid UTF-8 (a character cut at the end of
    /// the sample does not count), Windows-1251 otherwise.
    pub fn sniff(sample: &[u8]) -> Self {
        match std::str::from_utf8(sample) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() => Encoding::Utf8,
            Err(_) => Encoding::Windows1251,
        }
    }

    /// Decodes one cell. A cell that is not valid UTF-8 in a file sniffed as
    /// UTF-8 is read as Windows-1251 rather than refused: files glued
    /// together from two sources exist.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => s.to_string(),
                Err(_) => Self::Windows1251.decode(bytes),
            },
            Encoding::Windows1251 => encoding_rs::WINDOWS_1251
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        }
    }
}

/// The delimiter of a file whose first line is `line`: the most frequent of
/// `;`, `,` and tab outside quotes (`,` when none occurs).
pub fn sniff_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b';' if !quoted => counts[0] += 1,
            b',' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], i == 1)).unwrap_or(1);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// A CSV file being read row by row; memory stays bounded by the longest
/// row whatever the file's size.
pub struct CsvRows {
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
    /// The file's encoding, as sniffed.
    pub encoding: Encoding,
    /// The file's delimiter, as sniffed.
    pub delimiter: u8,
    /// The header row, decoded and trimmed.
    pub headers: Vec<String>,
    /// The number of the row last read, as a spreadsheet shows it.
    line: u64,
    /// Whether the rows come from a workbook's sheet.
    workbook: bool,
}

impl std::fmt::Debug for CsvRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRows")
            .field("encoding", &self.encoding)
            .field("delimiter", &self.delimiter)
            .field("headers", &self.headers)
            .finish()
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty or has no header row")]
    NoHeader,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Workbook(#[from] crate::xlsx::ReadError),
}

impl ReadError {
    /// Stable code for the person who sent the file.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::NoHeader => "empty_file",
            ReadError::Io(_) | ReadError::Csv(_) => "unreadable_file",
            ReadError::Workbook(_) => "unreadable_workbook",
        }
    }
}

impl CsvRows {
    /// Opens a CSV file: skips a UTF-8 byte-order mark, sniffs encoding and
    /// delimiter from the first 64 KiB and reads the header row.
    pub fn open(source: impl Read + Send + 'static) -> Result<Self, ReadError> {
        let mut source = source;
        let mut sample = Vec::with_capacity(SNIFF_BYTES);
        (&mut source)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut sample)?;
        let body = sample
            .strip_prefix(b"\xef\xbb\xbf".as_slice())
            .unwrap_or(&sample)
            .to_vec();
        let encoding = Encoding::sniff(&body);
        let delimiter = sniff_delimiter(&body);
        let chained: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(body).chain(source));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(chained);
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record)? {
            return Err(ReadError::NoHeader);
        }
        let headers: Vec<String> = record
            .iter()
            .map(|c| encoding.decode(c).trim().to_string())
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err(ReadError::NoHeader);
        }
        Ok(Self {
            reader,
            record,
            encoding,
            delimiter,
            headers,
            line: 1,
            workbook: false,
        })
    }

    /// Marks rows read from a workbook's sheet (written out as UTF-8 CSV).
    pub(crate) fn read_from_workbook(mut self) -> Self {
        self.workbook = true;
        self
    }

    /// What the file was, as shown to the person importing it: `xlsx`, or
    /// the CSV's encoding.
    pub fn format(&self) -> &'static str {
        if self.workbook {
            "xlsx"
        } else {
            self.encoding.as_str()
        }
    }

    /// The next data row's cells (as many as the row has), or `None` at the
    /// end. Blank lines are skipped.
    pub fn next_row(&mut self) -> Result<Option<Vec<String>>, ReadError> {
        loop {
            if !self.reader.read_byte_record(&mut self.record)? {
                return Ok(None);
            }
            self.line += 1;
            if self
                .record
                .iter()
                .all(|c| c.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let encoding = self.encoding;
            return Ok(Some(
                self.record.iter().map(|c| encoding.decode(c)).collect(),
            ));
        }
    }

    /// The number of the row just read as a spreadsheet shows it: the
    /// header is row 1 and a cell spanning lines is one row. Blank lines
    /// are skipped without counting (the CSV reader never returns them).
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// How a column's cells become a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Several values in one cell.
    List,
    YesNo,
    Date,
    /// A classifier of this kind: the cell may hold its code or its label.
    Classifier(&'static str),
    /// Several values of a classifier of this kind.
    Classifiers(&'static str),
    /// A user, by e-mail or name; sets the owner.
    Owner,
    /// Accounts by customer code, INN or exact name; links a contact.
    Accounts,
    /// "Фамилия Имя Отчество" in one cell.
    FullName,
    /// The customer code (`K-000123`): a key, never written.
    Code,
    /// A whole number or a percent ("20", "20 %", "1 500").
    Number,
    /// A VAT rate as a percent, or 1C's «Без НДС» (none).
    VatRate,
    /// An amount ("1 500,00", "1 500,00 р."), written to `<field>_minor`
    /// in minor units.
    Money,
    /// Yes or no, as a plain flag.
    Flag,
}

/// A field an import column can fill, with the headers that name it.
#[derive(Debug, Clone, Copy)]
pub struct ImportField {
    pub field: &'static str,
    pub kind: Kind,
    /// Headers (Russian and English) taken to mean this field.
    pub headers: &'static [&'static str],
}

const fn f(field: &'static str, kind: Kind, headers: &'static [&'static str]) -> ImportField {
    ImportField {
        field,
        kind,
        headers,
    }
}

/// The record's id in the system a file came from, for both entities.
const EXTERNAL_ID: ImportField = f(
    "external_id",
    Kind::Text,
    &[
        "Внешний код",
        "Внешний ID",
        "Код 1С",
        "Код в 1С",
        "Идентификатор",
        "External ID",
        "ID",
    ],
);

/// Account fields an import can fill.
pub const ACCOUNT_FIELDS: &[ImportField] = &[
    f(
        "name",
        Kind::Text,
        &[
            "Наименование",
            "Название",
            "Краткое наименование",
            "Компания",
            "Организация",
            "Контрагент",
            "Клиент",
            "Company",
            "Company name",
            "Account",
            "Account name",
        ],
    ),
    f(
        "legal_name",
        Kind::Text,
        &[
            "Полное наименование",
            "Юридическое наименование",
            "Юр. наименование",
            "Legal name",
        ],
    ),
    f(
        "types",
        Kind::List,
        &["Тип", "Типы", "Вид контрагента", "Type", "Account type"],
    ),
    f("inn", Kind::Text, &["ИНН", "INN", "Tax ID", "TIN"]),
    f("kpp", Kind::Text, &["КПП", "KPP"]),
    f("ogrn", Kind::Text, &["ОГРН", "ОГРНИП", "OGRN"]),
    f(
        "legal_address",
        Kind::Text,
        &["Юридический адрес", "Юр. адрес", "Legal address"],
    ),
    f(
        "actual_address",
        Kind::Text,
        &[
            "Фактический адрес",
            "Адрес",
            "Почтовый адрес",
            "Address",
            "Actual address",
        ],
    ),
    f(
        "delivery_address",
        Kind::Text,
        &["Адрес доставки", "Delivery address", "Shipping address"],
    ),
    f("region", Kind::Classifier("region"), &["Регион", "Region"]),
    f(
        "industry",
        Kind::Classifier("industry"),
        &["Отрасль", "Сфера деятельности", "Industry"],
    ),
    f(
        "segment",
        Kind::Classifier("segment"),
        &["Сегмент", "Segment"],
    ),
    f(
        "size",
        Kind::Classifier("company_size"),
        &[
            "Размер",
            "Размер компании",
            "Численность",
            "Size",
            "Company size",
        ],
    ),
    f(
        "lead_source",
        Kind::Classifier("lead_source"),
        &["Источник", "Источник клиента", "Lead source", "Source"],
    ),
    f("status", Kind::Text, &["Статус", "Status"]),
    f("tags", Kind::List, &["Теги", "Метки", "Tags"]),
    f(
        "notes",
        Kind::Text,
        &[
            "Примечание",
            "Комментарий",
            "Заметки",
            "Notes",
            "Comment",
            "Description",
        ],
    ),
    f(
        "owner",
        Kind::Owner,
        &[
            "Ответственный",
            "Менеджер",
            "Owner",
            "Manager",
            "Account owner",
        ],
    ),
    f(
        "code",
        Kind::Code,
        &["Код клиента", "Customer code", "Code"],
    ),
    EXTERNAL_ID,
];

/// Contact fields an import can fill.
pub const CONTACT_FIELDS: &[ImportField] = &[
    f(
        "full_name",
        Kind::FullName,
        &[
            "ФИО",
            "Контакт",
            "Контактное лицо",
            "Full name",
            "Contact",
            "Contact name",
            "Name",
        ],
    ),
    f(
        "last_name",
        Kind::Text,
        &["Фамилия", "Last name", "Surname", "Family name"],
    ),
    f(
        "first_name",
        Kind::Text,
        &["Имя", "First name", "Given name"],
    ),
    f("middle_name", Kind::Text, &["Отчество", "Middle name"]),
    f(
        "position",
        Kind::Text,
        &["Должность", "Position", "Job title", "Title"],
    ),
    f(
        "purchase_role",
        Kind::Classifier("purchase_role"),
        &["Роль", "Роль в закупке", "Purchase role", "Role"],
    ),
    f(
        "emails",
        Kind::List,
        &[
            "E-mail",
            "Email",
            "Эл. почта",
            "Электронная почта",
            "Почта",
            "E-mail address",
        ],
    ),
    f(
        "phones",
        Kind::List,
        &[
            "Телефон",
            "Телефоны",
            "Мобильный",
            "Мобильный телефон",
            "Рабочий телефон",
            "Phone",
            "Phones",
            "Mobile",
            "Telephone",
        ],
    ),
    f(
        "messengers",
        Kind::List,
        &["Мессенджеры", "Telegram", "Messengers"],
    ),
    f(
        "birthday",
        Kind::Date,
        &[
            "День рождения",
            "Дата рождения",
            "Birthday",
            "Date of birth",
        ],
    ),
    f(
        "accounts",
        Kind::Accounts,
        &[
            "Компания",
            "Организация",
            "Контрагент",
            "Клиент",
            "Company",
            "Account",
            "Organization",
        ],
    ),
    f(
        "consent_personal_data",
        Kind::YesNo,
        &[
            "Согласие на обработку ПД",
            "Согласие ПД",
            "Personal data consent",
        ],
    ),
    f(
        "consent_marketing",
        Kind::YesNo,
        &[
            "Согласие на рассылку",
            "Рассылка",
            "Marketing consent",
            "Subscribed",
        ],
    ),
    f(
        "notes",
        Kind::Text,
        &["Примечание", "Комментарий", "Заметки", "Notes", "Comment"],
    ),
    f(
        "owner",
        Kind::Owner,
        &["Ответственный", "Менеджер", "Owner", "Manager"],
    ),
    EXTERNAL_ID,
];

/// Product fields an import can fill (the catalogue from 1C or a price
/// list in Excel).
pub const PRODUCT_FIELDS: &[ImportField] = &[
    f(
        "sku",
        Kind::Text,
        &[
            "Артикул",
            "Код товара",
            "Код",
            "SKU",
            "Article",
            "Item code",
        ],
    ),
    f(
        "name",
        Kind::Text,
        &[
            "Наименование",
            "Название",
            "Товар",
            "Номенклатура",
            "Name",
            "Product",
            "Product name",
        ],
    ),
    f(
        "name_en",
        Kind::Text,
        &[
            "Наименование (англ.)",
            "Название на английском",
            "Название по-английски",
            "English name",
            "Name (English)",
        ],
    ),
    f("description", Kind::Text, &["Описание", "Description"]),
    f(
        "category",
        Kind::Classifier("product_category"),
        &[
            "Категория",
            "Группа",
            "Группа товаров",
            "Category",
            "Product category",
        ],
    ),
    f(
        "unit",
        Kind::Text,
        &["Единица", "Ед. изм.", "Единица измерения", "Unit", "UoM"],
    ),
    f(
        "vat_rate",
        Kind::VatRate,
        &["НДС", "Ставка НДС", "VAT", "VAT rate"],
    ),
    f(
        "cost_price",
        Kind::Money,
        &["Себестоимость", "Закупочная цена", "Cost", "Cost price"],
    ),
    f(
        "list_price",
        Kind::Money,
        &[
            "Цена",
            "Цена продажи",
            "Цена без НДС",
            "Price",
            "List price",
        ],
    ),
    f("currency", Kind::Text, &["Валюта", "Currency"]),
    f(
        "stock_quantity",
        Kind::Number,
        &[
            "Остаток",
            "Остаток на складе",
            "На складе",
            "Количество",
            "Stock",
            "Quantity",
            "Qty",
        ],
    ),
    f(
        "active",
        Kind::Flag,
        &["Активен", "Активный", "В продаже", "Продаётся", "Active"],
    ),
];

/// Lead fields an import can fill (enquiries from an exhibition, a
/// marketplace or another system).
pub const LEAD_FIELDS: &[ImportField] = &[
    f(
        "person_name",
        Kind::Text,
        &[
            "ФИО",
            "Контактное лицо",
            "Имя",
            "Контакт",
            "Name",
            "Full name",
            "Contact",
        ],
    ),
    f(
        "company_name",
        Kind::Text,
        &[
            "Компания",
            "Организация",
            "Название компании",
            "Company",
            "Company name",
        ],
    ),
    f(
        "email",
        Kind::Text,
        &["E-mail", "Email", "Эл. почта", "Электронная почта", "Почта"],
    ),
    f(
        "phone",
        Kind::Text,
        &["Телефон", "Мобильный", "Phone", "Mobile", "Telephone"],
    ),
    f("region", Kind::Classifier("region"), &["Регион", "Region"]),
    f(
        "industry",
        Kind::Classifier("industry"),
        &["Отрасль", "Сфера деятельности", "Industry"],
    ),
    f(
        "source",
        Kind::Classifier("lead_source"),
        &["Источник", "Канал", "Source", "Lead source"],
    ),
    f(
        "campaign",
        Kind::Classifier("campaign"),
        &["Кампания", "Рекламная кампания", "Campaign", "UTM campaign"],
    ),
    f(
        "interest",
        Kind::Text,
        &[
            "Интерес",
            "Что интересует",
            "Продукт",
            "Interest",
            "Product",
        ],
    ),
    f(
        "message",
        Kind::Text,
        &["Сообщение", "Комментарий", "Вопрос", "Message", "Comment"],
    ),
    f("status", Kind::Text, &["Статус", "Status"]),
    f(
        "consent",
        Kind::Flag,
        &[
            "Согласие на обработку ПД",
            "Согласие ПД",
            "Согласие",
            "Consent",
        ],
    ),
    f(
        "owner",
        Kind::Owner,
        &["Ответственный", "Менеджер", "Owner", "Manager"],
    ),
];

/// Account types and statuses written as words ("Клиент", "Дилер",
/// "Активный") read as their codes; other fields' text is returned as is.
pub fn vocabulary_code(field: &str, cell: &str) -> String {
    let words: &[(&str, &[&str])] = match field {
        "types" => &[
            ("customer", &["клиент", "покупатель", "заказчик"]),
            ("prospect", &["потенциальный", "потенциальный клиент"]),
            ("partner", &["партнер"]),
            ("dealer", &["дилер"]),
            ("distributor", &["дистрибьютор", "дистрибутор"]),
            ("supplier", &["поставщик"]),
            ("competitor", &["конкурент"]),
        ],
        "status" => &[
            ("active", &["активный", "действующий"]),
            ("inactive", &["неактивный", "недействующий"]),
            ("lost", &["потерян", "потерянный", "ушел"]),
            ("new", &["новый", "новая"]),
            ("in_work", &["в работе"]),
        ],
        // ОКЕИ short names as 1C writes them.
        "unit" => &[
            ("pcs", &["шт", "шт.", "штука", "штук"]),
            ("set", &["компл", "компл.", "комплект"]),
            ("pack", &["упак", "упак.", "уп", "уп.", "упаковка"]),
            ("kg", &["кг"]),
            ("t", &["т", "тонна"]),
            ("m", &["м", "пог. м", "метр"]),
            ("m2", &["м2", "кв. м", "кв.м", "м²"]),
            ("l", &["л", "литр"]),
            ("h", &["ч", "час", "чел.-ч", "нормо-час"]),
            ("service", &["услуга", "усл", "усл."]),
        ],
        _ => return cell.to_string(),
    };
    let key = cell.trim().to_lowercase().replace('ё', "е");
    words
        .iter()
        .find(|(code, names)| *code == key || names.contains(&key.as_str()))
        .map_or_else(|| key.clone(), |(code, _)| code.to_string())
}

/// A header reduced to what identifies it: lower case, `ё` as `е`, letters
/// and digits only ("E-mail:" and "email" are the same header).
pub fn header_key(header: &str) -> String {
    header
        .to_lowercase()
        .replace('ё', "е")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The field among `fields` that `header` names, if any.
pub fn guess_field<'a>(fields: &'a [ImportField], header: &str) -> Option<&'a ImportField> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    fields
        .iter()
        .find(|f| header_key(f.field) == key || f.headers.iter().any(|h| header_key(h) == key))
}

/// Cell text with the apostrophe that CSV exports put before formula-like
/// text (`'+7 999…`, `'=…`) taken off, so an export imports back unchanged.
pub fn cell_text(raw: &str) -> &str {
    let t = raw.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => t,
    }
}

/// A list cell: items separated by `;`, `,` or line breaks.
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Yes or no, as people write it in Russian or English.
pub fn parse_yes_no(cell: &str) -> Result<bool, &'static str> {
    match cell.trim().to_lowercase().as_str() {
        "да" | "д" | "yes" | "y" | "true" | "1" | "+" | "истина" | "on" => Ok(true),
        "нет" | "н" | "no" | "n" | "false" | "0" | "-" | "ложь" | "off" => Ok(false),
        _ => Err("invalid_boolean"),
    }
}

/// A whole number as people write it: spaces between thousands, a
/// percent sign, `,00` decimals that add nothing ("1 500", "20 %", "10,00").
pub fn whole_number(cell: &str) -> Result<i64, &'static str> {
    let cleaned: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '%')
        .collect();
    let cleaned = cleaned.replace(',', ".");
    let units = match cleaned.split_once('.') {
        Some((units, decimals)) if decimals.bytes().all(|b| b == b'0') => units,
        Some(_) => return Err("invalid_whole_number"),
        None => cleaned.as_str(),
    };
    units.parse().map_err(|_| "invalid_whole_number")
}

/// A VAT rate as 1C and price lists write it: "20", "20 %", or «Без НДС»
/// (and its spellings), which is a rate of 0.
pub fn vat_rate(cell: &str) -> Result<i64, &'static str> {
    let words = cell.to_lowercase().replace(['.', '\u{a0}'], " ");
    let words: Vec<&str> = words.split_whitespace().collect();
    match words.as_slice() {
        ["без", "ндс"]
        | ["без", "налога"]
        | ["ндс", "не", "облагается"]
        | ["не", "облагается"]
        | ["no", "vat"]
        | ["vat", "exempt"]
        | ["exempt"] => Ok(0),
        _ => whole_number(cell).map_err(|_| "invalid_vat_rate"),
    }
}

/// An amount as people and 1C write it: "1 500,00", "1500.5", with or
/// without a rouble mark after it ("1 500,00 р.", "1 500 руб.", "1 500 ₽").
pub fn amount(cell: &str) -> Result<i64, &'static str> {
    let trimmed = cell.trim();
    let lower = trimmed.to_lowercase();
    let number = ["руб.", "руб", "р.", "р", "₽", "rub"]
        .iter()
        .find_map(|mark| lower.strip_suffix(mark))
        .map_or(trimmed, |rest| &trimmed[..rest.len()]);
    crate::custom_fields::parse_money_minor(number.trim_end())
}

/// A date as `YYYY-MM-DD` from `YYYY-MM-DD`, `DD.MM.YYYY` (1C, Russian
/// Excel) or `DD/MM/YYYY`; a time after the date is ignored.
pub fn iso_date(cell: &str) -> Result<String, &'static str> {
    let date = cell.split_whitespace().next().unwrap_or_default();
    let parts: Vec<&str> = date.split(['.', '/', '-']).collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (*y, *m, *d),
        [d, m, y] if y.len() == 4 => (*y, *m, *d),
        _ => return Err("invalid_date"),
    };
    let number = |s: &str| s.parse::<u32>().map_err(|_| "invalid_date");
    let iso = format!("{:04}-{:02}-{:02}", number(y)?, number(m)?, number(d)?);
    crate::contacts::parse_date(&iso)?;
    Ok(iso)
}

/// "Фамилия Имя Отчество" split into last, first and middle name; a single
/// word is a last name. Western order ("John Smith") cannot be told apart
/// from Russian order, so two words are read as last then first only when
/// the header said ФИО; callers choose through `russian_order`.
pub fn split_full_name(
    cell: &str,
    russian_order: bool,
) -> (Option<String>, Option<String>, Option<String>) {
    let words: Vec<&str> = cell.split_whitespace().collect();
    let own = |s: &str| Some(s.to_string());
    match (words.as_slice(), russian_order) {
        ([], _) => (None, None, None),
        ([one], _) => (own(one), None, None),
        ([last, first], true) => (own(last), own(first), None),
        ([first, last], false) => (own(last), own(first), None),
        ([last, first, middle @ ..], true) => (own(last), own(first), Some(middle.join(" "))),
        ([first, middle @ .., last], false) => (own(last), own(first), Some(middle.join(" "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> (CsvRows, Vec<Vec<String>>) {
        let mut csv =
            CsvRows::open(std::io::Cursor::new(bytes.to_vec())).unwrap_or_else(|e| panic!("{e}"));
        let mut all = Vec::new();
        while let Some(r) = csv.next_row().unwrap_or_else(|e| panic!("{e}")) {
            all.push(r);
        }
        (csv, all)
    }

    #[test]
    fn reads_windows_1251_with_semicolons() {
        let (text, _, _) = encoding_rs::WINDOWS_1251
            .encode("Фамилия;Имя;Телефон\r\nИванов;Пётр;\"+7 (495) 123-45-67\"\r\n\r\n");
        let (csv, all) = rows(&text);
        assert_eq!(csv.encoding, Encoding::Windows1251);
        assert_eq!(csv.delimiter, b';');
        assert_eq!(csv.headers, vec!["Фамилия", "Имя", "Телефон"]);
        assert_eq!(all, vec![vec!["Иванов", "Пётр", "+7 (495) 123-45-67"]]);
    }

    #[test]
    fn reads_utf8_with_bom_and_commas_and_quoted_delimiters() {
        let (csv, all) = rows("\u{feff}Name,Notes\nАльфа,\"a, b; c\"\nBeta\n".as_bytes());
        assert_eq!(csv.encoding, Encoding::Utf8);
        assert_eq!(csv.delimiter, b',');
        assert_eq!(csv.headers, vec!["Name", "Notes"]);
        assert_eq!(all, vec![vec!["Альфа", "a, b; c"], vec!["Beta"]]);
        assert_eq!(csv.line(), 3, "Beta is row 3");
        let (csv, _) = rows(b"a;b\r\n\r\n\"1\r\n1\";2\r\n");
        assert_eq!(csv.line(), 2, "a line inside a cell is not a row");
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert!(matches!(
            CsvRows::open(std::io::Cursor::new(Vec::new())),
            Err(ReadError::NoHeader)
        ));
    }

    #[test]
    fn headers_are_guessed_in_both_languages() {
        let guess = |fields, h| guess_field(fields, h).map(|f| f.field);
        assert_eq!(guess(CONTACT_FIELDS, " e-mail: "), Some("emails"));
        assert_eq!(guess(CONTACT_FIELDS, "ЭЛ ПОЧТА"), Some("emails"));
        assert_eq!(guess(CONTACT_FIELDS, "ФИО"), Some("full_name"));
        assert_eq!(guess(CONTACT_FIELDS, "Компания"), Some("accounts"));
        assert_eq!(guess(ACCOUNT_FIELDS, "Компания"), Some("name"));
        assert_eq!(guess(ACCOUNT_FIELDS, "Inn"), Some("inn"));
        assert_eq!(guess(ACCOUNT_FIELDS, "Прочее"), None);
        assert_eq!(guess(PRODUCT_FIELDS, "Ед. изм."), Some("unit"));
        assert_eq!(guess(PRODUCT_FIELDS, "Цена"), Some("list_price"));
        assert_eq!(guess(LEAD_FIELDS, "Что интересует"), Some("interest"));
    }

    #[test]
    fn cells_become_api_values() {
        assert_eq!(cell_text("'+7 999 000-00-00"), "+7 999 000-00-00");
        assert_eq!(cell_text("'quoted"), "'quoted");
        assert_eq!(
            split_list("a@x.ru; b@x.ru,c@x.ru"),
            vec!["a@x.ru", "b@x.ru", "c@x.ru"]
        );
        assert_eq!(iso_date("05.03.1980"), Ok("1980-03-05".into()));
        assert_eq!(iso_date("1980-03-05 00:00"), Ok("1980-03-05".into()));
        assert_eq!(iso_date("31.02.1980"), Err("invalid_date"));
        assert_eq!(vocabulary_code("types", "Дилер"), "dealer");
        assert_eq!(vocabulary_code("status", "Активный"), "active");
        assert_eq!(vocabulary_code("name", "Дилер"), "Дилер");
        assert_eq!(vocabulary_code("unit", "шт."), "pcs");
        assert_eq!(vocabulary_code("unit", "кв. м"), "m2");
        assert_eq!(whole_number("1 500"), Ok(1500));
        assert_eq!(whole_number("20 %"), Ok(20));
        assert_eq!(whole_number("10,00"), Ok(10));
        assert_eq!(whole_number("2,5"), Err("invalid_whole_number"));
        assert_eq!(whole_number("много"), Err("invalid_whole_number"));
        assert_eq!(vat_rate("Без НДС"), Ok(0));
        assert_eq!(vat_rate("без  НДС."), Ok(0));
        assert_eq!(vat_rate("НДС не облагается"), Ok(0));
        assert_eq!(vat_rate("20%"), Ok(20));
        assert_eq!(vat_rate("двадцать"), Err("invalid_vat_rate"));
        assert_eq!(amount("1 500,00 р."), Ok(150_000));
        assert_eq!(amount("1\u{a0}500 руб."), Ok(150_000));
        assert_eq!(amount("2 769 400,00 ₽"), Ok(276_940_000));
        assert_eq!(amount("99,90"), Ok(9_990));
        assert_eq!(amount("сто р."), Err("invalid_money"));
        assert_eq!(parse_yes_no("Да"), Ok(true));
        assert_eq!(parse_yes_no("нет"), Ok(false));
        assert!(parse_yes_no("может быть").is_err());
        assert_eq!(
            split_full_name("Иванов Пётр Сергеевич", true),
            (
                Some("Иванов".into()),
                Some("Пётр".into()),
                Some("Сергеевич".into())
            )
        );
        assert_eq!(
            split_full_name("John Smith", false),
            (Some("Smith".into()), Some("John".into()), None)
        );
    }
}
