//! The `NvDsMeta` GstMeta (`gstnvdsmeta.h`).
//!
//! The API type `"NvDsMetaAPI"` (tag `"nvdsmeta"`) and the meta
//! implementation `"NvDsMeta"` are registered once per process, thread-safe
//! (`OnceLock`). Both are looked up by name before they are registered:
//! GLib's type table and GStreamer's meta table are process-wide, so when a
//! process holds two copies of this implementation (an application linking
//! ds-sys statically that also loads the `dsopen` plugin library) the
//! second copy uses the first one's types and there is one NvDsMeta GstMeta
//! type. The meta's free function calls `freefunc(meta_data,
//! user_data)`. On a buffer copy (`GST_META_TRANSFORM_IS_COPY`) it calls
//! `copyfunc(meta_data, user_data)` and attaches the result to the new
//! buffer with the same `meta_type`, `user_data` and callbacks, so both
//! buffers own independent metadata; a meta without `copyfunc` (or whose
//! copy returns NULL) is not carried over, and other transforms drop it.
//! Only GStreamer 1.20 API is used.
use super::batch::acquire;
use super::{list, release};
use crate::gst_meta::*;
use crate::meta::*;
use glib_sys::{gboolean, gpointer, GQuark, GType, GFALSE, GTRUE};
use gstreamer_sys::{GstBuffer, GstMeta, GstMetaInfo};
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::OnceLock;

static API_TYPE: OnceLock<GType> = OnceLock::new();
static META_INFO: OnceLock<usize> = OnceLock::new();
static COPY_QUARK: OnceLock<GQuark> = OnceLock::new();

/// Registers (once) and returns the `NvDsMetaAPI` GType.
#[no_mangle]
pub unsafe extern "C" fn nvds_meta_api_get_type() -> GType {
    *API_TYPE.get_or_init(|| {
        // SAFETY: static NUL-terminated name.
        let existing = unsafe { gobject_sys::g_type_from_name(c"NvDsMetaAPI".as_ptr()) };
        if existing != 0 {
            return existing;
        }
        let mut tags: [*const c_char; 2] = [c"nvdsmeta".as_ptr(), ptr::null()];
        // SAFETY: both strings are static and NUL-terminated; the tag array
        // is NULL-terminated and only read during the call.
        unsafe {
            let t = gstreamer_sys::gst_meta_api_type_register(
                c"NvDsMetaAPI".as_ptr(),
                tags.as_mut_ptr(),
            );
            if t != 0 {
                t
            } else {
                // Another copy registered it between the look-up and ours.
                gobject_sys::g_type_from_name(c"NvDsMetaAPI".as_ptr())
            }
        }
    })
}

/// Registers (once) and returns the `NvDsMeta` GstMetaInfo.
#[no_mangle]
pub unsafe extern "C" fn nvds_meta_get_info() -> *const GstMetaInfo {
    *META_INFO.get_or_init(|| {
        // SAFETY: static NUL-terminated name.
        let existing = unsafe { gstreamer_sys::gst_meta_get_info(c"NvDsMeta".as_ptr()) };
        if !existing.is_null() {
            return existing as usize;
        }
        // SAFETY: valid API type, static name, and callbacks with the
        // GstMeta signatures for a meta of size_of::<NvDsMeta>().
        unsafe {
            gstreamer_sys::gst_meta_register(
                nvds_meta_api_get_type(),
                c"NvDsMeta".as_ptr(),
                std::mem::size_of::<NvDsMeta>(),
                Some(meta_init),
                Some(meta_free),
                Some(meta_transform),
            ) as usize
        }
    }) as *const GstMetaInfo
}

