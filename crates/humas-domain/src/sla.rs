//! The SP4N-LAPOR! response clock: working days, holidays and deadlines.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::OpdId;
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
