//! Karta's domain: identifiers, validated value types and business rules.
//!
//! Nothing here does I/O. Every value that crosses a boundary (HTTP, CLI,
//! import) is parsed into one of these types first, so the rest of the code
//! never sees an invalid INN, e-mail or phone number.

pub mod accounts;
pub mod activities;
pub mod amount_words;
pub mod bank;
pub mod calendar;
pub mod codes;
pub mod commerceml;
pub mod contacts;
pub mod contracts;
pub mod custom_fields;
pub mod deals;
pub mod error;
pub mod export;
pub mod identifiers;
pub mod import;
pub mod invoices;
pub mod jobs;
pub mod leads;
pub mod money;
pub mod orders;
pub mod pipelines;
pub mod price_lists;
pub mod pricing;
pub mod products;
pub mod query;
pub mod roles;
pub mod routing;
pub mod search;
pub mod tasks;
pub mod time;
pub mod vcard;
pub mod xlsx;

pub use error::{FieldError, Invalid};
