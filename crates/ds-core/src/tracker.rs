//! The tracker's miscellaneous data (`NvDsTargetMiscDataBatch`): past-frame,
//! terminated-track and shadow-track data, carried as *batch* user meta.
//!
//! `nvtracker` reports targets in frames where they were tracked but not
//! output downstream as a batch user meta of type
//! `NVDS_TRACKER_PAST_FRAME_META` (and, with NVIDIA's library, terminated
//! and shadow tracks as `NVDS_TRACKER_TERMINATED_LIST_META` /
//! `NVDS_TRACKER_SHADOW_LIST_META`, same structs). The data is a tree:
//! streams → targets (objects) → frames.
//!
//! | C (`nvds_tracker_meta.h`)    | owned (producer)    | borrowed view (reader)  |
//! |------------------------------|---------------------|-------------------------|
//! | `NvDsTargetMiscDataBatch`    | [`TargetMiscData`]  | [`TargetMiscDataRef`]   |
//! | `NvDsTargetMiscDataStream`   | [`StreamBuilder`]   | [`TargetStreamRef`]     |
//! | `NvDsTargetMiscDataObject`   | [`TargetBuilder`]   | [`TargetRef`]           |
//! | `NvDsTargetMiscDataFrame`    | [`TargetFrame`] (a plain Rust value)          ||
//!
//! Every allocation of an owned [`TargetMiscData`] comes from
//! [`ds_sys::mem`] (`g_malloc0` / `g_free`). Attached with
//! [`BatchMeta::add_user_meta`](crate::BatchMeta::add_user_meta), ownership
//! moves into the user meta; ds-core's copy function deep-copies the whole
//! tree when the buffer (batch meta) is copied and its release function
//! frees it once. Readers accept the meta by its type, so the data NVIDIA's
//! tracker attaches (same layout) is read the same way.
//!
//! ```
//! use ds_core::tracker::{MiscDataKind, TargetFrame, TargetMiscData, TargetMiscDataRef};
//! use ds_core::OwnedBatchMeta;
//!
//! // Producer (the tracker): one stream, one target seen in two past frames.
//! let mut data = TargetMiscData::new(MiscDataKind::PastFrame);
//! let mut stream = data.push_stream(0, 0);
//! let mut person = stream.push_target(7, 2, "Person");
//! person.push_frame(TargetFrame { frame_num: 3, ..TargetFrame::default() });
//! person.push_frame(TargetFrame { frame_num: 4, age: 1, ..TargetFrame::default() });
//!
//! let mut batch = OwnedBatchMeta::new(1).unwrap();
//! batch.add_user_meta(data).unwrap();
//!
//! // Reader (an app's probe): walk the batch user metas.
//! for um in batch.user_metas() {
//!     let Some(past) = TargetMiscDataRef::from_user_meta(um, MiscDataKind::PastFrame) else {
//!         continue;
//!     };
//!     for stream in past.streams() {
//!         for target in stream.targets() {
//!             assert_eq!((target.unique_id(), target.label()), (7, "Person"));
//!             let frames: Vec<u32> = target.frames().map(|f| f.frame_num).collect();
//!             assert_eq!(frames, [3, 4]);
//!         }
//!     }
//! }
//! ```
use crate::meta::{read_label, write_label, UserMeta, UserMetaData};
use ds_sys::{
    NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsTargetMiscDataBatch,
    NvDsTargetMiscDataFrame, NvDsTargetMiscDataObject, NvDsTargetMiscDataStream, NvDsUserMeta,
    NvOSD_RectParams,
};
use std::fmt;
use std::os::raw::c_void;
use std::ptr::NonNull;

/// Which tracker data a [`TargetMiscData`] carries (its user meta type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MiscDataKind {
    /// `NVDS_TRACKER_PAST_FRAME_META`: frames in which targets were tracked
    /// but not reported downstream (e.g. their probation period).
    PastFrame,
    /// `NVDS_TRACKER_TERMINATED_LIST_META`: the history of ended targets.
    TerminatedTracks,
    /// `NVDS_TRACKER_SHADOW_LIST_META`: targets tracked in shadow mode.
    ShadowTracks,
}

