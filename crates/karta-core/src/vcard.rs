//! vCard: contacts written as vCard 4.0 (RFC 6350) or 3.0 (RFC 2426), and
//! read from files that phones and desktop address books export (4.0, 3.0
//! and 2.1 with quoted-printable text and CHARSET parameters).
//!
//! Reading turns cards into the rows of a CSV the import reads, so a vCard
//! import is validated, reported and undone like any other import.

use crate::export::line;
use std::io::{BufRead, Write};

/// The fields a card carries in and out of Karta.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    pub uid: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    /// `FN`: how the person is shown; used when a card has no `N`.
    pub full_name: Option<String>,
    pub position: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub messengers: Vec<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    pub company: Option<String>,
    pub notes: Option<String>,
}

/// The vCard version written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V4,
    V3,
}

impl Version {
    /// Parses `4.0` or `3.0` (`4` and `3` too).
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw {
            "4.0" | "4" => Ok(Self::V4),
            "3.0" | "3" => Ok(Self::V3),
            _ => Err("invalid_version"),
        }
    }
}

/// Escapes a text value (`\`, `,`, `;` and line breaks).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a character.
fn fold(content: &str, out: &mut String) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// One card as text, CRLF line ends, long lines folded.
pub fn write(card: &Card, version: Version) -> String {
    let mut out = String::new();
    let mut prop = |content: String| fold(&content, &mut out);
    prop("BEGIN:VCARD".into());
    prop(
        match version {
            Version::V4 => "VERSION:4.0",
            Version::V3 => "VERSION:3.0",
        }
        .into(),
    );
    if let Some(uid) = &card.uid {
        prop(format!("UID:{}", escape(uid)));
    }
    let part = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    let shown = card.full_name.clone().unwrap_or_else(|| {
        [&card.last_name, &card.first_name, &card.middle_name]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    });
    prop(format!("FN:{}", escape(&shown)));
    prop(format!(
        "N:{};{};{};;",
        part(&card.last_name),
        part(&card.first_name),
        part(&card.middle_name)
    ));
    if let Some(c) = &card.company {
        prop(format!("ORG:{}", escape(c)));
    }
    if let Some(t) = &card.position {
        prop(format!("TITLE:{}", escape(t)));
    }
    for e in &card.emails {
        prop(format!("EMAIL:{}", escape(e)));
    }
    for p in &card.phones {
        prop(format!("TEL:{}", escape(p)));
    }
    for m in &card.messengers {
        prop(format!("IMPP:{}", escape(m)));
    }
    if let Some(b) = &card.birthday {
        prop(match version {
            Version::V4 => format!("BDAY:{}", b.replace('-', "")),
            Version::V3 => format!("BDAY:{b}"),
        });
    }
    if let Some(n) = &card.notes {
        prop(format!("NOTE:{}", escape(n)));
    }
    prop("END:VCARD".into());
    out
}

/// One property as read: its name (upper case, group dropped), parameters
/// and raw value.
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: Vec<u8>,
}

impl Property {
    fn parse(line: &[u8]) -> Option<Self> {
        // The value starts after the first colon outside quotes.
        let mut quoted = false;
        let colon = line.iter().position(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == b':' && !quoted
        })?;
        let head = String::from_utf8_lossy(&line[..colon]).to_string();
        let mut parts = head.split(';');
        let name = parts.next()?.rsplit('.').next()?.trim().to_uppercase();
        let params = parts
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim().to_uppercase(), v.trim_matches('"').to_string()),
                // vCard 2.1 writes bare types and encodings (`TEL;CELL`,
                // `;QUOTED-PRINTABLE`).
                None => ("TYPE".into(), p.trim().to_string()),
            })
            .collect();
        Some(Self {
            name,
            params,
            value: line[colon + 1..].to_vec(),
        })
    }

    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn quoted_printable(&self) -> bool {
        self.params
            .iter()
            .any(|(_, v)| v.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
    }

    /// The value as text: quoted-printable decoded, then read in its
    /// CHARSET, else UTF-8, else Windows-1251 (old Russian phones).
    fn text(&self) -> String {
        let bytes = if self.quoted_printable() {
            decode_quoted_printable(&self.value)
        } else {
            self.value.clone()
        };
        if let Some(enc) = self
            .param("CHARSET")
            .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
        {
            return enc.decode(&bytes).0.into_owned();
        }
        match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => encoding_rs::WINDOWS_1251
                .decode(e.as_bytes())
                .0
                .into_owned(),
        }
    }
}

fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], raw.get(i + 1), raw.get(i + 2)) {
            (b'=', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Splits a value on unescaped `sep` and unescapes each part.
fn components(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => parts.last_mut().into_iter().for_each(|p| p.push('\n')),
                Some(other) => parts.last_mut().into_iter().for_each(|p| p.push(other)),
                None => {}
            },
            c if c == sep => parts.push(String::new()),
            c => parts.last_mut().into_iter().for_each(|p| p.push(c)),
        }
    }
    parts
}

