//! The one backoff rule: after the first failure wait `first`, double the wait with each failure
//! in a row, never wait more than `cap`. Every retry of the platform takes its delays from here
//! (a consumer reconnecting to the broker, a message retried in place, a Redis subscription, a
//! mail refused for now, a provisioning job, the relay backing off) but webhook deliveries,
//! which keep the Standard Webhooks schedule their receivers expect
//! (`integrations::webhooks::SCHEDULE` in app-api).
//!
//! The schedules shared by several workers are named here, so two workers doing the same kind of
//! retry cannot drift apart; a schedule only one worker has stays beside it.

use std::time::Duration;

/// A capped exponential schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub first: Duration,
    /// The longest wait.
    pub cap: Duration,
}

/// A consumer of the broker: reconnecting after the connection was lost, and a message its
/// handler could not finish now (a database away) tried again in place.
pub const BROKER: Backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(10));

/// A Redis subscription lost: subscribed again within a second at most, since what is
/// published meanwhile is lost.
pub const SUBSCRIBER: Backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(1));

/// A mail the server refused for now (4xx), in both planes: 30 s, doubling, an hour at most.
pub const MAIL_REFUSED: Backoff = Backoff::new(Duration::from_secs(30), Duration::from_secs(3600));

/// A mail server that cannot be reached at all: the sender pauses, the mail stays due.
pub const MAIL_SERVER_AWAY: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));

impl Backoff {
    pub const fn new(first: Duration, cap: Duration) -> Self {
        Self { first, cap }
    }

    /// The wait after `failures` failures in a row (from 1; 0 counts as 1).
    pub fn after(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first.saturating_mul(1_u32 << doublings).min(self.cap)
    }

    /// The wait after a stored attempt count (a row's `attempts`, counting the one that just
    /// failed); counts below 1 wait as after the first.
    pub fn after_attempts(&self, attempts: i32) -> Duration {
        self.after(u32::try_from(attempts).unwrap_or(0))
    }

    /// `after`, shortened by up to a fifth by `jitter` (from 0 to 1), so replicas that failed
    /// together do not retry in step.
    pub fn jittered(&self, failures: u32, jitter: f64) -> Duration {
        self.after(failures).mul_f64(1.0 - 0.2 * jitter.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: Backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));

    #[test]
    fn the_wait_doubles_from_the_first_up_to_the_cap() {
        assert_eq!(SCHEDULE.after(0), Duration::from_millis(200));
        assert_eq!(SCHEDULE.after(1), Duration::from_millis(200));
        assert_eq!(SCHEDULE.after(2), Duration::from_millis(400));
        assert_eq!(SCHEDULE.after(4), Duration::from_millis(1600));
        assert_eq!(SCHEDULE.after(7), SCHEDULE.cap);
        assert_eq!(SCHEDULE.after(u32::MAX), SCHEDULE.cap);
    }

    #[test]
    fn stored_attempts_read_as_failures() {
        assert_eq!(MAIL_REFUSED.after_attempts(-3), Duration::from_secs(30));
        assert_eq!(MAIL_REFUSED.after_attempts(1), Duration::from_secs(30));
        assert_eq!(MAIL_REFUSED.after_attempts(2), Duration::from_secs(60));
        assert_eq!(MAIL_REFUSED.after_attempts(i32::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn refused_mail_is_tried_about_seventy_times_in_three_days() {
        let mut waited = Duration::ZERO;
        let tries = (1..).take_while(|n| {
            waited += MAIL_REFUSED.after_attempts(*n);
            waited <= Duration::from_secs(72 * 3600)
        });
        assert!((70..=80).contains(&tries.count()));
    }

    #[test]
    fn jitter_takes_at_most_a_fifth() {
        assert_eq!(SCHEDULE.jittered(1, 0.0), Duration::from_millis(200));
        assert_eq!(SCHEDULE.jittered(1, 1.0), Duration::from_millis(160));
        assert_eq!(SCHEDULE.jittered(1, 7.0), Duration::from_millis(160));
        let late = SCHEDULE.jittered(30, 0.5);
        assert!(late <= SCHEDULE.cap && late >= SCHEDULE.cap.mul_f64(0.8));
    }
}
