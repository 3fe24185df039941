//! Users and teams.

use crate::entities::{team, user};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// All teams by name.
pub async fn teams<C: ConnectionTrait>(db: &C) -> Result<Vec<team::Model>, DbErr> {
    team::Entity::find()
        .order_by_asc(team::Column::Name)
        .all(db)
        .await
}

/// A team by exact name.
pub async fn team_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<team::Model>, DbErr> {
    team::Entity::find()
        .filter(team::Column::Name.eq(name))
        .one(db)
        .await
}

/// A team by id.
pub async fn team<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<team::Model>, DbErr> {
    team::Entity::find_by_id(id).one(db).await
}

/// Creates a team.
pub async fn create_team<C: ConnectionTrait>(
    db: &C,
    name: &str,
    at: i64,
) -> Result<team::Model, DbErr> {
    let model = team::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_string()),
        created_at: Set(at),
    };
    team::Entity::insert(model).exec_with_returning(db).await
}

/// All users by name (the directory is small: people, not customers).
pub async fn users<C: ConnectionTrait>(db: &C) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .order_by_asc(user::Column::Name)
        .all(db)
        .await
}

/// A user by id.
pub async fn user<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

/// A user by (lower-case) e-mail.
pub async fn user_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
}

/// Number of users; zero means the first administrator is still to be made.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    user::Entity::find().count(db).await
}

/// Inserts a user.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    model: user::ActiveModel,
) -> Result<user::Model, DbErr> {
    user::Entity::insert(model).exec_with_returning(db).await
}

/// Saves changed columns of a user.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    model: user::ActiveModel,
) -> Result<user::Model, DbErr> {
    user::Entity::update(model).exec(db).await
}

/// Names of the users with these ids, in one query (history actors, owners
/// on a list page).
pub async fn names<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DbErr> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// The active members of a team, in a stable order (by id) so round-robin
/// goes around the same way every time.
pub async fn team_members<C: ConnectionTrait>(
    db: &C,
    team_id: Uuid,
) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::TeamId.eq(team_id))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
}
