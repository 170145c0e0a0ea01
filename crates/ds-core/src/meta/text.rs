//! OSD text parameters with owned strings, and the inline label arrays.
use crate::osd::Color;
use ds_sys::{NvOSD_ColorParams, NvOSD_TextParams};
use std::collections::HashMap;
use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_void};
use std::sync::Mutex;

/// A text label for nvdsosd (transparent over `NvOSD_TextParams`).
///
/// `display_text` is owned, as DeepStream's pools own it: it comes from
/// [`ds_sys::mem`] and is freed by [`set_display_text`](Self::set_display_text),
/// by dropping a `TextParams` value, or by the pool when the meta holding it
/// is released. `font_name` is *not* owned (DeepStream code stores string
/// literals there): it is set from a `'static` string, so it always outlives
/// the meta.
///
/// ```
/// use ds_core::{osd::Color, TextParams};
/// let mut t = TextParams::with_text("Person = 2");
/// t.set_font_name("Serif");
/// t.set_font_size(10);
/// t.set_font_color(Color::WHITE);
/// t.set_bg_color(Color::BLACK);
/// t.set_offsets(10, 12);
/// assert_eq!(t.display_text(), Some("Person = 2"));
/// assert_eq!(t.font_name(), Some("Serif"));
/// assert_eq!(t.raw().set_bg_clr, 1);
/// ```
#[repr(transparent)]
pub struct TextParams(NvOSD_TextParams);

const ZERO_COLOR: NvOSD_ColorParams = NvOSD_ColorParams {
    red: 0.0,
    green: 0.0,
    blue: 0.0,
    alpha: 0.0,
};

impl TextParams {
    /// Empty parameters: no text, no font, zero offsets and colours.
    ///
    /// ```
    /// let t = ds_core::TextParams::new();
    /// assert_eq!(t.display_text(), None);
    /// assert_eq!(t.font_name(), None);
    /// ```
    pub const fn new() -> TextParams {
        TextParams(NvOSD_TextParams {
            display_text: std::ptr::null_mut(),
            x_offset: 0,
            y_offset: 0,
            font_params: ds_sys::NvOSD_FontParams {
                font_name: std::ptr::null_mut(),
                font_size: 0,
                font_color: ZERO_COLOR,
            },
            set_bg_clr: 0,
            text_bg_clr: ZERO_COLOR,
        })
    }

    /// Parameters holding a copy of `text`.
    ///
    /// ```
    /// let t = ds_core::TextParams::with_text("car");
    /// assert_eq!(t.display_text(), Some("car"));
    /// ```
    pub fn with_text(text: &str) -> TextParams {
        let mut t = TextParams::new();
        t.set_display_text(text);
        t
    }

    /// The text (`display_text`); `None` when unset or not UTF-8.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_display_text("bus");
    /// assert_eq!(t.display_text(), Some("bus"));
    /// ```
    pub fn display_text(&self) -> Option<&str> {
        self.display_text_cstr().and_then(|s| s.to_str().ok())
    }

    /// The text as a C string; `None` when unset.
    ///
    /// ```
    /// let t = ds_core::TextParams::with_text("bus");
    /// assert_eq!(t.display_text_cstr().unwrap().to_bytes(), b"bus");
    /// ```
    pub fn display_text_cstr(&self) -> Option<&CStr> {
        let p = self.0.display_text;
        if p.is_null() {
            None
        } else {
            // SAFETY: a non-NULL display_text is a NUL-terminated string
            // owned by this struct, alive while it is borrowed.
            Some(unsafe { CStr::from_ptr(p) })
        }
    }

    /// Replaces the text with a copy of `text` (an interior NUL ends it),
    /// freeing the previous one.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::with_text("one");
    /// t.set_display_text("two");
    /// assert_eq!(t.display_text(), Some("two"));
    /// ```
    pub fn set_display_text(&mut self, text: &str) {
        let new = ds_sys::mem::strdup_str(text);
        let old = std::mem::replace(&mut self.0.display_text, new);
        // SAFETY: `old` is NULL or owned by this struct and came from
        // ds_sys::mem (the invariant of TextParams); it is no longer
        // referenced.
        unsafe { ds_sys::mem::free(old as *mut c_void) };
    }

    /// Frees the text and leaves it unset.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::with_text("one");
    /// t.clear_display_text();
    /// assert_eq!(t.display_text(), None);
    /// ```
    pub fn clear_display_text(&mut self) {
        let old = std::mem::replace(&mut self.0.display_text, std::ptr::null_mut());
        // SAFETY: as in `set_display_text`.
        unsafe { ds_sys::mem::free(old as *mut c_void) };
    }

