//! Object / frame JPEG encoder output (`nvds_obj_encode.h`, DeepStream 7.1).
//!
//! `nvds_obj_enc_process` attaches the encoded JPEG of an object or frame as
//! user meta of type `NVDS_CROP_IMAGE_META`; its `user_meta_data` points to
//! an [`NvDsObjEncOutParams`]. The same two fields in the 6.3 and 8.0
//! headers and on the 7.1 API page; the encoder's other structs are not
//! declared (no app here encodes).
use std::os::raw::c_void;

/// One encoded image (`NvDsObjEncOutParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsObjEncOutParams {
    /// The JPEG bytes, `outLen` of them, owned by the meta.
    pub outBuffer: *mut u8,
    /// Number of bytes at `outBuffer`.
    pub outLen: u64,
}

impl NvDsObjEncOutParams {
    /// Reads the encoded image out of an `NVDS_CROP_IMAGE_META` user meta's
    /// `user_meta_data` pointer.
    ///
    /// # Safety
    /// `data` must point to a live `NvDsObjEncOutParams` whose buffer holds
    /// `outLen` readable bytes, for the returned slice's lifetime.
    pub unsafe fn as_bytes<'a>(data: *const c_void) -> &'a [u8] {
        // SAFETY: the caller guarantees `data` is a live NvDsObjEncOutParams.
        let p = unsafe { &*data.cast::<NvDsObjEncOutParams>() };
        if p.outBuffer.is_null() || p.outLen == 0 {
            return &[];
        }
        // SAFETY: the caller guarantees `outLen` readable bytes at `outBuffer`.
        unsafe { std::slice::from_raw_parts(p.outBuffer, p.outLen as usize) }
    }
}
