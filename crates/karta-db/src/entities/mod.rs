//! SeaORM entities, one per table.

pub mod account;
pub mod activity;
pub mod api_token;
pub mod change;
pub mod classifier;
pub mod contact;
pub mod contact_account;
pub mod contact_channel;
pub mod custom_field;
pub mod deal;
pub mod deal_contact;
pub mod deal_stay;
pub mod login_event;
pub mod pipeline;
pub mod session;
pub mod stage;
pub mod team;
pub mod user;
