//! `NvDsBatchMeta`: the batch, its lock, and the owned batch.
use super::frame::{FrameMeta, FrameMut};
use super::list::{self, Iter, IterMut, MetaKey};
use super::user::{acquire_filled, UserMeta, UserMetaData};
use super::{opaque_wrapper, MetaError, Opaque, RawLock};
use ds_sys::NvDsBatchMeta;
use gstreamer as gst;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The metadata of a batch of frames (transparent over `NvDsBatchMeta`).
///
/// Borrowed from a buffer with [`from_buffer`](Self::from_buffer) /
/// [`from_buffer_mut`](Self::from_buffer_mut), or owned through
/// [`OwnedBatchMeta`].
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(4).unwrap();
/// batch.new_frame().unwrap().set_source_id(2);
/// assert_eq!(batch.max_frames_in_batch(), 4);
/// assert_eq!(batch.num_frames_in_batch(), 1);
/// assert_eq!(batch.frames().next().unwrap().source_id(), 2);
/// ```
#[repr(transparent)]
pub struct BatchMeta(Opaque<NvDsBatchMeta>);

opaque_wrapper!(
    BatchMeta,
    NvDsBatchMeta,
    "let mut meta = ds_core::OwnedBatchMeta::new(1).unwrap();"
);

impl BatchMeta {
    /// The batch meta of `buffer`, if it carries one (what
    /// `gst_buffer_get_nvds_batch_meta` finds, e.g. after `nvstreammux`).
    ///
    /// ```
    /// ds_core::init().unwrap();
    /// let buffer = gstreamer::Buffer::new();
    /// assert!(ds_core::BatchMeta::from_buffer(&buffer).is_none());
    /// ```
    pub fn from_buffer(buffer: &gst::BufferRef) -> Option<&BatchMeta> {
        // SAFETY: the buffer is valid for the borrow; the function only reads
        // its metas. The batch meta lives as long as the buffer's meta, which
        // cannot be removed while the buffer is borrowed.
        let p = unsafe { ds_sys::gst_buffer_get_nvds_batch_meta(buffer.as_mut_ptr()) };
        // SAFETY: non-NULL results point to a live batch meta (see above).
        NonNull::new(p).map(|p| unsafe { BatchMeta::from_ptr(p.as_ptr()) })
    }

    /// The batch meta of a writable buffer, for modification.
    ///
    /// ```
    /// ds_core::init().unwrap();
    /// let mut buffer = gstreamer::Buffer::new();
    /// ds_core::OwnedBatchMeta::new(1).unwrap().attach(buffer.make_mut()).unwrap();
    /// let batch = ds_core::BatchMeta::from_buffer_mut(buffer.make_mut()).unwrap();
    /// batch.new_frame().unwrap();
    /// assert_eq!(batch.num_frames_in_batch(), 1);
    /// ```
    pub fn from_buffer_mut(buffer: &mut gst::BufferRef) -> Option<&mut BatchMeta> {
        // SAFETY: as in `from_buffer`; a writable buffer holds the only
        // reference to its batch meta (buffer copies deep-copy it).
        let p = unsafe { ds_sys::gst_buffer_get_nvds_batch_meta(buffer.as_mut_ptr()) };
        // SAFETY: as in `from_buffer`; exclusive through `&mut buffer`.
        NonNull::new(p).map(|p| unsafe { BatchMeta::from_mut_ptr(p.as_ptr()) })
    }

    /// Capacity of the batch (`max_frames_in_batch`).
    ///
    /// ```
    /// assert_eq!(ds_core::OwnedBatchMeta::new(8).unwrap().max_frames_in_batch(), 8);
    /// ```
    pub fn max_frames_in_batch(&self) -> u32 {
        self.raw().max_frames_in_batch
    }

    /// Number of frames in the batch (`num_frames_in_batch`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(2).unwrap();
    /// assert_eq!(batch.num_frames_in_batch(), 0);
    /// batch.new_frame().unwrap();
    /// assert_eq!(batch.num_frames_in_batch(), 1);
    /// ```
    pub fn num_frames_in_batch(&self) -> u32 {
        self.raw().num_frames_in_batch
    }

    /// User fields of the batch (`misc_batch_info`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.misc_batch_info_mut()[0] = 7;
    /// assert_eq!(batch.misc_batch_info()[0], 7);
    /// ```
    pub fn misc_batch_info(&self) -> &[i64; ds_sys::MAX_USER_FIELDS] {
        &self.raw().misc_batch_info
    }

