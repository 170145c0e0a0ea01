//! NVIDIA's element contract, open side: every open element exposes every
//! property of its NVIDIA 7.1 row (`ds-contract`) with the same name, a
//! type of the same kind, and — for enums — NVIDIA's values and nicks.
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

/// NVIDIA elements with no open implementation yet (each names its issue).
const NOT_YET_OPEN: &[&str] = &[];

fn kind(t: glib::Type) -> &'static str {
    use glib::Type as T;
    match t {
        T::BOOL => "gboolean",
        T::I32 => "gint",
        T::U32 => "guint",
        T::I_LONG => "glong",
        T::U_LONG => "gulong",
        T::I64 => "gint64",
        T::U64 => "guint64",
        T::F32 => "gfloat",
        T::F64 => "gdouble",
        T::STRING => "gchararray",
        T::POINTER => "gpointer",
        t if t.is_a(T::ENUM) => "enum",
        t if t.is_a(T::FLAGS) => "flags",
        t if t == gst::Caps::static_type() => "GstCaps",
        t if t == gst::Structure::static_type() => "GstStructure",
        t if t.is_a(T::OBJECT) => "object",
        t if t.is_a(T::BOXED) => "boxed",
        _ => "other",
    }
}

#[test]
fn every_open_element_exposes_nvidias_properties() {
    ds_open::init().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for e in ds_contract::elements() {
        let Some(factory) = gst::ElementFactory::find(&e.element) else {
            assert!(
                NOT_YET_OPEN.contains(&e.element.as_str()),
                "{}: no open element and not listed as not yet open",
                e.element
            );
            continue;
        };
        assert!(
            !NOT_YET_OPEN.contains(&e.element.as_str()),
            "{} is open now: remove it from NOT_YET_OPEN",
            e.element
        );
        let element = factory.create().build().unwrap();
        if let Some(type_name) = &e.type_name {
            // Same GType name: unnamed instances are named alike
            // (`nvinfer0`) and error messages show the same element paths.
            let ours = element.type_().name();
            if ours != type_name.as_str() {
                problems.push(format!("{}: type {ours}, NVIDIA: {type_name}", e.element));
            }
            let default_name = type_name
                .strip_prefix("Gst")
                .unwrap_or(type_name)
                .to_lowercase();
            let unnamed = factory.create().build().unwrap();
            if !unnamed.name().starts_with(&default_name) {
                problems.push(format!(
                    "{}: unnamed instance is {}, NVIDIA's would be {default_name}N",
                    e.element,
                    unnamed.name()
                ));
            }
        }
        for p in &e.properties {
            checked += 1;
            let Some(spec) = element.find_property(&p.name) else {
                problems.push(format!(
                    "{}.{}: missing (NVIDIA: {})",
                    e.element, p.name, p.type_
                ));
                continue;
            };
            let k = kind(spec.value_type());
            if k != p.type_ {
                problems.push(format!(
                    "{}.{}: {k}, NVIDIA: {}",
                    e.element, p.name, p.type_
                ));
                continue;
            }
            if k == "enum" && !p.values.is_empty() {
                let class = glib::EnumClass::with_type(spec.value_type()).unwrap();
                for (n, nick) in p.enum_values() {
                    match class.value(n as i32) {
                        Some(v) if v.nick() == nick => {}
                        other => problems.push(format!(
                            "{}.{}: value {n} is {:?} here, NVIDIA: {nick}",
                            e.element,
                            p.name,
                            other.map(|v| v.nick().to_string())
                        )),
                    }
                }
            }
            let flags = spec.flags();
            if p.writable && !flags.contains(glib::ParamFlags::WRITABLE) {
                problems.push(format!("{}.{}: not writable here", e.element, p.name));
            }
            if p.readable && !flags.contains(glib::ParamFlags::READABLE) {
                problems.push(format!("{}.{}: not readable here", e.element, p.name));
            }
        }
    }
    assert!(checked > 100, "only {checked} properties checked");
    assert!(
        problems.is_empty(),
        "{} of {checked} NVIDIA properties differ on the open elements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn open_elements_have_nvidias_pad_templates() {
    ds_open::init().unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for e in ds_contract::elements() {
        if e.pads.is_empty() {
            continue;
        }
        let Some(factory) = gst::ElementFactory::find(&e.element) else {
            continue;
        };
        for p in &e.pads {
            checked += 1;
            let Some(t) = factory
                .static_pad_templates()
                .into_iter()
                .find(|t| t.name_template() == p.name)
            else {
                problems.push(format!("{}: no pad template {}", e.element, p.name));
                continue;
            };
            let direction = match t.direction() {
                gst::PadDirection::Sink => "sink",
                gst::PadDirection::Src => "src",
                _ => "unknown",
            };
            let presence = match t.presence() {
                gst::PadPresence::Always => "always",
                gst::PadPresence::Sometimes => "sometimes",
                gst::PadPresence::Request => "request",
            };
            if (direction, presence) != (p.direction.as_str(), p.presence.as_str()) {
                problems.push(format!(
                    "{}.{}: {direction}/{presence}, NVIDIA: {}/{}",
                    e.element, p.name, p.direction, p.presence
                ));
            }
            let nvidia: gst::Caps = p.caps.parse().expect("contract caps parse");
            let ours = t.caps();
            if ours != nvidia {
                problems.push(format!(
                    "{}.{}: caps\n  ours:   {ours}\n  NVIDIA: {nvidia}",
                    e.element, p.name
                ));
            }
        }
    }
    assert!(checked >= 2, "only {checked} pad templates checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
