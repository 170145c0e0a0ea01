//! `NvDsFrameMeta`, the frame handle of `frames_mut`, and acquired meta.
use super::display::DisplayMeta;
use super::list::{self, Iter, IterMut, MetaKey};
use super::object::ObjectMeta;
use super::user::{acquire_filled, UserMeta, UserMetaData};
use super::{opaque_wrapper, scalar_field, MetaError, Opaque, RawLock};
use ds_sys::{NvDsBatchMeta, NvDsFrameMeta};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The metadata of one frame of a batch (transparent over
/// `NvDsFrameMeta`).
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let frame = batch.new_frame().unwrap();
/// frame.set_frame_num(42);
/// frame.set_source_frame_width(1280);
/// frame.new_object().unwrap().set_class_id(2);
/// assert_eq!(frame.frame_num(), 42);
/// assert_eq!(frame.num_obj_meta(), 1);
/// ```
#[repr(transparent)]
pub struct FrameMeta(Opaque<NvDsFrameMeta>);

opaque_wrapper!(
    FrameMeta,
    NvDsFrameMeta,
    "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
     let meta = batch.new_frame().unwrap();"
);

impl FrameMeta {
    scalar_field!(
        /// Pad index of the source (`pad_index`).
        pad_index, set_pad_index, pad_index: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Position of the frame in the batch (`batch_id`).
        batch_id, set_batch_id, batch_id: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Frame number of the source (`frame_num`).
        frame_num, set_frame_num, frame_num: i32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Presentation timestamp of the frame in nanoseconds (`buf_pts`).
        buf_pts, set_buf_pts, buf_pts: u64,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// NTP timestamp of the frame in nanoseconds (`ntp_timestamp`).
        ntp_timestamp, set_ntp_timestamp, ntp_timestamp: u64,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Source id of the frame (`source_id`).
        source_id, set_source_id, source_id: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Number of surfaces of the frame (`num_surfaces_per_frame`).
        num_surfaces_per_frame, set_num_surfaces_per_frame, num_surfaces_per_frame: i32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Width of the source frame (`source_frame_width`).
        source_frame_width, set_source_frame_width, source_frame_width: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Height of the source frame (`source_frame_height`).
        source_frame_height, set_source_frame_height, source_frame_height: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Surface type (`surface_type`; dewarper use).
        surface_type, set_surface_type, surface_type: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Index of the frame's surface in the batched buffer
        /// (`surface_index`).
        surface_index, set_surface_index, surface_index: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Width the pipeline scaled the frame to (`pipeline_width`).
        pipeline_width, set_pipeline_width, pipeline_width: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );
    scalar_field!(
        /// Height the pipeline scaled the frame to (`pipeline_height`).
        pipeline_height, set_pipeline_height, pipeline_height: u32,
        "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
         let meta = batch.new_frame().unwrap();"
    );

    /// Number of objects in the frame (`num_obj_meta`, kept by the add and
    /// remove functions).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_object().unwrap();
    /// frame.new_object().unwrap();
    /// assert_eq!(frame.num_obj_meta(), 2);
    /// ```
    pub fn num_obj_meta(&self) -> u32 {
        self.raw().num_obj_meta
    }

    /// Whether inference ran on this frame (`bInferDone`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.set_infer_done(true);
    /// assert!(frame.infer_done());
    /// ```
    pub fn infer_done(&self) -> bool {
        self.raw().bInferDone != 0
    }

    /// Sets `bInferDone`.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.set_infer_done(false);
    /// assert!(!frame.infer_done());
    /// ```
    pub fn set_infer_done(&mut self, done: bool) {
        // SAFETY: a plain scalar field; `&mut self` is exclusive.
        unsafe { (*self.0.get()).bInferDone = done as i32 };
    }

    /// User fields of the frame (`misc_frame_info`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.misc_frame_info_mut()[1] = 5;
    /// assert_eq!(frame.misc_frame_info(), &[0, 5, 0, 0]);
    /// ```
    pub fn misc_frame_info(&self) -> &[i64; ds_sys::MAX_USER_FIELDS] {
        &self.raw().misc_frame_info
    }

    /// Mutable user fields of the frame (`misc_frame_info`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.misc_frame_info_mut()[0] = 1;
    /// assert_eq!(frame.misc_frame_info()[0], 1);
    /// ```
    pub fn misc_frame_info_mut(&mut self) -> &mut [i64; ds_sys::MAX_USER_FIELDS] {
        // SAFETY: a plain array field; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).misc_frame_info }
    }

    /// The objects of the frame.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_object().unwrap().set_class_id(0);
    /// frame.new_object().unwrap().set_class_id(2);
    /// let classes: Vec<i32> = frame.objects().map(|o| o.class_id()).collect();
    /// assert_eq!(classes, [0, 2]);
    /// ```
    pub fn objects(&self) -> Iter<'_, ObjectMeta> {
        // SAFETY: the list holds live objects of this frame, unchanged while
        // self is borrowed.
        unsafe { Iter::new(self.raw().obj_meta_list) }
    }

    /// The objects of the frame, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_object().unwrap();
    /// for obj in frame.objects_mut() {
    ///     obj.rect_params_mut().border_width = 3;
    /// }
    /// assert_eq!(frame.objects().next().unwrap().rect_params().border_width, 3);
    /// ```
    pub fn objects_mut(&mut self) -> IterMut<'_, ObjectMeta> {
        // SAFETY: as in `objects`; exclusive through &mut self, and objects
        // are only added or removed through `&mut FrameMeta`.
        unsafe { IterMut::new(self.raw().obj_meta_list) }
    }

    /// Acquires an object meta from the pool and adds it to this frame (under
    /// the batch lock), with no parent. Returns the new object.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// let obj = frame.new_object().unwrap();
    /// obj.set_confidence(0.9);
    /// assert_eq!(frame.num_obj_meta(), 1);
    /// ```
    pub fn new_object(&mut self) -> Result<&mut ObjectMeta, MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: the frame's batch is live while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let obj = unsafe { ds_sys::nvds_acquire_obj_meta_from_pool(batch) };
        if obj.is_null() {
            return Err(MetaError::PoolExhausted { what: "object" });
        }
        // SAFETY: fresh object of this batch's pool, live frame.
        unsafe { ds_sys::nvds_add_obj_meta_to_frame(self.as_mut_ptr(), obj, std::ptr::null_mut()) };
        // SAFETY: live, exclusive through &mut self.
        Ok(unsafe { ObjectMeta::from_mut_ptr(obj) })
    }

    /// Removes the object named by `key` (returning it, its classifiers and
    /// user metas to the pools).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// let key = frame.new_object().unwrap().key();
    /// frame.remove_object(key).unwrap();
    /// assert_eq!(frame.num_obj_meta(), 0);
    /// ```
    pub fn remove_object(&mut self, key: MetaKey<ObjectMeta>) -> Result<(), MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: well-formed list.
        let item = unsafe { list::check_key(self.raw().obj_meta_list, key)? };
        // SAFETY: the object is in this frame's list.
        unsafe { ds_sys::nvds_remove_obj_meta_from_frame(self.as_mut_ptr(), item) };
        Ok(())
    }

    /// Keeps the objects for which `keep` returns true and removes the
    /// others; returns how many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_object().unwrap().set_confidence(0.2);
    /// frame.new_object().unwrap().set_confidence(0.8);
    /// assert_eq!(frame.retain_objects(|o| o.confidence() > 0.5), 1);
    /// assert_eq!(frame.num_obj_meta(), 1);
    /// ```
    pub fn retain_objects(&mut self, keep: impl FnMut(&ObjectMeta) -> bool) -> usize {
        let Ok(batch) = self.batch_or_err() else {
            return 0;
        };
        let frame = self.as_mut_ptr();
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this frame's objects; removal unlinks one.
        unsafe {
            list::retain(self.raw().obj_meta_list, keep, |p| {
                ds_sys::nvds_remove_obj_meta_from_frame(frame, p as *mut _)
            })
        }
    }

    /// The display metas of the frame.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_display_meta().unwrap().add_text("hi").unwrap();
    /// assert_eq!(frame.display_metas().next().unwrap().num_labels(), 1);
    /// ```
    pub fn display_metas(&self) -> Iter<'_, DisplayMeta> {
        // SAFETY: the list holds live display metas of this frame.
        unsafe { Iter::new(self.raw().display_meta_list) }
    }

    /// The display metas of the frame, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_display_meta().unwrap();
    /// for d in frame.display_metas_mut() {
    ///     d.add_line(Default::default()).unwrap();
    /// }
    /// assert_eq!(frame.display_metas().next().unwrap().num_lines(), 1);
    /// ```
    pub fn display_metas_mut(&mut self) -> IterMut<'_, DisplayMeta> {
        // SAFETY: as in `display_metas`, exclusive through &mut self.
        unsafe { IterMut::new(self.raw().display_meta_list) }
    }

    /// Acquires a display meta and adds it to this frame (under the batch
    /// lock). Returns the new display meta.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// let d = frame.new_display_meta().unwrap();
    /// d.add_text("Frame 1").unwrap().set_offsets(10, 12);
    /// assert_eq!(frame.display_metas().count(), 1);
    /// ```
    pub fn new_display_meta(&mut self) -> Result<&mut DisplayMeta, MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let d = unsafe { ds_sys::nvds_acquire_display_meta_from_pool(batch) };
        if d.is_null() {
            return Err(MetaError::PoolExhausted { what: "display" });
        }
        // SAFETY: fresh display meta of this batch's pool.
        unsafe { ds_sys::nvds_add_display_meta_to_frame(self.as_mut_ptr(), d) };
        // SAFETY: live, exclusive through &mut self.
        Ok(unsafe { DisplayMeta::from_mut_ptr(d) })
    }

    /// Removes the display meta named by `key`.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// let key = frame.new_display_meta().unwrap().key();
    /// frame.remove_display_meta(key).unwrap();
    /// assert_eq!(frame.display_metas().count(), 0);
    /// ```
    pub fn remove_display_meta(&mut self, key: MetaKey<DisplayMeta>) -> Result<(), MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: well-formed list.
        let item = unsafe { list::check_key(self.raw().display_meta_list, key)? };
        // SAFETY: the display meta is in this frame's list.
        unsafe { ds_sys::nvds_remove_display_meta_from_frame(self.as_mut_ptr(), item) };
        Ok(())
    }

    /// Keeps the display metas for which `keep` returns true; returns how
    /// many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.new_display_meta().unwrap();
    /// assert_eq!(frame.retain_display_metas(|d| d.num_rects() > 0), 1);
    /// ```
    pub fn retain_display_metas(&mut self, keep: impl FnMut(&DisplayMeta) -> bool) -> usize {
        let Ok(batch) = self.batch_or_err() else {
            return 0;
        };
        let frame = self.as_mut_ptr();
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this frame's display metas.
        unsafe {
            list::retain(self.raw().display_meta_list, keep, |p| {
                ds_sys::nvds_remove_display_meta_from_frame(frame, p as *mut _)
            })
        }
    }

    /// The user metas attached to the frame.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.add_user_meta(ds_core::UserData::new(1u16)).unwrap();
    /// assert_eq!(frame.user_metas().count(), 1);
    /// ```
    pub fn user_metas(&self) -> Iter<'_, UserMeta> {
        // SAFETY: the list holds live user metas of this frame.
        unsafe { Iter::new(self.raw().frame_user_meta_list) }
    }

    /// The user metas attached to the frame, mutably.
    ///
    /// ```
    /// use ds_core::UserData;
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.add_user_meta(UserData::new(1u16)).unwrap();
    /// let um = frame.user_metas_mut().next().unwrap();
    /// **um.downcast_mut::<UserData<u16>>().unwrap() = 9;
    /// assert_eq!(**frame.user_metas().next().unwrap().downcast::<UserData<u16>>().unwrap(), 9);
    /// ```
    pub fn user_metas_mut(&mut self) -> IterMut<'_, UserMeta> {
        // SAFETY: as in `user_metas`, exclusive through &mut self.
        unsafe { IterMut::new(self.raw().frame_user_meta_list) }
    }

    /// Acquires a user meta, moves `data` into it and attaches it to the
    /// frame (under the batch lock).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// let um = frame.add_user_meta(ds_core::UserData::new([1.0f32; 4])).unwrap();
    /// assert_eq!(um.meta_type(), ds_core::meta_type::rust_user_data());
    /// ```
    pub fn add_user_meta<T: UserMetaData>(&mut self, data: T) -> Result<&mut UserMeta, MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let um = unsafe { acquire_filled(batch, data)? };
        // SAFETY: fresh user meta of this batch's pool.
        unsafe { ds_sys::nvds_add_user_meta_to_frame(self.as_mut_ptr(), um) };
        // SAFETY: live, exclusive through &mut self.
        Ok(unsafe { UserMeta::from_mut_ptr(um) })
    }

    /// Removes the user meta named by `key` from the frame (its data is
    /// released).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// let key = frame.add_user_meta(ds_core::UserData::new(())).unwrap().key();
    /// frame.remove_user_meta(key).unwrap();
    /// assert_eq!(frame.user_metas().count(), 0);
    /// ```
    pub fn remove_user_meta(&mut self, key: MetaKey<UserMeta>) -> Result<(), MetaError> {
        let batch = self.batch_or_err()?;
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: well-formed list.
        let item = unsafe { list::check_key(self.raw().frame_user_meta_list, key)? };
        // SAFETY: the user meta is in this frame's list.
        unsafe { ds_sys::nvds_remove_user_meta_from_frame(self.as_mut_ptr(), item) };
        Ok(())
    }

    /// Keeps the frame user metas for which `keep` returns true; returns
    /// how many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.add_user_meta(ds_core::UserData::new(())).unwrap();
    /// assert_eq!(frame.retain_user_metas(|_| true), 0);
    /// ```
    pub fn retain_user_metas(&mut self, keep: impl FnMut(&UserMeta) -> bool) -> usize {
        let Ok(batch) = self.batch_or_err() else {
            return 0;
        };
        let frame = self.as_mut_ptr();
        // SAFETY: live batch while the frame is borrowed.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this frame's user metas.
        unsafe {
            list::retain(self.raw().frame_user_meta_list, keep, |p| {
                ds_sys::nvds_remove_user_meta_from_frame(frame, p as *mut _)
            })
        }
    }
}

