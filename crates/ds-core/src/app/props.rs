//! Setting element properties without panicking.
//!
//! gstreamer-rs panics when a property does not exist or the value has the
//! wrong type; NVIDIA's elements differ between releases (nvtracker lost
//! `enable-past-frame` in 6.3) and between dGPU and Jetson, so an app that
//! sets a property the installed element lacks would abort. The apps set
//! every property through [`set_property`] / [`set_property_from_str`]:
//! a property the element lacks, or a value that cannot become the
//! property's type, is one warning line on stderr naming the element and the
//! property, and the pipeline goes on.
//!
//! With `DS_PROPERTY_LOG=<file>` in the environment every call is also
//! appended to that file, one tab-separated line `factory  property
//! value-type  value  outcome`, which the apps' contract tests compare with
//! NVIDIA's documented properties (the `ds-contract` tables).
//!
//! ```
//! use ds_core::app::props;
//! gstreamer::init().unwrap();
//! let queue = gstreamer::ElementFactory::make("queue").build().unwrap();
//! assert!(props::set_property(&queue, "max-size-buffers", 4u32));
//! // Wrong type: transformed where GLib can (i32 -> guint) ...
//! assert!(props::set_property(&queue, "max-size-buffers", 8i32));
//! // ... an unknown property is a warning, not a panic.
//! assert!(!props::set_property(&queue, "enable-past-frame", true));
//! assert!(props::set_property_from_str(&queue, "leaky", "downstream"));
//! assert!(!props::set_property_from_str(&queue, "leaky", "sideways"));
//! ```
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::io::Write as _;

/// Environment variable naming the file every property setting is logged
/// to (see the module docs).
pub const PROPERTY_LOG_ENV: &str = "DS_PROPERTY_LOG";

/// How a property setting went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Set.
    Set,
    /// The element has no such property.
    Missing,
    /// The value could not become the property's type.
    BadValue,
    /// The property is not writable.
    ReadOnly,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Set => "set",
            Outcome::Missing => "missing",
            Outcome::BadValue => "bad-value",
            Outcome::ReadOnly => "read-only",
        }
    }
}

fn factory_name(object: &glib::Object) -> String {
    object
        .downcast_ref::<gst::Element>()
        .and_then(|e| e.factory())
        .map(|f| f.name().to_string())
        .unwrap_or_else(|| object.type_().name().to_string())
}

fn object_name(object: &glib::Object) -> String {
    object
        .downcast_ref::<gst::Object>()
        .map(|o| o.name().to_string())
        .unwrap_or_default()
}

fn log(element: &glib::Object, name: &str, value_type: &str, value: &str, outcome: Outcome) {
    let Some(path) = std::env::var_os(PROPERTY_LOG_ENV) else {
        return;
    };
    let line = format!(
        "{}\t{}\t{}\t{}\t{}\n",
        factory_name(element),
        name,
        value_type,
        value.replace(['\t', '\n'], " "),
        outcome.as_str()
    );
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

fn warn(element: &glib::Object, name: &str, why: &str) {
    eprintln!(
        "Warning: {} '{}': {why}; property '{name}' not set",
        factory_name(element),
        object_name(element)
    );
}

/// The property's spec, or a warning and `Missing` / `ReadOnly`.
fn writable_pspec(element: &glib::Object, name: &str) -> Result<glib::ParamSpec, Outcome> {
    let Some(pspec) = element.find_property(name) else {
        warn(element, name, "no such property in this element");
        return Err(Outcome::Missing);
    };
    if !pspec.flags().contains(glib::ParamFlags::WRITABLE) {
        warn(element, name, "the property is read-only");
        return Err(Outcome::ReadOnly);
    }
    Ok(pspec)
}

/// Whether a numeric value lies in the property's range (GLib would clamp
/// it silently and warn); other types are valid once converted.
fn in_range(pspec: &glib::ParamSpec, v: &glib::Value) -> bool {
    macro_rules! check {
        ($($spec:ty => $t:ty),*) => {$(
            if let (Some(p), Ok(x)) = (pspec.downcast_ref::<$spec>(), v.get::<$t>()) {
                return p.minimum() <= x && x <= p.maximum();
            }
        )*};
    }
    check!(
        glib::ParamSpecInt => i32,
        glib::ParamSpecUInt => u32,
        glib::ParamSpecInt64 => i64,
        glib::ParamSpecUInt64 => u64,
        glib::ParamSpecLong => glib::ffi::glong,
        glib::ParamSpecULong => glib::ffi::gulong,
        glib::ParamSpecFloat => f32,
        glib::ParamSpecDouble => f64
    );
    true
}

/// Sets `name` to `value` on `element` (an element, or any GObject); `false` (and one warning line on
/// stderr) when the element lacks the property or the value cannot be
/// converted to its type. Never panics.
pub fn set_property(element: impl AsRef<glib::Object>, name: &str, value: impl ToValue) -> bool {
    let element = element.as_ref();
    let value = value.to_value();
    let shown = value
        .transform::<String>()
        .ok()
        .and_then(|v| v.get::<Option<String>>().ok().flatten())
        .unwrap_or_default();
    let outcome = match writable_pspec(element, name) {
        Err(o) => o,
        Ok(pspec) => {
            let converted = if value.type_().is_a(pspec.value_type()) {
                Some(value.clone())
            } else {
                value.transform_with_type(pspec.value_type()).ok()
            };
            match converted.filter(|v| in_range(&pspec, v)) {
                None => {
                    warn(
                        element,
                        name,
                        &format!(
                            "a {} value ({shown}) does not fit its type {}",
                            value.type_().name(),
                            pspec.value_type().name()
                        ),
                    );
                    Outcome::BadValue
                }
                Some(v) => {
                    element.set_property_from_value(name, &v);
                    Outcome::Set
                }
            }
        }
    };
    log(element, name, value.type_().name(), &shown, outcome);
    outcome == Outcome::Set
}

/// Sets `name` from its string form (an enum's nick or number, a number, a
/// boolean, ...) as `gst-launch-1.0` would; `false` (and one warning line)
/// when the element lacks the property or the string does not parse.
/// Never panics.
pub fn set_property_from_str(element: impl AsRef<glib::Object>, name: &str, value: &str) -> bool {
    let element = element.as_ref();
    let outcome = match writable_pspec(element, name) {
        Err(o) => o,
        Ok(pspec) => match glib::Value::deserialize_with_pspec(value, &pspec) {
            Ok(v) if in_range(&pspec, &v) => {
                element.set_property_from_value(name, &v);
                Outcome::Set
            }
            _ => {
                warn(
                    element,
                    name,
                    &format!("'{value}' is not a valid {}", pspec.value_type().name()),
                );
                Outcome::BadValue
            }
        },
    };
    log(element, name, "string", value, outcome);
    outcome == Outcome::Set
}
