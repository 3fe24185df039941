//! Authorization in one place: who the principal is and what it may do.
//!
//! Every use case asks here; list and search queries receive the
//! `Visibility` this module computes, so denied records never leave the
//! database.

use karta_core::roles::{Access, Entity, Reach, Role, Scope};
use karta_db::Visibility;
use uuid::Uuid;

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub role: Role,
    pub team_id: Option<Uuid>,
    /// For API tokens: the token's scopes. Rights are scopes ∩ the role's
    /// current rights. `None` for a browser session (the role's full rights).
    pub scopes: Option<Vec<Scope>>,
    /// `ui`, `api` or `cli`: recorded in history.
    pub channel: &'static str,
    /// The user's own clock (minutes east of UTC), when it differs from the
    /// company's.
    pub utc_offset_minutes: Option<i32>,
    /// Bounds everything the principal reaches to one customer account,
    /// whoever owns the records: the customer's own people (the portal).
    /// `None` for staff.
    pub account_id: Option<Uuid>,
}

impl Principal {
    /// How far the principal reaches for `access` on `entity`.
    pub fn reach(&self, entity: Entity, access: Access) -> Reach {
        let by_role = self.role.reach(entity, access);
        match &self.scopes {
            Some(scopes) if !scopes.iter().any(|s| s.grants(entity, access)) => Reach::Nothing,
            _ => by_role,
        }
    }

    /// The records the principal may act on, as a query predicate.
    pub fn visibility(&self, entity: Entity, access: Access) -> Visibility {
        match self.reach(entity, access) {
            Reach::Nothing => Visibility::Nothing,
            _ if let Some(account_id) = self.account_id => Visibility::Account { account_id },
            Reach::All => Visibility::All,
            Reach::Team => Visibility::Team {
                team_id: self.team_id,
                user_id: self.user_id,
            },
            Reach::Own => Visibility::Own {
                user_id: self.user_id,
            },
        }
    }

    /// Fails with `Forbidden` unless the principal reaches at least some
    /// records for `access` on `entity`.
    pub fn require(&self, entity: Entity, access: Access) -> Result<Visibility, crate::AppError> {
        match self.visibility(entity, access) {
            Visibility::Nothing => Err(crate::AppError::Forbidden),
            v => Ok(v),
        }
    }

    /// Whether contacts' personal data is shown to this principal.
    pub fn sees_personal_data(&self) -> bool {
        self.role.sees_personal_data()
    }

    /// Whether cost prices and margins are shown to this principal.
    pub fn sees_costs(&self) -> bool {
        self.role.sees_costs()
    }

    /// Whether this principal may use the telephony look-up.
    pub fn may_lookup(&self) -> bool {
        let scoped = self
            .scopes
            .as_ref()
            .is_none_or(|s| s.contains(&Scope::Lookup));
        scoped
            && self.role.reach(Entity::Contacts, Access::Read) != Reach::Nothing
            && self.sees_personal_data()
    }

    /// Whether the principal may give records to another owner or team
    /// (heads of sales and administrators; others own what they create).
    pub fn may_assign(&self, entity: Entity) -> bool {
        self.reach(entity, Access::Write) == Reach::All
    }

    /// Whether the principal may change the company's requisites, which
    /// every printed document carries (administrators).
    pub fn may_edit_company(&self) -> bool {
        self.role == Role::Admin
    }

    /// History actor of this principal.
    pub fn actor(&self) -> karta_db::history::Actor {
        karta_db::history::Actor {
            user_id: Some(self.user_id),
            channel: self.channel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, scopes: Option<Vec<Scope>>) -> Principal {
        Principal {
            user_id: Uuid::nil(),
            role,
            team_id: None,
            scopes,
            channel: "api",
            utc_offset_minutes: None,
            account_id: None,
        }
    }

    #[test]
    fn token_rights_are_scopes_intersected_with_the_role() {
        let read_only_token = principal(
            Role::Admin,
            Some(vec![Scope::Entity(Entity::Accounts, false)]),
        );
        assert_eq!(
            read_only_token.reach(Entity::Accounts, Access::Read),
            Reach::All
        );
        assert_eq!(
            read_only_token.reach(Entity::Accounts, Access::Write),
            Reach::Nothing
        );
        assert_eq!(
            read_only_token.reach(Entity::Contacts, Access::Read),
            Reach::Nothing
        );
        let wide_token = principal(Role::ReadOnly, Some(Scope::all()));
        assert_eq!(
            wide_token.reach(Entity::Accounts, Access::Write),
            Reach::Nothing
        );
        assert!(!principal(Role::Admin, Some(vec![])).may_lookup());
        assert!(principal(Role::Support, Some(vec![Scope::Lookup])).may_lookup());
    }
}
