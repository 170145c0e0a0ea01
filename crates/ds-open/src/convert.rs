//! Pixel-format conversion and scaling on the CPU, shared by the open
//! elements (`nvvideoconvert`, `nvstreammux`, `nvmultistreamtiler`, the
//! decoder's NVMM upload).
//!
//! Images are described by [`Image`] / [`ImageMut`]: a [`PixelFormat`], a
//! size and one `(bytes, stride)` pair per plane, so the same kernels work
//! on `NvBufSurface` frames ([`ds_core::planes`]) and on plain GStreamer
//! video frames. YUV formats are BT.601 limited range, as DeepStream's
//! `NVBUF_COLOR_FORMAT_NV12` / `YUV420` are.
//!
//! Equal sizes convert pixel for pixel (the same format is a plane row
//! copy); different sizes resample bilinearly (or nearest, see
//! [`Interpolation`]). The kernels work a row at a time in 16.16 fixed
//! point, monomorphised per packed layout (no per-pixel format dispatch);
//! frames of 160 000 output pixels or more are split into bands of rows
//! converted on `std::thread::scope` threads (at most 8); the result does
//! not depend on the split.
//!
//! ```
//! use ds_open::convert::{convert, Image, ImageMut, PixelFormat};
//! let rgba = [255u8, 0, 0, 255].repeat(4 * 4);
//! let src = Image::packed(PixelFormat::Rgba, 4, 4, &rgba, 16);
//! let mut out = vec![0u8; 2 * 2 * 4];
//! let mut dst = ImageMut::packed(PixelFormat::Bgrx, 2, 2, &mut out, 8);
//! convert(&src, &mut dst);
//! assert_eq!(&out[..4], &[0, 0, 255, 255]);
//! ```
use ds_core::planes::{FramePlanes, FramePlanesMut};
use ds_sys::NvBufSurfaceColorFormat;
use gst_video::prelude::*;
use gstreamer_video as gst_video;

/// Pixel formats the open elements handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Y plane + interleaved UV plane, 4:2:0.
    Nv12,
    /// Y, U, V planes, 4:2:0.
    I420,
    /// Packed R, G, B, A.
    Rgba,
    /// Packed B, G, R, A.
    Bgra,
    /// Packed R, G, B, unused.
    Rgbx,
    /// Packed B, G, R, unused.
    Bgrx,
    /// Packed R, G, B.
    Rgb,
    /// Packed B, G, R.
    Bgr,
    /// Luma only.
    Gray8,
}

impl PixelFormat {
    /// Every format.
    pub const ALL: [PixelFormat; 9] = [
        PixelFormat::Nv12,
        PixelFormat::I420,
        PixelFormat::Rgba,
        PixelFormat::Bgra,
        PixelFormat::Rgbx,
        PixelFormat::Bgrx,
        PixelFormat::Rgb,
        PixelFormat::Bgr,
        PixelFormat::Gray8,
    ];

    /// The caps `format` string (`"NV12"`, `"RGBA"`, …).
    ///
    /// ```
    /// assert_eq!(ds_open::convert::PixelFormat::I420.caps_name(), "I420");
    /// ```
    pub fn caps_name(self) -> &'static str {
        match self {
            PixelFormat::Nv12 => "NV12",
            PixelFormat::I420 => "I420",
            PixelFormat::Rgba => "RGBA",
            PixelFormat::Bgra => "BGRA",
            PixelFormat::Rgbx => "RGBx",
            PixelFormat::Bgrx => "BGRx",
            PixelFormat::Rgb => "RGB",
            PixelFormat::Bgr => "BGR",
            PixelFormat::Gray8 => "GRAY8",
        }
    }

    /// Parses a caps `format` string.
    ///
    /// ```
    /// use ds_open::convert::PixelFormat;
    /// assert_eq!(PixelFormat::from_caps_name("BGRx"), Some(PixelFormat::Bgrx));
    /// assert_eq!(PixelFormat::from_caps_name("YUY2"), None);
    /// ```
    pub fn from_caps_name(name: &str) -> Option<PixelFormat> {
        PixelFormat::ALL.into_iter().find(|f| f.caps_name() == name)
    }

    /// The `NvBufSurfaceColorFormat` of this format.
    ///
    /// ```
    /// use ds_open::convert::PixelFormat;
    /// assert_eq!(PixelFormat::Nv12.nvbuf(), ds_sys::NVBUF_COLOR_FORMAT_NV12);
    /// ```
    pub fn nvbuf(self) -> NvBufSurfaceColorFormat {
        match self {
            PixelFormat::Nv12 => ds_sys::NVBUF_COLOR_FORMAT_NV12,
            PixelFormat::I420 => ds_sys::NVBUF_COLOR_FORMAT_YUV420,
            PixelFormat::Rgba => ds_sys::NVBUF_COLOR_FORMAT_RGBA,
            PixelFormat::Bgra => ds_sys::NVBUF_COLOR_FORMAT_BGRA,
            PixelFormat::Rgbx => ds_sys::NVBUF_COLOR_FORMAT_RGBx,
            PixelFormat::Bgrx => ds_sys::NVBUF_COLOR_FORMAT_BGRx,
            PixelFormat::Rgb => ds_sys::NVBUF_COLOR_FORMAT_RGB,
            PixelFormat::Bgr => ds_sys::NVBUF_COLOR_FORMAT_BGR,
            PixelFormat::Gray8 => ds_sys::NVBUF_COLOR_FORMAT_GRAY8,
        }
    }

    /// The format of an `NvBufSurfaceColorFormat`, if handled.
    ///
    /// ```
    /// use ds_open::convert::PixelFormat;
    /// assert_eq!(PixelFormat::from_nvbuf(ds_sys::NVBUF_COLOR_FORMAT_RGBA), Some(PixelFormat::Rgba));
    /// ```
    pub fn from_nvbuf(f: NvBufSurfaceColorFormat) -> Option<PixelFormat> {
        PixelFormat::ALL.into_iter().find(|p| p.nvbuf() == f)
    }

    /// The GStreamer video format.
    ///
    /// ```
    /// use ds_open::convert::PixelFormat;
    /// assert_eq!(PixelFormat::Rgba.video_format(), gstreamer_video::VideoFormat::Rgba);
    /// ```
    pub fn video_format(self) -> gst_video::VideoFormat {
        use gst_video::VideoFormat as V;
        match self {
            PixelFormat::Nv12 => V::Nv12,
            PixelFormat::I420 => V::I420,
            PixelFormat::Rgba => V::Rgba,
            PixelFormat::Bgra => V::Bgra,
            PixelFormat::Rgbx => V::Rgbx,
            PixelFormat::Bgrx => V::Bgrx,
            PixelFormat::Rgb => V::Rgb,
            PixelFormat::Bgr => V::Bgr,
            PixelFormat::Gray8 => V::Gray8,
        }
    }

    /// The format of a GStreamer video format, if handled.
    ///
    /// ```
    /// use ds_open::convert::PixelFormat;
    /// assert_eq!(PixelFormat::from_video_format(gstreamer_video::VideoFormat::I420), Some(PixelFormat::I420));
    /// ```
    pub fn from_video_format(f: gst_video::VideoFormat) -> Option<PixelFormat> {
        PixelFormat::ALL.into_iter().find(|p| p.video_format() == f)
    }

    /// Whether the format is YUV (or luma only).
    ///
    /// ```
    /// assert!(ds_open::convert::PixelFormat::Nv12.is_yuv());
    /// ```
    pub fn is_yuv(self) -> bool {
        matches!(
            self,
            PixelFormat::Nv12 | PixelFormat::I420 | PixelFormat::Gray8
        )
    }

    /// Number of planes.
    ///
    /// ```
    /// assert_eq!(ds_open::convert::PixelFormat::I420.num_planes(), 3);
    /// ```
    pub fn num_planes(self) -> usize {
        match self {
            PixelFormat::Nv12 => 2,
            PixelFormat::I420 => 3,
            _ => 1,
        }
    }

    /// Bytes per pixel of a packed format (1 for the luma plane of YUV).
    ///
    /// ```
    /// assert_eq!(ds_open::convert::PixelFormat::Bgr.bytes_per_pixel(), 3);
    /// ```
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgba | PixelFormat::Bgra | PixelFormat::Rgbx | PixelFormat::Bgrx => 4,
            PixelFormat::Rgb | PixelFormat::Bgr => 3,
            _ => 1,
        }
    }
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Rect {
    /// A rectangle.
    ///
    /// ```
    /// let r = ds_open::convert::Rect::new(1, 2, 3, 4);
    /// assert_eq!((r.x, r.y, r.w, r.h), (1, 2, 3, 4));
    /// ```
    pub fn new(x: u32, y: u32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }
}

/// An image to read: format, size and `(bytes, stride)` per plane.
#[derive(Debug, Clone)]
pub struct Image<'a> {
    /// Pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Plane bytes and stride (bytes per row), in the format's plane order.
    pub planes: Vec<(&'a [u8], usize)>,
}

impl<'a> Image<'a> {
    /// A single-plane (packed) image.
    ///
    /// ```
    /// use ds_open::convert::{Image, PixelFormat};
    /// let px = [0u8; 16];
    /// assert_eq!(Image::packed(PixelFormat::Rgba, 2, 2, &px, 8).planes.len(), 1);
    /// ```
    pub fn packed(
        format: PixelFormat,
        width: u32,
        height: u32,
        data: &'a [u8],
        stride: usize,
    ) -> Self {
        Image {
            format,
            width,
            height,
            planes: vec![(data, stride)],
        }
    }

