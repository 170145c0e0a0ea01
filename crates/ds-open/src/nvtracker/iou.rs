//! The built-in multi-object tracker: IoU matching with a constant-velocity
//! motion model, one set of tracks per source.
//!
//! Every frame of a source:
//! 1. each track of the source predicts its box (its centre moves by the
//!    track's velocity);
//! 2. candidate pairs (object, track) are scored by the IoU of the object's
//!    box with the predicted box; pairs of different classes (with
//!    `checkClassMatch`), with no overlap, or below the
//!    `minMatchingScore4*` thresholds are dropped; the rest are matched
//!    greedily, best IoU first;
//! 3. a matched track takes a smoothed box (mostly the detection, a little
//!    of the prediction) and a new velocity (the centre's motion since the
//!    last match per frame, averaged with the old velocity);
//! 4. an unmatched object (at or above `minDetectorConfidence`, not
//!    overlapping a track by more than `minIouDiff4NewTarget`, within
//!    `maxTargetsPerStream`) starts a track with the next id of the
//!    element-wide counter, which starts at 0;
//! 5. an unmatched track coasts on its prediction with a damped velocity
//!    (shadow tracking) and ends after `maxShadowTrackingAge` unmatched
//!    frames in a row (`earlyTerminationAge` while still tentative).
//!
//! A track is tentative for its first `probationAge` frames: its objects
//! are matched but reported untracked. With past-frame recording on
//! ([`Tracker::set_record_past_frames`]), a tentative track remembers its
//! box, confidence and age in each frame where it was matched (its first
//! frame included); when it is confirmed, those frames come back in
//! [`FrameUpdate::past`] (the current frame is reported on the object
//! itself). A track that ends in probation reports nothing.
use super::config::TrackerConfig;
use std::collections::HashMap;

/// Weight of the detection in a matched track's smoothed box.
const SMOOTHING: f32 = 0.7;
/// Weight of the newly measured velocity against the old one.
const VELOCITY_GAIN: f32 = 0.6;
/// Velocity kept per frame while a track is not matched.
const DAMPING: f32 = 0.8;

/// A box in frame coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct BBox {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl BBox {
    fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    fn center(&self) -> (f32, f32) {
        (self.left + self.width / 2.0, self.top + self.height / 2.0)
    }

    fn shifted(&self, dx: f32, dy: f32) -> BBox {
        BBox {
            left: self.left + dx,
            top: self.top + dy,
            ..*self
        }
    }

    /// Intersection over union (0 for degenerate boxes).
    pub fn iou(&self, o: &BBox) -> f32 {
        let w = (self.left + self.width).min(o.left + o.width) - self.left.max(o.left);
        let h = (self.top + self.height).min(o.top + o.height) - self.top.max(o.top);
        if w <= 0.0 || h <= 0.0 {
            return 0.0;
        }
        let inter = w * h;
        let union = self.area() + o.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    fn size_similarity(&self, o: &BBox) -> f32 {
        let (a, b) = (self.area(), o.area());
        if a <= 0.0 || b <= 0.0 {
            0.0
        } else {
            a.min(b) / a.max(b)
        }
    }

    fn blend(&self, o: &BBox, w: f32) -> BBox {
        let mix = |a: f32, b: f32| a * w + b * (1.0 - w);
        BBox {
            left: mix(self.left, o.left),
            top: mix(self.top, o.top),
            width: mix(self.width, o.width),
            height: mix(self.height, o.height),
        }
    }
}

/// One object of a frame, as the tracker sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Detection {
    pub class_id: i32,
    pub confidence: f32,
    pub bbox: BBox,
}

/// What the tracker reports for a tracked object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tracked {
    pub id: u64,
    /// IoU of the detection with the prediction; 1.0 for a new track.
    pub confidence: f32,
    /// The track's smoothed box.
    pub bbox: BBox,
}

/// A frame of a tentative track, kept for the past-frame data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PastFrame {
    pub frame_num: u32,
    /// The track's (smoothed) box in that frame.
    pub bbox: BBox,
    /// The match's IoU (1.0 in the track's first frame).
    pub confidence: f32,
    /// Frames since the track started.
    pub age: u32,
}

/// The probation frames of a track confirmed in this frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PastTarget {
    pub id: u64,
    pub class_id: i32,
    /// The detection (index into the frame's detections) that confirmed it.
    pub detection: usize,
    /// Oldest first.
    pub frames: Vec<PastFrame>,
}

/// What [`Tracker::update`] reports for one frame.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameUpdate {
    /// Per detection its track, or `None` when it is left untracked.
    pub objects: Vec<Option<Tracked>>,
    /// Tracks confirmed in this frame, with their probation frames (only
    /// while past-frame recording is on).
    pub past: Vec<PastTarget>,
}

#[derive(Debug)]
struct Track {
    id: u64,
    class_id: i32,
    /// Smoothed box (after `predict`: the predicted box).
    bbox: BBox,
    /// Centre of the last matched detection.
    last_center: (f32, f32),
    /// Centre velocity, pixels per frame.
    velocity: (f32, f32),
    /// Frames since the track started.
    age: u32,
    /// Unmatched frames in a row.
    missed: u32,
    confirmed: bool,
    /// Matched frames while tentative (past-frame recording only).
    history: Vec<PastFrame>,
}

impl Track {
    fn predict(&mut self) {
        self.bbox = self.bbox.shifted(self.velocity.0, self.velocity.1);
        self.age = self.age.saturating_add(1);
    }