/// A frame of a mutably borrowed batch (from
/// [`BatchMeta::frames_mut`](crate::BatchMeta::frames_mut)). Dereferences to
/// [`FrameMeta`], and can also acquire meta from the batch's pools first
/// and add it later ([`acquire_object`](Self::acquire_object) /
/// [`add_object`](Self::add_object)), the two-step pattern of DeepStream's
/// C and Python apps.
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// batch.new_frame().unwrap();
/// for mut frame in batch.frames_mut() {
///     let mut display = frame.acquire_display_meta().unwrap();
///     display.add_text("Person = 0").unwrap();
///     frame.add_display_meta(display).unwrap();
/// }
/// ```
pub struct FrameMut<'a> {
    frame: &'a mut FrameMeta,
    batch: *mut NvDsBatchMeta,
}

impl<'a> FrameMut<'a> {
    pub(crate) fn new(frame: &'a mut FrameMeta, batch: *mut NvDsBatchMeta) -> Self {
        FrameMut { frame, batch }
    }

    fn frame_ptr(&self) -> NonNull<NvDsFrameMeta> {
        // SAFETY: as_ptr of a reference is never NULL.
        unsafe { NonNull::new_unchecked(self.frame.as_ptr() as *mut NvDsFrameMeta) }
    }

    fn acquire<T: FrameChild>(&self) -> Result<Acquired<'a, T>, MetaError> {
        if self.batch.is_null() {
            return Err(MetaError::NoBatch);
        }
        // SAFETY: the batch is mutably borrowed for 'a, so live.
        let _lock = unsafe { RawLock::new(self.batch) };
        // SAFETY: live batch, locked.
        let p = unsafe { T::acquire(self.batch) };
        let ptr = NonNull::new(p as *mut T).ok_or(MetaError::PoolExhausted { what: T::WHAT })?;
        Ok(Acquired {
            ptr,
            frame: self.frame_ptr(),
            batch: self.batch,
            _t: PhantomData,
        })
    }

    fn add<T: FrameChild>(
        &mut self,
        item: Acquired<'a, T>,
        parent: *mut ds_sys::NvDsObjectMeta,
    ) -> Result<&mut T, MetaError> {
        if item.batch != self.batch {
            return Err(MetaError::ForeignBatch);
        }
        let item = std::mem::ManuallyDrop::new(item);
        let p = item.ptr.as_ptr() as *mut T::Raw;
        // SAFETY: the batch is live for 'a.
        let _lock = unsafe { RawLock::new(self.batch) };
        // SAFETY: p is an acquired, unattached element of this batch's pool.
        unsafe { T::add(self.frame.as_mut_ptr(), p, parent) };
        // SAFETY: live, in this frame, exclusive through &mut self.
        Ok(unsafe { &mut *(p as *mut T) })
    }

    /// Acquires an object meta from the batch's pool (under the lock). Add
    /// it with [`add_object`](Self::add_object); dropped unadded, it goes
    /// back to the pool.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.new_frame().unwrap();
    /// let mut frame = batch.frame_mut(0).unwrap();
    /// let obj = frame.acquire_object().unwrap();
    /// drop(obj); // back to the pool, not in the frame
    /// assert_eq!(frame.num_obj_meta(), 0);
    /// ```
    pub fn acquire_object(&self) -> Result<Acquired<'a, ObjectMeta>, MetaError> {
        self.acquire()
    }

    /// Adds an acquired object to this frame, optionally as a child of
    /// `parent` (an object of this frame).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.new_frame().unwrap();
    /// let mut frame = batch.frame_mut(0).unwrap();
    /// let car = frame.acquire_object().unwrap();
    /// let car_key = frame.add_object(car, None).unwrap().key();
    /// let plate = frame.acquire_object().unwrap();
    /// let plate = frame.add_object(plate, Some(car_key)).unwrap();
    /// assert_eq!(plate.parent().map(|p| p.key()), Some(car_key));
    /// ```
    pub fn add_object(
        &mut self,
        obj: Acquired<'a, ObjectMeta>,
        parent: Option<MetaKey<ObjectMeta>>,
    ) -> Result<&mut ObjectMeta, MetaError> {
        let parent = match parent {
            None => std::ptr::null_mut(),
            Some(k) => {
                // SAFETY: well-formed list.
                unsafe { list::check_key(self.frame.raw().obj_meta_list, k)? }
            }
        };
        self.add(obj, parent)
    }

    /// Acquires a display meta from the batch's pool. Add it with
    /// [`add_display_meta`](Self::add_display_meta); dropped unadded, it goes
    /// back to the pool.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.new_frame().unwrap();
    /// let frame = batch.frame_mut(0).unwrap();
    /// let mut d = frame.acquire_display_meta().unwrap();
    /// d.add_text("dropped").unwrap(); // freed with it
    /// ```
    pub fn acquire_display_meta(&self) -> Result<Acquired<'a, DisplayMeta>, MetaError> {
        self.acquire()
    }

    /// Adds an acquired display meta to this frame.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.new_frame().unwrap();
    /// let mut frame = batch.frame_mut(0).unwrap();
    /// let d = frame.acquire_display_meta().unwrap();
    /// frame.add_display_meta(d).unwrap();
    /// assert_eq!(frame.display_metas().count(), 1);
    /// ```
    pub fn add_display_meta(
        &mut self,
        display: Acquired<'a, DisplayMeta>,
    ) -> Result<&mut DisplayMeta, MetaError> {
        self.add(display, std::ptr::null_mut())
    }
}

