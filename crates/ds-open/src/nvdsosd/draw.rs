//! Rasterising OSD primitives onto one RGBA plane, on the CPU.
//!
//! Everything is clipped to the plane; coordinates may be anything
//! (negative, huge, NaN) without panicking. Colours blend "over" the frame
//! with their alpha (8-bit fixed point). Rectangles are pixel-exact
//! (no anti-aliasing: borders are axis-aligned bands); lines, circles and
//! arrows are anti-aliased with a signed-distance coverage of one pixel.
use super::font::{Layout, TextRenderer};
use ds_sys::NvOSD_ColorParams;

/// Coordinates are clamped to ±this before integer maths, so nothing can
/// overflow and no loop runs long (loops are clipped to the plane anyway).
const COORD_LIMIT: f32 = 1.0e7;

/// An 8-bit straight-alpha colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgba {
    pub(crate) r: u8,
    pub(crate) g: u8,
    pub(crate) b: u8,
    pub(crate) a: u8,
}

fn unit_to_u8(v: f64) -> u8 {
    if v.is_nan() {
        0
    } else {
        (v.clamp(0.0, 1.0) * 255.0).round() as u8
    }
}

impl Rgba {
    /// From DeepStream's 0..1 doubles (clamped; NaN is 0).
    pub(crate) fn from_params(c: &NvOSD_ColorParams) -> Rgba {
        Rgba {
            r: unit_to_u8(c.red),
            g: unit_to_u8(c.green),
            b: unit_to_u8(c.blue),
            a: unit_to_u8(c.alpha),
        }
    }

    /// From `0xRRGGBBAA` (nvdsosd's `clock-color`).
    pub(crate) fn from_u32(v: u32) -> Rgba {
        let [r, g, b, a] = v.to_be_bytes();
        Rgba { r, g, b, a }
    }
}

/// `x / 255` rounded, exact for `x <= 255 * 255`.
#[inline]
fn div255(x: u32) -> u32 {
    let t = x + 128;
    (t + (t >> 8)) >> 8
}

/// Blends `c` with extra coverage `alpha` (0..=255, already multiplied by
/// the colour's alpha) over one RGBA pixel.
#[inline]
fn blend(px: &mut [u8], c: Rgba, alpha: u32) {
    if alpha == 0 || px.len() < 4 {
        return;
    }
    if alpha >= 255 {
        px[..4].copy_from_slice(&[c.r, c.g, c.b, 255]);
        return;
    }
    let inv = 255 - alpha;
    px[0] = div255(c.r as u32 * alpha + px[0] as u32 * inv) as u8;
    px[1] = div255(c.g as u32 * alpha + px[1] as u32 * inv) as u8;
    px[2] = div255(c.b as u32 * alpha + px[2] as u32 * inv) as u8;
    px[3] = (alpha + div255(px[3] as u32 * inv)) as u8;
}

/// Rounds and clamps a float coordinate (NaN → 0).
fn coord(v: f32) -> i64 {
    if v.is_nan() {
        0
    } else {
        v.clamp(-COORD_LIMIT, COORD_LIMIT).round() as i64
    }
}

fn fclamp(v: f32) -> f32 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-COORD_LIMIT, COORD_LIMIT)
    }
}

/// A mutable RGBA plane (`width x height` pixels, `stride` bytes a row).
pub(crate) struct Canvas<'a> {
    data: &'a mut [u8],
    width: u32,
    height: u32,
    stride: usize,
}

