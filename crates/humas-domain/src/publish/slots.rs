//! Time slots per account: the moments an OPD prefers to publish on an account (e.g. weekdays
//! 07:00 and 12:00 WIB, when its audience reads). The composer offers the next free slot.

use jiff::Timestamp;
use jiff::civil::{DateTime, Time};
use serde::{Deserialize, Serialize};

use crate::people::UserZone;
use crate::publish::zone;
use crate::values::ValueError;

/// Most slots one account may have.
pub const MAX_SLOTS: usize = 50;

/// One weekly moment, in the zone the slots are kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Minutes after midnight, 0–1439.
    pub minute: u16,
}

impl Slot {
    /// Parses `"1 07:00"` (ISO weekday, space, 24-hour time).
    ///
    /// # Errors
    /// [`ValueError::Schedule`] naming the expected shape.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let bad = || {
            ValueError::Schedule(format!(
                "\"{}\" is not a slot; write the weekday number (1 = Monday … 7 = Sunday) and the time, e.g. \"1 07:00\"",
                raw.chars().take(40).collect::<String>()
            ))
        };
        let (day, time) = raw.trim().split_once(' ').ok_or_else(bad)?;
        let weekday: u8 = day.trim().parse().map_err(|_| bad())?;
        let (h, m) = time.trim().split_once(':').ok_or_else(bad)?;
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if !(1..=7).contains(&weekday) || h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(Self {
            weekday,
            minute: h * 60 + m,
        })
    }

    /// The slot as `"1 07:00"`.
    #[must_use]
    pub fn label(&self) -> String {
        format!(
            "{} {:02}:{:02}",
            self.weekday,
            self.minute / 60,
            self.minute % 60
        )
    }

    fn time(self) -> Time {
        let h = i8::try_from(self.minute / 60).unwrap_or(0);
        let m = i8::try_from(self.minute % 60).unwrap_or(0);
        Time::new(h, m, 0, 0).unwrap_or(Time::midnight())
    }
}

/// Sorts, removes repeats and checks the count.
///
/// # Errors
/// [`ValueError::Schedule`] when there are more than [`MAX_SLOTS`].
pub fn normalize(mut slots: Vec<Slot>) -> Result<Vec<Slot>, ValueError> {
    slots.sort();
    slots.dedup();
    if slots.len() > MAX_SLOTS {
        return Err(ValueError::Schedule(format!(
            "an account has at most {MAX_SLOTS} weekly slots"
        )));
    }
    Ok(slots)
}

/// The first slot at or after `after` that no post already takes (a post within 5 minutes of
/// a slot takes it), looking up to four weeks ahead; slots are read in `zone`.
#[must_use]
pub fn next_free(
    slots: &[Slot],
    after: Timestamp,
    zone: UserZone,
    taken: &[Timestamp],
) -> Option<Timestamp> {
    if slots.is_empty() {
        return None;
    }
    let start = zone::to_local(after, zone).date();
    let window = jiff::SignedDuration::from_mins(5);
    for offset in 0..28 {
        let Ok(day) = start.checked_add(jiff::Span::new().days(offset)) else {
            return None;
        };
        let weekday = day.weekday().to_monday_one_offset();
        let mut today: Vec<&Slot> = slots
            .iter()
            .filter(|s| i8::try_from(s.weekday).is_ok_and(|w| w == weekday))
            .collect();
        today.sort();
        for slot in today {
            let at = zone::to_instant(DateTime::from_parts(day, slot.time()), zone);
            let free = !taken.iter().any(|t| t.duration_since(at).abs() < window);
            if at >= after && free {
                return Some(at);
            }
        }
    }
    None
}

/// A weekday's Indonesian name, for labels.
#[must_use]
pub const fn weekday_name_id(weekday: u8) -> &'static str {
    match weekday {
        1 => "Senin",
        2 => "Selasa",
        3 => "Rabu",
        4 => "Kamis",
        5 => "Jumat",
        6 => "Sabtu",
        _ => "Minggu",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_parse_and_refuse_nonsense() {
        assert_eq!(
            Slot::parse("1 07:00").unwrap(),
            Slot {
                weekday: 1,
                minute: 420
            }
        );
        assert_eq!(Slot::parse(" 7 23:59 ").unwrap().label(), "7 23:59");
        for bad in ["0 07:00", "8 07:00", "1 24:00", "1 7", "senin 07:00", ""] {
            assert!(Slot::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_next_free_slot_skips_taken_and_past_ones() {
        // Saturday 2026-11-28 10:00 WIB.
        let now = zone::parse_local("2026-11-28T10:00", UserZone::Wib).unwrap();
        let slots = vec![
            Slot::parse("6 09:00").unwrap(),
            Slot::parse("6 12:00").unwrap(),
            Slot::parse("1 07:00").unwrap(),
        ];
        let noon = zone::parse_local("2026-11-28T12:00", UserZone::Wib).unwrap();
        assert_eq!(next_free(&slots, now, UserZone::Wib, &[]), Some(noon));
        let monday = zone::parse_local("2026-11-30T07:00", UserZone::Wib).unwrap();
        assert_eq!(
            next_free(
                &slots,
                now,
                UserZone::Wib,
                &[noon + jiff::SignedDuration::from_mins(2)]
            ),
            Some(monday)
        );
        assert_eq!(next_free(&[], now, UserZone::Wib, &[]), None);
    }
}
