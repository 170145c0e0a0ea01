//! Latency measurement, as DeepStream does it (`nvds_latency_meta.h`).
//!
//! Switched on by environment variables, read once per process:
//!
//! * `NVDS_ENABLE_LATENCY_MEASUREMENT`: frame latency. The decoder stamps
//!   each frame's arrival, `nvstreammux` carries the stamp into the batch,
//!   and every component records its pass over a batch (a
//!   [`ComponentLatency`] in a batch user meta of type
//!   `NVDS_LATENCY_MEASUREMENT_META`). [`measure_buffer_latency`] then gives
//!   each frame's latency from its arrival at the decoder.
//! * `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT`: in addition, measuring
//!   prints one `Comp name = ...` line per component meta of the batch.
//!
//! DeepStream's library counts a variable as on when it is set, whatever
//! its value (the header says "exported"); deepstream-test3 of the Python
//! samples additionally checks `NVDS_ENABLE_LATENCY_MEASUREMENT == "1"`
//! before it measures. Timestamps are milliseconds since the Unix epoch.
//!
//! A probe does what `pyds.nvds_measure_buffer_latency` does with
//! [`print_buffer_latency`]:
//!
//! ```
//! use gstreamer as gst;
//! fn probe(buffer: &gst::BufferRef) {
//!     if ds_core::latency::print_buffer_latency(buffer) == 0 {
//!         println!("Unable to get number of sources in GstBuffer for latency measurement");
//!     }
//! }
//! # ds_core::init().unwrap();
//! # if !ds_core::latency::enabled() { probe(&gst::Buffer::new()); }
//! ```
//!
//! Elements record their pass with [`record_input`] / [`record_output`]
//! (nothing happens, at the cost of one check, while measurement is off).
use crate::meta::{meta_type, BatchMeta, UserMetaData};
use ds_sys::{NvDsFrameLatencyInfo, NvDsMetaCompLatency, NvDsUserMeta, MAX_COMPONENT_LEN};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::ffi::CString;
use std::fmt;
use std::os::raw::{c_char, c_void};
use std::sync::OnceLock;

/// Whether frame latency measurement is on: what the backend's
/// `nvds_get_enable_latency_measurement` says (`NVDS_ENABLE_LATENCY_MEASUREMENT`
/// set).
///
/// ```
/// ds_core::init().unwrap();
/// let on = ds_core::latency::enabled();
/// assert_eq!(on, std::env::var_os("NVDS_ENABLE_LATENCY_MEASUREMENT").is_some());
/// ```
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    // SAFETY: takes no arguments and only reads the library's switch.
    *ON.get_or_init(|| unsafe { ds_sys::nvds_get_enable_latency_measurement() } != 0)
}

/// Whether per-component latency is printed as well
/// (`NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT` set), read once.
///
/// ```
/// let on = ds_core::latency::component_enabled();
/// assert_eq!(on, std::env::var_os("NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT").is_some());
/// ```
pub fn component_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT").is_some())
}

/// Now, in milliseconds since the Unix epoch (DeepStream's "system
/// timestamp").
///
/// ```
/// assert!(ds_core::latency::now_ms() > 1.6e12);
/// ```
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// The latency of one frame of a batch (`NvDsFrameLatencyInfo`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameLatency {
    /// Source of the frame.
    pub source_id: u32,
    /// The frame's number in its source (`frame_num` of its frame meta).
    pub frame_num: u32,
    /// When the frame entered the decoder (ms since the epoch); 0 when no
    /// decoder stamped it.
    pub comp_in_timestamp: f64,
    /// Milliseconds from `comp_in_timestamp` to the measurement.
    pub latency: f64,
}

impl From<NvDsFrameLatencyInfo> for FrameLatency {
    fn from(i: NvDsFrameLatencyInfo) -> Self {
        FrameLatency {
            source_id: i.source_id,
            frame_num: i.frame_num,
            comp_in_timestamp: i.comp_in_timestamp,
            latency: i.latency,
        }
    }
}

