//! Record visibility as a SQL predicate. The policy module decides which
//! `Visibility` a principal has; this is the one function that turns it into
//! a condition, so lists, search, look-up and export filter in the query,
//! never after pagination.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

/// Which records of an entity a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Records of the team, plus the principal's own.
    Team {
        team_id: Option<Uuid>,
        user_id: Uuid,
    },
    Own {
        user_id: Uuid,
    },
    /// Records of one customer account only, whoever owns them: what a
    /// customer's own people see (the portal).
    Account {
        account_id: Uuid,
    },
    Nothing,
}

/// How a table's rows belong to a customer account.
#[derive(Debug, Clone, Copy)]
pub enum AccountLink<C> {
    /// The row is the account (this is its id column).
    Itself(C),
    /// The row names its account in this column.
    Column(C),
    /// A contact, linked to accounts through `contact_accounts` (this is
    /// its id column).
    Contact(C),
    /// The row belongs to no account (the catalogue).
    Unlinked,
}

/// The columns visibility is decided by on one table.
#[derive(Debug, Clone, Copy)]
pub struct Scope<C> {
    pub owner: C,
    pub team: C,
    pub account: AccountLink<C>,
}

impl Visibility {
    /// The predicate over a table's scope columns.
    pub fn condition<C: ColumnTrait>(&self, s: Scope<C>) -> Condition {
        let never: SimpleExpr = Expr::val(1).eq(0);
        match *self {
            Visibility::All => Condition::all(),
            Visibility::Team {
                team_id: Some(team_id),
                user_id,
            } => Condition::any()
                .add(s.team.eq(team_id))
                .add(s.owner.eq(user_id)),
            Visibility::Team {
                team_id: None,
                user_id,
            }
            | Visibility::Own { user_id } => Condition::all().add(s.owner.eq(user_id)),
            Visibility::Account { account_id } => Condition::all().add(match s.account {
                AccountLink::Itself(id) | AccountLink::Column(id) => id.eq(account_id),
                AccountLink::Contact(id) => id.in_subquery(
                    Query::select()
                        .column("contact_id")
                        .from("contact_accounts")
                        .and_where(Expr::col("account_id").eq(account_id))
                        .to_owned(),
                ),
                AccountLink::Unlinked => never,
            }),
            Visibility::Nothing => Condition::all().add(never),
        }
    }

    /// The same set as `condition`, as conditions whose union it is (none
    /// for `Nothing`). Lists read each branch from its own index in sort
    /// order (`page::keyset_over`), which an `OR` would prevent.
    pub fn branches<C: ColumnTrait>(&self, s: Scope<C>) -> Vec<Condition> {
        match *self {
            Visibility::Team {
                team_id: Some(team_id),
                user_id,
            } => vec![
                Condition::all().add(s.team.eq(team_id)),
                Condition::all().add(s.owner.eq(user_id)),
            ],
            Visibility::Nothing => Vec::new(),
            other => vec![other.condition(s)],
        }
    }

    /// Whether a record with this owner, team and account is visible (for
    /// checks on a single record already loaded for another reason).
    /// `account` is what the record's `AccountLink` names; a contact's
    /// links are not at hand here, so pass `None` and it is not admitted
    /// to an account-bound principal (read such records through SQL).
    pub fn allows(
        &self,
        owner_id: Option<Uuid>,
        team_id: Option<Uuid>,
        account: Option<Uuid>,
    ) -> bool {
        match *self {
            Visibility::All => true,
            Visibility::Team {
                team_id: Some(t),
                user_id,
            } => team_id == Some(t) || owner_id == Some(user_id),
            Visibility::Team {
                team_id: None,
                user_id,
            }
            | Visibility::Own { user_id } => owner_id == Some(user_id),
            Visibility::Account { account_id } => account == Some(account_id),
            Visibility::Nothing => false,
        }
    }
}
