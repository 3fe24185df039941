//! The records the use cases hand out, by name. They are storage rows, but
//! to a caller of this crate only data: without the storage crate there is
//! no way to query or save one, so every read and write still goes through
//! a use case and its policy check. Handlers map them to JSON or pages.

pub use karta_db::entities::account::Model as Account;
pub use karta_db::entities::activity::Model as Activity;
pub use karta_db::entities::api_token::Model as ApiToken;
pub use karta_db::entities::classifier::Model as Classifier;
pub use karta_db::entities::contact::Model as Contact;
pub use karta_db::entities::contract::Model as Contract;
pub use karta_db::entities::custom_field::Model as CustomField;
pub use karta_db::entities::deal::Model as Deal;
pub use karta_db::entities::deal_document::Model as DealDocument;
pub use karta_db::entities::deal_line::Model as DealLine;
pub use karta_db::entities::import_job::Model as ImportJob;
pub use karta_db::entities::invoice::Model as Invoice;
pub use karta_db::entities::job::Model as Job;
pub use karta_db::entities::lead::Model as Lead;
pub use karta_db::entities::login_event::Model as LoginEvent;
pub use karta_db::entities::order::Model as Order;
pub use karta_db::entities::order_line::Model as OrderLine;
pub use karta_db::entities::price_list::Model as PriceList;
pub use karta_db::entities::product::Model as Product;
pub use karta_db::entities::routing_rule::Model as RoutingRule;
pub use karta_db::entities::stage::Model as Stage;
pub use karta_db::entities::task::Model as Task;
pub use karta_db::entities::team::Model as Team;
pub use karta_db::entities::user::Model as User;

/// Pages of a list and the cursor that continues one.
pub use karta_db::page::{Cursor, MAX_LIMIT, Page};