    /// Mutable user fields of the batch (`misc_batch_info`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.misc_batch_info_mut()[3] = -1;
    /// assert_eq!(batch.misc_batch_info()[3], -1);
    /// ```
    pub fn misc_batch_info_mut(&mut self) -> &mut [i64; ds_sys::MAX_USER_FIELDS] {
        // SAFETY: a plain array field; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).misc_batch_info }
    }

    /// The frames of the batch.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(2).unwrap();
    /// batch.new_frame().unwrap().set_batch_id(0);
    /// batch.new_frame().unwrap().set_batch_id(1);
    /// let ids: Vec<u32> = batch.frames().map(|f| f.batch_id()).collect();
    /// assert_eq!(ids, [0, 1]);
    /// ```
    pub fn frames(&self) -> Iter<'_, FrameMeta> {
        // SAFETY: the frame list holds live frame metas owned by this batch,
        // unchanged while `self` is borrowed.
        unsafe { Iter::new(self.raw().frame_meta_list) }
    }

    /// The frames of the batch, as handles that can acquire and add meta
    /// (see [`FrameMut`]).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.new_frame().unwrap();
    /// for mut frame in batch.frames_mut() {
    ///     let mut obj = frame.acquire_object().unwrap();
    ///     obj.set_class_id(2);
    ///     frame.add_object(obj, None).unwrap();
    /// }
    /// assert_eq!(batch.frames().next().unwrap().num_obj_meta(), 1);
    /// ```
    pub fn frames_mut(&mut self) -> FramesMut<'_> {
        FramesMut {
            // SAFETY: as in `frames`, exclusive through `&mut self`; frames are
            // only added or removed through `&mut BatchMeta`, which the
            // iterator borrows.
            inner: unsafe { IterMut::new(self.raw().frame_meta_list) },
            batch: self.as_mut_ptr(),
        }
    }

    /// The `index`th frame, if there is one.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(2).unwrap();
    /// batch.new_frame().unwrap().set_pad_index(5);
    /// assert_eq!(batch.frame(0).unwrap().pad_index(), 5);
    /// assert!(batch.frame(1).is_none());
    /// ```
    pub fn frame(&self, index: usize) -> Option<&FrameMeta> {
        self.frames().nth(index)
    }

    /// A handle to the `index`th frame, if there is one.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(2).unwrap();
    /// batch.new_frame().unwrap();
    /// let mut frame = batch.frame_mut(0).unwrap();
    /// frame.set_frame_num(9);
    /// assert_eq!(batch.frame(0).unwrap().frame_num(), 9);
    /// ```
    pub fn frame_mut(&mut self, index: usize) -> Option<FrameMut<'_>> {
        self.frames_mut().nth(index)
    }

    /// Acquires a frame meta from the pool and adds it to the batch (under
    /// the batch lock). Returns the new frame.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let frame = batch.new_frame().unwrap();
    /// frame.set_source_frame_width(1920);
    /// assert_eq!(batch.frames().count(), 1);
    /// ```
    pub fn new_frame(&mut self) -> Result<&mut FrameMeta, MetaError> {
        let batch = self.as_mut_ptr();
        // SAFETY: the batch is live for the borrow of self.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let f = unsafe { ds_sys::nvds_acquire_frame_meta_from_pool(batch) };
        if f.is_null() {
            return Err(MetaError::PoolExhausted { what: "frame" });
        }
        // SAFETY: f is a fresh frame of this batch's pool.
        unsafe { ds_sys::nvds_add_frame_meta_to_batch(batch, f) };
        // SAFETY: f is live and in this batch, exclusive through &mut self.
        Ok(unsafe { FrameMeta::from_mut_ptr(f) })
    }

    /// Removes the frame named by `key` (returning it and everything under
    /// it to the pools).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let key = batch.new_frame().unwrap().key();
    /// batch.remove_frame(key).unwrap();
    /// assert_eq!(batch.num_frames_in_batch(), 0);
    /// ```
    pub fn remove_frame(&mut self, key: MetaKey<FrameMeta>) -> Result<(), MetaError> {
        let batch = self.as_mut_ptr();
        // SAFETY: live batch for the borrow of self.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the frame list is well formed.
        let item = unsafe { list::check_key(self.raw().frame_meta_list, key)? };
        // SAFETY: the frame is in this batch's list.
        unsafe { ds_sys::nvds_remove_frame_meta_from_batch(batch, item) };
        Ok(())
    }

    /// Keeps the frames for which `keep` returns true and removes the
    /// others; returns how many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(3).unwrap();
    /// for i in 0..3 {
    ///     batch.new_frame().unwrap().set_source_id(i);
    /// }
    /// assert_eq!(batch.retain_frames(|f| f.source_id() != 1), 1);
    /// assert_eq!(batch.num_frames_in_batch(), 2);
    /// ```
    pub fn retain_frames(&mut self, keep: impl FnMut(&FrameMeta) -> bool) -> usize {
        let batch = self.as_mut_ptr();
        // SAFETY: live batch for the borrow of self.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this batch's frames; each removal only
        // unlinks that frame.
        unsafe {
            list::retain(self.raw().frame_meta_list, keep, |p| {
                ds_sys::nvds_remove_frame_meta_from_batch(batch, p as *mut _)
            })
        }
    }

    /// The user metas attached to the batch.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.add_user_meta(ds_core::UserData::new(1u8)).unwrap();
    /// assert_eq!(batch.user_metas().count(), 1);
    /// ```
    pub fn user_metas(&self) -> Iter<'_, UserMeta> {
        // SAFETY: the list holds live user metas of this batch, unchanged
        // while self is borrowed.
        unsafe { Iter::new(self.raw().batch_user_meta_list) }
    }

    /// The user metas attached to the batch, mutably.
    ///
    /// ```
    /// use ds_core::UserData;
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.add_user_meta(UserData::new(1u8)).unwrap();
    /// for um in batch.user_metas_mut() {
    ///     **um.downcast_mut::<UserData<u8>>().unwrap() += 1;
    /// }
    /// assert_eq!(**batch.user_metas().next().unwrap().downcast::<UserData<u8>>().unwrap(), 2);
    /// ```
    pub fn user_metas_mut(&mut self) -> IterMut<'_, UserMeta> {
        // SAFETY: as in `user_metas`, exclusive through &mut self.
        unsafe { IterMut::new(self.raw().batch_user_meta_list) }
    }

    /// Acquires a user meta, moves `data` into it and attaches it to the
    /// batch (under the batch lock).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let um = batch.add_user_meta(ds_core::UserData::new("run-1")).unwrap();
    /// assert!(um.downcast::<ds_core::UserData<&str>>().is_some());
    /// ```
    pub fn add_user_meta<T: UserMetaData>(&mut self, data: T) -> Result<&mut UserMeta, MetaError> {
        let batch = self.as_mut_ptr();
        // SAFETY: live batch for the borrow of self.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: live batch, locked.
        let um = unsafe { acquire_filled(batch, data)? };
        // SAFETY: um is a fresh user meta of this batch's pool.
        unsafe { ds_sys::nvds_add_user_meta_to_batch(batch, um) };
        // SAFETY: live and exclusive through &mut self.
        Ok(unsafe { UserMeta::from_mut_ptr(um) })
    }

    /// Removes the user meta named by `key` from the batch (its data is
    /// released).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let key = batch.add_user_meta(ds_core::UserData::new(0u8)).unwrap().key();
    /// batch.remove_user_meta(key).unwrap();
    /// assert_eq!(batch.user_metas().count(), 0);
    /// ```
    pub fn remove_user_meta(&mut self, key: MetaKey<UserMeta>) -> Result<(), MetaError> {
        let batch = self.as_mut_ptr();
        // SAFETY: live batch for the borrow of self.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list is well formed.
        let item = unsafe { list::check_key(self.raw().batch_user_meta_list, key)? };
        // SAFETY: the user meta is in this batch's list.
        unsafe { ds_sys::nvds_remove_user_meta_from_batch(batch, item) };
        Ok(())
    }

    /// Keeps the batch user metas for which `keep` returns true; returns
    /// how many were removed.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.add_user_meta(ds_core::UserData::new(0u8)).unwrap();
    /// assert_eq!(batch.retain_user_metas(|_| false), 1);
    /// ```
    pub fn retain_user_metas(&mut self, keep: impl FnMut(&UserMeta) -> bool) -> usize {
        let batch = self.as_mut_ptr();
        // SAFETY: live batch for the borrow of self.
        let _lock = unsafe { RawLock::new(batch) };
        // SAFETY: the list holds this batch's user metas.
        unsafe {
            list::retain(self.raw().batch_user_meta_list, keep, |p| {
                ds_sys::nvds_remove_user_meta_from_batch(batch, p as *mut _)
            })
        }
    }

    /// A deep copy of the batch (`nvds_batch_meta_copy_func`, what a buffer
    /// copy does): frames, objects, classifiers, labels, display metas,
    /// strings, and user metas through their `copy_func`.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// batch.new_frame().unwrap().new_object().unwrap().set_obj_label("dog");
    /// let copy = batch.try_copy().unwrap();
    /// let obj = copy.frames().next().unwrap().objects().next().unwrap();
    /// assert_eq!(obj.obj_label(), "dog");
    /// ```
    pub fn try_copy(&self) -> Result<OwnedBatchMeta, MetaError> {
        // SAFETY: the batch is live; the copy function only reads it (under
        // its lock) and returns a new batch that we own.
        let p = unsafe {
            ds_sys::nvds_batch_meta_copy_func(self.as_ptr() as *mut _, std::ptr::null_mut())
        };
        let ptr = NonNull::new(p as *mut NvDsBatchMeta).ok_or(MetaError::CreateFailed)?;
        Ok(OwnedBatchMeta {
            ptr,
            _own: PhantomData,
        })
    }

    /// Takes the batch lock (`nvds_acquire_meta_lock`) until the guard is
    /// dropped. The lock is recursive: the methods of the guarded batch,
    /// which lock again, work through the guard.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// {
    ///     let mut locked = batch.lock();
    ///     locked.new_frame().unwrap(); // locks again: fine
    /// }
    /// assert_eq!(batch.num_frames_in_batch(), 1);
    /// ```
    pub fn lock(&mut self) -> MetaLock<'_> {
        // SAFETY: the batch is live for the borrow of self.
        unsafe { ds_sys::nvds_acquire_meta_lock(self.as_mut_ptr()) };
        MetaLock { batch: self }
    }
}

