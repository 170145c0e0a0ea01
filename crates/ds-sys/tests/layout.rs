//! ABI check: size, alignment and field offsets of every `#[repr(C)]`
//! struct of ds-sys, and the value of every C enumerator constant, against
//! the ABI table (`abi/ds-7.1.abi`, compiled into `ds_sys::abi`).
//!
//! The table is the single source of truth: this test holds Rust to it, the
//! build-time guard (`build.rs`, nvidia backend) holds the installed SDK's
//! headers to it, and `examples/abi_offsets` prints it. The table is valid
//! for LP64 Linux (x86_64 and aarch64 / Jetson); not for 32-bit targets.
#![cfg(target_pointer_width = "64")]

use ds_sys::abi::{ENUMS, STRUCTS};
use std::collections::BTreeSet;

#[test]
fn every_struct_field_and_enumerator_matches_the_table() {
    let mut wrong = Vec::new();
    for s in STRUCTS {
        if s.size != s.rust_size as u64 {
            wrong.push(format!(
                "size_of::<{}>() = {}, table {}",
                s.rust_name, s.rust_size, s.size
            ));
        }
        if s.align != s.rust_align as u64 {
            wrong.push(format!(
                "align_of::<{}>() = {}, table {}",
                s.rust_name, s.rust_align, s.align
            ));
        }
        for f in s.fields {
            if f.offset != f.rust_offset as u64 {
                wrong.push(format!(
                    "offset_of!({}, {}) = {}, table {} ({})",
                    s.rust_name, f.rust_name, f.rust_offset, f.offset, f.c_name
                ));
            }
        }
    }
    for e in ENUMS {
        if e.value != e.rust_value {
            wrong.push(format!("{} = {}, table {}", e.name, e.rust_value, e.value));
        }
    }
    assert!(
        wrong.is_empty(),
        "ds-sys differs from its ABI table:\n{}",
        wrong.join("\n")
    );
}

/// Names declared in ds-sys' sources: `#[repr(C)]` structs and `pub const`s
/// typed by a C enum alias (the `pub type X = c_int;` aliases).
fn declared() -> (BTreeSet<String>, BTreeSet<String>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut structs = BTreeSet::new();
    let mut consts = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let enum_types: BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("pub type "))
            .filter(|l| l.ends_with("= c_int;") || l.ends_with("= c_uint;"))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let mut repr_c = false;
        for line in text.lines() {
            let l = line.trim();
            if l == "#[repr(C)]" {
                repr_c = true;
            } else if let Some(rest) = l.strip_prefix("pub struct ") {
                if repr_c {
                    structs.insert(rest.split([' ', '{', '(']).next().unwrap().to_string());
                }
                repr_c = false;
            } else if let Some(rest) = l.strip_prefix("pub const ") {
                let (name, ty) = rest.split_once(':').unwrap();
                let ty = ty.split('=').next().unwrap().trim();
                if enum_types.contains(ty) {
                    consts.insert(name.trim().to_string());
                }
            } else if !l.starts_with("#[") && !l.starts_with("///") {
                repr_c = false;
            }
        }
    }
    (structs, consts)
}

#[test]
fn the_table_covers_every_repr_c_struct_and_enumerator() {
    let (structs, consts) = declared();
    // The scan itself works: ds-sys declares ~80 structs and ~200 enumerators.
    assert!(
        structs.len() > 60 && consts.len() > 150,
        "{} / {}",
        structs.len(),
        consts.len()
    );
    let in_table: BTreeSet<&str> = STRUCTS.iter().map(|s| s.rust_name).collect();
    // Opaque handle, only ever behind a pointer.
    let opaque = ["NvDsRoiMeta"];
    let missing: Vec<&String> = structs
        .iter()
        .filter(|s| !in_table.contains(s.as_str()) && !opaque.contains(&s.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "#[repr(C)] structs not in abi/ds-7.1.abi: {missing:?}"
    );
    let enums: BTreeSet<&str> = ENUMS.iter().map(|e| e.name).collect();
    let missing: Vec<&String> = consts
        .iter()
        .filter(|c| !enums.contains(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "enumerators not in abi/ds-7.1.abi: {missing:?}"
    );
}

#[test]
fn unconfirmed_rows_say_why() {
    for (item, why) in ds_sys::abi::unconfirmed() {
        assert!(why.len() > 10, "{item}: the reason is too short: {why:?}");
    }
}