    /// The font name; `None` when unset or not UTF-8.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_name("Arial");
    /// assert_eq!(t.font_name(), Some("Arial"));
    /// ```
    pub fn font_name(&self) -> Option<&str> {
        self.font_name_cstr().and_then(|s| s.to_str().ok())
    }

    /// The font name as a C string; `None` when unset.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_name_static(c"Serif");
    /// assert_eq!(t.font_name_cstr(), Some(c"Serif"));
    /// ```
    pub fn font_name_cstr(&self) -> Option<&CStr> {
        let p = self.0.font_params.font_name;
        if p.is_null() {
            None
        } else {
            // SAFETY: a non-NULL font_name is a NUL-terminated string that
            // outlives the meta (static or interned, as DeepStream code
            // stores it).
            Some(unsafe { CStr::from_ptr(p) })
        }
    }

    /// Sets the font name from a static C string (no allocation).
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_name_static(c"Serif");
    /// assert_eq!(t.font_name(), Some("Serif"));
    /// ```
    pub fn set_font_name_static(&mut self, name: &'static CStr) {
        self.0.font_params.font_name = name.as_ptr() as *mut c_char;
    }

    /// Sets the font name. Each distinct name is copied once into a process
    /// wide table and lives until the process ends (as pyds does), because
    /// the C side never frees `font_name`. An interior NUL ends the name.
    ///
    /// ```
    /// let mut a = ds_core::TextParams::new();
    /// let mut b = ds_core::TextParams::new();
    /// a.set_font_name("Serif");
    /// b.set_font_name("Serif");
    /// assert_eq!(a.raw().font_params.font_name, b.raw().font_params.font_name);
    /// ```
    pub fn set_font_name(&mut self, name: &str) {
        self.set_font_name_static(intern(name));
    }

    /// Font size in points.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_size(12);
    /// assert_eq!(t.font_size(), 12);
    /// ```
    pub fn font_size(&self) -> u32 {
        self.0.font_params.font_size
    }

    /// Sets the font size in points.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_size(14);
    /// assert_eq!(t.font_size(), 14);
    /// ```
    pub fn set_font_size(&mut self, size: u32) {
        self.0.font_params.font_size = size;
    }

    /// Font colour.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_color(Color::RED);
    /// assert_eq!(t.font_color().red, 1.0);
    /// ```
    pub fn font_color(&self) -> NvOSD_ColorParams {
        self.0.font_params.font_color
    }

    /// Sets the font colour.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut t = ds_core::TextParams::new();
    /// t.set_font_color(Color::WHITE);
    /// assert_eq!(t.font_color().alpha, 1.0);
    /// ```
    pub fn set_font_color(&mut self, color: Color) {
        self.0.font_params.font_color = color.into();
    }

    /// Text position `(x_offset, y_offset)` in pixels.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_offsets(3, 4);
    /// assert_eq!(t.offsets(), (3, 4));
    /// ```
    pub fn offsets(&self) -> (u32, u32) {
        (self.0.x_offset, self.0.y_offset)
    }

    /// Sets the text position in pixels.
    ///
    /// ```
    /// let mut t = ds_core::TextParams::new();
    /// t.set_offsets(10, 12);
    /// assert_eq!(t.offsets(), (10, 12));
    /// ```
    pub fn set_offsets(&mut self, x: u32, y: u32) {
        self.0.x_offset = x;
        self.0.y_offset = y;
    }

    /// The background colour, when one is set (`set_bg_clr != 0`).
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut t = ds_core::TextParams::new();
    /// assert_eq!(t.bg_color(), None);
    /// t.set_bg_color(Color::BLACK);
    /// assert_eq!(t.bg_color().unwrap().alpha, 1.0);
    /// ```
    pub fn bg_color(&self) -> Option<NvOSD_ColorParams> {
        (self.0.set_bg_clr != 0).then_some(self.0.text_bg_clr)
    }

    /// Sets and enables the background colour in one call.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut t = ds_core::TextParams::new();
    /// t.set_bg_color(Color::BLACK);
    /// assert_eq!(t.raw().set_bg_clr, 1);
    /// ```
    pub fn set_bg_color(&mut self, color: Color) {
        crate::osd::set_text_bg_color(&mut self.0, color);
    }

