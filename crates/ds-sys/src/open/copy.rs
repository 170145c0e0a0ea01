//! Deep copies of metas (`nvds_copy_*`) and the built-in copy/release
//! callbacks stored in `base_meta` of built-in meta kinds.
//!
//! * `nvds_copy_<kind>_meta(src, dst)` copies the element's own fields into
//!   `dst`: owned strings and buffers (`display_text`, `pResult_label`,
//!   `mask_params.data`) are duplicated (what `dst` held is freed first);
//!   `dst`'s header (`base_meta` except `uContext`), its child lists and the
//!   counters that describe them (`num_obj_meta`, `num_labels`) are kept.
//!   Font names and `classifier_type` are shared (never owned).
//! * `nvds_copy_<kind>_list(src_list, dst_parent)` acquires new elements
//!   from `dst_parent`'s batch, copies each element *with its children*
//!   (frame: objects, display and user metas; object: classifiers with
//!   labels, user metas; classifier: labels) and appends them to the parent.
//!   Object `parent` pointers are remapped to the copies when the parent was
//!   copied in the same call, kept when source and destination share a
//!   batch, and set to NULL otherwise.
//! * User metas are copied through `copy_func(src_user_meta, NULL)`; the
//!   copy keeps `meta_type`, `uContext`, `copy_func` and `release_func`. A
//!   user meta without `copy_func` is shared by pointer when it has no
//!   `release_func`, and skipped when it has one (sharing would double free).
use super::batch::acquire;
use super::lock::Guard;
use super::util::batch_of;
use super::{list, release};
use crate::mem;
use crate::meta::*;
use glib_sys::gpointer;
use std::os::raw::{c_char, c_void};
use std::ptr;

/// Replaces the owned string `*dst` by a copy of `src`.
///
/// # Safety
/// `*dst` is NULL or from `mem`; `src` is NULL or a C string.
unsafe fn replace_str(dst: &mut *mut c_char, src: *const c_char) {
    // SAFETY: per contract.
    unsafe {
        let new = mem::strdup(src);
        mem::free(*dst as *mut c_void);
        *dst = new;
    }
}

/// Copies a frame meta's own fields.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_frame_meta(
    src_frame_meta: *mut NvDsFrameMeta,
    dst_frame_meta: *mut NvDsFrameMeta,
) {
    if src_frame_meta.is_null() || dst_frame_meta.is_null() || src_frame_meta == dst_frame_meta {
        return;
    }
    // SAFETY: both are live, distinct frame metas (C API contract).
    unsafe {
        let s = &*src_frame_meta;
        let d = &mut *dst_frame_meta;
        d.base_meta.uContext = s.base_meta.uContext;
        d.pad_index = s.pad_index;
        d.batch_id = s.batch_id;
        d.frame_num = s.frame_num;
        d.buf_pts = s.buf_pts;
        d.ntp_timestamp = s.ntp_timestamp;
        d.source_id = s.source_id;
        d.num_surfaces_per_frame = s.num_surfaces_per_frame;
        d.source_frame_width = s.source_frame_width;
        d.source_frame_height = s.source_frame_height;
        d.surface_type = s.surface_type;
        d.surface_index = s.surface_index;
        d.bInferDone = s.bInferDone;
        d.misc_frame_info = s.misc_frame_info;
        d.pipeline_width = s.pipeline_width;
        d.pipeline_height = s.pipeline_height;
        d.reserved = s.reserved;
    }
}