    /// A frame of an `NvBufSurface`; `None` for a format not in
    /// [`PixelFormat`].
    ///
    /// ```
    /// use ds_open::convert::Image;
    /// let b = ds_core::surface::SurfaceBatch::new(1, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    /// let f = b.planes(0).unwrap();
    /// assert_eq!(Image::from_planes(&f).unwrap().planes.len(), 2);
    /// ```
    pub fn from_planes(frame: &FramePlanes<'a>) -> Option<Image<'a>> {
        let format = PixelFormat::from_nvbuf(frame.format())?;
        let planes = frame
            .planes()
            .iter()
            .map(|p| (p.data(), p.pitch() as usize))
            .collect();
        Some(Image {
            format,
            width: frame.width(),
            height: frame.height(),
            planes,
        })
    }

    /// A mapped GStreamer video frame; `None` for an unhandled format.
    ///
    /// ```
    /// use ds_open::convert::Image;
    /// gstreamer::init().unwrap();
    /// let info = gstreamer_video::VideoInfo::builder(gstreamer_video::VideoFormat::I420, 4, 4).build().unwrap();
    /// let buf = gstreamer::Buffer::with_size(info.size()).unwrap();
    /// let frame = gstreamer_video::VideoFrameRef::from_buffer_ref_readable(&buf, &info).unwrap();
    /// assert_eq!(Image::from_video_frame(&frame).unwrap().planes.len(), 3);
    /// ```
    pub fn from_video_frame(
        frame: &'a gst_video::VideoFrameRef<&gstreamer::BufferRef>,
    ) -> Option<Image<'a>> {
        let format = PixelFormat::from_video_format(frame.format())?;
        let mut planes = Vec::with_capacity(format.num_planes());
        for p in 0..format.num_planes() {
            let data = frame.plane_data(p as u32).ok()?;
            planes.push((data, frame.plane_stride()[p] as usize));
        }
        Some(Image {
            format,
            width: frame.width(),
            height: frame.height(),
            planes,
        })
    }
}

/// An image to write: format, size and `(bytes, stride)` per plane.
#[derive(Debug)]
pub struct ImageMut<'a> {
    /// Pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Plane bytes and stride, in the format's plane order.
    pub planes: Vec<(&'a mut [u8], usize)>,
}

impl<'a> ImageMut<'a> {
    /// A single-plane (packed) image.
    ///
    /// ```
    /// use ds_open::convert::{ImageMut, PixelFormat};
    /// let mut px = [0u8; 16];
    /// assert_eq!(ImageMut::packed(PixelFormat::Rgba, 2, 2, &mut px, 8).width, 2);
    /// ```
    pub fn packed(
        format: PixelFormat,
        width: u32,
        height: u32,
        data: &'a mut [u8],
        stride: usize,
    ) -> Self {
        ImageMut {
            format,
            width,
            height,
            planes: vec![(data, stride)],
        }
    }

    /// A frame of an `NvBufSurface` being written; `None` for an unhandled
    /// format.
    ///
    /// ```
    /// use ds_open::convert::ImageMut;
    /// let mut b = ds_core::surface::SurfaceBatch::new(1, 4, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    /// let mut f = b.planes_mut(0).unwrap();
    /// assert_eq!(ImageMut::from_planes(&mut f).unwrap().planes.len(), 1);
    /// ```
    pub fn from_planes<'b>(frame: &'b mut FramePlanesMut<'a>) -> Option<ImageMut<'b>> {
        let format = PixelFormat::from_nvbuf(frame.format())?;
        let (width, height) = frame.size();
        let planes = frame
            .planes_mut()
            .iter_mut()
            .map(|p| {
                let pitch = p.geometry().2 as usize;
                (p.data_mut(), pitch)
            })
            .collect();
        Some(ImageMut {
            format,
            width,
            height,
            planes,
        })
    }

    /// A mapped writable GStreamer video frame; `None` for an unhandled
    /// format.
    ///
    /// ```
    /// use ds_open::convert::ImageMut;
    /// gstreamer::init().unwrap();
    /// let info = gstreamer_video::VideoInfo::builder(gstreamer_video::VideoFormat::Nv12, 4, 4).build().unwrap();
    /// let mut buf = gstreamer::Buffer::with_size(info.size()).unwrap();
    /// let mut frame = gstreamer_video::VideoFrameRef::from_buffer_ref_writable(buf.get_mut().unwrap(), &info).unwrap();
    /// assert_eq!(ImageMut::from_video_frame(&mut frame).unwrap().planes.len(), 2);
    /// ```
    pub fn from_video_frame<'b>(
        frame: &'b mut gst_video::VideoFrameRef<&'a mut gstreamer::BufferRef>,
    ) -> Option<ImageMut<'b>> {
        let format = PixelFormat::from_video_format(frame.format())?;
        let (width, height) = (frame.width(), frame.height());
        let strides: Vec<usize> = frame.plane_stride().iter().map(|s| *s as usize).collect();
        let n = format.num_planes();
        let mut planes = Vec::with_capacity(n);
        // Split the planes into disjoint mutable slices.
        let mut all = frame.planes_data_mut();
        for (p, data) in all.iter_mut().take(n).enumerate() {
            let data: &mut [u8] = std::mem::take(data);
            planes.push((data, strides[p]));
        }
        (planes.len() == n).then_some(ImageMut {
            format,
            width,
            height,
            planes,
        })
    }
}

/// Why a conversion was refused: the planes of an image do not match its
/// format and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertError {
    /// The image has fewer planes than its format needs.
    MissingPlane {
        /// Format of the image.
        format: PixelFormat,
        /// Index of the first missing plane.
        plane: usize,
    },
    /// A plane's stride is shorter than one row of pixels.
    StrideTooSmall {
        /// Plane index.
        plane: usize,
        /// Stride given.
        stride: usize,
        /// Bytes in one row.
        row_bytes: usize,
    },
    /// A plane holds fewer bytes than its rows need.
    PlaneTooSmall {
        /// Plane index.
        plane: usize,
        /// Bytes given.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConvertError::MissingPlane { format, plane } => {
                write!(f, "{} image lacks plane {plane}", format.caps_name())
            }
            ConvertError::StrideTooSmall {
                plane,
                stride,
                row_bytes,
            } => write!(
                f,
                "plane {plane}: stride {stride} is shorter than a row ({row_bytes} bytes)"
            ),
            ConvertError::PlaneTooSmall { plane, len, needed } => {
                write!(f, "plane {plane}: {len} bytes, {needed} needed")
            }
        }
    }
}

impl std::error::Error for ConvertError {}

// ---------------------------------------------------------------------------
// Colour maths: BT.601 limited range, 16.16 fixed point.

#[inline(always)]
fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

const CY: i32 = 76309; // 1.164 * 65536
const CRV: i32 = 104597; // 1.596
const CGU: i32 = 25675; // 0.392
const CGV: i32 = 53279; // 0.813
const CBU: i32 = 132201; // 2.017
const YR: i32 = 16829; // 0.257
const YG: i32 = 33039; // 0.504
const YB: i32 = 6416; // 0.098
const UR: i32 = 9714; // 0.148
const UG: i32 = 19070; // 0.291
const UB: i32 = 28784; // 0.439
const VG: i32 = 24103; // 0.368
const VB: i32 = 4681; // 0.071

/// YUV (BT.601 limited range) to RGB.
///
/// ```
/// assert_eq!(ds_open::convert::yuv_to_rgb(235, 128, 128), [255, 255, 255]);
/// assert_eq!(ds_open::convert::yuv_to_rgb(16, 128, 128), [0, 0, 0]);
/// ```
#[inline]
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = (i32::from(y) - 16) * CY;
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    [
        clamp8((c + CRV * e + 32768) >> 16),
        clamp8((c - CGU * d - CGV * e + 32768) >> 16),
        clamp8((c + CBU * d + 32768) >> 16),
    ]
}

/// RGB to YUV (BT.601 limited range).
///
/// ```
/// assert_eq!(ds_open::convert::rgb_to_yuv(255, 255, 255), [235, 128, 128]);
/// assert_eq!(ds_open::convert::rgb_to_yuv(0, 0, 0), [16, 128, 128]);
/// ```
#[inline]
pub fn rgb_to_yuv(r: u8, g: u8, b: u8) -> [u8; 3] {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    [
        luma(r, g, b),
        clamp8(((-UR * r - UG * g + UB * b + 32768) >> 16) + 128),
        clamp8(((UB * r - VG * g - VB * b + 32768) >> 16) + 128),
    ]
}

#[inline(always)]
fn luma(r: i32, g: i32, b: i32) -> u8 {
    clamp8(((YR * r + YG * g + YB * b + 32768) >> 16) + 16)
}

// ---------------------------------------------------------------------------
// Packed RGB layouts, as types so the row kernels are monomorphised (no
// per-pixel format match).

trait Px {
    const BPP: usize;
    const R: usize;
    const G: usize;
    const B: usize;
}
struct Rgb4;
struct Bgr4;
struct Rgb3;
struct Bgr3;
impl Px for Rgb4 {
    const BPP: usize = 4;
    const R: usize = 0;
    const G: usize = 1;
    const B: usize = 2;
}
impl Px for Bgr4 {
    const BPP: usize = 4;
    const R: usize = 2;
    const G: usize = 1;
    const B: usize = 0;
}
impl Px for Rgb3 {
    const BPP: usize = 3;
    const R: usize = 0;
    const G: usize = 1;
    const B: usize = 2;
}
impl Px for Bgr3 {
    const BPP: usize = 3;
    const R: usize = 2;
    const G: usize = 1;
    const B: usize = 0;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Rgb4,
    Bgr4,
    Rgb3,
    Bgr3,
}

fn layout(f: PixelFormat) -> Option<Layout> {
    match f {
        PixelFormat::Rgba | PixelFormat::Rgbx => Some(Layout::Rgb4),
        PixelFormat::Bgra | PixelFormat::Bgrx => Some(Layout::Bgr4),
        PixelFormat::Rgb => Some(Layout::Rgb3),
        PixelFormat::Bgr => Some(Layout::Bgr3),
        _ => None,
    }
}

fn has_alpha(f: PixelFormat) -> bool {
    matches!(f, PixelFormat::Rgba | PixelFormat::Bgra)
}

