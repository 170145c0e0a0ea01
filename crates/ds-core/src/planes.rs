//! All-format frame access for element writers: the planes (Y, UV, RGBA, …)
//! of any pitch-linear frame of a batched `NvBufSurface`, as byte slices.
//!
//! [`crate::surface`] is the app-facing RGBA view (pyds's
//! `get_nvds_buf_surface`); this module is what converters, muxers and
//! encoders need: every plane of every supported format, read from a
//! buffer ([`SurfaceRef`]), written in place ([`SurfaceMut`]) or filled in
//! a batch being built ([`SurfaceBatch::planes_mut`]).
//!
//! Mapping follows the NvBufSurface rules: `NvBufSurfaceMap` (all planes)
//! and `NvBufSurfaceSyncForCpu` before access, `NvBufSurfaceSyncForDevice`
//! after writing. Mappings stay in place after a view is dropped, as in
//! [`crate::surface`].
//!
//! ```
//! use ds_core::planes::SurfaceRef;
//! use ds_core::surface::SurfaceBatch;
//! ds_core::init().unwrap();
//! let mut batch = SurfaceBatch::new(1, 4, 2, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
//! batch.set_num_filled(1).unwrap();
//! {
//!     let mut frame = batch.planes_mut(0).unwrap();
//!     frame.plane_mut(0).unwrap().row_mut(1).unwrap().fill(200); // Y, second row
//!     frame.plane_mut(1).unwrap().row_mut(0).unwrap().fill(128); // interleaved UV
//! }
//! let buffer = batch.into_buffer();
//! let surface = SurfaceRef::from_buffer(&buffer).unwrap();
//! let frame = surface.frame(0).unwrap();
//! assert_eq!(frame.planes().len(), 2);
//! assert_eq!(frame.plane(0).unwrap().row(1).unwrap(), &[200; 4]);
//! assert_eq!(frame.plane(1).unwrap().width(), 2);
//! ```
use crate::surface::{SurfaceBatch, SurfaceError};
use ds_sys::{
    NvBufSurface, NvBufSurfaceColorFormat, NVBUF_LAYOUT_PITCH, NVBUF_MAP_READ, NVBUF_MAP_READ_WRITE,
};
use gstreamer as gst;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::c_int;

/// Geometry of one plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlaneGeom {
    width: u32,
    height: u32,
    pitch: u32,
    bpp: u32,
    len: usize,
}

/// A mapped frame: its format, size and plane pointers.
struct RawFrame {
    format: NvBufSurfaceColorFormat,
    width: u32,
    height: u32,
    planes: Vec<(*mut u8, PlaneGeom)>,
}

