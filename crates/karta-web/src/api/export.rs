//! List exports: every page of a list, with the list's own filters, sort,
//! visibility and hidden-field rules (the rows are the API's own views),
//! streamed as spreadsheet-safe CSV so memory stays flat at any size.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use karta_app::AppError;
use karta_core::export::{BOM, line, record};
use karta_db::page::Cursor;
use serde_json::Value;
use std::future::Future;

/// Rows fetched per query while exporting.
pub const EXPORT_PAGE: u64 = 500;

/// One page of an export: the rows as the API shows them, and the cursor of
/// the next page.
pub type ExportPage = (Vec<Value>, Option<String>);

/// The export columns of an entity's active custom fields (`custom.<key>`).
pub async fn custom_columns(state: &AppState, entity: &str) -> Result<Vec<String>, ApiError> {
    Ok(
        karta_db::custom_fields::of_entity(state.app.db.conn(), entity)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|f| f.active)
            .map(|f| format!("custom.{}", f.key))
            .collect(),
    )
}

/// Streams `columns` of every row `fetch` yields, page after page, as the
/// CSV attachment `filename`.
pub async fn csv<F, Fut>(
    filename: &str,
    columns: Vec<String>,
    fetch: F,
) -> Result<Response, ApiError>
where
    F: FnMut(Option<Cursor>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ExportPage, AppError>> + Send + 'static,
{
    let head = format!("{BOM}{}", line(&columns));
    let render = move |row: &Value| record(row, &columns);
    stream(filename, "text/csv; charset=utf-8", head, fetch, render).await
}

/// Streams `head`, then each row `fetch` yields, page after page, as
/// `render` writes it, as the attachment `filename`. The first page is read
/// before answering, so a refused request gets its problem answer rather
/// than a broken file.
pub async fn stream<F, Fut, R>(
    filename: &str,
    content_type: &str,
    head: String,
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
