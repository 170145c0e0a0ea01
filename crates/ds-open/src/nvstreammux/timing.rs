//! When a queued frame is batched in a live pipeline.
//!
//! `GstAggregator` waits, for a partial batch, until the clock reaches the
//! oldest queued frame's running time plus one latency for every pad: the
//! largest upstream latency of the live sources plus our own
//! (`batched-push-timeout`). A file source beside an RTSP camera would
//! then wait for the camera's jitter buffer and decoder latency (300 ms
//! and more) it does not have, and, taken early while the camera sends
//! (with each camera frame, as soon as both pads had one), it ran ahead of
//! the clock: when the camera went silent, its next frame was due only
//! after its lead plus that latency (0.6-1.4 s without a frame, measured
//! in `tests/nvurisrcbin_rtsp.rs`).
//!
//! So each pad keeps the latency of its own upstream (that of a source
//! that is not live is 0: its frames are there before their time), and
//! - a frame is due `batched-push-timeout` after its running time plus
//!   its own pad's latency: [`wait_base`] gives the base class the time to
//!   wait for, from which it adds the common latency;
//! - a frame joins a batch once its running time has come ([`due`]): a
//!   live source's frames always (they arrive after their time), a file's
//!   not before the clock reaches them, so it never runs ahead and its
//!   frames are at most `batched-push-timeout` plus one frame interval
//!   apart whatever the other sources do.
use gstreamer as gst;

/// The upstream latency of one sink pad after its peer's latency query
/// answered `live`, `min`, when it was `before`: the minimum latency of a
/// live peer; a peer that is not live keeps the latency it had (a live
/// source between two connections answers "not live": its frames, when
/// they come back, are a live source's), else 0.
pub(super) fn pad_latency(
    before: Option<gst::ClockTime>,
    live: bool,
    min: gst::ClockTime,
) -> gst::ClockTime {
    if live {
        min
    } else {
        before.unwrap_or(gst::ClockTime::ZERO)
    }
}

/// The running time to report as the next time for a frame of running
/// time `rt` on a pad of upstream latency `pad` (`None`: not known yet,
/// as the base class assumes), when the base class adds `upstream` (the
/// largest live upstream latency) plus the muxer's own latency to it: the
/// frame is then waited for until `rt + pad + batched-push-timeout`.
pub(super) fn wait_base(
    rt: gst::ClockTime,
    pad: Option<gst::ClockTime>,
    upstream: gst::ClockTime,
) -> gst::ClockTime {
    let pad = pad.unwrap_or(upstream).min(upstream);
    (rt + pad).saturating_sub(upstream)
}

/// Whether a frame of running time `rt` on a pad of upstream latency
/// `latency` may join a batch formed at running time `now`: its time has
/// come. A live source's frames always have (they leave its upstream
/// after their time, or within its latency before it when its jitter
/// buffer empties at end-of-stream); a file's once the clock reaches them.
/// Frames without a running time, or without a clock to compare with,
/// always may.
pub(super) fn due(
    rt: Option<gst::ClockTime>,
    now: Option<gst::ClockTime>,
    latency: gst::ClockTime,
) -> bool {
    match (rt, now) {
        (Some(rt), Some(now)) => rt <= now + latency,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> gst::ClockTime {
        gst::ClockTime::from_mseconds(n)
    }

    #[test]
    fn a_file_frame_waits_only_for_the_timeout() {
        // Upstream latency 300 ms (a camera); a file's frame at 1.7 s is
        // waited for until 1.7 s + timeout, not 2.0 s + timeout.
        let base = wait_base(ms(1700), Some(pad_latency(None, false, ms(200))), ms(300));
        assert_eq!(base + ms(300), ms(1700));
        // The camera's own frames wait for its latency, as before.
        let cam = wait_base(ms(1700), Some(pad_latency(None, true, ms(300))), ms(300));
        assert_eq!(cam + ms(300), ms(2000));
    }

    #[test]
    fn a_live_pad_between_two_connections_stays_live() {
        assert_eq!(pad_latency(Some(ms(300)), false, ms(0)), ms(300));
        assert_eq!(pad_latency(Some(ms(300)), true, ms(250)), ms(250));
        assert_eq!(pad_latency(None, false, ms(200)), ms(0));
    }

    #[test]
    fn unknown_latency_is_the_common_one() {
        assert_eq!(wait_base(ms(1700), None, ms(300)), ms(1700));
        // Never beyond the common latency.
        assert_eq!(wait_base(ms(1700), Some(ms(900)), ms(300)), ms(1700));
    }

    #[test]
    fn early_frames_clamp_at_zero() {
        assert_eq!(wait_base(ms(100), Some(ms(0)), ms(300)), ms(0));
    }

    #[test]
    fn frames_ahead_of_the_clock_are_not_due() {
        let zero = gst::ClockTime::ZERO;
        assert!(due(Some(ms(1000)), Some(ms(1000)), zero));
        assert!(due(Some(ms(900)), Some(ms(1000)), zero));
        assert!(!due(Some(ms(1100)), Some(ms(1000)), zero));
        assert!(due(None, Some(ms(1000)), zero));
        assert!(due(Some(ms(1100)), None, zero));
        // Within a live pad's latency: a jitter buffer emptied early.
        assert!(due(Some(ms(1100)), Some(ms(1000)), ms(300)));
        assert!(!due(Some(ms(1400)), Some(ms(1000)), ms(300)));
    }
}
