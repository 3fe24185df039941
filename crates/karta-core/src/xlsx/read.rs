//! Reading a workbook's first sheet as CSV. The sheet is read as a stream
//! (memory holds one row, plus the workbook's table of shared strings), and
//! numbers formatted as dates become `YYYY-MM-DD`, as a person sees them.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, Write};
use zip::ZipArchive;
use zip::read::ZipFile;

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a readable workbook: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("the workbook's XML is damaged: {0}")]
    Xml(#[from] quick_xml::Error),
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
}

/// Whether a file starts as a zip archive does (an XLSX workbook).
pub fn is_xlsx(first_bytes: &[u8]) -> bool {
    first_bytes.starts_with(b"PK\x03\x04")
}

type Part<'a, R> = Reader<BufReader<ZipFile<'a, R>>>;

/// An XML reader over one part of the archive; `None` when it is absent.
fn part<'a, R: Read + Seek>(
    zip: &'a mut ZipArchive<R>,
    name: &str,
) -> Result<Option<Part<'a, R>>, ReadError> {
    match zip.by_name(name) {
        Ok(file) => Ok(Some(Reader::from_reader(BufReader::new(file)))),
        Err(zip::result::ZipError::FileNotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn attribute(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::default())
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The text an event adds to an element's content: text, CDATA, or a
/// predefined or numeric entity reference.
fn text_of(event: &Event) -> Option<String> {
    match event {
        Event::Text(t) => Some(t.xml10_content().into_owned()),
        Event::CData(t) => Some(t.xml10_content().into_owned()),
        Event::GeneralRef(r) => {
            let c = match r.xml10_content().as_ref() {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => r.resolve_char_ref().ok().flatten()?,
            };
            Some(c.to_string())
        }
        _ => None,
    }
}

/// The path of the workbook's first sheet.
fn first_sheet<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<String, ReadError> {
    let mut id = None;
    if let Some(mut xml) = part(zip, "xl/workbook.xml")? {
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf)? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                    id = attribute(&e, "id");
                    break;
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let mut target = None;
    if let (Some(id), Some(mut xml)) = (&id, part(zip, "xl/_rels/workbook.xml.rels")?) {
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf)? {
                Event::Start(e) | Event::Empty(e) if attribute(&e, "Id").as_ref() == Some(id) => {
                    target = attribute(&e, "Target");
                    break;
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let path = match target {
        Some(t) if t.starts_with('/') => t.trim_start_matches('/').to_string(),
        Some(t) => format!("xl/{t}"),
        None => "xl/worksheets/sheet1.xml".to_string(),
    };
    if zip.index_for_name(&path).is_none() {
        return Err(ReadError::NoSheet);
    }
    Ok(path)
}

/// The shared strings table: each `<si>`'s text runs joined (phonetic
/// guides left out).
fn shared_strings<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<Vec<String>, ReadError> {
    let mut strings = Vec::new();
    let Some(mut xml) = part(zip, "xl/sharedStrings.xml")? else {
        return Ok(strings);
    };
    let (mut current, mut in_text, mut in_phonetic) = (String::new(), false, false);
    let mut buf = Vec::new();
    loop {
        let event = xml.read_event_into(&mut buf)?;
        match &event {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::Start(e) if e.local_name().as_ref() == "rPh" => in_phonetic = true,
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "rPh" => in_phonetic = false,
                "si" => strings.push(std::mem::take(&mut current)),
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => strings.push(String::new()),
            Event::Eof => break,
            _ if in_text && !in_phonetic => {
                if let Some(t) = text_of(&event) {
                    current.push_str(&t);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(strings)
}

/// Which cell styles (by index) show numbers as dates.
fn date_styles<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<Vec<bool>, ReadError> {
    let mut styles = Vec::new();
    let Some(mut xml) = part(zip, "xl/styles.xml")? else {
        return Ok(styles);
    };
    let mut custom_dates: HashMap<u32, bool> = HashMap::new();
    let mut in_cell_xfs = false;
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let Some(id) = attribute(&e, "numFmtId").and_then(|v| v.parse().ok()) {
                        let code = attribute(&e, "formatCode").unwrap_or_default();
                        custom_dates.insert(id, is_date_format(&code));
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    let id: u32 = attribute(&e, "numFmtId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    styles.push(
                        matches!(id, 14..=22 | 45..=47)
                            || custom_dates.get(&id).copied().unwrap_or(false),
                    );
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(styles)
}

/// Whether a number format shows a date: it has day, month or year codes
/// outside quoted text and brackets.
fn is_date_format(code: &str) -> bool {
    let (mut quoted, mut bracket) = (false, false);
    for c in code.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'm' | 'y' | 'D' | 'M' | 'Y' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// A date serial number (days since 1899-12-30, the 1900 system) as
/// `YYYY-MM-DD`; the time of day is dropped.
fn serial_date(value: &str) -> Option<String> {
    let days = value.trim().parse::<f64>().ok()?.floor() as i64;
    let epoch = ::time::Date::from_calendar_date(1899, ::time::Month::December, 30).ok()?;
    let date = epoch.checked_add(::time::Duration::days(days))?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// The zero-based column of a cell reference such as `AB12`.
fn column_of(reference: &str) -> Option<usize> {
    let letters = reference
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase() as usize - 'A' as usize + 1);
    letters
        .fold(None, |n, d| Some(n.unwrap_or(0) * 26 + d))
        .map(|n| n - 1)
}

/// The row number of a cell or row reference (`B7` or `7`).
fn row_of(reference: &str) -> Option<u64> {
    reference
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()
}

/// Writes the first sheet of the workbook in `input` as CSV (UTF-8, comma
/// separated) to `out`: one record per sheet row, an empty one where the
/// sheet skips rows, so the import's line numbers are the sheet's rows. Returns the
/// number of lines written.
pub fn to_csv<R: Read + Seek, W: Write>(input: R, out: W) -> Result<u64, ReadError> {
    let mut zip = ZipArchive::new(input)?;
    let sheet = first_sheet(&mut zip)?;
    let strings = shared_strings(&mut zip)?;
    let dates = date_styles(&mut zip)?;
    let mut csv = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let Some(mut xml) = part(&mut zip, &sheet)? else {
        return Err(ReadError::NoSheet);
    };
    let mut lines = 0u64;
    let mut row: Vec<String> = Vec::new();
    let mut row_number = None;
    // The cell being read: column, type, style, value text.
    let (mut column, mut kind, mut style, mut value) =
        (0usize, String::new(), 0usize, String::new());
    let (mut next_column, mut in_value) = (0usize, false);
    let mut buf = Vec::new();
    loop {
        let event = xml.read_event_into(&mut buf)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "row" => {
                    row_number = attribute(e, "r").and_then(|r| row_of(&r));
                    next_column = 0;
                }
                "c" => {
                    column = attribute(e, "r")
                        .and_then(|r| column_of(&r))
                        .unwrap_or(next_column);
                    next_column = column + 1;
                    kind = attribute(e, "t").unwrap_or_default();
                    style = attribute(e, "s").and_then(|v| v.parse().ok()).unwrap_or(0);
                    value.clear();
                    in_value = false;
                }
                "v" | "t" if matches!(event, Event::Start(_)) => in_value = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "v" | "t" => in_value = false,
                "c" => {
                    let text = match kind.as_str() {
                        "s" => value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| strings.get(i).cloned())
                            .unwrap_or_default(),
                        "b" => if value.trim() == "1" { "TRUE" } else { "FALSE" }.to_string(),
                        "e" => String::new(),
                        "" | "n" if dates.get(style).copied().unwrap_or(false) => {
                            serial_date(&value).unwrap_or_else(|| value.clone())
                        }
                        _ => value.clone(),
                    };
                    if row.len() <= column {
                        row.resize(column + 1, String::new());
                    }
                    row[column] = text;
                }
                "row" => {
                    // Rows the sheet skipped: a record with one empty field,
                    // which the import counts as a row and passes over (a
                    // truly empty line it would not count).
                    while row_number.is_some_and(|n| lines + 1 < n) {
                        csv.write_record([""])?;
                        lines += 1;
                    }
                    while row.last().is_some_and(String::is_empty) {
                        row.pop();
                    }
                    csv.write_record(&row)?;
                    lines += 1;
                    row.clear();
                }
                _ => {}
            },
            Event::Eof => break,
            _ if in_value => {
                if let Some(t) = text_of(&event) {
                    value.push_str(&t);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    csv.flush()?;
    Ok(lines)
}
