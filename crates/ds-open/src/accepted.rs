//! NVIDIA's properties that an open element accepts and keeps but does not
//! act on (GPU ids, CUDA memory types, hardware-engine choices, encoder
//! tuning...), declared from the contract tables (`ds-contract`, NVIDIA's
//! documented 7.1 properties with their sources) so that every open element
//! has every property of its NVIDIA namesake, with NVIDIA's name, type,
//! range, default and enum values.
//!
//! An element calls [`extra_specs`] in `properties()` for the contract
//! properties it does not implement itself, keeps their values in a
//! [`Store`] (so they read back), and declares its own enum properties
//! with [`enum_spec`] so their type and values are NVIDIA's. gst-inspect
//! shows each accepted property's blurb as "NVIDIA's property, accepted
//! and kept; no effect on the open (CPU) backend".
use ds_contract::Property;
use gstreamer::glib;
use gstreamer::glib::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

const BLURB: &str = "NVIDIA's property, accepted and kept; no effect on the open (CPU) backend";

/// The GLib enum type of a contract enum property: NVIDIA's type name when
/// the table has one, else `DsOpen<factory>-<property>`.
fn enum_type(factory: &str, p: &Property) -> Option<glib::Type> {
    let mut values: Vec<(i32, &str)> = p
        .enum_values()
        .into_iter()
        .map(|(n, nick)| (n as i32, nick))
        .collect();
    if values.is_empty() {
        // The table knows the type but not the values: the default alone.
        let n = p
            .default
            .as_deref()
            .and_then(|d| d.trim().parse().ok())
            .unwrap_or(0);
        values.push((n, "default"));
    }
    let name = p.enum_name.clone().unwrap_or_else(|| {
        let camel: String = format!("{factory}-{}", p.name)
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        format!("DsOpen{camel}")
    });
    ds_core::gtype::register_enum(&name, &values).ok()
}

fn bounds<T: std::str::FromStr + Copy + PartialOrd>(p: &Property, min: T, max: T) -> (T, T) {
    let parse = |s: &str| s.trim().parse::<T>().ok();
    let (lo, hi) = p
        .range
        .as_deref()
        .and_then(|r| r.split_once(".."))
        .map(|(a, b)| (parse(a).unwrap_or(min), parse(b).unwrap_or(max)))
        .unwrap_or((min, max));
    let lo = if lo < min { min } else { lo };
    let hi = if hi > max { max } else { hi };
    if lo <= hi {
        (lo, hi)
    } else {
        (min, max)
    }
}

fn default_in<T: std::str::FromStr + Copy + PartialOrd>(
    p: &Property,
    lo: T,
    hi: T,
    fallback: T,
) -> T {
    let d = p
        .default
        .as_deref()
        .and_then(|d| d.trim().trim_matches('"').parse::<T>().ok())
        .unwrap_or(fallback);
    if d < lo {
        lo
    } else if d > hi {
        hi
    } else {
        d
    }
}

/// The ParamSpec of one contract property, or `None` for a type that
/// cannot be built from data (objects, boxed, pointers get a plain
/// pointer spec).
pub fn spec(factory: &str, p: &Property, blurb: &str) -> Option<glib::ParamSpec> {
    let name = p.name.as_str();
    let mut flags = glib::ParamFlags::empty();
    if p.readable {
        flags |= glib::ParamFlags::READABLE;
    }
    if p.writable {
        flags |= glib::ParamFlags::WRITABLE;
    }
    macro_rules! num {
        ($spec:ty, $t:ty) => {{
            let (lo, hi) = bounds::<$t>(p, <$t>::MIN, <$t>::MAX);
            let d = default_in::<$t>(
                p,
                lo,
                hi,
                if lo <= 0 as $t && 0 as $t <= hi {
                    0 as $t
                } else {
                    lo
                },
            );
            <$spec>::builder(name)
                .blurb(blurb)
                .minimum(lo)
                .maximum(hi)
                .default_value(d)
                .flags(flags)
                .build()
        }};
    }
    Some(match p.type_.as_str() {
        "gboolean" => glib::ParamSpecBoolean::builder(name)
            .blurb(blurb)
            .default_value(matches!(
                p.default.as_deref().map(str::trim),
                Some("true" | "1" | "TRUE")
            ))
            .flags(flags)
            .build(),
        "gint" => num!(glib::ParamSpecInt, i32),
        "guint" => num!(glib::ParamSpecUInt, u32),
        "gint64" | "glong" => num!(glib::ParamSpecInt64, i64),
        "guint64" | "gulong" => num!(glib::ParamSpecUInt64, u64),
        "gfloat" => num!(glib::ParamSpecFloat, f32),
        "gdouble" => num!(glib::ParamSpecDouble, f64),
        "gchararray" => glib::ParamSpecString::builder(name)
            .blurb(blurb)
            .default_value(
                p.default
                    .as_deref()
                    .map(|d| d.trim().trim_matches('"'))
                    .filter(|d| !d.is_empty() && *d != "null" && *d != "NULL"),
            )
            .flags(flags)
            .build(),
        "enum" => {
            let t = enum_type(factory, p)?;
            let class = glib::EnumClass::with_type(t)?;
            let default = p
                .default
                .as_deref()
                .map(str::trim)
                .and_then(|d| {
                    d.parse::<i32>()
                        .ok()
                        .and_then(|n| class.value(n))
                        .or_else(|| class.value_by_nick(d))
                })
                .or_else(|| class.values().first())
                .map(|v| v.value())
                .unwrap_or(0);
            ds_core::gtype::enum_param_spec(name, name, blurb, t, default, flags)?
        }
        "gpointer" => glib::ParamSpecPointer::builder(name)
            .blurb(blurb)
            .flags(flags)
            .build(),
        "GstCaps" => glib::ParamSpecBoxed::builder::<gstreamer::Caps>(name)
            .blurb(blurb)
            .flags(flags)
            .build(),
        _ => return None,
    })
}

