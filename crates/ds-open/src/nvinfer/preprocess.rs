//! Network-input preparation, as DeepStream's nvinfer does it: scale a frame
//! (or an object's crop) to the network's width x height (keeping the
//! aspect ratio with padding when `maintain-aspect-ratio=1`), convert it to
//! the model's colour format and normalise each value:
//! `y = net-scale-factor * (x - offsets[c])`, planar (NCHW).
use super::config::ModelColorFormat;
use crate::convert::{self, Image, ImageMut, PixelFormat, Rect};

/// How a source region was placed into the network input: the scale and
/// offset to map network coordinates back to source coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Source pixels per network pixel, horizontally.
    pub scale_x: f32,
    /// Source pixels per network pixel, vertically.
    pub scale_y: f32,
    /// Network x where the image starts (padding to its left).
    pub pad_x: f32,
    /// Network y where the image starts.
    pub pad_y: f32,
    /// Source x of the region's left edge.
    pub src_x: f32,
    /// Source y of the region's top edge.
    pub src_y: f32,
}

impl Placement {
    /// Maps a network-space box (left, top, width, height) to source space.
    pub fn to_source(&self, l: f32, t: f32, w: f32, h: f32) -> (f32, f32, f32, f32) {
        (
            self.src_x + (l - self.pad_x) * self.scale_x,
            self.src_y + (t - self.pad_y) * self.scale_y,
            w * self.scale_x,
            h * self.scale_y,
        )
    }
}

/// Normalisation parameters.
#[derive(Debug, Clone)]
pub struct Normalize {
    /// `net-scale-factor`.
    pub scale: f32,
    /// Per-channel `offsets` (missing ones are 0).
    pub offsets: [f32; 3],
    /// Colour order the model wants.
    pub color: ModelColorFormat,
    /// Keep the aspect ratio (pad the rest with zeros before normalising).
    pub keep_aspect: bool,
    /// With `keep_aspect`: centre the image (else top-left).
    pub symmetric: bool,
}

impl Normalize {
    /// The normalisation a config asks for.
    pub fn from_config(config: &super::config::InferConfig) -> Normalize {
        let mut offsets = [0.0f32; 3];
        for (o, v) in offsets.iter_mut().zip(&config.offsets) {
            *o = *v;
        }
        Normalize {
            scale: config.net_scale_factor,
            offsets,
            color: config.model_color_format,
            keep_aspect: config.maintain_aspect_ratio,
            symmetric: config.symmetric_padding,
        }
    }
}

/// Scales `region` of `src` into a `net_w` x `net_h` network input and
/// writes it normalised, planar, into `out` (`channels * net_h * net_w`
/// floats). `scratch` is reused between calls.
pub fn prepare(
    src: &Image<'_>,
    region: Rect,
    net_w: usize,
    net_h: usize,
    norm: &Normalize,
    scratch: &mut Vec<u8>,
    out: &mut [f32],
) -> Placement {
    let (rw, rh) = (region.w.max(1) as f32, region.h.max(1) as f32);
    let (mut dw, mut dh) = (net_w as u32, net_h as u32);
    if norm.keep_aspect {
        let s = (net_w as f32 / rw).min(net_h as f32 / rh);
        dw = ((rw * s).round() as u32).clamp(1, net_w as u32);
        dh = ((rh * s).round() as u32).clamp(1, net_h as u32);
    }
    let (px, py) = if norm.keep_aspect && norm.symmetric {
        ((net_w as u32 - dw) / 2, (net_h as u32 - dh) / 2)
    } else {
        (0, 0)
    };
    let gray = norm.color == ModelColorFormat::Gray;
    let (fmt, bpp) = match norm.color {
        ModelColorFormat::Bgr => (PixelFormat::Bgr, 3),
        ModelColorFormat::Gray => (PixelFormat::Gray8, 1),
        _ => (PixelFormat::Rgb, 3),
    };
    scratch.clear();
    scratch.resize(net_w * net_h * bpp, 0);
    {
        let mut dst = ImageMut::packed(fmt, net_w as u32, net_h as u32, scratch, net_w * bpp);
        convert::convert_rect(src, region, &mut dst, Rect::new(px, py, dw, dh));
    }
    let plane = net_w * net_h;
    let channels = if gray { 1 } else { 3 };
    for c in 0..channels {
        let (scale, off) = (norm.scale, norm.offsets[c]);
        let out_plane = &mut out[c * plane..(c + 1) * plane];
        for (o, px) in out_plane.iter_mut().zip(scratch.chunks_exact(bpp)) {
            *o = scale * (f32::from(px[c]) - off);
        }
        // Padding stays the normalised value of black, as DeepStream pads
        // the scaled frame with zeros before normalising.
    }
    Placement {
        scale_x: rw / dw as f32,
        scale_y: rh / dh as f32,
        pad_x: px as f32,
        pad_y: py as f32,
        src_x: region.x as f32,
        src_y: region.y as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_planar_bgr_and_maps_back() {
        // 4x2 red image into a 4x4 network input, aspect kept, top-left.
        let red = [255u8, 0, 0, 255].repeat(8);
        let src = Image::packed(PixelFormat::Rgba, 4, 2, &red, 16);
        let norm = Normalize {
            scale: 0.5,
            offsets: [10.0, 20.0, 30.0],
            color: ModelColorFormat::Bgr,
            keep_aspect: true,
            symmetric: false,
        };
        let mut out = vec![0f32; 3 * 16];
        let mut scratch = Vec::new();
        let p = prepare(
            &src,
            Rect::new(0, 0, 4, 2),
            4,
            4,
            &norm,
            &mut scratch,
            &mut out,
        );
        // B plane: 0.5 * (0 - 10); R plane (index 2): 0.5 * (255 - 30).
        assert_eq!(out[0], -5.0);
        assert_eq!(out[2 * 16], 112.5);
        // Rows 2 and 3 are padding (black): R = 0.5 * (0 - 30).
        assert_eq!(out[2 * 16 + 8], -15.0);
        assert_eq!(p.to_source(0.0, 0.0, 4.0, 2.0), (0.0, 0.0, 4.0, 2.0));
    }

    #[test]
    fn stretch_scales_each_axis() {
        let px = [0u8; 8 * 4 * 4];
        let src = Image::packed(PixelFormat::Rgba, 8, 4, &px, 32);
        let norm = Normalize {
            scale: 1.0,
            offsets: [0.0; 3],
            color: ModelColorFormat::Rgb,
            keep_aspect: false,
            symmetric: false,
        };
        let mut out = vec![0f32; 3 * 4 * 4];
        let p = prepare(
            &src,
            Rect::new(0, 0, 8, 4),
            4,
            4,
            &norm,
            &mut Vec::new(),
            &mut out,
        );
        assert_eq!((p.scale_x, p.scale_y), (2.0, 1.0));
        assert_eq!(p.to_source(1.0, 1.0, 2.0, 2.0), (2.0, 1.0, 4.0, 2.0));
    }
}
