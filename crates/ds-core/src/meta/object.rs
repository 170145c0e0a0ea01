//! `NvDsObjectMeta`: one detected object.
use super::classifier::ClassifierMeta;
use super::list::{self, Iter, IterMut, MetaKey};
use super::text::{read_label, write_label, TextParams};
use super::user::{acquire_filled, UserMeta, UserMetaData};
use super::{opaque_wrapper, scalar_field, MetaError, Opaque, RawLock};
use ds_sys::{NvBbox_Coords, NvDsObjectMeta, NvOSD_MaskParams, NvOSD_RectParams};

/// The metadata of one detected object (transparent over
/// `NvDsObjectMeta`).
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let obj = batch.new_frame().unwrap().new_object().unwrap();
/// obj.set_class_id(2);
/// obj.set_confidence(0.75);
/// obj.set_obj_label("person");
/// let r = obj.rect_params_mut();
/// r.left = 10.0;
/// r.width = 50.0;
/// obj.text_params_mut().set_display_text("person 0.75");
/// assert_eq!(obj.object_id(), ds_core::UNTRACKED_OBJECT_ID);
/// ```
#[repr(transparent)]
pub struct ObjectMeta(Opaque<NvDsObjectMeta>);

opaque_wrapper!(
    ObjectMeta,
    NvDsObjectMeta,
    "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
     let meta = batch.new_frame().unwrap().new_object().unwrap();"
);

impl ObjectMeta {
    scalar_field!(
        /// Class of the object (`class_id`).
        class_id, set_class_id, class_id: i32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap();"
    );
    scalar_field!(
        /// Tracking id (`object_id`); [`UNTRACKED_OBJECT_ID`](crate::UNTRACKED_OBJECT_ID)
        /// until a tracker sets it.
        object_id, set_object_id, object_id: u64,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap();"
    );
    scalar_field!(
        /// Detector confidence (`confidence`).
        confidence, set_confidence, confidence: f32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap();"
    );
    scalar_field!(
        /// Tracker confidence (`tracker_confidence`).
        tracker_confidence, set_tracker_confidence, tracker_confidence: f32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap();"
    );
    scalar_field!(
        /// Id of the component (e.g. `gie-unique-id`) that made the object
        /// (`unique_component_id`).
        unique_component_id, set_unique_component_id, unique_component_id: i32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap().new_object().unwrap();"
    );

    /// The box nvdsosd draws (`rect_params`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert_eq!(obj.rect_params().width, 0.0);
    /// ```
    pub fn rect_params(&self) -> &NvOSD_RectParams {
        &self.raw().rect_params
    }

    /// The box nvdsosd draws, mutably.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// let r = obj.rect_params_mut();
    /// r.border_width = 2;
    /// r.border_color = Color::RED.into();
    /// assert_eq!(obj.rect_params().border_color.red, 1.0);
    /// ```
    pub fn rect_params_mut(&mut self) -> &mut NvOSD_RectParams {
        // SAFETY: a plain-data field; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).rect_params }
    }

    /// The object's label text for nvdsosd (`text_params`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert_eq!(obj.text_params().display_text(), None);
    /// ```
    pub fn text_params(&self) -> &TextParams {
        // SAFETY: the field's display_text is owned by the object (freed by
        // the pool on release), as TextParams requires.
        unsafe { TextParams::from_raw(&self.raw().text_params) }
    }

    /// The object's label text, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.text_params_mut().set_display_text("car 1");
    /// obj.text_params_mut().set_display_text("car 2"); // frees "car 1"
    /// assert_eq!(obj.text_params().display_text(), Some("car 2"));
    /// ```
    pub fn text_params_mut(&mut self) -> &mut TextParams {
        // SAFETY: as in `text_params`; exclusive through &mut self.
        unsafe { TextParams::from_raw_mut(std::ptr::addr_of_mut!((*self.0.get()).text_params)) }
    }

    /// The instance mask (`mask_params`), read-only.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert!(obj.mask_params().data.is_null());
    /// ```
    pub fn mask_params(&self) -> &NvOSD_MaskParams {
        &self.raw().mask_params
    }

    /// The class label (`obj_label`), up to its NUL; cut before the first
    /// byte that is not UTF-8.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.set_obj_label("bicycle");
    /// assert_eq!(obj.obj_label(), "bicycle");
    /// ```
    pub fn obj_label(&self) -> &str {
        read_label(&self.raw().obj_label)
    }

    /// Sets the class label, truncated to 127 bytes on a character boundary
    /// (and cut at an interior NUL). Returns whether it was truncated.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert!(!obj.set_obj_label("car"));
    /// assert!(obj.set_obj_label(&"x".repeat(200)));
    /// assert_eq!(obj.obj_label().len(), 127);
    /// ```
    pub fn set_obj_label(&mut self, label: &str) -> bool {
        // SAFETY: a plain array field; `&mut self` is exclusive.
        write_label(unsafe { &mut (*self.0.get()).obj_label }, label)
    }

