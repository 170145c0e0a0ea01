//! Frame surface (image) access: the RGBA pixels of one frame of a batched
//! `NvBufSurface`, mapped for the CPU and synced as NvBufSurface requires
//! (the Rust form of pyds's `get_nvds_buf_surface`).
//!
//! A DeepStream (`memory:NVMM`) buffer's memory holds an `NvBufSurface`
//! struct describing a batch of frames; frame `batch_id` (from
//! [`FrameMeta::batch_id`](crate::FrameMeta::batch_id)) is
//! `surfaceList[batch_id]`. [`FrameSurface`] maps it for reading,
//! [`FrameSurfaceMut`] for reading and writing. Only pitch-linear RGBA
//! frames are accepted (put `nvvideoconvert` + an RGBA capsfilter upstream,
//! as the Python samples do); anything else is a [`SurfaceError`].
//!
//! [`SurfaceBatch`] allocates an `NvBufSurface` in system memory and wraps
//! it into a `gst::Buffer` (what a producer element does).
//!
//! ```
//! use ds_core::surface::{FrameSurface, FrameSurfaceMut, SurfaceBatch};
//! ds_core::init().unwrap();
//! let mut batch = SurfaceBatch::new(2, 4, 3, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
//! batch.set_num_filled(2).unwrap();
//! let mut buffer = batch.into_buffer();
//! {
//!     // In a pad probe: `FrameSurfaceMut::map(buffer.make_mut(), frame.batch_id())`.
//!     let mut frame = FrameSurfaceMut::map(buffer.get_mut().unwrap(), 1).unwrap();
//!     frame.row_mut(2).unwrap()[..4].copy_from_slice(&[255, 0, 0, 255]);
//! }
//! let frame = FrameSurface::map(&buffer, 1).unwrap();
//! assert_eq!((frame.width(), frame.height()), (4, 3));
//! assert_eq!(frame.pixel(0, 2), Some([255, 0, 0, 255]));
//! ```
use ds_sys::{
    NvBufSurface, NvBufSurfaceColorFormat, NvBufSurfaceCreateParams, NvBufSurfaceMemType,
    NVBUF_COLOR_FORMAT_RGBA, NVBUF_LAYOUT_PITCH, NVBUF_MAP_READ, NVBUF_MAP_READ_WRITE,
    NVBUF_MEM_SYSTEM,
};
use gstreamer as gst;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::c_int;
use std::ptr::NonNull;

/// Bytes per RGBA pixel.
const BPP: usize = 4;

/// Why a frame surface could not be mapped or allocated.
///
/// ```
/// use ds_core::surface::{FrameSurface, SurfaceError};
/// ds_core::init().unwrap();
/// let buffer = gstreamer::Buffer::with_size(8).unwrap();
/// assert!(matches!(FrameSurface::map(&buffer, 0), Err(SurfaceError::BufferTooSmall { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurfaceError {
    /// The GStreamer buffer could not be mapped for reading.
    NotReadable,
    /// The buffer's memory is smaller than an `NvBufSurface`: it is not a
    /// DeepStream (`memory:NVMM`) buffer.
    BufferTooSmall {
        /// Bytes in the buffer.
        size: usize,
        /// `size_of::<NvBufSurface>()`.
        needed: usize,
    },
    /// The buffer's memory is not aligned for an `NvBufSurface`.
    Misaligned,
    /// The surface has no `surfaceList`.
    NoSurfaceList,
    /// `batch_id` is not below the surface's `batchSize`.
    BatchIdOutOfRange {
        /// The requested frame.
        batch_id: u32,
        /// The surface's `batchSize`.
        batch_size: u32,
    },
    /// The frame is not RGBA.
    UnsupportedFormat(NvBufSurfaceColorFormat),
    /// The frame is not pitch-linear (e.g. Jetson block-linear).
    UnsupportedLayout(i32),
    /// Width, height, pitch or plane size are inconsistent (or zero).
    InvalidGeometry,
    /// `NvBufSurfaceMap` failed (e.g. CUDA device memory, which the CPU
    /// cannot map: use `NVBUF_MEM_CUDA_UNIFIED` on dGPU).
    MapFailed(i32),
    /// `NvBufSurfaceSyncForCpu` failed.
    SyncFailed(i32),
    /// `NvBufSurfaceCreate` failed (bad size, format or memory type).
    CreateFailed(i32),
    /// The buffer's memory is shared with another buffer (e.g. after a
    /// `tee`), so its frames cannot be written through this one.
    SharedMemory,
    /// `num_filled` larger than the batch.
    TooManyFilled {
        /// Requested `numFilled`.
        num_filled: u32,
        /// The surface's `batchSize`.
        batch_size: u32,
    },
}