macro_rules! with_layout {
    ($l:expr, $T:ident => $e:expr) => {
        match $l {
            Layout::Rgb4 => {
                type $T = Rgb4;
                $e
            }
            Layout::Bgr4 => {
                type $T = Bgr4;
                $e
            }
            Layout::Rgb3 => {
                type $T = Rgb3;
                $e
            }
            Layout::Bgr3 => {
                type $T = Bgr3;
                $e
            }
        }
    };
}

#[inline(always)]
fn put_rgb<L: Px>(o: &mut [u8], r: i32, g: i32, b: i32) {
    o[L::R] = clamp8(r >> 16);
    o[L::G] = clamp8(g >> 16);
    o[L::B] = clamp8(b >> 16);
    if L::BPP == 4 {
        o[3] = 255;
    }
}

/// Pixels per chunk of [`yuv420_row`] (its temporaries live on the stack).
const CHUNK: usize = 64;

/// One row of 4:2:0 YUV (chroma at half width) to packed RGB.
///
/// Works in chunks, each in straight loops over zipped slices that the
/// compiler vectorises: the chroma terms at pixel width, then each pixel
/// packed into a 32-bit word, then the words stored. Same arithmetic as
/// [`yuv_to_rgb`].
fn yuv420_row<L: Px>(y: &[u8], u: &[u8], v: &[u8], out: &mut [u8]) {
    let w = y.len();
    let even = w & !1;
    let (mut rc, mut gc, mut bc) = ([0i32; CHUNK], [0i32; CHUNK], [0i32; CHUNK]);
    let mut px = [0u32; CHUNK];
    let alpha: u32 = if L::BPP == 4 { 255 << 24 } else { 0 };
    let mut x = 0;
    while x < even {
        let n = (even - x).min(CHUNK);
        let (uc, vc) = (&u[x / 2..x / 2 + n / 2], &v[x / 2..x / 2 + n / 2]);
        for ((((&uu, &vv), r), g), b) in uc
            .iter()
            .zip(vc)
            .zip(rc.chunks_exact_mut(2))
            .zip(gc.chunks_exact_mut(2))
            .zip(bc.chunks_exact_mut(2))
        {
            let d = i32::from(uu) - 128;
            let e = i32::from(vv) - 128;
            let (tr, tg, tb) = (CRV * e + 32768, 32768 - CGU * d - CGV * e, CBU * d + 32768);
            r[0] = tr;
            r[1] = tr;
            g[0] = tg;
            g[1] = tg;
            b[0] = tb;
            b[1] = tb;
        }
        for ((((&yy, &tr), &tg), &tb), p) in y[x..x + n]
            .iter()
            .zip(&rc[..n])
            .zip(&gc[..n])
            .zip(&bc[..n])
            .zip(&mut px[..n])
        {
            let c = (i32::from(yy) - 16) * CY;
            let r = u32::from(clamp8((c + tr) >> 16));
            let g = u32::from(clamp8((c + tg) >> 16));
            let b = u32::from(clamp8((c + tb) >> 16));
            *p = (r << (8 * L::R)) | (g << (8 * L::G)) | (b << (8 * L::B)) | alpha;
        }
        let o = &mut out[x * L::BPP..(x + n) * L::BPP];
        for (o, p) in o.chunks_exact_mut(L::BPP).zip(&px[..n]) {
            o.copy_from_slice(&p.to_le_bytes()[..L::BPP]);
        }
        x += n;
    }
    if w % 2 == 1 {
        let k = w / 2;
        let [r, g, b] = yuv_to_rgb(y[w - 1], u[k], v[k]);
        let o = &mut out[(w - 1) * L::BPP..];
        put_rgb::<L>(
            o,
            i32::from(r) << 16,
            i32::from(g) << 16,
            i32::from(b) << 16,
        );
    }
}

/// One row of 4:4:4 YUV to packed RGB.
fn yuv444_row<L: Px>(y: &[u8], u: &[u8], v: &[u8], out: &mut [u8]) {
    for (((&yy, &uu), &vv), o) in y.iter().zip(u).zip(v).zip(out.chunks_exact_mut(L::BPP)) {
        let c = (i32::from(yy) - 16) * CY;
        let d = i32::from(uu) - 128;
        let e = i32::from(vv) - 128;
        put_rgb::<L>(
            o,
            c + CRV * e + 32768,
            c - CGU * d - CGV * e + 32768,
            c + CBU * d + 32768,
        );
    }
}

/// Luma of one packed RGB row.
fn rgb_luma_row<L: Px>(rgb: &[u8], out: &mut [u8]) {
    for (p, o) in rgb.chunks_exact(L::BPP).zip(out) {
        *o = luma(i32::from(p[L::R]), i32::from(p[L::G]), i32::from(p[L::B]));
    }
}

/// Chroma of two packed RGB rows (the 2x2 average), for chroma columns
/// `cx0..cx0 + u.len()`; pixel `i` of the rows is at image column `x0 + i`.
fn rgb_chroma_row<L: Px>(r0: &[u8], r1: &[u8], x0: usize, cx0: usize, u: &mut [u8], v: &mut [u8]) {
    let w = r0.len() / L::BPP;
    for (k, (uo, vo)) in u.iter_mut().zip(v.iter_mut()).enumerate() {
        let xl = 2 * (cx0 + k) - x0;
        let xr = (xl + 1).min(w - 1);
        let (a, b) = (xl * L::BPP, xr * L::BPP);
        let sum = |c: usize| {
            i32::from(r0[a + c])
                + i32::from(r0[b + c])
                + i32::from(r1[a + c])
                + i32::from(r1[b + c])
        };
        let (r, g, b) = (sum(L::R), sum(L::G), sum(L::B));
        *uo = clamp8(((-UR * r - UG * g + UB * b + 131072) >> 18) + 128);
        *vo = clamp8(((UB * r - VG * g - VB * b + 131072) >> 18) + 128);
    }
}

/// Packed to packed (reorder; alpha copied when both have it, else 255).
fn swizzle_row<S: Px, D: Px>(src: &[u8], out: &mut [u8], copy_alpha: bool) {
    for (s, o) in src.chunks_exact(S::BPP).zip(out.chunks_exact_mut(D::BPP)) {
        o[D::R] = s[S::R];
        o[D::G] = s[S::G];
        o[D::B] = s[S::B];
        if D::BPP == 4 {
            o[3] = if copy_alpha && S::BPP == 4 { s[3] } else { 255 };
        }
    }
}

// ---------------------------------------------------------------------------
// Bilinear sampling.

/// Where one destination sample reads: source indices `i0`, `i1` and the
/// weight of `i1` in 1/256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tap {
    i0: u32,
    i1: u32,
    f: u32,
}

/// One axis of a mapping from destination rectangle `dr_off..+dr_len` onto
/// source rectangle `sr_off..+sr_len` (both in luma pixels, pixel centres
/// aligned), for destination samples `d0..d0 + n` of a plane subsampled by
/// `dscale`, reading a source plane subsampled by `sscale` with `src_len`
/// samples.
#[allow(clippy::too_many_arguments)]
fn taps(
    d0: u32,
    n: u32,
    dscale: u32,
    (dr_off, dr_len): (u32, u32),
    (sr_off, sr_len): (u32, u32),
    sscale: u32,
    src_len: u32,
    nearest: bool,
) -> Vec<Tap> {
    let src_len = i64::from(src_len.max(1));
    // Samples of the source plane inside the source rectangle.
    let lo = (i64::from(sr_off) / i64::from(sscale)).min(src_len - 1);
    let hi = ((i64::from(sr_off + sr_len) + i64::from(sscale) - 1) / i64::from(sscale) - 1)
        .clamp(lo, src_len - 1);
    (d0..d0 + n)
        .map(|d| {
            // Destination sample centre, in half luma pixels relative to the
            // rectangle; then the source position in 16.16 half pixels.
            let x2 = (2 * i64::from(d) + 1) * i64::from(dscale) - 2 * i64::from(dr_off);
            let s2 = ((x2 << 16) * i64::from(sr_len)) / i64::from(dr_len.max(1))
                + ((2 * i64::from(sr_off)) << 16);
            let pos = (s2 / (2 * i64::from(sscale)) - 32768).clamp(lo << 16, hi << 16);
            if nearest {
                let i = ((pos + 32768) >> 16).min(hi) as u32;
                return Tap { i0: i, i1: i, f: 0 };
            }
            let i0 = pos >> 16;
            let f = ((pos >> 8) & 0xff) as u32;
            let i1 = (i0 + 1).min(hi);
            Tap {
                i0: i0 as u32,
                i1: i1 as u32,
                f: if i1 == i0 { 0 } else { f },
            }
        })
        .collect()
}

/// Bilinear sample of rows `r0`/`r1` (vertical weight `fy` of `r1`, in
/// 1/256) at the horizontal taps, `C` interleaved channels.
fn sample_row<const C: usize>(r0: &[u8], r1: &[u8], fy: u32, xs: &[Tap], out: &mut [u8]) {
    if fy == 0 {
        for (o, t) in out.chunks_exact_mut(C).zip(xs) {
            let (a, b) = (t.i0 as usize * C, t.i1 as usize * C);
            let (w1, w0) = (t.f, 256 - t.f);
            for c in 0..C {
                let v = u32::from(r0[a + c]) * w0 + u32::from(r0[b + c]) * w1;
                o[c] = ((v + 128) >> 8) as u8;
            }
        }
        return;
    }
    let (wy1, wy0) = (fy, 256 - fy);
    for (o, t) in out.chunks_exact_mut(C).zip(xs) {
        let (a, b) = (t.i0 as usize * C, t.i1 as usize * C);
        let (w1, w0) = (t.f, 256 - t.f);
        for c in 0..C {
            let top = u32::from(r0[a + c]) * w0 + u32::from(r0[b + c]) * w1;
            let bot = u32::from(r1[a + c]) * w0 + u32::from(r1[b + c]) * w1;
            o[c] = ((top * wy0 + bot * wy1 + 32768) >> 16) as u8;
        }
    }
}

