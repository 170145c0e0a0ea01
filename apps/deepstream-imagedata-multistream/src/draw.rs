//! The sample's `draw_bounding_boxes` (OpenCV `cv2.line` / `cv2.putText`)
//! on a tightly packed RGBA image, and JPEG output (the sample's
//! `cv2.imwrite(…jpg)`), in pure Rust.
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use std::path::Path;
use std::sync::OnceLock;

/// The colour the sample draws with: `(0, 0, 255, 0)` written into the RGBA
/// frame, i.e. blue (alpha 0; JPEG drops alpha).
pub const BOX_COLOR: [u8; 4] = [0, 0, 255, 0];
/// `cv2.line(…, 6)`: line thickness in pixels.
pub const LINE_THICKNESS: i64 = 6;
/// Pixel height of the label text (about `cv2.FONT_HERSHEY_SIMPLEX` at
/// scale 0.5, whose capitals are ~11 pixels high).
const TEXT_PX: f32 = 16.0;

/// A tightly packed RGBA image (`4 * width * height` bytes).
#[derive(Debug, Clone)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels, row-major, 4 bytes each.
    pub data: Vec<u8>,
}

impl RgbaImage {
    /// Sets pixel (`x`, `y`) when it lies inside the image.
    pub fn put(&mut self, x: i64, y: i64, rgba: [u8; 4]) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        if let Some(px) = self.data.get_mut(i..i + 4) {
            px.copy_from_slice(&rgba);
        }
    }

    /// The pixel at (`x`, `y`).
    #[cfg(test)]
    pub fn get(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        self.data.get(i..i + 4).map(|p| [p[0], p[1], p[2], p[3]])
    }

    /// A line from `a` to `b`, `thickness` pixels wide with round ends (what
    /// `cv2.line` draws for thickness > 1): every pixel whose centre lies
    /// within `thickness / 2` of the segment.
    pub fn line(&mut self, a: (i64, i64), b: (i64, i64), thickness: i64, rgba: [u8; 4]) {
        let r = (thickness / 2).max(0);
        let (x0, x1) = (a.0.min(b.0) - r, a.0.max(b.0) + r);
        let (y0, y1) = (a.1.min(b.1) - r, a.1.max(b.1) + r);
        let (ax, ay, bx, by) = (a.0 as f64, a.1 as f64, b.0 as f64, b.1 as f64);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let r2 = (r * r) as f64;
        for y in y0.max(0)..=y1.min(i64::from(self.height) - 1) {
            for x in x0.max(0)..=x1.min(i64::from(self.width) - 1) {
                let (px, py) = (x as f64, y as f64);
                let t = if len2 > 0.0 {
                    (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (cx, cy) = (ax + t * dx - px, ay + t * dy - py);
                if cx * cx + cy * cy <= r2 {
                    self.put(x, y, rgba);
                }
            }
        }
    }

    /// Text with its baseline starting at `origin` (as `cv2.putText`), in
    /// DejaVu Sans; glyph coverage above a third is painted solid (the
    /// sample draws with thickness 2, bold-ish and without anti-aliasing).
    pub fn text(&mut self, origin: (i64, i64), text: &str, rgba: [u8; 4]) {
        let Some(font) = font() else { return };
        let scaled = font.as_scaled(PxScale::from(TEXT_PX));
        let mut pen_x = origin.0 as f32;
        let mut prev = None;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = prev {
                pen_x += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(
                PxScale::from(TEXT_PX),
                ab_glyph::point(pen_x, origin.1 as f32),
            );
            pen_x += scaled.h_advance(id);
            prev = Some(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                let (bx, by) = (bounds.min.x as i64, bounds.min.y as i64);
                let mut hits = Vec::new();
                outlined.draw(|gx, gy, coverage| {
                    if coverage > 0.33 {
                        hits.push((bx + i64::from(gx), by + i64::from(gy)));
                    }
                });
                for (x, y) in hits {
                    self.put(x, y, rgba);
                }
            }
        }
    }

    /// Writes the image as a JPEG (RGB, quality 95 as OpenCV's default;
    /// alpha is dropped as `cv2.imwrite` drops it).
    pub fn save_jpeg(&self, path: &Path) -> Result<(), jpeg_encoder::EncodingError> {
        let (Ok(w), Ok(h)) = (u16::try_from(self.width), u16::try_from(self.height)) else {
            return Err(jpeg_encoder::EncodingError::BadImageData {
                length: self.data.len(),
                required: 0,
            });
        };
        let encoder = jpeg_encoder::Encoder::new_file(path, 95)?;
        encoder.encode(&self.data, w, h, jpeg_encoder::ColorType::Rgba)
    }
}

fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
        .as_ref()
}

