//! OSD helpers: a validated RGBA [`Color`] and the one-call text background
//! setter ([`TextBackground`] / [`set_text_bg_color`]), the Rust form of
//! pyds's `txt_params.set_bg_clr = 1; txt_params.text_bg_clr.set(r, g, b, a)`.
//!
//! ```
//! use ds_core::osd::{Color, TextBackground};
//! # let mut text_params: ds_sys::NvOSD_TextParams = unsafe { std::mem::zeroed() };
//! // `text_params` is e.g. an object's `NvOSD_TextParams`.
//! text_params.set_bg_color(Color::BLACK);
//! assert_eq!(text_params.set_bg_clr, 1);
//! assert_eq!(text_params.text_bg_clr.alpha, 1.0);
//! ```
use ds_sys::{NvOSD_ColorParams, NvOSD_TextParams};
use std::fmt;

/// An RGBA colour with every component in `0.0..=1.0` (the convention of
/// `NvOSD_ColorParams`).
///
/// The fields are private, so every `Color` is valid: [`Color::new`] checks
/// its input and returns [`ColorError`] for a component outside `0.0..=1.0`
/// (or NaN); [`Color::clamped`] clamps instead (NaN becomes 0).
///
/// ```
/// use ds_core::osd::Color;
/// let c = Color::new(1.0, 0.5, 0.0, 1.0).unwrap();
/// assert_eq!(c.rgba(), (1.0, 0.5, 0.0, 1.0));
/// assert!(Color::new(1.2, 0.0, 0.0, 1.0).is_err());
/// assert_eq!(Color::clamped(1.2, 0.0, 0.0, 1.0), Color::RED);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color {
    red: f64,
    green: f64,
    blue: f64,
    alpha: f64,
}

/// A colour component outside `0.0..=1.0` (or NaN).
///
/// ```
/// let e = ds_core::osd::Color::new(0.0, 2.0, 0.0, 1.0).unwrap_err();
/// assert_eq!(e.component, "green");
/// assert_eq!(e.value, 2.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorError {
    /// `"red"`, `"green"`, `"blue"` or `"alpha"`.
    pub component: &'static str,
    /// The rejected value.
    pub value: f64,
}

impl fmt::Display for ColorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "colour component {} = {} is outside 0.0..=1.0",
            self.component, self.value
        )
    }
}

impl std::error::Error for ColorError {}