impl MiscDataKind {
    /// The user meta type of this kind.
    ///
    /// ```
    /// use ds_core::tracker::MiscDataKind;
    /// assert_eq!(MiscDataKind::PastFrame.meta_type(), ds_sys::NVDS_TRACKER_PAST_FRAME_META);
    /// assert_eq!(MiscDataKind::from_meta_type(19), Some(MiscDataKind::ShadowTracks));
    /// assert_eq!(MiscDataKind::from_meta_type(ds_sys::NVDS_USER_META), None);
    /// ```
    pub fn meta_type(self) -> NvDsMetaType {
        match self {
            MiscDataKind::PastFrame => ds_sys::NVDS_TRACKER_PAST_FRAME_META,
            MiscDataKind::TerminatedTracks => ds_sys::NVDS_TRACKER_TERMINATED_LIST_META,
            MiscDataKind::ShadowTracks => ds_sys::NVDS_TRACKER_SHADOW_LIST_META,
        }
    }

    /// The kind whose user meta type is `t`, if any.
    pub fn from_meta_type(t: NvDsMetaType) -> Option<MiscDataKind> {
        [
            MiscDataKind::PastFrame,
            MiscDataKind::TerminatedTracks,
            MiscDataKind::ShadowTracks,
        ]
        .into_iter()
        .find(|k| k.meta_type() == t)
    }
}

/// State of a target in one frame (`TRACKER_STATE`); unknown values from C
/// are kept in [`Other`](Self::Other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrackerState {
    /// `EMPTY`.
    #[default]
    Empty,
    /// `ACTIVE`: confirmed and matched.
    Active,
    /// `INACTIVE`: confirmed, tracked in shadow mode.
    Inactive,
    /// `TENTATIVE`: in probation.
    Tentative,
    /// `PROJECTED`.
    Projected,
    /// Any other value.
    Other(i32),
}

impl TrackerState {
    /// From the C value.
    pub fn from_raw(v: ds_sys::TRACKER_STATE) -> TrackerState {
        match v {
            ds_sys::EMPTY => TrackerState::Empty,
            ds_sys::ACTIVE => TrackerState::Active,
            ds_sys::INACTIVE => TrackerState::Inactive,
            ds_sys::TENTATIVE => TrackerState::Tentative,
            ds_sys::PROJECTED => TrackerState::Projected,
            v => TrackerState::Other(v),
        }
    }

    /// The C value.
    ///
    /// ```
    /// use ds_core::tracker::TrackerState;
    /// assert_eq!(TrackerState::Tentative.to_raw(), ds_sys::TENTATIVE);
    /// assert_eq!(TrackerState::from_raw(ds_sys::TENTATIVE), TrackerState::Tentative);
    /// assert_eq!(TrackerState::from_raw(42), TrackerState::Other(42));
    /// ```
    pub fn to_raw(self) -> ds_sys::TRACKER_STATE {
        match self {
            TrackerState::Empty => ds_sys::EMPTY,
            TrackerState::Active => ds_sys::ACTIVE,
            TrackerState::Inactive => ds_sys::INACTIVE,
            TrackerState::Tentative => ds_sys::TENTATIVE,
            TrackerState::Projected => ds_sys::PROJECTED,
            TrackerState::Other(v) => v,
        }
    }
}

/// A box in frame coordinates (the `left`/`top`/`width`/`height` of
/// `tBbox`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TargetBox {
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// One frame of a target (`NvDsTargetMiscDataFrame`), as a plain value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetFrame {
    /// Frame number (`frameNum`, the frame meta's `frame_num`).
    pub frame_num: u32,
    /// The target's box in that frame (`tBbox`).
    pub bbox: TargetBox,
    /// Tracking confidence (`confidence`).
    pub confidence: f32,
    /// Frames since the target was created (`age`).
    pub age: u32,
    /// The target's state in that frame (`trackerState`).
    pub state: TrackerState,
    /// Visibility with respect to the frame border, `0.0..=1.0`
    /// (`visibility`).
    pub visibility: f32,
}

impl Default for TargetFrame {
    /// Frame 0, an empty box, confidence 0, age 0, `Empty`, fully visible.
    fn default() -> Self {
        TargetFrame {
            frame_num: 0,
            bbox: TargetBox::default(),
            confidence: 0.0,
            age: 0,
            state: TrackerState::Empty,
            visibility: 1.0,
        }
    }
}

