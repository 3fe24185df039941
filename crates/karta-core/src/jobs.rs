//! Background jobs as the domain sees them: the states a job passes
//! through, how long a failed job waits before its next attempt, and
//! recurring schedules written the way cron writes them.
//!
//! The queue itself (claiming, leases, shutdown) lives in `karta_db::jobs`
//! and `karta_app::jobs`; this module only holds the rules, so they can be
//! tested without a clock or a database.

use crate::time::Micros;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Waiting for its `run_at`.
    Queued,
    /// Held by a process whose lease has not run out.
    Running,
    /// Its last attempt failed; it runs again at `run_at` (backoff).
    Failed,
    /// Finished.
    Done,
    /// Out of attempts: waits for a person to retry or cancel it.
    Dead,
    /// Cancelled by a person before it finished.
    Cancelled,
}

impl JobStatus {
    /// Every status, in the order the admin page lists them.
    pub const ALL: [Self; 6] = [
        Self::Queued,
        Self::Running,
        Self::Failed,
        Self::Dead,
        Self::Done,
        Self::Cancelled,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Failed => "failed",
            Self::Done => "done",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or("unknown_status")
    }

    /// Whether a person may send the job round again.
    pub fn retryable(self) -> bool {
        matches!(self, Self::Failed | Self::Dead | Self::Cancelled)
    }

    /// Whether a person may cancel the job. A running job is not cancelled
    /// under its process's feet: it finishes or fails first.
    pub fn cancellable(self) -> bool {
        matches!(self, Self::Queued | Self::Failed | Self::Dead)
    }
}

const SECOND: Micros = 1_000_000;

/// How long a job waits after its `attempt`-th failure (1-based): 10 s,
/// doubling each time, at most an hour. Exponential so a broken
/// counterpart is not hammered, capped so a fixed one is noticed soon.
pub fn backoff(attempt: i32) -> Micros {
    let doublings = attempt.clamp(1, 20) - 1;
    (10 * SECOND)
        .saturating_mul(1 << doublings)
        .min(3600 * SECOND)
}

/// A recurring schedule in cron's five fields (minute, hour, day of month,
/// month, day of week; UTC), each `*`, a number, a range `a-b`, a list
/// `a,b` or a step `*/n` / `a-b/n`. Day of week 0 or 7 is Sunday; as in
/// cron, when both day fields are restricted a day matching either runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    any_day: bool,
    any_weekday: bool,
    text: String,
}

impl Recurrence {
    /// Parses a five-field expression.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let fields: Vec<&str> = raw.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else {
            return Err("invalid_schedule");
        };
        let weekdays = field(weekday, 0, 7)?;
        Ok(Self {
            minutes: field(minute, 0, 59)?,
            hours: field(hour, 0, 23)? as u32,
            days: field(day, 1, 31)? as u32,
            months: field(month, 1, 12)? as u16,
            // Sunday is both 0 and 7.
            weekdays: ((weekdays | (weekdays >> 7)) & 0x7f) as u8,
            any_day: day == "*",
            any_weekday: weekday == "*",
            text: fields.join(" "),
        })
    }

    /// The expression as written (single-spaced).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first whole minute strictly after `after` that the schedule
    /// names, or `None` when none comes within five years (`0 0 31 2 *`).
    pub fn next_after(&self, after: Micros) -> Option<Micros> {
        let minute = 60 * SECOND;
        let mut at = (after.div_euclid(minute) + 1) * minute;
        let limit = at + 5 * 366 * 24 * 60 * minute;
        while at < limit {
            let t = crate::time::from_micros(at);
            if !self.day_matches(t.date()) {
                // Skip to the next midnight.
                let into_day = i64::from(t.hour()) * 60 + i64::from(t.minute());
                at += (24 * 60 - into_day) * minute;
                continue;
            }
            if self.hours & (1 << t.hour()) == 0 {
                at += (60 - i64::from(t.minute())) * minute;
                continue;
            }
            if self.minutes & (1 << t.minute()) != 0 {
                return Some(at);
            }
            at += minute;
        }
        None
    }

    fn day_matches(&self, d: time::Date) -> bool {
        if self.months & (1 << u8::from(d.month())) == 0 {
            return false;
        }
        let by_day = self.days & (1 << d.day()) != 0;
        let by_weekday = self.weekdays & (1 << d.weekday().number_days_from_sunday()) != 0;
        match (self.any_day, self.any_weekday) {
            (true, true) => true,
            (true, false) => by_weekday,
            (false, true) => by_day,
            (false, false) => by_day || by_weekday,
        }
    }
}