/// Maps every plane of frame `index` of `surf` for the CPU.
///
/// # Safety
/// `surf` points to a valid `NvBufSurface` that stays valid while the
/// returned pointers are used.
unsafe fn map_frame(
    surf: *mut NvBufSurface,
    index: u32,
    write: bool,
) -> Result<RawFrame, SurfaceError> {
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
    if params.layout != NVBUF_LAYOUT_PITCH {
        return Err(SurfaceError::UnsupportedLayout(params.layout));
    }
    let pp = &params.planeParams;
    let n = pp.num_planes as usize;
    if n == 0 || n > ds_sys::NVBUF_MAX_PLANES {
        return Err(SurfaceError::InvalidGeometry);
    }
    let mut geoms = Vec::with_capacity(n);
    for p in 0..n {
        let (w, h, pitch, bpp) = (pp.width[p], pp.height[p], pp.pitch[p], pp.bytesPerPix[p]);
        let row = u64::from(w) * u64::from(bpp);
        let len = u64::from(pitch) * u64::from(h);
        if w == 0 || h == 0 || bpp == 0 || u64::from(pitch) < row {
            return Err(SurfaceError::InvalidGeometry);
        }
        if pp.psize[p] != 0 && u64::from(pp.psize[p]) < len {
            return Err(SurfaceError::InvalidGeometry);
        }
        let len = usize::try_from(len).map_err(|_| SurfaceError::InvalidGeometry)?;
        geoms.push(PlaneGeom {
            width: w,
            height: h,
            pitch,
            bpp,
            len,
        });
    }
    let idx = index as c_int;
    let flags = if write {
        NVBUF_MAP_READ_WRITE
    } else {
        NVBUF_MAP_READ
    };
    let already = (0..n).all(|p| !params.mappedAddr.addr[p].is_null());
    if !already || write {
        if already {
            // SAFETY: surf is valid; index in range; -1 = all planes.
            unsafe { ds_sys::NvBufSurfaceUnMap(surf, idx, -1) };
        }
        // SAFETY: as above.
        let rc = unsafe { ds_sys::NvBufSurfaceMap(surf, idx, -1, flags) };
        if rc != 0 {
            return Err(SurfaceError::MapFailed(rc));
        }
    }
    // SAFETY: as above.
    let rc = unsafe { ds_sys::NvBufSurfaceSyncForCpu(surf, idx, -1) };
    if rc != 0 {
        return Err(SurfaceError::SyncFailed(rc));
    }
    // SAFETY: re-read the entry after mapping (the map fills mappedAddr).
    let params = unsafe { &*s.surfaceList.add(index as usize) };
    let mut planes = Vec::with_capacity(n);
    for (p, g) in geoms.into_iter().enumerate() {
        let ptr = params.mappedAddr.addr[p] as *mut u8;
        if ptr.is_null() {
            return Err(SurfaceError::MapFailed(-1));
        }
        planes.push((ptr, g));
    }
    // Planes handed out as separate (possibly mutable) slices must not overlap.
    let mut ranges: Vec<(usize, usize)> = planes
        .iter()
        .map(|(p, g)| (*p as usize, *p as usize + g.len))
        .collect();
    ranges.sort_unstable();
    if ranges.windows(2).any(|w| w[0].1 > w[1].0) {
        return Err(SurfaceError::InvalidGeometry);
    }
    Ok(RawFrame {
        format: params.colorFormat,
        width: params.width,
        height: params.height,
        planes,
    })
}

/// Reads the `NvBufSurface` held by a mapped buffer.
fn surface_of(map: &[u8]) -> Result<*mut NvBufSurface, SurfaceError> {
    let needed = std::mem::size_of::<NvBufSurface>();
    if map.len() < needed {
        return Err(SurfaceError::BufferTooSmall {
            size: map.len(),
            needed,
        });
    }
    let p = map.as_ptr() as *mut NvBufSurface;
    if !(p as usize).is_multiple_of(std::mem::align_of::<NvBufSurface>()) {
        return Err(SurfaceError::Misaligned);
    }
    Ok(p)
}

/// One plane of a frame, for reading.
///
/// ```
/// # use ds_core::surface::SurfaceBatch;
/// let batch = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_YUV420).unwrap();
/// let frame = batch.planes(0).unwrap();
/// let u = frame.plane(1).unwrap();
/// assert_eq!((u.width(), u.height(), u.bytes_per_pix()), (3, 2, 1));
/// assert!(u.pitch() >= 3);
/// ```
#[derive(Clone, Copy)]
pub struct Plane<'a> {
    geom: PlaneGeom,
    data: &'a [u8],
}

