//! Per-stream FPS measurement, as the samples' `FPS.py` (`GETFPS`,
//! `PERF_DATA`) does it, with the same output:
//!
//! ```text
//!
//! **PERF:  {'stream0': 30.0, 'stream1': 29.87}
//!
//! ```
//!
//! (an empty line, the `**PERF: ` line, which has two spaces after the colon
//! and one trailing space, and another empty line: what Python's
//! `print("\n**PERF: ", perf_dict, "\n")` writes).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use ds_core::app::{ManualClock, PerfData};
//!
//! let clock = ManualClock::new();
//! let perf = PerfData::with_clock(1, Arc::new(clock.clone()));
//! for _ in 0..=30 {
//!     perf.update_fps(0); // the first frame only starts the clock
//! }
//! clock.advance(Duration::from_secs(1));
//! assert_eq!(perf.perf_text(), "\n**PERF:  {'stream0': 30.0} \n\n");
//! ```

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use gstreamer::glib;

/// A source of "now" for [`PerfData`], so tests can drive time.
///
/// ```
/// use ds_core::app::{Clock, SystemClock};
/// let a = SystemClock.now();
/// assert!(SystemClock.now() >= a);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock ([`Instant::now`]).
///
/// ```
/// use ds_core::app::{Clock, SystemClock};
/// let _ = SystemClock.now();
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told to; clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use ds_core::app::{Clock, ManualClock};
///
/// let c = ManualClock::new();
/// let t0 = c.now();
/// c.clone().advance(Duration::from_millis(1500));
/// assert_eq!(c.now() - t0, Duration::from_millis(1500));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    base: Instant,
    offset: Arc<Mutex<Duration>>,
}

