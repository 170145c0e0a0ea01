//! Glyph rasterisation for `nvdsosd`: the bundled DejaVu fonts (the
//! `dejavu` crate; the fonts are under the Bitstream Vera / DejaVu licence,
//! a permissive free-font licence, the crate itself MIT/Apache-2.0),
//! rasterised with `ab_glyph`, with a per-element cache of glyph coverage
//! bitmaps.
//!
//! Size: DeepStream hands `font_size` to Pango as *points*; Pango renders
//! at 96 DPI, so the em is `font_size * 96 / 72` ≈ `1.33 * font_size`
//! pixels (12 pt → 16 px em), and a line of DejaVu is about 1.16 em high
//! (ascent + descent; 12 pt → 19 px). That is what is used here.
use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Default size (points) when a label has `font_size == 0`.
pub(crate) const DEFAULT_FONT_SIZE: u32 = 12;
/// Largest size (points) honoured; larger sizes are clamped, so a bogus
/// size cannot ask for giant glyph bitmaps.
pub(crate) const MAX_FONT_SIZE: u32 = 200;
/// The cache is cleared when it holds more glyphs than this.
const MAX_CACHED_GLYPHS: usize = 4096;

/// The two bundled families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    /// DejaVu Serif (`font_name` starting with "Serif", any case).
    Serif,
    /// DejaVu Sans (everything else: "Sans", "Arial", "Monospace", NULL…).
    Sans,
}

impl Family {
    /// Maps a DeepStream / Pango font name ("Serif", "Serif Bold",
    /// "Sans 10", "Arial", …) to a bundled family.
    pub(crate) fn from_name(name: Option<&str>) -> Family {
        match name {
            Some(n) if n.trim_start().to_ascii_lowercase().starts_with("serif") => Family::Serif,
            _ => Family::Sans,
        }
    }

    fn font(self) -> Option<&'static FontRef<'static>> {
        static SERIF: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
        static SANS: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
        match self {
            Family::Serif => SERIF
                .get_or_init(|| FontRef::try_from_slice(dejavu::serif::regular()).ok())
                .as_ref(),
            Family::Sans => SANS
                .get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
                .as_ref(),
        }
    }
}

/// A rasterised glyph: coverage (0..=255) of a `width x height` box whose
/// top-left corner is at (`left`, `top`) from the pen position on the
/// baseline.
#[derive(Debug, Default)]
pub(crate) struct GlyphBitmap {
    pub(crate) left: i32,
    pub(crate) top: i32,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) coverage: Vec<u8>,
}

/// A text laid out on one or more lines, ready to draw.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// `(glyph, pen x, baseline y)`, relative to the text's top-left
    /// corner.
    pub(crate) glyphs: Vec<(GlyphKey, i32, i32)>,
    /// Logical extent (width, height) in pixels: the text background box.
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// Cache key: family, pixel size (1/64 px units) and glyph id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct GlyphKey {
    family: Family,
    scale_64: u32,
    id: u16,
}

/// Lays out texts and caches glyph rasters (one per element instance).
#[derive(Debug, Default)]
pub(crate) struct TextRenderer {
    cache: HashMap<GlyphKey, GlyphBitmap>,
}

/// The ab_glyph scale for `size_pt` points of `font` (see the module doc).
fn px_scale(font: &FontRef<'static>, size_pt: u32) -> PxScale {
    let pt = match size_pt {
        0 => DEFAULT_FONT_SIZE,
        s => s.min(MAX_FONT_SIZE),
    } as f32;
    font.pt_to_px_scale(pt)
        .unwrap_or_else(|| PxScale::from(pt * 96.0 / 72.0 * 1.164))
}

impl TextRenderer {
    /// Lays `text` out (`\n` starts a new line) for `family` at `size_pt`
    /// points into `out` (reused to avoid allocations).
    pub(crate) fn layout(&mut self, text: &str, family: Family, size_pt: u32, out: &mut Layout) {
        out.glyphs.clear();
        out.width = 0;
        out.height = 0;
        let Some(font) = family.font() else {
            return;
        };
        let scale = px_scale(font, size_pt);
        let scale_64 = (scale.y * 64.0).round() as u32;
        let scaled = font.as_scaled(scale);
        let ascent = scaled.ascent();
        let line_height = scaled.ascent() - scaled.descent();
        let line_step = line_height + scaled.line_gap();
        let mut max_width = 0f32;
        let mut lines = 0u32;
        for (i, line) in text.split('\n').enumerate() {
            lines += 1;
            let baseline = (i as f32 * line_step + ascent).round() as i32;
            let mut x = 0f32;
            let mut prev: Option<GlyphId> = None;
            for ch in line.chars() {
                if ch.is_control() {
                    continue;
                }
                let id = font.glyph_id(ch);
                if let Some(p) = prev {
                    x += scaled.kern(p, id);
                }
                let key = GlyphKey {
                    family,
                    scale_64,
                    id: id.0,
                };
                self.ensure(key, font, scale);
                out.glyphs.push((key, x.round() as i32, baseline));
                x += scaled.h_advance(id);
                prev = Some(id);
            }
            max_width = max_width.max(x);
        }
        out.width = max_width.ceil().max(0.0) as u32;
        let height = (lines.saturating_sub(1)) as f32 * line_step + line_height;
        out.height = height.ceil().max(0.0) as u32;
    }

    /// The raster of `key` (present after `layout` produced it).
    pub(crate) fn glyph(&self, key: &GlyphKey) -> Option<&GlyphBitmap> {
        self.cache.get(key)
    }

    fn ensure(&mut self, key: GlyphKey, font: &FontRef<'static>, scale: PxScale) {
        if self.cache.contains_key(&key) {
            return;
        }
        if self.cache.len() >= MAX_CACHED_GLYPHS {
            self.cache.clear();
        }
        let glyph = GlyphId(key.id).with_scale_and_position(scale, ab_glyph::point(0.0, 0.0));
        let bitmap = match font.outline_glyph(glyph) {
            Some(outlined) => {
                let b = outlined.px_bounds();
                let width = (b.max.x - b.min.x).max(0.0) as u32;
                let height = (b.max.y - b.min.y).max(0.0) as u32;
                let mut coverage = vec![0u8; width as usize * height as usize];
                outlined.draw(|x, y, c| {
                    if x < width && y < height {
                        let v = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
                        coverage[(y * width + x) as usize] = v;
                    }
                });
                GlyphBitmap {
                    left: b.min.x as i32,
                    top: b.min.y as i32,
                    width,
                    height,
                    coverage,
                }
            }
            // Space and other blank glyphs.
            None => GlyphBitmap::default(),
        };
        self.cache.insert(key, bitmap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serif_12_has_deepstream_like_metrics() {
        let mut r = TextRenderer::default();
        let mut l = Layout::default();
        r.layout("Frame Number=0", Family::Serif, 12, &mut l);
        assert!((17..=21).contains(&l.height), "height {}", l.height);
        assert!(l.width > 80 && l.width < 160, "width {}", l.width);
        r.layout("", Family::Sans, 0, &mut l);
        assert_eq!(l.width, 0);
        assert!(l.glyphs.is_empty());
        r.layout("a\nb", Family::Sans, u32::MAX, &mut l);
        assert_eq!(l.glyphs.len(), 2);
    }

    #[test]
    fn family_mapping() {
        assert_eq!(Family::from_name(Some("Serif")), Family::Serif);
        assert_eq!(Family::from_name(Some("serif bold 10")), Family::Serif);
        assert_eq!(Family::from_name(Some("Arial")), Family::Sans);
        assert_eq!(Family::from_name(None), Family::Sans);
    }
}
