//! `NvDsClassifierMeta` and `NvDsLabelInfo`: classifier results.
use super::list::{self, Iter, IterMut, MetaKey};
use super::text::{read_label, write_label};
use super::{opaque_wrapper, scalar_field, MetaError, Opaque, RawLock};
use ds_sys::{NvDsClassifierMeta, NvDsLabelInfo};
use std::ffi::CStr;

/// The result of one classifier for an object (transparent over
/// `NvDsClassifierMeta`): a list of [`LabelInfo`].
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let obj = batch.new_frame().unwrap().new_object().unwrap();
/// let cls = obj.new_classifier().unwrap();
/// cls.set_unique_component_id(2);
/// let label = cls.new_label().unwrap();
/// label.set_result_label("blue");
/// label.set_result_prob(0.8);
/// let read: Vec<&str> = obj.classifiers().flat_map(|c| c.labels()).map(|l| l.result_label()).collect();
/// assert_eq!(read, ["blue"]);
/// ```
#[repr(transparent)]
pub struct ClassifierMeta(Opaque<NvDsClassifierMeta>);

opaque_wrapper!(
    ClassifierMeta,
    NvDsClassifierMeta,
    "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
     let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();"
);

impl ClassifierMeta {
    scalar_field!(
        /// Id of the classifier component (`unique_component_id`).
        unique_component_id, set_unique_component_id, unique_component_id: i32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();"
    );

    /// Number of labels (`num_labels`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// cls.new_label().unwrap();
    /// assert_eq!(cls.labels().count(), 1);
    /// let _ = cls.num_labels();
    /// ```
    pub fn num_labels(&self) -> u32 {
        self.raw().num_labels
    }

    /// Sets `num_labels` (the number of labels the classifier reports).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// cls.set_num_labels(1);
    /// assert_eq!(cls.num_labels(), 1);
    /// ```
    pub fn set_num_labels(&mut self, n: u32) {
        // SAFETY: a plain scalar field; `&mut self` is exclusive.
        unsafe { (*self.0.get()).num_labels = n };
    }

    /// The classifier type (`classifier_type`), if set.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// assert_eq!(cls.classifier_type(), None);
    /// ```
    pub fn classifier_type(&self) -> Option<&CStr> {
        let p = self.raw().classifier_type;
        if p.is_null() {
            None
        } else {
            // SAFETY: a non-NULL classifier_type is a NUL-terminated string
            // that outlives the meta (the component's own string).
            Some(unsafe { CStr::from_ptr(p) })
        }
    }

    /// Sets the classifier type. The meta does not own this string (nvinfer
    /// stores its own), hence `'static`.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// cls.set_classifier_type(c"vehicletype");
    /// assert_eq!(cls.classifier_type(), Some(c"vehicletype"));
    /// ```
    pub fn set_classifier_type(&mut self, kind: &'static CStr) {
        // SAFETY: a pointer field that the meta never frees; `&mut self`
        // is exclusive.
        unsafe { (*self.0.get()).classifier_type = kind.as_ptr() };
    }