impl TargetFrame {
    fn from_raw(f: &NvDsTargetMiscDataFrame) -> TargetFrame {
        TargetFrame {
            frame_num: f.frameNum,
            bbox: TargetBox {
                left: f.tBbox.left,
                top: f.tBbox.top,
                width: f.tBbox.width,
                height: f.tBbox.height,
            },
            confidence: f.confidence,
            age: f.age,
            state: TrackerState::from_raw(f.trackerState),
            visibility: f.visibility,
        }
    }

    fn to_raw(self) -> NvDsTargetMiscDataFrame {
        NvDsTargetMiscDataFrame {
            frameNum: self.frame_num,
            tBbox: NvOSD_RectParams {
                left: self.bbox.left,
                top: self.bbox.top,
                width: self.bbox.width,
                height: self.bbox.height,
                ..NvOSD_RectParams::default()
            },
            confidence: self.confidence,
            age: self.age,
            trackerState: self.state.to_raw(),
            visibility: self.visibility,
        }
    }
}

/// Views `n` elements at `p` (empty for NULL or 0).
///
/// # Safety
/// A non-NULL `p` points to at least `n` initialised elements valid for `'a`.
unsafe fn view<'a, T>(p: *const T, n: u32) -> &'a [T] {
    // SAFETY: forwarded contract.
    unsafe { crate::alloc::slice_field(p, n as usize) }
}

/// Borrowed view of an `NvDsTargetMiscDataBatch` (what
/// `user_meta.downcast::<TargetMiscData>()` returns).
#[repr(transparent)]
pub struct TargetMiscDataRef(NvDsTargetMiscDataBatch);

impl TargetMiscDataRef {
    /// The data of `user_meta` if it is tracker misc data of `kind`.
    pub fn from_user_meta(user_meta: &UserMeta, kind: MiscDataKind) -> Option<&TargetMiscDataRef> {
        if user_meta.meta_type() != kind.meta_type() {
            return None;
        }
        user_meta.downcast::<TargetMiscData>()
    }

    /// The filled streams (`list[..numFilled]`).
    pub fn streams(&self) -> &[TargetStreamRef] {
        // SAFETY: list holds numFilled initialised streams owned by the
        // batch (DeepStream contract; upheld by TargetMiscData), alive as
        // long as self; TargetStreamRef is repr(transparent).
        unsafe { view(self.0.list as *const TargetStreamRef, self.0.numFilled) }
    }

    /// The raw C struct.
    pub fn as_raw(&self) -> &NvDsTargetMiscDataBatch {
        &self.0
    }
}

impl fmt::Debug for TargetMiscDataRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.streams()).finish()
    }
}

/// Borrowed view of one stream's targets (`NvDsTargetMiscDataStream`).
#[repr(transparent)]
pub struct TargetStreamRef(NvDsTargetMiscDataStream);

impl TargetStreamRef {
    /// `streamID`: the frame meta's `pad_index`.
    pub fn stream_id(&self) -> u32 {
        self.0.streamID
    }

    /// `surfaceStreamID`: the stream id inside the tracker.
    pub fn surface_stream_id(&self) -> u64 {
        self.0.surfaceStreamID
    }

    /// The filled targets (`list[..numFilled]`).
    pub fn targets(&self) -> &[TargetRef] {
        // SAFETY: as in TargetMiscDataRef::streams.
        unsafe { view(self.0.list as *const TargetRef, self.0.numFilled) }
    }

    /// The raw C struct.
    pub fn as_raw(&self) -> &NvDsTargetMiscDataStream {
        &self.0
    }
}

impl fmt::Debug for TargetStreamRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetStream")
            .field("stream_id", &self.stream_id())
            .field("surface_stream_id", &self.surface_stream_id())
            .field("targets", &self.targets())
            .finish()
    }
}

/// Borrowed view of one target's frames (`NvDsTargetMiscDataObject`).
#[repr(transparent)]
pub struct TargetRef(NvDsTargetMiscDataObject);

impl TargetRef {
    /// Tracking id (`uniqueId`, the objects' `object_id`).
    pub fn unique_id(&self) -> u64 {
        self.0.uniqueId
    }

    /// Class id (`classId`).
    pub fn class_id(&self) -> u16 {
        self.0.classId
    }

