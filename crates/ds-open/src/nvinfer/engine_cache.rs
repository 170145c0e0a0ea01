//! `model-engine-file` on the open backend: the prepared model (the ONNX
//! model ONNX Runtime runs, quantised for INT8) cached on disk, as
//! DeepStream caches the TensorRT engine it builds.
//!
//! The file is a small text header, then the model's ONNX bytes:
//!
//! ```text
//! ds-open-engine 1
//! precision int8
//! model <FNV-1a 64 of the onnx-file bytes, hex>
//! calib <FNV-1a 64 of the int8-calib-file bytes, or ->
//! size <bytes of model that follow>
//! <blank line>
//! <ONNX bytes>
//! ```
//!
//! [`load`] returns the ONNX bytes only when every header line matches what
//! the config asks for now; otherwise the caller rebuilds and [`store`]s, as
//! DeepStream rebuilds an engine that does not match its config. A file
//! that is not ours (a TensorRT engine named by a config written for
//! NVIDIA's nvinfer) is treated the same way: rebuilt, never trusted.
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const MAGIC: &str = "ds-open-engine 1";

/// What an engine file must have been built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// `fp32` or `int8`.
    pub precision: &'static str,
    /// Hash of the ONNX model's bytes.
    pub model: u64,
    /// Hash of the calibration cache's bytes (INT8).
    pub calib: Option<u64>,
}

/// FNV-1a, 64 bits: a content fingerprint (not a security hash).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn header(key: &Key, size: usize) -> String {
    let calib = key
        .calib
        .map_or_else(|| "-".to_string(), |c| format!("{c:016x}"));
    format!(
        "{MAGIC}\nprecision {}\nmodel {:016x}\ncalib {calib}\nsize {size}\n\n",
        key.precision, key.model
    )
}

/// Why a cached engine was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No file.
    Missing,
    /// Not an engine file of ours (or a damaged one).
    Foreign,
    /// Built from another model, cache or precision.
    Stale,
}

/// The cached ONNX bytes at `path` if it was built for `key`.
pub fn load(path: &Path, key: &Key) -> Result<Vec<u8>, Miss> {
    let bytes = std::fs::read(path).map_err(|_| Miss::Missing)?;
    let Some(end) = bytes.windows(2).position(|w| w == b"\n\n") else {
        return Err(Miss::Foreign);
    };
    let head = std::str::from_utf8(&bytes[..end + 2]).map_err(|_| Miss::Foreign)?;
    if !head.starts_with(MAGIC) {
        return Err(Miss::Foreign);
    }
    let body = &bytes[end + 2..];
    if head != header(key, body.len()) {
        let size_ok = head.contains(&format!("\nsize {}\n", body.len()));
        return Err(if size_ok { Miss::Stale } else { Miss::Foreign });
    }
    Ok(body.to_vec())
}

/// A temporary file name next to `path`, unique to this process and call:
/// several processes (and several nvinfer elements of one process) may
/// build the same engine file at once.
fn temp_path(path: &Path) -> std::path::PathBuf {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "engine".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Writes `model` for `key` to `path`: into a temporary file of its own in
/// the same directory, then renamed over `path`, so a reader (another
/// process starting the same config) sees the old file, no file or the
/// whole new one, never part of one, and concurrent writers of the same
/// engine each replace it whole. On failure nothing is left behind; the
/// error names the file (the caller warns and goes on with the model in
/// memory, as DeepStream goes on when it cannot save an engine).
pub fn store(path: &Path, key: &Key, model: &[u8]) -> Result<(), String> {
    let mut data = header(key, model.len()).into_bytes();
    data.extend_from_slice(model);
    let tmp = temp_path(path);
    std::fs::write(&tmp, &data)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!(
                "cannot write model-engine-file '{}' ({e}); the model is prepared in memory at \
                 each start",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_engine_loads_only_for_its_key() {
        let dir = std::env::temp_dir().join(format!("ds-open-engine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.engine");
        let key = Key {
            precision: "int8",
            model: fingerprint(b"model"),
            calib: Some(fingerprint(b"calib")),
        };
        assert_eq!(load(&path, &key), Err(Miss::Missing));
        store(&path, &key, b"\n\nonnx").unwrap();
        assert_eq!(load(&path, &key).unwrap(), b"\n\nonnx");
        let other = Key {
            calib: Some(fingerprint(b"calib2")),
            ..key.clone()
        };
        assert_eq!(load(&path, &other), Err(Miss::Stale));
        std::fs::write(&path, b"TensorRT engine bytes").unwrap();
        assert_eq!(load(&path, &key), Err(Miss::Foreign));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn concurrent_writers_and_readers_never_see_part_of_a_file() {
        // Several writers store the same engine file while readers load it
        // (processes starting the same config at once): every load finds
        // no file or the whole model, and no temporary file is left.
        let dir = std::env::temp_dir().join(format!("ds-open-engine-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.engine");
        let key = Key {
            precision: "int8",
            model: fingerprint(b"model"),
            calib: None,
        };
        let model: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..5 {
                        store(&path, &key, &model).unwrap();
                    }
                });
            }
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..40 {
                        match load(&path, &key) {
                            Ok(bytes) => assert!(bytes == model, "a partial or mixed model"),
                            Err(Miss::Missing) => {}
                            Err(e) => panic!("a reader saw a damaged file: {e:?}"),
                        }
                    }
                });
            }
        });
        assert_eq!(load(&path, &key).unwrap(), model);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["m.engine"], "temporary files left");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unwritable_engine_file_is_an_error_naming_it_and_leaves_nothing() {
        // The folder is a file (a permission bit would not stop root, who
        // runs CI): the write fails whoever runs the test.
        let dir = std::env::temp_dir().join(format!("ds-open-engine-ro-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_a_dir = dir.join("models");
        std::fs::write(&not_a_dir, b"").unwrap();
        let path = not_a_dir.join("m.engine");
        let key = Key {
            precision: "fp32",
            model: 1,
            calib: None,
        };
        let e = store(&path, &key, b"onnx").unwrap_err();
        assert!(
            e.contains("cannot write model-engine-file") && e.contains("m.engine"),
            "{e}"
        );
        assert!(!e.contains('\n'), "{e}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
