//! Picks the DeepStream backend.
//!
//! `DS_BACKEND=nvidia|open` forces one; unset means `nvidia` when DeepStream's
//! libraries are found under `DEEPSTREAM_DIR` (default
//! `/opt/nvidia/deepstream/deepstream`), else `open`.
//!
//! * `open`: the nvds meta / NvBufSurface functions are compiled from this
//!   crate's `src/open` module (like libz-sys bundling zlib).
//! * `nvidia`: the crate links `libnvds_meta`, `libnvdsgst_meta` and
//!   `libnvbufsurface` from `$DEEPSTREAM_DIR/lib`.
use std::env;
use std::path::PathBuf;

const DEFAULT_DS_DIR: &str = "/opt/nvidia/deepstream/deepstream";
const NV_LIBS: [&str; 3] = ["nvds_meta", "nvdsgst_meta", "nvbufsurface"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ds_backend, values(\"open\", \"nvidia\"))");
    println!("cargo::rerun-if-env-changed=DS_BACKEND");
    println!("cargo::rerun-if-env-changed=DEEPSTREAM_DIR");

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
        println!("cargo::rustc-link-search=native={}", lib_dir.display());
        for l in NV_LIBS {
            println!("cargo::rustc-link-lib=dylib={l}");
        }
        println!("cargo::rerun-if-changed={}", lib_dir.display());
    }
    println!("cargo::rustc-cfg=ds_backend=\"{backend}\"");
    // Exposed to dependents as DEP_NVDS_META_BACKEND.
    println!("cargo::metadata=backend={backend}");
    println!("cargo::rustc-env=DS_SYS_BACKEND={backend}");
}