/// Source rows resampled horizontally (16-bit sums `a * w0 + b * w1`), kept
/// between the destination rows of one band: when upscaling, consecutive
/// destination rows read the same two source rows, so each source row is
/// resampled horizontally once instead of once per destination row.
///
/// The loops are written for the compiler to vectorise: the horizontal taps
/// are flattened once into per-sample byte offsets and weights, the two
/// source samples are gathered into contiguous scratch rows, and the
/// weighting and the vertical blend then run on contiguous 16-bit lanes
/// (the vertical blend as two 16 x 16 -> high-16 multiplies, `pmulhuw`).
/// The horizontal sums are exactly [`sample_row`]'s; the vertical blend
/// truncates the two products before adding them, so a result is [`sample_row`]'s
/// or 1 below it.
struct RowCache<const C: usize> {
    /// (source row + 1, or 0 when empty; the resampled row).
    rows: [(usize, Vec<u16>); 2],
    /// Per destination sample: byte offsets of the two taps in the source
    /// row, and the weight of the second in 1/256.
    ia: Vec<u32>,
    ib: Vec<u32>,
    w: Vec<u16>,
    /// Gathered first / second taps of the row being resampled.
    ga: Vec<u8>,
    gb: Vec<u8>,
}

/// High 16 bits of `a * w` (`pmulhuw` when vectorised).
#[inline(always)]
fn mulhi(a: u16, w: u16) -> u16 {
    ((u32::from(a) * u32::from(w)) >> 16) as u16
}

impl<const C: usize> RowCache<C> {
    fn new() -> Self {
        RowCache {
            rows: [(0, Vec::new()), (0, Vec::new())],
            ia: Vec::new(),
            ib: Vec::new(),
            w: Vec::new(),
            ga: Vec::new(),
            gb: Vec::new(),
        }
    }

    /// Flattens `xs` (once per band: the taps do not change within one).
    fn tables(&mut self, xs: &[Tap]) {
        if self.w.len() == xs.len() * C {
            return;
        }
        let n = xs.len() * C;
        (self.ia, self.ib, self.w) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for t in xs {
            for c in 0..C as u32 {
                self.ia.push(t.i0 * C as u32 + c);
                self.ib.push(t.i1 * C as u32 + c);
                self.w.push(t.f as u16);
            }
        }
        self.ga = vec![0; n];
        self.gb = vec![0; n];
    }

    /// The slot holding source row `key` (resampled from `src`), evicting
    /// the slot that does not hold `keep`.
    fn ensure(&mut self, key: usize, src: &[u8], xs: &[Tap], keep: usize) -> usize {
        if let Some(i) = self.rows.iter().position(|(k, _)| *k == key + 1) {
            return i;
        }
        self.tables(xs);
        let i = usize::from(self.rows[0].0 == keep + 1);
        for ((a, b), (&ia, &ib)) in self
            .ga
            .iter_mut()
            .zip(self.gb.iter_mut())
            .zip(self.ia.iter().zip(&self.ib))
        {
            *a = src[ia as usize];
            *b = src[ib as usize];
        }
        let (k, row) = &mut self.rows[i];
        row.resize(self.w.len(), 0);
        // a * (256 - w) + b * w = a * 256 + (b - a) * w: exact in wrapping
        // 16-bit arithmetic, since the result lies in 0..=255 * 256.
        for ((o, &w), (&a, &b)) in row
            .iter_mut()
            .zip(&self.w)
            .zip(self.ga.iter().zip(&self.gb))
        {
            let (a, b) = (u16::from(a), u16::from(b));
            *o = (a << 8).wrapping_add(b.wrapping_sub(a).wrapping_mul(w));
        }
        *k = key + 1;
        i
    }

    /// [`sample_row`] of source rows `i0` (`r0`) and `i1` (`r1`) (see the
    /// type's documentation for the rounding).
    #[allow(clippy::too_many_arguments)]
    fn sample(
        &mut self,
        i0: usize,
        r0: &[u8],
        i1: usize,
        r1: &[u8],
        fy: u32,
        xs: &[Tap],
        out: &mut [u8],
    ) {
        let s0 = self.ensure(i0, r0, xs, i1);
        if fy == 0 {
            for (o, &h) in out.iter_mut().zip(&self.rows[s0].1) {
                *o = ((h + 128) >> 8) as u8;
            }
            return;
        }
        let s1 = self.ensure(i1, r1, xs, i0);
        // fy in 1..=255: both weights fit 16 bits as (w << 8).
        let (wy1, wy0) = ((fy << 8) as u16, ((256 - fy) << 8) as u16);
        let (h0, h1) = (&self.rows[s0].1, &self.rows[s1].1);
        for ((o, &a), &b) in out.iter_mut().zip(h0).zip(h1) {
            // At most 255 * 256 + 128: no overflow.
            *o = ((mulhi(a, wy0) + mulhi(b, wy1) + 128) >> 8) as u8;
        }
    }
}

fn deinterleave(uv: &[u8], u: &mut [u8], v: &mut [u8]) {
    for ((p, uo), vo) in uv.chunks_exact(2).zip(u.iter_mut()).zip(v.iter_mut()) {
        *uo = p[0];
        *vo = p[1];
    }
}

fn interleave(u: &[u8], v: &[u8], uv: &mut [u8]) {
    for ((p, &uu), &vv) in uv.chunks_exact_mut(2).zip(u).zip(v) {
        p[0] = uu;
        p[1] = vv;
    }
}

// ---------------------------------------------------------------------------
// Geometry.

/// (bytes per row, rows, row subsampling) of plane `p`.
fn plane_geometry(f: PixelFormat, w: usize, h: usize, p: usize) -> (usize, usize, usize) {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    match (f, p) {
        (PixelFormat::Nv12, 1) => (2 * cw, ch, 2),
        (PixelFormat::I420, 1 | 2) => (cw, ch, 2),
        _ => (w * f.bytes_per_pixel(), h, 1),
    }
}

fn check_planes<'x>(
    format: PixelFormat,
    width: u32,
    height: u32,
    planes: impl Iterator<Item = (usize, usize)> + 'x,
) -> Result<(), ConvertError> {
    let mut n = 0;
    for (p, (len, stride)) in planes.take(format.num_planes()).enumerate() {
        n += 1;
        let (row_bytes, rows, _) = plane_geometry(format, width as usize, height as usize, p);
        if rows == 0 || row_bytes == 0 {
            continue;
        }
        if stride < row_bytes {
            return Err(ConvertError::StrideTooSmall {
                plane: p,
                stride,
                row_bytes,
            });
        }
        let needed = (rows - 1) * stride + row_bytes;
        if len < needed {
            return Err(ConvertError::PlaneTooSmall {
                plane: p,
                len,
                needed,
            });
        }
    }
    if n < format.num_planes() {
        return Err(ConvertError::MissingPlane { format, plane: n });
    }
    Ok(())
}

fn clip(r: Rect, w: u32, h: u32) -> Rect {
    let x = r.x.min(w);
    let y = r.y.min(h);
    Rect::new(x, y, r.w.min(w - x), r.h.min(h - y))
}

/// Chroma samples `c0..c1` covered by luma `x..x + n` of a line of `len`
/// pixels: odd edges round inwards, except at the image edge.
fn chroma_span(x: u32, n: u32, len: u32) -> (u32, u32) {
    let end = x + n;
    let c1 = if end == len { len.div_ceil(2) } else { end / 2 };
    let c0 = x.div_ceil(2);
    (c0, c1.max(c0))
}

/// The destination planes of a band of rows: slices starting at luma row
/// `base` (chroma row `base / 2`).
struct Band<'a> {
    planes: Vec<(&'a mut [u8], usize, usize)>,
    base: usize,
}

impl Band<'_> {
    /// Bytes of plane `p` from (plane) row `row`, byte `x`, `n` bytes.
    #[inline]
    fn row(&mut self, p: usize, row: usize, x: usize, n: usize) -> &mut [u8] {
        let (data, stride, scale) = &mut self.planes[p];
        let off = (row - self.base / *scale) * *stride + x;
        &mut data[off..off + n]
    }
}

/// Splits `planes` at the (even, ascending) luma rows `bounds`.
fn split_bands<'a>(planes: Vec<(&'a mut [u8], usize, usize)>, bounds: &[usize]) -> Vec<Band<'a>> {
    let mut bands = Vec::with_capacity(bounds.len() + 1);
    let mut rest = planes;
    let mut base = 0;
    for &b in bounds {
        let mut head = Vec::with_capacity(rest.len());
        let mut tail = Vec::with_capacity(rest.len());
        for (data, stride, scale) in rest {
            let off = ((b - base) / scale * stride).min(data.len());
            let (h, t) = data.split_at_mut(off);
            head.push((h, stride, scale));
            tail.push((t, stride, scale));
        }
        bands.push(Band { planes: head, base });
        rest = tail;
        base = b;
    }
    bands.push(Band { planes: rest, base });
    bands
}

fn default_threads() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    })
}

/// Destination pixels below which a conversion stays on the calling thread.
const PARALLEL_MIN_PIXELS: usize = 160_000;

// ---------------------------------------------------------------------------
// The conversion plan.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Same format, same size, aligned: plane row copies.
    Copy,
    YuvToYuv,
    YuvToRgb,
    RgbToYuv,
    RgbToRgb,
}

#[derive(Clone, Copy)]
enum Chroma<'a> {
    None,
    Nv(&'a [u8], usize),
    Planar(&'a [u8], usize, &'a [u8], usize),
}

