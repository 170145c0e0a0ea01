//! `network-mode` on the open backend: which model ONNX Runtime runs.
//!
//! | `network-mode` | DeepStream (TensorRT) | open nvinfer (ONNX Runtime, CPU) |
//! |---|---|---|
//! | 0 FP32 | FP32 engine | `onnx-file` as is |
//! | 1 INT8 | INT8 engine from `int8-calib-file` | `onnx-file` quantised with the scales of `int8-calib-file` ([`ds_model::quantize`]: int8 activations, per-channel int8 Conv weights, QDQ form that ONNX Runtime fuses into int8 kernels) |
//! | 2 FP16 | FP16 engine | `onnx-file` as is (FP32): ONNX Runtime's CPU provider has no faster FP16 path, and FP32 is what FP16 approximates |
//! | 3 BEST | TensorRT picks per layer among all precisions | INT8 when `int8-calib-file` is set, else FP32 |
//!
//! `int8-calib-file` is a TensorRT calibration cache ([`ds_model::calib`]), so the
//! file `ds-calibrate` writes also serves TensorRT on a Jetson. `network-mode=1`
//! without it (unset or missing) is an error: DeepStream warns `INT8
//! calibration file not specified. Trying FP16 mode.` and builds FP16
//! (`nvdsinfer_model_builder.cpp`, DeepStream 6.3 sources), but FP16 runs FP32
//! here, and a silent fallback would hide a missing cache.
//! Any algorithm named in the header is read here. DeepStream's nvinfer hands
//! the cache to TensorRT through an `IInt8EntropyCalibrator2`
//! (`NvDsInferInt8Calibrator` in `libs/nvdsinfer/nvdsinfer_context_impl.cpp` of
//! the DeepStream 6.3 and 8.0 sources), so for a Jetson write the cache with
//! `ds-calibrate --method entropy` (header `EntropyCalibration2`); the default
//! `minmax` cache (header `MinMaxCalibration`, more accurate on NanoDet here, see
//! BENCHMARKS.md P4) may be refused there as made by another algorithm.
//!
//! With `model-engine-file`, the prepared model is written there on first use
//! and loaded afterwards ([`engine_cache`](super::engine_cache)), rebuilt when
//! the model, the cache or the precision changes.
use super::config::{InferConfig, NetworkMode};
use super::engine_cache::{self, Key, Miss};
use ds_model::calib::CalibrationCache;
use ds_model::onnx_read::OnnxModel;
use ds_model::quantize::{self, Options};
use std::path::Path;

/// The model to run.
#[derive(Debug)]
pub struct Prepared {
    /// ONNX bytes.
    pub bytes: Vec<u8>,
    /// `fp32` or `int8`.
    pub precision: &'static str,
    /// Taken from `model-engine-file`.
    pub from_engine_file: bool,
    /// Things to tell the user (engine file rebuilt or not writable).
    pub notes: Vec<String>,
}

/// Whether `config` runs INT8 on the open backend.
pub fn wants_int8(config: &InferConfig) -> bool {
    match config.network_mode {
        NetworkMode::Int8 => true,
        NetworkMode::Best => config.int8_calib_file.is_some(),
        NetworkMode::Fp32 | NetworkMode::Fp16 => false,
    }
}

/// Quantises the ONNX bytes `onnx` with the cache text `calib`.
pub fn quantize_bytes(onnx: &[u8], calib: &[u8], calib_path: &Path) -> Result<Vec<u8>, String> {
    let model = OnnxModel::decode(onnx).map_err(|e| format!("cannot read the model: {e}"))?;
    let text = std::str::from_utf8(calib).map_err(|_| {
        format!(
            "int8-calib-file '{}' is not a text file (a TensorRT calibration cache is text)",
            calib_path.display()
        )
    })?;
    let cache = CalibrationCache::parse(text)
        .map_err(|e| format!("int8-calib-file '{}': {e}", calib_path.display()))?;
    let (q, _) = quantize::quantize(&model, &cache, &Options::default())
        .map_err(|e| format!("int8-calib-file '{}': {e}", calib_path.display()))?;
    Ok(q.encode())
}

/// Prepares the model `config` asks for: from `engine_file` when it was built
/// from the same model, cache and precision, else built (and stored there).
pub fn prepare(
    config: &InferConfig,
    onnx: &Path,
    engine_file: Option<&Path>,
) -> Result<Prepared, String> {
    if !onnx.is_file() {
        return Err(format!(
            "model '{}' not found (run ci/models.sh to fetch and convert the sample model)",
            onnx.display()
        ));
    }
    let onnx_bytes =
        std::fs::read(onnx).map_err(|e| format!("cannot read model '{}': {e}", onnx.display()))?;
    let int8 = wants_int8(config);
    let calib = if int8 {
        let path = config.int8_calib_file.as_deref().ok_or_else(|| {
            "network-mode=1 (INT8) needs int8-calib-file (make one with ds-calibrate)".to_string()
        })?;
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "cannot read int8-calib-file '{}': no such file (make it with ds-calibrate; \
                     for the sample detector run ci/models.sh calib)",
                    path.display()
                )
            } else {
                format!("cannot read int8-calib-file '{}': {e}", path.display())
            }
        })?;
        Some((path, bytes))
    } else {
        None
    };
    let key = Key {
        precision: if int8 { "int8" } else { "fp32" },
        model: engine_cache::fingerprint(&onnx_bytes),
        calib: calib.as_ref().map(|(_, b)| engine_cache::fingerprint(b)),
    };
    let mut notes = Vec::new();
    let mut may_write = engine_file.is_some();
    if let Some(file) = engine_file {
        match engine_cache::load(file, &key) {
            Ok(bytes) => {
                return Ok(Prepared {
                    bytes,
                    precision: key.precision,
                    from_engine_file: true,
                    notes,
                })
            }
            Err(Miss::Missing) => {}
            Err(Miss::Stale) => notes.push(format!(
                "model-engine-file '{}' was built from another model, calibration cache or \
                 precision; rebuilding it",
                file.display()
            )),
            Err(Miss::Foreign) => {
                // Perhaps a TensorRT engine of the same config: never overwrite it.
                may_write = false;
                notes.push(format!(
                    "model-engine-file '{}' is not an open-backend engine file (a TensorRT \
                     engine?); left as it is, the model is prepared in memory",
                    file.display()
                ));
            }
        }
    }
    let bytes = match &calib {
        Some((path, cache)) => quantize_bytes(&onnx_bytes, cache, path)?,
        None => onnx_bytes,
    };
    if let Some(file) = engine_file.filter(|_| may_write) {
        if let Err(e) = engine_cache::store(file, &key, &bytes) {
            notes.push(e);
        }
    }
    Ok(Prepared {
        bytes,
        precision: key.precision,
        from_engine_file: false,
        notes,
    })
}