    /// Class label (`objLabel`), up to its NUL (and its valid UTF-8).
    pub fn label(&self) -> &str {
        read_label(&self.0.objLabel)
    }

    /// Number of frames (`numObj`).
    pub fn num_frames(&self) -> u32 {
        self.0.numObj
    }

    /// The frames (`list[..numObj]`), as values.
    pub fn frames(&self) -> impl ExactSizeIterator<Item = TargetFrame> + '_ {
        // SAFETY: as in TargetMiscDataRef::streams.
        let frames = unsafe { view(self.0.list as *const NvDsTargetMiscDataFrame, self.0.numObj) };
        frames.iter().map(TargetFrame::from_raw)
    }

    /// The raw C struct.
    pub fn as_raw(&self) -> &NvDsTargetMiscDataObject {
        &self.0
    }
}

impl fmt::Debug for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("unique_id", &self.unique_id())
            .field("class_id", &self.class_id())
            .field("label", &self.label())
            .field("frames", &self.frames().collect::<Vec<_>>())
            .finish()
    }
}

/// Makes room for one more element in a C array of `len` elements and
/// `cap` allocated (doubling), returning the slot to write.
///
/// # Safety
/// `*list` is NULL or a `ds_sys::mem` allocation of `*cap` elements whose
/// first `len` are initialised; `len <= *cap`.
unsafe fn grow<T: Copy>(list: &mut *mut T, len: u32, cap: &mut u32) -> *mut T {
    if len == *cap || list.is_null() {
        let new_cap = cap.saturating_mul(2).max(4).max(len.saturating_add(1));
        let bytes = std::mem::size_of::<T>()
            .checked_mul(new_cap as usize)
            .unwrap_or_else(|| std::alloc::handle_alloc_error(std::alloc::Layout::new::<T>()));
        // SAFETY: bytes > 0 (T is a non-empty C struct here); zeroed memory
        // is a valid (empty) value of the C structs used; malloc0 aligns to
        // 16, enough for them.
        let new = crate::alloc::non_null(unsafe { ds_sys::mem::malloc0(bytes) } as *mut T);
        if len > 0 {
            // SAFETY: the old array holds len initialised elements, the new
            // one room for new_cap > len; they do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(*list, new.as_ptr(), len as usize) };
        }
        let old = std::mem::replace(list, new.as_ptr());
        // SAFETY: per contract the old array is ours and from ds_sys::mem;
        // its elements were moved (bitwise, they are Copy) into the new one.
        unsafe { ds_sys::mem::free(old as *mut c_void) };
        *cap = new_cap;
    }
    // SAFETY: len < cap now.
    unsafe { (*list).add(len as usize) }
}

/// Tracker misc data owned by Rust, built stream by stream; attached as
/// batch user meta (`BatchMeta::add_user_meta`) it is tagged with its
/// kind's meta type and carries ds-core's copy and release functions.
/// Dereferences to [`TargetMiscDataRef`].
///
/// ```
/// use ds_core::tracker::{MiscDataKind, TargetFrame, TargetMiscData};
/// let mut data = TargetMiscData::new(MiscDataKind::PastFrame);
/// data.push_stream(1, 1 << 32)
///     .push_target(3, 0, "Car")
///     .push_frame(TargetFrame { frame_num: 10, confidence: 0.5, ..Default::default() });
/// let copy = data.clone();
/// drop(data);
/// let target = &copy.streams()[0].targets()[0];
/// assert_eq!(target.frames().next().unwrap().confidence, 0.5);
/// ```
pub struct TargetMiscData {
    raw: NonNull<NvDsTargetMiscDataBatch>,
    kind: MiscDataKind,
}

// SAFETY: exclusively owned plain memory.
unsafe impl Send for TargetMiscData {}
// SAFETY: shared access only reads.
unsafe impl Sync for TargetMiscData {}

impl TargetMiscData {
    /// An empty batch (no stream) of `kind`.
    pub fn new(kind: MiscDataKind) -> TargetMiscData {
        // SAFETY: all-zero is an empty NvDsTargetMiscDataBatch; freed by
        // free_raw.
        let p = unsafe { ds_sys::mem::new0::<NvDsTargetMiscDataBatch>() };
        TargetMiscData {
            raw: crate::alloc::non_null(p),
            kind,
        }
    }

