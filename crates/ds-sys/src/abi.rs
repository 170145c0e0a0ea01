//! The ABI table: every size, alignment, field offset and enum value of
//! ds-sys that must equal DeepStream 7.1's headers, with what Rust measures
//! for each.
//!
//! One table (`abi/ds-7.1.abi` in this crate) is the single source of
//! truth. `build.rs` turns it into [`STRUCTS`] and [`ENUMS`] (each row next
//! to `size_of` / `align_of` / `offset_of!` / the constant as compiled), and
//! on the nvidia backend into a C probe with one static assertion per fact,
//! compiled against the installed SDK's headers
//! (`$DEEPSTREAM_DIR/sources/includes`): a difference fails the build with
//! one line per fact naming `Struct.field`, ds-sys' value and the header's.
//! `tests/layout.rs` holds Rust to the table; `examples/abi_offsets` prints
//! it.
//!
//! Rows marked `unconfirmed` rest on no DeepStream 7.1 source (they were
//! taken from the 6.3 / 8.0 headers that bracket 7.1); [`unconfirmed`]
//! lists them. On a real SDK the guard decides.
//!
//! ```
//! let meta = ds_sys::abi::STRUCTS
//!     .iter()
//!     .find(|s| s.c_name == "NvDsFrameMeta")
//!     .expect("in the table");
//! assert_eq!(meta.size, meta.rust_size as u64);
//! let obj_list = meta.fields.iter().find(|f| f.c_name == "obj_meta_list").unwrap();
//! assert_eq!(obj_list.offset, obj_list.rust_offset as u64);
//! ```

/// A struct row of the table.
#[derive(Debug)]
pub struct Struct {
    /// Typedef name in C (`NvDsFaceObjectExt`).
    pub c_name: &'static str,
    /// Name or path in Rust (`NvDsFaceObjectWithExt`, `glib_sys::GList`).
    pub rust_name: &'static str,
    /// Header, relative to the SDK root (`sources/includes/nvdsmeta.h`), or
    /// a system header (`<glib.h>`).
    pub header: &'static str,
    /// Size in the 7.1 header, per the table.
    pub size: u64,
    /// Alignment in the 7.1 header, per the table.
    pub align: u64,
    /// `size_of` of the Rust type.
    pub rust_size: usize,
    /// `align_of` of the Rust type.
    pub rust_align: usize,
    /// Why the row is not confirmed by a 7.1 source, if it is not.
    pub unconfirmed: Option<&'static str>,
    /// The checked fields.
    pub fields: &'static [Field],
}

/// A field row of the table.
#[derive(Debug)]
pub struct Field {
    /// Name in C.
    pub c_name: &'static str,
    /// Rust field it is checked through (differs for `type` / `type_` and
    /// C aliases such as `NvDsInferLayerInfo.dims`).
    pub rust_name: &'static str,
    /// Offset in the 7.1 header, per the table.
    pub offset: u64,
    /// `offset_of!` of the Rust field.
    pub rust_offset: usize,
    /// Why the row is not confirmed by a 7.1 source, if it is not.
    pub unconfirmed: Option<&'static str>,
}

/// An enumerator row of the table.
#[derive(Debug)]
pub struct Enumerator {
    /// The C enumerator (same name in Rust).
    pub name: &'static str,
    /// Header, as in [`Struct::header`].
    pub header: &'static str,
    /// Value in the 7.1 header, per the table.
    pub value: i64,
    /// The ds-sys constant's value.
    pub rust_value: i64,
    /// Why the row is not confirmed by a 7.1 source, if it is not.
    pub unconfirmed: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/abi_table.rs"));

/// Every unconfirmed row as `(item, why)`: `Struct`, `Struct.field` or
/// `ENUMERATOR`.
pub fn unconfirmed() -> Vec<(String, &'static str)> {
    let mut v = Vec::new();
    for s in STRUCTS {
        if let Some(why) = s.unconfirmed {
            v.push((s.c_name.to_string(), why));
        }
        for f in s.fields {
            if let Some(why) = f.unconfirmed {
                v.push((format!("{}.{}", s.c_name, f.c_name), why));
            }
        }
    }
    for e in ENUMS {
        if let Some(why) = e.unconfirmed {
            v.push((e.name.to_string(), why));
        }
    }
    v
}