struct Plan<'p, 's> {
    src: &'p Image<'s>,
    sr: Rect,
    dr: Rect,
    dfmt: PixelFormat,
    kind: Kind,
    /// Source and destination rectangles have the same size.
    same: bool,
    /// Luma / packed taps (destination pixels relative to `dr`).
    ax: Vec<Tap>,
    ay: Vec<Tap>,
    /// Chroma taps: for YUV→RGB per destination pixel (relative), for
    /// YUV→YUV per destination chroma sample from `ccols.0` / `crows.0`.
    cax: Vec<Tap>,
    cay: Vec<Tap>,
    /// Destination chroma columns and rows written.
    ccols: (u32, u32),
    crows: (u32, u32),
    /// YUV→YUV chroma maps 1:1 (no resampling).
    chroma_exact: bool,
}

impl<'p, 's> Plan<'p, 's> {
    fn new(
        src: &'p Image<'s>,
        sr: Rect,
        dfmt: PixelFormat,
        dsize: (u32, u32),
        dr: Rect,
        interp: Interpolation,
    ) -> Self {
        let sfmt = src.format;
        let nn = interp == Interpolation::Nearest;
        let same = sr.w == dr.w && sr.h == dr.h;
        let sub420 = |f: PixelFormat| matches!(f, PixelFormat::Nv12 | PixelFormat::I420);
        let kind = match (sfmt.is_yuv(), dfmt.is_yuv()) {
            _ if sfmt == dfmt
                && same
                && (!sub420(sfmt)
                    || (sr.x.is_multiple_of(2)
                        && sr.y.is_multiple_of(2)
                        && dr.x.is_multiple_of(2)
                        && dr.y.is_multiple_of(2))) =>
            {
                Kind::Copy
            }
            (true, true) => Kind::YuvToYuv,
            (true, false) => Kind::YuvToRgb,
            (false, true) => Kind::RgbToYuv,
            (false, false) => Kind::RgbToRgb,
        };
        let (sw, sh) = (src.width, src.height);
        let (scw, sch) = (sw.div_ceil(2), sh.div_ceil(2));
        let mut plan = Plan {
            src,
            sr,
            dr,
            dfmt,
            kind,
            same,
            ax: Vec::new(),
            ay: Vec::new(),
            cax: Vec::new(),
            cay: Vec::new(),
            ccols: chroma_span(dr.x, dr.w, dsize.0),
            crows: chroma_span(dr.y, dr.h, dsize.1),
            chroma_exact: false,
        };
        let xr = (dr.x, dr.w);
        let yr = (dr.y, dr.h);
        let sxr = (sr.x, sr.w);
        let syr = (sr.y, sr.h);
        if !same && kind != Kind::Copy {
            // Destination pixels relative to the rectangle.
            plan.ax = taps(0, dr.w, 1, (0, dr.w), sxr, 1, sw, nn);
            plan.ay = taps(0, dr.h, 1, (0, dr.h), syr, 1, sh, nn);
        }
        let src_chroma = sub420(sfmt);
        match kind {
            Kind::YuvToRgb if src_chroma && !same => {
                plan.cax = taps(0, dr.w, 1, (0, dr.w), sxr, 2, scw, nn);
                plan.cay = taps(0, dr.h, 1, (0, dr.h), syr, 2, sch, nn);
            }
            Kind::YuvToYuv if src_chroma && sub420(dfmt) => {
                let (c0, c1) = plan.ccols;
                let (r0, r1) = plan.crows;
                let even = sr.x.is_multiple_of(2)
                    && sr.y.is_multiple_of(2)
                    && dr.x.is_multiple_of(2)
                    && dr.y.is_multiple_of(2);
                let fits = sr.x / 2 + (c1 - c0) <= scw && sr.y / 2 + (r1 - r0) <= sch;
                plan.chroma_exact = same && even && fits;
                if !plan.chroma_exact {
                    plan.cax = taps(c0, c1 - c0, 2, xr, sxr, 2, scw, nn);
                    plan.cay = taps(r0, r1 - r0, 2, yr, syr, 2, sch, nn);
                }
            }
            _ => {}
        }
        plan
    }