/// Iterator of [`BatchMeta::frames_mut`].
pub struct FramesMut<'a> {
    inner: IterMut<'a, FrameMeta>,
    batch: *mut NvDsBatchMeta,
}

impl<'a> Iterator for FramesMut<'a> {
    type Item = FrameMut<'a>;
    fn next(&mut self) -> Option<FrameMut<'a>> {
        let frame = self.inner.next()?;
        Some(FrameMut::new(frame, self.batch))
    }
}

impl fmt::Debug for FramesMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FramesMut")
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

/// The batch lock, held until dropped; dereferences to the batch.
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let mut guard: ds_core::MetaLock<'_> = batch.lock();
/// guard.new_frame().unwrap();
/// drop(guard);
/// ```
pub struct MetaLock<'a> {
    batch: &'a mut BatchMeta,
}

impl Deref for MetaLock<'_> {
    type Target = BatchMeta;
    fn deref(&self) -> &BatchMeta {
        self.batch
    }
}

impl DerefMut for MetaLock<'_> {
    fn deref_mut(&mut self) -> &mut BatchMeta {
        self.batch
    }
}

impl Drop for MetaLock<'_> {
    fn drop(&mut self) {
        // SAFETY: locked in `BatchMeta::lock` on this thread (the guard is
        // !Send: it holds a reference to a !Sync type).
        unsafe { ds_sys::nvds_release_meta_lock(self.batch.as_mut_ptr()) };
    }
}