/// Copies an object meta's own fields (text and mask duplicated).
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_obj_meta(
    src_object_meta: *mut NvDsObjectMeta,
    dst_object_meta: *mut NvDsObjectMeta,
) {
    if src_object_meta.is_null() || dst_object_meta.is_null() || src_object_meta == dst_object_meta
    {
        return;
    }
    // SAFETY: both are live, distinct object metas; owned buffers from mem.
    unsafe {
        let s = &*src_object_meta;
        let d = &mut *dst_object_meta;
        d.base_meta.uContext = s.base_meta.uContext;
        d.parent = s.parent;
        d.unique_component_id = s.unique_component_id;
        d.class_id = s.class_id;
        d.object_id = s.object_id;
        d.detector_bbox_info = s.detector_bbox_info;
        d.tracker_bbox_info = s.tracker_bbox_info;
        d.confidence = s.confidence;
        d.tracker_confidence = s.tracker_confidence;
        d.rect_params = s.rect_params;
        let old_text = d.text_params.display_text;
        d.text_params = s.text_params;
        d.text_params.display_text = old_text;
        replace_str(&mut d.text_params.display_text, s.text_params.display_text);
        mem::free(d.mask_params.data as *mut c_void);
        d.mask_params = s.mask_params;
        d.mask_params.data = ptr::null_mut();
        let size = s.mask_params.size as usize;
        if !s.mask_params.data.is_null() && size > 0 {
            let m = mem::malloc0(size);
            ptr::copy_nonoverlapping(s.mask_params.data as *const u8, m as *mut u8, size);
            d.mask_params.data = m as *mut f32;
        }
        d.obj_label = s.obj_label;
        d.misc_obj_info = s.misc_obj_info;
        d.reserved = s.reserved;
    }
}

/// Copies a classifier meta's own fields (`unique_component_id`,
/// `classifier_type`).
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_classifier_meta(
    src: *mut NvDsClassifierMeta,
    dst: *mut NvDsClassifierMeta,
) {
    if src.is_null() || dst.is_null() || src == dst {
        return;
    }
    // SAFETY: both live and distinct.
    unsafe {
        (*dst).base_meta.uContext = (*src).base_meta.uContext;
        (*dst).unique_component_id = (*src).unique_component_id;
        (*dst).classifier_type = (*src).classifier_type;
    }
}

/// Copies a label info (`pResult_label` duplicated).
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_label_info_meta(
    src_label_info: *mut NvDsLabelInfo,
    dst_label_info: *mut NvDsLabelInfo,
) {
    if src_label_info.is_null() || dst_label_info.is_null() || src_label_info == dst_label_info {
        return;
    }
    // SAFETY: both live and distinct; pResult_label from mem.
    unsafe {
        let s = &*src_label_info;
        let d = &mut *dst_label_info;
        d.base_meta.uContext = s.base_meta.uContext;
        d.num_classes = s.num_classes;
        d.result_label = s.result_label;
        replace_str(&mut d.pResult_label, s.pResult_label);
        d.result_class_id = s.result_class_id;
        d.label_id = s.label_id;
        d.result_prob = s.result_prob;
    }
}

/// Copies a display meta (every `display_text` duplicated).
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_display_meta(
    src_display_meta: *mut NvDsDisplayMeta,
    dst_display_meta: *mut NvDsDisplayMeta,
) {
    if src_display_meta.is_null()
        || dst_display_meta.is_null()
        || src_display_meta == dst_display_meta
    {
        return;
    }
    // SAFETY: both live and distinct; texts from mem.
    unsafe {
        let s = &*src_display_meta;
        let d = &mut *dst_display_meta;
        d.base_meta.uContext = s.base_meta.uContext;
        d.num_rects = s.num_rects;
        d.num_labels = s.num_labels;
        d.num_lines = s.num_lines;
        d.num_arrows = s.num_arrows;
        d.num_circles = s.num_circles;
        d.rect_params = s.rect_params;
        for (dt, st) in d.text_params.iter_mut().zip(s.text_params.iter()) {
            let old = dt.display_text;
            *dt = *st;
            dt.display_text = old;
            replace_str(&mut dt.display_text, st.display_text);
        }
        d.line_params = s.line_params;
        d.arrow_params = s.arrow_params;
        d.circle_params = s.circle_params;
        d.misc_osd_data = s.misc_osd_data;
        d.reserved = s.reserved;
    }
}