    #[inline]
    fn src_row(&self, p: usize, row: usize) -> &'p [u8] {
        let (data, stride) = self.src.planes[p];
        &data[row * stride..]
    }

    fn src_chroma(&self) -> Chroma<'p> {
        let pl = &self.src.planes;
        match self.src.format {
            PixelFormat::Nv12 => Chroma::Nv(pl[1].0, pl[1].1),
            PixelFormat::I420 => Chroma::Planar(pl[1].0, pl[1].1, pl[2].0, pl[2].1),
            _ => Chroma::None,
        }
    }

    /// Runs destination luma rows `a..b` into `band`.
    fn run(&self, band: &mut Band<'_>, a: usize, b: usize) {
        match self.kind {
            Kind::Copy => self.copy(band, a, b),
            Kind::YuvToYuv => self.yuv_to_yuv(band, a, b),
            Kind::YuvToRgb => {
                if let Some(l) = layout(self.dfmt) {
                    with_layout!(l, L => self.yuv_to_rgb::<L>(band, a, b));
                }
            }
            Kind::RgbToYuv => {
                if let Some(l) = layout(self.src.format) {
                    with_layout!(l, L => self.rgb_to_yuv::<L>(band, a, b));
                }
            }
            Kind::RgbToRgb => {
                if let (Some(s), Some(d)) = (layout(self.src.format), layout(self.dfmt)) {
                    with_layout!(s, S => with_layout!(d, D => self.rgb_to_rgb::<S, D>(band, a, b)));
                }
            }
        }
    }

    fn copy(&self, band: &mut Band<'_>, a: usize, b: usize) {
        let (sr, dr) = (self.sr, self.dr);
        let f = self.dfmt;
        for p in 0..f.num_planes() {
            let (_, _, scale) = plane_geometry(f, 1, 1, p);
            // Bytes per sample of this plane.
            let bps = match (f, p) {
                (PixelFormat::Nv12, 1) => 2,
                (_, 0) => f.bytes_per_pixel(),
                _ => 1,
            };
            let (rows, cols) = if scale == 2 {
                (self.crows, self.ccols)
            } else {
                ((dr.y, dr.y + dr.h), (dr.x, dr.x + dr.w))
            };
            let (dx, dy) = if scale == 2 {
                (dr.x / 2, dr.y / 2)
            } else {
                (dr.x, dr.y)
            };
            let (sx, sy) = if scale == 2 {
                (sr.x / 2, sr.y / 2)
            } else {
                (sr.x, sr.y)
            };
            let n = (cols.1 - cols.0) as usize * bps;
            let r0 = (rows.0 as usize).max(a.div_ceil(scale));
            let r1 = (rows.1 as usize).min(b.div_ceil(scale));
            for row in r0..r1 {
                let srow = row - dy as usize + sy as usize;
                let scol = (cols.0 - dx + sx) as usize * bps;
                let s = &self.src_row(p, srow)[scol..scol + n];
                band.row(p, row, cols.0 as usize * bps, n)
                    .copy_from_slice(s);
            }
        }
    }

    fn yuv_to_yuv(&self, band: &mut Band<'_>, a: usize, b: usize) {
        let (sr, dr) = (self.sr, self.dr);
        let w = dr.w as usize;
        let mut luma = RowCache::<1>::new();
        for y in a..b {
            let j = y - dr.y as usize;
            let out = band.row(0, y, dr.x as usize, w);
            if self.same {
                out.copy_from_slice(&self.src_row(0, sr.y as usize + j)[sr.x as usize..][..w]);
            } else {
                let t = self.ay[j];
                let (i0, i1) = (t.i0 as usize, t.i1 as usize);
                let (r0, r1) = (self.src_row(0, i0), self.src_row(0, i1));
                luma.sample(i0, r0, i1, r1, t.f, &self.ax, out);
            }
        }
        if !matches!(self.dfmt, PixelFormat::Nv12 | PixelFormat::I420) {
            return;
        }
        let (c0, c1) = self.ccols;
        let n = (c1 - c0) as usize;
        let rows =
            (self.crows.0 as usize).max(a.div_ceil(2))..(self.crows.1 as usize).min(b.div_ceil(2));
        let mut tu = vec![128u8; n];
        let mut tv = vec![128u8; n];
        let mut tuv = vec![0u8; 2 * n];
        let dnv = self.dfmt == PixelFormat::Nv12;
        let mut nv_chroma = RowCache::<2>::new();
        let chroma = self.src_chroma();
        for cy in rows {
            if self.chroma_exact {
                let sy = cy - dr.y as usize / 2 + sr.y as usize / 2;
                let sx = c0 as usize - dr.x as usize / 2 + sr.x as usize / 2;
                match chroma {
                    Chroma::Nv(uv, s) => {
                        let row = &uv[sy * s + 2 * sx..][..2 * n];
                        if dnv {
                            band.row(1, cy, 2 * c0 as usize, 2 * n).copy_from_slice(row);
                            continue;
                        }
                        deinterleave(row, &mut tu, &mut tv);
                    }
                    Chroma::Planar(u, us, v, vs) => {
                        tu.copy_from_slice(&u[sy * us + sx..][..n]);
                        tv.copy_from_slice(&v[sy * vs + sx..][..n]);
                    }
                    Chroma::None => {}
                }
            } else if !matches!(chroma, Chroma::None) {
                let t = self.cay[cy - self.crows.0 as usize];
                match chroma {
                    Chroma::Nv(uv, s) => {
                        let (i0, i1) = (t.i0 as usize, t.i1 as usize);
                        let (r0, r1) = (&uv[i0 * s..], &uv[i1 * s..]);
                        if dnv {
                            let out = band.row(1, cy, 2 * c0 as usize, 2 * n);
                            nv_chroma.sample(i0, r0, i1, r1, t.f, &self.cax, out);
                            continue;
                        }
                        sample_row::<2>(r0, r1, t.f, &self.cax, &mut tuv);
                        deinterleave(&tuv, &mut tu, &mut tv);
                    }
                    Chroma::Planar(u, us, v, vs) => {
                        let (i0, i1) = (t.i0 as usize, t.i1 as usize);
                        sample_row::<1>(&u[i0 * us..], &u[i1 * us..], t.f, &self.cax, &mut tu);
                        sample_row::<1>(&v[i0 * vs..], &v[i1 * vs..], t.f, &self.cax, &mut tv);
                    }
                    Chroma::None => {}
                }
            }
            store_chroma(band, self.dfmt, cy, c0 as usize, &tu, &tv);
        }
    }

    fn yuv_to_rgb<L: Px>(&self, band: &mut Band<'_>, a: usize, b: usize) {
        let (sr, dr) = (self.sr, self.dr);
        let w = dr.w as usize;
        let chroma = self.src_chroma();
        let mut ty = vec![0u8; w];
        let mut tu = vec![128u8; w];
        let mut tv = vec![128u8; w];
        let mut tuv = vec![0u8; 2 * w];
        let half = w.div_ceil(2);
        let sx = sr.x as usize;
        for y in a..b {
            let j = y - dr.y as usize;
            let out = band.row(0, y, dr.x as usize * L::BPP, w * L::BPP);
            if self.same {
                let sy = sr.y as usize + j;
                let yrow = &self.src_row(0, sy)[sx..sx + w];
                let cy = sy / 2;
                if sx.is_multiple_of(2) {
                    match chroma {
                        Chroma::Nv(uv, s) => {
                            let row = &uv[cy * s + sx..][..2 * half];
                            deinterleave(row, &mut tu[..half], &mut tv[..half]);
                            yuv420_row::<L>(yrow, &tu[..half], &tv[..half], out);
                        }
                        Chroma::Planar(u, us, v, vs) => {
                            let (u, v) = (
                                &u[cy * us + sx / 2..][..half],
                                &v[cy * vs + sx / 2..][..half],
                            );
                            yuv420_row::<L>(yrow, u, v, out);
                        }
                        Chroma::None => yuv420_row::<L>(yrow, &tu[..half], &tv[..half], out),
                    }
                } else {
                    for (i, (uo, vo)) in tu.iter_mut().zip(tv.iter_mut()).enumerate() {
                        let c = (sx + i) / 2;
                        (*uo, *vo) = match chroma {
                            Chroma::Nv(uv, s) => (uv[cy * s + 2 * c], uv[cy * s + 2 * c + 1]),
                            Chroma::Planar(u, us, v, vs) => (u[cy * us + c], v[cy * vs + c]),
                            Chroma::None => (128, 128),
                        };
                    }
                    yuv444_row::<L>(yrow, &tu, &tv, out);
                }
            } else {
                let t = self.ay[j];
                let (r0, r1) = (
                    self.src_row(0, t.i0 as usize),
                    self.src_row(0, t.i1 as usize),
                );
                sample_row::<1>(r0, r1, t.f, &self.ax, &mut ty);
                match chroma {
                    Chroma::Nv(uv, s) => {
                        let c = self.cay[j];
                        let (r0, r1) = (&uv[c.i0 as usize * s..], &uv[c.i1 as usize * s..]);
                        sample_row::<2>(r0, r1, c.f, &self.cax, &mut tuv);
                        deinterleave(&tuv, &mut tu, &mut tv);
                    }
                    Chroma::Planar(u, us, v, vs) => {
                        let c = self.cay[j];
                        let (i0, i1) = (c.i0 as usize, c.i1 as usize);
                        sample_row::<1>(&u[i0 * us..], &u[i1 * us..], c.f, &self.cax, &mut tu);
                        sample_row::<1>(&v[i0 * vs..], &v[i1 * vs..], c.f, &self.cax, &mut tv);
                    }
                    Chroma::None => {}
                }
                yuv444_row::<L>(&ty, &tu, &tv, out);
            }
        }
    }

    /// Source row `j` of the rectangle as packed pixels of layout `L`,
    /// `dr.w` wide (resampled into `tmp` when scaling).
    fn packed_row<'t, L: Px>(&self, j: usize, tmp: &'t mut [u8]) -> &'t [u8]
    where
        'p: 't,
    {
        let (sr, dr) = (self.sr, self.dr);
        if self.same {
            let x = sr.x as usize * L::BPP;
            &self.src_row(0, sr.y as usize + j)[x..x + dr.w as usize * L::BPP]
        } else {
            let t = self.ay[j];
            let (r0, r1) = (
                self.src_row(0, t.i0 as usize),
                self.src_row(0, t.i1 as usize),
            );
            if L::BPP == 4 {
                sample_row::<4>(r0, r1, t.f, &self.ax, tmp);
            } else {
                sample_row::<3>(r0, r1, t.f, &self.ax, tmp);
            }
            tmp
        }
    }

    fn rgb_to_yuv<L: Px>(&self, band: &mut Band<'_>, a: usize, b: usize) {
        let dr = self.dr;
        let w = dr.w as usize;
        let x0 = dr.x as usize;
        let mut t0 = vec![0u8; w * L::BPP];
        let mut t1 = vec![0u8; w * L::BPP];
        let (c0, c1) = self.ccols;
        let n = (c1 - c0) as usize;
        let mut tu = vec![0u8; n];
        let mut tv = vec![0u8; n];
        let has_chroma = self.dfmt != PixelFormat::Gray8;
        let mut y = a;
        while y < b {
            let pair = y.is_multiple_of(2) && y + 1 < b;
            let j = y - dr.y as usize;
            let r0 = self.packed_row::<L>(j, &mut t0);
            rgb_luma_row::<L>(r0, band.row(0, y, x0, w));
            let r1 = if pair {
                let r1 = self.packed_row::<L>(j + 1, &mut t1);
                rgb_luma_row::<L>(r1, band.row(0, y + 1, x0, w));
                r1
            } else {
                r0
            };
            let cy = y / 2;
            if has_chroma
                && y.is_multiple_of(2)
                && (self.crows.0 as usize..self.crows.1 as usize).contains(&cy)
            {
                rgb_chroma_row::<L>(r0, r1, x0, c0 as usize, &mut tu, &mut tv);
                store_chroma(band, self.dfmt, cy, c0 as usize, &tu, &tv);
            }
            y += if pair { 2 } else { 1 };
        }
    }

    fn rgb_to_rgb<S: Px, D: Px>(&self, band: &mut Band<'_>, a: usize, b: usize) {
        let dr = self.dr;
        let w = dr.w as usize;
        let mut t = vec![0u8; w * S::BPP];
        let copy_alpha = has_alpha(self.src.format) && has_alpha(self.dfmt);
        for y in a..b {
            let row = self.packed_row::<S>(y - dr.y as usize, &mut t);
            let out = band.row(0, y, dr.x as usize * D::BPP, w * D::BPP);
            if self.src.format == self.dfmt {
                out.copy_from_slice(row);
            } else {
                swizzle_row::<S, D>(row, out, copy_alpha);
            }
        }
    }
}

/// Writes chroma row `cy` from column `c0` (NV12 interleaved or I420).
fn store_chroma(band: &mut Band<'_>, f: PixelFormat, cy: usize, c0: usize, u: &[u8], v: &[u8]) {
    let n = u.len();
    match f {
        PixelFormat::Nv12 => interleave(u, v, band.row(1, cy, 2 * c0, 2 * n)),
        PixelFormat::I420 => {
            band.row(1, cy, c0, n).copy_from_slice(u);
            band.row(2, cy, c0, n).copy_from_slice(v);
        }
        _ => {}
    }
}

/// Converts and scales the whole of `src` onto the whole of `dst`
/// (see [`convert_rect`]).
///
/// ```
/// use ds_open::convert::{convert, Image, ImageMut, PixelFormat};
/// let gray = [235u8; 4 * 4];
/// let src = Image::packed(PixelFormat::Gray8, 4, 4, &gray, 4);
/// let mut out = [0u8; 8 * 8 * 3];
/// let mut dst = ImageMut::packed(PixelFormat::Rgb, 8, 8, &mut out, 24);
/// convert(&src, &mut dst);
/// assert_eq!(&out[..3], &[255, 255, 255]);
/// ```
pub fn convert(src: &Image<'_>, dst: &mut ImageMut<'_>) {
    let s = Rect::new(0, 0, src.width, src.height);
    let d = Rect::new(0, 0, dst.width, dst.height);
    convert_rect(src, s, dst, d);
}

/// Converts and scales rectangle `src_rect` of `src` onto rectangle
/// `dst_rect` of `dst`.
///
/// Rectangles are clipped to their images. Equal sizes convert pixel for
/// pixel (same format: plane row copies); different sizes resample
/// bilinearly (pixel centres aligned). YUV is BT.601 limited range; 4:2:0
/// chroma is replicated when upsampling at equal size and averaged over
/// 2x2 when converting from RGB. For 4:2:0 destinations the rectangle
/// should be even-aligned (odd inner edges are rounded inwards for chroma).
/// Large frames are split into row bands converted on several threads
/// (the result does not depend on the split). Images whose planes do not
/// match their format and size are left untouched (see
/// [`try_convert_rect`]).
///
/// ```
/// use ds_open::convert::{convert_rect, Image, ImageMut, PixelFormat, Rect};
/// let red = [255u8, 0, 0, 255].repeat(4);
/// let src = Image::packed(PixelFormat::Rgba, 2, 2, &red, 8);
/// let mut out = vec![0u8; 4 * 4 * 4];
/// let mut dst = ImageMut::packed(PixelFormat::Rgba, 4, 4, &mut out, 16);
/// convert_rect(&src, Rect::new(0, 0, 2, 2), &mut dst, Rect::new(2, 2, 2, 2));
/// assert_eq!(&out[0..4], &[0, 0, 0, 0]);
/// assert_eq!(&out[(3 * 4 + 3) * 4..][..4], &[255, 0, 0, 255]);
/// ```
pub fn convert_rect(src: &Image<'_>, src_rect: Rect, dst: &mut ImageMut<'_>, dst_rect: Rect) {
    let _ = try_convert_rect(src, src_rect, dst, dst_rect);
}

