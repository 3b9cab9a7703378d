//! Scheduling in Indonesia's three zones.
//!
//! WIB (UTC+7), WITA (UTC+8) and WIT (UTC+9) have no daylight saving, so a local time maps to
//! exactly one instant by a fixed offset: no gaps, no folds, no dependence on the tz database.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

use crate::people::UserZone;
use crate::values::ValueError;

/// The zone's fixed offset from UTC in hours.
#[must_use]
pub const fn offset_hours(zone: UserZone) -> i8 {
    match zone {
        UserZone::Wib => 7,
        UserZone::Wita => 8,
        UserZone::Wit => 9,
    }
}

fn fixed(zone: UserZone) -> TimeZone {
    TimeZone::fixed(Offset::constant(offset_hours(zone)))
}

/// The instant a local wall-clock time in `zone` names.
#[must_use]
pub fn to_instant(local: DateTime, zone: UserZone) -> Timestamp {
    // A fixed offset has no gaps or folds, so the conversion cannot be ambiguous; the only
    // failure is a date outside jiff's range, which `parse_local` has already refused.
    fixed(zone)
        .to_ambiguous_timestamp(local)
        .compatible()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The wall-clock time of `at` in `zone`.
#[must_use]
pub fn to_local(at: Timestamp, zone: UserZone) -> DateTime {
    at.to_zoned(fixed(zone)).datetime()
}

/// Parses a form's `datetime-local` value (`2026-12-01T09:30`, seconds optional) in `zone`.
///
/// # Errors
/// [`ValueError::Schedule`] naming the expected shape.
pub fn parse_local(raw: &str, zone: UserZone) -> Result<Timestamp, ValueError> {
    let raw = raw.trim();
    let local: DateTime = raw.parse().map_err(|_| {
        ValueError::Schedule(format!(
            "\"{}\" is not a date and time; use YYYY-MM-DDTHH:MM, e.g. 2026-12-01T09:30 ({})",
            raw.chars().take(40).collect::<String>(),
            zone.label()
        ))
    })?;
    if local.year() < 2000 || local.year() > 2100 {
        return Err(ValueError::Schedule(
            "the year must be between 2000 and 2100".to_owned(),
        ));
    }
    Ok(to_instant(local, zone))
}

/// Checks a publication time against `now`: not in the past (a minute of grace for the time
/// it takes to press the button) and at most a year ahead.
///
/// # Errors
/// [`ValueError::Schedule`] saying what to change.
pub fn check_schedule(at: Timestamp, now: Timestamp) -> Result<(), ValueError> {
    let grace = jiff::SignedDuration::from_secs(60);
    if at < now - grace {
        return Err(ValueError::Schedule(
            "the time is in the past; choose a later time or publish as soon as approved"
                .to_owned(),
        ));
    }
    if at > now + jiff::SignedDuration::from_hours(24 * 366) {
        return Err(ValueError::Schedule(
            "the time is more than a year ahead; choose an earlier time".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_in_the_morning_is_a_different_instant_in_each_zone() {
        let wib = parse_local("2026-12-01T09:00", UserZone::Wib).unwrap();
        let wita = parse_local("2026-12-01T09:00", UserZone::Wita).unwrap();
        let wit = parse_local("2026-12-01T09:00", UserZone::Wit).unwrap();
        assert_eq!(wib.to_string(), "2026-12-01T02:00:00Z");
        assert_eq!(wita.to_string(), "2026-12-01T01:00:00Z");
        assert_eq!(wit.to_string(), "2026-12-01T00:00:00Z");
        assert_eq!(
            to_local(wib, UserZone::Wita).to_string(),
            "2026-12-01T10:00:00"
        );
    }

    #[test]
    fn bad_times_are_refused_with_the_expected_shape() {
        let err = parse_local("besok pagi", UserZone::Wib).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DDTHH:MM"));
        assert!(parse_local("1999-01-01T00:00", UserZone::Wib).is_err());
    }

    #[test]
    fn schedules_in_the_past_or_too_far_ahead_are_refused() {
        let now: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
        assert!(check_schedule(now - jiff::SignedDuration::from_mins(5), now).is_err());
        assert!(check_schedule(now - jiff::SignedDuration::from_secs(30), now).is_ok());
        assert!(check_schedule(now + jiff::SignedDuration::from_hours(24 * 400), now).is_err());
    }
}
