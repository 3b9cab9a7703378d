//! The SP4N-LAPOR! response clock: working days, holidays and deadlines.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ids::OpdId;
use crate::inbox::{Category, Status, Workflow};
use crate::org::choice_enum;
use crate::values::ValueError;

choice_enum!(
    /// Why a day is not a working day.
    HolidayKind, "holiday kind" {
        /// A national public holiday (hari libur nasional).
        National => "national",
        /// A joint leave day (cuti bersama) for civil servants.
        JointLeave => "joint_leave",
        /// A regional holiday or office closure set by the province.
        Regional => "regional",
    }
);

/// A day off in the calendar the supervisor maintains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// Its name, e.g. `Hari Raya Idul Fitri 1447 H`.
    pub name: String,
    /// Kind.
    pub kind: HolidayKind,
}

/// An OPD's response standard (maklumat pelayanan): days allowed for each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockPolicy {
    /// First response (the reporter learns where the report went).
    pub first_response_days: u16,
    /// Information requests.
    pub information_request_days: u16,
    /// Complaints.
    pub complaint_days: u16,
    /// Disputes needing no field check.
    pub dispute_days: u16,
    /// Cases needing a field check.
    pub field_check_days: u16,
    /// `true`: working days (weekends and holidays skipped); `false`: calendar days.
    pub working_days: bool,
}

impl Default for ClockPolicy {
    /// The national standard stated by KemenPAN-RB: 3 / 5 / 5 / 14 / 60 working days.
    fn default() -> Self {
        Self {
            first_response_days: 3,
            information_request_days: 5,
            complaint_days: 5,
            dispute_days: 14,
            field_check_days: 60,
            working_days: true,
        }
    }
}

/// A policy stored for one OPD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpdClockPolicy {
    /// The OPD.
    pub opd: OpdId,
    /// Its policy.
    pub policy: ClockPolicy,
}

impl ClockPolicy {
    /// Shortest and longest period an OPD may set, in days. A year is the most any published
    /// maklumat uses (60 working days is about three months); zero would make every message
    /// overdue on arrival.
    pub const DAYS: std::ops::RangeInclusive<u16> = 1..=365;

    /// Days allowed to resolve a message of category `c`; `None` for
    /// [`Category::NotActionable`], which starts no clock.
    #[must_use]
    pub const fn resolution_days(&self, c: Category) -> Option<u16> {
        match c {
            Category::InformationRequest => Some(self.information_request_days),
            Category::Complaint => Some(self.complaint_days),
            Category::Dispute => Some(self.dispute_days),
            Category::FieldCheck => Some(self.field_check_days),
            Category::NotActionable => None,
        }
    }

    /// Checks that every period is 1–365 days and that the first response is not due after
    /// any resolution (an answer cannot come before the reporter is told where the report went).
    ///
    /// # Errors
    /// [`ValueError::ClockDays`] naming the first period out of range, or
    /// [`ValueError::ClockOrder`] naming the first resolution period shorter than the first
    /// response period.
    pub fn check(&self) -> Result<(), ValueError> {
        if !Self::DAYS.contains(&self.first_response_days) {
            return Err(ValueError::ClockDays("first_response_days"));
        }
        for (field, days) in self.resolution_periods() {
            if !Self::DAYS.contains(&days) {
                return Err(ValueError::ClockDays(field));
            }
            if days < self.first_response_days {
                return Err(ValueError::ClockOrder(field));
            }
        }
        Ok(())
    }

    /// The resolution periods with the names of their fields, for error messages.
    const fn resolution_periods(&self) -> [(&'static str, u16); 4] {
        [
            ("information_request_days", self.information_request_days),
            ("complaint_days", self.complaint_days),
            ("dispute_days", self.dispute_days),
            ("field_check_days", self.field_check_days),
        ]
    }
}

/// The days off that stop a working-day clock, on top of Saturdays and Sundays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Sorted and unique, so a lookup is a binary search.
    holidays: Vec<Date>,
}

