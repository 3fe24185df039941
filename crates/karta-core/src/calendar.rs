//! The calendar: tasks and meetings as items in time, and their iCalendar
//! (RFC 5545) form for the private feed phones and desktop calendars
//! subscribe to.

use crate::time::{Micros, from_micros};

/// One entry of a calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarItem {
    /// Stable across feed refreshes, so calendars update instead of adding.
    pub uid: String,
    pub start: Micros,
    pub end: Micros,
    pub summary: String,
    pub description: Option<String>,
    /// Last change, for `DTSTAMP`/`LAST-MODIFIED`.
    pub changed: Micros,
}

/// A feed with `items`, named `name`, as iCalendar text (CRLF lines folded
/// at 75 octets, text escaped, times in UTC).
pub fn ical(name: &str, items: &[CalendarItem]) -> String {
    let mut out = String::new();
    let mut line = |l: String| fold(&mut out, &l);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Karta//Karta CRM//RU".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    for item in items {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape(&item.uid)));
        line(format!("DTSTAMP:{}", utc(item.changed)));
        line(format!("LAST-MODIFIED:{}", utc(item.changed)));
        line(format!("DTSTART:{}", utc(item.start)));
        line(format!("DTEND:{}", utc(item.end.max(item.start))));
        line(format!("SUMMARY:{}", escape(&item.summary)));
        if let Some(d) = &item.description {
            line(format!("DESCRIPTION:{}", escape(d)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// `20261123T071500Z`.
fn utc(at: Micros) -> String {
    let t = from_micros(at);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Escapes TEXT values (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets without splitting a UTF-8 character
/// (RFC 5545 §3.1), each physical line ending in CRLF.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_cyrillic_lines_fold_on_character_bounds() {
        let item = CalendarItem {
            uid: "task-1@karta".into(),
            start: 1_795_000_000_000_000,
            end: 1_795_000_900_000_000,
            summary: "Позвонить; обсудить, договор\nи скидку — ".repeat(3),
            description: None,
            changed: 1_795_000_000_000_000,
        };
        let text = ical("Мои задачи", &[item]);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.contains("Позвонить\\; обсудить\\, договор\\nи"));
        for physical in text.split("\r\n") {
            assert!(physical.len() <= 75, "{physical}");
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("\r\nDTSTART:20261118T110640Z\r\nDTEND:20261118T112140Z\r\n"));
    }
}