/// Measures the latency of every frame of `buffer`'s batch, now
/// (`nvds_measure_buffer_latency`): one entry per frame the muxer recorded,
/// in batch order. Empty when the buffer has no batch meta or measurement
/// is off. With component measurement on, the backend's library prints the
/// `Comp name = ...` lines.
///
/// ```
/// ds_core::init().unwrap();
/// let mut buffer = gstreamer::Buffer::new();
/// ds_core::OwnedBatchMeta::new(1).unwrap().attach(buffer.make_mut()).unwrap();
/// // No decoder or muxer recorded anything in this batch.
/// assert!(ds_core::latency::measure_buffer_latency(&buffer).is_empty());
/// ```
pub fn measure_buffer_latency(buffer: &gst::BufferRef) -> Vec<FrameLatency> {
    let Some(batch) = BatchMeta::from_buffer(buffer) else {
        return Vec::new();
    };
    let max = batch.max_frames_in_batch() as usize;
    let mut info = vec![NvDsFrameLatencyInfo::default(); max.max(1)];
    // SAFETY: the buffer is valid; the array has max_frames_in_batch entries
    // as the function requires; it reads the buffer's metas and writes the
    // array only.
    let n = unsafe { ds_sys::nvds_measure_buffer_latency(buffer.as_mut_ptr(), info.as_mut_ptr()) };
    // The library prints through C stdio: flush it before Rust prints more.
    // SAFETY: fflush(NULL) flushes every C output stream.
    unsafe { libc::fflush(std::ptr::null_mut()) };
    info.truncate((n as usize).min(max));
    info.into_iter().map(FrameLatency::from).collect()
}

/// What `pyds.nvds_measure_buffer_latency(hash(buffer))` does (bindings
/// 1.2.0, `bindfunctions.cpp`): when measurement is on, measures and prints
///
/// ```text
/// ************BATCH-NUM = <frame_num of the first entry>**************
/// Source id = <id> Frame_num = <n> Frame latency = <ms> (ms)
/// ```
///
/// (one `Source id` line per frame, the latency written as C++ streams write
/// a double, 6 significant digits) after the library's `Comp name` lines;
/// returns the number of frames, 0 when measurement is off.
///
/// ```
/// ds_core::init().unwrap();
/// if !ds_core::latency::enabled() {
///     assert_eq!(ds_core::latency::print_buffer_latency(&gstreamer::Buffer::new()), 0);
/// }
/// ```
pub fn print_buffer_latency(buffer: &gst::BufferRef) -> u32 {
    if !enabled() {
        return 0;
    }
    if BatchMeta::from_buffer(buffer).is_none() {
        println!("Batch meta not found for buffer {:p}", buffer.as_ptr());
        return 0;
    }
    let frames = measure_buffer_latency(buffer);
    print!("{}", latency_report(&frames));
    frames.len() as u32
}

/// The lines [`print_buffer_latency`] prints for `frames`.
///
/// ```
/// use ds_core::latency::{latency_report, FrameLatency};
/// let f = FrameLatency { source_id: 1, frame_num: 7, comp_in_timestamp: 0.0, latency: 41.25 };
/// assert_eq!(
///     latency_report(&[f]),
///     "************BATCH-NUM = 7**************\n\
///      Source id = 1 Frame_num = 7 Frame latency = 41.25 (ms) \n"
/// );
/// ```
pub fn latency_report(frames: &[FrameLatency]) -> String {
    let first = frames.first().map_or(0, |f| f.frame_num);
    let mut s = format!("************BATCH-NUM = {first}**************\n");
    for f in frames {
        s += &format!(
            "Source id = {} Frame_num = {} Frame latency = {} (ms) \n",
            f.source_id,
            f.frame_num,
            crate::cfmt::fmt_g(f.latency)
        );
    }
    s
}

/// The element's name as the C functions take it.
fn element_name(element: &impl IsA<gst::Element>) -> Option<CString> {
    CString::new(element.as_ref().name().as_str()).ok()
}