    fn update(&mut self, det: &BBox, probation: u32) {
        let (cx, cy) = det.center();
        let gap = (self.missed + 1) as f32;
        let measured = (
            (cx - self.last_center.0) / gap,
            (cy - self.last_center.1) / gap,
        );
        let v = &mut self.velocity;
        v.0 = VELOCITY_GAIN * measured.0 + (1.0 - VELOCITY_GAIN) * v.0;
        v.1 = VELOCITY_GAIN * measured.1 + (1.0 - VELOCITY_GAIN) * v.1;
        self.bbox = det.blend(&self.bbox, SMOOTHING);
        self.last_center = (cx, cy);
        self.missed = 0;
        if self.age >= probation {
            self.confirmed = true;
        }
    }

    fn coast(&mut self) {
        self.missed = self.missed.saturating_add(1);
        self.velocity.0 *= DAMPING;
        self.velocity.1 *= DAMPING;
    }
}

/// The tracks of every source.
#[derive(Debug)]
pub(crate) struct Tracker {
    config: TrackerConfig,
    streams: HashMap<u32, Vec<Track>>,
    next_id: u64,
    record_past: bool,
}

impl Tracker {
    pub fn new(config: TrackerConfig) -> Tracker {
        Tracker {
            config,
            streams: HashMap::new(),
            next_id: 0,
            record_past: false,
        }
    }

    /// Whether tentative tracks record their frames, reported as
    /// past-frame data when they are confirmed.
    pub fn set_record_past_frames(&mut self, on: bool) {
        self.record_past = on;
    }

    /// Forgets the tracks of `source` (its stream ended).
    pub fn remove_source(&mut self, source: u32) {
        self.streams.remove(&source);
    }

    /// Forgets every track (flush); ids go on from where they were.
    pub fn clear(&mut self) {
        self.streams.clear();
    }

    /// Tracks frame `frame_num` of `source`: per detection its track (or
    /// `None` when it is left untracked), and the past frames of tracks
    /// confirmed now.
    pub fn update(&mut self, source: u32, frame_num: u32, dets: &[Detection]) -> FrameUpdate {
        let cfg = &self.config;
        let record = self.record_past;
        let mut past = Vec::new();
        let tracks = self.streams.entry(source).or_default();
        for t in tracks.iter_mut() {
            t.predict();
        }
        let eligible: Vec<bool> = dets
            .iter()
            .map(|d| d.confidence >= cfg.min_detector_confidence && d.bbox.area() > 0.0)
            .collect();
        // Candidate pairs (iou, detection, track).
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (di, d) in dets.iter().enumerate() {
            if !eligible[di] {
                continue;
            }
            for (ti, t) in tracks.iter().enumerate() {
                if cfg.check_class_match && t.class_id != d.class_id {
                    continue;
                }
                let iou = d.bbox.iou(&t.bbox);
                if iou <= 0.0
                    || iou < cfg.min_matching_score_iou
                    || iou < cfg.min_matching_score_overall
                    || d.bbox.size_similarity(&t.bbox) < cfg.min_matching_score_size
                {
                    continue;
                }
                pairs.push((iou, di, ti));
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut out: Vec<Option<Tracked>> = vec![None; dets.len()];
        let mut det_done = vec![false; dets.len()];
        let mut track_done = vec![false; tracks.len()];
        for (iou, di, ti) in pairs {
            if det_done[di] || track_done[ti] {
                continue;
            }
            det_done[di] = true;
            track_done[ti] = true;
            let t = &mut tracks[ti];
            let was_confirmed = t.confirmed;
            t.update(&dets[di].bbox, cfg.probation_age);
            if record && !t.confirmed {
                t.history.push(PastFrame {
                    frame_num,
                    bbox: t.bbox,
                    confidence: iou,
                    age: t.age,
                });
            }
            if !was_confirmed && t.confirmed && !t.history.is_empty() {
                past.push(PastTarget {
                    id: t.id,
                    class_id: t.class_id,
                    detection: di,
                    frames: std::mem::take(&mut t.history),
                });
            }
            if t.confirmed {
                out[di] = Some(Tracked {
                    id: t.id,
                    confidence: iou,
                    bbox: t.bbox,
                });
            }
        }
        for (t, done) in tracks.iter_mut().zip(&track_done) {
            if !done {
                t.coast();
            }
        }
        let (max_shadow, early) = (cfg.max_shadow_tracking_age, cfg.early_termination_age);
        tracks.retain(|t| {
            if t.confirmed {
                t.missed <= max_shadow
            } else {
                t.missed < early.max(1)
            }
        });
        for (di, d) in dets.iter().enumerate() {
            if det_done[di] || !eligible[di] {
                continue;
            }
            if tracks.len() >= cfg.max_targets_per_stream as usize {
                break;
            }
            let overlaps = tracks
                .iter()
                .any(|t| t.bbox.iou(&d.bbox) > cfg.min_iou_diff_4_new_target);
            if overlaps {
                continue;
            }
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
            let confirmed = cfg.probation_age == 0;
            tracks.push(Track {
                id,
                class_id: d.class_id,
                bbox: d.bbox,
                last_center: d.bbox.center(),
                velocity: (0.0, 0.0),
                age: 0,
                missed: 0,
                confirmed,
                history: if record && !confirmed {
                    vec![PastFrame {
                        frame_num,
                        bbox: d.bbox,
                        confidence: 1.0,
                        age: 0,
                    }]
                } else {
                    Vec::new()
                },
            });
            if confirmed {
                out[di] = Some(Tracked {
                    id,
                    confidence: 1.0,
                    bbox: d.bbox,
                });
            }
        }
        FrameUpdate { objects: out, past }
    }
}
