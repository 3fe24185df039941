//! A streaming workbook writer: rows go straight into a deflated zip entry,
//! and the workbook's parts that list the sheets are written last.
//!
//! Amounts, days and instants are written as numbers with a number format,
//! as a spreadsheet keeps them, so an accountant can sum a column or filter
//! by period without converting text first.

use super::MAX_ROWS;
use serde_json::Value;
use std::io::{self, Write};
use zip::write::{SimpleFileOptions, StreamWriter, ZipWriter};

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    /// A number as JSON writes it (kept as text so nothing is rounded).
    Number(String),
    Bool(bool),
    /// An amount in major units, written exactly ("1500.05"), shown as
    /// `1 500,05`.
    Money(String),
    /// A day as a serial number (days since 1899-12-30), shown as `30.11.2026`.
    Date(i64),
    /// An instant as a serial number with the time of day as its fraction,
    /// shown as `30.11.2026 14:05`.
    DateTime(String),
}

/// How a column's values are written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    General,
    /// Minor units (kopecks), written in major units (roubles).
    Money,
    /// `YYYY-MM-DD`.
    Date,
    /// An RFC 3339 instant, shown on the reader's clock.
    DateTime,
}

impl Shape {
    /// The shape of a column from the API's naming: `…_minor` amounts,
    /// `…_on`, `birthday`, `expected_close` and `….date` days, `…_at`
    /// instants.
    pub fn of_key(key: &str) -> Shape {
        let last = key.rsplit('.').next().unwrap_or(key);
        if last.ends_with("_minor") {
            Shape::Money
        } else if last.ends_with("_on") || matches!(last, "birthday" | "expected_close" | "date") {
            Shape::Date
        } else if last.ends_with("_at") {
            Shape::DateTime
        } else {
            Shape::General
        }
    }
}

/// Days since 1899-12-30, the spreadsheet epoch (the 1900 date system).
fn serial_days(date: time::Date) -> Option<i64> {
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    Some((date - epoch).whole_days())
}

impl<'a> Cell<'a> {
    /// A JSON value as a cell: lists joined with "; ", objects as JSON.
    pub fn of(value: &'a Value, scratch: &'a mut String) -> Cell<'a> {
        match value {
            Value::Null => Cell::Empty,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => Cell::Number(n.to_string()),
            Value::String(s) => Cell::Text(s),
            Value::Array(items) => {
                *scratch = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                Cell::Text(scratch)
            }
            Value::Object(_) => {
                *scratch = value.to_string();
                Cell::Text(scratch)
            }
        }
    }

    /// A JSON value as a cell of a column of `shape`; an instant is shown
    /// `utc_offset` minutes east of UTC. A value that does not fit the
    /// shape is written as it is.
    pub fn shaped(
        value: &'a Value,
        shape: Shape,
        utc_offset: i32,
        scratch: &'a mut String,
    ) -> Cell<'a> {
        match (shape, value) {
            (Shape::Money, Value::Number(n)) if n.as_i64().is_some() => {
                let minor = n.as_i64().unwrap_or_default();
                let sign = if minor < 0 { "-" } else { "" };
                let abs = minor.unsigned_abs();
                Cell::Money(format!("{sign}{}.{:02}", abs / 100, abs % 100))
            }
            (Shape::Date, Value::String(s)) => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                match time::Date::parse(s.get(..10).unwrap_or(s), &format)
                    .ok()
                    .and_then(serial_days)
                {
                    Some(days) => Cell::Date(days),
                    None => Cell::of(value, scratch),
                }
            }
            (Shape::DateTime, Value::String(s)) => {
                let offset = time::UtcOffset::from_whole_seconds(utc_offset * 60)
                    .unwrap_or(time::UtcOffset::UTC);
                let at =
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .map(|at| at.to_offset(offset));
                match at
                    .ok()
                    .and_then(|at| Some((serial_days(at.date())?, at.time())))
                {
                    Some((days, clock)) => {
                        let seconds = i64::from(clock.hour()) * 3600
                            + i64::from(clock.minute()) * 60
                            + i64::from(clock.second());
                        // Ten places keep the second exactly.
                        Cell::DateTime(format!("{:.10}", days as f64 + seconds as f64 / 86_400.0))
                    }
                    None => Cell::of(value, scratch),
                }
            }
            _ => Cell::of(value, scratch),
        }
    }
}

/// The style index (`cellXfs`) of each kind of cell, as `styles.xml` below
/// declares them.
const BOLD: u8 = 1;
const MONEY: u8 = 2;
const DATE: u8 = 3;
const DATE_TIME: u8 = 4;

/// The column letters of a zero-based column index (`0` → `A`, `27` → `AB`).
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().map(|b| char::from(*b)).collect()
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters.
fn sheet_name(name: &str, number: u32) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let suffix = if number > 1 {
        format!(" {number}")
    } else {
        String::new()
    };
    let room = 31 - suffix.chars().count();
    let mut name: String = clean.trim().chars().take(room).collect();
    if name.is_empty() {
        name = "1".into();
    }
    name + &suffix
}

/// Writes a workbook of one or more sheets, named after the list, each
/// with a bold, frozen header row that filters.
pub struct SheetWriter<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    name: String,
    header: Vec<String>,
    sheets: u32,
    rows_in_sheet: u32,
}

fn zip_error(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e)
}

/// XML text with the five special characters escaped and the characters
/// XML 1.0 forbids (most control characters) left out.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