impl Color {
    /// Opaque black.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::BLACK.rgba(), (0.0, 0.0, 0.0, 1.0));
    /// ```
    pub const BLACK: Color = Color::const_rgba(0.0, 0.0, 0.0, 1.0);
    /// Opaque white.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::WHITE.rgba(), (1.0, 1.0, 1.0, 1.0));
    /// ```
    pub const WHITE: Color = Color::const_rgba(1.0, 1.0, 1.0, 1.0);
    /// Opaque red.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::RED.rgba(), (1.0, 0.0, 0.0, 1.0));
    /// ```
    pub const RED: Color = Color::const_rgba(1.0, 0.0, 0.0, 1.0);
    /// Opaque green.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::GREEN.rgba(), (0.0, 1.0, 0.0, 1.0));
    /// ```
    pub const GREEN: Color = Color::const_rgba(0.0, 1.0, 0.0, 1.0);
    /// Opaque blue.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::BLUE.rgba(), (0.0, 0.0, 1.0, 1.0));
    /// ```
    pub const BLUE: Color = Color::const_rgba(0.0, 0.0, 1.0, 1.0);
    /// Opaque yellow.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::YELLOW.rgba(), (1.0, 1.0, 0.0, 1.0));
    /// ```
    pub const YELLOW: Color = Color::const_rgba(1.0, 1.0, 0.0, 1.0);
    /// Opaque cyan.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::CYAN.rgba(), (0.0, 1.0, 1.0, 1.0));
    /// ```
    pub const CYAN: Color = Color::const_rgba(0.0, 1.0, 1.0, 1.0);
    /// Opaque magenta.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::MAGENTA.rgba(), (1.0, 0.0, 1.0, 1.0));
    /// ```
    pub const MAGENTA: Color = Color::const_rgba(1.0, 0.0, 1.0, 1.0);
    /// Fully transparent (all zero).
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::TRANSPARENT.rgba().3, 0.0);
    /// ```
    pub const TRANSPARENT: Color = Color::const_rgba(0.0, 0.0, 0.0, 0.0);

    /// Builds a constant; callers pass literals in range.
    const fn const_rgba(red: f64, green: f64, blue: f64, alpha: f64) -> Color {
        Color {
            red,
            green,
            blue,
            alpha,
        }
    }

    /// A colour from components in `0.0..=1.0`; any other value (or NaN) is
    /// an error naming the component.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// assert!(Color::new(0.0, 0.0, 0.0, 1.0).is_ok());
    /// assert!(Color::new(0.0, 0.0, -0.5, 1.0).is_err());
    /// ```
    pub fn new(red: f64, green: f64, blue: f64, alpha: f64) -> Result<Color, ColorError> {
        for (component, value) in [
            ("red", red),
            ("green", green),
            ("blue", blue),
            ("alpha", alpha),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ColorError { component, value });
            }
        }
        Ok(Color {
            red,
            green,
            blue,
            alpha,
        })
    }

    /// A colour with each component clamped into `0.0..=1.0`; NaN becomes 0.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// assert_eq!(Color::clamped(-1.0, 0.5, 7.0, f64::NAN).rgba(), (0.0, 0.5, 1.0, 0.0));
    /// ```
    pub fn clamped(red: f64, green: f64, blue: f64, alpha: f64) -> Color {
        fn c(v: f64) -> f64 {
            if v.is_nan() {
                0.0
            } else {
                v.clamp(0.0, 1.0)
            }
        }
        Color {
            red: c(red),
            green: c(green),
            blue: c(blue),
            alpha: c(alpha),
        }
    }

    /// A colour from 8-bit components (`0..=255` maps onto `0.0..=1.0`).
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// assert_eq!(Color::from_rgba8(255, 255, 255, 255), Color::WHITE);
    /// assert_eq!(Color::from_rgba8(0, 0, 0, 0), Color::TRANSPARENT);
    /// ```
    pub fn from_rgba8(red: u8, green: u8, blue: u8, alpha: u8) -> Color {
        let f = |v: u8| f64::from(v) / 255.0;
        Color {
            red: f(red),
            green: f(green),
            blue: f(blue),
            alpha: f(alpha),
        }
    }

    /// The same colour with another alpha (validated like [`Color::new`]).
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let half = Color::BLACK.with_alpha(0.5).unwrap();
    /// assert_eq!(half.rgba(), (0.0, 0.0, 0.0, 0.5));
    /// ```
    pub fn with_alpha(self, alpha: f64) -> Result<Color, ColorError> {
        Color::new(self.red, self.green, self.blue, alpha)
    }

    /// The components `(red, green, blue, alpha)`.
    ///
    /// ```
    /// assert_eq!(ds_core::osd::Color::CYAN.rgba(), (0.0, 1.0, 1.0, 1.0));
    /// ```
    pub fn rgba(self) -> (f64, f64, f64, f64) {
        (self.red, self.green, self.blue, self.alpha)
    }

    /// The raw `NvOSD_ColorParams` value.
    ///
    /// ```
    /// let p = ds_core::osd::Color::BLUE.to_params();
    /// assert_eq!((p.red, p.green, p.blue, p.alpha), (0.0, 0.0, 1.0, 1.0));
    /// ```
    pub fn to_params(self) -> NvOSD_ColorParams {
        NvOSD_ColorParams {
            red: self.red,
            green: self.green,
            blue: self.blue,
            alpha: self.alpha,
        }
    }
}

impl From<Color> for NvOSD_ColorParams {
    fn from(c: Color) -> Self {
        c.to_params()
    }
}

impl TryFrom<NvOSD_ColorParams> for Color {
    type Error = ColorError;

