//! Roles, the entities they act on, and what each role may do.
//!
//! This is the rule table; `karta_app::policy` is the one place that applies
//! it to a principal and turns it into SQL predicates.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role. Identifiers are stable: they appear in the CLI and API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    HeadOfSales,
    SalesRep,
    Marketer,
    Support,
    Accountant,
    ReadOnly,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::HeadOfSales,
        Role::SalesRep,
        Role::Marketer,
        Role::Support,
        Role::Accountant,
        Role::ReadOnly,
    ];

    /// Stable identifier (`head_of_sales`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HeadOfSales => "head_of_sales",
            Role::SalesRep => "sales_rep",
            Role::Marketer => "marketer",
            Role::Support => "support",
            Role::Accountant => "accountant",
            Role::ReadOnly => "read_only",
        }
    }

    /// How far this role reaches for `access` on `entity`.
    pub fn reach(self, entity: Entity, access: Access) -> Reach {
        use Access::*;
        use Entity::*;
        use Reach::*;
        match (self, entity, access) {
            (Role::Admin, _, _) => All,
            // Everyone may read the directory of colleagues, teams and settings
            // lists: they are needed to show owners and pick values.
            // The catalogue too: every role quotes and reads prices.
            (
                _,
                Users | Teams | CustomFields | Classifiers | Pipelines | Products | PriceLists,
                Read,
            ) => All,
            (Role::Marketer, CustomFields | Classifiers, Write) => All,
            // Heads of sales shape the sales process they run and what it sells.
            (Role::HeadOfSales, Pipelines | RoutingRules | Products | PriceLists, _) => All,
            (
                _,
                Users | Teams | CustomFields | Classifiers | AuditLog | Pipelines | RoutingRules
                | Products | PriceLists | Jobs,
                _,
            ) => Nothing,
            (
                Role::HeadOfSales,
                Accounts | Contacts | Deals | Activities | Tasks | Leads | Orders | Contracts,
                _,
            ) => All,
            (
                Role::SalesRep,
                Accounts | Contacts | Deals | Activities | Tasks | Leads | Orders,
                Read | Write,
            ) => Team,
            (
                Role::SalesRep,
                Accounts | Contacts | Deals | Activities | Tasks | Leads | Orders,
                Delete,
            ) => Own,
            // Service logs its calls with customers and plans its own work too.
            (Role::Support, Activities | Tasks, Write) => All,
            // Marketing brings leads in (forms, imports, events).
            (Role::Marketer, Leads, Write) => All,
            // Tasks are personal work: outside sales and service, only one's own.
            (Role::Marketer | Role::Accountant | Role::ReadOnly, Tasks, _) => Own,
            // Accountants follow orders through to payment and close them;
            // they alone invoice, record payments and release credit holds.
            (Role::Accountant, Accounts | Orders | Invoices | Contracts, Read | Write) => All,
            (Role::HeadOfSales, Invoices, Read) => All,
            (Role::SalesRep, Invoices | Contracts, Read) => Team,
            (Role::Support, Contacts, Write) => All,
            (Role::Marketer | Role::Support | Role::Accountant | Role::ReadOnly, _, Read) => All,
            _ => Nothing,
        }
    }

    /// Whether orders may depart from their contract (other products or
    /// prices); each departure is recorded with its reason.
    pub fn may_override_contracts(self) -> bool {
        matches!(self, Role::Admin | Role::HeadOfSales)
    }

    /// Whether cost prices and margins are shown.
    pub fn sees_costs(self) -> bool {
        matches!(self, Role::Admin | Role::HeadOfSales | Role::Accountant)
    }

    /// Whether contacts' personal data (e-mails, phones, birthday) is shown.
    pub fn sees_personal_data(self) -> bool {
        !matches!(self, Role::Accountant | Role::ReadOnly)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or("unknown_role")
    }
}

/// What a right applies to. API token scopes are `entity:read|write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Accounts,
    Contacts,
    Users,
    Teams,
    CustomFields,
    Classifiers,
    /// Login records and other security events.
    AuditLog,
    /// Sales pipelines and their stages.
    Pipelines,
    Deals,
    /// Calls, meetings and other contacts with customers.
    Activities,
    /// Things to do by a time, with reminders.
    Tasks,
    /// Enquiries not yet qualified into accounts and deals.
    Leads,
    /// Which rep or team receives a new lead.
    RoutingRules,
    /// The catalogue of goods and services.
    Products,
    /// Prices and discounts for kinds of customers.
    PriceLists,
    /// What customers bought and where it is.
    Orders,
    /// Invoices, payments and credit holds.
    Invoices,
    /// What a customer may buy at which prices, its terms and credit limit.
    Contracts,
    /// Background jobs: imports, housekeeping, outgoing messages.
    Jobs,
}