/// Short name of a colour format, for messages.
fn format_name(f: NvBufSurfaceColorFormat) -> &'static str {
    match f {
        ds_sys::NVBUF_COLOR_FORMAT_GRAY8 => "GRAY8",
        ds_sys::NVBUF_COLOR_FORMAT_YUV420 => "I420",
        ds_sys::NVBUF_COLOR_FORMAT_YVU420 => "YV12",
        ds_sys::NVBUF_COLOR_FORMAT_NV12 => "NV12",
        ds_sys::NVBUF_COLOR_FORMAT_NV21 => "NV21",
        ds_sys::NVBUF_COLOR_FORMAT_UYVY => "UYVY",
        ds_sys::NVBUF_COLOR_FORMAT_YUYV => "YUY2",
        ds_sys::NVBUF_COLOR_FORMAT_RGBA => "RGBA",
        ds_sys::NVBUF_COLOR_FORMAT_BGRA => "BGRA",
        ds_sys::NVBUF_COLOR_FORMAT_ARGB => "ARGB",
        ds_sys::NVBUF_COLOR_FORMAT_ABGR => "ABGR",
        ds_sys::NVBUF_COLOR_FORMAT_RGBx => "RGBx",
        ds_sys::NVBUF_COLOR_FORMAT_BGRx => "BGRx",
        ds_sys::NVBUF_COLOR_FORMAT_RGB => "RGB",
        ds_sys::NVBUF_COLOR_FORMAT_BGR => "BGR",
        _ => "other",
    }
}

impl fmt::Display for SurfaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SurfaceError::NotReadable => f.write_str("buffer cannot be mapped for reading"),
            SurfaceError::BufferTooSmall { size, needed } => write!(
                f,
                "buffer holds {size} bytes, not an NvBufSurface ({needed} bytes): \
                 not a DeepStream (memory:NVMM) buffer"
            ),
            SurfaceError::Misaligned => {
                f.write_str("buffer memory is not aligned for an NvBufSurface")
            }
            SurfaceError::NoSurfaceList => f.write_str("NvBufSurface has no surfaceList"),
            SurfaceError::BatchIdOutOfRange {
                batch_id,
                batch_size,
            } => write!(
                f,
                "batch_id {batch_id} is out of range (batchSize {batch_size})"
            ),
            SurfaceError::UnsupportedFormat(c) => write!(
                f,
                "frame colour format is {} ({c}); only RGBA is supported: convert with \
                 nvvideoconvert to video/x-raw(memory:NVMM),format=RGBA",
                format_name(*c)
            ),
            SurfaceError::UnsupportedLayout(l) => {
                write!(
                    f,
                    "frame layout {l} is not pitch-linear; only pitch-linear frames can be read"
                )
            }
            SurfaceError::InvalidGeometry => {
                f.write_str("frame width, height, pitch or plane size are inconsistent")
            }
            SurfaceError::MapFailed(rc) => write!(
                f,
                "NvBufSurfaceMap failed ({rc}); on dGPU the surface must be CUDA unified memory"
            ),
            SurfaceError::SyncFailed(rc) => write!(f, "NvBufSurfaceSyncForCpu failed ({rc})"),
            SurfaceError::CreateFailed(rc) => write!(f, "NvBufSurfaceCreate failed ({rc})"),
            SurfaceError::SharedMemory => f.write_str(
                "buffer memory is shared with another buffer; its frames cannot be written",
            ),
            SurfaceError::TooManyFilled {
                num_filled,
                batch_size,
            } => write!(f, "numFilled {num_filled} exceeds batchSize {batch_size}"),
        }
    }
}

