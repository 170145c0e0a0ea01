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

// BT.601 limited-range coefficients, 16.16 fixed point.
#[inline]
fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// YUV (limited range) to RGB.
#[inline]
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = (i32::from(y) - 16) * 76309; // 1.164 * 65536
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let r = (c + 104597 * e + 32768) >> 16;
    let g = (c - 25675 * d - 53279 * e + 32768) >> 16;
    let b = (c + 132201 * d + 32768) >> 16;
    [clamp8(r), clamp8(g), clamp8(b)]
}

/// RGB to YUV (limited range).
#[inline]
pub fn rgb_to_yuv(r: u8, g: u8, b: u8) -> [u8; 3] {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let y = ((16829 * r + 33039 * g + 6416 * b + 32768) >> 16) + 16;
    let u = ((-9714 * r - 19070 * g + 28784 * b + 32768) >> 16) + 128;
    let v = ((28784 * r - 24103 * g - 4681 * b + 32768) >> 16) + 128;
    [clamp8(y), clamp8(u), clamp8(v)]
}

/// Byte order of R, G, B (and alpha, if any) in a packed format.
fn packed_order(f: PixelFormat) -> ([usize; 3], Option<usize>) {
    match f {
        // The padding byte of the x formats is written as 0xff, as
        // GStreamer's videoconvert does.
        PixelFormat::Rgba | PixelFormat::Rgbx => ([0, 1, 2], Some(3)),
        PixelFormat::Rgb => ([0, 1, 2], None),
        PixelFormat::Bgra | PixelFormat::Bgrx => ([2, 1, 0], Some(3)),
        PixelFormat::Bgr => ([2, 1, 0], None),
        _ => ([0, 1, 2], None),
    }
}

/// Reads pixel (x, y) of `src` as YUV (`yuv`) or RGB triple.
#[inline]
fn fetch(src: &Image<'_>, x: usize, y: usize, yuv: bool) -> [u8; 3] {
    match src.format {
        PixelFormat::Nv12 => {
            let (yp, ys) = src.planes[0];
            let (uv, uvs) = src.planes[1];
            let c = (y / 2) * uvs + (x / 2) * 2;
            let t = [yp[y * ys + x], uv[c], uv[c + 1]];
            if yuv {
                t
            } else {
                yuv_to_rgb(t[0], t[1], t[2])
            }
        }
        PixelFormat::I420 => {
            let (yp, ys) = src.planes[0];
            let (up, us) = src.planes[1];
            let (vp, vs) = src.planes[2];
            let t = [
                yp[y * ys + x],
                up[(y / 2) * us + x / 2],
                vp[(y / 2) * vs + x / 2],
            ];
            if yuv {
                t
            } else {
                yuv_to_rgb(t[0], t[1], t[2])
            }
        }
        PixelFormat::Gray8 => {
            let (yp, ys) = src.planes[0];
            let l = yp[y * ys + x];
            if yuv {
                [l, 128, 128]
            } else {
                yuv_to_rgb(l, 128, 128)
            }
        }
        f => {
            let (p, s) = src.planes[0];
            let bpp = f.bytes_per_pixel();
            let o = y * s + x * bpp;
            let (ord, _) = packed_order(f);
            let rgb = [p[o + ord[0]], p[o + ord[1]], p[o + ord[2]]];
            if yuv {
                rgb_to_yuv(rgb[0], rgb[1], rgb[2])
            } else {
                rgb
            }
        }
    }
}

/// Converts and scales the whole of `src` onto the whole of `dst`.
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
/// `dst_rect` of `dst` (nearest-neighbour sampling at pixel centres).
/// Rectangles are clipped to their images; for 4:2:0 destinations the
/// rectangle should be even-aligned (odd edges are rounded inwards for
/// chroma).
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
    let sr = clip(src_rect, src.width, src.height);
    let dr = clip(dst_rect, dst.width, dst.height);
    if sr.w == 0 || sr.h == 0 || dr.w == 0 || dr.h == 0 {
        return;
    }
    let yuv = dst.format.is_yuv() && src.format.is_yuv();
    let dst_yuv = dst.format.is_yuv();
    let map_x: Vec<usize> = (0..dr.w as usize)
        .map(|i| sr.x as usize + ((2 * i + 1) * sr.w as usize) / (2 * dr.w as usize))
        .collect();
    let mut row: Vec<[u8; 3]> = vec![[0; 3]; dr.w as usize];
    for j in 0..dr.h as usize {
        let sy = sr.y as usize + ((2 * j + 1) * sr.h as usize) / (2 * dr.h as usize);
        for (i, px) in row.iter_mut().enumerate() {
            let t = fetch(src, map_x[i], sy, yuv);
            *px = if dst_yuv && !yuv {
                rgb_to_yuv(t[0], t[1], t[2])
            } else {
                t
            };
        }
        store_row(dst, dr.x as usize, dr.y as usize + j, &row);
    }
}

