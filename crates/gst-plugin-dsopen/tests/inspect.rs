//! `gst-inspect-1.0` on the built plugin: it lists every open element, and
//! each element shows every property of NVIDIA's contract table
//! (`ds-contract`) with its type, a blurb, and a default (and the exact
//! range of a number) as gst-inspect prints them, and NVIDIA's long name,
//! classification and description where the contract knows them.
mod common;

use common::PluginDir;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// The factories `ds_open::register()` adds inside an application: what the
/// plugin must hold.
fn open_factories() -> BTreeSet<String> {
    ds_open::init().expect("ds_open::init");
    gst::Registry::get()
        .features(gst::ElementFactory::static_type())
        .into_iter()
        .filter(|f| f.plugin().is_none() && f.name().starts_with("nv"))
        .map(|f| f.name().to_string())
        .collect()
}

fn inspect(dir: &PluginDir, args: &[&str]) -> String {
    let run = ds_testkit::finish(
        dir.command("gst-inspect-1.0", args)
            .spawn()
            .expect("gst-inspect-1.0"),
        Duration::from_secs(180),
        "gst-inspect-1.0",
    );
    assert!(
        run.status.success(),
        "gst-inspect-1.0 {args:?}: {}{}",
        run.stdout,
        run.stderr
    );
    run.stdout
}

#[test]
fn the_plugin_lists_every_open_element() {
    let dir = PluginDir::new("inspect-plugin");
    let plugin = dir.plugins().join("libgstdsopen.so");
    let out = inspect(&dir, &[&plugin.display().to_string()]);
    for field in [
        "Name                     dsopen",
        "License                  MIT/X11",
    ] {
        assert!(out.contains(field), "no '{field}' in\n{out}");
    }
    let listed: BTreeSet<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_once(": "))
        .map(|(name, _)| name.trim().to_string())
        .collect();
    let expected = open_factories();
    assert!(expected.len() >= 15, "{expected:?}");
    let missing: Vec<_> = expected.difference(&listed).collect();
    assert!(missing.is_empty(), "not in the plugin: {missing:?}\n{out}");
    assert!(
        out.contains(&format!("{} features:", expected.len())),
        "{out}"
    );
}

/// gst-inspect's word for a contract type.
fn shown_as(type_: &str) -> &'static str {
    match type_ {
        "gboolean" => "Boolean.",
        "gint" => "Integer.",
        "guint" => "Unsigned Integer.",
        "glong" => "Long.",
        "gulong" => "Unsigned Long.",
        "gint64" => "Integer64.",
        "guint64" => "Unsigned Integer64.",
        "gfloat" => "Float.",
        "gdouble" => "Double.",
        "gchararray" => "String.",
        "gpointer" => "Pointer.",
        "enum" => "Enum \"",
        "flags" => "Flags \"",
        "GstCaps" => "Caps (",
        "GstStructure" => "GstStructure",
        "object" => "Object of type",
        "boxed" => "Boxed pointer of type",
        other => panic!("no gst-inspect form for {other}"),
    }
}

/// The block of one property in gst-inspect's "Element Properties": its
/// `  name : blurb` line and the indented lines under it.
fn property_block(out: &str, name: &str) -> Option<String> {
    let props = out.split("Element Properties:").nth(1)?;
    let props = props.split("\nElement Signals:").next().unwrap_or(props);
    let starts_property =
        |l: &str| l.starts_with("  ") && !l[2..].starts_with(' ') && l.contains(':');
    let mut block: Option<Vec<&str>> = None;
    for line in props.lines() {
        if starts_property(line) {
            if block.is_some() {
                break;
            }
            if line.split(':').next().map(str::trim) == Some(name) {
                block = Some(vec![line]);
            }
        } else if let Some(b) = block.as_mut() {
            b.push(line);
        }
    }
    block.map(|b| b.join("\n"))
}

/// The value of one "Factory Details" field (`Klass`, `Description`).
fn factory_field<'a>(out: &'a str, key: &str) -> Option<&'a str> {
    let details = out.split("Factory Details:").nth(1)?;
    details
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| l.trim().strip_prefix(key)?.strip_prefix(' '))
        .map(str::trim)
}

/// The `min - max` of a property block's `Range:`.
fn shown_range(block: &str) -> Option<(String, String)> {
    let after = block.split("Range:").nth(1)?;
    let range = after.split("Default:").next()?.trim();
    let (min, max) = range.split_once(" - ")?;
    Some((min.trim().to_string(), max.trim().to_string()))
}

