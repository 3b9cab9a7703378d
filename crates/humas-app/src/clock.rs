//! Time as a dependency, so session expiry and throttling can be tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;

/// Tells the time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;

    /// Now, in microseconds since the Unix epoch.
    fn now_us(&self) -> i64 {
        self.now().as_microsecond()
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told to, for tests.
#[derive(Debug)]
pub struct ManualClock {
    us: AtomicI64,
}

impl ManualClock {
    /// Starts at the current system time.
    #[must_use]
    pub fn starting_now() -> Self {
        Self {
            us: AtomicI64::new(Timestamp::now().as_microsecond()),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: std::time::Duration) {
        let us = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.us.fetch_add(us, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_microsecond(self.us.load(Ordering::SeqCst)).unwrap_or(Timestamp::MAX)
    }
}
