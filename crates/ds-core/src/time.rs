//! Timestamp helpers: RFC 3339 UTC timestamps with millisecond precision, in
//! the exact form DeepStream's event messages use
//! (`%Y-%m-%dT%H:%M:%S.nnnZ`, e.g. `2024-02-29T23:59:59.123Z`).
//!
//! [`write_rfc3339`] writes into a caller buffer without allocating (the
//! counterpart of the Python samples' `generate_ts_rfc3339(buf, size)`);
//! [`Rfc3339`] is a stack value holding one timestamp; [`rfc3339_string`]
//! allocates a `String`.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! let mut buf = [0u8; ds_core::time::RFC3339_BUF_LEN];
//! let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
//! let s = ds_core::time::write_rfc3339(&mut buf, t).unwrap();
//! assert_eq!(s.to_str().unwrap(), "2023-11-14T22:13:20.123Z");
//! ```
use std::ffi::CStr;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of a timestamp in characters, without the NUL terminator (24).
///
/// ```
/// assert_eq!(ds_core::time::RFC3339_LEN, "1970-01-01T00:00:00.000Z".len());
/// ```
pub const RFC3339_LEN: usize = 24;

/// Smallest buffer [`write_rfc3339`] accepts: the timestamp plus its NUL
/// terminator (25 bytes).
///
/// ```
/// assert_eq!(ds_core::time::RFC3339_BUF_LEN, 25);
/// ```
pub const RFC3339_BUF_LEN: usize = RFC3339_LEN + 1;

/// Why a timestamp could not be written.
///
/// ```
/// use ds_core::time::{write_rfc3339, TimestampError};
/// let mut small = [0u8; 10];
/// assert_eq!(
///     write_rfc3339(&mut small, std::time::UNIX_EPOCH),
///     Err(TimestampError::BufferTooSmall { needed: 25, got: 10 })
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// The buffer cannot hold the 24 characters and the NUL terminator.
    BufferTooSmall {
        /// Bytes needed ([`RFC3339_BUF_LEN`]).
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// The instant lies outside years 0000..=9999, which the four-digit
    /// year field cannot express.
    OutOfRange,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampError::BufferTooSmall { needed, got } => write!(
                f,
                "timestamp buffer too small: {needed} bytes needed, {got} given"
            ),
            TimestampError::OutOfRange => {
                f.write_str("instant outside years 0000..=9999 cannot be written as RFC 3339")
            }
        }
    }
}

impl std::error::Error for TimestampError {}

/// Seconds per day.
const SECS_PER_DAY: i64 = 86_400;
/// 0000-01-01T00:00:00Z in Unix seconds.
const MIN_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z in Unix seconds.
const MAX_SECS: i64 = 253_402_300_799;

/// Civil date (year, month 1..=12, day 1..=31) of a day count relative to
/// 1970-01-01, proleptic Gregorian calendar (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Splits an instant into whole Unix seconds (floored) and milliseconds
/// (0..=999), truncating sub-millisecond digits like `gmtime` + `tv_nsec /
/// 1e6` does.
fn split(t: SystemTime) -> Result<(i64, u32), TimestampError> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => {
            let secs = i64::try_from(d.as_secs()).map_err(|_| TimestampError::OutOfRange)?;
            Ok((secs, d.subsec_millis()))
        }
        Err(e) => {
            // Before the epoch: `before` = epoch - t > 0.
            let before = e.duration();
            let mut secs =
                -i64::try_from(before.as_secs()).map_err(|_| TimestampError::OutOfRange)?;
            let nanos = before.subsec_nanos();
            if nanos == 0 {
                return Ok((secs, 0));
            }
            // t = secs - nanos = (secs - 1) + (1e9 - nanos)
            secs -= 1;
            Ok((secs, (1_000_000_000 - nanos) / 1_000_000))
        }
    }
}

/// Formats into exactly 24 bytes.
fn format_into(out: &mut [u8; RFC3339_LEN], t: SystemTime) -> Result<(), TimestampError> {
    let (secs, millis) = split(t)?;
    if !(MIN_SECS..=MAX_SECS).contains(&secs) {
        return Err(TimestampError::OutOfRange);
    }
    let days = secs.div_euclid(SECS_PER_DAY);
    let sod = secs.rem_euclid(SECS_PER_DAY) as u32;
    let (year, month, day) = civil_from_days(days);
    let year = year as u32; // 0..=9999 by the range check above
    let (hh, mm, ss) = (sod / 3600, sod / 60 % 60, sod % 60);

    fn put2(dst: &mut [u8], v: u32) {
        dst[0] = b'0' + (v / 10) as u8;
        dst[1] = b'0' + (v % 10) as u8;
    }
    put2(&mut out[0..2], year / 100);
    put2(&mut out[2..4], year % 100);
    out[4] = b'-';
    put2(&mut out[5..7], month);
    out[7] = b'-';
    put2(&mut out[8..10], day);
    out[10] = b'T';
    put2(&mut out[11..13], hh);
    out[13] = b':';
    put2(&mut out[14..16], mm);
    out[16] = b':';
    put2(&mut out[17..19], ss);
    out[19] = b'.';
    out[20] = b'0' + (millis / 100) as u8;
    put2(&mut out[21..23], millis % 100);
    out[23] = b'Z';
    Ok(())
}

