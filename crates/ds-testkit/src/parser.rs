//! Test helpers for NVIDIA's custom output-parser ABI (`custom-lib-path`):
//! a temporary folder removed on drop, a C++ parser library compiled from
//! source against our ABI declarations (ds-sys' `cpp/ds_custom_parser.h`),
//! and the detector config that uses the open nvinfer's built-in parser.
//!
//! ```no_run
//! let dir = ds_testkit::parser::TempDir::new("doc");
//! let lib = ds_testkit::parser::compile_cpp_parser(
//!     &dir,
//!     "libp.so",
//!     r#"#include "ds_custom_parser.h"
//!        extern "C" bool ParseNone(std::vector<NvDsInferLayerInfo> const &,
//!            NvDsInferNetworkInfo const &, NvDsInferParseDetectionParams const &,
//!            std::vector<NvDsInferObjectDetectionInfo> &) { return true; }
//!        DS_CHECK_BBOX_PARSER(ParseNone);"#,
//! );
//! assert!(lib.exists());
//! ```
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh folder under the system's temporary folder, removed with
/// everything in it when dropped (also when the test panics and unwinds).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `<tmp>/ds-test-<tag>-<pid>-<n>`.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ds-test-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to the file `name` in the folder; its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// The folder of our C++ declarations of the parser ABI
/// (`ds_custom_parser.h`).
pub fn abi_include_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ds-sys/cpp"))
}

/// Compiles the C++ `source` (which includes `ds_custom_parser.h`) into the
/// shared library `dir/lib_name` with `$CXX` (default `c++`), `-std=c++14
/// -Wall -Werror`; its path. Panics with the compiler's exit status when it
/// fails.
pub fn compile_cpp_parser(dir: &TempDir, lib_name: &str, source: &str) -> PathBuf {
    let src = dir.write(&format!("{lib_name}.cpp"), source);
    let lib = dir.path().join(lib_name);
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let st = Command::new(&cxx)
        .args(["-std=c++14", "-shared", "-fPIC", "-Wall", "-Werror", "-o"])
        .arg(&lib)
        .arg(&src)
        .arg("-I")
        .arg(abi_include_dir())
        .status()
        .unwrap_or_else(|e| panic!("a C++ compiler ({cxx}, or set $CXX): {e}"));
    assert!(
        st.success(),
        "compiling the C++ parser {lib_name} failed: {st}"
    );
    lib
}

/// The NanoDet detector config of the sample apps with the open nvinfer's
/// built-in parser (`parse-bbox-func-name=NvDsInferParseNanoDet`,
/// `class-map`) instead of the parser library (`data/` of this crate): the
/// reference the shipped configs' library is compared with.
pub fn builtin_pgie_config() -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/builtin_nanodet_pgie_config.txt"
    ));
    p.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The text of the detector config `config` in FP32, for tests whose figures
/// were set on FP32 detections: `network-mode=0`, without the calibration
/// cache and the engine file, with `onnx-file` and `labelfile-path` made
/// absolute (the text can be written anywhere).
pub fn fp32_config_text(config: &Path) -> String {
    let base = config
        .parent()
        .expect("a config file's folder")
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", config.display()));
    std::fs::read_to_string(config)
        .unwrap_or_else(|e| panic!("{}: {e}", config.display()))
        .lines()
        .filter(|l| !l.starts_with("int8-calib-file=") && !l.starts_with("model-engine-file="))
        .map(|l| match l.split_once('=') {
            Some(("network-mode", _)) => "network-mode=0\n".to_string(),
            Some((k @ ("onnx-file" | "labelfile-path"), v)) => {
                format!("{k}={}\n", base.join(v).display())
            }
            _ => format!("{l}\n"),
        })
        .collect()
}

/// The shared library `file_name` that cargo built with the running test:
/// a dependency's `cdylib` lands in `target/<profile>/deps/` (where the test
/// binary is), a root package's also one folder up. Panics when it is in
/// neither.
pub fn cargo_built_library(file_name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("the test executable's folder");
    let found = [Some(deps), deps.parent()]
        .into_iter()
        .flatten()
        .map(|d| d.join(file_name))
        .find(|p| p.exists());
    found.unwrap_or_else(|| panic!("{file_name} not found next to {}", exe.display()))
}