/// Copies one user meta into a new (unattached) user meta of `dst_batch`,
/// or returns NULL when it must be skipped.
///
/// # Safety
/// `src` is a live user meta; `dst_batch` a live batch.
unsafe fn copy_user(src: *mut NvDsUserMeta, dst_batch: *mut NvDsBatchMeta) -> *mut NvDsUserMeta {
    // SAFETY: src live; copy_func follows the user meta contract.
    unsafe {
        let s = &*src;
        let data = match (s.base_meta.copy_func, s.base_meta.release_func) {
            (Some(c), _) => c(src as gpointer, ptr::null_mut()),
            (None, None) => s.user_meta_data,
            (None, Some(_)) => return ptr::null_mut(),
        };
        let d = acquire(dst_batch, NVDS_USER_META) as *mut NvDsUserMeta;
        if d.is_null() {
            return d;
        }
        (*d).base_meta.meta_type = s.base_meta.meta_type;
        (*d).base_meta.uContext = s.base_meta.uContext;
        (*d).base_meta.copy_func = s.base_meta.copy_func;
        (*d).base_meta.release_func = s.base_meta.release_func;
        (*d).user_meta_data = data;
        d
    }
}

/// Copies each user meta of `src` into `dst_batch` and appends it to `*dst`.
///
/// # Safety
/// `src` is a well-formed user meta list; `dst` a live list field of a meta
/// of `dst_batch`.
unsafe fn copy_user_list(
    src: *mut GListAlias,
    dst_batch: *mut NvDsBatchMeta,
    dst: *mut *mut GListAlias,
) {
    if dst_batch.is_null() {
        return;
    }
    // SAFETY: dst batch live.
    let _g = unsafe { Guard::new(dst_batch) };
    // SAFETY: per contract; snapshot guards against copy_func touching src.
    unsafe {
        for u in list::snapshot(src) {
            let c = copy_user(u as *mut NvDsUserMeta, dst_batch);
            if !c.is_null() {
                *dst = list::append(*dst, c as *mut c_void);
            }
        }
    }
}

type GListAlias = glib_sys::GList;

/// Copies a user meta list into the batch's `batch_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_batch_user_meta_list(
    src_user_meta_list: *mut NvDsUserMetaList,
    dst_batch_meta: *mut NvDsBatchMeta,
) {
    if dst_batch_meta.is_null() {
        return;
    }
    // SAFETY: live batch.
    unsafe {
        copy_user_list(
            src_user_meta_list,
            dst_batch_meta,
            ptr::addr_of_mut!((*dst_batch_meta).batch_user_meta_list),
        )
    };
}

/// Copies a user meta list into the frame's `frame_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_frame_user_meta_list(
    src_user_meta_list: *mut NvDsUserMetaList,
    dst_frame_meta: *mut NvDsFrameMeta,
) {
    if dst_frame_meta.is_null() {
        return;
    }
    // SAFETY: live frame.
    unsafe {
        copy_user_list(
            src_user_meta_list,
            batch_of(dst_frame_meta),
            ptr::addr_of_mut!((*dst_frame_meta).frame_user_meta_list),
        )
    };
}

/// Copies a user meta list into the object's `obj_user_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_obj_user_meta_list(
    src_user_meta_list: *mut NvDsUserMetaList,
    dst_object_meta: *mut NvDsObjectMeta,
) {
    if dst_object_meta.is_null() {
        return;
    }
    // SAFETY: live object.
    unsafe {
        copy_user_list(
            src_user_meta_list,
            batch_of(dst_object_meta),
            ptr::addr_of_mut!((*dst_object_meta).obj_user_meta_list),
        )
    };
}

/// Deep copy of one label into a new unattached label of `dst_batch`.
unsafe fn dup_label(s: *mut NvDsLabelInfo, dst_batch: *mut NvDsBatchMeta) -> *mut NvDsLabelInfo {
    // SAFETY: s live, dst_batch live.
    unsafe {
        let d = acquire(dst_batch, NVDS_LABEL_INFO_META) as *mut NvDsLabelInfo;
        nvds_copy_label_info_meta(s, d);
        d
    }
}

/// Deep copy of one classifier (with labels) into `dst_batch`.
unsafe fn dup_classifier(
    s: *mut NvDsClassifierMeta,
    dst_batch: *mut NvDsBatchMeta,
) -> *mut NvDsClassifierMeta {
    // SAFETY: s live, dst_batch live.
    unsafe {
        let d = acquire(dst_batch, NVDS_CLASSIFIER_META) as *mut NvDsClassifierMeta;
        nvds_copy_classifier_meta(s, d);
        nvds_copy_label_info_list((*s).label_info_list, d);
        d
    }
}

