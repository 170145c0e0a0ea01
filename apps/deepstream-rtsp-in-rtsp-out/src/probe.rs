//! The sample's `pgie_src_pad_buffer_probe`: prints each frame's number
//! and, with `--rtsp-ts`, the frame's NTP time (set from the RTSP
//! sender's reports) as a UTC date.
use ds_core::BatchMeta;
use gstreamer as gst;

/// `datetime.datetime.utcfromtimestamp(ns / 1e9).strftime('%Y-%m-%d
/// %H:%M:%S')`: the UTC date and time of `ntp_timestamp` (nanoseconds
/// since the Unix epoch).
pub fn utc_date_time(ntp_timestamp: u64) -> String {
    let secs = ntp_timestamp / 1_000_000_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Prints `Frame Number= N` for each frame of the batch, and with
/// `ts_from_rtsp` its `RTSP Timestamp: YYYY-MM-DD HH:MM:SS` line. Returns
/// the number of frames.
pub fn pgie_src_pad_buffer_probe(buffer: &gst::BufferRef, ts_from_rtsp: bool) -> u64 {
    // The batch meta nvstreammux attached to the buffer.
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return 0;
    };
    let mut frames = 0;
    for frame_meta in batch_meta.frames() {
        let frame_number = frame_meta.frame_num();
        println!("Frame Number= {frame_number}");
        if ts_from_rtsp {
            // The frame's NTP time in ns since the Unix epoch, as UTC.
            let ts = frame_meta.ntp_timestamp();
            println!("RTSP Timestamp: {}", utc_date_time(ts));
        }
        frames += 1;
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_as_pythons_utcfromtimestamp() {
        assert_eq!(utc_date_time(0), "1970-01-01 00:00:00");
        // 2024-02-29 12:34:56 UTC = 1709210096 s.
        assert_eq!(
            utc_date_time(1_709_210_096_999_999_999),
            "2024-02-29 12:34:56"
        );
        assert_eq!(
            utc_date_time(951_782_400 * 1_000_000_000),
            "2000-02-29 00:00:00"
        );
        assert_eq!(
            utc_date_time(4_102_444_799 * 1_000_000_000),
            "2099-12-31 23:59:59"
        );
    }
}