/// Records that `element` starts working on the batch of `buffer` now
/// (`nvds_set_input_system_timestamp`): a [`ComponentLatency`] named after
/// the element is added to the batch. Does nothing when measurement is off
/// or the buffer has no batch meta.
///
/// ```
/// ds_core::init().unwrap();
/// let element = gstreamer::ElementFactory::make("identity").name("stage").build().unwrap();
/// let mut buffer = gstreamer::Buffer::new();
/// ds_core::OwnedBatchMeta::new(1).unwrap().attach(buffer.make_mut()).unwrap();
/// ds_core::latency::record_input(buffer.make_mut(), &element);
/// ds_core::latency::record_output(buffer.make_mut(), &element);
/// let batch = ds_core::BatchMeta::from_buffer(&buffer).unwrap();
/// let recorded = ds_core::latency::components(batch).count();
/// assert_eq!(recorded, usize::from(ds_core::latency::enabled()));
/// ```
pub fn record_input(buffer: &mut gst::BufferRef, element: &impl IsA<gst::Element>) {
    if !enabled() {
        return;
    }
    let Some(name) = element_name(element) else {
        return;
    };
    // SAFETY: valid, writable buffer (the batch meta is ours to change) and
    // a NUL-terminated name the function only reads.
    unsafe {
        ds_sys::nvds_set_input_system_timestamp(buffer.as_mut_ptr(), name.as_ptr() as *mut c_char)
    };
}

/// Records that `element` hands the batch of `buffer` downstream now
/// (`nvds_set_output_system_timestamp`), completing the meta of
/// [`record_input`] on the same buffer. Does nothing when measurement is
/// off. See [`record_input`] for an example.
pub fn record_output(buffer: &mut gst::BufferRef, element: &impl IsA<gst::Element>) {
    if !enabled() {
        return;
    }
    let Some(name) = element_name(element) else {
        return;
    };
    // SAFETY: as in record_input.
    unsafe {
        ds_sys::nvds_set_output_system_timestamp(buffer.as_mut_ptr(), name.as_ptr() as *mut c_char)
    };
}

/// The arrival stamp of a frame before batching: the
/// `GstReferenceTimestampMeta` DeepStream's decoder attaches
/// (`nvds_add_reference_timestamp_meta`), caps `any` with `component_name`,
/// `frame_num`, `in_timestamp` and `out_timestamp` (ms since the epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceTimestamp {
    /// The component that stamped the buffer (the decoder's element name).
    pub component_name: String,
    /// The component's frame number.
    pub frame_num: u32,
    /// When the frame entered the component.
    pub in_timestamp: f64,
    /// When the frame left the component.
    pub out_timestamp: f64,
}

impl ReferenceTimestamp {
    /// Attaches this stamp to `buffer`.
    ///
    /// ```
    /// use ds_core::latency::ReferenceTimestamp;
    /// ds_core::init().unwrap();
    /// let mut buffer = gstreamer::Buffer::new();
    /// let stamp = ReferenceTimestamp {
    ///     component_name: "nvv4l2decoder0".into(),
    ///     frame_num: 3,
    ///     in_timestamp: 10.0,
    ///     out_timestamp: 12.5,
    /// };
    /// stamp.attach(buffer.make_mut());
    /// assert_eq!(ReferenceTimestamp::all(&buffer), vec![stamp]);
    /// ```
    pub fn attach(&self, buffer: &mut gst::BufferRef) {
        let caps = gst::Caps::builder("any")
            .field("component_name", self.component_name.as_str())
            .field("frame_num", self.frame_num as i32)
            .field("in_timestamp", self.in_timestamp)
            .field("out_timestamp", self.out_timestamp)
            .build();
        gst::ReferenceTimestampMeta::add(buffer, &caps, gst::ClockTime::ZERO, None);
    }