impl<'a> Plane<'a> {
    /// Width in pixels (samples) of the plane.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes(0).unwrap().plane(1).unwrap().width(), 3);
    /// ```
    pub fn width(&self) -> u32 {
        self.geom.width
    }
    /// Height in rows.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes(0).unwrap().plane(1).unwrap().height(), 2);
    /// ```
    pub fn height(&self) -> u32 {
        self.geom.height
    }
    /// Bytes from one row to the next.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// assert!(b.planes(0).unwrap().plane(0).unwrap().pitch() >= 24);
    /// ```
    pub fn pitch(&self) -> u32 {
        self.geom.pitch
    }
    /// Bytes per pixel of the plane (2 for interleaved UV).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes(0).unwrap().plane(1).unwrap().bytes_per_pix(), 2);
    /// ```
    pub fn bytes_per_pix(&self) -> u32 {
        self.geom.bpp
    }
    /// The whole plane, `pitch * height` bytes.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap();
    /// let p = b.planes(0).unwrap().plane(0).unwrap();
    /// assert_eq!(p.data().len(), p.pitch() as usize * 4);
    /// ```
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
    /// Row `y` without its padding (`width * bytes_per_pix` bytes).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 6, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let p = b.planes(0).unwrap().plane(0).unwrap();
    /// assert_eq!(p.row(3).unwrap().len(), 24);
    /// assert!(p.row(4).is_none());
    /// ```
    pub fn row(&self, y: u32) -> Option<&'a [u8]> {
        if y >= self.geom.height {
            return None;
        }
        let start = y as usize * self.geom.pitch as usize;
        let len = self.geom.width as usize * self.geom.bpp as usize;
        self.data.get(start..start + len)
    }
}

impl fmt::Debug for Plane<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plane").field("geom", &self.geom).finish()
    }
}

/// One plane of a frame, for reading and writing.
///
/// ```
/// # use ds_core::surface::SurfaceBatch;
/// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap();
/// let mut f = b.planes_mut(0).unwrap();
/// let mut y = f.plane_mut(0).unwrap();
/// y.row_mut(1).unwrap().copy_from_slice(&[1, 2]);
/// assert_eq!(y.as_plane().row(1).unwrap(), &[1, 2]);
/// ```
pub struct PlaneMut<'a> {
    geom: PlaneGeom,
    data: &'a mut [u8],
}

impl PlaneMut<'_> {
    /// A read view of this plane.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap();
    /// let mut f = b.planes_mut(0).unwrap();
    /// assert_eq!(f.plane_mut(0).unwrap().as_plane().width(), 2);
    /// ```
    pub fn as_plane(&self) -> Plane<'_> {
        Plane {
            geom: self.geom,
            data: self.data,
        }
    }
    /// The whole plane, mutably (`pitch * height` bytes).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap();
    /// let mut f = b.planes_mut(0).unwrap();
    /// f.plane_mut(0).unwrap().data_mut().fill(9);
    /// assert_eq!(f.as_frame().plane(0).unwrap().row(0).unwrap(), &[9, 9]);
    /// ```
    pub fn data_mut(&mut self) -> &mut [u8] {
        self.data
    }
    /// Row `y` without padding, mutably.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap();
    /// let mut f = b.planes_mut(0).unwrap();
    /// assert!(f.plane_mut(0).unwrap().row_mut(2).is_none());
    /// ```
    pub fn row_mut(&mut self, y: u32) -> Option<&mut [u8]> {
        if y >= self.geom.height {
            return None;
        }
        let start = y as usize * self.geom.pitch as usize;
        let len = self.geom.width as usize * self.geom.bpp as usize;
        self.data.get_mut(start..start + len)
    }
    /// Width, height, pitch and bytes per pixel, as in [`Plane`].
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 4, 2, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// let mut f = b.planes_mut(0).unwrap();
    /// let (w, h, _pitch, bpp) = f.plane_mut(1).unwrap().geometry();
    /// assert_eq!((w, h, bpp), (2, 1, 2));
    /// ```
    pub fn geometry(&self) -> (u32, u32, u32, u32) {
        (
            self.geom.width,
            self.geom.height,
            self.geom.pitch,
            self.geom.bpp,
        )
    }
}

impl fmt::Debug for PlaneMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlaneMut")
            .field("geom", &self.geom)
            .finish()
    }
}

/// The planes of one frame, for reading.
///
/// ```
/// # use ds_core::surface::SurfaceBatch;
/// let b = SurfaceBatch::new(1, 8, 6, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
/// let f = b.planes(0).unwrap();
/// assert_eq!((f.format(), f.width(), f.height()), (ds_sys::NVBUF_COLOR_FORMAT_RGBA, 8, 6));
/// ```
#[derive(Debug)]
pub struct FramePlanes<'a> {
    format: NvBufSurfaceColorFormat,
    width: u32,
    height: u32,
    planes: Vec<Plane<'a>>,
}