/// The contract properties of `factories` (one open type can serve several
/// NVIDIA factories) that `native` does not declare, as accepted
/// properties.
pub fn extra_specs(factories: &[&str], native: &[glib::ParamSpec]) -> Vec<glib::ParamSpec> {
    let mut out: Vec<glib::ParamSpec> = Vec::new();
    for factory in factories {
        let Some(e) = ds_contract::element(factory) else {
            continue;
        };
        for p in &e.properties {
            let taken = |n: &str| native.iter().chain(out.iter()).any(|s| s.name() == n);
            if taken(&p.name) {
                continue;
            }
            if let Some(s) = spec(factory, p, BLURB) {
                out.push(s);
            }
        }
    }
    out
}

/// An enum property the element itself acts on, with NVIDIA's enum type,
/// values and default from the contract and the element's own blurb.
///
/// # Panics
/// When the contract lacks the property or its values: a build-time fact
/// of this crate, caught by every test that creates the element.
pub fn enum_spec(factory: &str, name: &str, blurb: &str) -> glib::ParamSpec {
    let p = ds_contract::element(factory)
        .and_then(|e| e.property(name))
        .unwrap_or_else(|| panic!("ds-contract has no {factory}.{name}"));
    spec(factory, p, blurb)
        .unwrap_or_else(|| panic!("{factory}.{name}: no enum values in ds-contract"))
}

/// The integer of an enum value (or of an integer value).
pub fn enum_int(value: &glib::Value) -> Option<i32> {
    glib::EnumValue::from_value(value)
        .map(|(_, v)| v.value())
        .or_else(|| value.get::<i32>().ok())
}

/// A value of `pspec`'s enum type holding `n` (the default when `n` is not
/// one of its values).
pub fn enum_value(pspec: &glib::ParamSpec, n: i32) -> glib::Value {
    glib::EnumClass::with_type(pspec.value_type())
        .and_then(|c| c.to_value(n))
        .unwrap_or_else(|| pspec.default_value().clone())
}

/// A kept value (plain data, so the store is `Send`).
#[derive(Debug, Clone)]
enum Kept {
    Bool(bool),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Str(Option<String>),
    Enum(i32),
    Caps(Option<gstreamer::Caps>),
}

impl Kept {
    fn from_value(v: &glib::Value) -> Option<Kept> {
        if let Some((_, e)) = glib::EnumValue::from_value(v) {
            return Some(Kept::Enum(e.value()));
        }
        Some(match v.type_() {
            glib::Type::BOOL => Kept::Bool(v.get().ok()?),
            glib::Type::I32 => Kept::I32(v.get().ok()?),
            glib::Type::U32 => Kept::U32(v.get().ok()?),
            glib::Type::I64 => Kept::I64(v.get().ok()?),
            glib::Type::U64 => Kept::U64(v.get().ok()?),
            glib::Type::F32 => Kept::F32(v.get().ok()?),
            glib::Type::F64 => Kept::F64(v.get().ok()?),
            glib::Type::STRING => Kept::Str(v.get().ok()?),
            t if t == gstreamer::Caps::static_type() => Kept::Caps(v.get().ok()?),
            _ => return None,
        })
    }

    fn to_value(&self, pspec: &glib::ParamSpec) -> glib::Value {
        match self {
            Kept::Bool(x) => x.to_value(),
            Kept::I32(x) => x.to_value(),
            Kept::U32(x) => x.to_value(),
            Kept::I64(x) => x.to_value(),
            Kept::U64(x) => x.to_value(),
            Kept::F32(x) => x.to_value(),
            Kept::F64(x) => x.to_value(),
            Kept::Str(x) => x.to_value(),
            Kept::Enum(n) => enum_value(pspec, *n),
            Kept::Caps(c) => c.to_value(),
        }
    }
}

/// The values of an element's accepted properties.
#[derive(Debug, Default)]
pub struct Store(Mutex<BTreeMap<String, Kept>>);

impl Store {
    /// Keeps `value` for `pspec` (pointer values are not kept).
    pub fn set(&self, pspec: &glib::ParamSpec, value: &glib::Value) {
        if let Some(k) = Kept::from_value(value) {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(pspec.name().to_string(), k);
        }
    }

    /// The kept value, or `pspec`'s default.
    pub fn get(&self, pspec: &glib::ParamSpec) -> glib::Value {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(pspec.name())
            .map(|k| k.to_value(pspec))
            .unwrap_or_else(|| pspec.default_value().clone())
    }
}