    /// The stamps on `buffer` that have DeepStream's fields, in order.
    pub fn all(buffer: &gst::BufferRef) -> Vec<ReferenceTimestamp> {
        buffer
            .iter_meta::<gst::ReferenceTimestampMeta>()
            .filter_map(|m| {
                let s = m.reference().structure(0)?;
                Some(ReferenceTimestamp {
                    component_name: s.get::<String>("component_name").ok()?,
                    frame_num: s.get::<i32>("frame_num").ok()? as u32,
                    in_timestamp: s.get::<f64>("in_timestamp").ok()?,
                    out_timestamp: s.get::<f64>("out_timestamp").ok()?,
                })
            })
            .collect()
    }
}

/// One component's pass over a batch (transparent over
/// `NvDsMetaCompLatency`), read from the batch's user metas with
/// [`components`].
#[repr(transparent)]
pub struct ComponentLatency(NvDsMetaCompLatency);

impl ComponentLatency {
    /// The component's name (an element name; `nvstreammux-<name>` for the
    /// muxer's per-frame metas).
    pub fn name(&self) -> String {
        let bytes: Vec<u8> = self
            .0
            .component_name
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// When the batch (or frame) entered the component, ms since the epoch.
    pub fn in_system_timestamp(&self) -> f64 {
        self.0.in_system_timestamp
    }

    /// When it left; 0 while the component has not finished.
    pub fn out_system_timestamp(&self) -> f64 {
        self.0.out_system_timestamp
    }

    /// Sets the time it left.
    pub fn set_out_system_timestamp(&mut self, ms: f64) {
        self.0.out_system_timestamp = ms;
    }

    /// The frame's source (per-frame metas of the decoder and muxer).
    pub fn source_id(&self) -> u32 {
        self.0.source_id
    }

    /// The frame's number (per-frame metas).
    pub fn frame_num(&self) -> u32 {
        self.0.frame_num
    }

    /// The muxer pad of the frame (per-frame metas).
    pub fn pad_index(&self) -> u32 {
        self.0.pad_index
    }

    /// `out - in`, in milliseconds.
    pub fn latency(&self) -> f64 {
        self.0.out_system_timestamp - self.0.in_system_timestamp
    }
}

impl fmt::Debug for ComponentLatency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentLatency")
            .field("name", &self.name())
            .field("in", &self.in_system_timestamp())
            .field("out", &self.out_system_timestamp())
            .field("source_id", &self.source_id())
            .field("frame_num", &self.frame_num())
            .field("pad_index", &self.pad_index())
            .finish()
    }
}

/// The component latency metas of `batch`, in the order they were added.
///
/// ```
/// use ds_core::latency::{components, NewComponentLatency};
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// batch.add_user_meta(NewComponentLatency::new("nvinfer0", 1.0, 3.5)).unwrap();
/// let c: Vec<_> = components(&batch).collect();
/// assert_eq!((c[0].name().as_str(), c[0].latency()), ("nvinfer0", 2.5));
/// ```
pub fn components(batch: &BatchMeta) -> impl Iterator<Item = &ComponentLatency> {
    batch
        .user_metas()
        .filter_map(|um| um.downcast::<NewComponentLatency>())
}

/// A component latency meta to add to a batch with
/// [`BatchMeta::add_user_meta`] (what a muxer records per frame).
///
/// ```
/// use ds_core::latency::{components, NewComponentLatency};
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let mut c = NewComponentLatency::new("nvstreammux-mux", 10.0, 11.0);
/// c.source_id = 2;
/// c.frame_num = 5;
/// batch.add_user_meta(c).unwrap();
/// let copy = batch.try_copy().unwrap();
/// assert_eq!(components(&copy).next().unwrap().frame_num(), 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewComponentLatency {
    /// Component name (truncated to 63 bytes).
    pub name: String,
    /// Entry time, ms since the epoch.
    pub in_system_timestamp: f64,
    /// Exit time, ms since the epoch.
    pub out_system_timestamp: f64,
    /// Source of the frame.
    pub source_id: u32,
    /// Frame number.
    pub frame_num: u32,
    /// Muxer pad of the frame.
    pub pad_index: u32,
}