impl<'a> FramePlanes<'a> {
    /// Colour format (`NVBUF_COLOR_FORMAT_*`).
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(1, 8, 6, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes(0).unwrap().format(), ds_sys::NVBUF_COLOR_FORMAT_NV12);
    /// ```
    pub fn format(&self) -> NvBufSurfaceColorFormat {
        self.format
    }
    /// Frame width in pixels.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// assert_eq!(SurfaceBatch::new(1, 8, 6, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap().planes(0).unwrap().width(), 8);
    /// ```
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Frame height in pixels.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// assert_eq!(SurfaceBatch::new(1, 8, 6, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap().planes(0).unwrap().height(), 6);
    /// ```
    pub fn height(&self) -> u32 {
        self.height
    }
    /// All planes, in the format's order.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// assert_eq!(SurfaceBatch::new(1, 8, 6, ds_sys::NVBUF_COLOR_FORMAT_YUV420).unwrap().planes(0).unwrap().planes().len(), 3);
    /// ```
    pub fn planes(&self) -> &[Plane<'a>] {
        &self.planes
    }
    /// Plane `i`, if the format has it.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// assert!(SurfaceBatch::new(1, 8, 6, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().planes(0).unwrap().plane(1).is_none());
    /// ```
    pub fn plane(&self, i: usize) -> Option<Plane<'a>> {
        self.planes.get(i).copied()
    }
}

/// The planes of one frame, for reading and writing. Syncs the frame for
/// the device when dropped.
///
/// ```
/// # use ds_core::surface::SurfaceBatch;
/// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
/// let mut f = b.planes_mut(0).unwrap();
/// for p in f.planes_mut() { p.data_mut().fill(1); }
/// assert_eq!(f.as_frame().plane(0).unwrap().row(0).unwrap(), &[1; 8]);
/// ```
pub struct FramePlanesMut<'a> {
    surf: *mut NvBufSurface,
    index: u32,
    format: NvBufSurfaceColorFormat,
    width: u32,
    height: u32,
    planes: Vec<PlaneMut<'a>>,
}

impl<'a> FramePlanesMut<'a> {
    /// Colour format.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_BGRx).unwrap();
    /// assert_eq!(b.planes_mut(0).unwrap().format(), ds_sys::NVBUF_COLOR_FORMAT_BGRx);
    /// ```
    pub fn format(&self) -> NvBufSurfaceColorFormat {
        self.format
    }
    /// Frame width and height.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 4, ds_sys::NVBUF_COLOR_FORMAT_BGRx).unwrap();
    /// assert_eq!(b.planes_mut(0).unwrap().size(), (2, 4));
    /// ```
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
    /// All planes, mutably.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes_mut(0).unwrap().planes_mut().len(), 2);
    /// ```
    pub fn planes_mut(&mut self) -> &mut [PlaneMut<'a>] {
        &mut self.planes
    }
    /// Plane `i`, mutably.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert!(b.planes_mut(0).unwrap().plane_mut(2).is_none());
    /// ```
    pub fn plane_mut(&mut self, i: usize) -> Option<&mut PlaneMut<'a>> {
        self.planes.get_mut(i)
    }
    /// A read view of the frame.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes_mut(0).unwrap().as_frame().width(), 2);
    /// ```
    pub fn as_frame(&self) -> FramePlanes<'_> {
        FramePlanes {
            format: self.format,
            width: self.width,
            height: self.height,
            planes: self.planes.iter().map(PlaneMut::as_plane).collect(),
        }
    }
}

impl Drop for FramePlanesMut<'_> {
    fn drop(&mut self) {
        // SAFETY: the surface outlives the view (lifetime 'a); the index was
        // checked when mapping. A failing sync leaves the pixels in host
        // memory, which is all the open backend has.
        unsafe { ds_sys::NvBufSurfaceSyncForDevice(self.surf, self.index as c_int, -1) };
    }
}