impl std::error::Error for SurfaceError {}

/// One RGBA frame of a batched `NvBufSurface`, mapped for reading.
///
/// The mapping is left in place when the view is dropped (as pyds's
/// `get_nvds_buf_surface` does): other views of the same frame may still
/// use it, and the surface's owner unmaps when it is destroyed.
///
/// ```
/// use ds_core::surface::{FrameSurface, SurfaceBatch};
/// ds_core::init().unwrap();
/// let batch = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
/// let buffer = batch.into_buffer();
/// let frame = FrameSurface::map(&buffer, 0).unwrap();
/// assert!(frame.pitch() >= 8);
/// assert_eq!(frame.rows().count(), 2);
/// assert!(frame.rows().all(|r| r == [0; 8]));
/// ```
pub struct FrameSurface<'a> {
    _map: Option<gst::BufferMap<'a, gst::buffer::Readable>>,
    surf: *mut NvBufSurface,
    index: u32,
    data: *mut u8,
    width: u32,
    height: u32,
    pitch: u32,
    mapped_here: bool,
    _life: PhantomData<&'a NvBufSurface>,
}

impl<'a> FrameSurface<'a> {
    /// Maps frame `batch_id` of the `NvBufSurface` held by `buffer` for
    /// reading (`NvBufSurfaceMap` READ + `NvBufSurfaceSyncForCpu`).
    ///
    /// `buffer` must be a DeepStream (`memory:NVMM`) buffer: its memory is
    /// read as an `NvBufSurface`, which is checked for size, alignment,
    /// batch range, RGBA format, pitch-linear layout and consistent geometry.
    ///
    /// ```
    /// use ds_core::surface::{FrameSurface, SurfaceBatch, SurfaceError};
    /// ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap().into_buffer();
    /// let err = FrameSurface::map(&buffer, 0).unwrap_err();
    /// assert_eq!(err, SurfaceError::UnsupportedFormat(ds_sys::NVBUF_COLOR_FORMAT_NV12));
    /// assert!(err.to_string().contains("only RGBA"));
    /// ```
    pub fn map(
        buffer: &'a gst::BufferRef,
        batch_id: u32,
    ) -> Result<FrameSurface<'a>, SurfaceError> {
        let map = buffer
            .map_readable()
            .map_err(|_| SurfaceError::NotReadable)?;
        let needed = std::mem::size_of::<NvBufSurface>();
        if map.size() < needed {
            return Err(SurfaceError::BufferTooSmall {
                size: map.size(),
                needed,
            });
        }
        let p = map.as_ptr() as *mut NvBufSurface;
        if !(p as usize).is_multiple_of(std::mem::align_of::<NvBufSurface>()) {
            return Err(SurfaceError::Misaligned);
        }
        // SAFETY: the mapped memory holds an NvBufSurface (NVMM buffer
        // contract, size and alignment checked) and stays mapped as long as
        // `map`, which the view keeps.
        let mut view = unsafe { Self::open(p, batch_id, false)? };
        view._map = Some(map);
        Ok(view)
    }

    /// Maps frame `index` of `surf`.
    ///
    /// # Safety
    /// `surf` points to a valid `NvBufSurface` that outlives `'a`.
    unsafe fn open(surf: *mut NvBufSurface, index: u32, write: bool) -> Result<Self, SurfaceError> {
        // SAFETY: per contract.
        let s = unsafe { &*surf };
        if s.surfaceList.is_null() {
            return Err(SurfaceError::NoSurfaceList);
        }
        if index >= s.batchSize {
            return Err(SurfaceError::BatchIdOutOfRange {
                batch_id: index,
                batch_size: s.batchSize,
            });
        }
        // SAFETY: surfaceList holds batchSize entries; index is in range.
        let params = unsafe { &*s.surfaceList.add(index as usize) };
        if params.colorFormat != NVBUF_COLOR_FORMAT_RGBA {
            return Err(SurfaceError::UnsupportedFormat(params.colorFormat));
        }
        if params.layout != NVBUF_LAYOUT_PITCH {
            return Err(SurfaceError::UnsupportedLayout(params.layout));
        }
        let pp = &params.planeParams;
        let (width, height, pitch) = (pp.width[0], pp.height[0], pp.pitch[0]);
        let row_bytes = (width as usize).checked_mul(BPP);
        let needed = (pitch as usize).checked_mul(height as usize);
        let (Some(row_bytes), Some(needed)) = (row_bytes, needed) else {
            return Err(SurfaceError::InvalidGeometry);
        };
        let plane_size = if pp.psize[0] != 0 {
            pp.psize[0]
        } else {
            params.dataSize
        } as usize;
        if width == 0 || height == 0 || (pitch as usize) < row_bytes || plane_size < needed {
            return Err(SurfaceError::InvalidGeometry);
        }
        let idx = index as c_int;
        let mut already = !params.mappedAddr.addr[0].is_null();
        if already && write {
            // An existing mapping may be read-only (Jetson maps with the
            // requested protection): map again for writing. `write` views
            // are exclusive, so no other view uses the old mapping.
            // SAFETY: surf is valid; index and plane 0 are in range.
            unsafe { ds_sys::NvBufSurfaceUnMap(surf, idx, 0) };
            already = false;
        }
        if !already {
            let flags = if write {
                NVBUF_MAP_READ_WRITE
            } else {
                NVBUF_MAP_READ
            };
            // SAFETY: surf is valid; index and plane 0 are in range.
            let rc = unsafe { ds_sys::NvBufSurfaceMap(surf, idx, 0, flags) };
            if rc != 0 {
                return Err(SurfaceError::MapFailed(rc));
            }
        }
        // SAFETY: as above.
        let rc = unsafe { ds_sys::NvBufSurfaceSyncForCpu(surf, idx, 0) };
        if rc != 0 {
            if !already {
                // SAFETY: undo our own mapping.
                unsafe { ds_sys::NvBufSurfaceUnMap(surf, idx, 0) };
            }
            return Err(SurfaceError::SyncFailed(rc));
        }
        // SAFETY: params is valid; re-read after mapping.
        let data = unsafe { (*s.surfaceList.add(index as usize)).mappedAddr.addr[0] } as *mut u8;
        if data.is_null() {
            return Err(SurfaceError::MapFailed(-1));
        }
        Ok(FrameSurface {
            _map: None,
            surf,
            index,
            data,
            width,
            height,
            pitch,
            mapped_here: !already,
            _life: PhantomData,
        })
    }

    /// Width in pixels.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 5, 3, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(batch.frame(0).unwrap().width(), 5);
    /// ```
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in rows.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 5, 3, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(batch.frame(0).unwrap().height(), 3);
    /// ```
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes from one row to the next (at least `4 * width`).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 5, 3, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert!(batch.frame(0).unwrap().pitch() >= 20);
    /// ```
    pub fn pitch(&self) -> u32 {
        self.pitch
    }

    /// Index of the frame in the batch.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(3, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(batch.frame(2).unwrap().batch_id(), 2);
    /// ```
    pub fn batch_id(&self) -> u32 {
        self.index
    }

    /// The whole plane, `pitch * height` bytes (rows include padding).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let f = batch.frame(0).unwrap();
    /// assert_eq!(f.pixels().len(), f.pitch() as usize * 2);
    /// ```
    pub fn pixels(&self) -> &[u8] {
        // SAFETY: data is the mapped plane of at least pitch * height bytes
        // (checked in open), valid while the view (and the surface it
        // borrows) lives.
        unsafe { std::slice::from_raw_parts(self.data, self.pitch as usize * self.height as usize) }
    }

    /// Row `y`: its `4 * width` pixel bytes (R, G, B, A), without padding.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 3, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let f = batch.frame(0).unwrap();
    /// assert_eq!(f.row(1).unwrap().len(), 12);
    /// assert!(f.row(2).is_none());
    /// ```
    pub fn row(&self, y: u32) -> Option<&[u8]> {
        if y >= self.height {
            return None;
        }
        let start = y as usize * self.pitch as usize;
        self.pixels().get(start..start + self.width as usize * BPP)
    }

    /// Iterator over the rows, top to bottom.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 3, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(batch.frame(0).unwrap().rows().len(), 4);
    /// ```
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (0..self.height).map(move |y| self.row(y).unwrap_or(&[]))
    }

    /// The pixel at (`x`, `y`) as `[r, g, b, a]`.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 3, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(batch.frame(0).unwrap().pixel(2, 3), Some([0, 0, 0, 0]));
    /// assert_eq!(batch.frame(0).unwrap().pixel(3, 0), None);
    /// ```
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width {
            return None;
        }
        let row = self.row(y)?;
        let i = x as usize * BPP;
        row.get(i..i + BPP)?.try_into().ok()
    }

    /// A tightly packed copy (`4 * width * height` bytes, no padding), e.g.
    /// to save the frame as an image.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let batch = SurfaceBatch::new(1, 3, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(batch.frame(0).unwrap().to_packed_rgba().len(), 24);
    /// ```
    pub fn to_packed_rgba(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.width as usize * self.height as usize * BPP);
        for r in self.rows() {
            out.extend_from_slice(r);
        }
        out
    }
}

