//! SeaORM entities, one per table.

pub mod account;
pub mod activity;
pub mod api_token;
pub mod calendar_feed;
pub mod change;
pub mod classifier;
pub mod contact;
pub mod contact_account;
pub mod contact_channel;
pub mod custom_field;
pub mod deal;
pub mod deal_contact;
pub mod deal_stay;
pub mod import_error;
pub mod import_item;
pub mod import_job;
pub mod lead;
pub mod login_event;
pub mod pipeline;
pub mod routing_rule;
pub mod session;
pub mod setting;
pub mod stage;
pub mod task;
pub mod team;
pub mod user;