impl Calendar {
    /// A calendar with these days off (any order, duplicates allowed).
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> Self {
        let mut holidays: Vec<Date> = holidays.into_iter().collect();
        holidays.sort_unstable();
        holidays.dedup();
        Self { holidays }
    }

    /// A calendar from stored [`Holiday`] rows (national, joint leave and regional alike: all
    /// close the offices that answer reports).
    #[must_use]
    pub fn from_holidays(holidays: &[Holiday]) -> Self {
        Self::new(holidays.iter().map(|h| h.date))
    }

    /// Whether `date` is a holiday in this calendar (weekends aside).
    #[must_use]
    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.binary_search(&date).is_ok()
    }

    /// Monday to Friday and not a holiday.
    #[must_use]
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.is_holiday(date)
    }
}

/// The 2026 list as shipped, kept as data so a corrected decree is a one-line change.
const HOLIDAYS_2026: &str = include_str!("../data/holidays-2026.tsv");

/// Indonesia's 2026 national public holidays and cuti bersama days per the SKB 3 Menteri
/// (Nomor 1497, 2 and 5 Tahun 2025), from `data/holidays-2026.tsv`.
///
/// The file is checked by a unit test; should it ever fail to parse, the answer is empty
/// rather than a panic, and deadlines fall back to weekends only.
#[must_use]
pub fn national_holidays_2026() -> Vec<Holiday> {
    parse_holidays(HOLIDAYS_2026).unwrap_or_default()
}

/// A line of a holiday file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("holiday file line {line}: {reason}")]
pub struct HolidayLineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong and how to write it instead.
    pub reason: &'static str,
}

/// Reads holidays written `date<TAB>kind<TAB>name`, one a line; blank lines and lines starting
/// with `#` are skipped.
///
/// # Errors
/// [`HolidayLineError`] for the first line without three tab-separated fields, with a date
/// that is not `YYYY-MM-DD`, an unknown kind or an empty name.
pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, HolidayLineError> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason| HolidayLineError {
            line: index + 1,
            reason,
        };
        let mut fields = line.split('\t');
        let (Some(date), Some(kind), Some(name), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(fail(
                "expected three fields separated by tabs: date, kind, name",
            ));
        };
        let date = crate::values::parse_date(date)
            .map_err(|_| fail("the date must be written YYYY-MM-DD, e.g. 2026-03-21"))?;
        let kind = HolidayKind::parse(kind)
            .map_err(|_| fail("the kind must be national, joint_leave or regional"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(fail("the name is empty; write the holiday's official name"));
        }
        out.push(Holiday {
            date,
            name: name.to_owned(),
            kind,
        });
    }
    Ok(out)
}

/// When a period of `days` started at `received` ends: the last instant (23:59:59.999999
/// local time in `zone`) of the `days`-th counted day after the local day of receipt.
///
/// Counted days are working days of `calendar` when `working_days`, else every calendar day;
/// the day of receipt never counts, so a report received on Friday with 3 working days is due
/// at the end of Wednesday, and one received on Saturday is too. `days = 0` means the end of
/// the day of receipt. Dates beyond what jiff can represent give [`Timestamp::MAX`].
#[must_use]
pub fn due_at(
    received: Timestamp,
    days: u16,
    working_days: bool,
    calendar: &Calendar,
    zone: &TimeZone,
) -> Timestamp {
    let mut day = received.to_zoned(zone.clone()).date();
    let mut counted = 0;
    while counted < days {
        let Ok(next) = day.tomorrow() else {
            return Timestamp::MAX;
        };
        day = next;
        if !working_days || calendar.is_working_day(day) {
            counted += 1;
        }
    }
    end_of_day(day, zone)
}