unsafe extern "C" fn meta_init(
    meta: *mut GstMeta,
    _params: gpointer,
    _buffer: *mut GstBuffer,
) -> gboolean {
    let m = meta as *mut NvDsMeta;
    // SAFETY: GStreamer hands us a block of size_of::<NvDsMeta>() bytes.
    unsafe {
        (*m).meta_data = ptr::null_mut();
        (*m).user_data = ptr::null_mut();
        (*m).meta_type = NVDS_GST_INVALID_META;
        (*m).copyfunc = None;
        (*m).freefunc = None;
        (*m).gst_to_nvds_meta_transform_func = None;
        (*m).gst_to_nvds_meta_release_func = None;
    }
    GTRUE
}

unsafe extern "C" fn meta_free(meta: *mut GstMeta, _buffer: *mut GstBuffer) {
    let m = meta as *mut NvDsMeta;
    // SAFETY: meta is one of ours, initialised by meta_init.
    unsafe {
        if let Some(f) = (*m).freefunc.take() {
            f((*m).meta_data, (*m).user_data);
        }
        (*m).meta_data = ptr::null_mut();
    }
}

fn copy_quark() -> GQuark {
    *COPY_QUARK.get_or_init(|| {
        // SAFETY: static NUL-terminated string.
        unsafe { glib_sys::g_quark_from_static_string(c"gst-copy".as_ptr()) }
    })
}

unsafe extern "C" fn meta_transform(
    dest: *mut GstBuffer,
    meta: *mut GstMeta,
    _buffer: *mut GstBuffer,
    type_: GQuark,
    _data: gpointer,
) -> gboolean {
    if type_ != copy_quark() {
        return GFALSE;
    }
    let s = meta as *mut NvDsMeta;
    // SAFETY: meta is one of ours; dest is the writable copy GStreamer makes.
    unsafe {
        let Some(copy) = (*s).copyfunc else {
            return GFALSE;
        };
        let new_data = copy((*s).meta_data, (*s).user_data);
        if new_data.is_null() {
            return GFALSE;
        }
        let d =
            gst_buffer_add_nvds_meta(dest, new_data, (*s).user_data, (*s).copyfunc, (*s).freefunc);
        if d.is_null() {
            if let Some(f) = (*s).freefunc {
                f(new_data, (*s).user_data);
            }
            return GFALSE;
        }
        (*d).meta_type = (*s).meta_type;
        (*d).gst_to_nvds_meta_transform_func = (*s).gst_to_nvds_meta_transform_func;
        (*d).gst_to_nvds_meta_release_func = (*s).gst_to_nvds_meta_release_func;
    }
    GTRUE
}

/// Attaches an `NvDsMeta` to a (writable) buffer. The caller sets
/// `meta_type` on the result (it starts as `NVDS_GST_INVALID_META`).
/// Returns NULL for a NULL or non-writable buffer.
#[no_mangle]
pub unsafe extern "C" fn gst_buffer_add_nvds_meta(
    buffer: *mut GstBuffer,
    meta_data: gpointer,
    user_data: gpointer,
    copy_func: NvDsMetaCopyFunc,
    release_func: NvDsMetaReleaseFunc,
) -> *mut NvDsMeta {
    if buffer.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: buffer is a live GstBuffer (C API contract); the info is ours.
    unsafe {
        if gstreamer_sys::gst_mini_object_is_writable(buffer as *const gstreamer_sys::GstMiniObject)
            == GFALSE
        {
            return ptr::null_mut();
        }
        let m = gstreamer_sys::gst_buffer_add_meta(buffer, nvds_meta_get_info(), ptr::null_mut())
            as *mut NvDsMeta;
        if m.is_null() {
            return m;
        }
        (*m).meta_data = meta_data;
        (*m).user_data = user_data;
        (*m).copyfunc = copy_func;
        (*m).freefunc = release_func;
        m
    }
}

