//! On-screen-display parameter types (`nvll_osd_struct.h`).
use std::os::raw::{c_char, c_double, c_float, c_int, c_uint};

/// `NvOSD_Mode` (C enum).
pub type NvOSD_Mode = c_int;
pub const MODE_CPU: NvOSD_Mode = 0;
pub const MODE_GPU: NvOSD_Mode = 1;
pub const MODE_NONE: NvOSD_Mode = 2;

/// `NvOSD_Arrow_Head_Direction` (C enum).
pub type NvOSD_Arrow_Head_Direction = c_int;
pub const START_HEAD: NvOSD_Arrow_Head_Direction = 0;
pub const END_HEAD: NvOSD_Arrow_Head_Direction = 1;
pub const BOTH_HEAD: NvOSD_Arrow_Head_Direction = 2;

/// Box coordinates in pixels (`NvBbox_Coords`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvBbox_Coords {
    pub left: c_float,
    pub top: c_float,
    pub width: c_float,
    pub height: c_float,
}

/// RGBA colour, each channel in `0.0..=1.0` (`NvOSD_ColorParams`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvOSD_ColorParams {
    pub red: c_double,
    pub green: c_double,
    pub blue: c_double,
    pub alpha: c_double,
}

/// Font of a text label (`NvOSD_FontParams`). `font_name` is a g_malloc'd
/// string owned by the structure that holds it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvOSD_FontParams {
    pub font_name: *mut c_char,
    pub font_size: c_uint,
    pub font_color: NvOSD_ColorParams,
}

/// A text label (`NvOSD_TextParams`). `display_text` is g_malloc'd and freed
/// by the meta pools on release.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvOSD_TextParams {
    pub display_text: *mut c_char,
    pub x_offset: c_uint,
    pub y_offset: c_uint,
    pub font_params: NvOSD_FontParams,
    pub set_bg_clr: c_int,
    pub text_bg_clr: NvOSD_ColorParams,
}

/// `NvOSD_Color_info`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct NvOSD_Color_info {
    pub id: c_int,
    pub color: NvOSD_ColorParams,
}

/// A rectangle (`NvOSD_RectParams`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvOSD_RectParams {
    pub left: c_float,
    pub top: c_float,
    pub width: c_float,
    pub height: c_float,
    pub border_width: c_uint,
    pub border_color: NvOSD_ColorParams,
    pub has_bg_color: c_uint,
    pub reserved: c_uint,
    pub bg_color: NvOSD_ColorParams,
    pub has_color_info: c_int,
    pub color_id: c_int,
}

/// An instance mask (`NvOSD_MaskParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvOSD_MaskParams {
    pub data: *mut c_float,
    pub size: c_uint,
    pub threshold: c_float,
    pub width: c_uint,
    pub height: c_uint,
}

/// A line (`NvOSD_LineParams`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvOSD_LineParams {
    pub x1: c_uint,
    pub y1: c_uint,
    pub x2: c_uint,
    pub y2: c_uint,
    pub line_width: c_uint,
    pub line_color: NvOSD_ColorParams,
}

/// An arrow (`NvOSD_ArrowParams`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvOSD_ArrowParams {
    pub x1: c_uint,
    pub y1: c_uint,
    pub x2: c_uint,
    pub y2: c_uint,
    pub arrow_width: c_uint,
    pub arrow_head: NvOSD_Arrow_Head_Direction,
    pub arrow_color: NvOSD_ColorParams,
    pub reserved: c_uint,
}

/// A circle (`NvOSD_CircleParams`, DeepStream 7.1 layout: no `circle_width`,
/// which DeepStream 8.0 added).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvOSD_CircleParams {
    pub xc: c_uint,
    pub yc: c_uint,
    pub radius: c_uint,
    pub circle_color: NvOSD_ColorParams,
    pub has_bg_color: c_uint,
    pub bg_color: NvOSD_ColorParams,
    pub reserved: c_uint,
}