/// Writes one row of YUV (YUV destinations) or RGB triples at (x0, y).
fn store_row(dst: &mut ImageMut<'_>, x0: usize, y: usize, row: &[[u8; 3]]) {
    match dst.format {
        PixelFormat::Nv12 | PixelFormat::I420 | PixelFormat::Gray8 => {
            {
                let (yp, ys) = &mut dst.planes[0];
                let line = &mut yp[y * *ys + x0..][..row.len()];
                for (d, s) in line.iter_mut().zip(row) {
                    *d = s[0];
                }
            }
            if dst.format == PixelFormat::Gray8 || y % 2 == 1 {
                return;
            }
            // Chroma of the pixel pair starting at each even x.
            let cy = y / 2;
            let start = x0.div_ceil(2);
            let end = (x0 + row.len()) / 2;
            for cx in start..end {
                let a = row[2 * cx - x0];
                let b = row.get(2 * cx + 1 - x0).copied().unwrap_or(a);
                let u = (u16::from(a[1]) + u16::from(b[1])).div_ceil(2) as u8;
                let v = (u16::from(a[2]) + u16::from(b[2])).div_ceil(2) as u8;
                if dst.format == PixelFormat::Nv12 {
                    let (uv, uvs) = &mut dst.planes[1];
                    let o = cy * *uvs + cx * 2;
                    uv[o] = u;
                    uv[o + 1] = v;
                } else {
                    let us = dst.planes[1].1;
                    dst.planes[1].0[cy * us + cx] = u;
                    let vs = dst.planes[2].1;
                    dst.planes[2].0[cy * vs + cx] = v;
                }
            }
        }
        f => {
            let bpp = f.bytes_per_pixel();
            let (ord, alpha) = packed_order(f);
            let (p, s) = &mut dst.planes[0];
            let line = &mut p[y * *s + x0 * bpp..][..row.len() * bpp];
            for (d, px) in line.chunks_exact_mut(bpp).zip(row) {
                d[ord[0]] = px[0];
                d[ord[1]] = px[1];
                d[ord[2]] = px[2];
                if let Some(a) = alpha {
                    d[a] = 255;
                }
            }
        }
    }
}

fn clip(r: Rect, w: u32, h: u32) -> Rect {
    let x = r.x.min(w);
    let y = r.y.min(h);
    Rect::new(x, y, r.w.min(w - x), r.h.min(h - y))
}

/// Fills rectangle `rect` of `dst` with an RGB colour (black padding,
/// tiler background).
///
/// ```
/// use ds_open::convert::{fill_rect, ImageMut, PixelFormat, Rect};
/// let mut out = vec![9u8; 2 * 2 * 4];
/// let mut dst = ImageMut::packed(PixelFormat::Rgba, 2, 2, &mut out, 8);
/// fill_rect(&mut dst, Rect::new(0, 0, 2, 2), [0, 0, 0]);
/// assert_eq!(&out[..4], &[0, 0, 0, 255]);
/// ```
pub fn fill_rect(dst: &mut ImageMut<'_>, rect: Rect, rgb: [u8; 3]) {
    let r = clip(rect, dst.width, dst.height);
    let px = if dst.format.is_yuv() {
        rgb_to_yuv(rgb[0], rgb[1], rgb[2])
    } else {
        rgb
    };
    let row = vec![px; r.w as usize];
    for y in r.y..r.y + r.h {
        store_row(dst, r.x as usize, y as usize, &row);
    }
}