impl Entity {
    /// Every entity that scopes can name.
    pub const ALL: [Entity; 19] = [
        Entity::Accounts,
        Entity::Contacts,
        Entity::Leads,
        Entity::Deals,
        Entity::Orders,
        Entity::Invoices,
        Entity::Contracts,
        Entity::Activities,
        Entity::Tasks,
        Entity::RoutingRules,
        Entity::Products,
        Entity::PriceLists,
        Entity::Pipelines,
        Entity::Users,
        Entity::Teams,
        Entity::CustomFields,
        Entity::Classifiers,
        Entity::AuditLog,
        Entity::Jobs,
    ];

    /// Stable identifier used in scopes and history (`custom_fields`).
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Accounts => "accounts",
            Entity::Contacts => "contacts",
            Entity::Users => "users",
            Entity::Teams => "teams",
            Entity::CustomFields => "custom_fields",
            Entity::Classifiers => "classifiers",
            Entity::AuditLog => "audit_log",
            Entity::Pipelines => "pipelines",
            Entity::Deals => "deals",
            Entity::Activities => "activities",
            Entity::Tasks => "tasks",
            Entity::Leads => "leads",
            Entity::RoutingRules => "routing_rules",
            Entity::Products => "products",
            Entity::PriceLists => "price_lists",
            Entity::Orders => "orders",
            Entity::Invoices => "invoices",
            Entity::Contracts => "contracts",
            Entity::Jobs => "jobs",
        }
    }
}

impl FromStr for Entity {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Entity::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or("unknown_entity")
    }
}

/// The kind of act. Delete includes restore; create and update are writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    Delete,
}

/// Which records a right reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    Nothing,
    /// Records the principal owns.
    Own,
    /// Records owned by the principal's team.
    Team,
    All,
}

/// One API token scope: an entity and read or write (write implies read and
/// delete), or the narrow telephony `lookup` scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Entity(Entity, bool),
    Lookup,
}

impl Scope {
    /// Whether this scope grants `access` on `entity`.
    pub fn grants(self, entity: Entity, access: Access) -> bool {
        match self {
            Scope::Entity(e, write) => e == entity && (write || access == Access::Read),
            Scope::Lookup => false,
        }
    }

    /// Every scope that exists, for the full-rights default.
    pub fn all() -> Vec<Scope> {
        let mut all: Vec<Scope> = Entity::ALL
            .iter()
            .flat_map(|e| [Scope::Entity(*e, false), Scope::Entity(*e, true)])
            .collect();
        all.push(Scope::Lookup);
        all
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Entity(e, true) => write!(f, "{}:write", e.as_str()),
            Scope::Entity(e, false) => write!(f, "{}:read", e.as_str()),
            Scope::Lookup => f.write_str("lookup"),
        }
    }
}

impl FromStr for Scope {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "lookup" {
            return Ok(Scope::Lookup);
        }
        let (entity, access) = s.split_once(':').ok_or("invalid_scope")?;
        let entity = entity.parse().map_err(|_| "invalid_scope")?;
        match access {
            "read" => Ok(Scope::Entity(entity, false)),
            "write" => Ok(Scope::Entity(entity, true)),
            _ => Err("invalid_scope"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_and_scope_identifiers_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse(), Ok(role));
        }
        for scope in Scope::all() {
            assert_eq!(scope.to_string().parse(), Ok(scope));
        }
        assert!("accounts:admin".parse::<Scope>().is_err());
    }

    #[test]
    fn reps_reach_their_team_and_only_admins_manage_users() {
        assert_eq!(
            Role::SalesRep.reach(Entity::Accounts, Access::Read),
            Reach::Team
        );
        assert_eq!(
            Role::SalesRep.reach(Entity::Users, Access::Write),
            Reach::Nothing
        );
        assert_eq!(Role::Admin.reach(Entity::Users, Access::Write), Reach::All);
        assert_eq!(
            Role::ReadOnly.reach(Entity::Accounts, Access::Write),
            Reach::Nothing
        );
        assert!(!Role::ReadOnly.sees_personal_data());
    }
}
