//! Routing rule storage: the rules in the order they are tried.

use crate::entities::routing_rule::{ActiveModel, Column, Entity, Model};
use karta_core::routing::{RoutingMethod, RuleFields, Target};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// Reads a stored rule back into domain fields.
pub fn fields_of(m: &Model) -> RuleFields {
    RuleFields {
        name: m.name.clone(),
        position: m.position,
        region: m.region.clone(),
        industry: m.industry.clone(),
        source: m.source.clone(),
        interest: m.interest.clone(),
        target: match (m.target_user_id, m.target_team_id) {
            (Some(u), _) => Target::User(u),
            (None, t) => Target::Team(t.unwrap_or_default()),
        },
        method: RoutingMethod::parse(&m.method).unwrap_or(RoutingMethod::RoundRobin),
        active: m.active,
    }
}

/// Sets every editable column from `f`.
pub fn set_fields(a: &mut ActiveModel, f: &RuleFields) {
    a.name = Set(f.name.clone());
    a.position = Set(f.position);
    a.region = Set(f.region.clone());
    a.industry = Set(f.industry.clone());
    a.source = Set(f.source.clone());
    a.interest = Set(f.interest.clone());
    let (user, team) = match f.target {
        Target::User(u) => (Some(u), None),
        Target::Team(t) => (None, Some(t)),
    };
    a.target_user_id = Set(user);
    a.target_team_id = Set(team);
    a.method = Set(f.method.as_str().to_string());
    a.active = Set(f.active);
}

/// Every rule, in the order they are tried.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::Position)
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await
}

/// Remembers who got the rule's latest lead, for round-robin.
pub async fn set_last_user<C: ConnectionTrait>(
    db: &C,
    rule_id: Uuid,
    user_id: Uuid,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LastUserId, Expr::value(user_id))
        .filter(Column::Id.eq(rule_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Writes `model` only if the rule is still at `version`.
pub async fn save_versioned<C: ConnectionTrait>(
    db: &C,
    mut model: ActiveModel,
    id: Uuid,
    version: i64,
) -> Result<Option<Model>, DbErr> {
    model.version = Set(version + 1);
    let result = Entity::update_many()
        .set(model)
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    Entity::find_by_id(id).one(db).await
}

/// Who got the rule's last lead, read under a row lock taken by a no-op
/// write, so concurrent routings on PostgreSQL take turns (SQLite already
/// serializes writers).
pub async fn last_user<C: ConnectionTrait>(db: &C, rule_id: Uuid) -> Result<Option<Uuid>, DbErr> {
    Entity::update_many()
        .col_expr(Column::LastUserId, Expr::col(Column::LastUserId))
        .filter(Column::Id.eq(rule_id))
        .exec(db)
        .await?;
    Ok(Entity::find_by_id(rule_id)
        .one(db)
        .await?
        .and_then(|m| m.last_user_id))
}