impl Deref for FrameMut<'_> {
    type Target = FrameMeta;
    fn deref(&self) -> &FrameMeta {
        self.frame
    }
}

impl DerefMut for FrameMut<'_> {
    fn deref_mut(&mut self) -> &mut FrameMeta {
        self.frame
    }
}

impl fmt::Debug for FrameMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FrameMut").field(&self.frame).finish()
    }
}

/// Meta kinds that a [`FrameMut`] can acquire and add: [`ObjectMeta`] and
/// [`DisplayMeta`] (sealed).
///
/// ```
/// fn count<T: ds_core::FrameChild>(_: &ds_core::Acquired<'_, T>) -> usize { 1 }
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// batch.new_frame().unwrap();
/// let frame = batch.frame_mut(0).unwrap();
/// assert_eq!(count(&frame.acquire_object().unwrap()), 1);
/// ```
pub trait FrameChild: sealed::Sealed {
    #[doc(hidden)]
    type Raw;
    #[doc(hidden)]
    const WHAT: &'static str;
    #[doc(hidden)]
    unsafe fn acquire(batch: *mut NvDsBatchMeta) -> *mut Self::Raw;
    #[doc(hidden)]
    unsafe fn add(
        frame: *mut NvDsFrameMeta,
        p: *mut Self::Raw,
        parent: *mut ds_sys::NvDsObjectMeta,
    );
    #[doc(hidden)]
    unsafe fn remove(frame: *mut NvDsFrameMeta, p: *mut Self::Raw);
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ObjectMeta {}
    impl Sealed for super::DisplayMeta {}
}