/// The `NvDsMeta` added last to the buffer, or NULL.
#[no_mangle]
pub unsafe extern "C" fn gst_buffer_get_nvds_meta(buffer: *mut GstBuffer) -> *mut NvDsMeta {
    if buffer.is_null() {
        return ptr::null_mut();
    }
    // GStreamer (1.16+) appends metas, so the last one iterated is the
    // last one added.
    let mut last = ptr::null_mut();
    // SAFETY: live buffer.
    unsafe {
        find_meta(buffer, |m| {
            last = m;
            false
        })
    };
    last
}

/// Calls `f` on each `NvDsMeta` of the buffer until it returns true.
///
/// # Safety
/// `buffer` is a live GstBuffer not modified during the walk.
unsafe fn find_meta(
    buffer: *mut GstBuffer,
    mut f: impl FnMut(*mut NvDsMeta) -> bool,
) -> *mut NvDsMeta {
    let mut state: gpointer = ptr::null_mut();
    loop {
        // SAFETY: per contract; state is the iteration cursor.
        let m = unsafe {
            gstreamer_sys::gst_buffer_iterate_meta_filtered(
                buffer,
                &mut state,
                nvds_meta_api_get_type(),
            )
        } as *mut NvDsMeta;
        if m.is_null() || f(m) {
            return m;
        }
    }
}

/// The `NvDsBatchMeta` of the buffer (the `meta_data` of its `NvDsMeta`
/// whose `meta_type` is `NVDS_BATCH_GST_META`), or NULL.
#[no_mangle]
pub unsafe extern "C" fn gst_buffer_get_nvds_batch_meta(
    buffer: *mut GstBuffer,
) -> *mut NvDsBatchMeta {
    if buffer.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: live buffer; metas are ours.
    let m = unsafe { find_meta(buffer, |m| (*m).meta_type == NVDS_BATCH_GST_META) };
    if m.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: m is a live NvDsMeta.
    unsafe { (*m).meta_data as *mut NvDsBatchMeta }
}

/// Copies the `NvDsMeta`s of `src_gst_buffer` that have a
/// `gst_to_nvds_meta_transform_func` into `frame_meta` as frame user metas:
/// `meta_type` is the NvDsMeta's, `user_meta_data` is what the transform
/// function returns when called with a user meta whose `user_meta_data` is
/// the NvDsMeta's `meta_data` (and the NvDsMeta's `user_data`); the transform
/// and release functions become the user meta's `copy_func` /
/// `release_func`. Batch metas and plain (non-NvDsMeta) GstMetas are not
/// copied.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_gst_meta_to_frame_meta(
    src_gst_buffer: *mut GstBuffer,
    batch_meta: *mut NvDsBatchMeta,
    frame_meta: *mut NvDsFrameMeta,
) {
    if src_gst_buffer.is_null() || batch_meta.is_null() || frame_meta.is_null() {
        return;
    }
    let _g = {
        // SAFETY: live batch.
        unsafe { super::lock::Guard::new(batch_meta) }
    };
    // SAFETY: live buffer, batch and frame; callbacks follow the NvDsMeta
    // contract (they receive an NvDsUserMeta*).
    unsafe {
        find_meta(src_gst_buffer, |m| {
            let Some(transform) = (*m).gst_to_nvds_meta_transform_func else {
                return false;
            };
            if (*m).meta_type == NVDS_BATCH_GST_META {
                return false;
            }
            let u = acquire(batch_meta, NVDS_USER_META) as *mut NvDsUserMeta;
            (*u).base_meta.meta_type = (*m).meta_type;
            (*u).user_meta_data = (*m).meta_data;
            let data = transform(u as gpointer, (*m).user_data);
            (*u).user_meta_data = data;
            if data.is_null() {
                release::release_user(u as *mut c_void);
                return false;
            }
            (*u).base_meta.copy_func = Some(transform);
            (*u).base_meta.release_func = (*m).gst_to_nvds_meta_release_func;
            (*frame_meta).frame_user_meta_list =
                list::append((*frame_meta).frame_user_meta_list, u as *mut c_void);
            false
        });
    }
}