impl fmt::Debug for FrameSurface<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameSurface")
            .field("batch_id", &self.index)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("pitch", &self.pitch)
            .finish()
    }
}

/// One RGBA frame of a batched `NvBufSurface`, mapped for reading and
/// writing. Dropping it syncs the CPU writes for the device
/// (`NvBufSurfaceSyncForDevice`) and unmaps the frame if this view mapped
/// it. Dereferences to [`FrameSurface`] for reading.
///
/// ```
/// use ds_core::surface::{FrameSurfaceMut, SurfaceBatch};
/// ds_core::init().unwrap();
/// let mut buffer = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
/// let mut frame = FrameSurfaceMut::map(buffer.get_mut().unwrap(), 0).unwrap();
/// frame.fill([0, 0, 255, 255]);
/// assert_eq!(frame.pixel(1, 1), Some([0, 0, 255, 255]));
/// ```
pub struct FrameSurfaceMut<'a> {
    inner: FrameSurface<'a>,
}

impl<'a> FrameSurfaceMut<'a> {
    /// Maps frame `batch_id` of the `NvBufSurface` held by `buffer` for
    /// reading and writing (`NvBufSurfaceMap` READ_WRITE +
    /// `NvBufSurfaceSyncForCpu`). The `&mut` borrow makes this the only
    /// view of the buffer while it lives, and memory shared with another
    /// buffer is refused ([`SurfaceError::SharedMemory`]): DeepStream
    /// buffers that share memory share their pixels. The buffer's memory itself is
    /// only read (it holds the surface descriptor, not the pixels), so no
    /// memory copy happens.
    ///
    /// ```
    /// use ds_core::surface::{FrameSurfaceMut, SurfaceBatch, SurfaceError};
    /// ds_core::init().unwrap();
    /// let mut buffer = SurfaceBatch::new(2, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// let err = FrameSurfaceMut::map(buffer.get_mut().unwrap(), 2).unwrap_err();
    /// assert_eq!(err, SurfaceError::BatchIdOutOfRange { batch_id: 2, batch_size: 2 });
    /// ```
    pub fn map(
        buffer: &'a mut gst::BufferRef,
        batch_id: u32,
    ) -> Result<FrameSurfaceMut<'a>, SurfaceError> {
        if !buffer.is_all_memory_writable() {
            return Err(SurfaceError::SharedMemory);
        }
        let shared: &'a gst::BufferRef = buffer;
        let map = shared
            .map_readable()
            .map_err(|_| SurfaceError::NotReadable)?;
        let needed = std::mem::size_of::<NvBufSurface>();
        if map.size() < needed {
            return Err(SurfaceError::BufferTooSmall {
                size: map.size(),
                needed,
            });
        }
        let p = map.as_ptr() as *mut NvBufSurface;
        if !(p as usize).is_multiple_of(std::mem::align_of::<NvBufSurface>()) {
            return Err(SurfaceError::Misaligned);
        }
        // SAFETY: as in FrameSurface::map; the exclusive borrow of the
        // buffer for 'a makes this the only view.
        let mut inner = unsafe { FrameSurface::open(p, batch_id, true)? };
        inner._map = Some(map);
        Ok(FrameSurfaceMut { inner })
    }

    /// The whole plane, mutably (`pitch * height` bytes).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut batch = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let mut f = batch.frame_mut(0).unwrap();
    /// f.pixels_mut()[0] = 7;
    /// assert_eq!(f.pixel(0, 0), Some([7, 0, 0, 0]));
    /// ```
    pub fn pixels_mut(&mut self) -> &mut [u8] {
        let len = self.inner.pitch as usize * self.inner.height as usize;
        // SAFETY: as in `pixels`; the map was made READ_WRITE and `&mut
        // self` gives exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.inner.data, len) }
    }

    /// Row `y`, mutably (`4 * width` bytes).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut batch = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let mut f = batch.frame_mut(0).unwrap();
    /// f.row_mut(1).unwrap().fill(9);
    /// assert_eq!(f.row(1).unwrap(), &[9; 8]);
    /// assert_eq!(f.row(0).unwrap(), &[0; 8]);
    /// ```
    pub fn row_mut(&mut self, y: u32) -> Option<&mut [u8]> {
        if y >= self.inner.height {
            return None;
        }
        let start = y as usize * self.inner.pitch as usize;
        let n = self.inner.width as usize * BPP;
        self.pixels_mut().get_mut(start..start + n)
    }

    /// Sets the pixel at (`x`, `y`); `false` when out of range.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut batch = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let mut f = batch.frame_mut(0).unwrap();
    /// assert!(f.set_pixel(1, 0, [1, 2, 3, 4]));
    /// assert!(!f.set_pixel(2, 0, [1, 2, 3, 4]));
    /// assert_eq!(f.pixel(1, 0), Some([1, 2, 3, 4]));
    /// ```
    pub fn set_pixel(&mut self, x: u32, y: u32, rgba: [u8; 4]) -> bool {
        if x >= self.inner.width {
            return false;
        }
        let i = x as usize * BPP;
        match self.row_mut(y).and_then(|r| r.get_mut(i..i + BPP)) {
            Some(px) => {
                px.copy_from_slice(&rgba);
                true
            }
            None => false,
        }
    }

    /// Sets every pixel to `rgba` (row padding untouched).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut batch = SurfaceBatch::new(1, 3, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let mut f = batch.frame_mut(0).unwrap();
    /// f.fill([1, 1, 1, 1]);
    /// assert!(f.to_packed_rgba().iter().all(|&b| b == 1));
    /// ```
    pub fn fill(&mut self, rgba: [u8; 4]) {
        for y in 0..self.inner.height {
            if let Some(row) = self.row_mut(y) {
                for px in row.chunks_exact_mut(BPP) {
                    px.copy_from_slice(&rgba);
                }
            }
        }
    }
}