impl FrameChild for ObjectMeta {
    type Raw = ds_sys::NvDsObjectMeta;
    const WHAT: &'static str = "object";
    unsafe fn acquire(batch: *mut NvDsBatchMeta) -> *mut Self::Raw {
        // SAFETY: caller passes a live, locked batch.
        unsafe { ds_sys::nvds_acquire_obj_meta_from_pool(batch) }
    }
    unsafe fn add(
        frame: *mut NvDsFrameMeta,
        p: *mut Self::Raw,
        parent: *mut ds_sys::NvDsObjectMeta,
    ) {
        // SAFETY: caller passes a live frame and an unattached object.
        unsafe { ds_sys::nvds_add_obj_meta_to_frame(frame, p, parent) }
    }
    unsafe fn remove(frame: *mut NvDsFrameMeta, p: *mut Self::Raw) {
        // SAFETY: caller passes an object of this frame.
        unsafe { ds_sys::nvds_remove_obj_meta_from_frame(frame, p) }
    }
}

impl FrameChild for DisplayMeta {
    type Raw = ds_sys::NvDsDisplayMeta;
    const WHAT: &'static str = "display";
    unsafe fn acquire(batch: *mut NvDsBatchMeta) -> *mut Self::Raw {
        // SAFETY: caller passes a live, locked batch.
        unsafe { ds_sys::nvds_acquire_display_meta_from_pool(batch) }
    }
    unsafe fn add(frame: *mut NvDsFrameMeta, p: *mut Self::Raw, _: *mut ds_sys::NvDsObjectMeta) {
        // SAFETY: caller passes a live frame and an unattached display meta.
        unsafe { ds_sys::nvds_add_display_meta_to_frame(frame, p) }
    }
    unsafe fn remove(frame: *mut NvDsFrameMeta, p: *mut Self::Raw) {
        // SAFETY: caller passes a display meta of this frame.
        unsafe { ds_sys::nvds_remove_display_meta_from_frame(frame, p) }
    }
}