fn unescaped(value: &str) -> String {
    components(value, '\u{0}').concat()
}

fn some(text: String) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A birthday as `YYYY-MM-DD` from `1980-01-15`, `19800115` or a date-time;
/// none for dates without a year (`--0115`).
fn birthday(raw: &str) -> Option<String> {
    let digits: String = raw
        .trim()
        .split('T')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '-')
        .collect();
    (digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) && !raw.starts_with("--"))
        .then(|| format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]))
}

impl Card {
    fn take(&mut self, p: &Property) {
        let text = p.text();
        match p.name.as_str() {
            "UID" => self.uid = some(unescaped(&text)),
            "FN" => self.full_name = some(unescaped(&text)),
            "N" => {
                let mut n = components(&text, ';').into_iter().map(some);
                self.last_name = n.next().flatten();
                self.first_name = n.next().flatten();
                self.middle_name = n.next().flatten();
            }
            "ORG" => {
                // Organisation, then units: the company is the first part.
                self.company = components(&text, ';').into_iter().next().and_then(some);
            }
            "TITLE" => self.position = some(unescaped(&text)),
            "EMAIL" => self.emails.extend(some(unescaped(&text))),
            "TEL" => self.phones.extend(some(
                unescaped(&text).trim_start_matches("tel:").to_string(),
            )),
            "IMPP" | "X-TELEGRAM" | "X-SKYPE" => self.messengers.extend(some(unescaped(&text))),
            "BDAY" => self.birthday = birthday(&unescaped(&text)),
            "NOTE" => self.notes = some(unescaped(&text)),
            _ => {}
        }
    }

    fn is_empty(&self) -> bool {
        *self == Card::default()
    }
}

/// Reads cards one by one from an address book export, so a file of any
/// size costs the memory of one card.
pub struct CardReader<R> {
    input: R,
    /// The next physical line, read ahead to see whether it continues
    /// the current one.
    ahead: Option<Vec<u8>>,
    /// Physical lines read, for error reports.
    pub lines: usize,
}

impl<R: BufRead> CardReader<R> {
    /// A reader at the start of `input`.
    pub fn new(input: R) -> Self {
        Self {
            input,
            ahead: None,
            lines: 0,
        }
    }

    fn physical(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        if let Some(l) = self.ahead.take() {
            return Ok(Some(l));
        }
        let mut buf = Vec::new();
        if self.input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(None);
        }
        self.lines += 1;
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        if self.lines == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
        }
        Ok(Some(buf))
    }

    /// One logical line: folded lines joined (a leading space or tab
    /// continues the line), and quoted-printable soft breaks (`=` at the
    /// end) joined with the next line.
    fn logical(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let Some(mut line) = self.physical()? else {
            return Ok(None);
        };
        loop {
            if line.ends_with(b"=")
                && line
                    .windows(16)
                    .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
            {
                match self.physical()? {
                    Some(next) => {
                        line.pop();
                        line.extend_from_slice(next.strip_prefix(b" ").unwrap_or(&next));
                        continue;
                    }
                    None => return Ok(Some(line)),
                }
            }
            match self.physical()? {
                Some(next) if matches!(next.first(), Some(b' ' | b'\t')) => {
                    line.extend_from_slice(&next[1..]);
                }
                other => {
                    self.ahead = other;
                    return Ok(Some(line));
                }
            }
        }
    }

    /// The next card with anything in it; `None` at the end.
    pub fn next_card(&mut self) -> std::io::Result<Option<Card>> {
        let mut card: Option<Card> = None;
        while let Some(line) = self.logical()? {
            let Some(p) = Property::parse(&line) else {
                continue;
            };
            match (p.name.as_str(), card.as_mut()) {
                ("BEGIN", _) => card = Some(Card::default()),
                ("END", Some(c)) if !c.is_empty() => return Ok(card),
                ("END", _) => card = None,
                (_, Some(c)) => c.take(&p),
                _ => {}
            }
        }
        Ok(card.filter(|c| !c.is_empty()))
    }
}

/// The columns of the CSV a vCard file becomes, in order: headers the
/// import recognises.
pub const CSV_HEADERS: &[&str] = &[
    "External ID",
    "Last name",
    "First name",
    "Middle name",
    "Position",
    "E-mail",
    "Phone",
    "Messengers",
    "Birthday",
    "Company",
    "Notes",
];