/// Writes `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds truncated)
/// followed by a NUL into the start of `buf`, and returns the written string.
///
/// Needs at least [`RFC3339_BUF_LEN`] (25) bytes; bytes after the NUL are
/// left untouched. Does not allocate. Instants before 1970 are supported
/// down to year 0000; years above 9999 give [`TimestampError::OutOfRange`].
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ds_core::time::write_rfc3339;
/// let mut buf = [0xffu8; 32];
/// let s = write_rfc3339(&mut buf, UNIX_EPOCH + Duration::from_secs(951_782_400)).unwrap();
/// assert_eq!(s.to_bytes(), b"2000-02-29T00:00:00.000Z");
/// assert_eq!(buf[24], 0);
/// ```
pub fn write_rfc3339(buf: &mut [u8], t: SystemTime) -> Result<&CStr, TimestampError> {
    let got = buf.len();
    let (head, _) =
        buf.split_first_chunk_mut::<RFC3339_BUF_LEN>()
            .ok_or(TimestampError::BufferTooSmall {
                needed: RFC3339_BUF_LEN,
                got,
            })?;
    let mut text = [0u8; RFC3339_LEN];
    format_into(&mut text, t)?;
    head[..RFC3339_LEN].copy_from_slice(&text);
    head[RFC3339_LEN] = 0;
    // The 24 formatted bytes are ASCII digits and separators, never NUL, and
    // byte 24 is the terminator.
    CStr::from_bytes_with_nul(&head[..]).map_err(|_| TimestampError::OutOfRange)
}

/// [`write_rfc3339`] with the current time (`CLOCK_REALTIME`).
///
/// ```
/// let mut buf = [0u8; 32];
/// let s = ds_core::time::write_rfc3339_now(&mut buf).unwrap();
/// assert_eq!(s.to_bytes().len(), 24);
/// assert!(s.to_str().unwrap().ends_with('Z'));
/// ```
pub fn write_rfc3339_now(buf: &mut [u8]) -> Result<&CStr, TimestampError> {
    write_rfc3339(buf, SystemTime::now())
}

/// `t` as an RFC 3339 `String` (allocating convenience over
/// [`write_rfc3339`]).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let s = ds_core::time::rfc3339_string(UNIX_EPOCH + Duration::from_secs(2_147_483_648)).unwrap();
/// assert_eq!(s, "2038-01-19T03:14:08.000Z");
/// ```
pub fn rfc3339_string(t: SystemTime) -> Result<String, TimestampError> {
    Ok(Rfc3339::new(t)?.as_str().to_owned())
}

/// One RFC 3339 timestamp held on the stack (25 bytes, NUL-terminated), ready
/// to be read as `&str` or `&CStr` without allocating.
///
/// ```
/// use std::time::UNIX_EPOCH;
/// let ts = ds_core::time::Rfc3339::new(UNIX_EPOCH).unwrap();
/// assert_eq!(ts.as_str(), "1970-01-01T00:00:00.000Z");
/// assert_eq!(ts.as_c_str().to_bytes_with_nul().len(), 25);
/// assert_eq!(ts.to_string(), "1970-01-01T00:00:00.000Z");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rfc3339 {
    buf: [u8; RFC3339_BUF_LEN],
}

impl Rfc3339 {
    /// Formats `t`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let t = UNIX_EPOCH + Duration::from_nanos(1_999_999_999);
    /// // Milliseconds are truncated, never rounded up.
    /// assert_eq!(ds_core::time::Rfc3339::new(t).unwrap().as_str(), "1970-01-01T00:00:01.999Z");
    /// ```
    pub fn new(t: SystemTime) -> Result<Self, TimestampError> {
        let mut text = [0u8; RFC3339_LEN];
        format_into(&mut text, t)?;
        let mut buf = [0u8; RFC3339_BUF_LEN];
        buf[..RFC3339_LEN].copy_from_slice(&text);
        Ok(Rfc3339 { buf })
    }

    /// The current time.
    ///
    /// ```
    /// let ts = ds_core::time::Rfc3339::now().unwrap();
    /// assert_eq!(&ts.as_str()[10..11], "T");
    /// ```
    pub fn now() -> Result<Self, TimestampError> {
        Self::new(SystemTime::now())
    }

    /// The timestamp text (24 ASCII characters).
    ///
    /// ```
    /// let ts = ds_core::time::Rfc3339::new(std::time::UNIX_EPOCH).unwrap();
    /// assert_eq!(ts.as_str().len(), 24);
    /// ```
    pub fn as_str(&self) -> &str {
        // The buffer holds only ASCII written by `format_into`.
        std::str::from_utf8(&self.buf[..RFC3339_LEN]).unwrap_or("")
    }

    /// The timestamp as a C string (for DeepStream's `gchar *ts` fields).
    ///
    /// ```
    /// let ts = ds_core::time::Rfc3339::new(std::time::UNIX_EPOCH).unwrap();
    /// assert_eq!(ts.as_c_str().to_bytes(), b"1970-01-01T00:00:00.000Z");
    /// ```
    pub fn as_c_str(&self) -> &CStr {
        CStr::from_bytes_with_nul(&self.buf).unwrap_or(c"")
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rfc3339({:?})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-719_528), (0, 1, 1));
    }
}
