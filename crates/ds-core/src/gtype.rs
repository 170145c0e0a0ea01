//! GLib types made at run time, for element writers.
//!
//! NVIDIA's elements have enum properties whose values are data (the
//! `ds-contract` tables); the open elements register matching enum types
//! from that data with [`register_enum`], so `gst-inspect-1.0` and
//! `set_property_from_str("process-mode", "MODE_CPU")` behave as on a
//! DeepStream machine.
//!
//! ```
//! use ds_core::gtype::register_enum;
//! let t = register_enum("DsDocExampleMode", &[(0, "cpu"), (1, "gpu")]).unwrap();
//! let class = gstreamer::glib::EnumClass::with_type(t).unwrap();
//! assert_eq!(class.value(1).unwrap().nick(), "gpu");
//! // Registering the same name again returns the same type.
//! assert_eq!(register_enum("DsDocExampleMode", &[(0, "cpu")]).unwrap(), t);
//! ```
use gstreamer::glib;
use std::ffi::CString;
use std::sync::Mutex;

/// What GLib points into for a registered enum type: its name and nicks
/// and the zero-terminated value table, kept for the life of the process.
struct Registered {
    _name: CString,
    _nicks: Vec<CString>,
    _table: Box<[gobject_sys::GEnumValue]>,
}

// SAFETY: the raw pointers in `_table` point into the `CString` buffers
// owned by the same value; nothing mutates them after registration, so the
// value may move between threads (it only ever sits in REGISTERED).
unsafe impl Send for Registered {}

/// Every enum registered here (GLib keeps pointers into them).
static REGISTERED: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

/// Registers (once per process) an enum type `type_name` with `(value,
/// nick)` pairs; the nick is also the value's name. Returns the existing
/// type when `type_name` is already an enum type.
pub fn register_enum(type_name: &str, values: &[(i32, &str)]) -> Result<glib::Type, String> {
    let mut registered = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = glib::Type::from_name(type_name) {
        return if t.is_a(glib::Type::ENUM) {
            Ok(t)
        } else {
            Err(format!("{type_name} is already a non-enum type"))
        };
    }
    if values.is_empty() {
        return Err(format!("{type_name}: an enum needs at least one value"));
    }
    let name = CString::new(type_name).map_err(|e| format!("{type_name}: {e}"))?;
    let nicks = values
        .iter()
        .map(|(_, nick)| CString::new(*nick).map_err(|e| format!("{type_name}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut table: Vec<gobject_sys::GEnumValue> = values
        .iter()
        .zip(&nicks)
        .map(|((value, _), nick)| gobject_sys::GEnumValue {
            value: *value,
            value_name: nick.as_ptr(),
            value_nick: nick.as_ptr(),
        })
        .collect();
    table.push(gobject_sys::GEnumValue {
        value: 0,
        value_name: std::ptr::null(),
        value_nick: std::ptr::null(),
    });
    let table = table.into_boxed_slice();
    // SAFETY: the name, the nicks and the zero-terminated table are moved
    // into REGISTERED below and never freed, so they outlive the type as
    // GLib requires (moving a CString or a Box does not move its heap
    // buffer); the name is not yet registered (checked under the lock).
    let raw = unsafe { gobject_sys::g_enum_register_static(name.as_ptr(), table.as_ptr()) };
    registered.push(Registered {
        _name: name,
        _nicks: nicks,
        _table: table,
    });
    if raw == 0 {
        return Err(format!("{type_name}: GLib refused to register the enum"));
    }
    // SAFETY: `raw` is the valid GType just registered.
    Ok(unsafe { glib::translate::from_glib(raw) })
}

/// A ParamSpec for an enum property of a run-time enum type (from
/// [`register_enum`]); GLib's builders only take Rust enum types. `None`
/// when `enum_type` is not an enum or `default` is not one of its values.
///
/// ```
/// use ds_core::gtype::{enum_param_spec, register_enum};
/// use gstreamer::glib;
/// let t = register_enum("DsDocExampleLevel", &[(1, "low"), (2, "high")]).unwrap();
/// let spec = enum_param_spec("level", "Level", "how much", t, 2, glib::ParamFlags::READWRITE).unwrap();
/// assert_eq!(spec.value_type(), t);
/// assert!(enum_param_spec("level", "Level", "", t, 7, glib::ParamFlags::READWRITE).is_none());
/// ```
pub fn enum_param_spec(
    name: &str,
    nick: &str,
    blurb: &str,
    enum_type: glib::Type,
    default: i32,
    flags: glib::ParamFlags,
) -> Option<glib::ParamSpec> {
    use glib::translate::{from_glib_none, IntoGlib, ToGlibPtr};
    let class = glib::EnumClass::with_type(enum_type)?;
    class.value(default)?;
    let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_name {
        return None;
    }
    // SAFETY: `enum_type` is a registered enum type with `default` among its
    // values (both checked above) and `name` is a valid property name, which
    // is all g_param_spec_enum requires; GLib copies the strings. The
    // returned floating spec is sunk by from_glib_none's ref.
    unsafe {
        let raw = gobject_sys::g_param_spec_enum(
            name.to_glib_none().0,
            nick.to_glib_none().0,
            blurb.to_glib_none().0,
            enum_type.into_glib(),
            default,
            flags.into_glib(),
        );
        if raw.is_null() {
            return None;
        }
        gobject_sys::g_param_spec_ref_sink(raw);
        let spec: glib::ParamSpec = from_glib_none(raw);
        gobject_sys::g_param_spec_unref(raw);
        Some(spec)
    }
}
