//! Where the open `nvinfer` finds the `custom-lib-path` library.
//!
//! NVIDIA's nvinfer resolves a relative `custom-lib-path` against the
//! directory of the config file (an absolute one is taken as it is) and
//! `dlopen`s the result (`get_absolute_file_path` in
//! `gstnvinfer_property_parser.cpp`, DeepStream 8.0 plugin sources; the same
//! in 6.3). So a bare file name there means "next to the config file". The
//! open nvinfer loads that file first, the same way. When the value is a
//! bare file name (no `/`) and no such file is next to the config, it then
//! looks, in this order:
//!
//! 1. next to the running executable and in its `deps/` folder (for an
//!    executable in a `deps/` folder, such as cargo's test binaries: that
//!    folder and the one above; in an `examples/` folder: that folder and
//!    `../deps/`): cargo puts the `cdylib` of a package the executable
//!    depends on in `target/<profile>/deps/`;
//! 2. next to the plugin library that holds the running `nvinfer`, when
//!    it came from the `dsopen` plugin (`gst-launch-1.0` / Python with
//!    `GST_PLUGIN_PATH=target/debug`: cargo builds the parser library in
//!    the same folder);
//! 3. wherever the dynamic loader finds the name (`LD_LIBRARY_PATH`, which
//!    `cargo run` and `cargo test` set to the target folders, the
//!    executable's `RUNPATH`, `ld.so.cache`, the system folders).
//!
//! That is how the shipped detector configs (`custom-lib-path=
//! libnvdsinfer_custom_impl_nanodet.so`) work after a plain `cargo run`.
//! A value with a `/` is only ever the one resolved file. When nothing
//! loads, the error is one line naming every path tried.
use super::config::InferConfig;
use ds_core::parser::{LoadError, ParserLibrary};
use std::path::{Path, PathBuf};

/// The files tried for the bare name `name`, after the config's folder:
/// the folders of the executable `exe` (see the module doc).
pub fn exe_candidates(exe: &Path, name: &str) -> Vec<PathBuf> {
    let Some(dir) = exe.parent() else {
        return Vec::new();
    };
    match dir.parent() {
        Some(up) if dir.file_name().is_some_and(|d| d == "deps") => {
            vec![dir.join(name), up.join(name)]
        }
        Some(up) if dir.file_name().is_some_and(|d| d == "examples") => {
            vec![dir.join(name), up.join("deps").join(name)]
        }
        _ => vec![dir.join(name), dir.join("deps").join(name)],
    }
}

/// The folder of the plugin library file `nvinfer` was loaded from; `None`
/// when the element was registered statically (inside an application).
fn plugin_dir() -> Option<PathBuf> {
    use gstreamer::prelude::*;
    let plugin = gstreamer::ElementFactory::find("nvinfer")?.plugin()?;
    Some(plugin.filename()?.parent()?.to_path_buf())
}

/// Loads the `custom-lib-path` library of `config` (which must name one).
pub fn open(config: &InferConfig) -> Result<ParserLibrary, String> {
    let path = config
        .custom_lib_path
        .as_deref()
        .ok_or("custom-lib-path is not set")?;
    let name = path.file_name().and_then(|n| n.to_str());
    let (true, Some(name), false) = (config.custom_lib_bare_name, name, path.exists()) else {
        return ParserLibrary::open(path).map_err(|e| e.to_string());
    };
    let mut tried = vec![path.to_path_buf()];
    if let Ok(exe) = std::env::current_exe() {
        for p in exe_candidates(&exe, name) {
            if p.exists() {
                return ParserLibrary::open(&p).map_err(|e| e.to_string());
            }
            tried.push(p);
        }
    }
    if let Some(dir) = plugin_dir() {
        let p = dir.join(name);
        if p.exists() {
            return ParserLibrary::open(&p).map_err(|e| e.to_string());
        }
        tried.push(p);
    }
    ParserLibrary::open(Path::new(name)).map_err(|e| {
        let reason = match e {
            LoadError::Library { message, .. } => message,
            other => other.to_string(),
        };
        format!(
            "cannot load custom-lib-path '{name}': no such file at {} and the dynamic loader \
             did not find it ({reason})",
            tried
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_layouts_find_the_deps_folder() {
        let c = exe_candidates(Path::new("/t/debug/deps/nvinfer-0123"), "libp.so");
        assert_eq!(
            c,
            [
                PathBuf::from("/t/debug/deps/libp.so"),
                PathBuf::from("/t/debug/libp.so"),
            ]
        );
        let c = exe_candidates(Path::new("/t/debug/examples/launch_bench"), "libp.so");
        assert_eq!(
            c,
            [
                PathBuf::from("/t/debug/examples/libp.so"),
                PathBuf::from("/t/debug/deps/libp.so"),
            ]
        );
        let c = exe_candidates(Path::new("/t/debug/deepstream-test1"), "libp.so");
        assert_eq!(
            c,
            [
                PathBuf::from("/t/debug/libp.so"),
                PathBuf::from("/t/debug/deps/libp.so"),
            ]
        );
    }
}
