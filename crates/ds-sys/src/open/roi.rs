//! The fields of `NvDsRoiMeta` (`nvds_roi_meta.h`, nvdspreprocess) that the
//! meta functions touch. `crate::meta::NvDsRoiMeta` is opaque; this private
//! mirror has the header's layout (identical in DeepStream 6.2 to 8.0).
use crate::meta::{
    NvDsClassifierMetaList, NvDsFrameMeta, NvDsObjectMeta, NvDsRoiMeta, NvDsUserMetaList,
};
use crate::osd::NvOSD_RectParams;
use std::os::raw::{c_double, c_uint, c_void};

const DS_MAX_POLYGON_POINTS: usize = 8;

#[repr(C)]
pub(crate) struct RoiMeta {
    pub roi: NvOSD_RectParams,
    pub roi_polygon: [[c_uint; 2]; DS_MAX_POLYGON_POINTS],
    pub converted_buffer: *mut c_void,
    pub frame_meta: *mut NvDsFrameMeta,
    pub scale_ratio_x: c_double,
    pub scale_ratio_y: c_double,
    pub offset_left: c_double,
    pub offset_top: c_double,
    pub classifier_meta_list: *mut NvDsClassifierMetaList,
    pub roi_user_meta_list: *mut NvDsUserMetaList,
    pub object_meta: *mut NvDsObjectMeta,
}

/// Views an opaque roi pointer as its fields.
pub(crate) fn fields(roi: *mut NvDsRoiMeta) -> *mut RoiMeta {
    roi as *mut RoiMeta
}
