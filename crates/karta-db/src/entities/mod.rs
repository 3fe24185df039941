//! SeaORM entities, one per table.

pub mod account;
pub mod api_token;
pub mod change;
pub mod classifier;
pub mod contact;
pub mod contact_account;
pub mod contact_channel;
pub mod custom_field;
pub mod login_event;
pub mod session;
pub mod team;
pub mod user;