impl ManualClock {
    /// A clock standing at an arbitrary instant.
    ///
    /// ```
    /// let c = ds_core::app::ManualClock::new();
    /// # let _ = c;
    /// ```
    pub fn new() -> Self {
        ManualClock {
            base: Instant::now(),
            offset: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    /// Moves the clock (and all its clones) forward by `d`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ds_core::app::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// let t0 = c.now();
    /// c.advance(Duration::from_secs(2));
    /// assert_eq!(c.now() - t0, Duration::from_secs(2));
    /// ```
    pub fn advance(&self, d: Duration) {
        let mut off = lock(&self.offset);
        *off = off.saturating_add(d);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.base + *lock(&self.offset)
    }
}

/// Locks, ignoring poisoning (the protected data stays consistent: every
/// critical section is a few plain assignments).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One stream's FPS counter (`GETFPS`): the first frame starts the
/// measurement, later frames are counted; [`get_fps`](Self::get_fps) returns
/// frames per second since the last call (or the first frame), rounded to 2
/// decimals, and restarts the count. Not synchronised itself: [`PerfData`]
/// wraps it in a mutex.
///
/// ```
/// use std::time::{Duration, Instant};
/// use ds_core::app::GetFps;
///
/// let t0 = Instant::now();
/// let mut f = GetFps::new(t0);
/// for i in 0..=10 {
///     f.update_fps(t0 + Duration::from_millis(100 * i));
/// }
/// assert_eq!(f.get_fps(t0 + Duration::from_secs(2)), 5.0);
/// ```
#[derive(Debug, Clone)]
pub struct GetFps {
    start: Instant,
    is_first: bool,
    frame_count: u64,
}

impl GetFps {
    /// A counter whose measurement starts at `start` until a first frame
    /// arrives.
    ///
    /// ```
    /// let f = ds_core::app::GetFps::new(std::time::Instant::now());
    /// assert_eq!(f.frame_count(), 0);
    /// ```
    pub fn new(start: Instant) -> Self {
        GetFps {
            start,
            is_first: true,
            frame_count: 0,
        }
    }

    /// Records one frame seen at `now`.
    ///
    /// ```
    /// let t = std::time::Instant::now();
    /// let mut f = ds_core::app::GetFps::new(t);
    /// f.update_fps(t);
    /// f.update_fps(t);
    /// assert_eq!(f.frame_count(), 1); // the first one only started the clock
    /// ```
    pub fn update_fps(&mut self, now: Instant) {
        if self.is_first {
            self.start = now;
            self.is_first = false;
        } else {
            self.frame_count += 1;
        }
    }

    /// Frames per second between the start (or the previous call) and
    /// `now`, rounded to 2 decimals (ties to even, as Python's `round`);
    /// `0.0` when no time passed. Resets the count and restarts at `now`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t = Instant::now();
    /// let mut f = ds_core::app::GetFps::new(t);
    /// assert_eq!(f.get_fps(t), 0.0);
    /// ```
    pub fn get_fps(&mut self, now: Instant) -> f64 {
        let secs = now.saturating_duration_since(self.start).as_secs_f64();
        let fps = if secs > 0.0 {
            self.frame_count as f64 / secs
        } else {
            0.0
        };
        self.frame_count = 0;
        self.start = now;
        round2(fps)
    }

    /// Frames counted since the last [`get_fps`](Self::get_fps).
    ///
    /// ```
    /// let f = ds_core::app::GetFps::new(std::time::Instant::now());
    /// assert_eq!(f.frame_count(), 0);
    /// ```
    pub fn frame_count(&self) -> u64 {
        self.frame_count
    }
}

/// Rounds to 2 decimals from the exact binary value, ties to even (what
/// Python's `round(x, 2)` does).
fn round2(x: f64) -> f64 {
    format!("{x:.2}").parse().unwrap_or(x)
}

/// Formats a float as Python's `repr` does (`30.0`, `29.87`, `1e+16`).
fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's Debug and Python's repr both print the shortest round-trip
    // digits and switch to exponent form at the same magnitudes; only the
    // exponent's spelling differs (1e16 vs 1e+16, 1e-5 vs 1e-05).
    let s = format!("{x:?}");
    match s.split_once('e') {
        None => s,
        Some((mant, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mant}e{sign}{digits:0>2}")
        }
    }
}

/// Formats `(stream name, fps)` pairs exactly as `PERF_DATA.perf_print_callback`
/// prints them, including the leading empty line and the trailing newlines.
///
/// ```
/// let text = ds_core::app::perf::format_perf(&[("stream0".into(), 30.0), ("stream1".into(), 29.87)]);
/// assert_eq!(text, "\n**PERF:  {'stream0': 30.0, 'stream1': 29.87} \n\n");
/// ```
pub fn format_perf(fps: &[(String, f64)]) -> String {
    let mut s = String::from("\n**PERF:  {");
    for (i, (name, v)) in fps.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "'{name}': {}", py_float(*v));
    }
    s.push_str("} \n\n");
    s
}

/// Per-stream FPS for `num_streams` streams named `stream0`, `stream1`, ...
/// (`PERF_DATA`). Thread-safe: call [`update_fps`](Self::update_fps) from a
/// pad probe for every frame (with the frame's `pad_index`) and print with
/// [`perf_print_callback`](Self::perf_print_callback) or
/// [`start_printing`](Self::start_printing).
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ds_core::app::{ManualClock, PerfData};
///
/// let clock = ManualClock::new();
/// let perf = Arc::new(PerfData::with_clock(2, Arc::new(clock.clone())));
/// let p = Arc::clone(&perf);
/// std::thread::spawn(move || for _ in 0..11 { p.update_fps(1); }).join().unwrap();
/// clock.advance(Duration::from_secs(2));
/// assert_eq!(perf.get_fps(), vec![("stream0".to_string(), 0.0), ("stream1".to_string(), 5.0)]);
/// ```
pub struct PerfData {
    clock: Arc<dyn Clock>,
    streams: Mutex<Vec<GetFps>>,
}

impl std::fmt::Debug for PerfData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerfData")
            .field("streams", &*lock(&self.streams))
            .finish_non_exhaustive()
    }
}

impl PerfData {
    /// Counters for `num_streams` streams on the real clock.
    ///
    /// ```
    /// let perf = ds_core::app::PerfData::new(3);
    /// assert_eq!(perf.num_streams(), 3);
    /// ```
    pub fn new(num_streams: usize) -> Self {
        Self::with_clock(num_streams, Arc::new(SystemClock))
    }

