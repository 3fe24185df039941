//! A streaming workbook writer: rows go straight into a deflated zip entry,
//! and the workbook's parts that list the sheets are written last.

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
}

/// Writes a workbook of one or more sheets with a bold header row.
pub struct SheetWriter<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
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
    /// Starts a workbook whose sheets begin with `header` (in bold).
    pub fn new(out: W, header: &[String]) -> io::Result<Self> {
        let mut writer = Self {
            zip: ZipWriter::new_stream(out),
            header: header.to_vec(),
            sheets: 0,
            rows_in_sheet: 0,
        };
        writer.start_sheet()?;
        Ok(writer)
    }

    fn start_sheet(&mut self) -> io::Result<()> {
        if self.sheets > 0 {
            self.zip.write_all(b"</sheetData></worksheet>")?;
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
              activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews><sheetData>",
        )?;
        let header = std::mem::take(&mut self.header);
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        let written = self.write_row(&cells, true);
        self.header = header;
        written
    }

    fn write_row(&mut self, cells: &[Cell], bold: bool) -> io::Result<()> {
        let mut xml = String::from("<row>");
        let style = if bold { " s=\"1\"" } else { "" };
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
        self.zip.write_all(b"</sheetData></worksheet>")?;
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
                        .map(|n| format!("<sheet name=\"{n}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"))
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
                     <fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>\
                     <font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
                     <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
                     <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                     <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
                     <cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
                     <xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
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