impl<'a> std::ops::Deref for FrameSurfaceMut<'a> {
    type Target = FrameSurface<'a>;
    fn deref(&self) -> &FrameSurface<'a> {
        &self.inner
    }
}

impl Drop for FrameSurfaceMut<'_> {
    fn drop(&mut self) {
        let idx = self.inner.index as c_int;
        // SAFETY: the surface outlives the view; index is in range (checked
        // at map time). A failing sync has no recovery here: the pixels
        // stay in host memory.
        unsafe {
            ds_sys::NvBufSurfaceSyncForDevice(self.inner.surf, idx, 0);
            if self.inner.mapped_here {
                ds_sys::NvBufSurfaceUnMap(self.inner.surf, idx, 0);
            }
        }
    }
}

impl fmt::Debug for FrameSurfaceMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// An `NvBufSurface` batch allocated in system memory
/// (`NvBufSurfaceCreate`, pitch-linear), owned by Rust and destroyed on
/// drop. [`SurfaceBatch::into_buffer`] wraps it into a `gst::Buffer` whose
/// memory is the `NvBufSurface` struct, as DeepStream lays NVMM buffers out.
///
/// ```
/// use ds_core::surface::SurfaceBatch;
/// let mut batch = SurfaceBatch::new(4, 64, 32, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
/// assert_eq!((batch.batch_size(), batch.num_filled()), (4, 0));
/// batch.set_num_filled(4).unwrap();
/// assert!(batch.set_num_filled(5).is_err());
/// ```
pub struct SurfaceBatch {
    surf: NonNull<NvBufSurface>,
}

