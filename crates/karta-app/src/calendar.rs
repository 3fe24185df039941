//! The calendar: tasks and meetings of a person or a team over a period,
//! and the private iCalendar feed behind a secret, revocable URL.

use crate::{App, AppError, Principal};
use karta_core::activities::ActivityFilter;
use karta_core::activities::ActivityKind;
use karta_core::calendar::{CalendarItem, ical};
use karta_core::roles::{Access, Entity};
use karta_core::tasks::TaskFilter;
use karta_core::tasks::TaskStatus;
use karta_db::entities::{activity, calendar_feed, task};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Whose calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    Mine,
    /// The principal's team (everything of it the principal may see); for
    /// one in no team, such as a head of sales over every team, everyone's
    /// entries the principal may see.
    Team,
}

/// Entries of a calendar view: tasks by due time, meetings and demos by
/// start (kinds one plans ahead).
#[derive(Debug, Clone, Default)]
pub struct Period {
    pub tasks: Vec<task::Model>,
    pub meetings: Vec<activity::Model>,
}

/// The most entries one period shows (a month of a busy team fits).
const MAX_ENTRIES: u64 = 200;

/// Tasks and meetings in `[from, to)` for the principal or their team.
pub async fn period(
    app: &App,
    p: &Principal,
    whose: Whose,
    from: i64,
    to: i64,
) -> Result<Period, AppError> {
    let (owner_id, team_id) = match whose {
        Whose::Mine => (Some(p.user_id), None),
        Whose::Team => (None, p.team_id),
    };
    let tasks = crate::tasks::list(
        app,
        p,
        TaskFilter {
            owner_id,
            team_id,
            due_from: Some(from),
            due_to: Some(to),
            ..Default::default()
        },
        None,
        MAX_ENTRIES,
    )
    .await?
    .items;
    let mut meetings = Vec::new();
    for kind in [ActivityKind::MEETING, ActivityKind::DEMO] {
        let page = crate::activities::list(
            app,
            p,
            ActivityFilter {
                owner_id,
                team_id,
                kind: Some(ActivityKind::stored(kind.to_string())),
                from: Some(from),
                to: Some(to),
                ..Default::default()
            },
            None,
            MAX_ENTRIES,
        )
        .await?;
        meetings.extend(page.items);
    }
    meetings.sort_by_key(|a| a.started_at);
    Ok(Period { tasks, meetings })
}

/// Creates or replaces the principal's feed; returns the secret token
/// (shown once: only its digest is stored).
pub async fn enable_feed(app: &App, p: &Principal) -> Result<String, AppError> {
    p.require(Entity::Tasks, Access::Read)?;
    let token = crate::auth::random_secret();
    calendar_feed::Entity::insert(calendar_feed::ActiveModel {
        user_id: Set(p.user_id),
        token_hash: Set(crate::auth::digest(&token)),
        created_at: Set(app.now()),
    })
    .on_conflict(
        OnConflict::column(calendar_feed::Column::UserId)
            .update_columns([
                calendar_feed::Column::TokenHash,
                calendar_feed::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec(app.db.conn())
    .await?;
    Ok(token)
}

/// Revokes the principal's feed: its URL stops working at once.
pub async fn revoke_feed(app: &App, p: &Principal) -> Result<(), AppError> {
    calendar_feed::Entity::delete_by_id(p.user_id)
        .exec(app.db.conn())
        .await?;
    Ok(())
}

/// Whether the principal has a feed enabled.
pub async fn has_feed(app: &App, p: &Principal) -> Result<bool, AppError> {
    Ok(calendar_feed::Entity::find_by_id(p.user_id)
        .one(app.db.conn())
        .await?
        .is_some())
}

/// The iCalendar text of the feed with this token: the owner's tasks and
/// meetings from a month back to half a year ahead, as the owner would see
/// them now. `NotFound` for an unknown or revoked token.
pub async fn feed(app: &App, token: &str) -> Result<String, AppError> {
    let db = app.db.conn();
    let feed = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(crate::auth::digest(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = karta_db::users::user(db, feed.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::NotFound)?;
    let p = crate::auth::principal_of(&user, None, "feed").ok_or(AppError::NotFound)?;
    const DAY: i64 = 86_400_000_000;
    let now = app.now();
    let got = period(app, &p, Whose::Mine, now - 31 * DAY, now + 183 * DAY).await?;
    let mut items: Vec<CalendarItem> = got
        .tasks
        .iter()
        .filter(|t| t.status != TaskStatus::Cancelled.as_str())
        .map(|t| CalendarItem {
            uid: format!("task-{}@karta", t.id),
            start: t.due_at,
            end: t.due_at + 15 * 60_000_000,
            summary: if t.status == TaskStatus::Done.as_str() {
                format!("✓ {}", t.title)
            } else {
                t.title.clone()
            },
            description: t.description.clone(),
            changed: t.updated_at,
        })
        .collect();
    // A meeting without a subject is named by its type, in the owner's language.
    let types = karta_db::classifiers::of_kind(db, ActivityKind::CLASSIFIER).await?;
    let english = user.locale.as_deref() == Some("en");
    let type_name = |code: &str| {
        types
            .iter()
            .find(|t| t.code == code)
            .map(|t| if english { &t.label_en } else { &t.label_ru })
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    items.extend(got.meetings.iter().map(|a| CalendarItem {
        uid: format!("activity-{}@karta", a.id),
        start: a.started_at,
        end: a.started_at + i64::from(a.duration_minutes) * 60_000_000,
        summary: a.subject.clone().unwrap_or_else(|| type_name(&a.kind)),
        description: a.outcome.clone(),
        changed: a.updated_at,
    }));
    Ok(ical(&format!("Karta — {}", user.name), &items))
}