impl fmt::Debug for FramePlanesMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FramePlanesMut")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("planes", &self.planes)
            .finish()
    }
}

/// Builds a read view.
///
/// # Safety
/// The plane pointers of `raw` are valid for `'a` and not written meanwhile.
unsafe fn read_view<'a>(raw: RawFrame) -> FramePlanes<'a> {
    let planes = raw
        .planes
        .into_iter()
        .map(|(p, geom)| {
            // SAFETY: per contract; each plane spans `len` mapped bytes.
            let data = unsafe { std::slice::from_raw_parts(p, geom.len) };
            Plane { geom, data }
        })
        .collect();
    FramePlanes {
        format: raw.format,
        width: raw.width,
        height: raw.height,
        planes,
    }
}

/// Builds a write view.
///
/// # Safety
/// The plane pointers of `raw` are valid for `'a`, exclusively ours for
/// `'a`, and do not overlap (checked by `map_frame`).
unsafe fn write_view<'a>(surf: *mut NvBufSurface, index: u32, raw: RawFrame) -> FramePlanesMut<'a> {
    let planes = raw
        .planes
        .into_iter()
        .map(|(p, geom)| {
            // SAFETY: per contract; each plane spans `len` mapped bytes and
            // no other view of them exists for 'a.
            let data = unsafe { std::slice::from_raw_parts_mut(p, geom.len) };
            PlaneMut { geom, data }
        })
        .collect();
    FramePlanesMut {
        surf,
        index,
        format: raw.format,
        width: raw.width,
        height: raw.height,
        planes,
    }
}

/// The `NvBufSurface` of a DeepStream (`memory:NVMM`) buffer, for reading
/// any frame in any supported format.
///
/// ```
/// use ds_core::planes::SurfaceRef;
/// use ds_core::surface::{SurfaceBatch, SurfaceError};
/// ds_core::init().unwrap();
/// let mut batch = SurfaceBatch::new(2, 8, 8, ds_sys::NVBUF_COLOR_FORMAT_YUV420).unwrap();
/// batch.set_num_filled(2).unwrap();
/// let buffer = batch.into_buffer();
/// let surface = SurfaceRef::from_buffer(&buffer).unwrap();
/// assert_eq!((surface.batch_size(), surface.num_filled()), (2, 2));
/// assert_eq!(surface.frame(1).unwrap().planes().len(), 3);
/// let plain = gstreamer::Buffer::with_size(16).unwrap();
/// assert!(matches!(SurfaceRef::from_buffer(&plain), Err(SurfaceError::BufferTooSmall { .. })));
/// ```
pub struct SurfaceRef<'a> {
    _map: gst::BufferMap<'a, gst::buffer::Readable>,
    surf: *mut NvBufSurface,
    _life: PhantomData<&'a NvBufSurface>,
}

impl<'a> SurfaceRef<'a> {
    /// Reads `buffer`'s memory as an `NvBufSurface` (size and alignment
    /// checked).
    ///
    /// ```
    /// # use ds_core::planes::SurfaceRef;
    /// # use ds_core::surface::SurfaceBatch;
    /// ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(1, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// assert!(SurfaceRef::from_buffer(&buffer).is_ok());
    /// ```
    pub fn from_buffer(buffer: &'a gst::BufferRef) -> Result<SurfaceRef<'a>, SurfaceError> {
        let map = buffer
            .map_readable()
            .map_err(|_| SurfaceError::NotReadable)?;
        let surf = surface_of(map.as_slice())?;
        Ok(SurfaceRef {
            _map: map,
            surf,
            _life: PhantomData,
        })
    }
    /// `batchSize`.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceRef;
    /// # use ds_core::surface::SurfaceBatch;
    /// # ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(3, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// assert_eq!(SurfaceRef::from_buffer(&buffer).unwrap().batch_size(), 3);
    /// ```
    pub fn batch_size(&self) -> u32 {
        // SAFETY: the mapped memory holds the surface for 'a.
        unsafe { (*self.surf).batchSize }
    }
    /// `numFilled`.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceRef;
    /// # use ds_core::surface::SurfaceBatch;
    /// # ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(3, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// assert_eq!(SurfaceRef::from_buffer(&buffer).unwrap().num_filled(), 0);
    /// ```
    pub fn num_filled(&self) -> u32 {
        // SAFETY: as in batch_size.
        unsafe { (*self.surf).numFilled }
    }
    /// Frame `batch_id`, mapped for reading.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceRef;
    /// # use ds_core::surface::{SurfaceBatch, SurfaceError};
    /// # ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(1, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// let s = SurfaceRef::from_buffer(&buffer).unwrap();
    /// assert_eq!(s.frame(1).unwrap_err(), SurfaceError::BatchIdOutOfRange { batch_id: 1, batch_size: 1 });
    /// ```
    pub fn frame(&self, batch_id: u32) -> Result<FramePlanes<'_>, SurfaceError> {
        // SAFETY: the surface is valid while the map lives (borrowed by the
        // result); this view only reads.
        unsafe { Ok(read_view(map_frame(self.surf, batch_id, false)?)) }
    }
}