    fn try_from(p: NvOSD_ColorParams) -> Result<Self, ColorError> {
        Color::new(p.red, p.green, p.blue, p.alpha)
    }
}

/// The text background of an `NvOSD_TextParams`, set or cleared in one call.
///
/// ```
/// use ds_core::osd::{Color, TextBackground};
/// # // SAFETY: all-zero is a valid NvOSD_TextParams (null pointers, zeros).
/// # let mut tp: ds_sys::NvOSD_TextParams = unsafe { std::mem::zeroed() };
/// tp.set_bg_color(Color::new(0.0, 0.0, 0.0, 0.6).unwrap());
/// assert_eq!(tp.bg_color().map(|c| c.rgba().3), Some(0.6));
/// tp.clear_bg_color();
/// assert_eq!(tp.bg_color(), None);
/// ```
pub trait TextBackground {
    /// Sets `set_bg_clr = 1` and `text_bg_clr = color`.
    ///
    /// ```
    /// use ds_core::osd::{Color, TextBackground};
    /// # // SAFETY: all-zero is a valid NvOSD_TextParams (null pointers, zeros).
    /// # let mut tp: ds_sys::NvOSD_TextParams = unsafe { std::mem::zeroed() };
    /// tp.set_bg_color(Color::WHITE);
    /// assert_eq!((tp.set_bg_clr, tp.text_bg_clr.red), (1, 1.0));
    /// ```
    fn set_bg_color(&mut self, color: Color);

    /// Turns the background off (`set_bg_clr = 0`); the stored colour is
    /// kept.
    ///
    /// ```
    /// use ds_core::osd::{Color, TextBackground};
    /// # // SAFETY: all-zero is a valid NvOSD_TextParams (null pointers, zeros).
    /// # let mut tp: ds_sys::NvOSD_TextParams = unsafe { std::mem::zeroed() };
    /// tp.set_bg_color(Color::RED);
    /// tp.clear_bg_color();
    /// assert_eq!(tp.set_bg_clr, 0);
    /// ```
    fn clear_bg_color(&mut self);

    /// The background colour when one is enabled and its stored components
    /// are valid; `None` otherwise.
    ///
    /// ```
    /// use ds_core::osd::{Color, TextBackground};
    /// # // SAFETY: all-zero is a valid NvOSD_TextParams (null pointers, zeros).
    /// # let mut tp: ds_sys::NvOSD_TextParams = unsafe { std::mem::zeroed() };
    /// assert_eq!(tp.bg_color(), None);
    /// tp.set_bg_color(Color::GREEN);
    /// assert_eq!(tp.bg_color(), Some(Color::GREEN));
    /// ```
    fn bg_color(&self) -> Option<Color>;
}

impl TextBackground for NvOSD_TextParams {
    fn set_bg_color(&mut self, color: Color) {
        set_text_bg_color(self, color);
    }

    fn clear_bg_color(&mut self) {
        self.set_bg_clr = 0;
    }

    fn bg_color(&self) -> Option<Color> {
        if self.set_bg_clr == 0 {
            return None;
        }
        Color::try_from(self.text_bg_clr).ok()
    }
}

/// Sets an OSD text's background colour in one call: `set_bg_clr = 1`,
/// `text_bg_clr = color` (function form of
/// [`TextBackground::set_bg_color`]).
///
/// ```
/// use ds_core::osd::{set_text_bg_color, Color};
/// # // SAFETY: all-zero is a valid NvOSD_TextParams (null pointers, zeros).
/// # let mut tp: ds_sys::NvOSD_TextParams = unsafe { std::mem::zeroed() };
/// set_text_bg_color(&mut tp, Color::BLACK);
/// assert_eq!(tp.set_bg_clr, 1);
/// assert_eq!(tp.text_bg_clr.alpha, 1.0);
/// ```
#[inline]
pub fn set_text_bg_color(params: &mut NvOSD_TextParams, color: Color) {
    params.set_bg_clr = 1;
    params.text_bg_clr = color.to_params();
}
