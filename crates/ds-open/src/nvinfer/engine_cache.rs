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

/// Writes `model` for `key` to `path` (through a temporary file, renamed, so
/// a reader never sees half a file).
pub fn store(path: &Path, key: &Key, model: &[u8]) -> Result<(), String> {
    let mut data = header(key, model.len()).into_bytes();
    data.extend_from_slice(model);
    let tmp = path.with_extension("tmp-ds-open");
    std::fs::write(&tmp, &data)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write model-engine-file '{}': {e}", path.display())
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
}