/// Deep copy of one display meta into `dst_batch`.
unsafe fn dup_display(
    s: *mut NvDsDisplayMeta,
    dst_batch: *mut NvDsBatchMeta,
) -> *mut NvDsDisplayMeta {
    // SAFETY: s live, dst_batch live.
    unsafe {
        let d = acquire(dst_batch, NVDS_DISPLAY_META) as *mut NvDsDisplayMeta;
        nvds_copy_display_meta(s, d);
        d
    }
}

/// Deep copy of one object (with classifiers and user metas) into
/// `dst_batch`. `parent` is copied as is.
unsafe fn dup_obj(s: *mut NvDsObjectMeta, dst_batch: *mut NvDsBatchMeta) -> *mut NvDsObjectMeta {
    // SAFETY: s live, dst_batch live.
    unsafe {
        let d = acquire(dst_batch, NVDS_OBJ_META) as *mut NvDsObjectMeta;
        nvds_copy_obj_meta(s, d);
        nvds_copy_classification_list((*s).classifier_meta_list, d);
        nvds_copy_obj_user_meta_list((*s).obj_user_meta_list, d);
        d
    }
}

/// Deep copy of one frame (with objects, display and user metas).
unsafe fn dup_frame(s: *mut NvDsFrameMeta, dst_batch: *mut NvDsBatchMeta) -> *mut NvDsFrameMeta {
    // SAFETY: s live, dst_batch live.
    unsafe {
        let d = acquire(dst_batch, NVDS_FRAME_META) as *mut NvDsFrameMeta;
        nvds_copy_frame_meta(s, d);
        nvds_copy_obj_meta_list((*s).obj_meta_list, d);
        nvds_copy_display_meta_list((*s).display_meta_list, d);
        nvds_copy_frame_user_meta_list((*s).frame_user_meta_list, d);
        d
    }
}

/// Deep-copies a display meta list into the frame's `display_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_display_meta_list(
    src_display_meta_list: *mut NvDisplayMetaList,
    dst_frame_meta: *mut NvDsFrameMeta,
) {
    // SAFETY: live frame (or NULL).
    let batch = unsafe { batch_of(dst_frame_meta) };
    if batch.is_null() {
        return;
    }
    // SAFETY: live batch and frame; src list well formed.
    unsafe {
        let _g = Guard::new(batch);
        for s in list::snapshot(src_display_meta_list) {
            let d = dup_display(s as *mut NvDsDisplayMeta, batch);
            super::display::nvds_add_display_meta_to_frame(dst_frame_meta, d);
        }
    }
}

/// Deep-copies a frame meta list into the batch.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_frame_meta_list(
    src_frame_meta_list: *mut NvDsFrameMetaList,
    dst_batch_meta: *mut NvDsBatchMeta,
) {
    if dst_batch_meta.is_null() {
        return;
    }
    // SAFETY: live batch; src list well formed.
    unsafe {
        let _g = Guard::new(dst_batch_meta);
        for s in list::snapshot(src_frame_meta_list) {
            let d = dup_frame(s as *mut NvDsFrameMeta, dst_batch_meta);
            super::batch::nvds_add_frame_meta_to_batch(dst_batch_meta, d);
        }
    }
}

/// Deep-copies an object meta list into the frame (see the module docs for
/// how `parent` is mapped).
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_obj_meta_list(
    src_obj_meta_list: *mut NvDsObjectMetaList,
    dst_frame_meta: *mut NvDsFrameMeta,
) {
    // SAFETY: live frame (or NULL).
    let batch = unsafe { batch_of(dst_frame_meta) };
    if batch.is_null() {
        return;
    }
    // SAFETY: live batch and frame; src list well formed.
    unsafe {
        let _g = Guard::new(batch);
        let pairs: Vec<(*mut NvDsObjectMeta, *mut NvDsObjectMeta)> =
            list::snapshot(src_obj_meta_list)
                .into_iter()
                .map(|s| {
                    let s = s as *mut NvDsObjectMeta;
                    (s, dup_obj(s, batch))
                })
                .collect();
        for &(s, d) in &pairs {
            let p = (*s).parent;
            let parent = if p.is_null() {
                ptr::null_mut()
            } else if let Some(&(_, dp)) = pairs.iter().find(|(sp, _)| *sp == p) {
                dp
            } else if batch_of(s) == batch {
                p
            } else {
                ptr::null_mut()
            };
            super::object::nvds_add_obj_meta_to_frame(dst_frame_meta, d, parent);
        }
    }
}

