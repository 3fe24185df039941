//! The one list of business record kinds: which role entity guards each,
//! whether deleted records wait in the trash to be purged, and the order
//! in which the trash is purged (a record before what it belongs to).
//! Housekeeping iterates it, and a test checks it against every `Record`
//! table and every table with a trash, so a new kind cannot be forgotten
//! (contracts were: deleted, never purged).

use crate::trash::Deleted;
use crate::{App, AppError, Principal};
use karta_core::roles::{Access, Entity, Reach};
use karta_db::entities::{
    account, activity, contact, contract, deal, invoice, lead, order, payment, price_list, product,
    task,
};
use karta_db::records::Record;
use uuid::Uuid;

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

        /// The newest deleted records of each restorable kind `p` may
        /// restore, per kind in registry order (kinds it may not restore
        /// are left out, kinds with an empty trash kept).
        pub(crate) async fn trash_all(
            app: &App,
            p: &Principal,
            limit: u64,
        ) -> Result<Vec<(Kind, Vec<Deleted>)>, AppError> {
            let mut out = Vec::new();
            $(if Trash::$trash == Trash::Restorable
                && p.reach(Entity::$entity, Access::Delete) != Reach::Nothing
            {
                let vis = p.visibility(Entity::$entity, Access::Delete);
                let rows = karta_db::records::trash::<$module::Entity, _>(app.db.conn(), vis, limit)
                    .await?;
                let kind = Kind {
                    name: <$module::Entity as Record>::NAME,
                    entity: Entity::$entity,
                    trash: Trash::$trash,
                };
                out.push((kind, rows.iter().map(Deleted::of::<$module::Entity>).collect()));
            })*
            Ok(out)
        }

        /// Brings a record of the kind named `name` back from the trash.
        pub(crate) async fn restore_any(
            app: &App,
            p: &Principal,
            name: &str,
            id: Uuid,
            expected: Option<i64>,
        ) -> Result<(), AppError> {
            $(if Trash::$trash == Trash::Restorable && name == <$module::Entity as Record>::NAME {
                crate::records::set_deleted::<$module::Entity>(
                    app, p, Entity::$entity, id, expected, false,
                )
                .await?;
                return Ok(());
            })*
            Err(AppError::NotFound)
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