impl fmt::Debug for SurfaceRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SurfaceRef")
            .field("batch_size", &self.batch_size())
            .field("num_filled", &self.num_filled())
            .finish()
    }
}

/// The `NvBufSurface` of a writable DeepStream buffer, for writing frames
/// in place (what `nvdsosd` does). Memory shared with another buffer is
/// refused.
///
/// ```
/// use ds_core::planes::{SurfaceMut, SurfaceRef};
/// use ds_core::surface::SurfaceBatch;
/// ds_core::init().unwrap();
/// let mut buffer = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap().into_buffer();
/// {
///     let mut s = SurfaceMut::from_buffer(buffer.get_mut().unwrap()).unwrap();
///     s.frame_mut(0).unwrap().plane_mut(0).unwrap().data_mut().fill(5);
/// }
/// let s = SurfaceRef::from_buffer(&buffer).unwrap();
/// assert_eq!(s.frame(0).unwrap().plane(0).unwrap().row(1).unwrap(), &[5, 5]);
/// ```
pub struct SurfaceMut<'a> {
    _map: gst::BufferMap<'a, gst::buffer::Readable>,
    surf: *mut NvBufSurface,
    _life: PhantomData<&'a mut NvBufSurface>,
}

impl<'a> SurfaceMut<'a> {
    /// Reads `buffer`'s memory as an `NvBufSurface` whose frames may be
    /// written; the `&mut` borrow makes this the only view.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceMut;
    /// # use ds_core::surface::{SurfaceBatch, SurfaceError};
    /// ds_core::init().unwrap();
    /// let buffer = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap().into_buffer();
    /// let mut copy = buffer.clone(); // shares the memory
    /// assert_eq!(SurfaceMut::from_buffer(copy.make_mut()).unwrap_err(), SurfaceError::SharedMemory);
    /// ```
    pub fn from_buffer(buffer: &'a mut gst::BufferRef) -> Result<SurfaceMut<'a>, SurfaceError> {
        if !buffer.is_all_memory_writable() {
            return Err(SurfaceError::SharedMemory);
        }
        let shared: &'a gst::BufferRef = buffer;
        let map = shared
            .map_readable()
            .map_err(|_| SurfaceError::NotReadable)?;
        let surf = surface_of(map.as_slice())?;
        Ok(SurfaceMut {
            _map: map,
            surf,
            _life: PhantomData,
        })
    }
    /// `batchSize`.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceMut;
    /// # use ds_core::surface::SurfaceBatch;
    /// # ds_core::init().unwrap();
    /// let mut buffer = SurfaceBatch::new(2, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap().into_buffer();
    /// assert_eq!(SurfaceMut::from_buffer(buffer.get_mut().unwrap()).unwrap().batch_size(), 2);
    /// ```
    pub fn batch_size(&self) -> u32 {
        // SAFETY: the mapped memory holds the surface for 'a.
        unsafe { (*self.surf).batchSize }
    }
    /// `numFilled`.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceMut;
    /// # use ds_core::surface::SurfaceBatch;
    /// # ds_core::init().unwrap();
    /// let mut buffer = SurfaceBatch::new(2, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap().into_buffer();
    /// assert_eq!(SurfaceMut::from_buffer(buffer.get_mut().unwrap()).unwrap().num_filled(), 0);
    /// ```
    pub fn num_filled(&self) -> u32 {
        // SAFETY: as in batch_size.
        unsafe { (*self.surf).numFilled }
    }
    /// Frame `batch_id`, mapped for reading.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceMut;
    /// # use ds_core::surface::SurfaceBatch;
    /// # ds_core::init().unwrap();
    /// let mut buffer = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_GRAY8).unwrap().into_buffer();
    /// let s = SurfaceMut::from_buffer(buffer.get_mut().unwrap()).unwrap();
    /// assert_eq!(s.frame(0).unwrap().width(), 2);
    /// ```
    pub fn frame(&self, batch_id: u32) -> Result<FramePlanes<'_>, SurfaceError> {
        // SAFETY: the surface is valid for the borrow of self; no write view
        // can exist meanwhile (frame_mut needs &mut self).
        unsafe { Ok(read_view(map_frame(self.surf, batch_id, false)?)) }
    }
    /// Frame `batch_id`, mapped for reading and writing.
    ///
    /// ```
    /// # use ds_core::planes::SurfaceMut;
    /// # use ds_core::surface::SurfaceBatch;
    /// # ds_core::init().unwrap();
    /// let mut buffer = SurfaceBatch::new(1, 2, 2, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap().into_buffer();
    /// let mut s = SurfaceMut::from_buffer(buffer.get_mut().unwrap()).unwrap();
    /// s.frame_mut(0).unwrap().plane_mut(0).unwrap().data_mut()[0] = 1;
    /// assert_eq!(s.frame(0).unwrap().plane(0).unwrap().data()[0], 1);
    /// ```
    pub fn frame_mut(&mut self, batch_id: u32) -> Result<FramePlanesMut<'_>, SurfaceError> {
        // SAFETY: `&mut self` (from an exclusive borrow of a buffer whose
        // memory is not shared) makes this the only view of the frame.
        unsafe {
            let raw = map_frame(self.surf, batch_id, true)?;
            Ok(write_view(self.surf, batch_id, raw))
        }
    }
}