/// The last microsecond of `day` in `zone` (what a person reads as "by the end of the day").
fn end_of_day(day: Date, zone: &TimeZone) -> Timestamp {
    day.at(23, 59, 59, 999_999_000)
        .to_zoned(zone.clone())
        .map_or(Timestamp::MAX, |z| z.timestamp())
}

/// Sets the deadlines of `workflow` for a message received at `received`.
///
/// The effective category is the operator's, else the suggested one. An actionable category
/// sets both the first-response and the resolution deadline; an unknown one (nothing set or
/// suggested yet) only the first response, since someone must still look at it; a
/// not-actionable one clears both. Call it again after a category change with the same
/// `received`: periods always run from receipt, not from the change.
pub fn schedule(
    workflow: &mut Workflow,
    received: Timestamp,
    policy: &ClockPolicy,
    calendar: &Calendar,
    zone: &TimeZone,
) {
    let due = |days| due_at(received, days, policy.working_days, calendar, zone);
    match workflow.category.or(workflow.suggested_category) {
        Some(Category::NotActionable) => {
            workflow.first_response_due = None;
            workflow.resolution_due = None;
        }
        Some(category) => {
            workflow.first_response_due = Some(due(policy.first_response_days));
            workflow.resolution_due = policy.resolution_days(category).map(due);
        }
        None => {
            workflow.first_response_due = Some(due(policy.first_response_days));
            workflow.resolution_due = None;
        }
    }
}

/// How a message stands against its deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// No deadline set (not actionable, or closed before any was met).
    NotSet,
    /// The next deadline is further away than the warning period.
    OnTrack,
    /// The next deadline is within the warning period.
    DueSoon,
    /// The next deadline has passed.
    Overdue,
    /// Every deadline set was met in time.
    Met,
    /// Every deadline set was met, at least one after its due time.
    MetLate,
}

impl DeadlineState {
    /// The stable lowercase name, for storage, filters and translation keys.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotSet => "not_set",
            Self::OnTrack => "on_track",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
            Self::Met => "met",
            Self::MetLate => "met_late",
        }
    }
}

