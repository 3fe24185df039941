//! Excel workbooks (XLSX), the other file every CRM user exchanges:
//! `write` streams rows into a workbook without holding it in memory;
//! `read` turns a workbook's first sheet into CSV for the import.
//!
//! Text goes into cells as text, never as a formula: a workbook cell only
//! computes when it carries an `<f>` element, which nothing here writes, so
//! `=HYPERLINK(…)` in a customer's name stays inert without an apostrophe.

mod read;
mod write;

pub use read::{ReadError, is_xlsx, to_csv};

use std::io::{Read, Seek};

/// Whether an open file is a workbook (it is left rewound).
pub fn is_workbook(file: &mut std::fs::File) -> std::io::Result<bool> {
    let mut magic = [0u8; 4];
    let read = file.read(&mut magic)?;
    file.rewind()?;
    Ok(is_xlsx(&magic[..read]))
}

/// The rows of a file to import: a workbook's first sheet (written out as
/// CSV to a temporary file first), or the CSV file itself.
pub fn open_rows(
    mut file: std::fs::File,
) -> Result<crate::import::CsvRows, crate::import::ReadError> {
    if !is_workbook(&mut file)? {
        return crate::import::CsvRows::open(file);
    }
    let mut csv = tempfile::tempfile()?;
    to_csv(
        std::io::BufReader::new(file),
        std::io::BufWriter::new(&mut csv),
    )?;
    csv.rewind()?;
    Ok(crate::import::CsvRows::open(csv)?.read_from_workbook())
}
pub use write::{Cell, Shape, SheetWriter};

/// Rows a worksheet holds (Excel's limit); longer exports continue on the
/// next sheet, under the same header.
pub const MAX_ROWS: u32 = 1_048_576;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workbook(header: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let mut w = SheetWriter::new(Vec::new(), "Лист", &header).unwrap_or_else(|e| panic!("{e}"));
        for row in rows {
            w.row(row).unwrap_or_else(|e| panic!("{e}"));
        }
        w.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    fn csv_of(bytes: Vec<u8>) -> String {
        let mut out = Vec::new();
        to_csv(std::io::Cursor::new(bytes), &mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_written_workbook_reads_back_cell_for_cell() {
        let list = json!(["a@x.ru", "b@x.ru"]);
        let mut scratch = String::new();
        let bytes = workbook(
            &["Название", "Сумма", "Активен", "Почта"],
            &[
                vec![
                    Cell::Text("ООО «Ромашка» & Co <1>"),
                    Cell::Number("125000.5".into()),
                    Cell::Bool(true),
                    Cell::of(&list, &mut scratch),
                ],
                vec![
                    Cell::Empty,
                    Cell::Text("  пробелы  "),
                    Cell::Empty,
                    Cell::Empty,
                ],
            ],
        );
        assert!(is_xlsx(&bytes));
        assert_eq!(
            csv_of(bytes),
            "Название,Сумма,Активен,Почта\n\
             ООО «Ромашка» & Co <1>,125000.5,TRUE,a@x.ru; b@x.ru\n\
             ,  пробелы  \n"
        );
    }

    #[test]
    fn formulas_are_written_as_plain_text_cells() {
        let bytes = workbook(&["name"], &[vec![Cell::Text("=HYPERLINK(\"http://x\")")]]);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone()))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip
                .by_name("xl/worksheets/sheet1.xml")
                .unwrap_or_else(|e| panic!("{e}")),
            &mut sheet,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!(sheet.contains("t=\"inlineStr\""), "{sheet}");
        assert_eq!(csv_of(bytes), "name\n\"=HYPERLINK(\"\"http://x\"\")\"\n");
    }

    #[test]
    fn shared_strings_dates_and_skipped_rows_as_a_spreadsheet_program_writes_them() {
        // The parts Excel writes: shared strings, a date style, sparse rows.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let files = [
            (
                "xl/workbook.xml",
                r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Клиенты" sheetId="1" r:id="rId7"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<Relationships><Relationship Id="rId7" Target="worksheets/data.xml"/></Relationships>"#,
            ),
            (
                "xl/sharedStrings.xml",
                r#"<sst><si><t>ФИО</t></si><si><t>Дата</t></si><si><r><t>Иванов </t></r><r><t>Пётр</t></r><rPh><t>ignored</t></rPh></si><si><t>A&amp;B</t></si></sst>"#,
            ),
            (
                "xl/styles.xml",
                r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>"#,
            ),
            (
                "xl/worksheets/data.xml",
                r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" s="1"><v>29285</v></c><c r="D3" s="2"><v>45658.75</v></c></row><row r="4"><c r="B4" t="s"><v>3</v></c><c r="C4" t="str"><v>x</v></c></row></sheetData></worksheet>"#,
            ),
        ];
        for (name, body) in files {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap_or_else(|e| panic!("{e}"));
            std::io::Write::write_all(&mut zip, body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        }
        let bytes = zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
        assert_eq!(
            csv_of(bytes),
            "ФИО,Дата\n\"\"\nИванов Пётр,1980-03-05,,2025-01-01\n,A&B,x\n"
        );
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused() {
        assert!(!is_xlsx(b"name;inn\n"));
        let mut out = Vec::new();
        assert!(
            to_csv(
                std::io::Cursor::new(b"PK\x03\x04garbage".to_vec()),
                &mut out
            )
            .is_err()
        );
    }
}
