//! The inference engine of the open `nvinfer`: ONNX Runtime, loaded at run
//! time from the shared library a registry package ships (the
//! `onnxruntime` wheel on PyPI; `ci/models.sh` extracts it), through the
//! `ort` crate's `load-dynamic` mode. Nothing is downloaded at build or run
//! time.
//!
//! Where the library is looked for, in order: the config key
//! `onnxruntime-lib`, the environment variable `ORT_DYLIB_PATH`,
//! `models/onnxruntime/libonnxruntime.so` next to the config's `onnx-file`
//! (`../models` from `configs/`), and finally `libonnxruntime.so` through
//! the system loader.
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// One output layer of a run: name, dimensions (batch first) and data.
#[derive(Debug, Clone)]
pub struct Output {
    /// Layer name in the model.
    pub name: String,
    /// Dimensions, batch first.
    pub dims: Vec<usize>,
    /// Row-major float data.
    pub data: Vec<f32>,
}

/// A loaded model.
pub struct Engine {
    session: Mutex<ort::session::Session>,
    input_name: String,
    /// Channels, height, width of the input.
    input_chw: [usize; 3],
    /// Largest batch the model takes (`None`: dynamic).
    max_batch: Option<usize>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("input_name", &self.input_name)
            .field("input_chw", &self.input_chw)
            .field("max_batch", &self.max_batch)
            .finish()
    }
}

static RUNTIME: OnceLock<Result<PathBuf, String>> = OnceLock::new();
static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

/// Candidate locations of the ONNX Runtime library.
fn candidates(configured: Option<&Path>, model: &Path) -> Vec<PathBuf> {
    let mut c = Vec::new();
    if let Some(p) = configured {
        c.push(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH") {
        c.push(PathBuf::from(p));
    }
    if let Some(dir) = model.parent() {
        c.push(dir.join("onnxruntime/libonnxruntime.so"));
    }
    c.push(PathBuf::from("libonnxruntime.so"));
    c
}

/// Loads ONNX Runtime once per process.
fn runtime(configured: Option<&Path>, model: &Path) -> Result<(), String> {
    RUNTIME
        .get_or_init(|| {
            let mut tried = Vec::new();
            for lib in candidates(configured, model) {
                // A bare name goes to the system loader; a path must exist.
                if lib.components().count() > 1 && !lib.exists() {
                    tried.push(format!("{} (missing)", lib.display()));
                    continue;
                }
                match ort::init_from(&lib) {
                    Ok(builder) => {
                        let env = builder
                            .with_name("ds-open-nvinfer")
                            .build()
                            .map_err(|e| format!("ONNX Runtime environment: {e}"))?;
                        let _ = ENVIRONMENT.set(env);
                        return Ok(lib);
                    }
                    Err(e) => tried.push(format!("{} ({e})", lib.display())),
                }
            }
            Err(format!(
                "cannot load ONNX Runtime (tried {}); run ci/models.sh, or set the config key \
                 onnxruntime-lib or ORT_DYLIB_PATH",
                tried.join(", ")
            ))
        })
        .clone()
        .map(|_| ())
}

impl Engine {
    /// Loads `model` (ONNX) with `threads` intra-op threads that sleep
    /// between runs (ONNX Runtime's default lets them spin, which takes the
    /// CPU from the other elements of a pipeline).
    pub fn load(
        model: &Path,
        configured_lib: Option<&Path>,
        threads: usize,
    ) -> Result<Engine, String> {
        Engine::load_with(model, configured_lib, threads, false)
    }

    /// [`load`](Self::load), choosing whether idle intra-op threads spin
    /// (`spinning`: ONNX Runtime's default, best for inference alone).
    pub fn load_with(
        model: &Path,
        configured_lib: Option<&Path>,
        threads: usize,
        spinning: bool,
    ) -> Result<Engine, String> {
        if !model.is_file() {
            return Err(format!(
                "model '{}' not found (run ci/models.sh to fetch and convert the sample model)",
                model.display()
            ));
        }
        let bytes = std::fs::read(model)
            .map_err(|e| format!("cannot read model '{}': {e}", model.display()))?;
        Engine::load_bytes(&bytes, model, configured_lib, threads, spinning)
    }

    /// Loads a model from its ONNX bytes (`model` names it in messages and
    /// places the default ONNX Runtime library next to it).
    pub fn load_bytes(
        bytes: &[u8],
        model: &Path,
        configured_lib: Option<&Path>,
        threads: usize,
        spinning: bool,
    ) -> Result<Engine, String> {
        runtime(configured_lib, model)?;
        let env = ENVIRONMENT
            .get()
            .ok_or_else(|| "ONNX Runtime environment missing".to_string())?;
        let fail = |e: String| format!("cannot load model '{}': {e}", model.display());
        let mut builder = ort::session::Session::builder(env)
            .map_err(|e| fail(e.to_string()))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| fail(e.to_string()))?
            .with_intra_op_spinning(spinning)
            .map_err(|e| fail(e.to_string()))?;
        let session = builder
            .commit_from_memory(bytes)
            .map_err(|e| fail(e.to_string()))?;
        let input = session
            .inputs()
            .first()
            .ok_or_else(|| format!("model '{}' has no input", model.display()))?;
        let dims: Vec<i64> = match input.dtype() {
            ort::value::ValueType::Tensor { shape, .. } => shape.iter().copied().collect(),
            other => return Err(format!("model input is not a tensor ({other:?})")),
        };
        if dims.len() != 4 || dims[1..].iter().any(|d| *d <= 0) {
            return Err(format!(
                "model '{}' input '{}' has shape {:?}; expected [batch, C, H, W] with fixed C, H, W",
                model.display(),
                input.name(),
                dims
            ));
        }
        let max_batch = (dims[0] > 0).then_some(dims[0] as usize);
        let input_chw = [dims[1] as usize, dims[2] as usize, dims[3] as usize];
        Ok(Engine {
            input_name: input.name().to_string(),
            session: Mutex::new(session),
            input_chw,
            max_batch,
        })
    }

    /// Channels, height and width of the model input.
    pub fn input_chw(&self) -> [usize; 3] {
        self.input_chw
    }

    /// Largest batch one run takes (`None`: any).
    pub fn max_batch(&self) -> Option<usize> {
        self.max_batch
    }

    /// Runs `batch` NCHW float inputs laid end to end in `data`.
    pub fn run(&self, batch: usize, data: Vec<f32>) -> Result<Vec<Output>, String> {
        let [c, h, w] = self.input_chw;
        if data.len() != batch * c * h * w {
            return Err(format!(
                "input holds {} floats, not {batch}x{c}x{h}x{w}",
                data.len()
            ));
        }
        let shape = vec![batch as i64, c as i64, h as i64, w as i64];
        let tensor = ort::value::Tensor::from_array((shape, data))
            .map_err(|e| format!("input tensor: {e}"))?;
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session
            .run(ort::inputs![self.input_name.as_str() => tensor])
            .map_err(|e| format!("inference failed: {e}"))?;
        let mut result = Vec::with_capacity(outputs.len());
        for (name, value) in outputs.iter() {
            let (shape, data) = value
                .try_extract_tensor::<f32>()
                .map_err(|e| format!("output '{name}' is not a float tensor: {e}"))?;
            result.push(Output {
                name: name.to_string(),
                dims: shape.iter().map(|d| (*d).max(0) as usize).collect(),
                data: data.to_vec(),
            });
        }
        Ok(result)
    }
}
