//! `file-loop` bookkeeping: how the timestamps of a file played again and
//! again are made one monotonic stream.
//!
//! The probe on the decoded pad (see `imp.rs`) feeds this state with what
//! passes: the first segment goes downstream with its `stop` cleared (a
//! looped file has no end); every later segment (the one after each loop
//! seek) is replaced by that first segment again, and the buffers of pass
//! *k* are shifted so that pass *k* starts where pass *k-1* ended:
//! `out = pts + (end_prev - start_k)`, with `end_prev` the latest
//! `pts + duration` sent so far and `start_k` the start of pass *k*'s own
//! segment. Downstream therefore sees one segment and PTS (and DTS) that
//! keep increasing, so running time, `nvstreammux` batching and
//! `frame_num` go on across loops.
use gstreamer as gst;

/// Nanoseconds of a clock time, if set.
fn ns(t: Option<gst::ClockTime>) -> Option<i64> {
    t.map(|t| i64::try_from(t.nseconds()).unwrap_or(i64::MAX))
}

fn clock(n: i64) -> gst::ClockTime {
    gst::ClockTime::from_nseconds(n.max(0) as u64)
}

/// What the probe does with an event or buffer, decided by [`Looper`].
#[derive(Debug, Default)]
pub(super) struct Looper {
    /// End-of-stream was dropped and the seek back to 0 is under way: the
    /// seek's flush events are dropped too.
    pub(super) looping: bool,
    /// The segment sent downstream (the first one, `stop` cleared).
    sent: Option<gst::FormattedSegment<gst::ClockTime>>,
    /// Shift added to the PTS / DTS of the current pass, in ns.
    offset: i64,
    /// Latest `pts + duration` sent downstream, in ns.
    end: Option<i64>,
    /// PTS of the previous buffer sent and the last frame interval seen
    /// (the duration of a buffer that has none).
    last_pts: Option<i64>,
    interval: i64,
    /// Passes started after the first (number of loops).
    pub(super) loops: u32,
}

impl Looper {
    /// A flush that was not ours went downstream (an application seek):
    /// start over, the next segment is sent as it comes.
    pub(super) fn reset(&mut self) {
        *self = Looper::default();
    }

    /// The segment to send downstream in place of `seg`.
    pub(super) fn segment(
        &mut self,
        seg: &gst::FormattedSegment<gst::ClockTime>,
    ) -> gst::FormattedSegment<gst::ClockTime> {
        match &self.sent {
            None => {
                let mut first = seg.clone();
                first.set_stop(gst::ClockTime::NONE);
                self.sent = Some(first.clone());
                self.offset = 0;
                first
            }
            Some(first) => {
                // A new pass: it starts where the previous one ended.
                let start = ns(seg.start()).unwrap_or(0);
                let end = self.end.or(ns(first.start())).unwrap_or(0);
                self.offset = end - start;
                self.last_pts = None;
                self.looping = false;
                self.loops += 1;
                first.clone()
            }
        }
    }

    /// Shifts a buffer's timestamps (`pts`, `dts`, `duration`) into the
    /// single downstream timeline; returns the new `(pts, dts)`.
    pub(super) fn buffer(
        &mut self,
        pts: Option<gst::ClockTime>,
        dts: Option<gst::ClockTime>,
        duration: Option<gst::ClockTime>,
    ) -> (Option<gst::ClockTime>, Option<gst::ClockTime>) {
        let shift = |t: Option<gst::ClockTime>| ns(t).map(|t| clock(t + self.offset));
        let (out_pts, out_dts) = (shift(pts), shift(dts));
        if let Some(p) = ns(out_pts) {
            if let Some(last) = self.last_pts.filter(|&l| p > l) {
                self.interval = p - last;
            }
            self.last_pts = Some(p);
            let dur = ns(duration).unwrap_or(self.interval);
            let end = p + dur.max(1);
            self.end = Some(self.end.map_or(end, |e| e.max(end)));
        }
        (out_pts, out_dts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Option<gst::ClockTime> {
        Some(gst::ClockTime::from_mseconds(n))
    }

    fn segment(start: u64, stop: Option<u64>) -> gst::FormattedSegment<gst::ClockTime> {
        gst::init().unwrap();
        let mut s = gst::FormattedSegment::<gst::ClockTime>::new();
        s.set_start(gst::ClockTime::from_mseconds(start));
        s.set_stop(stop.map(gst::ClockTime::from_mseconds));
        s
    }

    #[test]
    fn second_pass_continues_where_the_first_ended() {
        let mut l = Looper::default();
        let first = l.segment(&segment(0, Some(100)));
        assert_eq!(first.stop(), None, "a looped file has no end");
        for i in 0..3 {
            l.buffer(ms(i * 40), None, ms(40));
        }
        // Pass 2: the seek's segment is replaced by the first one and
        // the timestamps go on from 120 ms.
        let again = l.segment(&segment(0, Some(100)));
        assert_eq!(again, first);
        assert_eq!(l.buffer(ms(0), ms(0), ms(40)), (ms(120), ms(120)));
        assert_eq!(l.buffer(ms(40), None, ms(40)).0, ms(160));
        assert_eq!(l.loops, 1);
    }

    #[test]
    fn missing_durations_use_the_frame_interval() {
        let mut l = Looper::default();
        l.segment(&segment(0, None));
        for i in 0..3 {
            l.buffer(ms(i * 50), None, None);
        }
        l.segment(&segment(0, None));
        assert_eq!(l.buffer(ms(0), None, None).0, ms(150));
    }
}