    /// The labels of this result.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// cls.new_label().unwrap().set_result_class_id(4);
    /// assert_eq!(cls.labels().next().unwrap().result_class_id(), 4);
    /// ```
    pub fn labels(&self) -> Iter<'_, LabelInfo> {
        // SAFETY: the list holds live label metas of this classifier.
        unsafe { Iter::new(self.raw().label_info_list) }
    }

    /// The labels of this result, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// cls.new_label().unwrap();
    /// cls.labels_mut().for_each(|l| l.set_label_id(1));
    /// assert_eq!(cls.labels().next().unwrap().label_id(), 1);
    /// ```
    pub fn labels_mut(&mut self) -> IterMut<'_, LabelInfo> {
        // SAFETY: as in `labels`, exclusive through &mut self.
        unsafe { IterMut::new(self.raw().label_info_list) }
    }

    /// Acquires a label meta and adds it to this classifier (under the
    /// batch lock). Returns the new label.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// let l = cls.new_label().unwrap();
    /// l.set_result_label("sedan");
    /// assert_eq!(cls.labels().next().unwrap().result_label(), "sedan");
    /// ```
    pub fn new_label(&mut self) -> Result<&mut LabelInfo, MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: the batch is live while the classifier is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let l = unsafe { ds_sys::nvds_acquire_label_info_meta_from_pool(batch) };
        if l.is_null() {
            return Err(MetaError::PoolExhausted { what: "label" });
        }
        // SAFETY: fresh label of this batch's pool.
        unsafe { ds_sys::nvds_add_label_info_meta_to_classifier(self.as_mut_ptr(), l) };
        // SAFETY: live, exclusive through &mut self.
        Ok(unsafe { LabelInfo::from_mut_ptr(l) })
    }

    /// Removes the label named by `key`.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// let key = cls.new_label().unwrap().key();
    /// cls.remove_label(key).unwrap();
    /// assert_eq!(cls.labels().count(), 0);
    /// ```
    pub fn remove_label(&mut self, key: MetaKey<LabelInfo>) -> Result<(), MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the classifier is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: well-formed list.
        let item = unsafe { list::check_key(self.raw().label_info_list, key)? };
        // SAFETY: the label is in this classifier's list.
        unsafe { ds_sys::nvds_remove_label_info_meta_from_classifier(self.as_mut_ptr(), item) };
        Ok(())
    }

    /// Keeps the labels for which `keep` returns true; returns how many
    /// were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// cls.new_label().unwrap().set_result_prob(0.1);
    /// assert_eq!(cls.retain_labels(|l| l.result_prob() > 0.5), 1);
    /// ```
    pub fn retain_labels(&mut self, keep: impl FnMut(&LabelInfo) -> bool) -> usize {
        let Ok(batch) = self.batch_or_err() else {
            return 0;
        };
        let cls = self.as_mut_ptr();
        // SAFETY: live batch while the classifier is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this classifier's labels.
        unsafe {
            list::retain(self.raw().label_info_list, keep, |p| {
                ds_sys::nvds_remove_label_info_meta_from_classifier(cls, p as *mut _)
            })
        }
    }
}

/// One label of a classifier result (transparent over `NvDsLabelInfo`).
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
/// let l = cls.new_label().unwrap();
/// l.set_result_label("truck");
/// l.set_result_class_id(3);
/// l.set_result_prob(0.6);
/// assert_eq!((l.result_label(), l.result_class_id()), ("truck", 3));
/// ```
#[repr(transparent)]
pub struct LabelInfo(Opaque<NvDsLabelInfo>);

opaque_wrapper!(
    LabelInfo,
    NvDsLabelInfo,
    "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
     let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap().new_label().unwrap();"
);

impl LabelInfo {
    scalar_field!(
        /// Number of classes of the classifier (`num_classes`).
        num_classes, set_num_classes, num_classes: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap().new_label().unwrap();"
    );
    scalar_field!(
        /// Class id of the result (`result_class_id`).
        result_class_id, set_result_class_id, result_class_id: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap().new_label().unwrap();"
    );
    scalar_field!(
        /// Label id for multi-label classifiers (`label_id`).
        label_id, set_label_id, label_id: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap().new_label().unwrap();"
    );
    scalar_field!(
        /// Probability of the result (`result_prob`).
        result_prob, set_result_prob, result_prob: f32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap().new_label().unwrap();"
    );

    /// The result label (inline `result_label`), up to its NUL; cut before
    /// the first byte that is not UTF-8.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// let l = cls.new_label().unwrap();
    /// assert_eq!(l.result_label(), "");
    /// ```
    pub fn result_label(&self) -> &str {
        read_label(&self.raw().result_label)
    }

    /// Sets the result label, truncated to 127 bytes on a character
    /// boundary; returns whether it was truncated.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// let l = cls.new_label().unwrap();
    /// assert!(!l.set_result_label("honda"));
    /// assert_eq!(l.result_label(), "honda");
    /// ```
    pub fn set_result_label(&mut self, label: &str) -> bool {
        // SAFETY: a plain array field; `&mut self` is exclusive.
        write_label(unsafe { &mut (*self.0.get()).result_label }, label)
    }

    /// The long form of the label (`pResult_label`, used by classifiers
    /// whose labels exceed the inline array), if set.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let cls = batch.new_frame().unwrap().new_object().unwrap().new_classifier().unwrap();
    /// assert!(cls.new_label().unwrap().p_result_label().is_none());
    /// ```
    pub fn p_result_label(&self) -> Option<&CStr> {
        let p = self.raw().pResult_label;
        if p.is_null() {
            None
        } else {
            // SAFETY: a non-NULL pResult_label is a NUL-terminated string
            // kept alive with the label meta.
            Some(unsafe { CStr::from_ptr(p) })
        }
    }
}
