//! Per-frame work of the muxer: reading an input frame (NVMM or system
//! memory) and scaling it into its slot of the output batch.
use crate::caps::{caps_are_nvmm, VideoDesc};
use crate::convert::{convert_rect, fill_rect, Image, ImageMut, PixelFormat, Rect};
use ds_core::planes::SurfaceRef;
use ds_core::surface::SurfaceBatch;
use gst_video::prelude::*;
use gstreamer as gst;
use gstreamer_video as gst_video;

/// The negotiated format of one sink pad.
#[derive(Debug, Clone)]
pub(super) struct InputFormat {
    /// Format, size and rate.
    pub desc: VideoDesc,
    /// Layout of system-memory input; `None` for NVMM input.
    pub info: Option<gst_video::VideoInfo>,
}

impl InputFormat {
    /// Reads fixed input caps; the error says what is wrong.
    pub fn from_caps(caps: &gst::CapsRef) -> Result<InputFormat, String> {
        let desc = VideoDesc::from_caps(caps).ok_or_else(|| {
            format!(
                "unsupported input caps {caps}: expected video/x-raw or \
                 video/x-raw(memory:NVMM) in one of {}",
                crate::caps::FORMATS.join(", ")
            )
        })?;
        let info = if caps_are_nvmm(caps) {
            None
        } else {
            Some(
                gst_video::VideoInfo::from_caps(caps)
                    .map_err(|e| format!("invalid video caps {caps}: {e}"))?,
            )
        };
        Ok(InputFormat { desc, info })
    }
}

/// Rounds down to even (at least 2 when `limit` allows) for 4:2:0 output.
fn even(v: u32, limit: u32) -> u32 {
    let e = v & !1;
    if e == 0 {
        limit.min(2)
    } else {
        e
    }
}

/// Where a `src_w` x `src_h` frame goes in a `dst_w` x `dst_h` slot: the
/// whole slot, or (padding) the largest aspect-preserving rectangle at the
/// top-left corner.
pub(super) fn fit_rect(
    src: (u32, u32),
    dst: (u32, u32),
    padding: bool,
    format: PixelFormat,
) -> Rect {
    let (sw, sh) = (u64::from(src.0.max(1)), u64::from(src.1.max(1)));
    let (dw, dh) = (u64::from(dst.0), u64::from(dst.1));
    if !padding {
        return Rect::new(0, 0, dst.0, dst.1);
    }
    // Scale by min(dw / sw, dh / sh), rounded to the nearest pixel.
    let (w, h) = if dw * sh <= dh * sw {
        (dw, ((sh * dw * 2 + sw) / (2 * sw)).clamp(1, dh))
    } else {
        (((sw * dh * 2 + sh) / (2 * sh)).clamp(1, dw), dh)
    };
    let (mut w, mut h) = (w as u32, h as u32);
    if matches!(format, PixelFormat::Nv12 | PixelFormat::I420) {
        w = even(w, dst.0);
        h = even(h, dst.1);
    }
    Rect::new(0, 0, w, h)
}

/// Scales `src` into `dst`, black bars where the frame does not cover it.
fn draw(src: &Image<'_>, dst: &mut ImageMut<'_>, padding: bool) {
    let r = fit_rect(
        (src.width, src.height),
        (dst.width, dst.height),
        padding,
        dst.format,
    );
    if r.w < dst.width {
        fill_rect(dst, Rect::new(r.w, 0, dst.width - r.w, dst.height), [0; 3]);
    }
    if r.h < dst.height {
        fill_rect(dst, Rect::new(0, r.h, r.w, dst.height - r.h), [0; 3]);
    }
    convert_rect(src, Rect::new(0, 0, src.width, src.height), dst, r);
}

/// Scales the frame held by `buffer` (negotiated as `input`) into slot
/// `slot` of `batch`. Returns the source frame size.
pub(super) fn compose(
    buffer: &gst::BufferRef,
    input: &InputFormat,
    batch: &mut SurfaceBatch,
    slot: u32,
    padding: bool,
) -> Result<(u32, u32), String> {
    let mut out = batch
        .planes_mut(slot)
        .map_err(|e| format!("cannot map output frame {slot}: {e}"))?;
    let mut dst = ImageMut::from_planes(&mut out)
        .ok_or_else(|| "output surface has an unsupported format".to_string())?;
    match &input.info {
        None => {
            let surface = SurfaceRef::from_buffer(buffer)
                .map_err(|e| format!("input buffer is not an NvBufSurface: {e}"))?;
            if surface.num_filled() == 0 {
                return Err("input NvBufSurface has no filled frame".into());
            }
            let frame = surface
                .frame(0)
                .map_err(|e| format!("cannot map input frame: {e}"))?;
            let src = Image::from_planes(&frame).ok_or_else(|| {
                format!("unsupported NvBufSurface colour format {}", frame.format())
            })?;
            draw(&src, &mut dst, padding);
            Ok((src.width, src.height))
        }
        Some(info) => {
            let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, info)
                .map_err(|_| "cannot map input buffer as a video frame".to_string())?;
            let src = Image::from_video_frame(&frame)
                .ok_or_else(|| format!("unsupported input format {:?}", frame.format()))?;
            draw(&src, &mut dst, padding);
            Ok((src.width, src.height))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_rect_keeps_aspect() {
        let f = PixelFormat::Nv12;
        assert_eq!(
            fit_rect((320, 120), (64, 64), true, f),
            Rect::new(0, 0, 64, 24)
        );
        assert_eq!(
            fit_rect((100, 200), (64, 64), true, f),
            Rect::new(0, 0, 32, 64)
        );
        assert_eq!(
            fit_rect((100, 200), (64, 64), false, f),
            Rect::new(0, 0, 64, 64)
        );
        assert_eq!(
            fit_rect((3, 1), (5, 5), true, PixelFormat::Rgba),
            Rect::new(0, 0, 5, 2)
        );
    }
}
