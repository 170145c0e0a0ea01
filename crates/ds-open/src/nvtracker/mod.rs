//! `nvtracker` (open implementation): DeepStream's multi-object tracker
//! element, with a built-in IOU tracker in place of NVIDIA's low-level
//! library (the algorithm is described in `nvtracker/iou.rs`).
//!
//! An in-place transform on NVMM batches (any format; the pixels are not
//! read). For every frame of the batch, the objects (of any gie, as
//! NVIDIA's tracker by default) are matched to the tracks of that frame's
//! `source_id` by IoU with each track's constant-velocity prediction,
//! greedily and within the same class. Every tracked object gets
//! `object_id` (a 64-bit id from one counter per element, starting at 0),
//! `tracker_confidence` (the IoU of the match, 1.0 for a new track) and
//! `tracker_bbox_info` (the track's smoothed box); with
//! `display-tracking-id` the id is appended to its display text
//! (`"Person"` -> `"Person 12"`, the object's label when it has no text).
//! `rect_params` and `detector_bbox_info` keep the detector's box.
//!
//! Left untracked (`object_id` = `UNTRACKED_OBJECT_ID`, nothing else
//! written): objects below `minDetectorConfidence`, objects of tracks
//! still in probation (`probationAge`), a new object overlapping a track
//! by more than `minIouDiff4NewTarget`, and objects beyond
//! `maxTargetsPerStream`. Unlike NVIDIA's tracker, untracked objects stay
//! in the batch meta.
//!
//! A track ends after `maxShadowTrackingAge` frames without a match
//! (`earlyTerminationAge` while in probation); the tracks of a source are
//! dropped when the source ends (`nv-stream-eos` from nvstreammux) and all
//! tracks on a flush.
//!
//! Properties (NVIDIA's names): `ll-config-file` (NvMultiObjectTracker
//! YAML, the keys listed in the config module; a missing file or a bad
//! line is an element error at start naming `file:line`), `ll-lib-file`
//! (accepted: any library path is replaced by the built-in tracker, with a
//! one-line notice on stderr), `display-tracking-id` (default true),
//! `tracker-width` / `tracker-height` (accepted: the open tracker works in
//! frame coordinates), and every other property of NVIDIA's 7.1 element
//! (`gpu-id`, `compute-hw`, `tracking-id-reset-mode`,
//! `user-meta-pool-size`, ...: accepted and kept, no effect; see
//! `crate::accepted`). Like NVIDIA's since 6.3 it has no
//! `enable-batch-process` or `enable-past-frame`.
//!
//! # Past-frame data
//!
//! Always on (as in DeepStream 7.1, where NvMultiObjectTracker always
//! reports it): a target's frames that were tracked but
//! not reported downstream are attached as a *batch* user meta of type
//! `NVDS_TRACKER_PAST_FRAME_META` holding an `NvDsTargetMiscDataBatch`
//! (built with [`ds_core::tracker::TargetMiscData`]; read it with
//! `ds_core::tracker::TargetMiscDataRef::from_user_meta`). As NVIDIA's
//! NvMultiObjectTracker documents it, these are the frames of a target's
//! tentative (probation) period, reported once the target is activated:
//! - when a track is confirmed in a frame, the batch of that frame carries
//!   its earlier probation frames in which it was matched (its first frame
//!   included; the confirming frame itself is reported on the object as
//!   usual): `frameNum` (the frame meta's `frame_num`), `tBbox` (the
//!   track's box in that frame; only left/top/width/height are set),
//!   `confidence` (the IoU of that frame's match, 1.0 in the first frame),
//!   `age` (frames since the track started), `trackerState` `TENTATIVE`,
//!   `visibility` 1.0; per target `uniqueId` (the `object_id` the objects
//!   get from then on), `classId`, `objLabel` (the confirming object's
//!   label); per stream `streamID` = the frame's `pad_index` and
//!   `surfaceStreamID` = `pad_index << 32 | surface_index` (the plugin's
//!   internal stream id);
//! - a track that ends during probation reports nothing;
//! - the meta is attached only to batches that have such data (one
//!   stream entry per frame of the batch with newly confirmed tracks).
//!
//! NVIDIA's tracker has no switch for past-frame data in 7.1: neither a
//! property (`enable-past-frame` went in 6.3) nor a low-level config key;
//! the plugin attaches it whenever the low-level library reports it, which
//! NvMultiObjectTracker always does. Shadow-tracking frames (a
//! confirmed track coasting without a match) are not past-frame data in
//! NVIDIA's tracker since 6.2 but a separate shadow-track list
//! (`outputShadowTracks`), which this tracker does not produce.
//!
//! Not implemented: terminated-track and shadow-track user meta
//! (`NVDS_TRACKER_TERMINATED_LIST_META`, `NVDS_TRACKER_SHADOW_LIST_META`;
//! ds-core can build both), re-id and visual (NvDCF) tracking,
//! tracking-id reset.

mod config;
mod imp;
mod iou;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

glib::wrapper! {
    /// The open `nvtracker` element.
    pub struct NvTracker(ObjectSubclass<imp::NvTracker>) @extends gstreamer_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `nvtracker`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvtracker",
        gst::Rank::PRIMARY,
        NvTracker::static_type(),
    )
}