impl std::fmt::Display for DeadlineState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Judges `workflow` at `now`: the first deadline not yet met (first response, then
/// resolution) is overdue, due within `warn_before` (negative counts as zero) or on track; when
/// every deadline set has been met, [`DeadlineState::Met`] or [`DeadlineState::MetLate`].
///
/// A closed message stops its clocks, as in [`Workflow::next_due`]: deadlines it never met
/// are not judged (a duplicate or spam closed without an answer is not overdue).
#[must_use]
pub fn deadline_state(
    workflow: &Workflow,
    now: Timestamp,
    warn_before: SignedDuration,
) -> DeadlineState {
    let closed = workflow.status == Status::Closed;
    let deadlines = [
        (workflow.first_response_due, workflow.first_response_at),
        (workflow.resolution_due, workflow.resolved_at),
    ];
    let mut any_met = false;
    let mut any_late = false;
    for (due, met) in deadlines {
        let Some(due) = due else { continue };
        match met {
            Some(at) => {
                any_met = true;
                any_late |= at > due;
            }
            None if closed => {}
            None => return running_state(due, now, warn_before),
        }
    }
    match (any_met, any_late) {
        (false, _) => DeadlineState::NotSet,
        (true, false) => DeadlineState::Met,
        (true, true) => DeadlineState::MetLate,
    }
}

/// The state of a deadline not yet met.
fn running_state(due: Timestamp, now: Timestamp, warn_before: SignedDuration) -> DeadlineState {
    let warn = warn_before.max(SignedDuration::ZERO);
    let warn_from = due.checked_sub(warn).unwrap_or(Timestamp::MIN);
    if now > due {
        DeadlineState::Overdue
    } else if now >= warn_from {
        DeadlineState::DueSoon
    } else {
        DeadlineState::OnTrack
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn wib() -> TimeZone {
        zone("Asia/Jakarta")
    }

    fn at(local: &str, tz: &TimeZone) -> Timestamp {
        local
            .parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp()
    }

    fn end_of(day: &str, tz: &TimeZone) -> Timestamp {
        at(&format!("{day}T23:59:59.999999"), tz)
    }

    fn calendar_2026() -> Calendar {
        Calendar::from_holidays(&national_holidays_2026())
    }

    #[test]
    fn holiday_file_parses_sorted_unique_in_2026() {
        let holidays = parse_holidays(HOLIDAYS_2026).unwrap();
        assert_eq!(holidays, national_holidays_2026());
        assert!(holidays.iter().all(|h| h.date.year() == 2026));
        assert!(holidays.windows(2).all(|w| w[0].date < w[1].date));
        let count = |k| holidays.iter().filter(|h| h.kind == k).count();
        // The SKB sets 17 national holidays and 8 cuti bersama days.
        assert_eq!(count(HolidayKind::National), 17);
        assert_eq!(count(HolidayKind::JointLeave), 8);
        assert_eq!(count(HolidayKind::Regional), 0);
        let lebaran = holidays
            .iter()
            .find(|h| h.date == date(2026, 3, 21))
            .unwrap();
        assert_eq!(lebaran.kind, HolidayKind::National);
        assert!(lebaran.name.contains("Idul Fitri"));
    }

    #[test]
    fn holiday_lines_are_refused_with_their_line_number() {
        let ok = "# comment\n\n2026-08-17\tnational\tHUT RI\r\n";
        assert_eq!(parse_holidays(ok).unwrap().len(), 1);
        let cases = [
            ("2026-08-17 national HUT RI", "three fields"),
            ("2026-8-17\tnational\tHUT RI", "YYYY-MM-DD"),
            (
                "2026-08-17\tlibur\tHUT RI",
                "national, joint_leave or regional",
            ),
            ("2026-08-17\tnational\t ", "name is empty"),
            ("2026-08-17\tnational\tHUT\textra", "three fields"),
        ];
        for (line, reason) in cases {
            let err = parse_holidays(&format!("# head\n{line}")).unwrap_err();
            assert_eq!(err.line, 2, "{line}");
            assert!(err.to_string().contains(reason), "{line}: {err}");
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = calendar_2026();
        assert!(cal.is_working_day(date(2026, 11, 27))); // Friday
        assert!(!cal.is_working_day(date(2026, 11, 28))); // Saturday
        assert!(!cal.is_working_day(date(2026, 11, 29))); // Sunday
        assert!(!cal.is_working_day(date(2026, 3, 20))); // cuti bersama, a Friday
        assert!(!cal.is_working_day(date(2026, 8, 17))); // Independence Day, a Monday
        assert!(cal.is_working_day(date(2026, 8, 18)));
        let unsorted = Calendar::new([date(2026, 5, 1), date(2026, 1, 1), date(2026, 5, 1)]);
        assert!(unsorted.is_holiday(date(2026, 1, 1)) && unsorted.is_holiday(date(2026, 5, 1)));
        assert!(!Calendar::default().is_holiday(date(2026, 1, 1)));
    }

    #[test]
    fn friday_and_weekend_receipts_are_due_on_wednesday() {
        let tz = wib();
        let cal = calendar_2026();
        let wednesday = end_of("2026-12-02", &tz);
        for received in ["2026-11-27T10:00", "2026-11-28T09:00", "2026-11-29T23:59"] {
            assert_eq!(
                due_at(at(received, &tz), 3, true, &cal, &tz),
                wednesday,
                "{received}"
            );
        }
        // One microsecond later is already Thursday.
        let due = due_at(at("2026-11-27T10:00", &tz), 3, true, &cal, &tz);
        let next = due.checked_add(SignedDuration::from_micros(1)).unwrap();
        assert_eq!(next.to_zoned(tz).date(), date(2026, 12, 3));
    }

    #[test]
    fn lebaran_and_nyepi_leave_stop_the_clock() {
        let tz = wib();
        let cal = calendar_2026();
        // 18 Mar cuti Nyepi, 19 Nyepi, 20 cuti, 21–22 Idul Fitri (weekend), 23–24 cuti:
        // the first working day after Tuesday 17 March is Wednesday 25 March.
        let received = at("2026-03-17T08:00", &tz);
        assert_eq!(
            due_at(received, 1, true, &cal, &tz),
            end_of("2026-03-25", &tz)
        );
        assert_eq!(
            due_at(received, 3, true, &cal, &tz),
            end_of("2026-03-27", &tz)
        );
        // Without holidays the same period ends a week earlier.
        assert_eq!(
            due_at(received, 3, true, &Calendar::default(), &tz),
            end_of("2026-03-20", &tz)
        );
        // Kenaikan (Thu 14 May) and its cuti (Fri 15 May): Wednesday → Monday 18 May.
        assert_eq!(
            due_at(at("2026-05-13T15:00", &tz), 1, true, &cal, &tz),
            end_of("2026-05-18", &tz)
        );
    }

    #[test]
    fn the_local_day_of_receipt_depends_on_the_zone() {
        // Sunday 16:30 UTC is 23:30 Sunday in WIB but already Monday in WITA and WIT.
        let received: Timestamp = "2026-11-29T16:30:00Z".parse().unwrap();
        let cal = calendar_2026();
        let cases = [
            ("Asia/Jakarta", "2026-12-02T16:59:59.999999Z"),
            ("Asia/Makassar", "2026-12-03T15:59:59.999999Z"),
            ("Asia/Jayapura", "2026-12-03T14:59:59.999999Z"),
        ];
        for (name, expected) in cases {
            let due = due_at(received, 3, true, &cal, &zone(name));
            assert_eq!(due, expected.parse::<Timestamp>().unwrap(), "{name}");
        }
    }

    #[test]
    fn periods_cross_into_the_next_year() {
        let tz = wib();
        let cal = Calendar::new(
            national_holidays_2026()
                .into_iter()
                .map(|h| h.date)
                .chain([date(2027, 1, 1)]),
        );
        // 24 Dec cuti, 25 Christmas, weekend, 28–31 Dec, 1 Jan 2027 New Year, weekend, 4 Jan.
        let received = at("2026-12-23T13:00", &tz);
        assert_eq!(
            due_at(received, 5, true, &cal, &tz),
            end_of("2027-01-04", &tz)
        );
        // The 5th working day is Monday 4 January; 55 more are exactly 11 weeks on.
        assert_eq!(
            due_at(received, 60, true, &cal, &tz).to_zoned(tz).date(),
            date(2027, 3, 22)
        );
    }

    #[test]
    fn calendar_days_count_weekends_and_holidays() {
        let tz = wib();
        let cal = calendar_2026();
        let friday = at("2026-03-20T10:00", &tz);
        assert_eq!(
            due_at(friday, 3, false, &cal, &tz),
            end_of("2026-03-23", &tz)
        );
        assert_eq!(
            due_at(friday, 14, false, &cal, &tz),
            end_of("2026-04-03", &tz)
        );
    }

    #[test]
    fn zero_days_end_the_day_of_receipt_even_on_a_holiday() {
        let tz = wib();
        let cal = calendar_2026();
        for working in [true, false] {
            let received = at("2026-03-21T07:00", &tz);
            assert_eq!(
                due_at(received, 0, working, &cal, &tz),
                end_of("2026-03-21", &tz)
            );
        }
    }

    #[test]
    fn far_future_saturates_instead_of_panicking() {
        let tz = wib();
        let cal = Calendar::default();
        assert_eq!(due_at(Timestamp::MAX, 1, true, &cal, &tz), Timestamp::MAX);
        let late: Timestamp = "9999-06-01T00:00:00Z".parse().unwrap();
        assert_eq!(due_at(late, u16::MAX, false, &cal, &tz), Timestamp::MAX);
        assert_eq!(due_at(late, u16::MAX, true, &cal, &tz), Timestamp::MAX);
        // The earliest instant still works.
        let early = due_at(Timestamp::MIN, 1, true, &cal, &tz);
        assert!(early > Timestamp::MIN);
    }

    #[test]
    fn policy_days_per_category() {
        let p = ClockPolicy::default();
        assert_eq!(p.resolution_days(Category::InformationRequest), Some(5));
        assert_eq!(p.resolution_days(Category::Complaint), Some(5));
        assert_eq!(p.resolution_days(Category::Dispute), Some(14));
        assert_eq!(p.resolution_days(Category::FieldCheck), Some(60));
        assert_eq!(p.resolution_days(Category::NotActionable), None);
        assert_eq!(p.check(), Ok(()));
    }

    #[test]
    fn policy_check_refuses_bad_periods() {
        let base = ClockPolicy::default();
        let zero_first = ClockPolicy {
            first_response_days: 0,
            ..base
        };
        assert_eq!(
            zero_first.check(),
            Err(ValueError::ClockDays("first_response_days"))
        );
        let too_long = ClockPolicy {
            field_check_days: 366,
            ..base
        };
        assert_eq!(
            too_long.check(),
            Err(ValueError::ClockDays("field_check_days"))
        );
        let inverted = ClockPolicy {
            first_response_days: 6,
            ..base
        };
        let err = inverted.check().unwrap_err();
        assert_eq!(err, ValueError::ClockOrder("information_request_days"));
        assert_eq!(err.code(), "invalid_clock_order");
        assert!(err.to_string().contains("first_response_days"));
        let equal = ClockPolicy {
            first_response_days: 5,
            ..base
        };
        assert_eq!(equal.check(), Ok(()));
        let year = ClockPolicy {
            field_check_days: 365,
            working_days: false,
            ..base
        };
        assert_eq!(year.check(), Ok(()));
    }

    #[test]
    fn schedule_follows_the_effective_category() {
        let tz = wib();
        let cal = calendar_2026();
        let policy = ClockPolicy::default();
        let received = at("2026-11-27T10:00", &tz);
        let mut w = Workflow::default();

        schedule(&mut w, received, &policy, &cal, &tz);
        assert_eq!(w.first_response_due, Some(end_of("2026-12-02", &tz)));
        assert_eq!(
            w.resolution_due, None,
            "unknown category: first response only"
        );

        w.suggested_category = Some(Category::Complaint);
        schedule(&mut w, received, &policy, &cal, &tz);
        assert_eq!(w.resolution_due, Some(end_of("2026-12-04", &tz)));

        // The operator's category wins over the suggestion; the start stays the receipt.
        w.category = Some(Category::Dispute);
        schedule(&mut w, received, &policy, &cal, &tz);
        assert_eq!(w.first_response_due, Some(end_of("2026-12-02", &tz)));
        assert_eq!(w.resolution_due, Some(end_of("2026-12-17", &tz)));

        w.category = Some(Category::NotActionable);
        schedule(&mut w, received, &policy, &cal, &tz);
        assert_eq!((w.first_response_due, w.resolution_due), (None, None));

        // An operator saying "actionable" overrides a not-actionable suggestion.
        w.category = Some(Category::InformationRequest);
        w.suggested_category = Some(Category::NotActionable);
        schedule(&mut w, received, &policy, &cal, &tz);
        assert_eq!(w.resolution_due, Some(end_of("2026-12-04", &tz)));
    }

    #[test]
    fn schedule_counts_calendar_days_when_the_policy_says_so() {
        let tz = wib();
        let policy = ClockPolicy {
            working_days: false,
            ..ClockPolicy::default()
        };
        let mut w = Workflow {
            category: Some(Category::Complaint),
            ..Workflow::default()
        };
        schedule(
            &mut w,
            at("2026-11-27T10:00", &tz),
            &policy,
            &calendar_2026(),
            &tz,
        );
        assert_eq!(w.first_response_due, Some(end_of("2026-11-30", &tz)));
        assert_eq!(w.resolution_due, Some(end_of("2026-12-02", &tz)));
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    #[test]
    fn deadline_states_move_with_time_and_answers() {
        let tz = wib();
        let first = end_of("2026-12-02", &tz);
        let resolve = end_of("2026-12-04", &tz);
        let mut w = Workflow {
            first_response_due: Some(first),
            resolution_due: Some(resolve),
            ..Workflow::default()
        };
        let state = |w: &Workflow, local: &str| deadline_state(w, at(local, &tz), hours(24));

        assert_eq!(state(&w, "2026-11-30T09:00"), DeadlineState::OnTrack);
        assert_eq!(state(&w, "2026-12-02T00:00"), DeadlineState::DueSoon);
        assert_eq!(deadline_state(&w, first, hours(24)), DeadlineState::DueSoon);
        assert_eq!(state(&w, "2026-12-03T00:00"), DeadlineState::Overdue);

        // Answered in time: the resolution is judged next.
        w.first_response_at = Some(at("2026-12-01T10:00", &tz));
        assert_eq!(state(&w, "2026-12-03T00:00"), DeadlineState::OnTrack);
        assert_eq!(state(&w, "2026-12-04T12:00"), DeadlineState::DueSoon);
        assert_eq!(state(&w, "2026-12-05T00:00"), DeadlineState::Overdue);

        w.resolved_at = Some(at("2026-12-04T16:00", &tz));
        assert_eq!(state(&w, "2026-12-10T00:00"), DeadlineState::Met);

        w.resolved_at = Some(at("2026-12-07T08:00", &tz));
        assert_eq!(state(&w, "2026-12-10T00:00"), DeadlineState::MetLate);

        // A late first response makes the whole record late even if the resolution was on time.
        w.first_response_at = Some(at("2026-12-03T08:00", &tz));
        w.resolved_at = Some(at("2026-12-04T08:00", &tz));
        assert_eq!(state(&w, "2026-12-10T00:00"), DeadlineState::MetLate);
    }

    #[test]
    fn deadline_state_edge_cases() {
        let tz = wib();
        let due = end_of("2026-12-02", &tz);
        let now = at("2026-12-01T12:00", &tz);
        assert_eq!(
            deadline_state(&Workflow::default(), now, hours(24)),
            DeadlineState::NotSet
        );
        let mut w = Workflow {
            first_response_due: Some(due),
            ..Workflow::default()
        };
        // A negative warning period counts as none.
        assert_eq!(deadline_state(&w, now, hours(-100)), DeadlineState::OnTrack);
        assert_eq!(
            deadline_state(&w, now, SignedDuration::MAX),
            DeadlineState::DueSoon
        );
        // First response met, category not known yet: nothing else is running.
        w.first_response_at = Some(now);
        assert_eq!(deadline_state(&w, now, hours(24)), DeadlineState::Met);
        // Closed without an answer: the clock stopped, nothing to judge.
        let closed = Workflow {
            status: Status::Closed,
            first_response_due: Some(due),
            resolution_due: Some(due),
            ..Workflow::default()
        };
        let later = at("2026-12-20T00:00", &tz);
        assert_eq!(
            deadline_state(&closed, later, hours(24)),
            DeadlineState::NotSet
        );
        let closed_after_answer = Workflow {
            first_response_at: Some(now),
            ..closed
        };
        assert_eq!(
            deadline_state(&closed_after_answer, later, hours(24)),
            DeadlineState::Met
        );
        assert_eq!(DeadlineState::MetLate.to_string(), "met_late");
    }
}
