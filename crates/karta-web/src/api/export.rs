//! List exports: every page of a list, with the list's own filters, sort,
//! visibility and hidden-field rules (the rows are the API's own views),
//! streamed as spreadsheet-safe CSV or as an XLSX workbook, so memory stays
//! flat at any size.
//!
//! A CSV is for programs: its header is the API's field keys and its values
//! the API's. A workbook is for people: headers and the sheet name in the
//! reader's language, amounts in roubles, days and times as dates on the
//! reader's clock.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Tr;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use karta_app::AppError;
use karta_app::model::Cursor;
use karta_core::export::{BOM, field, line, record};
use karta_core::xlsx::{Cell, Shape, SheetWriter};
use serde_json::Value;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// Rows fetched per query while exporting.
pub const EXPORT_PAGE: u64 = 500;

/// One page of an export: the rows as the API shows them, and the cursor of
/// the next page.
pub type ExportPage = (Vec<Value>, Option<String>);

/// What an export writes: the file's name, its columns as the API names
/// them, and how a workbook heads and shows them for the person reading it.
#[derive(Debug, Clone)]
pub struct Sheet {
    name: &'static str,
    keys: Vec<String>,
    headers: Vec<String>,
    title: String,
    utc_offset: i32,
}

impl Sheet {
    /// The export `name` (`accounts`, `invoices`…) of the columns `keys`,
    /// for `caller`.
    pub fn new(caller: &Caller, name: &'static str, keys: &[&str]) -> Self {
        let tr = Tr::new(caller.lang);
        Self {
            name,
            keys: keys.iter().map(|k| k.to_string()).collect(),
            headers: keys.iter().map(|k| header(tr, k)).collect(),
            title: tr.t(&format!("export-{name}")),
            utc_offset: caller.utc_offset,
        }
    }

    /// Adds a column (`custom.<key>`) for each of `entity`'s active custom
    /// fields, headed by its label.
    pub async fn with_custom_fields(
        mut self,
        state: &AppState,
        caller: &Caller,
        entity: &str,
    ) -> Result<Self, ApiError> {
        let tr = Tr::new(caller.lang);
        for f in state
            .app
            .custom_fields(entity)
            .await?
            .iter()
            .filter(|f| f.active)
        {
            self.keys.push(format!("custom.{}", f.key));
            self.headers.push(crate::ui::custom::label(f, tr));
        }
        Ok(self)
    }
}

/// A column's header in a workbook: the field's name as cards show it
/// («Сумма» for `amount_minor`), marked «(ID)» where the cells are record
/// ids rather than names; a nested key (`consent_marketing.date`) is named
/// by `name-consent_marketing-date`.
fn header(tr: Tr, key: &str) -> String {
    let base = key.strip_suffix("_minor").unwrap_or(key).replace('.', "-");
    let name = tr.field_name(&base);
    if base != "id" && (base.ends_with("_id") || base.ends_with("_ids")) {
        format!("{name} (ID)")
    } else {
        name
    }
}

/// The file an export writes.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Streams `columns` of every row `fetch` yields, page after page, as the
/// attachment `<name>.csv` or `<name>.xlsx`.
pub async fn file<F, Fut>(format: Format, sheet: Sheet, fetch: F) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
{
    match format {
        Format::Csv => csv(&format!("{}.csv", sheet.name), sheet.keys, fetch).await,
        Format::Xlsx => xlsx(sheet, fetch).await,
    }
}

/// Bytes the workbook writer has produced and the response has not yet
/// sent.
#[derive(Clone, Default)]
struct Spool(Arc<Mutex<Vec<u8>>>);

impl Spool {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An export workbook being streamed: what is written, what comes next.
struct Workbook<F> {
    book: Option<SheetWriter<Spool>>,
    spool: Spool,
    page: Option<ExportPage>,
    fetch: F,
    columns: Vec<(String, Shape)>,
    utc_offset: i32,
}

/// Streams the columns of `sheet` of every row `fetch` yields as a workbook
/// attachment: each page is written into the sheet and its compressed
/// bytes sent before the next page is read.
async fn xlsx<F, Fut>(sheet: Sheet, mut fetch: F) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
{
    let first = fetch(None).await?;
    let spool = Spool::default();
    // Writing into memory fails only as the storage would: same answer.
    let book = SheetWriter::new(spool.clone(), &sheet.title, &sheet.headers)
        .map_err(AppError::internal)?;
    let filename = format!("{}.xlsx", sheet.name);
    let start = Workbook {
        book: Some(book),
        spool,
        page: Some(first),
        fetch,
        columns: sheet
            .keys
            .into_iter()
            .map(|k| {
                let shape = Shape::of_key(&k);
                (k, shape)
            })
            .collect(),
        utc_offset: sheet.utc_offset,
    };
    let body = futures::stream::try_unfold(start, |mut state| async move {
        let Some(mut book) = state.book.take() else {
            return Ok(None);
        };
        match state.page.take() {
            Some((rows, cursor)) => {
                let mut scratch: Vec<String> = vec![String::new(); state.columns.len()];
                for row in &rows {
                    let cells: Vec<Cell> = state
                        .columns
                        .iter()
                        .zip(scratch.iter_mut())
                        .map(|((c, shape), s)| {
                            Cell::shaped(field(row, c), *shape, state.utc_offset, s)
                        })
                        .collect();
                    book.row(&cells)?;
                }
                state.page = match cursor.and_then(|c| Cursor::decode(&c)) {
                    Some(c) => Some(
                        (state.fetch)(Some(c))
                            .await
                            .map_err(|e| std::io::Error::other(e.to_string()))?,
                    ),
                    None => None,
                };
                state.book = Some(book);
            }
            None => {
                book.finish()?;
            }
        }
        let bytes = state.spool.take();
        Ok::<_, std::io::Error>(Some((bytes, state)))
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// Streams `columns` of every row `fetch` yields, page after page, as the
/// CSV attachment `filename`.
async fn csv<F, Fut>(filename: &str, columns: Vec<String>, fetch: F) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
{
    let head = format!("{BOM}{}", line(&columns));
    let render = move |row: &Value| record(row, &columns);
    stream(
        filename,
        "text/csv; charset=utf-8",
        (head, ""),
        fetch,
        render,
    )
    .await
}

/// Streams `head`, then each row `fetch` yields, page after page, as
/// `render` writes it, then `tail`, as the attachment `filename`. The first
/// page is read before answering, so a refused request gets its problem
/// answer rather than a broken file.
pub async fn stream<F, Fut, R>(
    filename: &str,
    content_type: &str,
    (head, tail): (String, &'static str),
    mut fetch: F,
    render: R,
) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
    R: Fn(&Value) -> String + Send + 'static,
{
    let first = fetch(None).await?;
    let pages = futures::stream::try_unfold(Some(first), move |state| {
        // Render this page and start reading the next before yielding.
        let step = state.map(|(rows, cursor)| {
            let text: String = rows.iter().map(&render).collect();
            let next = cursor
                .and_then(|c| Cursor::decode(&c))
                .map(|c| fetch(Some(c)));
            (text, next)
        });
        async move {
            match step {
                None => Ok(None),
                Some((text, None)) => Ok(Some((text, None))),
                Some((text, Some(next))) => Ok(Some((text, Some(next.await?)))),
            }
        }
    });
    let body = futures::stream::once(async move { Ok::<_, AppError>(head) })
        .chain(pages)
        .chain(futures::stream::once(async move { Ok(tail.to_string()) }))
        .map(|chunk| chunk.map_err(|e| std::io::Error::other(e.to_string())));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