impl fmt::Debug for MetaLock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MetaLock").field(&self.batch).finish()
    }
}

/// A batch meta owned by Rust (`nvds_create_batch_meta`), destroyed on drop
/// unless [`attach`](Self::attach)ed to a buffer. Dereferences to
/// [`BatchMeta`].
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(2).unwrap();
/// let frame = batch.new_frame().unwrap();
/// frame.new_object().unwrap().set_class_id(1);
/// assert_eq!(batch.frames().next().unwrap().objects().count(), 1);
/// // dropped here: every meta returns to the pools, the pools are freed
/// ```
pub struct OwnedBatchMeta {
    ptr: NonNull<NvDsBatchMeta>,
    _own: PhantomData<NvDsBatchMeta>,
}

impl OwnedBatchMeta {
    /// Creates a batch meta (and its pools) for up to `max_batch_size`
    /// frames.
    ///
    /// ```
    /// let batch = ds_core::OwnedBatchMeta::new(4).unwrap();
    /// assert_eq!(batch.max_frames_in_batch(), 4);
    /// ```
    pub fn new(max_batch_size: u32) -> Result<OwnedBatchMeta, MetaError> {
        // SAFETY: no preconditions.
        let p = unsafe { ds_sys::nvds_create_batch_meta(max_batch_size) };
        let ptr = NonNull::new(p).ok_or(MetaError::CreateFailed)?;
        // SAFETY: a fresh batch, ours alone. nvstreammux sets these after
        // creating a batch; nvds_batch_meta_copy_func relies on them.
        unsafe {
            let b = ptr.as_ptr();
            (*b).base_meta.batch_meta = b;
            (*b).base_meta.meta_type = ds_sys::NVDS_BATCH_META;
            (*b).base_meta.copy_func = Some(ds_sys::nvds_batch_meta_copy_func);
            (*b).base_meta.release_func = Some(ds_sys::nvds_batch_meta_release_func);
            (*b).max_frames_in_batch = max_batch_size;
        }
        Ok(OwnedBatchMeta {
            ptr,
            _own: PhantomData,
        })
    }

