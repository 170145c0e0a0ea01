//! Classifier metas (on objects and rois) and their label infos.
use super::batch::acquire;
use super::lock::Guard;
use super::util::batch_of;
use super::{list, release, roi};
use crate::meta::*;
use std::os::raw::c_void;

/// Acquires a zeroed classifier meta.
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_classifier_meta_from_pool(
    batch_meta: *mut NvDsBatchMeta,
) -> *mut NvDsClassifierMeta {
    // SAFETY: forwarded contract.
    unsafe { acquire(batch_meta, NVDS_CLASSIFIER_META) as *mut NvDsClassifierMeta }
}

/// Appends a classifier meta to an object's `classifier_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_classifier_meta_to_object(
    obj_meta: *mut NvDsObjectMeta,
    classifier_meta: *mut NvDsClassifierMeta,
) {
    if obj_meta.is_null() || classifier_meta.is_null() {
        return;
    }
    // SAFETY: live object meta.
    let _g = unsafe { Guard::new(batch_of(obj_meta)) };
    // SAFETY: live object, locked.
    unsafe {
        (*obj_meta).classifier_meta_list = list::append(
            (*obj_meta).classifier_meta_list,
            classifier_meta as *mut c_void,
        );
    }
}

/// Unlinks a classifier meta from an object and releases it with its labels.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_classifier_meta_from_obj(
    obj_meta: *mut NvDsObjectMeta,
    classifier_meta: *mut NvDsClassifierMeta,
) {
    if obj_meta.is_null() || classifier_meta.is_null() {
        return;
    }
    // SAFETY: live object meta.
    let _g = unsafe { Guard::new(batch_of(obj_meta)) };
    // SAFETY: live object, locked.
    unsafe {
        if list::remove(
            &mut (*obj_meta).classifier_meta_list,
            classifier_meta as *mut c_void,
        ) {
            release::release_classifier(classifier_meta as *mut c_void);
        }
    }
}

/// Appends a classifier meta to a roi meta's `classifier_meta_list`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_classifier_meta_to_roi(
    roi_meta: *mut NvDsRoiMeta,
    classifier_meta: *mut NvDsClassifierMeta,
) {
    if roi_meta.is_null() || classifier_meta.is_null() {
        return;
    }
    // SAFETY: the classifier comes from a live batch.
    let _g = unsafe { Guard::new(batch_of(classifier_meta)) };
    let r = roi::fields(roi_meta);
    // SAFETY: live roi meta (C API contract), locked.
    unsafe {
        (*r).classifier_meta_list =
            list::append((*r).classifier_meta_list, classifier_meta as *mut c_void);
    }
}

/// Unlinks a classifier meta from a roi meta and releases it.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_classifier_meta_from_roi(
    roi_meta: *mut NvDsRoiMeta,
    classifier_meta: *mut NvDsClassifierMeta,
) {
    if roi_meta.is_null() || classifier_meta.is_null() {
        return;
    }
    // SAFETY: the classifier comes from a live batch.
    let _g = unsafe { Guard::new(batch_of(classifier_meta)) };
    let r = roi::fields(roi_meta);
    // SAFETY: live roi meta, locked.
    unsafe {
        if list::remove(
            &mut (*r).classifier_meta_list,
            classifier_meta as *mut c_void,
        ) {
            release::release_classifier(classifier_meta as *mut c_void);
        }
    }
}

/// Acquires a zeroed label info.
#[no_mangle]
pub unsafe extern "C" fn nvds_acquire_label_info_meta_from_pool(
    batch_meta: *mut NvDsBatchMeta,
) -> *mut NvDsLabelInfo {
    // SAFETY: forwarded contract.
    unsafe { acquire(batch_meta, NVDS_LABEL_INFO_META) as *mut NvDsLabelInfo }
}

/// Appends a label info to a classifier and increments `num_labels`.
#[no_mangle]
pub unsafe extern "C" fn nvds_add_label_info_meta_to_classifier(
    classifier_meta: *mut NvDsClassifierMeta,
    label_info_meta: *mut NvDsLabelInfo,
) {
    if classifier_meta.is_null() || label_info_meta.is_null() {
        return;
    }
    // SAFETY: live classifier meta.
    let _g = unsafe { Guard::new(batch_of(classifier_meta)) };
    // SAFETY: live classifier, locked.
    unsafe {
        (*classifier_meta).label_info_list = list::append(
            (*classifier_meta).label_info_list,
            label_info_meta as *mut c_void,
        );
        (*classifier_meta).num_labels += 1;
    }
}

/// Unlinks a label info from a classifier (decrementing `num_labels`) and
/// releases it.
#[no_mangle]
pub unsafe extern "C" fn nvds_remove_label_info_meta_from_classifier(
    classifier_meta: *mut NvDsClassifierMeta,
    label_info_meta: *mut NvDsLabelInfo,
) {
    if classifier_meta.is_null() || label_info_meta.is_null() {
        return;
    }
    // SAFETY: live classifier meta.
    let _g = unsafe { Guard::new(batch_of(classifier_meta)) };
    // SAFETY: live classifier, locked.
    unsafe {
        if list::remove(
            &mut (*classifier_meta).label_info_list,
            label_info_meta as *mut c_void,
        ) {
            (*classifier_meta).num_labels = (*classifier_meta).num_labels.saturating_sub(1);
            release::release_label(label_info_meta as *mut c_void);
        }
    }
}
