//! The clock. "Now" is injected so that tests are deterministic; storage keeps
//! UTC instants as microseconds since the Unix epoch (exact, sortable and the
//! same on every engine).

use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

/// Converts an instant to storage micros.
pub fn to_micros(at: OffsetDateTime) -> Micros {
    (at.unix_timestamp_nanos() / 1000) as Micros
}

/// Converts storage micros back to an instant (clamped to the valid range).
pub fn from_micros(micros: Micros) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text of a stored instant, for JSON.
pub fn rfc3339(micros: Micros) -> String {
    from_micros(micros)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Parses an RFC 3339 instant (`2026-11-20T10:00:00+03:00`) into micros.
pub fn parse_rfc3339(raw: &str) -> Result<Micros, &'static str> {
    OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map(to_micros)
        .map_err(|_| "invalid_datetime")
}

/// Microseconds in a day.
pub const DAY: Micros = 86_400_000_000;

/// The local calendar day containing `at`, as `[start, end)` instants, for
/// a company `utc_offset_minutes` east of UTC.
pub fn day_bounds(at: Micros, utc_offset_minutes: i32) -> (Micros, Micros) {
    let shift = i64::from(utc_offset_minutes) * 60_000_000;
    let start = (at + shift).div_euclid(DAY) * DAY - shift;
    (start, start + DAY)
}

/// The local week (Monday to Sunday) containing `at`, as `[start, end)`.
pub fn week_bounds(at: Micros, utc_offset_minutes: i32) -> (Micros, Micros) {
    let (day, _) = day_bounds(at, utc_offset_minutes);
    let shift = i64::from(utc_offset_minutes) * 60_000_000;
    let weekday = from_micros(day + shift).weekday().number_days_from_monday();
    let start = day - i64::from(weekday) * DAY;
    (start, start + 7 * DAY)
}

/// Parses a clock offset from UTC, `+03:00`, `-05:30`, `+3` or `UTC+7`,
/// into minutes east of UTC (from −12:00 to +14:00, as on Earth).
pub fn parse_utc_offset(raw: &str) -> Result<i32, &'static str> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("UTC").unwrap_or(raw);
    let (sign, rest) = match raw.as_bytes().first() {
        Some(b'+') => (1, &raw[1..]),
        Some(b'-') => (-1, &raw[1..]),
        _ => return Err("invalid_utc_offset"),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let small = |t: &str, max: i32| {
        t.parse::<i32>()
            .ok()
            .filter(|v| (0..=max).contains(v) && (1..=2).contains(&t.len()))
    };
    match (small(hours, 14), small(minutes, 59)) {
        (Some(h), Some(m)) if (-12 * 60..=14 * 60).contains(&(sign * (h * 60 + m))) => {
            Ok(sign * (h * 60 + m))
        }
        _ => Err("invalid_utc_offset"),
    }
}

/// An offset in minutes as `+03:00`.
pub fn format_utc_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in storage micros.
    fn now(&self) -> Micros;
}

/// The real wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Micros {
        to_micros(OffsetDateTime::now_utc())
    }
}

/// A clock tests can set and advance.
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock stopped at `micros`.
    pub fn new(micros: Micros) -> Self {
        Self(AtomicI64::new(micros))
    }

    /// Moves the clock forward.
    pub fn advance(&self, micros: Micros) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Micros {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets_read_as_people_write_them() {
        for (raw, minutes) in [("+03:00", 180), ("UTC+7", 420), ("-05:30", -330), ("+0", 0)] {
            assert_eq!(parse_utc_offset(raw), Ok(minutes), "{raw}");
        }
        for raw in ["03:00", "+15:00", "-13", "+3:75", "+003", "UTC", ""] {
            assert_eq!(parse_utc_offset(raw), Err("invalid_utc_offset"), "{raw}");
        }
        assert_eq!(format_utc_offset(-330), "-05:30");
        assert_eq!(parse_utc_offset(&format_utc_offset(345)), Ok(345));
    }

    #[test]
    fn days_and_weeks_follow_the_company_clock() {
        // Wednesday 22:30 UTC is already Thursday 01:30 in Moscow.
        let at = 1_795_645_800 * 1_000_000;
        let (start, end) = day_bounds(at, 180);
        assert_eq!(start, 1_795_640_400 * 1_000_000);
        assert_eq!(end - start, DAY);
        let (monday, sunday_end) = week_bounds(at, 180);
        assert_eq!(monday, 1_795_381_200 * 1_000_000);
        assert_eq!(sunday_end - monday, 7 * DAY);
    }
}