// SAFETY: the batch exclusively owns its host-memory allocations (no
// thread affinity).
unsafe impl Send for SurfaceBatch {}

impl SurfaceBatch {
    /// Allocates `batch_size` frames of `width` x `height` in `format`
    /// (system memory, zero-filled, `numFilled` = 0).
    ///
    /// ```
    /// use ds_core::surface::{SurfaceBatch, SurfaceError};
    /// assert!(SurfaceBatch::new(1, 16, 16, ds_sys::NVBUF_COLOR_FORMAT_NV12).is_ok());
    /// assert!(matches!(
    ///     SurfaceBatch::new(0, 16, 16, ds_sys::NVBUF_COLOR_FORMAT_RGBA),
    ///     Err(SurfaceError::CreateFailed(_))
    /// ));
    /// ```
    pub fn new(
        batch_size: u32,
        width: u32,
        height: u32,
        format: NvBufSurfaceColorFormat,
    ) -> Result<SurfaceBatch, SurfaceError> {
        Self::with_mem_type(batch_size, width, height, format, NVBUF_MEM_SYSTEM)
    }

    /// Like [`SurfaceBatch::new`] with an explicit memory type (e.g.
    /// `NVBUF_MEM_CUDA_UNIFIED` on dGPU).
    ///
    /// ```
    /// use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::with_mem_type(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA, ds_sys::NVBUF_MEM_SYSTEM).unwrap();
    /// assert_eq!(b.as_raw().memType, ds_sys::NVBUF_MEM_SYSTEM);
    /// ```
    pub fn with_mem_type(
        batch_size: u32,
        width: u32,
        height: u32,
        format: NvBufSurfaceColorFormat,
        mem_type: NvBufSurfaceMemType,
    ) -> Result<SurfaceBatch, SurfaceError> {
        if batch_size == 0 || width == 0 || height == 0 {
            return Err(SurfaceError::CreateFailed(-1));
        }
        let mut params = NvBufSurfaceCreateParams {
            gpuId: 0,
            width,
            height,
            size: 0,
            isContiguous: false,
            colorFormat: format,
            layout: NVBUF_LAYOUT_PITCH,
            memType: mem_type,
        };
        let mut surf: *mut NvBufSurface = std::ptr::null_mut();
        // SAFETY: out-pointer and params are valid for the call.
        let rc = unsafe { ds_sys::NvBufSurfaceCreate(&mut surf, batch_size, &mut params) };
        match NonNull::new(surf) {
            Some(surf) if rc == 0 => Ok(SurfaceBatch { surf }),
            _ => Err(SurfaceError::CreateFailed(rc)),
        }
    }

