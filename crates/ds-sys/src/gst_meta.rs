//! The GstMeta that carries DeepStream metadata on a buffer (`gstnvdsmeta.h`).
use crate::meta::{NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NVDS_GST_CUSTOM_META};
use glib_sys::gpointer;
use gstreamer_sys::GstMeta;
use std::os::raw::c_int;

/// `GstNvDsMetaType` (C enum).
pub type GstNvDsMetaType = c_int;
pub const NVDS_GST_INVALID_META: GstNvDsMetaType = -1;
pub const NVDS_BATCH_GST_META: GstNvDsMetaType = NVDS_GST_CUSTOM_META + 1;
pub const NVDS_DECODER_GST_META: GstNvDsMetaType = NVDS_GST_CUSTOM_META + 2;
pub const NVDS_DEWARPER_GST_META: GstNvDsMetaType = NVDS_GST_CUSTOM_META + 3;
pub const NVDS_BUFFER_GST_AS_FRAME_USER_META: GstNvDsMetaType = NVDS_GST_CUSTOM_META + 4;
pub const NVDS_RESERVED_GST_META: GstNvDsMetaType = NVDS_GST_CUSTOM_META + 4096;
pub const NVDS_GST_META_FORCE32: GstNvDsMetaType = 0x7FFF_FFFF;

/// Name of the meta API type's tag string (`NVDS_META_STRING`).
pub const NVDS_META_STRING: &str = "nvdsmeta";

/// The GstMeta (`NvDsMeta`). `meta_data` is e.g. the `NvDsBatchMeta*` when
/// `meta_type == NVDS_BATCH_GST_META`.
#[repr(C)]
pub struct NvDsMeta {
    pub meta: GstMeta,
    pub meta_data: gpointer,
    pub user_data: gpointer,
    pub meta_type: c_int,
    pub copyfunc: NvDsMetaCopyFunc,
    pub freefunc: NvDsMetaReleaseFunc,
    pub gst_to_nvds_meta_transform_func: NvDsMetaCopyFunc,
    pub gst_to_nvds_meta_release_func: NvDsMetaReleaseFunc,
}
