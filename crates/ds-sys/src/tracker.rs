//! Tracker metadata (`nvds_tracker_meta.h`, DeepStream 7.1).
//!
//! The tracker attaches past-frame / terminated / shadow target data as batch
//! user meta (`NVDS_TRACKER_PAST_FRAME_META`, ...) and per-object re-id
//! vectors (`NVDS_TRACKER_OBJ_REID_META`).
//!
//! 7.1 decisions: the field lists follow the 7.1 API reference source page
//! (`TRACKER_STATE` ends at `PROJECTED`, `NvDsTargetMiscDataFrame` has
//! `trackerState` and `visibility` but no `ptWorldFeet`, which 9.0 added).
//! `_NvDsObj3DBbox` (8.0) is not declared. The `NvDsPastFrame*` names are
//! the pre-6.4 names of the same structures; the 7.1 header no longer
//! declares them, they are kept here as Rust aliases for code written
//! against older SDKs.
use crate::meta::MAX_LABEL_SIZE;
use crate::osd::NvOSD_RectParams;
use std::os::raw::{c_char, c_int, c_void};

/// State of a target in the tracker (`TRACKER_STATE`, C enum).
pub type TRACKER_STATE = c_int;
pub const EMPTY: TRACKER_STATE = 0;
pub const ACTIVE: TRACKER_STATE = 1;
pub const INACTIVE: TRACKER_STATE = 2;
pub const TENTATIVE: TRACKER_STATE = 3;
pub const PROJECTED: TRACKER_STATE = 4;

/// One past frame of a target (C: `struct _NvDsTargetMiscDataFrame`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsTargetMiscDataFrame {
    pub frameNum: u32,
    /// Box of the target in that frame.
    pub tBbox: NvOSD_RectParams,
    pub confidence: f32,
    /// Frames since the target was first seen.
    pub age: u32,
    pub trackerState: TRACKER_STATE,
    /// Visibility with respect to the image border, `0.0..=1.0`.
    pub visibility: f32,
}

/// All past frames of one target (C: `struct _NvDsTargetMiscDataObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsTargetMiscDataObject {
    /// `numObj` frames (`numAllocated` allocated).
    pub list: *mut NvDsTargetMiscDataFrame,
    pub numObj: u32,
    pub numAllocated: u32,
    /// Tracking id.
    pub uniqueId: u64,
    pub classId: u16,
    /// NUL-terminated class label.
    pub objLabel: [c_char; MAX_LABEL_SIZE],
}

/// Targets of one stream (C: `struct _NvDsTargetMiscDataStream`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsTargetMiscDataStream {
    /// `numFilled` targets (`numAllocated` allocated).
    pub list: *mut NvDsTargetMiscDataObject,
    /// Same as the frame meta's `pad_index`.
    pub streamID: u32,
    /// Stream id used inside the tracker.
    pub surfaceStreamID: u64,
    pub numAllocated: u32,
    pub numFilled: u32,
}

/// Target data of all streams (C: `struct _NvDsTargetMiscDataBatch`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsTargetMiscDataBatch {
    /// `numFilled` streams (`numAllocated` allocated).
    pub list: *mut NvDsTargetMiscDataStream,
    pub numAllocated: u32,
    pub numFilled: u32,
    /// Producer-private.
    pub priv_data: *mut c_void,
}

/// Re-id feature tensor of a batch (C: `struct _NvDsReidTensorBatch`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsReidTensorBatch {
    /// Floats per feature vector.
    pub featureSize: u32,
    /// Number of vectors.
    pub numFilled: u32,
    pub ptr_host: *mut f32,
    pub ptr_dev: *mut f32,
    pub priv_data: *mut c_void,
}

/// Convex hull of an object (C: `struct _NvDsObjConvexHull`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsObjConvexHull {
    /// `2 * numPoints` coordinates.
    pub list: *mut c_int,
    pub numPointsAllocated: u32,
    pub numPoints: u32,
}

/// Re-id vector of one object (C: `struct _NvDsObjReid`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsObjReid {
    pub featureSize: u32,
    pub ptr_host: *mut f32,
    pub ptr_dev: *mut f32,
}

/// Trajectory data of all streams (`NvDsTrajectoryBatch`).
pub type NvDsTrajectoryBatch = NvDsTargetMiscDataBatch;

/// Pre-6.4 name of [`NvDsTargetMiscDataFrame`].
pub type NvDsPastFrameObj = NvDsTargetMiscDataFrame;
/// Pre-6.4 name of [`NvDsTargetMiscDataObject`].
pub type NvDsPastFrameObjList = NvDsTargetMiscDataObject;
/// Pre-6.4 name of [`NvDsTargetMiscDataStream`].
pub type NvDsPastFrameObjStream = NvDsTargetMiscDataStream;
/// Pre-6.4 name of [`NvDsTargetMiscDataBatch`].
pub type NvDsPastFrameObjBatch = NvDsTargetMiscDataBatch;