    /// The owned surface pointer (for [`crate::planes`]).
    pub(crate) fn raw_ptr(&self) -> *mut NvBufSurface {
        self.surf.as_ptr()
    }

    /// The raw `NvBufSurface`.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(2, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(b.as_raw().batchSize, 2);
    /// ```
    pub fn as_raw(&self) -> &NvBufSurface {
        // SAFETY: we own a valid surface.
        unsafe { self.surf.as_ref() }
    }

    /// `batchSize`.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// assert_eq!(SurfaceBatch::new(3, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().batch_size(), 3);
    /// ```
    pub fn batch_size(&self) -> u32 {
        self.as_raw().batchSize
    }

    /// `numFilled`: how many frames of the batch are valid.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// assert_eq!(SurfaceBatch::new(3, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().num_filled(), 0);
    /// ```
    pub fn num_filled(&self) -> u32 {
        self.as_raw().numFilled
    }

    /// Sets `numFilled` (at most `batch_size`).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(3, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// b.set_num_filled(2).unwrap();
    /// assert_eq!(b.num_filled(), 2);
    /// ```
    pub fn set_num_filled(&mut self, num_filled: u32) -> Result<(), SurfaceError> {
        let batch_size = self.batch_size();
        if num_filled > batch_size {
            return Err(SurfaceError::TooManyFilled {
                num_filled,
                batch_size,
            });
        }
        // SAFETY: we own the surface; `&mut self` gives exclusive access.
        unsafe { (*self.surf.as_ptr()).numFilled = num_filled };
        Ok(())
    }