    /// The detector's unclipped box (`detector_bbox_info.org_bbox_coords`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.detector_bbox_mut().width = 4.0;
    /// assert_eq!(obj.detector_bbox().width, 4.0);
    /// ```
    pub fn detector_bbox(&self) -> &NvBbox_Coords {
        &self.raw().detector_bbox_info.org_bbox_coords
    }

    /// The detector's unclipped box, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.detector_bbox_mut().left = 1.5;
    /// assert_eq!(obj.detector_bbox().left, 1.5);
    /// ```
    pub fn detector_bbox_mut(&mut self) -> &mut NvBbox_Coords {
        // SAFETY: plain data; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).detector_bbox_info.org_bbox_coords }
    }

    /// The tracker's unclipped box (`tracker_bbox_info.org_bbox_coords`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert_eq!(obj.tracker_bbox().height, 0.0);
    /// ```
    pub fn tracker_bbox(&self) -> &NvBbox_Coords {
        &self.raw().tracker_bbox_info.org_bbox_coords
    }

    /// The tracker's unclipped box, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.tracker_bbox_mut().top = 2.0;
    /// assert_eq!(obj.tracker_bbox().top, 2.0);
    /// ```
    pub fn tracker_bbox_mut(&mut self) -> &mut NvBbox_Coords {
        // SAFETY: plain data; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).tracker_bbox_info.org_bbox_coords }
    }

    /// User fields of the object (`misc_obj_info`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert_eq!(obj.misc_obj_info(), &[0; 4]);
    /// ```
    pub fn misc_obj_info(&self) -> &[i64; ds_sys::MAX_USER_FIELDS] {
        &self.raw().misc_obj_info
    }

    /// Mutable user fields of the object (`misc_obj_info`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.misc_obj_info_mut()[2] = 8;
    /// assert_eq!(obj.misc_obj_info()[2], 8);
    /// ```
    pub fn misc_obj_info_mut(&mut self) -> &mut [i64; ds_sys::MAX_USER_FIELDS] {
        // SAFETY: plain data; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).misc_obj_info }
    }

    /// The parent object (`parent`), if any. A parent removed from its
    /// frame after the child was added is still returned (it stays in its
    /// pool's memory), as in DeepStream.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// assert!(obj.parent().is_none());
    /// ```
    pub fn parent(&self) -> Option<&ObjectMeta> {
        let p = self.raw().parent;
        if p.is_null() {
            None
        } else {
            // SAFETY: parents are object metas of the same batch's pool,
            // alive as long as the batch.
            Some(unsafe { ObjectMeta::from_ptr(p) })
        }
    }

