//! Core metadata structures (`nvdsmeta.h`).
use crate::osd::*;
use glib_sys::{gboolean, gpointer, GList, GRecMutex};
use std::os::raw::{c_char, c_float, c_int, c_uint, c_void};

/// Number of user fields (`misc_*_info`) in the meta structures.
pub const MAX_USER_FIELDS: usize = 4;
/// Number of reserved fields in the meta structures.
pub const MAX_RESERVED_FIELDS: usize = 4;
/// Size of inline label arrays (`obj_label`, `result_label`).
pub const MAX_LABEL_SIZE: usize = 128;
/// Capacity of each element array of [`NvDsDisplayMeta`].
pub const MAX_ELEMENTS_IN_DISPLAY_META: usize = 16;
/// `object_id` of an object no tracker has seen.
pub const UNTRACKED_OBJECT_ID: u64 = 0xFFFF_FFFF_FFFF_FFFF;

pub type NvDsFrameMetaList = GList;
pub type NvDsUserMetaList = GList;
pub type NvDsObjectMetaList = GList;
pub type NvDisplayMetaList = GList;
pub type NvDsClassifierMetaList = GList;
pub type NvDsLabelInfoList = GList;
pub type NvDsMetaList = GList;
pub type NvDsElementMeta = c_void;

/// Copies metadata: receives the source (for user meta, the `NvDsUserMeta*`)
/// and returns a newly allocated copy.
pub type NvDsMetaCopyFunc =
    Option<unsafe extern "C" fn(data: gpointer, user_data: gpointer) -> gpointer>;
/// Releases what a [`NvDsMetaCopyFunc`] (or the producer) allocated.
pub type NvDsMetaReleaseFunc = Option<unsafe extern "C" fn(data: gpointer, user_data: gpointer)>;

/// `NvDsMetaType` (C enum; numeric values of DeepStream 7.1).
pub type NvDsMetaType = c_int;
pub const NVDS_INVALID_META: NvDsMetaType = -1;
pub const NVDS_BATCH_META: NvDsMetaType = 1;
pub const NVDS_FRAME_META: NvDsMetaType = 2;
pub const NVDS_OBJ_META: NvDsMetaType = 3;
pub const NVDS_DISPLAY_META: NvDsMetaType = 4;
pub const NVDS_CLASSIFIER_META: NvDsMetaType = 5;
pub const NVDS_LABEL_INFO_META: NvDsMetaType = 6;
pub const NVDS_USER_META: NvDsMetaType = 7;
pub const NVDS_PAYLOAD_META: NvDsMetaType = 8;
pub const NVDS_EVENT_MSG_META: NvDsMetaType = 9;
pub const NVDS_OPTICAL_FLOW_META: NvDsMetaType = 10;
pub const NVDS_LATENCY_MEASUREMENT_META: NvDsMetaType = 11;
pub const NVDSINFER_TENSOR_OUTPUT_META: NvDsMetaType = 12;
pub const NVDSINFER_SEGMENTATION_META: NvDsMetaType = 13;
pub const NVDS_CROP_IMAGE_META: NvDsMetaType = 14;
pub const NVDS_TRACKER_PAST_FRAME_META: NvDsMetaType = 15;
pub const NVDS_TRACKER_BATCH_REID_META: NvDsMetaType = 16;
pub const NVDS_TRACKER_OBJ_REID_META: NvDsMetaType = 17;
pub const NVDS_TRACKER_TERMINATED_LIST_META: NvDsMetaType = 18;
pub const NVDS_TRACKER_SHADOW_LIST_META: NvDsMetaType = 19;
pub const NVDS_OBJ_VISIBILITY: NvDsMetaType = 20;
pub const NVDS_OBJ_IMAGE_FOOT_LOCATION: NvDsMetaType = 21;
pub const NVDS_OBJ_WORLD_FOOT_LOCATION: NvDsMetaType = 22;
pub const NVDS_OBJ_IMAGE_CONVEX_HULL: NvDsMetaType = 23;
pub const NVDS_AUDIO_BATCH_META: NvDsMetaType = 24;
pub const NVDS_AUDIO_FRAME_META: NvDsMetaType = 25;
pub const NVDS_PREPROCESS_FRAME_META: NvDsMetaType = 26;
pub const NVDS_PREPROCESS_BATCH_META: NvDsMetaType = 27;
pub const NVDS_CUSTOM_MSG_BLOB: NvDsMetaType = 28;
pub const NVDS_RESERVED_META: NvDsMetaType = 4095;
pub const NVDS_GST_CUSTOM_META: NvDsMetaType = 4096;
pub const NVDS_START_USER_META: NvDsMetaType = NVDS_GST_CUSTOM_META + 4096 + 1;
pub const NVDS_FORCE32_META: NvDsMetaType = 0x7FFF_FFFF;

/// Unclipped box of a component (`NvDsComp_BboxInfo`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvDsComp_BboxInfo {
    pub org_bbox_coords: NvBbox_Coords,
}

/// A pool of preallocated meta structures (`NvDsMetaPool`).
#[repr(C)]
#[derive(Debug)]
pub struct NvDsMetaPool {
    pub meta_type: NvDsMetaType,
    pub max_elements_in_pool: c_uint,
    pub element_size: c_uint,
    pub num_empty_elements: c_uint,
    pub num_full_elements: c_uint,
    pub empty_list: *mut NvDsMetaList,
    pub full_list: *mut NvDsMetaList,
    pub copy_func: NvDsMetaCopyFunc,
    pub release_func: NvDsMetaReleaseFunc,
}

/// Header shared by every meta structure (`NvDsBaseMeta`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsBaseMeta {
    pub batch_meta: *mut NvDsBatchMeta,
    pub meta_type: NvDsMetaType,
    pub uContext: *mut c_void,
    pub copy_func: NvDsMetaCopyFunc,
    pub release_func: NvDsMetaReleaseFunc,
}

