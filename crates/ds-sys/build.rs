//! Picks the DeepStream backend.
//!
//! `DS_BACKEND=nvidia|open` forces one; unset means `nvidia` when DeepStream's
//! libraries are found under `DEEPSTREAM_DIR` (default
//! `/opt/nvidia/deepstream/deepstream`), else `open`.
//!
//! * `open`: the nvds meta / NvBufSurface functions are compiled from this
//!   crate's `src/open` module (like libz-sys bundling zlib).
//! * `nvidia`: the crate links `libnvds_meta`, `libnvdsgst_meta` and
//!   `libnvbufsurface` from `$DEEPSTREAM_DIR/lib`, and first runs the ABI
//!   guard: a C probe generated from `abi/ds-7.1.abi` (one static assertion
//!   per size, alignment, field offset and enum value of ds-sys) is compiled
//!   against `$DEEPSTREAM_DIR/sources/includes`; any difference fails the
//!   build, one line per fact (`Struct.field`, ds-sys' value, the header's).
//!   `DS_SYS_ABI_GUARD=off` skips it (at your own risk: a wrong layout then
//!   corrupts memory silently).
//!
//! On both backends the table becomes `ds_sys::abi` (`$OUT_DIR/abi_table.rs`).
use std::env;
use std::path::{Path, PathBuf};

#[path = "abi/guard.rs"]
mod guard;

const TABLE: &str = "abi/ds-7.1.abi";

const DEFAULT_DS_DIR: &str = "/opt/nvidia/deepstream/deepstream";
const NV_LIBS: [&str; 3] = ["nvds_meta", "nvdsgst_meta", "nvbufsurface"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ds_backend, values(\"open\", \"nvidia\"))");
    println!("cargo::rerun-if-env-changed=DS_BACKEND");
    println!("cargo::rerun-if-env-changed=DEEPSTREAM_DIR");
    println!("cargo::rerun-if-env-changed=DS_SYS_ABI_GUARD");
    println!("cargo::rerun-if-changed={TABLE}");
    println!("cargo::rerun-if-changed=abi/guard.rs");

    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let table = guard::parse(&text).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out_dir.join("abi_table.rs"), guard::rust_table(&table))
        .expect("write abi_table.rs");

    let ds_dir =
        PathBuf::from(env::var("DEEPSTREAM_DIR").unwrap_or_else(|_| DEFAULT_DS_DIR.into()));
    let lib_dir = ds_dir.join("lib");
    let found = NV_LIBS
        .iter()
        .all(|l| lib_dir.join(format!("lib{l}.so")).exists());

    let backend = match env::var("DS_BACKEND").ok().as_deref() {
        Some("nvidia") => "nvidia",
        Some("open") => "open",
        Some("") | None => {
            if found {
                "nvidia"
            } else {
                "open"
            }
        }
        Some(other) => panic!("DS_BACKEND must be `nvidia` or `open`, not `{other}`"),
    };

    if backend == "nvidia" {
        if !found {
            panic!(
                "DS_BACKEND=nvidia but {} does not hold libnvds_meta.so, libnvdsgst_meta.so and \
                 libnvbufsurface.so; set DEEPSTREAM_DIR to the DeepStream 7.1 install",
                lib_dir.display()
            );
        }
        abi_guard(&table, &ds_dir, &out_dir);
        println!("cargo::rustc-link-search=native={}", lib_dir.display());
        for l in NV_LIBS {
            println!("cargo::rustc-link-lib=dylib={l}");
        }
        println!("cargo::rerun-if-changed={}", lib_dir.display());
    }
    parser_bridge(&out_dir);
    println!("cargo::rustc-cfg=ds_backend=\"{backend}\"");
    // Exposed to dependents as DEP_NVDS_META_BACKEND.
    println!("cargo::metadata=backend={backend}");
    println!("cargo::rustc-env=DS_SYS_BACKEND={backend}");
}

/// Compiles the C++ bridge of the custom output-parser ABI (`src/parser.rs`)
/// on both backends, and exposes our declarations of that ABI to dependents'
/// build scripts as `DEP_NVDS_META_INCLUDE`.
fn parser_bridge(out_dir: &Path) {
    println!("cargo::rerun-if-changed=cpp/parser_bridge.cpp");
    println!("cargo::rerun-if-changed=cpp/ds_custom_parser.h");
    cc::Build::new()
        .cpp(true)
        .std("c++14")
        .include("cpp")
        .file("cpp/parser_bridge.cpp")
        .warnings(true)
        .compile("ds_parser_bridge");
    let include = out_dir.join("include");
    std::fs::create_dir_all(&include).expect("create include dir");
    std::fs::copy("cpp/ds_custom_parser.h", include.join("ds_custom_parser.h"))
        .expect("copy ds_custom_parser.h");
    println!("cargo::metadata=include={}", include.display());
}

/// Compiles the ABI probe against the SDK's headers; exits the build with one
/// line per differing fact.
fn abi_guard(table: &guard::Table, ds_dir: &Path, out_dir: &Path) {
    if env::var("DS_SYS_ABI_GUARD").as_deref() == Ok("off") {
        println!(
            "cargo::warning=DS_SYS_ABI_GUARD=off: ds-sys' layouts are NOT checked against {}",
            ds_dir.display()
        );
        return;
    }
    let mut dirs = guard::include_dirs(table, ds_dir);
    for d in &dirs {
        println!("cargo::rerun-if-changed={}", d.display());
    }
    if !dirs[0].is_dir() {
        fail(&format!(
            "ds-sys ABI guard: {} does not exist; the guard needs the SDK's headers \
             (DeepStream installs them there), or set DS_SYS_ABI_GUARD=off",
            dirs[0].display()
        ));
    }
    for lib in ["gstreamer-1.0", "gstreamer-base-1.0", "gstreamer-video-1.0"] {
        match pkg_config::Config::new()
            .cargo_metadata(false)
            .env_metadata(false)
            .probe(lib)
        {
            Ok(l) => dirs.extend(l.include_paths),
            Err(e) => fail(&format!("ds-sys ABI guard: pkg-config {lib}: {e}")),
        }
    }
    let tool = cc::Build::new().cargo_metadata(false).get_compiler();
    let compiler = guard::Compiler {
        program: tool.path().to_path_buf(),
        args: tool.args().to_vec(),
    };
    match guard::check(table, &compiler, &dirs, out_dir) {
        Ok(()) => println!(
            "cargo::warning=ds-sys ABI guard: {} facts match {}",
            guard::items(table).len(),
            dirs[0].display()
        ),
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(1);
}