/// An object's box as the sample reads it: `int()` of `rect_params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxI {
    /// `int(rect_params.left)`.
    pub left: i64,
    /// `int(rect_params.top)`.
    pub top: i64,
    /// `int(rect_params.width)`.
    pub width: i64,
    /// `int(rect_params.height)`.
    pub height: i64,
}

/// The four segments `draw_bounding_boxes` draws for `b`: corners left open
/// by 5 % (10 % for sides up to 100 pixels) of the side.
pub fn box_segments(b: BoxI) -> [((i64, i64), (i64, i64)); 4] {
    // int(width * 0.05): truncation towards zero, as Python's int().
    let pct = |v: i64| {
        if v > 100 {
            (v as f64 * 0.05) as i64
        } else {
            (v as f64 * 0.1) as i64
        }
    };
    let (wp, hp) = (pct(b.width), pct(b.height));
    let (l, t, r, bot) = (b.left, b.top, b.left + b.width, b.top + b.height);
    [
        ((l + wp, t), (r - wp, t)),
        ((l + wp, bot), (r - wp, bot)),
        ((l, t + hp), (l, bot - hp)),
        ((r, t + hp), (r, bot - hp)),
    ]
}

/// The sample's `draw_bounding_boxes(image, obj_meta, confidence)`: the four
/// box segments and `"<class>,C=<confidence with 2 decimals>"` at
/// (left - 10, top - 10).
pub fn draw_bounding_boxes(image: &mut RgbaImage, b: BoxI, class_name: &str, confidence: f32) {
    for (a, z) in box_segments(b) {
        image.line(a, z, LINE_THICKNESS, BOX_COLOR);
    }
    let label = format!("{class_name},C={confidence:.2}");
    image.text((b.left - 10, b.top - 10), &label, BOX_COLOR);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(w: u32, h: u32) -> RgbaImage {
        RgbaImage {
            width: w,
            height: h,
            data: vec![0; (w * h * 4) as usize],
        }
    }

    #[test]
    fn segments_leave_the_corners_open() {
        let s = box_segments(BoxI {
            left: 10,
            top: 20,
            width: 200,
            height: 50,
        });
        assert_eq!(s[0], ((20, 20), (200, 20)));
        assert_eq!(s[1], ((20, 70), (200, 70)));
        assert_eq!(s[2], ((10, 25), (10, 65)));
        assert_eq!(s[3], ((210, 25), (210, 65)));
    }

    #[test]
    fn thick_line_covers_three_pixels_each_side() {
        let mut img = blank(40, 20);
        img.line((10, 10), (30, 10), 6, BOX_COLOR);
        for y in 7..=13 {
            assert_eq!(img.get(20, y), Some(BOX_COLOR), "y={y}");
        }
        assert_eq!(img.get(20, 6).unwrap()[2], 0);
        assert_eq!(img.get(20, 14).unwrap()[2], 0);
        // Round end: (7, 10) is 3 away from the end point, (7, 7) is not.
        assert_eq!(img.get(7, 10), Some(BOX_COLOR));
        assert_eq!(img.get(7, 7).unwrap()[2], 0);
    }

    #[test]
    fn boxes_and_text_are_clipped_to_the_image() {
        let mut img = blank(64, 48);
        draw_bounding_boxes(
            &mut img,
            BoxI {
                left: 2,
                top: 3,
                width: 100,
                height: 100,
            },
            "Person",
            0.345,
        );
        assert_eq!(img.get(20, 3), Some(BOX_COLOR));
        assert_eq!(img.data.len(), 64 * 48 * 4);
    }

    #[test]
    fn text_paints_pixels() {
        let mut img = blank(200, 40);
        img.text((5, 30), "Vehicle,C=0.35", BOX_COLOR);
        let painted = img.data.chunks(4).filter(|p| p[2] == 255).count();
        assert!(painted > 100, "{painted}");
    }
}
