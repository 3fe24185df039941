//! The one list of business record kinds: which role entity guards each,
//! whether deleted records wait in the trash to be purged, and the order
//! in which the trash is purged (a record before what it belongs to).
//! Housekeeping iterates it, and a test checks it against every `Record`
//! table and every table with a trash, so a new kind cannot be forgotten
//! (contracts were: deleted, never purged).

use crate::{App, AppError};
use karta_core::roles::Entity;
use karta_db::entities::{
    account, activity, contact, contract, deal, invoice, lead, order, payment, price_list, product,
    task,
};
use karta_db::records::Record;

/// What happens to a deleted record of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trash {
    /// Restorable for the restore window, then purged.
    Restorable,
    /// Never deleted: accounting documents are cancelled or reversed, and
    /// kept.
    Kept,
}

/// One kind of business record.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// Its `Record::NAME` (table, history and search name).
    pub name: &'static str,
    /// The role entity whose rights govern it.
    pub entity: Entity,
    pub trash: Trash,
}

macro_rules! registry {
    ($(($module:ident, $entity:ident, $trash:ident)),* $(,)?) => {
        /// Every kind, in purge order.
        pub const KINDS: &[Kind] = &[$(Kind {
            name: <$module::Entity as Record>::NAME,
            entity: Entity::$entity,
            trash: Trash::$trash,
        }),*];

        /// Purges every restorable kind's records deleted longer ago than
        /// the restore window, in purge order; answers how many per kind.
        pub async fn purge_all(app: &App) -> Result<Vec<(&'static str, usize)>, AppError> {
            let mut purged = Vec::new();
            $(if Trash::$trash == Trash::Restorable {
                let n = crate::records::purge::<$module::Entity>(app).await?;
                purged.push((<$module::Entity as Record>::NAME, n));
            })*
            Ok(purged)
        }
    };
}

registry!(
    (activity, Activities, Restorable),
    (task, Tasks, Restorable),
    (lead, Leads, Restorable),
    (contract, Contracts, Restorable),
    (product, Products, Restorable),
    (price_list, PriceLists, Restorable),
    (deal, Deals, Restorable),
    (payment, Invoices, Kept),
    (invoice, Invoices, Kept),
    (order, Orders, Kept),
    (account, Accounts, Restorable),
    (contact, Contacts, Restorable),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_table_is_registered_once() {
        let mut registered: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        let mut records: Vec<&str> = karta_db::records::ALL.to_vec();
        registered.sort_unstable();
        records.sort_unstable();
        assert_eq!(registered, records);
    }
}