    /// The kind (and so the meta type) of this data.
    pub fn kind(&self) -> MiscDataKind {
        self.kind
    }

    /// Appends a stream (`streamID` = the frame's `pad_index`,
    /// `surfaceStreamID`) and returns it to add targets.
    pub fn push_stream(&mut self, stream_id: u32, surface_stream_id: u64) -> StreamBuilder<'_> {
        // SAFETY: we own the batch exclusively (&mut self).
        let b = unsafe { &mut *self.raw.as_ptr() };
        // SAFETY: the list is ours (ds_sys::mem), numFilled <= numAllocated.
        let slot = unsafe { grow(&mut b.list, b.numFilled, &mut b.numAllocated) };
        b.numFilled += 1;
        // SAFETY: slot is a zeroed element of our array, exclusively ours
        // for the borrow of self.
        let stream = unsafe { &mut *slot };
        stream.streamID = stream_id;
        stream.surfaceStreamID = surface_stream_id;
        StreamBuilder { stream }
    }

    /// The `index`th stream, to add more targets.
    pub fn stream_mut(&mut self, index: usize) -> Option<StreamBuilder<'_>> {
        // SAFETY: as in push_stream.
        let b = unsafe { &mut *self.raw.as_ptr() };
        if index >= b.numFilled as usize {
            return None;
        }
        // SAFETY: index < numFilled: an initialised element of our array.
        let stream = unsafe { &mut *b.list.add(index) };
        Some(StreamBuilder { stream })
    }

    fn into_raw(self) -> *mut NvDsTargetMiscDataBatch {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }

    /// # Safety
    /// `p` is NULL or was built by `TargetMiscData` / `copy_raw`, and is not
    /// used afterwards.
    unsafe fn free_raw(p: *mut NvDsTargetMiscDataBatch) {
        if p.is_null() {
            return;
        }
        // SAFETY: per contract every array of the tree is ours, from
        // ds_sys::mem, with numFilled (numObj) initialised elements; each is
        // freed once, children first.
        unsafe {
            let b = &*p;
            for s in view(b.list, b.numFilled) {
                for o in view(s.list, s.numFilled) {
                    ds_sys::mem::free(o.list as *mut c_void);
                }
                ds_sys::mem::free(s.list as *mut c_void);
            }
            ds_sys::mem::free(b.list as *mut c_void);
            ds_sys::mem::free(p as *mut c_void);
        }
    }

    /// A deep copy of any well-formed batch (arrays sized to what is
    /// filled).
    ///
    /// # Safety
    /// `src` points to a batch whose arrays hold `numFilled` (`numObj`)
    /// initialised elements.
    unsafe fn copy_raw(src: *const NvDsTargetMiscDataBatch) -> *mut NvDsTargetMiscDataBatch {
        // SAFETY: per contract.
        let src = unsafe { &*(src as *const TargetMiscDataRef) };
        let mut out = TargetMiscData::new(MiscDataKind::PastFrame);
        for s in src.streams() {
            let mut stream = out.push_stream(s.stream_id(), s.surface_stream_id());
            for t in s.targets() {
                let mut target = stream.push_target(t.unique_id(), t.class_id(), "");
                // Copy the label bytes as they are (C labels need not be
                // UTF-8).
                target.obj.objLabel = t.0.objLabel;
                for f in t.frames() {
                    target.push_frame(f);
                }
            }
        }
        out.into_raw()
    }
}

impl Clone for TargetMiscData {
    fn clone(&self) -> Self {
        // SAFETY: self.raw was built by TargetMiscData.
        let p = unsafe { Self::copy_raw(self.raw.as_ptr()) };
        TargetMiscData {
            raw: crate::alloc::non_null(p),
            kind: self.kind,
        }
    }
}

impl Drop for TargetMiscData {
    fn drop(&mut self) {
        // SAFETY: we own it; dropped once.
        unsafe { Self::free_raw(self.raw.as_ptr()) }
    }
}

impl std::ops::Deref for TargetMiscData {
    type Target = TargetMiscDataRef;
    fn deref(&self) -> &TargetMiscDataRef {
        // SAFETY: repr(transparent) over the batch we own, alive as long as
        // self.
        unsafe { &*(self.raw.as_ptr() as *const TargetMiscDataRef) }
    }
}