    /// Frame `batch_id`, mapped for reading (without a GStreamer buffer).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert_eq!(b.frame(0).unwrap().width(), 8);
    /// assert!(b.frame(1).is_err());
    /// ```
    pub fn frame(&self, batch_id: u32) -> Result<FrameSurface<'_>, SurfaceError> {
        // SAFETY: the surface is valid and outlives the borrow of self.
        unsafe { FrameSurface::open(self.surf.as_ptr(), batch_id, false) }
    }

    /// Frame `batch_id`, mapped for reading and writing.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// b.frame_mut(0).unwrap().fill([1, 2, 3, 4]);
    /// assert_eq!(b.frame(0).unwrap().pixel(7, 7), Some([1, 2, 3, 4]));
    /// ```
    pub fn frame_mut(&mut self, batch_id: u32) -> Result<FrameSurfaceMut<'_>, SurfaceError> {
        // SAFETY: as in `frame`; `&mut self` makes the view exclusive.
        let inner = unsafe { FrameSurface::open(self.surf.as_ptr(), batch_id, true)? };
        Ok(FrameSurfaceMut { inner })
    }

    /// Wraps the batch into a `gst::Buffer` whose memory is the
    /// `NvBufSurface` struct; the surface is destroyed with the buffer.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(1, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// assert_eq!(buffer.size(), std::mem::size_of::<ds_sys::NvBufSurface>());
    /// ```
    pub fn into_buffer(self) -> gst::Buffer {
        gst::Buffer::from_mut_slice(self)
    }
}

impl AsRef<[u8]> for SurfaceBatch {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: the struct was allocated zeroed and written field by field
        // (every byte initialised); the slice covers exactly it and lives as
        // long as the borrow.
        unsafe {
            std::slice::from_raw_parts(
                self.surf.as_ptr() as *const u8,
                std::mem::size_of::<NvBufSurface>(),
            )
        }
    }
}

impl AsMut<[u8]> for SurfaceBatch {
    fn as_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in as_ref; `&mut self` gives exclusive access.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.surf.as_ptr() as *mut u8,
                std::mem::size_of::<NvBufSurface>(),
            )
        }
    }
}

impl Drop for SurfaceBatch {
    fn drop(&mut self) {
        // SAFETY: we own the surface from NvBufSurfaceCreate; destroyed once.
        unsafe { ds_sys::NvBufSurfaceDestroy(self.surf.as_ptr()) };
    }
}

impl fmt::Debug for SurfaceBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SurfaceBatch")
            .field("batch_size", &self.batch_size())
            .field("num_filled", &self.num_filled())
            .finish()
    }
}
