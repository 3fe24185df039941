//! List exports: every page of a list, with the list's own filters, sort,
//! visibility and hidden-field rules (the rows are the API's own views),
//! streamed as spreadsheet-safe CSV or as an XLSX workbook, so memory stays
//! flat at any size.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use karta_app::AppError;
use karta_app::model::Cursor;
use karta_core::export::{BOM, field, line, record};
use karta_core::xlsx::{Cell, SheetWriter};
use serde_json::Value;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// Rows fetched per query while exporting.
pub const EXPORT_PAGE: u64 = 500;

/// One page of an export: the rows as the API shows them, and the cursor of
/// the next page.
pub type ExportPage = (Vec<Value>, Option<String>);

/// The export columns of an entity's active custom fields (`custom.<key>`).
pub async fn custom_columns(state: &AppState, entity: &str) -> Result<Vec<String>, ApiError> {
    Ok(state
        .app
        .custom_fields(entity)
        .await?
        .iter()
        .filter(|f| f.active)
        .map(|f| format!("custom.{}", f.key))
        .collect())
}

/// The file an export writes.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Streams `columns` of every row `fetch` yields, page after page, as the
/// attachment `<name>.csv` or `<name>.xlsx`.
pub async fn file<F, Fut>(
    format: Format,
    name: &str,
    columns: Vec<String>,
    fetch: F,
) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
{
    match format {
        Format::Csv => csv(&format!("{name}.csv"), columns, fetch).await,
        Format::Xlsx => xlsx(&format!("{name}.xlsx"), columns, fetch).await,
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
    columns: Vec<String>,
}

/// Streams `columns` of every row `fetch` yields as the workbook attachment
/// `filename`: each page is written into the sheet and its compressed bytes
/// sent before the next page is read.
async fn xlsx<F, Fut>(
    filename: &str,
    columns: Vec<String>,
    mut fetch: F,
) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
{
    let first = fetch(None).await?;
    let spool = Spool::default();
    // Writing into memory fails only as the storage would: same answer.
    let book = SheetWriter::new(spool.clone(), &columns).map_err(AppError::internal)?;
    let start = Workbook {
        book: Some(book),
        spool,
        page: Some(first),
        fetch,
        columns,
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
                        .map(|(c, s)| Cell::of(field(row, c), s))
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
