//! RTSP reconnection bookkeeping (`rtsp-reconnect-interval`,
//! `rtsp-reconnect-attempts`): when a source that stops sending is
//! rebuilt, and when it is given up.
//!
//! The rules are those of NVIDIA's bin (DeepStream 8.0 `gst-nvurisrcbin`
//! sources, `watch_source_status` / `rtspsrc_monitor_probe_func`): every
//! buffer from the source marks the time and clears the attempt count; when
//! no buffer came for `interval`, one more attempt is made (and the clock
//! starts again from the attempt), until `attempts` attempts in a row have
//! brought no data; the next stall then gives the source up. `-1` (and, as
//! NVIDIA's setter maps it, `0`) means no limit.
//!
//! This file holds the decisions only (no GStreamer): `imp.rs` feeds it the
//! buffers and the ticks of its watchdog thread and acts on the answers.
use std::time::{Duration, Instant};

/// What the watchdog must do after a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Data flows (or the interval has not run out yet).
    Wait,
    /// No data for `idle`: tear the source down and build it again; this
    /// is attempt number `attempt` (from 1) since data last flowed.
    Reconnect { attempt: u32, idle: Duration },
    /// No data after `attempts` attempts: end the stream.
    GiveUp { attempts: u32 },
}

/// The reconnection state of one source.
#[derive(Debug)]
pub(super) struct Watchdog {
    interval: Duration,
    /// `None`: attempt forever.
    max_attempts: Option<u32>,
    /// Last buffer, or last attempt, or the start.
    last: Instant,
    /// Attempts since data last flowed.
    attempts: u32,
    /// Given up: no more actions.
    done: bool,
}

impl Watchdog {
    /// A watchdog for `interval_s` seconds of silence and
    /// `rtsp-reconnect-attempts` = `attempts` (`<= 0`: no limit), started
    /// at `now`.
    pub(super) fn new(interval_s: u32, attempts: i32, now: Instant) -> Self {
        Watchdog {
            interval: Duration::from_secs(u64::from(interval_s.max(1))),
            max_attempts: u32::try_from(attempts).ok().filter(|&n| n > 0),
            last: now,
            attempts: 0,
            done: false,
        }
    }

    /// The limit on attempts in a row, if any.
    pub(super) fn max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// A buffer came out of the source at `now`. Returns the number of
    /// attempts it took when this buffer is the first after a reconnection
    /// (the source has recovered).
    pub(super) fn data(&mut self, now: Instant) -> Option<u32> {
        self.last = now;
        if self.done {
            return None;
        }
        let n = std::mem::take(&mut self.attempts);
        (n > 0).then_some(n)
    }

    /// The playback is not running (paused, starting): silence does not
    /// count.
    pub(super) fn hold(&mut self, now: Instant) {
        self.last = now;
    }

    /// Called regularly (well within `interval`); says what to do at `now`.
    pub(super) fn tick(&mut self, now: Instant) -> Action {
        if self.done {
            return Action::Wait;
        }
        let idle = now.saturating_duration_since(self.last);
        if idle < self.interval {
            return Action::Wait;
        }
        if self.max_attempts.is_some_and(|max| self.attempts >= max) {
            self.done = true;
            return Action::GiveUp {
                attempts: self.attempts,
            };
        }
        self.attempts += 1;
        self.last = now;
        Action::Reconnect {
            attempt: self.attempts,
            idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn silence_for_the_interval_triggers_one_attempt() {
        let t0 = Instant::now();
        let mut w = Watchdog::new(2, -1, t0);
        assert_eq!(w.tick(t0 + Duration::from_millis(1900)), Action::Wait);
        assert_eq!(
            w.tick(t0 + s(2)),
            Action::Reconnect {
                attempt: 1,
                idle: s(2)
            }
        );
        // The clock starts again from the attempt.
        assert_eq!(w.tick(t0 + s(3)), Action::Wait);
        assert!(matches!(
            w.tick(t0 + s(4)),
            Action::Reconnect { attempt: 2, .. }
        ));
    }

    #[test]
    fn data_after_an_attempt_is_a_recovery_and_clears_the_count() {
        let t0 = Instant::now();
        let mut w = Watchdog::new(1, 2, t0);
        assert_eq!(w.data(t0), None, "data before any attempt is no recovery");
        assert!(matches!(w.tick(t0 + s(1)), Action::Reconnect { .. }));
        assert!(matches!(
            w.tick(t0 + s(2)),
            Action::Reconnect { attempt: 2, .. }
        ));
        assert_eq!(w.data(t0 + s(2)), Some(2));
        assert_eq!(w.data(t0 + s(2)), None);
        // A new stall starts counting from 1 again.
        assert!(matches!(
            w.tick(t0 + s(3)),
            Action::Reconnect { attempt: 1, .. }
        ));
    }

    #[test]
    fn the_stall_after_the_last_attempt_gives_up_once() {
        let t0 = Instant::now();
        let mut w = Watchdog::new(1, 2, t0);
        assert!(matches!(
            w.tick(t0 + s(1)),
            Action::Reconnect { attempt: 1, .. }
        ));
        assert!(matches!(
            w.tick(t0 + s(2)),
            Action::Reconnect { attempt: 2, .. }
        ));
        assert_eq!(w.tick(t0 + s(3)), Action::GiveUp { attempts: 2 });
        assert_eq!(w.tick(t0 + s(10)), Action::Wait);
    }

    #[test]
    fn zero_and_minus_one_attempts_never_give_up() {
        for attempts in [0, -1] {
            let t0 = Instant::now();
            let mut w = Watchdog::new(1, attempts, t0);
            assert_eq!(w.max_attempts(), None);
            for i in 1..100u64 {
                assert!(matches!(w.tick(t0 + s(i)), Action::Reconnect { .. }));
            }
        }
    }

    #[test]
    fn paused_time_does_not_count() {
        let t0 = Instant::now();
        let mut w = Watchdog::new(2, -1, t0);
        w.hold(t0 + s(5));
        assert_eq!(w.tick(t0 + s(6)), Action::Wait);
    }
}