/// Whether a contract range (`min..max`) is the shown one: integers
/// exactly, floats (which gst-inspect prints rounded) as numbers.
fn same_range(contract: &str, shown: &(String, String)) -> bool {
    let Some((min, max)) = contract.split_once("..") else {
        return false;
    };
    let same = |a: &str, b: &str| match (a.parse::<i128>(), b.parse::<i128>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b || ((a - b) / a.abs().max(b.abs())).abs() < 1e-6,
            _ => false,
        },
    };
    same(min, &shown.0) && same(max, &shown.1)
}

#[test]
fn ranges_compare_exactly() {
    let shown = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert!(same_range("0..4294967295", &shown("0", "4294967295")));
    assert!(!same_range("0..4294967295", &shown("0", "4294967294")));
    assert!(!same_range("1..1024", &shown("0", "1024")));
    assert!(same_range("0..1", &shown("0", "1")));
    assert!(!same_range("0..1", &shown("0", "1.5")));
    let block = "  batch-size          : Maximum batch size\n    flags: readable\n    \
                 Unsigned Integer. Range: 1 - 1024 Default: 1 ";
    assert_eq!(shown_range(block), Some(shown("1", "1024")));
    let out = "Factory Details:\n  Rank                     none (0)\n  \
               Klass                    Generic\n  \
               Description              N-to-1 pipe stream multiplexing\n\nPlugin Details:\n  \
               Description              other";
    assert_eq!(factory_field(out, "Klass"), Some("Generic"));
    assert_eq!(
        factory_field(out, "Description"),
        Some("N-to-1 pipe stream multiplexing")
    );
}

#[test]
fn every_contract_property_is_shown_with_its_type() {
    let dir = PluginDir::new("inspect-props");
    let open = open_factories();
    let mut problems = Vec::new();
    let mut checked = 0;
    for e in ds_contract::elements() {
        if !open.contains(&e.element) {
            continue; // not open yet: ds-open's contract test names these
        }
        let out = inspect(&dir, &[&e.element]);
        assert!(
            out.contains("Filename") && out.contains("libgstdsopen.so"),
            "{} does not come from the plugin:\n{out}",
            e.element
        );
        for key in ["Long-name", "Klass", "Description", "Author"] {
            if !out.contains(key) {
                problems.push(format!("{}: no {key}", e.element));
            }
        }
        // NVIDIA's long name, where the contract knows it, marked open.
        if let Some(long_name) = &e.long_name {
            let shown = out
                .lines()
                .find_map(|l| l.trim().strip_prefix("Long-name"))
                .map(str::trim);
            if shown != Some(format!("{long_name} (open)").as_str())
                && !shown.is_some_and(|s| s.starts_with(&format!("{long_name} (open")))
            {
                problems.push(format!(
                    "{}: long name {shown:?}, NVIDIA's is {long_name:?}",
                    e.element
                ));
            }
        }
        // NVIDIA's classification and description, where the contract
        // knows them, exactly.
        for (key, nvidia) in [("Klass", &e.klass), ("Description", &e.description)] {
            let Some(nvidia) = nvidia else { continue };
            let shown = factory_field(&out, key);
            if shown != Some(nvidia.as_str()) {
                problems.push(format!(
                    "{}: {key} {shown:?}, NVIDIA's is {nvidia:?}",
                    e.element
                ));
            }
        }
        for p in &e.properties {
            let Some(block) = property_block(&out, &p.name) else {
                problems.push(format!("{}: {} not shown", e.element, p.name));
                continue;
            };
            checked += 1;
            let blurb = block.lines().next().unwrap().split_once(':').unwrap().1;
            if blurb.trim().is_empty() {
                problems.push(format!("{}: {} has no blurb", e.element, p.name));
            }
            let kind = p.type_.as_str();
            if !block.contains(shown_as(kind)) {
                problems.push(format!(
                    "{}: {} is not shown as {kind}:\n{block}",
                    e.element, p.name
                ));
            }
            let has_default = !matches!(
                kind,
                "gpointer" | "object" | "boxed" | "GstCaps" | "GstStructure"
            );
            if has_default && p.readable && !block.contains("Default:") {
                problems.push(format!("{}: {} shows no default", e.element, p.name));
            }
            if let Some(range) = &p.range {
                match shown_range(&block) {
                    None => problems.push(format!("{}: {} shows no range", e.element, p.name)),
                    Some(shown) if !same_range(range, &shown) => problems.push(format!(
                        "{}: {} shows range {} - {}, NVIDIA's is {range}",
                        e.element, p.name, shown.0, shown.1
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} properties checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
