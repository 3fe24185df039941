//! Lead routing use cases: the rules heads of sales and administrators
//! edit, the default for leads no rule takes, and `route`, which decides
//! who gets a new lead and records why.

use crate::uow::{Event, Tx, audited};
use crate::{App, AppError, Principal};
use karta_core::Invalid;
use karta_core::roles::{Access, Entity};
use karta_core::routing::{
    LeadTraits, RoutingMethod, RuleDraft, RuleFields, Target, least_loaded, round_robin,
};
use karta_db::entities::routing_rule::{self, ActiveModel, Model};
use karta_db::routing as store;
pub use karta_db::routing::fields_of;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Settings key of the routing default.
const DEFAULT_KEY: &str = "routing.default";

/// The registry name of routing rules (history, events).
const ENTITY: &str = "routing_rules";

/// Where leads go that no rule takes: a person, or (none) the head of
/// sales' queue of unassigned leads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoutingDefault {
    pub user_id: Option<Uuid>,
}

/// Who a lead went to, by which rule, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub rule_id: Option<Uuid>,
    /// `user`, `round_robin`, `least_loaded`, `default` or `queue`.
    pub how: &'static str,
}

/// Every rule in the order they are tried.
pub async fn list(app: &App, p: &Principal) -> Result<Vec<Model>, AppError> {
    p.require(Entity::RoutingRules, Access::Read)?;
    Ok(store::all(app.db.conn()).await?)
}

/// Checks that the target person or team exists (and the person is active).
async fn check_target(app: &App, f: &RuleFields) -> Result<(), AppError> {
    let db = app.db.conn();
    let mut e = Invalid::default();
    match f.target {
        Target::User(u) => {
            if !karta_db::users::user(db, u)
                .await?
                .is_some_and(|u| u.active)
            {
                e.push("target_user_id", "unknown_user");
            }
        }
        Target::Team(t) => {
            if karta_db::users::team(db, t).await?.is_none() {
                e.push("target_team_id", "unknown_team");
            }
        }
    }
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[
            ("region", "region", f.region.as_deref()),
            ("industry", "industry", f.industry.as_deref()),
            ("source", "lead_source", f.source.as_deref()),
        ],
    )
    .await?;
    Ok(e.into_result()?)
}

/// Adds a rule.
pub async fn create(app: &App, p: &Principal, draft: RuleDraft) -> Result<Model, AppError> {
    p.require(Entity::RoutingRules, Access::Write)?;
    let f = draft.validate()?;
    check_target(app, &f).await?;
    let now = app.now();
    let id = Uuid::now_v7();
    let mut model = ActiveModel {
        id: Set(id),
        last_user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    store::set_fields(&mut model, &f);
    audited(app, p.actor(), (ENTITY, "create", id), None, async |tx| {
        Ok(routing_rule::Entity::insert(model)
            .exec_with_returning(&**tx)
            .await?)
    })
    .await
}

async fn find(app: &App, p: &Principal, id: Uuid, access: Access) -> Result<Model, AppError> {
    p.require(Entity::RoutingRules, access)?;
    routing_rule::Entity::find_by_id(id)
        .one(app.db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes a rule (JSON merge) at the given version.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let current = find(app, p, id, Access::Write).await?;
    let expected = expected.ok_or(AppError::VersionRequired)?;
    if expected != current.version {
        return Err(AppError::VersionMismatch {
            current: current.version,
        });
    }
    let draft = crate::accounts::merge(&RuleDraft::from(&store::fields_of(&current)), patch)?;
    let f = draft.validate()?;
    check_target(app, &f).await?;
    let mut model = ActiveModel::default();
    store::set_fields(&mut model, &f);
    audited(
        app,
        p.actor(),
        (ENTITY, "update", id),
        Some(&current),
        async |tx| {
            model.updated_at = Set(tx.now());
            store::save_versioned(&**tx, model, id, current.version)
                .await?
                .ok_or(AppError::VersionMismatch {
                    current: current.version + 1,
                })
        },
    )
    .await
}

/// Removes a rule; leads it routed keep their owner and the record of it.
pub async fn delete(app: &App, p: &Principal, id: Uuid) -> Result<(), AppError> {
    let current = find(app, p, id, Access::Write).await?;
    let mut tx = Tx::begin(app, p.actor()).await?;
    routing_rule::Entity::delete_by_id(id).exec(&*tx).await?;
    tx.record(Event::between(ENTITY, id, "delete", Some(&current), None));
    tx.commit().await?;
    Ok(())
}

/// The routing default.
pub async fn default_target(app: &App) -> Result<RoutingDefault, AppError> {
    Ok(karta_db::settings::get(app.db.conn(), DEFAULT_KEY)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Sets the routing default (a person, or none for the queue).
pub async fn set_default(
    app: &App,
    p: &Principal,
    value: RoutingDefault,
) -> Result<RoutingDefault, AppError> {
    p.require(Entity::RoutingRules, Access::Write)?;
    if let Some(u) = value.user_id
        && !karta_db::users::user(app.db.conn(), u)
            .await?
            .is_some_and(|u| u.active)
    {
        return Err(AppError::field("user_id", "unknown_user"));
    }
    karta_db::settings::put(app.db.conn(), DEFAULT_KEY, json!(value), app.now()).await?;
    Ok(value)
}

/// Decides who gets a new lead, inside the lead's write transaction (so
/// round-robin turns are never handed out twice): the first active rule
/// whose conditions hold and whose target has someone to take it; else the
/// default person; else the queue.
pub(crate) async fn route<C: ConnectionTrait>(
    app: &App,
    txn: &C,
    lead: LeadTraits<'_>,
) -> Result<Routed, AppError> {
    for rule in store::all(txn).await? {
        let f = store::fields_of(&rule);
        if !f.matches(lead) {
            continue;
        }
        let picked = match f.target {
            Target::User(u) => karta_db::users::user(txn, u)
                .await?
                .filter(|u| u.active)
                .map(|u| (u.id, u.team_id, "user")),
            Target::Team(t) => {
                let members: Vec<Uuid> = karta_db::users::team_members(txn, t)
                    .await?
                    .into_iter()
                    .map(|u| u.id)
                    .collect();
                let chosen = match f.method {
                    RoutingMethod::RoundRobin => {
                        round_robin(&members, store::last_user(txn, rule.id).await?)
                    }
                    RoutingMethod::LeastLoaded => {
                        let load = karta_db::leads::open_counts(txn, &members, None).await?;
                        least_loaded(&members, |m| load.get(&m).copied().unwrap_or(0))
                    }
                };
                chosen.map(|u| (u, Some(t), f.method.as_str()))
            }
        };
        if let Some((owner, team, how)) = picked {
            store::set_last_user(txn, rule.id, owner).await?;
            return Ok(Routed {
                owner_id: Some(owner),
                team_id: team,
                rule_id: Some(rule.id),
                how,
            });
        }
    }
    if let Some(u) = default_target(app).await?.user_id
        && let Some(user) = karta_db::users::user(txn, u).await?.filter(|u| u.active)
    {
        return Ok(Routed {
            owner_id: Some(user.id),
            team_id: user.team_id,
            rule_id: None,
            how: "default",
        });
    }
    Ok(Routed {
        owner_id: None,
        team_id: None,
        rule_id: None,
        how: "queue",
    })
}

/// The name of rule `id`, for a lead card that says how its lead was
/// routed (the reader may see the lead, not the rule table).
pub async fn name_of(app: &App, id: Uuid) -> Result<Option<String>, AppError> {
    Ok(store::all(app.db.conn())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .map(|r| r.name))
}
