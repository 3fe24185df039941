//! What needs doing: a person's "Today" (overdue and today's tasks, today's
//! meetings, deals needing attention; for one who leads, the team's too)
//! and the head of sales' control page
//! (per rep: open deals by stage, this week's activities, overdue tasks,
//! deals without a next step, leads nobody touched).

use crate::calendar::{self, Whose};
use crate::{App, AppError, Principal};
use karta_core::roles::{Access, Entity, Role};
use karta_core::tasks::TaskFilter;
use karta_core::tasks::TaskStatus;
use karta_core::time::{day_bounds, week_bounds};
use karta_db::activities::OwnerKindTotal;
use karta_db::deals::OwnerStageCount;
use karta_db::entities::{activity, deal, task, user};
use std::collections::HashMap;
use uuid::Uuid;

/// A person's day.
#[derive(Debug, Clone, Default)]
pub struct Today {
    /// Open tasks due before today, oldest first.
    pub overdue: Vec<task::Model>,
    /// Tasks due today (done ones too, so the day reads as a whole).
    pub tasks: Vec<task::Model>,
    pub meetings: Vec<activity::Model>,
    /// Own open deals without a next step or longer in stage than allowed.
    pub deals: Vec<deal::Model>,
    /// For one who hands work out (a head of sales, an administrator): the
    /// team's day besides their own.
    pub team: Option<TeamDay>,
}

/// The day of the people a leader watches (their team, or everyone they
/// may see when they lead no one team), their own work left out.
#[derive(Debug, Clone, Default)]
pub struct TeamDay {
    /// Others' open tasks due before today, oldest first.
    pub overdue: Vec<task::Model>,
    /// Others' tasks due today.
    pub tasks: Vec<task::Model>,
    /// Others' meetings today.
    pub meetings: Vec<activity::Model>,
}

/// How many of the team's overdue tasks the page lists (the control page
/// counts them all).
const TEAM_OVERDUE: u64 = 30;

/// The principal's day at the app's clock.
pub async fn today(app: &App, p: &Principal) -> Result<Today, AppError> {
    let now = app.now();
    let (start, end) = day_bounds(now, app.utc_offset(p));
    let overdue = crate::tasks::list(
        app,
        p,
        TaskFilter {
            owner_id: Some(p.user_id),
            status: Some(TaskStatus::Open),
            due_to: Some(start),
            ..Default::default()
        },
        None,
        50,
    )
    .await?
    .items;
    let period = calendar::period(app, p, Whose::Mine, start, end).await?;
    let deals = if p.reach(Entity::Deals, Access::Read) == karta_core::roles::Reach::Nothing {
        Vec::new()
    } else {
        karta_db::deals::needing_attention(app.db.conn(), p.user_id, now, 20).await?
    };
    let team = if p.may_assign(Entity::Deals) {
        Some(team_day(app, p, start, end).await?)
    } else {
        None
    };
    Ok(Today {
        overdue,
        tasks: period.tasks,
        meetings: period.meetings,
        deals,
        team,
    })
}

/// The team's day between `start` and `end` (today), without the
/// principal's own entries, which their own blocks show.
async fn team_day(app: &App, p: &Principal, start: i64, end: i64) -> Result<TeamDay, AppError> {
    let others = |owner: Option<Uuid>| owner != Some(p.user_id);
    let overdue = crate::tasks::list(
        app,
        p,
        TaskFilter {
            team_id: p.team_id,
            status: Some(TaskStatus::Open),
            due_to: Some(start),
            ..Default::default()
        },
        None,
        TEAM_OVERDUE,
    )
    .await?
    .items
    .into_iter()
    .filter(|t| others(t.owner_id))
    .collect();
    let period = calendar::period(app, p, Whose::Team, start, end).await?;
    Ok(TeamDay {
        overdue,
        tasks: period
            .tasks
            .into_iter()
            .filter(|t| others(t.owner_id))
            .collect(),
        meetings: period
            .meetings
            .into_iter()
            .filter(|m| others(m.owner_id))
            .collect(),
    })
}

/// One rep's row on the control page.
#[derive(Debug, Clone)]
pub struct RepRow {
    pub user: user::Model,
    /// Open deals per stage id.
    pub stages: HashMap<Uuid, i64>,
    pub open_deals: i64,
    pub without_next_step: i64,
    /// Activities this week per kind: (count, minutes).
    pub activities: HashMap<String, (i64, i64)>,
    pub minutes_this_week: i64,
    pub overdue_tasks: i64,
    pub untouched_leads: i64,
}

/// The control page: every active rep and head of sales, by name.
pub async fn control(
    app: &App,
    p: &Principal,
    untouched_hours: i64,
) -> Result<Vec<RepRow>, AppError> {
    if !p.may_assign(Entity::Deals) {
        return Err(AppError::Forbidden);
    }
    let db = app.db.conn();
    let now = app.now();
    let reps: Vec<user::Model> = karta_db::users::users(db)
        .await?
        .into_iter()
        .filter(|u| {
            u.active
                && matches!(
                    u.role.parse::<Role>(),
                    Ok(Role::SalesRep | Role::HeadOfSales)
                )
        })
        .collect();
    let ids: Vec<Uuid> = reps.iter().map(|u| u.id).collect();
    let (week_start, week_end) = week_bounds(now, app.utc_offset(p));
    let stages = karta_db::deals::open_by_owner_and_stage(db, &ids).await?;
    let activities =
        karta_db::activities::totals_by_owner_and_kind(db, &ids, week_start, week_end).await?;
    let overdue: HashMap<Uuid, i64> = karta_db::tasks::overdue_counts(db, &ids, now)
        .await?
        .into_iter()
        .collect();
    let untouched =
        karta_db::leads::open_counts(db, &ids, Some(now - untouched_hours * 3_600_000_000)).await?;
    Ok(reps
        .into_iter()
        .map(|user| {
            let mine = |s: &&OwnerStageCount| s.owner_id == user.id;
            let done = |a: &&OwnerKindTotal| a.owner_id == user.id;
            RepRow {
                stages: stages
                    .iter()
                    .filter(mine)
                    .map(|s| (s.stage_id, s.deals))
                    .collect(),
                open_deals: stages.iter().filter(mine).map(|s| s.deals).sum(),
                without_next_step: stages
                    .iter()
                    .filter(mine)
                    .map(|s| s.without_next_step)
                    .sum(),
                activities: activities
                    .iter()
                    .filter(done)
                    .map(|a| (a.kind.clone(), (a.activities, a.minutes)))
                    .collect(),
                minutes_this_week: activities.iter().filter(done).map(|a| a.minutes).sum(),
                overdue_tasks: overdue.get(&user.id).copied().unwrap_or(0),
                untouched_leads: untouched.get(&user.id).copied().unwrap_or(0),
                user,
            }
        })
        .collect())
}
