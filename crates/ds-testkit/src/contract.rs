//! Holding an app to NVIDIA's element contract: run it with
//! `DS_PROPERTY_LOG` set (see `ds_core::app::props`), then check every
//! property it set against the `ds-contract` tables.
//!
//! For an NVIDIA element (one the tables list) the property must be one of
//! the element's documented 7.1 properties and the value must be of a
//! compatible type (any number for a numeric property, a documented nick or
//! value for an enum). For any element the setting must have succeeded on
//! the backend that ran.
use std::path::Path;

/// One logged property setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Element factory (`nvinfer`).
    pub factory: String,
    /// Property name as the app passed it.
    pub property: String,
    /// GLib type of the value, or `string` for a setting from text.
    pub value_type: String,
    /// The value as text.
    pub value: String,
    /// `set`, `missing`, `bad-value` or `read-only`.
    pub outcome: String,
}

/// Reads a `DS_PROPERTY_LOG` file.
pub fn read_log(path: &Path) -> Vec<Setting> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [factory, property, value_type, value, outcome] = f[..] else {
                return None;
            };
            Some(Setting {
                factory: factory.into(),
                property: property.into(),
                value_type: value_type.into(),
                value: value.into(),
                outcome: outcome.into(),
            })
        })
        .collect()
}

const NUMERIC: &[&str] = &[
    "gint", "guint", "glong", "gulong", "gint64", "guint64", "gfloat", "gdouble",
];

/// Whether a value of `value_type` (text `value`) fits the documented
/// property `p`.
fn compatible(p: &ds_contract::Property, value_type: &str, value: &str) -> bool {
    let t = p.type_.as_str();
    match value_type {
        "string" => match t {
            "enum" | "flags" => {
                let vals = p.enum_values();
                vals.is_empty()
                    || vals
                        .iter()
                        .any(|(n, nick)| *nick == value || n.to_string() == value)
            }
            "gboolean" => matches!(value, "true" | "false" | "0" | "1"),
            "gchararray" => true,
            _ if NUMERIC.contains(&t) => value.parse::<f64>().is_ok(),
            _ => false,
        },
        "gboolean" => t == "gboolean",
        "gchararray" => t == "gchararray",
        v if NUMERIC.contains(&v) => NUMERIC.contains(&t),
        "GstCaps" => t == "GstCaps",
        _ => false,
    }
}

/// Every problem of a run's settings, one line each (empty: all good).
pub fn violations(settings: &[Setting]) -> Vec<String> {
    let mut out = Vec::new();
    for s in settings {
        if s.outcome != "set" {
            out.push(format!(
                "{}.{} = {} ({}): {} on this backend",
                s.factory, s.property, s.value, s.value_type, s.outcome
            ));
        }
        let Some(e) = ds_contract::element(&s.factory) else {
            continue; // not NVIDIA's
        };
        match e.property(&s.property) {
            None => out.push(format!(
                "{}.{}: NVIDIA's {} has no such property in 7.1 ({})",
                s.factory, s.property, s.factory, e.source
            )),
            Some(p) if !compatible(p, &s.value_type, &s.value) => out.push(format!(
                "{}.{} = {} ({}): NVIDIA's property is {}{}",
                s.factory,
                s.property,
                s.value,
                s.value_type,
                p.type_,
                if p.values.is_empty() {
                    String::new()
                } else {
                    format!(" {:?}", p.values)
                }
            )),
            Some(_) => {}
        }
    }
    out
}

/// Runs `bin args` (headless, within `limit`) with a fresh property log and
/// returns the run and its settings.
pub fn run_logged(
    bin: impl AsRef<Path>,
    args: &[&str],
    limit: std::time::Duration,
    log: &Path,
) -> (crate::Run, Vec<Setting>) {
    let _ = std::fs::remove_file(log);
    let bin = bin.as_ref();
    let mut cmd = crate::command(bin, args);
    cmd.env("DS_PROPERTY_LOG", log);
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let run = crate::finish(child, limit, &bin.display().to_string());
    let settings = read_log(log);
    (run, settings)
}

/// Asserts that the settings are non-empty, include every `(factory,
/// property)` of `expected` and break no rule of [`violations`].
pub fn assert_settings_hold(settings: &[Setting], expected: &[(&str, &str)]) {
    assert!(!settings.is_empty(), "the app logged no property settings");
    for (f, p) in expected {
        assert!(
            settings.iter().any(|s| s.factory == *f && s.property == *p),
            "{f}.{p} was not set through the helper: {settings:#?}"
        );
    }
    let v = violations(settings);
    assert!(
        v.is_empty(),
        "properties outside NVIDIA's 7.1 contract:\n{}",
        v.join("\n")
    );
}

/// Runs an app (`bin args`, headless, within `limit`) with a property log
/// in the system's temp folder, asserts that it exited 0 when
/// `must_succeed`, and holds its settings to NVIDIA's contract
/// ([`assert_settings_hold`] with `expected`). Returns the settings.
pub fn check_app(
    bin: impl AsRef<Path>,
    args: &[&str],
    limit: std::time::Duration,
    must_succeed: bool,
    expected: &[(&str, &str)],
) -> Vec<Setting> {
    let bin = bin.as_ref();
    let name = bin.file_name().and_then(|n| n.to_str()).unwrap_or("app");
    let log = std::env::temp_dir().join(format!("{name}-{}-props.log", std::process::id()));
    let (run, settings) = run_logged(bin, args, limit, &log);
    let _ = std::fs::remove_file(&log);
    if must_succeed {
        assert!(run.status.success(), "{name} failed:\n{}", run.stderr);
    }
    assert_settings_hold(&settings, expected);
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: &str, p: &str, t: &str, v: &str, o: &str) -> Setting {
        Setting {
            factory: f.into(),
            property: p.into(),
            value_type: t.into(),
            value: v.into(),
            outcome: o.into(),
        }
    }

    #[test]
    fn a_removed_tracker_property_is_a_violation() {
        let v = violations(&[
            s("nvtracker", "enable-past-frame", "gboolean", "true", "set"),
            s("nvtracker", "tracker-width", "guint", "640", "set"),
        ]);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("nvtracker.enable-past-frame"), "{v:?}");
    }

    #[test]
    fn types_are_checked_loosely_for_numbers_and_strictly_otherwise() {
        assert!(violations(&[s("nvstreammux", "width", "gint", "1920", "set")]).is_empty());
        let v = violations(&[s("nvinfer", "config-file-path", "guint", "1", "set")]);
        assert_eq!(v.len(), 1, "{v:?}");
    }

    #[test]
    fn a_failed_setting_on_any_element_is_a_violation() {
        let v = violations(&[s("queue", "no-such", "gboolean", "true", "missing")]);
        assert_eq!(v.len(), 1);
    }
}