    /// Disables the background colour.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut t = ds_core::TextParams::new();
    /// t.set_bg_color(Color::BLACK);
    /// t.clear_bg_color();
    /// assert_eq!(t.bg_color(), None);
    /// ```
    pub fn clear_bg_color(&mut self) {
        self.0.set_bg_clr = 0;
    }

    /// Read-only view of the C struct.
    ///
    /// ```
    /// let t = ds_core::TextParams::new();
    /// assert!(t.raw().display_text.is_null());
    /// ```
    pub fn raw(&self) -> &NvOSD_TextParams {
        &self.0
    }

    /// Mutable view of the C struct.
    ///
    /// # Safety
    /// `display_text` must stay NULL or owned by this struct and allocated
    /// by [`ds_sys::mem`]; `font_name` must stay NULL or point to a string
    /// that outlives every meta it is stored in.
    pub unsafe fn raw_mut(&mut self) -> &mut NvOSD_TextParams {
        &mut self.0
    }

    /// Views a C struct as `TextParams`.
    ///
    /// # Safety
    /// `p` is valid for `'a`, its `display_text` is NULL or owned as
    /// described in the type's documentation.
    pub(crate) unsafe fn from_raw_mut<'a>(p: *mut NvOSD_TextParams) -> &'a mut TextParams {
        // SAFETY: per contract; TextParams is transparent.
        unsafe { &mut *(p as *mut TextParams) }
    }

    /// Views a C struct as `TextParams`.
    ///
    /// # Safety
    /// As [`Self::from_raw_mut`].
    pub(crate) unsafe fn from_raw<'a>(p: *const NvOSD_TextParams) -> &'a TextParams {
        // SAFETY: per contract; TextParams is transparent.
        unsafe { &*(p as *const TextParams) }
    }
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams::new()
    }
}

impl Clone for TextParams {
    /// Deep-copies the text; the font name is shared (it is never freed).
    fn clone(&self) -> Self {
        let mut c = TextParams(self.0);
        // SAFETY: display_text is NULL or a valid C string owned by self.
        c.0.display_text = unsafe { ds_sys::mem::strdup(self.0.display_text) };
        c
    }
}

impl Drop for TextParams {
    fn drop(&mut self) {
        self.clear_display_text();
    }
}

impl fmt::Debug for TextParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextParams")
            .field("display_text", &self.display_text_cstr())
            .field("offsets", &self.offsets())
            .field("font_name", &self.font_name_cstr())
            .field("font_size", &self.font_size())
            .field("font_color", &self.font_color())
            .field("bg_color", &self.bg_color())
            .finish()
    }
}

/// Copies `name` once into a never-freed table and returns it.
fn intern(name: &str) -> &'static CStr {
    static TABLE: Mutex<Option<HashMap<String, &'static CStr>>> = Mutex::new(None);
    let name = name.split('\0').next().unwrap_or("");
    let mut guard = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let table = guard.get_or_insert_with(HashMap::new);
    if let Some(s) = table.get(name) {
        return s;
    }
    let mut bytes = Vec::with_capacity(name.len() + 1);
    bytes.extend_from_slice(name.as_bytes());
    bytes.push(0);
    let owned = CStr::from_bytes_with_nul(&bytes)
        .map(|c| c.to_owned())
        .unwrap_or_default();
    let leaked: &'static CStr = Box::leak(owned.into_boxed_c_str());
    table.insert(name.to_owned(), leaked);
    leaked
}

/// Reads an inline `char[N]` label: the bytes up to the first NUL, cut at
/// the first byte that is not valid UTF-8.
pub(crate) fn read_label(arr: &[c_char]) -> &str {
    // SAFETY: c_char and u8 have the same size and alignment.
    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(arr.as_ptr() as *const u8, arr.len()) };
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let bytes = &bytes[..end];
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        // `valid_up_to` bytes are valid UTF-8 by definition.
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Writes `s` into an inline `char[N]` label, NUL-terminated, cut at an
/// interior NUL and truncated to `N - 1` bytes on a character boundary.
/// Returns whether it was truncated.
pub(crate) fn write_label(arr: &mut [c_char], s: &str) -> bool {
    let s = s.split('\0').next().unwrap_or("");
    let cap = arr.len().saturating_sub(1);
    let mut n = s.len().min(cap);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    for (d, &b) in arr.iter_mut().zip(&s.as_bytes()[..n]) {
        *d = b as c_char;
    }
    for d in arr.iter_mut().skip(n) {
        *d = 0;
    }
    n < s.len()
}