/// [`convert_rect`], refusing images whose planes are missing, too small
/// or have too short a stride.
///
/// ```
/// use ds_open::convert::{try_convert_rect, ConvertError, Image, ImageMut, PixelFormat, Rect};
/// let px = [0u8; 4];
/// let src = Image::packed(PixelFormat::Rgba, 2, 2, &px, 8);
/// let mut out = [0u8; 16];
/// let mut dst = ImageMut::packed(PixelFormat::Rgba, 2, 2, &mut out, 8);
/// let r = Rect::new(0, 0, 2, 2);
/// assert!(matches!(try_convert_rect(&src, r, &mut dst, r), Err(ConvertError::PlaneTooSmall { .. })));
/// ```
pub fn try_convert_rect(
    src: &Image<'_>,
    src_rect: Rect,
    dst: &mut ImageMut<'_>,
    dst_rect: Rect,
) -> Result<(), ConvertError> {
    convert_rect_threads(src, src_rect, dst, dst_rect, Interpolation::Bilinear, None)
}

/// How [`try_convert_rect_with`] resamples when sizes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Nearest neighbour (pixel centres aligned).
    Nearest,
    /// Bilinear (the default).
    #[default]
    Bilinear,
}

/// [`try_convert_rect`] with an explicit [`Interpolation`].
///
/// ```
/// use ds_open::convert::{try_convert_rect_with, Image, ImageMut, Interpolation, PixelFormat, Rect};
/// let px = [0u8, 200];
/// let src = Image::packed(PixelFormat::Gray8, 2, 1, &px, 2);
/// let mut out = [0u8; 4];
/// let mut dst = ImageMut::packed(PixelFormat::Gray8, 4, 1, &mut out, 4);
/// let (s, d) = (Rect::new(0, 0, 2, 1), Rect::new(0, 0, 4, 1));
/// try_convert_rect_with(&src, s, &mut dst, d, Interpolation::Nearest).unwrap();
/// assert_eq!(out, [0, 0, 200, 200]);
/// ```
pub fn try_convert_rect_with(
    src: &Image<'_>,
    src_rect: Rect,
    dst: &mut ImageMut<'_>,
    dst_rect: Rect,
    interp: Interpolation,
) -> Result<(), ConvertError> {
    convert_rect_threads(src, src_rect, dst, dst_rect, interp, None)
}

fn convert_rect_threads(
    src: &Image<'_>,
    src_rect: Rect,
    dst: &mut ImageMut<'_>,
    dst_rect: Rect,
    interp: Interpolation,
    threads: Option<usize>,
) -> Result<(), ConvertError> {
    check_planes(
        src.format,
        src.width,
        src.height,
        src.planes.iter().map(|(d, s)| (d.len(), *s)),
    )?;
    check_planes(
        dst.format,
        dst.width,
        dst.height,
        dst.planes.iter().map(|(d, s)| (d.len(), *s)),
    )?;
    let sr = clip(src_rect, src.width, src.height);
    let dr = clip(dst_rect, dst.width, dst.height);
    if sr.w == 0 || sr.h == 0 || dr.w == 0 || dr.h == 0 {
        return Ok(());
    }
    let plan = Plan::new(src, sr, dst.format, (dst.width, dst.height), dr, interp);
    let (a, b) = (dr.y as usize, (dr.y + dr.h) as usize);
    let work = if plan.kind == Kind::Copy {
        0
    } else {
        dr.w as usize * dr.h as usize
    };
    let n = threads.unwrap_or(if work >= PARALLEL_MIN_PIXELS {
        default_threads()
    } else {
        1
    });
    let n = n.clamp(1, (dr.h as usize / 16).max(1));
    let step = (dr.h as usize).div_ceil(n).next_multiple_of(2);
    let mut bounds: Vec<usize> = (1..n)
        .map(|k| (a + k * step).next_multiple_of(2))
        .filter(|&x| x > a && x < b)
        .collect();
    bounds.dedup();
    let f = dst.format;
    let planes = dst
        .planes
        .iter_mut()
        .take(f.num_planes())
        .enumerate()
        .map(|(p, (d, s))| {
            let scale = plane_geometry(f, 1, 1, p).2;
            (&mut **d, *s, scale)
        })
        .collect();
    let mut bands = split_bands(planes, &bounds);
    let mut edges = Vec::with_capacity(bands.len() + 1);
    edges.push(a);
    edges.extend_from_slice(&bounds);
    edges.push(b);
    if bands.len() == 1 {
        plan.run(&mut bands[0], a, b);
    } else {
        let plan = &plan;
        std::thread::scope(|s| {
            for (k, mut band) in bands.into_iter().enumerate() {
                let (ya, yb) = (edges[k], edges[k + 1]);
                s.spawn(move || plan.run(&mut band, ya, yb));
            }
        });
    }
    Ok(())
}