/// One cron field as a bit set of the values it names.
fn field(raw: &str, min: u32, max: u32) -> Result<u64, &'static str> {
    let mut set = 0u64;
    for part in raw.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| "invalid_schedule")?),
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => {
                    let n = number(r)?;
                    (n, if step > 1 { max } else { n })
                }
            },
        };
        if step == 0 || from < min || to > max || from > to {
            return Err("invalid_schedule");
        }
        let mut v = from;
        while v <= to {
            set |= 1 << v;
            v += step;
        }
    }
    Ok(set)
}

fn number(raw: &str) -> Result<u32, &'static str> {
    raw.parse().map_err(|_| "invalid_schedule")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_rfc3339, rfc3339};

    fn next(expr: &str, after: &str) -> String {
        let r = Recurrence::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let at = parse_rfc3339(after).unwrap_or_else(|e| panic!("{e}"));
        r.next_after(at).map(rfc3339).unwrap_or_default()
    }

    #[test]
    fn hourly_daily_and_weekly_schedules_fall_where_cron_puts_them() {
        assert_eq!(
            next("7 * * * *", "2026-12-03T14:07:00Z"),
            "2026-12-03T15:07:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-12-03T14:07:30Z"),
            "2026-12-03T14:15:00Z"
        );
        assert_eq!(
            next("30 2 * * *", "2026-12-03T14:00:00Z"),
            "2026-12-04T02:30:00Z"
        );
        // Monday to Friday at 09:00; 2026-12-05 is a Saturday.
        assert_eq!(
            next("0 9 * * 1-5", "2026-12-04T09:00:00Z"),
            "2026-12-07T09:00:00Z"
        );
        // Sunday written as 7.
        assert_eq!(
            next("0 0 * * 7", "2026-12-03T00:00:00Z"),
            "2026-12-06T00:00:00Z"
        );
        // Either day field matches when both are restricted.
        assert_eq!(
            next("0 0 1 * 0", "2026-12-02T00:00:00Z"),
            "2026-12-06T00:00:00Z"
        );
        assert_eq!(
            next("0 0 29 2 *", "2026-03-01T00:00:00Z"),
            "2028-02-29T00:00:00Z"
        );
        assert_eq!(next("0 0 31 2 *", "2026-03-01T00:00:00Z"), "");
    }

    #[test]
    fn malformed_schedules_are_refused() {
        for bad in [
            "",
            "* * * *",
            "60 * * * *",
            "* 24 * * *",
            "*/0 * * * *",
            "5-1 * * * *",
            "a * * * *",
            "* * 0 * *",
        ] {
            assert_eq!(Recurrence::parse(bad), Err("invalid_schedule"), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_and_stops_at_an_hour() {
        assert_eq!(backoff(1), 10 * SECOND);
        assert_eq!(backoff(2), 20 * SECOND);
        assert_eq!(backoff(9), 2560 * SECOND);
        assert_eq!(backoff(10), 3600 * SECOND);
        assert_eq!(backoff(1000), 3600 * SECOND);
    }

    #[test]
    fn statuses_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Ok(s));
        }
    }

    proptest::proptest! {
        #[test]
        fn the_next_run_is_later_and_on_the_schedule(after in 0i64..4_000_000_000_000_000, m in 0u32..60, h in 0u32..24) {
            let r = Recurrence::parse(&format!("{m} {h} * * *")).unwrap_or_else(|e| panic!("{e}"));
            let at = r.next_after(after).unwrap_or_else(|| panic!("daily schedule has a next run"));
            proptest::prop_assert!(at > after && at - after <= 24 * 3600 * SECOND);
            let t = crate::time::from_micros(at);
            proptest::prop_assert_eq!((u32::from(t.minute()), u32::from(t.hour()), t.second()), (m, h, 0));
        }
    }
}