impl<'a> Canvas<'a> {
    /// Wraps a plane; `None` if `data` is too small for the geometry.
    pub(crate) fn new(
        data: &'a mut [u8],
        width: u32,
        height: u32,
        stride: usize,
    ) -> Option<Canvas<'a>> {
        let row = width as usize * 4;
        if stride < row {
            return None;
        }
        if height > 0 {
            let needed = stride.checked_mul(height as usize - 1)?.checked_add(row)?;
            if data.len() < needed {
                return None;
            }
        }
        Some(Canvas {
            data,
            width,
            height,
            stride,
        })
    }

    /// Row `y` (must be in range), `width * 4` bytes.
    #[inline]
    fn row(&mut self, y: i64) -> &mut [u8] {
        let start = y as usize * self.stride;
        &mut self.data[start..start + self.width as usize * 4]
    }

    /// Clips a half-open span to the plane.
    fn clip_x(&self, x0: i64, x1: i64) -> Option<(usize, usize)> {
        let x0 = x0.max(0);
        let x1 = x1.min(self.width as i64);
        (x0 < x1).then_some((x0 as usize, x1 as usize))
    }

    fn clip_y(&self, y0: i64, y1: i64) -> Option<(i64, i64)> {
        let y0 = y0.max(0);
        let y1 = y1.min(self.height as i64);
        (y0 < y1).then_some((y0, y1))
    }

    /// Fills the half-open box `[x0, x1) x [y0, y1)` with `c` (blended).
    pub(crate) fn fill_rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgba) {
        if c.a == 0 {
            return;
        }
        let (Some((cx0, cx1)), Some((cy0, cy1))) = (self.clip_x(x0, x1), self.clip_y(y0, y1))
        else {
            return;
        };
        let solid = [c.r, c.g, c.b, 255];
        for y in cy0..cy1 {
            let row = &mut self.row(y)[cx0 * 4..cx1 * 4];
            if c.a == 255 {
                for px in row.chunks_exact_mut(4) {
                    px.copy_from_slice(&solid);
                }
            } else {
                for px in row.chunks_exact_mut(4) {
                    blend(px, c, c.a as u32);
                }
            }
        }
    }

    /// A DeepStream rectangle: optional background fill of the box, then a
    /// border `border_width` pixels wide *centred* on the box edges (as
    /// Cairo strokes it): for `left = 10, border_width = 3` the left border
    /// covers columns 9, 10 and 11.
    pub(crate) fn draw_rect(&mut self, rect: &ds_sys::NvOSD_RectParams) {
        let (left, top, width, height) = (rect.left, rect.top, rect.width, rect.height);
        let border = Rgba::from_params(&rect.border_color);
        let bg = (rect.has_bg_color != 0).then(|| Rgba::from_params(&rect.bg_color));
        let l = coord(left);
        let t = coord(top);
        let r = coord(fclamp(left) + fclamp(width));
        let b = coord(fclamp(top) + fclamp(height));
        if let Some(bg) = bg {
            self.fill_rect(l, t, r, b, bg);
        }
        let bw = rect.border_width.min(1 << 20) as i64;
        if bw == 0 || border.a == 0 {
            return;
        }
        let h = bw / 2;
        let (ol, ot, or, ob) = (l - h, t - h, r - h + bw, b - h + bw);
        let (il, it, ir, ib) = (ol + bw, ot + bw, or - bw, ob - bw);
        if ir <= il || ib <= it {
            self.fill_rect(ol, ot, or, ob, border);
            return;
        }
        self.fill_rect(ol, ot, or, it, border);
        self.fill_rect(ol, ib, or, ob, border);
        self.fill_rect(ol, it, il, ib, border);
        self.fill_rect(ir, it, or, ib, border);
    }

    /// Blends the coverage rows produced by `coverage(x, y)` over the
    /// pixels of each row's span (`span(yc)` gives the covered x interval
    /// of the row whose centre is `yc`, in continuous coordinates; pixels
    /// whose centre lies inside `hole(yc)` have no coverage and are
    /// skipped).
    fn fill_shape(
        &mut self,
        y_range: (f32, f32),
        c: Rgba,
        span: impl Fn(f32) -> Option<(f32, f32)>,
        hole: impl Fn(f32) -> Option<(f32, f32)>,
        coverage: impl Fn(f32, f32) -> f32,
    ) {
        if c.a == 0 {
            return;
        }
        let Some((y0, y1)) = self.clip_y(y_range.0.floor() as i64, y_range.1.ceil() as i64 + 1)
        else {
            return;
        };
        for y in y0..y1 {
            let yc = y as f32 + 0.5;
            let Some((sx0, sx1)) = span(yc) else {
                continue;
            };
            let Some((x0, x1)) = self.clip_x(sx0.floor() as i64, sx1.ceil() as i64 + 1) else {
                continue;
            };
            // Pixels x with h0 < x + 0.5 < h1 are skipped.
            let (h0, h1) = match hole(yc) {
                Some((a, b)) => ((a - 0.5).floor() as i64 + 1, (b - 0.5).ceil() as i64),
                None => (0, 0),
            };
            let row = self.row(y);
            for x in x0..x1 {
                if (x as i64) >= h0 && (x as i64) < h1 {
                    continue;
                }
                let cov = coverage(x as f32 + 0.5, yc);
                if cov <= 0.0 {
                    continue;
                }
                let a = (cov.min(1.0) * c.a as f32 + 0.5) as u32;
                blend(&mut row[x * 4..x * 4 + 4], c, a);
            }
        }
    }

    /// A line `width` pixels wide with round caps (anti-aliased).
    pub(crate) fn draw_line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, c: Rgba) {
        let (ax, ay, bx, by) = (fclamp(x1), fclamp(y1), fclamp(x2), fclamp(y2));
        let r = (fclamp(width).max(1.0)) / 2.0;
        let reach = r + 0.5;
        let (dx, dy) = (bx - ax, by - ay);
        let len = (dx * dx + dy * dy).sqrt();
        let (ux, uy) = if len > 1e-6 {
            (dx / len, dy / len)
        } else {
            (1.0, 0.0)
        };
        let y_range = (ay.min(by) - reach, ay.max(by) + reach);
        let span = |yc: f32| {
            let mut acc: Option<(f32, f32)> = None;
            for (cx, cy) in [(ax, ay), (bx, by)] {
                acc = union(acc, disc_span(cx, cy, reach, yc));
            }
            if len > 1e-6 {
                // 0 <= (p - a)·u <= len and |(p - a)·n| <= reach, n = (-uy, ux).
                let along = linear_span(ux, (yc - ay) * uy - ux * ax, 0.0, len);
                let across = linear_span(-uy, (yc - ay) * ux + uy * ax, -reach, reach);
                acc = union(acc, intersect(along, across));
            }
            acc
        };
        let coverage = |px: f32, py: f32| {
            let (wx, wy) = (px - ax, py - ay);
            let t = if len > 1e-6 {
                ((wx * ux + wy * uy) / len).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (qx, qy) = (wx - t * dx, wy - t * dy);
            r + 0.5 - (qx * qx + qy * qy).sqrt()
        };
        self.fill_shape(y_range, c, span, |_| None, coverage);
    }

    /// A circle: optional filled disc (`bg`), then an outline `thickness`
    /// pixels wide centred on the radius (anti-aliased).
    pub(crate) fn draw_circle(
        &mut self,
        xc: f32,
        yc: f32,
        radius: f32,
        thickness: f32,
        c: Rgba,
        bg: Option<Rgba>,
    ) {
        let (cx, cy, rad) = (fclamp(xc), fclamp(yc), fclamp(radius).max(0.0));
        if let Some(bg) = bg {
            let reach = rad + 0.5;
            self.fill_shape(
                (cy - reach, cy + reach),
                bg,
                |y| disc_span(cx, cy, reach, y),
                |_| None,
                |px, py| rad + 0.5 - ((px - cx).powi(2) + (py - cy).powi(2)).sqrt(),
            );
        }
        let half = thickness.max(1.0) / 2.0;
        let outer = rad + half + 0.5;
        let inner = rad - half - 0.5;
        self.fill_shape(
            (cy - outer, cy + outer),
            c,
            |y| disc_span(cx, cy, outer, y),
            |y| (inner > 0.0).then(|| disc_span(cx, cy, inner, y)).flatten(),
            |px, py| half + 0.5 - (((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - rad).abs(),
        );
    }

    /// A filled convex polygon (anti-aliased); `pts` in any winding.
    pub(crate) fn fill_convex(&mut self, pts: &[(f32, f32)], c: Rgba) {
        const MAX: usize = 8;
        if pts.len() < 3 || pts.len() > MAX {
            return;
        }
        let area: f32 = (0..pts.len())
            .map(|i| {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum();
        if area.abs() < 1e-3 {
            return;
        }
        // Half-planes nx*x + ny*y - k <= 0 inside, (nx, ny) unit outward.
        let mut planes = [(0f32, 0f32, 0f32); MAX];
        let n = pts.len();
        for i in 0..n {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            let (ex, ey) = (b.0 - a.0, b.1 - a.1);
            let l = (ex * ex + ey * ey).sqrt().max(1e-6);
            // Outward normal: right of the edge for counter-clockwise area > 0
            // in y-down coordinates.
            let (nx, ny) = if area > 0.0 {
                (ey / l, -ex / l)
            } else {
                (-ey / l, ex / l)
            };
            planes[i] = (nx, ny, nx * a.0 + ny * a.1);
        }
        let planes = &planes[..n];
        let y_min = pts.iter().map(|p| p.1).fold(f32::INFINITY, f32::min) - 1.0;
        let y_max = pts.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max) + 1.0;
        let span = |yc: f32| {
            let mut acc = Some((f32::NEG_INFINITY, f32::INFINITY));
            for &(nx, ny, k) in planes {
                acc = intersect(acc, linear_span(nx, ny * yc - k, f32::NEG_INFINITY, 0.5));
            }
            acc.filter(|s| s.0.is_finite() && s.1.is_finite())
        };
        let coverage = |px: f32, py: f32| {
            let sd = planes
                .iter()
                .map(|&(nx, ny, k)| nx * px + ny * py - k)
                .fold(f32::NEG_INFINITY, f32::max);
            0.5 - sd
        };
        self.fill_shape((y_min, y_max), c, span, |_| None, coverage);
    }

    /// An arrow: a line `width` wide from (x1, y1) to (x2, y2) with a
    /// triangular head at the end (`END_HEAD`), the start (`START_HEAD`) or
    /// both (`BOTH_HEAD`). The head is `max(4 * width, 10)` pixels long and
    /// as wide as it is long (capped by the arrow's length).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn draw_arrow(
        &mut self,
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        head: ds_sys::NvOSD_Arrow_Head_Direction,
        c: Rgba,
    ) {
        let (ax, ay, bx, by) = (fclamp(x1), fclamp(y1), fclamp(x2), fclamp(y2));
        let w = fclamp(width).max(1.0);
        let (dx, dy) = (bx - ax, by - ay);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            self.draw_line(ax, ay, bx, by, w, c);
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let at_start = head == ds_sys::START_HEAD || head == ds_sys::BOTH_HEAD;
        let at_end = head != ds_sys::START_HEAD; // END_HEAD, BOTH_HEAD, unknown
        let heads = at_start as u32 + at_end as u32;
        let head_len = (4.0 * w).max(10.0).min(len / heads as f32);
        let half = head_len / 2.0;
        // The shaft stops half-way into the head, so its round cap hides
        // under the head and never pokes out of the tip.
        let shaft = head_len / 2.0;
        let (sx, sy) = if at_start {
            (ax + ux * shaft, ay + uy * shaft)
        } else {
            (ax, ay)
        };
        let (ex, ey) = if at_end {
            (bx - ux * shaft, by - uy * shaft)
        } else {
            (bx, by)
        };
        self.draw_line(sx, sy, ex, ey, w, c);
        let mut head_at = |tx: f32, ty: f32, dirx: f32, diry: f32| {
            let (cx, cy) = (tx - dirx * head_len, ty - diry * head_len);
            let (nx, ny) = (-diry * half, dirx * half);
            self.fill_convex(&[(tx, ty), (cx + nx, cy + ny), (cx - nx, cy - ny)], c);
        };
        if at_end {
            head_at(bx, by, ux, uy);
        }
        if at_start {
            head_at(ax, ay, -ux, -uy);
        }
    }

    /// Draws laid-out text with its top-left corner at (x, y): the optional
    /// background box (the text's logical extent), then the glyphs.
    pub(crate) fn draw_text(
        &mut self,
        renderer: &TextRenderer,
        layout: &Layout,
        x: i64,
        y: i64,
        color: Rgba,
        bg: Option<Rgba>,
    ) {
        if let Some(bg) = bg {
            self.fill_rect(x, y, x + layout.width as i64, y + layout.height as i64, bg);
        }
        if color.a == 0 {
            return;
        }
        for (key, pen_x, baseline) in &layout.glyphs {
            let Some(g) = renderer.glyph(key) else {
                continue;
            };
            if g.width == 0 || g.height == 0 {
                continue;
            }
            let gx = x + *pen_x as i64 + g.left as i64;
            let gy = y + *baseline as i64 + g.top as i64;
            let (Some((cx0, cx1)), Some((cy0, cy1))) = (
                self.clip_x(gx, gx + g.width as i64),
                self.clip_y(gy, gy + g.height as i64),
            ) else {
                continue;
            };
            for yy in cy0..cy1 {
                let src_row = (yy - gy) as usize * g.width as usize;
                let row = self.row(yy);
                for xx in cx0..cx1 {
                    let cov = g.coverage[src_row + (xx as i64 - gx) as usize] as u32;
                    if cov != 0 {
                        let a = div255(cov * color.a as u32);
                        blend(&mut row[xx * 4..xx * 4 + 4], color, a);
                    }
                }
            }
        }
    }
}

/// The x interval where `coef * x + k` lies in `[lo, hi]`.
fn linear_span(coef: f32, k: f32, lo: f32, hi: f32) -> Option<(f32, f32)> {
    if coef.abs() < 1e-9 {
        return (lo <= k && k <= hi).then_some((f32::NEG_INFINITY, f32::INFINITY));
    }
    let (a, b) = ((lo - k) / coef, (hi - k) / coef);
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let a = if a.is_nan() { f32::NEG_INFINITY } else { a };
    let b = if b.is_nan() { f32::INFINITY } else { b };
    (a <= b).then_some((a, b))
}

/// Row `yc` of the disc centred at (cx, cy) with radius `r`.
fn disc_span(cx: f32, cy: f32, r: f32, yc: f32) -> Option<(f32, f32)> {
    let dy = yc - cy;
    let q = r * r - dy * dy;
    (q >= 0.0).then(|| {
        let h = q.sqrt();
        (cx - h, cx + h)
    })
}

fn union(a: Option<(f32, f32)>, b: Option<(f32, f32)>) -> Option<(f32, f32)> {
    match (a, b) {
        (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
        (a, None) => a,
        (None, b) => b,
    }
}

fn intersect(a: Option<(f32, f32)>, b: Option<(f32, f32)>) -> Option<(f32, f32)> {
    let (a, b) = (a?, b?);
    let s = (a.0.max(b.0), a.1.min(b.1));
    (s.0 <= s.1).then_some(s)
}
