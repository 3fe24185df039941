//! Record visibility as a SQL predicate. The policy module decides which
//! `Visibility` a principal has; this is the one function that turns it into
//! a condition, so lists, search, look-up and export filter in the query,
//! never after pagination.

use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
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
    Nothing,
}

impl Visibility {
    /// The predicate over a table's `owner_id` / `team_id` columns.
    pub fn condition<C: ColumnTrait>(&self, owner: C, team: C) -> Condition {
        let never: SimpleExpr = Expr::val(1).eq(0);
        match *self {
            Visibility::All => Condition::all(),
            Visibility::Team {
                team_id: Some(team_id),
                user_id,
            } => Condition::any()
                .add(team.eq(team_id))
                .add(owner.eq(user_id)),
            Visibility::Team {
                team_id: None,
                user_id,
            }
            | Visibility::Own { user_id } => Condition::all().add(owner.eq(user_id)),
            Visibility::Nothing => Condition::all().add(never),
        }
    }

    /// The same set as `condition`, as conditions whose union it is (none
    /// for `Nothing`). Lists read each branch from its own index in sort
    /// order (`page::keyset_over`), which an `OR` would prevent.
    pub fn branches<C: ColumnTrait>(&self, owner: C, team: C) -> Vec<Condition> {
        match *self {
            Visibility::Team {
                team_id: Some(team_id),
                user_id,
            } => vec![
                Condition::all().add(team.eq(team_id)),
                Condition::all().add(owner.eq(user_id)),
            ],
            Visibility::Nothing => Vec::new(),
            other => vec![other.condition(owner, team)],
        }
    }

    /// Whether a record with this owner and team is visible (for checks on a
    /// single record already loaded for another reason).
    pub fn allows(&self, owner_id: Option<Uuid>, team_id: Option<Uuid>) -> bool {
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
            Visibility::Nothing => false,
        }
    }
}