impl fmt::Debug for SurfaceMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SurfaceMut")
            .field("batch_size", &self.batch_size())
            .field("num_filled", &self.num_filled())
            .finish()
    }
}

impl SurfaceBatch {
    /// Frame `batch_id` of this batch, all planes, for reading.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let b = SurfaceBatch::new(2, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// assert_eq!(b.planes(1).unwrap().planes().len(), 2);
    /// assert!(b.planes(2).is_err());
    /// ```
    pub fn planes(&self, batch_id: u32) -> Result<FramePlanes<'_>, SurfaceError> {
        // SAFETY: we own a valid surface for the borrow of self.
        unsafe { Ok(read_view(map_frame(self.raw_ptr(), batch_id, false)?)) }
    }

    /// Frame `batch_id` of this batch, all planes, for writing.
    ///
    /// ```
    /// # use ds_core::surface::SurfaceBatch;
    /// let mut b = SurfaceBatch::new(1, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// b.planes_mut(0).unwrap().plane_mut(0).unwrap().data_mut().fill(3);
    /// assert_eq!(b.frame(0).unwrap().pixel(3, 3), Some([3; 4]));
    /// ```
    pub fn planes_mut(&mut self, batch_id: u32) -> Result<FramePlanesMut<'_>, SurfaceError> {
        let surf = self.raw_ptr();
        // SAFETY: `&mut self` gives exclusive access to the surface we own.
        unsafe {
            let raw = map_frame(surf, batch_id, true)?;
            Ok(write_view(surf, batch_id, raw))
        }
    }
}