/// Meta acquired from a batch's pool but not yet added to a frame.
/// Dereferences to the meta for filling in. Dropped without being added,
/// it returns to the pool (with any strings or children it holds).
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// batch.new_frame().unwrap();
/// let mut frame = batch.frame_mut(0).unwrap();
/// let mut obj: ds_core::Acquired<'_, ds_core::ObjectMeta> = frame.acquire_object().unwrap();
/// obj.set_obj_label("person");
/// let obj = frame.add_object(obj, None).unwrap();
/// assert_eq!(obj.obj_label(), "person");
/// ```
pub struct Acquired<'a, T: FrameChild> {
    ptr: NonNull<T>,
    frame: NonNull<NvDsFrameMeta>,
    batch: *mut NvDsBatchMeta,
    _t: PhantomData<&'a mut T>,
}

impl<T: FrameChild> Deref for Acquired<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the element is live (pool memory of a batch borrowed for
        // 'a) and owned by this handle.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: FrameChild> DerefMut for Acquired<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in deref; exclusive through &mut self.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T: FrameChild> Drop for Acquired<'_, T> {
    fn drop(&mut self) {
        // DeepStream has no "give back unattached meta" call; adding the
        // element to its frame and removing it again releases it to the
        // pool through the normal path (strings and children included),
        // leaving the frame's list and counters as they were.
        let p = self.ptr.as_ptr() as *mut T::Raw;
        // SAFETY: batch and frame are live for 'a; the element is an
        // unattached element of this batch's pool, owned by this handle.
        unsafe {
            let _lock = RawLock::new(self.batch);
            T::add(self.frame.as_ptr(), p, std::ptr::null_mut());
            T::remove(self.frame.as_ptr(), p);
        }
    }
}

impl<T: FrameChild + fmt::Debug> fmt::Debug for Acquired<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Acquired").field(&**self).finish()
    }
}