impl<W: Write> SheetWriter<W> {
    /// Starts a workbook whose sheets are called `name` (then `name 2`…)
    /// and begin with `header` (in bold).
    pub fn new(out: W, name: &str, header: &[String]) -> io::Result<Self> {
        let mut writer = Self {
            zip: ZipWriter::new_stream(out),
            name: name.to_string(),
            header: header.to_vec(),
            sheets: 0,
            rows_in_sheet: 0,
        };
        writer.start_sheet()?;
        Ok(writer)
    }

    /// Closes the sheet being written: its rows, then the filter over them.
    fn end_sheet(&mut self) -> io::Result<()> {
        let last = column_letters(self.header.len().max(1) - 1);
        let filter = format!(
            "</sheetData><autoFilter ref=\"A1:{last}{}\"/></worksheet>",
            self.rows_in_sheet.max(1)
        );
        self.zip.write_all(filter.as_bytes())
    }

    fn start_sheet(&mut self) -> io::Result<()> {
        if self.sheets > 0 {
            self.end_sheet()?;
        }
        self.sheets += 1;
        self.rows_in_sheet = 0;
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        self.zip
            .start_file(format!("xl/worksheets/sheet{}.xml", self.sheets), options)
            .map_err(zip_error)?;
        self.zip.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
              <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
              <sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" \
              activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>",
        )?;
        // Wide enough for the header and a filter button.
        let cols: String = self
            .header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let width = (h.chars().count() + 5).clamp(10, 40);
                format!(
                    "<col min=\"{n}\" max=\"{n}\" width=\"{width}\" customWidth=\"1\"/>",
                    n = i + 1
                )
            })
            .collect();
        if !cols.is_empty() {
            self.zip
                .write_all(format!("<cols>{cols}</cols>").as_bytes())?;
        }
        self.zip.write_all(b"<sheetData>")?;
        let header = std::mem::take(&mut self.header);
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        let written = self.write_row(&cells, true);
        self.header = header;
        written
    }

    fn write_row(&mut self, cells: &[Cell], bold: bool) -> io::Result<()> {
        let mut xml = String::from("<row>");
        let style = if bold {
            format!(" s=\"{BOLD}\"")
        } else {
            String::new()
        };
        for cell in cells {
            match cell {
                Cell::Empty => xml.push_str("<c/>"),
                Cell::Text(text) => {
                    xml.push_str(&format!(
                        "<c t=\"inlineStr\"{style}><is><t xml:space=\"preserve\">"
                    ));
                    escape(text, &mut xml);
                    xml.push_str("</t></is></c>");
                }
                Cell::Number(n) => xml.push_str(&format!("<c{style}><v>{n}</v></c>")),
                Cell::Bool(b) => {
                    xml.push_str(&format!("<c t=\"b\"{style}><v>{}</v></c>", u8::from(*b)))
                }
                Cell::Money(n) => xml.push_str(&format!("<c s=\"{MONEY}\"><v>{n}</v></c>")),
                Cell::Date(days) => xml.push_str(&format!("<c s=\"{DATE}\"><v>{days}</v></c>")),
                Cell::DateTime(serial) => {
                    xml.push_str(&format!("<c s=\"{DATE_TIME}\"><v>{serial}</v></c>"))
                }
            }
        }
        xml.push_str("</row>");
        self.rows_in_sheet += 1;
        self.zip.write_all(xml.as_bytes())
    }

    /// Appends one row (to a new sheet when this one is full).
    pub fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        if self.rows_in_sheet >= MAX_ROWS {
            self.start_sheet()?;
        }
        self.write_row(cells, false)
    }

    /// Closes the last sheet and writes the parts that list the sheets;
    /// returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.end_sheet()?;
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let sheets = 1..=self.sheets;
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
        let overrides: String = sheets
            .clone()
            .map(|n| {
                format!(
                    "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                )
            })
            .collect();
        let parts = [
            (
                "[Content_Types].xml".to_string(),
                format!(
                    "{xml}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                     <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                     <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                     <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                     <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
                     {overrides}</Types>"
                ),
            ),
            (
                "_rels/.rels".to_string(),
                format!(
                    "{xml}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                     <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
                     </Relationships>"
                ),
            ),
            (
                "xl/workbook.xml".to_string(),
                format!(
                    "{xml}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
                     xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{}</sheets></workbook>",
                    sheets
                        .clone()
                        .map(|n| {
                            let mut name = String::new();
                            escape(&sheet_name(&self.name, n), &mut name);
                            format!("<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>")
                        })
                        .collect::<String>()
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels".to_string(),
                format!(
                    "{xml}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{}\
                     <Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
                     </Relationships>",
                    sheets
                        .map(|n| format!(
                            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
                        ))
                        .collect::<String>()
                ),
            ),
            (
                "xl/styles.xml".to_string(),
                format!(
                    "{xml}<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
                     <numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd.mm.yyyy\"/>\
                     <numFmt numFmtId=\"165\" formatCode=\"dd.mm.yyyy hh:mm\"/></numFmts>\
                     <fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>\
                     <font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
                     <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
                     <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                     <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
                     <cellXfs count=\"5\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
                     <xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
                     <xf numFmtId=\"4\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
                     <xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
                     <xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>\
                     <cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
                     </styleSheet>"
                ),
            ),
        ];
        for (name, body) in parts {
            self.zip.start_file(name, options).map_err(zip_error)?;
            self.zip.write_all(body.as_bytes())?;
        }
        Ok(self.zip.finish().map_err(zip_error)?.into_inner())
    }
}
