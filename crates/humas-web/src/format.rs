//! Numbers and times the Indonesian way: `12.345`, `28 Nov 2026 14.36 WIB`.

use humas_domain::{Locale, UserZone};
use jiff::Timestamp;
use jiff::tz::TimeZone;

const MONTHS_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An integer with thousands separators: `.` in Indonesian, `,` in English.
#[must_use]
pub fn int(n: i64, locale: Locale) -> String {
    let sep = match locale {
        Locale::Id => '.',
        Locale::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A moment in the reader's zone: `28 Nov 2026 14.36 WIB` (Indonesian uses a dot between
/// hours and minutes) or `28 Nov 2026 14:36 WIB`.
#[must_use]
pub fn time_us(us: i64, zone: UserZone, locale: Locale) -> String {
    let Ok(ts) = Timestamp::from_microsecond(us) else {
        return String::from("-");
    };
    let tz = TimeZone::get(zone.iana()).unwrap_or(TimeZone::UTC);
    let z = ts.to_zoned(tz);
    let (months, sep) = match locale {
        Locale::Id => (MONTHS_ID, '.'),
        Locale::En => (MONTHS_EN, ':'),
    };
    let month = usize::try_from(z.month() - 1)
        .ok()
        .and_then(|m| months.get(m))
        .copied()
        .unwrap_or("?");
    format!(
        "{} {} {} {:02}{sep}{:02} {}",
        z.day(),
        month,
        z.year(),
        z.hour(),
        z.minute(),
        zone.label()
    )
}

/// A civil date: `1 Des 2026`.
#[must_use]
pub fn date(d: jiff::civil::Date, locale: Locale) -> String {
    let months = match locale {
        Locale::Id => MONTHS_ID,
        Locale::En => MONTHS_EN,
    };
    let month = usize::try_from(d.month() - 1)
        .ok()
        .and_then(|m| months.get(m))
        .copied()
        .unwrap_or("?");
    format!("{} {} {}", d.day(), month, d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(int(0, Locale::Id), "0");
        assert_eq!(int(999, Locale::Id), "999");
        assert_eq!(int(1000, Locale::Id), "1.000");
        assert_eq!(int(1234567, Locale::Id), "1.234.567");
        assert_eq!(int(-45000, Locale::En), "-45,000");
    }

    #[test]
    fn times_in_zones() {
        // 2026-11-28T07:36:00Z
        let us = "2026-11-28T07:36:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_microsecond();
        assert_eq!(
            time_us(us, UserZone::Wib, Locale::Id),
            "28 Nov 2026 14.36 WIB"
        );
        assert_eq!(
            time_us(us, UserZone::Wit, Locale::En),
            "28 Nov 2026 16:36 WIT"
        );
        let dec = "2026-12-31T17:30:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_microsecond();
        assert_eq!(
            time_us(dec, UserZone::Wib, Locale::Id),
            "1 Jan 2027 00.30 WIB"
        );
        assert_eq!(
            date("2026-12-01".parse().unwrap(), Locale::Id),
            "1 Des 2026"
        );
    }
}