    /// The classifier results of the object.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.new_classifier().unwrap().set_unique_component_id(2);
    /// assert_eq!(obj.classifiers().next().unwrap().unique_component_id(), 2);
    /// ```
    pub fn classifiers(&self) -> Iter<'_, ClassifierMeta> {
        // SAFETY: the list holds live classifier metas of this object.
        unsafe { Iter::new(self.raw().classifier_meta_list) }
    }

    /// The classifier results of the object, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.new_classifier().unwrap();
    /// for cls in obj.classifiers_mut() {
    ///     cls.new_label().unwrap().set_result_label("red");
    /// }
    /// assert_eq!(obj.classifiers().next().unwrap().labels().count(), 1);
    /// ```
    pub fn classifiers_mut(&mut self) -> IterMut<'_, ClassifierMeta> {
        // SAFETY: as in `classifiers`, exclusive through &mut self.
        unsafe { IterMut::new(self.raw().classifier_meta_list) }
    }

    /// Acquires a classifier meta and adds it to this object (under the
    /// batch lock). Returns the new classifier meta.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// let cls = obj.new_classifier().unwrap();
    /// cls.set_unique_component_id(3);
    /// assert_eq!(obj.classifiers().count(), 1);
    /// ```
    pub fn new_classifier(&mut self) -> Result<&mut ClassifierMeta, MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: the object's batch is live while the object is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let c = unsafe { ds_sys::nvds_acquire_classifier_meta_from_pool(batch) };
        if c.is_null() {
            return Err(MetaError::PoolExhausted { what: "classifier" });
        }
        // SAFETY: fresh classifier of this batch's pool.
        unsafe { ds_sys::nvds_add_classifier_meta_to_object(self.as_mut_ptr(), c) };
        // SAFETY: live, exclusive through &mut self.
        Ok(unsafe { ClassifierMeta::from_mut_ptr(c) })
    }

    /// Removes the classifier meta named by `key` (and its labels).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// let key = obj.new_classifier().unwrap().key();
    /// obj.remove_classifier(key).unwrap();
    /// assert_eq!(obj.classifiers().count(), 0);
    /// ```
    pub fn remove_classifier(&mut self, key: MetaKey<ClassifierMeta>) -> Result<(), MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the object is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: well-formed list.
        let item = unsafe { list::check_key(self.raw().classifier_meta_list, key)? };
        // SAFETY: the classifier is in this object's list.
        unsafe { ds_sys::nvds_remove_classifier_meta_from_obj(self.as_mut_ptr(), item) };
        Ok(())
    }

    /// Keeps the classifier metas for which `keep` returns true; returns
    /// how many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.new_classifier().unwrap().set_unique_component_id(1);
    /// obj.new_classifier().unwrap().set_unique_component_id(2);
    /// assert_eq!(obj.retain_classifiers(|c| c.unique_component_id() == 2), 1);
    /// ```
    pub fn retain_classifiers(&mut self, keep: impl FnMut(&ClassifierMeta) -> bool) -> usize {
        let Ok(batch) = self.batch_or_err() else {
            return 0;
        };
        let obj = self.as_mut_ptr();
        // SAFETY: live batch while the object is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this object's classifiers.
        unsafe {
            list::retain(self.raw().classifier_meta_list, keep, |p| {
                ds_sys::nvds_remove_classifier_meta_from_obj(obj, p as *mut _)
            })
        }
    }

    /// The user metas attached to the object.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.add_user_meta(ds_core::UserData::new(0.5f64)).unwrap();
    /// assert_eq!(obj.user_metas().count(), 1);
    /// ```
    pub fn user_metas(&self) -> Iter<'_, UserMeta> {
        // SAFETY: the list holds live user metas of this object.
        unsafe { Iter::new(self.raw().obj_user_meta_list) }
    }

    /// The user metas attached to the object, mutably.
    ///
    /// ```
    /// use ds_core::UserData;
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.add_user_meta(UserData::new(1i8)).unwrap();
    /// assert!(obj.user_metas_mut().all(|um| um.downcast_mut::<UserData<i8>>().is_some()));
    /// ```
    pub fn user_metas_mut(&mut self) -> IterMut<'_, UserMeta> {
        // SAFETY: as in `user_metas`, exclusive through &mut self.
        unsafe { IterMut::new(self.raw().obj_user_meta_list) }
    }

    /// Acquires a user meta, moves `data` into it and attaches it to the
    /// object (under the batch lock).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// let um = obj.add_user_meta(ds_core::UserData::new("plate: ABC")).unwrap();
    /// assert_eq!(**um.downcast::<ds_core::UserData<&str>>().unwrap(), "plate: ABC");
    /// ```
    pub fn add_user_meta<T: UserMetaData>(&mut self, data: T) -> Result<&mut UserMeta, MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the object is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let um = unsafe { acquire_filled(batch, data)? };
        // SAFETY: fresh user meta of this batch's pool.
        unsafe { ds_sys::nvds_add_user_meta_to_obj(self.as_mut_ptr(), um) };
        // SAFETY: live, exclusive through &mut self.
        Ok(unsafe { UserMeta::from_mut_ptr(um) })
    }

    /// Removes the user meta named by `key` from the object (its data is
    /// released).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// let key = obj.add_user_meta(ds_core::UserData::new(1u8)).unwrap().key();
    /// obj.remove_user_meta(key).unwrap();
    /// assert_eq!(obj.user_metas().count(), 0);
    /// ```
    pub fn remove_user_meta(&mut self, key: MetaKey<UserMeta>) -> Result<(), MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the object is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: well-formed list.
        let item = unsafe { list::check_key(self.raw().obj_user_meta_list, key)? };
        // SAFETY: the user meta is in this object's list.
        unsafe { ds_sys::nvds_remove_user_meta_from_object(self.as_mut_ptr(), item) };
        Ok(())
    }

    /// Keeps the object user metas for which `keep` returns true; returns
    /// how many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let obj = batch.new_frame().unwrap().new_object().unwrap();
    /// obj.add_user_meta(ds_core::UserData::new(1u8)).unwrap();
    /// assert_eq!(obj.retain_user_metas(|_| false), 1);
    /// ```
    pub fn retain_user_metas(&mut self, keep: impl FnMut(&UserMeta) -> bool) -> usize {
        let Ok(batch) = self.batch_or_err() else {
            return 0;
        };
        let obj = self.as_mut_ptr();
        // SAFETY: live batch while the object is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this object's user metas.
        unsafe {
            list::retain(self.raw().obj_user_meta_list, keep, |p| {
                ds_sys::nvds_remove_user_meta_from_object(obj, p as *mut _)
            })
        }
    }
}