    /// Attaches the batch to `buffer` as its `NvDsMeta`
    /// (`NVDS_BATCH_GST_META`, the way `nvstreammux` does); the buffer owns
    /// it from then on. Returns the attached batch, or gives `self` back
    /// when the buffer already carries a batch meta.
    ///
    /// ```
    /// ds_core::init().unwrap();
    /// let mut buffer = gstreamer::Buffer::new();
    /// let batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let attached = batch.attach(buffer.make_mut()).unwrap();
    /// attached.new_frame().unwrap();
    /// assert_eq!(ds_core::BatchMeta::from_buffer(&buffer).unwrap().num_frames_in_batch(), 1);
    /// // a second batch is refused
    /// assert!(ds_core::OwnedBatchMeta::new(1).unwrap().attach(buffer.make_mut()).is_err());
    /// ```
    pub fn attach(self, buffer: &mut gst::BufferRef) -> Result<&mut BatchMeta, OwnedBatchMeta> {
        if BatchMeta::from_buffer(buffer).is_some() {
            return Err(self);
        }
        let b = self.ptr.as_ptr();
        // SAFETY: the buffer is writable (&mut BufferRef); `b` is a live batch
        // whose ownership moves into the meta (released by
        // nvds_batch_meta_release_func, copied by nvds_batch_meta_copy_func).
        let meta = unsafe {
            ds_sys::gst_buffer_add_nvds_meta(
                buffer.as_mut_ptr(),
                b as *mut _,
                std::ptr::null_mut(),
                Some(ds_sys::nvds_batch_meta_copy_func),
                Some(ds_sys::nvds_batch_meta_release_func),
            )
        };
        if meta.is_null() {
            return Err(self);
        }
        std::mem::forget(self);
        // SAFETY: meta is the NvDsMeta just added; b now belongs to it and
        // lives as long as the buffer's meta, exclusive through &mut buffer.
        unsafe {
            (*meta).meta_type = ds_sys::NVDS_BATCH_GST_META;
            Ok(BatchMeta::from_mut_ptr(b))
        }
    }

    /// Gives up ownership and returns the raw batch (destroy it with
    /// `nvds_destroy_batch_meta`, or hand it to C code).
    ///
    /// ```
    /// let p = ds_core::OwnedBatchMeta::new(1).unwrap().into_raw();
    /// // SAFETY: p came from into_raw and is destroyed once.
    /// unsafe { ds_sys::nvds_destroy_batch_meta(p) };
    /// ```
    pub fn into_raw(self) -> *mut NvDsBatchMeta {
        let p = self.ptr.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Deref for OwnedBatchMeta {
    type Target = BatchMeta;
    fn deref(&self) -> &BatchMeta {
        // SAFETY: owned and live until drop.
        unsafe { BatchMeta::from_ptr(self.ptr.as_ptr()) }
    }
}

impl DerefMut for OwnedBatchMeta {
    fn deref_mut(&mut self) -> &mut BatchMeta {
        // SAFETY: owned, live, exclusive through &mut self.
        unsafe { BatchMeta::from_mut_ptr(self.ptr.as_ptr()) }
    }
}

impl Drop for OwnedBatchMeta {
    fn drop(&mut self) {
        // SAFETY: owned; destroyed exactly once (attach/into_raw forget self).
        unsafe { ds_sys::nvds_destroy_batch_meta(self.ptr.as_ptr()) };
    }
}

impl fmt::Debug for OwnedBatchMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedBatchMeta")
            .field("ptr", &self.ptr)
            .field("num_frames_in_batch", &self.num_frames_in_batch())
            .finish()
    }
}