/// Metadata of a batch of frames (`NvDsBatchMeta`).
#[repr(C)]
pub struct NvDsBatchMeta {
    pub base_meta: NvDsBaseMeta,
    pub max_frames_in_batch: c_uint,
    pub num_frames_in_batch: c_uint,
    pub frame_meta_pool: *mut NvDsMetaPool,
    pub obj_meta_pool: *mut NvDsMetaPool,
    pub classifier_meta_pool: *mut NvDsMetaPool,
    pub display_meta_pool: *mut NvDsMetaPool,
    pub user_meta_pool: *mut NvDsMetaPool,
    pub label_info_meta_pool: *mut NvDsMetaPool,
    pub frame_meta_list: *mut NvDsFrameMetaList,
    pub batch_user_meta_list: *mut NvDsUserMetaList,
    pub meta_mutex: GRecMutex,
    pub misc_batch_info: [i64; MAX_USER_FIELDS],
    pub reserved: [i64; MAX_RESERVED_FIELDS],
}

/// Metadata of one frame of a batch (`NvDsFrameMeta`, DeepStream 7.1 layout:
/// no `sensorInfo_meta`, which DeepStream 8.0 added).
#[repr(C)]
#[derive(Debug)]
pub struct NvDsFrameMeta {
    pub base_meta: NvDsBaseMeta,
    pub pad_index: c_uint,
    pub batch_id: c_uint,
    pub frame_num: c_int,
    pub buf_pts: u64,
    pub ntp_timestamp: u64,
    pub source_id: c_uint,
    pub num_surfaces_per_frame: c_int,
    pub source_frame_width: c_uint,
    pub source_frame_height: c_uint,
    pub surface_type: c_uint,
    pub surface_index: c_uint,
    pub num_obj_meta: c_uint,
    pub bInferDone: gboolean,
    pub obj_meta_list: *mut NvDsObjectMetaList,
    pub display_meta_list: *mut NvDisplayMetaList,
    pub frame_user_meta_list: *mut NvDsUserMetaList,
    pub misc_frame_info: [i64; MAX_USER_FIELDS],
    pub pipeline_width: c_uint,
    pub pipeline_height: c_uint,
    pub reserved: [i64; MAX_RESERVED_FIELDS],
}

/// Metadata of one detected object (`NvDsObjectMeta`).
#[repr(C)]
pub struct NvDsObjectMeta {
    pub base_meta: NvDsBaseMeta,
    pub parent: *mut NvDsObjectMeta,
    pub unique_component_id: c_int,
    pub class_id: c_int,
    pub object_id: u64,
    pub detector_bbox_info: NvDsComp_BboxInfo,
    pub tracker_bbox_info: NvDsComp_BboxInfo,
    pub confidence: c_float,
    pub tracker_confidence: c_float,
    pub rect_params: NvOSD_RectParams,
    pub mask_params: NvOSD_MaskParams,
    pub text_params: NvOSD_TextParams,
    pub obj_label: [c_char; MAX_LABEL_SIZE],
    pub classifier_meta_list: *mut NvDsClassifierMetaList,
    pub obj_user_meta_list: *mut NvDsUserMetaList,
    pub misc_obj_info: [i64; MAX_USER_FIELDS],
    pub reserved: [i64; MAX_RESERVED_FIELDS],
}

/// Classifier result of an object (`NvDsClassifierMeta`).
#[repr(C)]
#[derive(Debug)]
pub struct NvDsClassifierMeta {
    pub base_meta: NvDsBaseMeta,
    pub num_labels: c_uint,
    pub unique_component_id: c_int,
    pub label_info_list: *mut NvDsLabelInfoList,
    pub classifier_type: *const c_char,
}

/// One label of a classifier result (`NvDsLabelInfo`).
#[repr(C)]
pub struct NvDsLabelInfo {
    pub base_meta: NvDsBaseMeta,
    pub num_classes: c_uint,
    pub result_label: [c_char; MAX_LABEL_SIZE],
    pub pResult_label: *mut c_char,
    pub result_class_id: c_uint,
    pub label_id: c_uint,
    pub result_prob: c_float,
}

/// Things for nvdsosd to draw on a frame (`NvDsDisplayMeta`).
#[repr(C)]
pub struct NvDsDisplayMeta {
    pub base_meta: NvDsBaseMeta,
    pub num_rects: c_uint,
    pub num_labels: c_uint,
    pub num_lines: c_uint,
    pub num_arrows: c_uint,
    pub num_circles: c_uint,
    pub rect_params: [NvOSD_RectParams; MAX_ELEMENTS_IN_DISPLAY_META],
    pub text_params: [NvOSD_TextParams; MAX_ELEMENTS_IN_DISPLAY_META],
    pub line_params: [NvOSD_LineParams; MAX_ELEMENTS_IN_DISPLAY_META],
    pub arrow_params: [NvOSD_ArrowParams; MAX_ELEMENTS_IN_DISPLAY_META],
    pub circle_params: [NvOSD_CircleParams; MAX_ELEMENTS_IN_DISPLAY_META],
    pub misc_osd_data: [i64; MAX_USER_FIELDS],
    pub reserved: [i64; MAX_RESERVED_FIELDS],
}

/// Application or component defined metadata (`NvDsUserMeta`).
#[repr(C)]
#[derive(Debug)]
pub struct NvDsUserMeta {
    pub base_meta: NvDsBaseMeta,
    pub user_meta_data: *mut c_void,
}

/// `NvDsRoiMeta` is only referenced by pointer here (nvdspreprocess).
#[repr(C)]
pub struct NvDsRoiMeta {
    _private: [u8; 0],
}
