//! Writes C headers laid out exactly as ds-sys' ABI table says
//! (`abi/ds-7.1.abi`) under a scratch DeepStream root, at the SDK's paths
//! (`sources/includes/nvdsmeta.h`, ...). `ci/link-path.sh` installs them in
//! its scratch `DEEPSTREAM_DIR`, so the nvidia-backend build runs the ABI
//! guard. They hold layouts and enum values only, no declarations: they are
//! not NVIDIA's headers.
//!
//! `cargo run -p ds-sys --example abi_headers -- <DEEPSTREAM_DIR>`
#[path = "../abi/guard.rs"]
mod guard;

use std::path::PathBuf;

fn main() {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: abi_headers <DEEPSTREAM_DIR>");
        std::process::exit(2);
    };
    let text = include_str!("../abi/ds-7.1.abi");
    let table = guard::parse(text).expect("abi/ds-7.1.abi parses");
    for (rel, body) in guard::headers_from_table(&table) {
        let path = root.join(&rel);
        let result = std::fs::create_dir_all(path.parent().expect("header path has a parent"))
            .and_then(|()| {
                // Rewrite only what changed: ds-sys' build reruns on header changes.
                if std::fs::read_to_string(&path).ok().as_deref() == Some(body.as_str()) {
                    Ok(())
                } else {
                    std::fs::write(&path, &body)
                }
            });
        if let Err(e) = result {
            eprintln!("abi_headers: {}: {e}", path.display());
            std::process::exit(1);
        }
        println!("{}", path.display());
    }
}