impl NewComponentLatency {
    /// A meta named `name` with these times and zero ids.
    pub fn new(name: &str, in_ms: f64, out_ms: f64) -> Self {
        NewComponentLatency {
            name: name.to_string(),
            in_system_timestamp: in_ms,
            out_system_timestamp: out_ms,
            source_id: 0,
            frame_num: 0,
            pad_index: 0,
        }
    }
}

/// `copy_func` of latency metas: a byte copy (g_malloc, as DeepStream's).
unsafe extern "C" fn copy_latency(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *const NvDsUserMeta;
    // SAFETY: DeepStream passes the source user meta; its data, when set, is
    // an NvDsMetaCompLatency.
    unsafe {
        if um.is_null() || (*um).user_meta_data.is_null() {
            return std::ptr::null_mut();
        }
        let size = std::mem::size_of::<NvDsMetaCompLatency>();
        let copy = glib_sys::g_malloc(size);
        std::ptr::copy_nonoverlapping((*um).user_meta_data as *const u8, copy as *mut u8, size);
        copy
    }
}

/// `release_func` of latency metas: `g_free`, once.
unsafe extern "C" fn release_latency(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    // SAFETY: as in copy_latency; cleared so it is freed once.
    unsafe {
        if um.is_null() || (*um).user_meta_data.is_null() {
            return;
        }
        glib_sys::g_free((*um).user_meta_data);
        (*um).user_meta_data = std::ptr::null_mut();
    }
}

// SAFETY: into_raw returns a g_malloc0'd NvDsMetaCompLatency that
// release_latency frees with g_free and copy_latency byte-copies (a plain
// struct); accepts holds DeepStream's convention that every user meta of
// type NVDS_LATENCY_MEASUREMENT_META carries an NvDsMetaCompLatency (as
// NVIDIA's own functions make them), and ComponentLatency is transparent
// over it.
unsafe impl UserMetaData for NewComponentLatency {
    type Ref = ComponentLatency;

    fn meta_type(&self) -> ds_sys::NvDsMetaType {
        meta_type::LATENCY_MEASUREMENT
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        meta.base_meta.meta_type == meta_type::LATENCY_MEASUREMENT && !meta.user_meta_data.is_null()
    }

    fn into_raw(self) -> *mut c_void {
        // SAFETY: g_malloc0 returns zeroed storage of the requested size (it
        // aborts rather than return NULL); all-zero is a valid value.
        let p = unsafe { glib_sys::g_malloc0(std::mem::size_of::<NvDsMetaCompLatency>()) }
            as *mut NvDsMetaCompLatency;
        // SAFETY: p is valid, exclusively ours.
        let l = unsafe { &mut *p };
        let n = self.name.len().min(MAX_COMPONENT_LEN - 1);
        for (d, s) in l.component_name.iter_mut().zip(&self.name.as_bytes()[..n]) {
            *d = *s as c_char;
        }
        l.in_system_timestamp = self.in_system_timestamp;
        l.out_system_timestamp = self.out_system_timestamp;
        l.source_id = self.source_id;
        l.frame_num = self.frame_num;
        l.pad_index = self.pad_index;
        p as *mut c_void
    }

    fn copy_func() -> ds_sys::NvDsMetaCopyFunc {
        Some(copy_latency)
    }

    fn release_func() -> ds_sys::NvDsMetaReleaseFunc {
        Some(release_latency)
    }
}

#[cfg(test)]
mod tests {
    use crate::cfmt::fmt_g;

    #[test]
    fn latency_is_written_as_cpp_streams_write_doubles() {
        for (v, want) in [
            (41.25, "41.25"),
            (123.456789, "123.457"),
            (0.5, "0.5"),
            (1834.0, "1834"),
            (1684240027012.42, "1.68424e+12"),
            (0.0, "0"),
        ] {
            assert_eq!(fmt_g(v), want, "{v}");
        }
    }
}