    /// Counters for `num_streams` streams on `clock`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let perf = ds_core::app::PerfData::with_clock(1, Arc::new(ds_core::app::ManualClock::new()));
    /// assert_eq!(perf.num_streams(), 1);
    /// ```
    pub fn with_clock(num_streams: usize, clock: Arc<dyn Clock>) -> Self {
        let start = clock.now();
        PerfData {
            clock,
            streams: Mutex::new(vec![GetFps::new(start); num_streams]),
        }
    }

    /// Number of streams.
    ///
    /// ```
    /// assert_eq!(ds_core::app::PerfData::new(0).num_streams(), 0);
    /// ```
    pub fn num_streams(&self) -> usize {
        lock(&self.streams).len()
    }

    /// Records one frame of stream `stream_index`. Returns `false` (and
    /// records nothing) when there is no such stream.
    ///
    /// ```
    /// let perf = ds_core::app::PerfData::new(1);
    /// assert!(perf.update_fps(0));
    /// assert!(!perf.update_fps(7));
    /// ```
    pub fn update_fps(&self, stream_index: usize) -> bool {
        let now = self.clock.now();
        match lock(&self.streams).get_mut(stream_index) {
            Some(s) => {
                s.update_fps(now);
                true
            }
            None => false,
        }
    }

    /// Every stream's FPS since the previous call, as `("streamN", fps)`,
    /// and restarts the counts (the `perf_dict` of `PERF_DATA`).
    ///
    /// ```
    /// let perf = ds_core::app::PerfData::new(1);
    /// assert_eq!(perf.get_fps()[0].0, "stream0");
    /// ```
    pub fn get_fps(&self) -> Vec<(String, f64)> {
        let now = self.clock.now();
        lock(&self.streams)
            .iter_mut()
            .enumerate()
            .map(|(i, s)| (format!("stream{i}"), s.get_fps(now)))
            .collect()
    }

    /// [`get_fps`](Self::get_fps) formatted by [`format_perf`]: the exact
    /// text `perf_print_callback` writes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let perf = ds_core::app::PerfData::with_clock(1, Arc::new(ds_core::app::ManualClock::new()));
    /// assert_eq!(perf.perf_text(), "\n**PERF:  {'stream0': 0.0} \n\n");
    /// ```
    pub fn perf_text(&self) -> String {
        format_perf(&self.get_fps())
    }

    /// Prints [`perf_text`](Self::perf_text) to stdout (as
    /// `PERF_DATA.perf_print_callback`) and returns the FPS values printed.
    ///
    /// ```
    /// let perf = ds_core::app::PerfData::new(2);
    /// assert_eq!(perf.perf_print_callback().len(), 2);
    /// ```
    pub fn perf_print_callback(&self) -> Vec<(String, f64)> {
        let fps = self.get_fps();
        let mut out = std::io::stdout().lock();
        let _ = out
            .write_all(format_perf(&fps).as_bytes())
            .and_then(|_| out.flush());
        fps
    }

    /// Calls [`perf_print_callback`](Self::perf_print_callback) every
    /// `interval` from the default GLib main context (as the samples'
    /// `GLib.timeout_add(5000, perf_data.perf_print_callback)`); it fires
    /// while [`run`](super::run) (or any loop on that context) runs. Remove
    /// it with [`glib::SourceId::remove`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// ds_core::app::init().unwrap();
    /// let perf = Arc::new(ds_core::app::PerfData::new(1));
    /// let id = perf.start_printing(Duration::from_secs(5));
    /// id.remove();
    /// ```
    pub fn start_printing(self: &Arc<Self>, interval: Duration) -> glib::SourceId {
        let me = Arc::clone(self);
        glib::timeout_add(interval, move || {
            me.perf_print_callback();
            glib::ControlFlow::Continue
        })
    }
}

#[cfg(test)]
mod tests {
    use super::py_float;

    #[test]
    fn python_float_repr() {
        assert_eq!(py_float(30.0), "30.0");
        assert_eq!(py_float(29.87), "29.87");
        assert_eq!(py_float(0.0), "0.0");
        assert_eq!(py_float(1e16), "1e+16");
        assert_eq!(py_float(1.5e-5), "1.5e-05");
        assert_eq!(py_float(1e15), "1000000000000000.0");
    }
}
