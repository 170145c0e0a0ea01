//! Prints, as JSON, the sizes and field offsets of the DeepStream structures
//! a metadata walk touches, for peers that reach the C structures without
//! Rust (the ctypes peer of `ci/bench/probe_walk.py`).
//!
//! `cargo run -q -p ds-sys --example abi_offsets > offsets.json`
use ds_sys::NvDsFrameMetaList as GList;
use ds_sys::*;
use std::mem::{offset_of, size_of};

fn main() {
    let fields: &[(&str, &str, usize)] = &[
        ("GList", "data", offset_of!(GList, data)),
        ("GList", "next", offset_of!(GList, next)),
        (
            "NvDsBatchMeta",
            "frame_meta_list",
            offset_of!(NvDsBatchMeta, frame_meta_list),
        ),
        (
            "NvDsFrameMeta",
            "frame_num",
            offset_of!(NvDsFrameMeta, frame_num),
        ),
        (
            "NvDsFrameMeta",
            "num_obj_meta",
            offset_of!(NvDsFrameMeta, num_obj_meta),
        ),
        (
            "NvDsFrameMeta",
            "obj_meta_list",
            offset_of!(NvDsFrameMeta, obj_meta_list),
        ),
        (
            "NvDsFrameMeta",
            "display_meta_list",
            offset_of!(NvDsFrameMeta, display_meta_list),
        ),
        (
            "NvDsObjectMeta",
            "class_id",
            offset_of!(NvDsObjectMeta, class_id),
        ),
        (
            "NvDsObjectMeta",
            "rect_params",
            offset_of!(NvDsObjectMeta, rect_params),
        ),
        (
            "NvOSD_RectParams",
            "border_color",
            offset_of!(NvOSD_RectParams, border_color),
        ),
        (
            "NvDsDisplayMeta",
            "num_labels",
            offset_of!(NvDsDisplayMeta, num_labels),
        ),
        (
            "NvDsDisplayMeta",
            "text_params",
            offset_of!(NvDsDisplayMeta, text_params),
        ),
        (
            "NvOSD_TextParams",
            "display_text",
            offset_of!(NvOSD_TextParams, display_text),
        ),
        (
            "NvOSD_TextParams",
            "x_offset",
            offset_of!(NvOSD_TextParams, x_offset),
        ),
        (
            "NvOSD_TextParams",
            "y_offset",
            offset_of!(NvOSD_TextParams, y_offset),
        ),
        (
            "NvOSD_TextParams",
            "font_params",
            offset_of!(NvOSD_TextParams, font_params),
        ),
        (
            "NvOSD_TextParams",
            "set_bg_clr",
            offset_of!(NvOSD_TextParams, set_bg_clr),
        ),
        (
            "NvOSD_TextParams",
            "text_bg_clr",
            offset_of!(NvOSD_TextParams, text_bg_clr),
        ),
        (
            "NvOSD_FontParams",
            "font_name",
            offset_of!(NvOSD_FontParams, font_name),
        ),
        (
            "NvOSD_FontParams",
            "font_size",
            offset_of!(NvOSD_FontParams, font_size),
        ),
        (
            "NvOSD_FontParams",
            "font_color",
            offset_of!(NvOSD_FontParams, font_color),
        ),
    ];
    let sizes: &[(&str, usize)] = &[
        ("GList", size_of::<GList>()),
        ("NvDsBatchMeta", size_of::<NvDsBatchMeta>()),
        ("NvDsFrameMeta", size_of::<NvDsFrameMeta>()),
        ("NvDsObjectMeta", size_of::<NvDsObjectMeta>()),
        ("NvDsDisplayMeta", size_of::<NvDsDisplayMeta>()),
        ("NvOSD_RectParams", size_of::<NvOSD_RectParams>()),
        ("NvOSD_TextParams", size_of::<NvOSD_TextParams>()),
        ("NvOSD_FontParams", size_of::<NvOSD_FontParams>()),
        ("NvOSD_ColorParams", size_of::<NvOSD_ColorParams>()),
    ];
    let mut out = String::from("{\n  \"sizes\": {");
    for (i, (name, size)) in sizes.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out += &format!("{sep}\n    \"{name}\": {size}");
    }
    out += "\n  },\n  \"fields\": [";
    for (i, (ty, field, off)) in fields.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out += &format!("{sep}\n    [\"{ty}\", \"{field}\", {off}]");
    }
    out += "\n  ]\n}";
    println!("{out}");
}