/// Writes every card of `input` as a row of a UTF-8 CSV under
/// [`CSV_HEADERS`]; answers how many cards there were. A card with no `N`
/// keeps its shown name (`FN`) as the last name.
pub fn to_csv(input: impl BufRead, mut out: impl Write) -> std::io::Result<usize> {
    let headers: Vec<String> = CSV_HEADERS.iter().map(|h| h.to_string()).collect();
    out.write_all(line(&headers).as_bytes())?;
    let mut reader = CardReader::new(input);
    let mut count = 0;
    while let Some(c) = reader.next_card()? {
        let named = c.last_name.is_some() || c.first_name.is_some() || c.middle_name.is_some();
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let row = [
            o(&c.uid),
            if named {
                o(&c.last_name)
            } else {
                o(&c.full_name)
            },
            o(&c.first_name),
            o(&c.middle_name),
            o(&c.position),
            c.emails.join("; "),
            c.phones.join("; "),
            c.messengers.join("; "),
            o(&c.birthday),
            o(&c.company),
            o(&c.notes),
        ];
        out.write_all(line(&row).as_bytes())?;
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &[u8]) -> Vec<Card> {
        let mut r = CardReader::new(text);
        let mut cards = Vec::new();
        while let Some(c) = r.next_card().unwrap_or_else(|e| panic!("{e}")) {
            cards.push(c);
        }
        cards
    }

    fn full() -> Card {
        Card {
            uid: Some("urn:uuid:0190-1".into()),
            last_name: Some("Иванова".into()),
            first_name: Some("Анна".into()),
            middle_name: Some("Сергеевна".into()),
            full_name: Some("Иванова Анна Сергеевна".into()),
            position: Some("Главный бухгалтер, зам. директора; по финансам".into()),
            emails: vec!["anna@example.ru".into(), "a.ivanova@corp.ru".into()],
            phones: vec!["+7 916 111-22-33".into(), "8 (495) 123-45-67".into()],
            messengers: vec!["https://t.me/anna".into()],
            birthday: Some("1985-03-07".into()),
            company: Some("ООО «Ромашка»; филиал".into()),
            notes: Some(
                "Первая строка\nВторая: с запятыми, точками с запятой; и \\ обратной чертой. "
                    .repeat(4)
                    .trim()
                    .to_string(),
            ),
        }
    }

    #[test]
    fn both_versions_read_back_what_they_wrote() {
        for v in [Version::V4, Version::V3] {
            let text = write(&full(), v);
            assert!(text.lines().all(|l| l.len() <= 76), "{text}");
            assert_eq!(read_all(text.as_bytes()), vec![full()], "{text}");
        }
    }

    #[test]
    fn android_2_1_quoted_printable_and_apple_3_0_are_read() {
        let android = b"BEGIN:VCARD\r\nVERSION:2.1\r\n\
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9F=D0=B5=D1=82=D1=80=D0=BE=D0=B2;=D0=98=D0=B2=\r\n=D0=B0=D0=BD;;;\r\n\
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD =D0=9F=D0=B5=D1=82=D1=80=D0=BE=D0=B2\r\n\
TEL;CELL:+79161112233\r\nTEL;WORK;PREF:84951234567\r\n\
PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQ\r\n AAAQABAAD\r\n\r\nEND:VCARD\r\n";
        let apple = "BEGIN:VCARD\nVERSION:3.0\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\n\
N:Smith;John;;;\nFN:John Smith\nORG:Acme Inc.;Sales\n\
item1.EMAIL;type=INTERNET;type=pref:john@acme.com\nitem1.X-ABLabel:_$!<Work>!$_\n\
TEL;type=CELL;type=VOICE;type=pref:+1 (555) 010-9999\nBDAY;value=date:1979-12-31\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nFN:Only A Shown Name\nBDAY:--0412\nEND:VCARD\n";
        let a = read_all(android);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].last_name.as_deref(), Some("Петров"));
        assert_eq!(a[0].first_name.as_deref(), Some("Иван"));
        assert_eq!(a[0].phones, vec!["+79161112233", "84951234567"]);
        let b = read_all(apple.as_bytes());
        assert_eq!(b[0].emails, vec!["john@acme.com"]);
        assert_eq!(b[0].company.as_deref(), Some("Acme Inc."));
        assert_eq!(b[0].birthday.as_deref(), Some("1979-12-31"));
        assert_eq!(b[1].full_name.as_deref(), Some("Only A Shown Name"));
        assert_eq!(
            b[1].birthday, None,
            "a birthday without a year is not a date"
        );
        let mut csv = Vec::new();
        assert_eq!(to_csv(apple.as_bytes(), &mut csv).unwrap_or(0), 2);
        let csv = String::from_utf8_lossy(&csv);
        assert!(csv.contains("\r\n,Only A Shown Name,,,,,,,,,\r\n"), "{csv}");
    }

    #[test]
    fn a_windows_1251_card_is_read() {
        let mut text = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:".to_vec();
        text.extend_from_slice(&encoding_rs::WINDOWS_1251.encode("Сидоров;Олег").0);
        text.extend_from_slice(b"\r\nEND:VCARD\r\n");
        assert_eq!(read_all(&text)[0].last_name.as_deref(), Some("Сидоров"));
    }
}