/// Deep-copies a classifier meta list (with labels) into the object.
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_classification_list(
    src_classifier_meta_list: *mut NvDsClassifierMetaList,
    dst_object_meta: *mut NvDsObjectMeta,
) {
    // SAFETY: live object (or NULL).
    let batch = unsafe { batch_of(dst_object_meta) };
    if batch.is_null() {
        return;
    }
    // SAFETY: live batch and object; src list well formed.
    unsafe {
        let _g = Guard::new(batch);
        for s in list::snapshot(src_classifier_meta_list) {
            let d = dup_classifier(s as *mut NvDsClassifierMeta, batch);
            super::classifier::nvds_add_classifier_meta_to_object(dst_object_meta, d);
        }
    }
}

/// Copies a label info list into the classifier (raising `num_labels`).
#[no_mangle]
pub unsafe extern "C" fn nvds_copy_label_info_list(
    src_label_info_list: *mut NvDsLabelInfoList,
    dst_classifier_meta: *mut NvDsClassifierMeta,
) {
    // SAFETY: live classifier (or NULL).
    let batch = unsafe { batch_of(dst_classifier_meta) };
    if batch.is_null() {
        return;
    }
    // SAFETY: live batch and classifier; src list well formed.
    unsafe {
        let _g = Guard::new(batch);
        for s in list::snapshot(src_label_info_list) {
            let d = dup_label(s as *mut NvDsLabelInfo, batch);
            super::classifier::nvds_add_label_info_meta_to_classifier(dst_classifier_meta, d);
        }
    }
}

/// `base_meta.copy_func` of built-in metas: returns a new, unattached deep
/// copy (with children) of `data`, acquired from the batch `user_data`, or
/// from `data`'s own batch when `user_data` is NULL.
pub(crate) unsafe extern "C" fn builtin_copy_func(data: gpointer, user_data: gpointer) -> gpointer {
    if data.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: data is a built-in meta element (it carries this callback).
    unsafe {
        let base = data as *mut NvDsBaseMeta;
        let batch = if user_data.is_null() {
            (*base).batch_meta
        } else {
            user_data as *mut NvDsBatchMeta
        };
        if batch.is_null() {
            return ptr::null_mut();
        }
        let _g = Guard::new(batch);
        match (*base).meta_type {
            NVDS_FRAME_META => dup_frame(data as _, batch) as gpointer,
            NVDS_OBJ_META => dup_obj(data as _, batch) as gpointer,
            NVDS_CLASSIFIER_META => dup_classifier(data as _, batch) as gpointer,
            NVDS_DISPLAY_META => dup_display(data as _, batch) as gpointer,
            NVDS_LABEL_INFO_META => dup_label(data as _, batch) as gpointer,
            NVDS_BATCH_META => super::batch::nvds_batch_meta_copy_func(data, ptr::null_mut()),
            _ => ptr::null_mut(),
        }
    }
}

/// `base_meta.release_func` of built-in metas: releases `data` (with its
/// children) back to its pool. Only for elements not attached to a parent.
pub(crate) unsafe extern "C" fn builtin_release_func(data: gpointer, _user_data: gpointer) {
    if data.is_null() {
        return;
    }
    // SAFETY: data is a built-in meta element (it carries this callback).
    unsafe {
        let base = data as *mut NvDsBaseMeta;
        let kind = (*base).meta_type;
        if kind == NVDS_BATCH_META {
            super::batch::nvds_destroy_batch_meta(data as *mut NvDsBatchMeta);
            return;
        }
        if !matches!(
            kind,
            NVDS_FRAME_META
                | NVDS_OBJ_META
                | NVDS_CLASSIFIER_META
                | NVDS_DISPLAY_META
                | NVDS_LABEL_INFO_META
        ) {
            return;
        }
        let _g = Guard::new((*base).batch_meta);
        release::release_fn(kind)(data);
    }
}