/// Fills rectangle `rect` of `dst` with an RGB colour (black padding,
/// tiler background). YUV destinations get the BT.601 value; for 4:2:0
/// the chroma follows the same rounding as [`convert_rect`].
///
/// ```
/// use ds_open::convert::{fill_rect, ImageMut, PixelFormat, Rect};
/// let mut out = vec![9u8; 2 * 2 * 4];
/// let mut dst = ImageMut::packed(PixelFormat::Rgba, 2, 2, &mut out, 8);
/// fill_rect(&mut dst, Rect::new(0, 0, 2, 2), [0, 0, 0]);
/// assert_eq!(&out[..4], &[0, 0, 0, 255]);
/// ```
pub fn fill_rect(dst: &mut ImageMut<'_>, rect: Rect, rgb: [u8; 3]) {
    let f = dst.format;
    let geometry = dst.planes.iter().map(|(d, s)| (d.len(), *s));
    if check_planes(f, dst.width, dst.height, geometry).is_err() {
        return;
    }
    let r = clip(rect, dst.width, dst.height);
    if r.w == 0 || r.h == 0 {
        return;
    }
    let (x, w) = (r.x as usize, r.w as usize);
    let [yy, u, v] = rgb_to_yuv(rgb[0], rgb[1], rgb[2]);
    if let Some(l) = layout(f) {
        let bpp = f.bytes_per_pixel();
        let mut px = [255u8; 4];
        let (ri, gi, bi) = match l {
            Layout::Rgb4 | Layout::Rgb3 => (0, 1, 2),
            Layout::Bgr4 | Layout::Bgr3 => (2, 1, 0),
        };
        px[ri] = rgb[0];
        px[gi] = rgb[1];
        px[bi] = rgb[2];
        let (data, stride) = &mut dst.planes[0];
        for y in r.y as usize..(r.y + r.h) as usize {
            let row = &mut data[y * *stride + x * bpp..][..w * bpp];
            for o in row.chunks_exact_mut(bpp) {
                o.copy_from_slice(&px[..bpp]);
            }
        }
        return;
    }
    {
        let (data, stride) = &mut dst.planes[0];
        for y in r.y as usize..(r.y + r.h) as usize {
            data[y * *stride + x..][..w].fill(yy);
        }
    }
    let (c0, c1) = chroma_span(r.x, r.w, dst.width);
    let (r0, r1) = chroma_span(r.y, r.h, dst.height);
    let (c0, n) = (c0 as usize, (c1 - c0) as usize);
    for cy in r0 as usize..r1 as usize {
        match f {
            PixelFormat::Nv12 => {
                let (data, stride) = &mut dst.planes[1];
                let row = &mut data[cy * *stride + 2 * c0..][..2 * n];
                for p in row.chunks_exact_mut(2) {
                    p[0] = u;
                    p[1] = v;
                }
            }
            PixelFormat::I420 => {
                let (ud, us) = &mut dst.planes[1];
                ud[cy * *us + c0..][..n].fill(u);
                let (vd, vs) = &mut dst.planes[2];
                vd[cy * *vs + c0..][..n].fill(v);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes.
    fn noise(n: usize, seed: u32) -> Vec<u8> {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s >> 24) as u8
            })
            .collect()
    }

    /// A tightly packed image buffer of `f` (planes, strides).
    fn layout_of(f: PixelFormat, w: usize, h: usize) -> Vec<(usize, usize)> {
        (0..f.num_planes())
            .map(|p| {
                let (row, rows, _) = plane_geometry(f, w, h, p);
                (row + 3, rows) // padded stride
            })
            .collect()
    }

    struct Buf {
        f: PixelFormat,
        w: u32,
        h: u32,
        planes: Vec<(Vec<u8>, usize)>,
    }

    impl Buf {
        fn new(f: PixelFormat, w: u32, h: u32, seed: u32) -> Buf {
            let planes = layout_of(f, w as usize, h as usize)
                .into_iter()
                .enumerate()
                .map(|(p, (stride, rows))| (noise(stride * rows, seed + p as u32), stride))
                .collect();
            Buf { f, w, h, planes }
        }
        fn image(&self) -> Image<'_> {
            Image {
                format: self.f,
                width: self.w,
                height: self.h,
                planes: self.planes.iter().map(|(d, s)| (&d[..], *s)).collect(),
            }
        }
        fn image_mut(&mut self) -> ImageMut<'_> {
            ImageMut {
                format: self.f,
                width: self.w,
                height: self.h,
                planes: self
                    .planes
                    .iter_mut()
                    .map(|(d, s)| (&mut d[..], *s))
                    .collect(),
            }
        }
        /// Pixel (x, y) as RGB (YUV decoded with nearest chroma).
        fn rgb(&self, x: usize, y: usize) -> [u8; 3] {
            let p = &self.planes;
            match self.f {
                PixelFormat::Nv12 => {
                    let c = (y / 2) * p[1].1 + (x / 2) * 2;
                    yuv_to_rgb(p[0].0[y * p[0].1 + x], p[1].0[c], p[1].0[c + 1])
                }
                PixelFormat::I420 => {
                    let c = |k: usize| p[k].0[(y / 2) * p[k].1 + x / 2];
                    yuv_to_rgb(p[0].0[y * p[0].1 + x], c(1), c(2))
                }
                PixelFormat::Gray8 => yuv_to_rgb(p[0].0[y * p[0].1 + x], 128, 128),
                f => {
                    let o = y * p[0].1 + x * f.bytes_per_pixel();
                    let px = &p[0].0[o..];
                    match layout(f) {
                        Some(Layout::Bgr4 | Layout::Bgr3) => [px[2], px[1], px[0]],
                        _ => [px[0], px[1], px[2]],
                    }
                }
            }
        }
        /// Visible bytes only (no stride padding), per plane.
        fn visible(&self) -> Vec<Vec<u8>> {
            self.planes
                .iter()
                .enumerate()
                .map(|(p, (d, s))| {
                    let (row, rows, _) =
                        plane_geometry(self.f, self.w as usize, self.h as usize, p);
                    (0..rows).flat_map(|r| d[r * s..][..row].to_vec()).collect()
                })
                .collect()
        }
    }

    #[test]
    fn yuv_rgb_round_trip() {
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let [y, u, v] = rgb_to_yuv(r as u8, g as u8, b as u8);
                    let back = yuv_to_rgb(y, u, v);
                    for (a, c) in back.iter().zip([r, g, b]) {
                        assert!((i32::from(*a) - c).abs() <= 3, "{r},{g},{b} -> {back:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn same_format_same_size_is_exact() {
        for f in PixelFormat::ALL {
            let src = Buf::new(f, 7, 5, 1);
            let mut dst = Buf::new(f, 7, 5, 2);
            convert(&src.image(), &mut dst.image_mut());
            assert_eq!(src.visible(), dst.visible(), "{f:?}");
        }
    }

    #[test]
    fn yuv_to_rgb_same_size_matches_reference() {
        for sf in [PixelFormat::Nv12, PixelFormat::I420, PixelFormat::Gray8] {
            for df in [
                PixelFormat::Rgba,
                PixelFormat::Bgrx,
                PixelFormat::Rgb,
                PixelFormat::Bgr,
            ] {
                let src = Buf::new(sf, 9, 7, 3);
                let mut dst = Buf::new(df, 9, 7, 4);
                convert(&src.image(), &mut dst.image_mut());
                for y in 0..7 {
                    for x in 0..9 {
                        assert_eq!(dst.rgb(x, y), src.rgb(x, y), "{sf:?}->{df:?} at {x},{y}");
                    }
                }
                if df.bytes_per_pixel() == 4 {
                    assert_eq!(dst.planes[0].0[3], 255);
                }
            }
        }
    }

    #[test]
    fn rgb_to_yuv_same_size_matches_reference() {
        let src = Buf::new(PixelFormat::Bgra, 5, 3, 5);
        let mut nv = Buf::new(PixelFormat::Nv12, 5, 3, 6);
        let mut i4 = Buf::new(PixelFormat::I420, 5, 3, 7);
        convert(&src.image(), &mut nv.image_mut());
        convert(&src.image(), &mut i4.image_mut());
        for y in 0..3 {
            for x in 0..5 {
                let [r, g, b] = src.rgb(x, y);
                assert_eq!(
                    nv.planes[0].0[y * nv.planes[0].1 + x],
                    rgb_to_yuv(r, g, b)[0]
                );
            }
        }
        // Chroma of the bottom-right sample: the odd column and row alone.
        let [r, g, b] = src.rgb(4, 2);
        let [_, u, v] = rgb_to_yuv(r, g, b);
        let s = nv.planes[1].1;
        assert!((i32::from(nv.planes[1].0[s + 4]) - i32::from(u)).abs() <= 1);
        assert!((i32::from(nv.planes[1].0[s + 5]) - i32::from(v)).abs() <= 1);
        assert_eq!(nv.planes[1].0[s + 4], i4.planes[1].0[i4.planes[1].1 + 2]);
        assert_eq!(nv.planes[1].0[s + 5], i4.planes[2].0[i4.planes[2].1 + 2]);
    }

    #[test]
    fn bilinear_rows() {
        let px = [0u8, 100, 200, 255];
        let src = Image::packed(PixelFormat::Gray8, 4, 1, &px, 4);
        let mut out = [0u8; 2];
        convert(
            &src,
            &mut ImageMut::packed(PixelFormat::Gray8, 2, 1, &mut out, 2),
        );
        assert_eq!(out, [50, 228]);
        let px = [0u8, 200];
        let src = Image::packed(PixelFormat::Gray8, 2, 1, &px, 2);
        let mut out = [0u8; 4];
        convert(
            &src,
            &mut ImageMut::packed(PixelFormat::Gray8, 4, 1, &mut out, 4),
        );
        assert_eq!(out, [0, 50, 150, 200]);
    }

    #[test]
    fn scaling_keeps_flat_colours() {
        for (sf, df) in [
            (PixelFormat::Nv12, PixelFormat::Rgba),
            (PixelFormat::I420, PixelFormat::Bgr),
            (PixelFormat::Nv12, PixelFormat::Nv12),
            (PixelFormat::Nv12, PixelFormat::I420),
            (PixelFormat::Rgba, PixelFormat::Nv12),
            (PixelFormat::Rgb, PixelFormat::Bgrx),
        ] {
            let mut src = Buf::new(sf, 30, 18, 8);
            let r = Rect::new(0, 0, 30, 18);
            fill_rect(&mut src.image_mut(), r, [200, 40, 90]);
            let mut dst = Buf::new(df, 17, 11, 9);
            convert(&src.image(), &mut dst.image_mut());
            let mut dst2 = Buf::new(df, 50, 31, 9);
            convert(&src.image(), &mut dst2.image_mut());
            for d in [&dst, &dst2] {
                let expect = src.rgb(0, 0);
                for y in 0..d.h as usize {
                    for x in 0..d.w as usize {
                        let got = d.rgb(x, y);
                        for c in 0..3 {
                            let e = (i32::from(got[c]) - i32::from(expect[c])).abs();
                            assert!(e <= 2, "{sf:?}->{df:?} {x},{y}: {got:?} vs {expect:?}");
                        }
                    }
                }
            }
        }
    }

    const B: Interpolation = Interpolation::Bilinear;

    #[test]
    fn bands_do_not_change_the_result() {
        let cases = [
            (PixelFormat::Nv12, PixelFormat::Rgba, (61, 47), (40, 70)),
            (PixelFormat::I420, PixelFormat::Bgr, (64, 48), (64, 48)),
            (PixelFormat::Nv12, PixelFormat::Nv12, (64, 48), (37, 53)),
            (PixelFormat::Rgba, PixelFormat::I420, (64, 48), (64, 48)),
            (PixelFormat::Bgrx, PixelFormat::Nv12, (64, 48), (33, 71)),
            (PixelFormat::Rgb, PixelFormat::Rgba, (64, 48), (20, 90)),
        ];
        for (sf, df, (sw, sh), (dw, dh)) in cases {
            let src = Buf::new(sf, sw, sh, 10);
            let sr = Rect::new(3, 1, sw - 5, sh - 2);
            let dr = Rect::new(2, 3, dw - 3, dh - 4);
            let mut one = Buf::new(df, dw, dh, 11);
            let mut three = Buf::new(df, dw, dh, 11);
            convert_rect_threads(&src.image(), sr, &mut one.image_mut(), dr, B, Some(1)).unwrap();
            convert_rect_threads(&src.image(), sr, &mut three.image_mut(), dr, B, Some(3)).unwrap();
            assert!(one.planes == three.planes, "{sf:?}->{df:?}");
        }
    }

    #[test]
    fn rect_leaves_the_rest_alone() {
        let src = Buf::new(PixelFormat::Nv12, 16, 16, 12);
        let mut dst = Buf::new(PixelFormat::I420, 20, 20, 13);
        let before = dst.planes.clone();
        convert_rect(
            &src.image(),
            Rect::new(2, 2, 8, 8),
            &mut dst.image_mut(),
            Rect::new(4, 6, 6, 4),
        );
        let (y, ys) = (&dst.planes[0].0, dst.planes[0].1);
        assert_eq!(y[5 * ys..6 * ys], before[0].0[5 * ys..6 * ys]);
        assert_eq!(y[6 * ys + 3], before[0].0[6 * ys + 3]);
        assert_eq!(y[6 * ys + 10], before[0].0[6 * ys + 10]);
        assert_ne!(
            y[6 * ys + 4..6 * ys + 10],
            before[0].0[6 * ys + 4..6 * ys + 10]
        );
        let (u, us) = (&dst.planes[1].0, dst.planes[1].1);
        assert_eq!(u[2 * us + 1], before[1].0[2 * us + 1]);
        assert_eq!(u[2 * us + 5], before[1].0[2 * us + 5]);
    }

    #[test]
    fn bad_geometry_is_refused() {
        let px = [0u8; 10];
        let src = Image {
            format: PixelFormat::Nv12,
            width: 2,
            height: 2,
            planes: vec![(&px[..], 2)],
        };
        let mut out = [0u8; 16];
        let mut dst = ImageMut::packed(PixelFormat::Rgba, 2, 2, &mut out, 8);
        let r = Rect::new(0, 0, 2, 2);
        assert_eq!(
            try_convert_rect(&src, r, &mut dst, r),
            Err(ConvertError::MissingPlane {
                format: PixelFormat::Nv12,
                plane: 1
            })
        );
        let src = Image::packed(PixelFormat::Rgb, 2, 2, &px, 4);
        assert!(matches!(
            try_convert_rect(&src, r, &mut dst, r),
            Err(ConvertError::StrideTooSmall { .. })
        ));
        convert(&src, &mut dst); // ignored, no panic
        assert_eq!(out, [0; 16]);
    }

    #[test]
    fn fill_nv12() {
        let mut b = Buf::new(PixelFormat::Nv12, 6, 4, 14);
        fill_rect(&mut b.image_mut(), Rect::new(0, 0, 6, 4), [255, 255, 255]);
        assert_eq!(b.visible()[0], vec![235; 24]);
        assert_eq!(b.visible()[1], [128u8, 128].repeat(6));
    }
}
