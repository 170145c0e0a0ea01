//! The build-time ABI guard (`abi/guard.rs`, run by `build.rs` on the nvidia
//! backend), tested without NVIDIA's SDK: against headers generated from the
//! table itself (must pass), and against the same headers with one field
//! shifted, one enumerator changed and one field removed (must fail, naming
//! exactly those facts with both values).
//!
//! Needs a C compiler (`$CC` or `cc`) and GLib's headers (pkg-config).
#![cfg(target_pointer_width = "64")]

#[path = "../abi/guard.rs"]
mod guard;

use guard::{Compiler, Difference, GuardError, Table};
use std::path::{Path, PathBuf};
use std::process::Command;

fn table() -> Table {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/abi/ds-7.1.abi")).unwrap();
    guard::parse(&text).unwrap()
}

fn compiler() -> Compiler {
    Compiler {
        program: std::env::var_os("CC").unwrap_or_else(|| "cc".into()).into(),
        args: Vec::new(),
    }
}

fn glib_includes() -> Vec<PathBuf> {
    let out = Command::new("pkg-config")
        .args(["--cflags-only-I", "glib-2.0"])
        .output()
        .expect("pkg-config");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .filter_map(|f| f.strip_prefix("-I"))
        .map(PathBuf::from)
        .collect()
}

/// Writes the table's headers under a fresh scratch SDK root and runs the
/// guard against them.
fn guard_against(headers_from: &Table, name: &str) -> Result<(), GuardError> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("abi-guard-{name}"));
    let _ = std::fs::remove_dir_all(&root);
    for (rel, text) in guard::headers_from_table(headers_from) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let t = table();
    let mut dirs = guard::include_dirs(&t, &root);
    dirs.extend(glib_includes());
    guard::check(&t, &compiler(), &dirs, &root)
}

#[test]
fn guard_passes_against_headers_written_from_the_table() {
    guard_against(&table(), "same").expect("the table's own headers must pass");
}

#[test]
fn guard_names_a_shifted_field_and_a_changed_enumerator_with_both_values() {
    let mut t = table();
    let meta = t
        .structs
        .iter_mut()
        .find(|s| s.c == "NvDsEventMsgMeta")
        .unwrap();
    let other = meta
        .fields
        .iter_mut()
        .find(|f| f.c == "otherAttrs")
        .unwrap();
    other.offset = 144;
    let unknown = t
        .enums
        .iter_mut()
        .find(|e| e.name == "NVDSINFER_UNKNOWN_ERROR")
        .unwrap();
    unknown.value = 42;
    let Err(GuardError::Differences(d)) = guard_against(&t, "shifted") else {
        panic!("the guard must fail with differences");
    };
    let ours = table();
    let want_offset = ours
        .structs
        .iter()
        .find(|s| s.c == "NvDsEventMsgMeta")
        .unwrap()
        .fields
        .iter()
        .find(|f| f.c == "otherAttrs")
        .unwrap()
        .offset as i64;
    let want_value = ours
        .enums
        .iter()
        .find(|e| e.name == "NVDSINFER_UNKNOWN_ERROR")
        .unwrap()
        .value;
    assert_eq!(
        d,
        vec![
            Difference {
                name: "NvDsEventMsgMeta.otherAttrs".into(),
                what: "offset",
                ds_sys: want_offset,
                header: Ok(144)
            },
            Difference {
                name: "NVDSINFER_UNKNOWN_ERROR".into(),
                what: "value",
                ds_sys: want_value,
                header: Ok(42)
            },
        ]
    );
    let text = GuardError::Differences(d).to_string();
    assert!(
        text.contains(&format!(
            "NvDsEventMsgMeta.otherAttrs: offset is {want_offset} in ds-sys, 144 in the header"
        )),
        "{text}"
    );
}

#[test]
fn guard_names_a_field_the_header_lacks() {
    let mut t = table();
    let frame = t
        .structs
        .iter_mut()
        .find(|s| s.c == "NvDsFrameMeta")
        .unwrap();
    frame.fields.retain(|f| f.c != "pipeline_width");
    let d = match guard_against(&t, "missing") {
        Err(GuardError::Differences(d)) => d,
        other => panic!("the guard must fail with differences, not {other:?}"),
    };
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].name, "NvDsFrameMeta.pipeline_width");
    let why = d[0].header.as_ref().unwrap_err();
    assert!(why.contains("pipeline_width"), "{why}");
}

#[test]
fn guard_reports_a_missing_header_directory_as_a_compile_error() {
    let t = table();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("abi-guard-none");
    std::fs::create_dir_all(&root).unwrap();
    let mut dirs = guard::include_dirs(&t, &root.join("nowhere"));
    dirs.extend(glib_includes());
    match guard::check(&t, &compiler(), &dirs, &root) {
        Err(GuardError::Compile(e)) => assert!(e.contains("nvll_osd_struct.h"), "{e}"),
        other => panic!("expected a compile error, got {other:?}"),
    }
}
