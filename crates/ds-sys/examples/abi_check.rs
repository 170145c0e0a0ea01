//! Runs ds-sys' ABI guard against a DeepStream install without building on
//! the nvidia backend: every size, alignment, field offset and enum value of
//! the table (`abi/ds-7.1.abi`) is compared with the SDK's headers, one line
//! per difference. Exit status 1 when anything differs.
//!
//! `cargo run -p ds-sys --example abi_check -- [DEEPSTREAM_DIR]`
//! (default `/opt/nvidia/deepstream/deepstream`; `$CC` or `cc` compiles).
#[path = "../abi/guard.rs"]
mod guard;

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| "/opt/nvidia/deepstream/deepstream".into());
    let table = guard::parse(include_str!("../abi/ds-7.1.abi")).expect("abi/ds-7.1.abi parses");
    let mut dirs = guard::include_dirs(&table, &root);
    let flags = Command::new("pkg-config")
        .args([
            "--cflags-only-I",
            "gstreamer-1.0",
            "gstreamer-base-1.0",
            "gstreamer-video-1.0",
        ])
        .output();
    match flags {
        Ok(out) if out.status.success() => dirs.extend(
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .filter_map(|f| f.strip_prefix("-I"))
                .map(PathBuf::from),
        ),
        _ => {
            eprintln!("abi_check: pkg-config found no GStreamer development files");
            std::process::exit(1);
        }
    }
    let compiler = guard::Compiler {
        program: std::env::var_os("CC").unwrap_or_else(|| "cc".into()).into(),
        args: Vec::new(),
    };
    let work = std::env::temp_dir().join(format!("ds-abi-check-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("abi_check: {}: {e}", work.display());
        std::process::exit(1);
    }
    let result = guard::check(&table, &compiler, &dirs, &work);
    let _ = std::fs::remove_dir_all(&work);
    match result {
        Ok(()) => println!(
            "abi_check: {} facts match {}",
            guard::items(&table).len(),
            root.display()
        ),
        Err(e) => {
            print!("{e}");
            std::process::exit(1);
        }
    }
}