impl fmt::Debug for TargetMiscData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetMiscData")
            .field("kind", &self.kind)
            .field("streams", &self.streams())
            .finish()
    }
}

/// A stream of an owned [`TargetMiscData`], to add targets to.
pub struct StreamBuilder<'a> {
    stream: &'a mut NvDsTargetMiscDataStream,
}

impl StreamBuilder<'_> {
    /// Appends a target (`uniqueId`, `classId`, `objLabel`, truncated to
    /// 127 bytes) and returns it to add frames.
    pub fn push_target(&mut self, unique_id: u64, class_id: u16, label: &str) -> TargetBuilder<'_> {
        let s = &mut *self.stream;
        // SAFETY: streams of an owned TargetMiscData hold ds_sys::mem arrays
        // (or NULL) with numFilled <= numAllocated.
        let slot = unsafe { grow(&mut s.list, s.numFilled, &mut s.numAllocated) };
        s.numFilled += 1;
        // SAFETY: a zeroed element of our array, exclusive for the borrow.
        let obj = unsafe { &mut *slot };
        obj.uniqueId = unique_id;
        obj.classId = class_id;
        write_label(&mut obj.objLabel, label);
        TargetBuilder { obj }
    }
}

impl fmt::Debug for StreamBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamBuilder")
            .field("stream_id", &self.stream.streamID)
            .field("targets", &self.stream.numFilled)
            .finish()
    }
}

/// A target of an owned [`TargetMiscData`], to add frames to.
pub struct TargetBuilder<'a> {
    obj: &'a mut NvDsTargetMiscDataObject,
}

impl TargetBuilder<'_> {
    /// Appends a frame; returns `self` for chaining.
    pub fn push_frame(&mut self, frame: TargetFrame) -> &mut Self {
        let o = &mut *self.obj;
        // SAFETY: targets of an owned TargetMiscData hold ds_sys::mem arrays
        // (or NULL) with numObj <= numAllocated.
        let slot = unsafe { grow(&mut o.list, o.numObj, &mut o.numAllocated) };
        // SAFETY: slot is within our array.
        unsafe { slot.write(frame.to_raw()) };
        o.numObj += 1;
        self
    }
}

impl fmt::Debug for TargetBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetBuilder")
            .field("unique_id", &self.obj.uniqueId)
            .field("frames", &self.obj.numObj)
            .finish()
    }
}

/// `copy_func` of tracker misc data user metas.
unsafe extern "C" fn misc_data_copy(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *const NvDsUserMeta;
    if um.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: DeepStream passes the source NvDsUserMeta; this function is
    // only installed with a TargetMiscData-built batch as its data.
    unsafe {
        let src = (*um).user_meta_data as *const NvDsTargetMiscDataBatch;
        if src.is_null() {
            return std::ptr::null_mut();
        }
        TargetMiscData::copy_raw(src) as *mut c_void
    }
}

/// `release_func` of tracker misc data user metas.
unsafe extern "C" fn misc_data_release(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return;
    }
    // SAFETY: as in misc_data_copy; the pointer is cleared so the data is
    // freed once.
    unsafe {
        let p = std::mem::replace(&mut (*um).user_meta_data, std::ptr::null_mut());
        TargetMiscData::free_raw(p as *mut NvDsTargetMiscDataBatch);
    }
}

// SAFETY: into_raw gives a TargetMiscData-built batch that misc_data_release
// frees and misc_data_copy deep-copies; accepts checks the three tracker
// meta types whose DeepStream contract is that user_meta_data is an
// NvDsTargetMiscDataBatch, and TargetMiscDataRef is repr(transparent) over
// it.
unsafe impl UserMetaData for TargetMiscData {
    type Ref = TargetMiscDataRef;

    fn meta_type(&self) -> NvDsMetaType {
        self.kind.meta_type()
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        MiscDataKind::from_meta_type(meta.base_meta.meta_type).is_some()
    }

    fn into_raw(self) -> *mut c_void {
        TargetMiscData::into_raw(self) as *mut c_void
    }

    fn copy_func() -> NvDsMetaCopyFunc {
        Some(misc_data_copy)
    }

    fn release_func() -> NvDsMetaReleaseFunc {
        Some(misc_data_release)
    }
}
