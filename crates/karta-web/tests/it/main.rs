//! The web crate's one integration-test binary: a module per area, all
//! through the real router on a fresh database each (`karta_testkit`).

mod api;
mod authz;
mod bank;
mod contracts;
mod deal_lines;
mod demo;
mod duplicates;
mod errors;
mod export;
mod generate;
mod help;
mod import;
mod invoices;
mod jobs;
mod leads;
mod metrics;
mod openapi;
mod orders;
mod outbox;
mod portal;
mod price_lists;
mod printed;
mod products;
mod profile;
mod proposals;
mod sales;
mod today;
mod transfer;
mod trash;
mod ui;
