//! Prints, as JSON, every size, alignment and field offset of ds-sys' ABI
//! table (`ds_sys::abi`, from `abi/ds-7.1.abi`) as compiled here, and every
//! enumerator, for peers that reach the C structures without Rust (the
//! ctypes peer of `ci/bench/probe_walk.py`) and for comparing with a C
//! program's `offsetof` output.
//!
//! `cargo run -q -p ds-sys --example abi_offsets > offsets.json`
//!
//! Names are C's (`NvDsFaceObjectExt`, `type`); rows the table marks
//! unconfirmed for 7.1 carry `"unconfirmed": true`.
use ds_sys::abi::{ENUMS, STRUCTS};

fn main() {
    let mut out = String::from("{\n  \"sizes\": {");
    for (i, s) in STRUCTS.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out += &format!("{sep}\n    \"{}\": {}", s.c_name, s.rust_size);
    }
    out += "\n  },\n  \"aligns\": {";
    for (i, s) in STRUCTS.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out += &format!("{sep}\n    \"{}\": {}", s.c_name, s.rust_align);
    }
    out += "\n  },\n  \"fields\": [";
    let mut first = true;
    for s in STRUCTS {
        for f in s.fields {
            let sep = if first { "" } else { "," };
            first = false;
            out += &format!(
                "{sep}\n    [\"{}\", \"{}\", {}]",
                s.c_name, f.c_name, f.rust_offset
            );
        }
    }
    out += "\n  ],\n  \"enums\": {";
    for (i, e) in ENUMS.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out += &format!("{sep}\n    \"{}\": {}", e.name, e.rust_value);
    }
    out += "\n  },\n  \"unconfirmed\": [";
    for (i, (item, _)) in ds_sys::abi::unconfirmed().iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out += &format!("{sep}\n    \"{item}\"");
    }
    out += "\n  ]\n}";
    println!("{out}");
}
