//! Lenient feed dates: RFC 822/2822, RFC 3339/ISO 8601, and what Indonesian CMSs actually write.
//!
//! Accepted beyond the standards: zone names `WIB` (+07), `WITA` (+08), `WIT` (+09), Indonesian
//! day names (`Senin`, `Sen`, …) and month names (`Agustus`, `Agu`/`Agt`/`Ags`, `Mei`, `Okt`,
//! `Des`, `Peb`…), `.` as the time separator (`10.00`), single-digit hours, a wrong weekday, and
//! no zone at all — then Jakarta time (WIB) is assumed and the result says so.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

/// A parsed date and whether its zone was guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    /// The instant.
    pub timestamp: Timestamp,
    /// No zone was written; Asia/Jakarta (WIB) was assumed.
    pub zone_assumed: bool,
}

/// English and Indonesian month names and abbreviations, lowercase, with their number.
const MONTHS: &[(&str, i8)] = &[
    ("january", 1),
    ("januari", 1),
    ("jan", 1),
    ("february", 2),
    ("februari", 2),
    ("pebruari", 2),
    ("feb", 2),
    ("peb", 2),
    ("march", 3),
    ("maret", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("mei", 5),
    ("june", 6),
    ("juni", 6),
    ("jun", 6),
    ("july", 7),
    ("juli", 7),
    ("jul", 7),
    ("august", 8),
    ("agustus", 8),
    ("aug", 8),
    ("agu", 8),
    ("agt", 8),
    ("ags", 8),
    ("agus", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oktober", 10),
    ("oct", 10),
    ("okt", 10),
    ("november", 11),
    ("nopember", 11),
    ("nov", 11),
    ("nop", 11),
    ("december", 12),
    ("desember", 12),
    ("dec", 12),
    ("des", 12),
];

/// Day names in both languages; the weekday is ignored (CMSs get it wrong), only skipped.
const DAYS: &[&str] = &[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "senin",
    "sen",
    "selasa",
    "sel",
    "rabu",
    "rab",
    "kamis",
    "kam",
    "jumat",
    "jum'at",
    "jum",
    "sabtu",
    "sab",
    "minggu",
    "min",
    "ahad",
];

/// Named zones and their offset in hours from UTC.
const ZONES: &[(&str, i8)] = &[
    ("wib", 7),
    ("wita", 8),
    ("wit", 9),
    ("gmt", 0),
    ("ut", 0),
    ("utc", 0),
    ("z", 0),
    ("est", -5),
    ("edt", -4),
    ("cst", -6),
    ("cdt", -5),
    ("mst", -7),
    ("mdt", -6),
    ("pst", -8),
    ("pdt", -7),
];

/// Parses a feed date, or `None` when it cannot be read (the caller keeps the item anyway).
#[must_use]
pub fn parse_date(raw: &str) -> Option<ParsedDate> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    let exact = |timestamp| ParsedDate {
        timestamp,
        zone_assumed: false,
    };
    if let Ok(z) = jiff::fmt::rfc2822::parse(s) {
        return Some(exact(z.timestamp()));
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(exact(t));
    }
    parse_iso_without_zone(s).or_else(|| parse_lenient(s))
}

/// `2026-11-28T10:00:00` or `2026-11-28 10:00` or `2026-11-28`: local Jakarta time.
fn parse_iso_without_zone(s: &str) -> Option<ParsedDate> {
    let dt = s.parse::<DateTime>().ok().or_else(|| {
        s.parse::<Date>()
            .ok()
            .map(|d| d.to_datetime(Time::midnight()))
    })?;
    in_offset(dt, None)
}

/// The words of a date: split at whitespace and commas, `T`-less.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn month_number(word: &str) -> Option<i8> {
    let w = word.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

fn is_day_name(word: &str) -> bool {
    DAYS.contains(&word.trim_end_matches('.'))
}

/// `10:00`, `10:00:00`, `9.05`, `10.00.30` as a time of day.
fn parse_time(word: &str) -> Option<Time> {
    let parts: Vec<&str> = word.split([':', '.']).collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let hour: i8 = parts.first()?.parse().ok()?;
    let minute: i8 = parts.get(1)?.parse().ok()?;
    let second: i8 = match parts.get(2) {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    Time::new(hour, minute, second, 0).ok()
}

/// `+0700`, `+07:00`, `-0500`, or a zone name, as seconds east of UTC.
fn parse_zone(word: &str) -> Option<i32> {
    if let Some((_, hours)) = ZONES.iter().find(|(n, _)| *n == word) {
        return Some(i32::from(*hours) * 3600);
    }
    let sign = match word.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = word[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// `[Day,] D Month YYYY [HH:MM[:SS]] [zone]` in English or Indonesian.
fn parse_lenient(s: &str) -> Option<ParsedDate> {
    let mut words = words(s);
    if words.first().is_some_and(|w| is_day_name(w)) {
        words.remove(0);
    }
    let mut it = words.iter();
    let day: i8 = it.next()?.parse().ok()?;
    let month = month_number(it.next()?)?;
    let year_word = it.next()?;
    let year: i16 = year_word.parse().ok()?;
    let year = if year < 100 { 2000 + year } else { year };
    let date = Date::new(year, month, day).ok()?;
    let mut time = Time::midnight();
    let mut offset = None;
    for w in it {
        if let Some(t) = parse_time(w) {
            time = t;
        } else if let Some(z) = parse_zone(w) {
            offset = Some(z);
        } else if w == "pukul" || w == "jam" {
            // "28 Agustus 2026 pukul 10.00 WIB": the Indonesian "at".
        } else {
            return None;
        }
    }
    in_offset(date.to_datetime(time), offset)
}

/// `dt` read at `offset_seconds` east of UTC, or in Asia/Jakarta when no offset was written.
fn in_offset(dt: DateTime, offset_seconds: Option<i32>) -> Option<ParsedDate> {
    let zone_assumed = offset_seconds.is_none();
    let tz = match offset_seconds {
        Some(secs) => TimeZone::fixed(Offset::from_seconds(secs).ok()?),
        // WIB has no daylight saving time, so a fixed +07 is exactly Asia/Jakarta.
        None => TimeZone::fixed(Offset::constant(7)),
    };
    let zoned: Zoned = dt.to_zoned(tz).ok()?;
    Some(ParsedDate {
        timestamp: zoned.timestamp(),
        zone_assumed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(raw: &str) -> String {
        parse_date(raw)
            .map(|p| p.timestamp.to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn standard_formats() {
        assert_eq!(
            utc("Mon, 05 Oct 2026 09:00:00 +0700"),
            "2026-10-05T02:00:00Z"
        );
        assert_eq!(utc("Sat, 28 Nov 2026 03:00:00 GMT"), "2026-11-28T03:00:00Z");
        assert_eq!(utc("2026-11-28T10:00:00+07:00"), "2026-11-28T03:00:00Z");
        assert_eq!(utc("2026-11-28T03:00:00Z"), "2026-11-28T03:00:00Z");
    }

    #[test]
    fn indonesian_zones_days_and_months() {
        assert_eq!(
            utc("Senin, 28 Nov 2026 10:00:00 WIB"),
            "2026-11-28T03:00:00Z"
        );
        assert_eq!(utc("Sen, 02 Des 2024 08:30 WITA"), "2024-12-02T00:30:00Z");
        assert_eq!(utc("Jum, 1 Mei 2026 9.05 WIT"), "2026-05-01T00:05:00Z");
        assert_eq!(utc("17 Agt 2026 10:00 +0700"), "2026-08-17T03:00:00Z");
        assert_eq!(utc("17 Agu 2026 10:00 WIB"), "2026-08-17T03:00:00Z");
        assert_eq!(utc("3 Okt 2026 07:00:00 WIB"), "2026-10-03T00:00:00Z");
        assert_eq!(
            utc("28 Agustus 2026 pukul 10.00 WIB"),
            "2026-08-28T03:00:00Z"
        );
    }

    #[test]
    fn no_zone_means_jakarta_and_is_flagged() {
        let p = parse_date("28 Agustus 2026").unwrap();
        assert_eq!(p.timestamp.to_string(), "2026-08-27T17:00:00Z");
        assert!(p.zone_assumed);
        let p = parse_date("2026-11-28 10:00:00").unwrap();
        assert_eq!(p.timestamp.to_string(), "2026-11-28T03:00:00Z");
        assert!(p.zone_assumed);
    }

    #[test]
    fn nonsense_is_none_not_a_panic() {
        for s in [
            "",
            "kemarin",
            "32 Des 2026",
            "Senin",
            "28 Foo 2026",
            "1 Jan 2026 25:00",
        ] {
            assert_eq!(utc(s), "none", "{s}");
        }
    }
}
