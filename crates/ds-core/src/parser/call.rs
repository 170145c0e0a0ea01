//! Caller side: loading a parser library and calling its functions.
use super::{Attribute, DetectedObject, DetectionParams, NetworkInfo};
use crate::tensor::TensorError;
use ds_sys::{NvDsInferAttribute, NvDsInferLayerInfo, NvDsInferObjectDetectionInfo};
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a library or one of its functions could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The library could not be opened.
    Library {
        /// The file.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// The library has no such symbol.
    Symbol {
        /// The file.
        path: PathBuf,
        /// The function name.
        name: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Library { path, message } => write!(
                f,
                "cannot load custom-lib-path '{}': {message}",
                path.display()
            ),
            LoadError::Symbol { path, name } => write!(
                f,
                "custom-lib-path '{}' has no function '{name}'",
                path.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Why a call to a parser gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The parser returned `false`.
    Rejected,
    /// The parser threw a C++ exception (its `what()`).
    Exception(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Rejected => f.write_str("the parser returned false"),
            CallError::Exception(m) => write!(f, "the parser threw a C++ exception: {m}"),
        }
    }
}

impl std::error::Error for CallError {}

/// A loaded parser library (`custom-lib-path`); stays loaded while it or a
/// parser from it lives.
///
/// Loading a library runs its initialisers and calling its functions runs
/// its code: like nvinfer, this trusts the library the config names to
/// implement NVIDIA's ABI (a function of another type cannot be detected).
#[derive(Debug, Clone)]
pub struct ParserLibrary {
    lib: Arc<libloading::Library>,
    path: PathBuf,
}

impl ParserLibrary {
    /// Loads the library at `path` (searched as `dlopen` does when it has no
    /// `/`).
    ///
    /// ```
    /// let err = ds_core::parser::ParserLibrary::open("/no/libparser.so".as_ref()).unwrap_err();
    /// assert!(err.to_string().starts_with("cannot load custom-lib-path '/no/libparser.so'"));
    /// ```
    pub fn open(path: &Path) -> Result<ParserLibrary, LoadError> {
        // SAFETY: loading runs the library's initialisers; the config names
        // the library as nvinfer's custom-lib-path, which nvinfer trusts the
        // same way (see the type's docs).
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| {
            // libloading's Display says "dlopen failed"; dlerror()'s text is
            // its source.
            let message = match std::error::Error::source(&e) {
                Some(s) => format!("{e}: {s}"),
                None => e.to_string(),
            };
            LoadError::Library {
                path: path.to_path_buf(),
                message,
            }
        })?;
        Ok(ParserLibrary {
            lib: Arc::new(lib),
            path: path.to_path_buf(),
        })
    }

    /// The library's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn symbol(&self, name: &str) -> Result<*mut c_void, LoadError> {
        let missing = || LoadError::Symbol {
            path: self.path.clone(),
            name: name.to_string(),
        };
        let cname = CString::new(name).map_err(|_| missing())?;
        // SAFETY: the symbol is read as an untyped address only; it is
        // called through ds_sys::parser, which gives it NVIDIA's type.
        let sym = unsafe { self.lib.get::<*mut c_void>(cname.as_bytes_with_nul()) }
            .map_err(|_| missing())?;
        let p = *sym;
        if p.is_null() {
            return Err(missing());
        }
        Ok(p)
    }

    /// The bounding-box parser `name` (`parse-bbox-func-name`).
    pub fn bbox_parser(&self, name: &str) -> Result<BboxParser, LoadError> {
        Ok(BboxParser {
            func: self.symbol(name)?,
            name: name.to_string(),
            _lib: self.lib.clone(),
        })
    }

    /// The classifier parser `name` (`parse-classifier-func-name`).
    pub fn classifier_parser(&self, name: &str) -> Result<ClassifierParser, LoadError> {
        Ok(ClassifierParser {
            func: self.symbol(name)?,
            name: name.to_string(),
            _lib: self.lib.clone(),
        })
    }
}

/// One output layer handed to a parser: `FLOAT` data in host memory.
///
/// ```
/// use ds_core::parser::OutputLayer;
/// let data = [0.0f32; 6];
/// let l = OutputLayer::new("scores", &[2, 3], &data).unwrap();
/// assert_eq!(l.name(), "scores");
/// assert!(OutputLayer::new("scores", &[4], &data).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct OutputLayer<'a> {
    name: CString,
    dims: ds_sys::NvDsInferDims,
    data: &'a [f32],
}

impl<'a> OutputLayer<'a> {
    /// A layer named `name` (a NUL in it ends it) with `dims` (without the
    /// batch dimension; their product must be `data.len()`).
    pub fn new(name: &str, dims: &[u32], data: &'a [f32]) -> Result<Self, TensorError> {
        if dims.len() > ds_sys::NVDSINFER_MAX_DIMS {
            return Err(TensorError::TooManyDims(dims.len()));
        }
        let n = dims
            .iter()
            .try_fold(1usize, |a, d| a.checked_mul(*d as usize))
            .ok_or(TensorError::TooLarge)?;
        if n != data.len() {
            return Err(TensorError::LengthMismatch {
                dims_elements: n,
                data_elements: data.len(),
            });
        }
        let num = u32::try_from(n).map_err(|_| TensorError::TooLarge)?;
        let mut d = ds_sys::NvDsInferDims {
            numDims: dims.len() as u32,
            numElements: num,
            ..Default::default()
        };
        d.d[..dims.len()].copy_from_slice(dims);
        let name = name.split('\0').next().unwrap_or("");
        Ok(OutputLayer {
            name: CString::new(name).unwrap_or_default(),
            dims: d,
            data,
        })
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        self.name.to_str().unwrap_or("")
    }

    fn raw(&self, index: usize) -> NvDsInferLayerInfo {
        NvDsInferLayerInfo {
            dataType: ds_sys::FLOAT,
            inferDims: self.dims,
            bindingIndex: index as i32,
            layerName: self.name.as_ptr(),
            buffer: self.data.as_ptr() as *mut c_void,
            isInput: 0,
        }
    }
}

fn raw_layers(layers: &[OutputLayer<'_>]) -> Vec<NvDsInferLayerInfo> {
    layers
        .iter()
        .enumerate()
        .map(|(i, l)| l.raw(i + 1))
        .collect()
}

const ERR_LEN: usize = 256;

fn status(rc: i32, err: &[c_char; ERR_LEN]) -> Result<(), CallError> {
    match rc {
        ds_sys::parser::DS_PARSER_OK => Ok(()),
        ds_sys::parser::DS_PARSER_FALSE => Err(CallError::Rejected),
        _ => {
            // SAFETY: the bridge NUL-terminates the message within the
            // buffer, which starts zeroed.
            let m = unsafe { CStr::from_ptr(err.as_ptr()) };
            Err(CallError::Exception(m.to_string_lossy().into_owned()))
        }
    }
}

/// A bounding-box parser function of a [`ParserLibrary`]
/// (`NvDsInferParseCustomFunc`).
#[derive(Debug, Clone)]
pub struct BboxParser {
    func: *mut c_void,
    name: String,
    _lib: Arc<libloading::Library>,
}

// SAFETY: the function pointer stays valid while `_lib` holds the library;
// nvinfer calls parsers from its own threads, so the ABI's functions may be
// called from any thread.
unsafe impl Send for BboxParser {}
// SAFETY: as for Send; calls take no lock on our side.
unsafe impl Sync for BboxParser {}

unsafe extern "C" fn collect_objects(
    ctx: *mut c_void,
    objects: *const NvDsInferObjectDetectionInfo,
    n: usize,
) {
    if ctx.is_null() || (objects.is_null() && n > 0) {
        return;
    }
    // SAFETY: ctx is the &mut Vec<DetectedObject> passed by BboxParser::parse
    // for this call.
    let out = unsafe { &mut *(ctx as *mut Vec<DetectedObject>) };
    if n == 0 {
        return;
    }
    // SAFETY: the bridge hands the vector's data, n elements, valid during
    // this call.
    let objects = unsafe { std::slice::from_raw_parts(objects, n) };
    out.extend(objects.iter().map(|o| DetectedObject::from(*o)));
}

impl BboxParser {
    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls the parser as nvinfer does; returns its objects as it gave them
    /// (unchecked: class ids, boxes and confidences are the caller's to
    /// validate).
    pub fn parse(
        &self,
        layers: &[OutputLayer<'_>],
        network: NetworkInfo,
        params: DetectionParams<'_>,
    ) -> Result<Vec<DetectedObject>, CallError> {
        let raw = raw_layers(layers);
        let mut out: Vec<DetectedObject> = Vec::new();
        let mut err = [0 as c_char; ERR_LEN];
        let (pre, post) = (
            params.pre_cluster_thresholds(),
            params.post_cluster_thresholds(),
        );
        // SAFETY: func is an NvDsInferParseCustomFunc of the loaded library
        // (the library's contract); every array is valid for the call with
        // its length; the sink only appends to `out`.
        let rc = unsafe {
            ds_sys::parser::ds_parser_call_bbox(
                self.func,
                raw.as_ptr(),
                raw.len(),
                &network,
                params.num_classes(),
                pre.as_ptr(),
                pre.len(),
                post.as_ptr(),
                post.len(),
                collect_objects,
                &mut out as *mut Vec<DetectedObject> as *mut c_void,
                err.as_mut_ptr(),
                ERR_LEN,
            )
        };
        status(rc, &err).map(|()| out)
    }
}

/// A classifier parser function of a [`ParserLibrary`]
/// (`NvDsInferClassiferParseCustomFunc`).
#[derive(Debug, Clone)]
pub struct ClassifierParser {
    func: *mut c_void,
    name: String,
    _lib: Arc<libloading::Library>,
}

// SAFETY: as for BboxParser.
unsafe impl Send for ClassifierParser {}
// SAFETY: as for BboxParser.
unsafe impl Sync for ClassifierParser {}

type ClassifierResult = (Vec<Attribute>, String);

unsafe extern "C" fn collect_attributes(
    ctx: *mut c_void,
    attributes: *const NvDsInferAttribute,
    n: usize,
    desc: *const c_char,
    desc_len: usize,
) {
    if ctx.is_null() {
        return;
    }
    // SAFETY: ctx is the &mut ClassifierResult of ClassifierParser::parse.
    let out = unsafe { &mut *(ctx as *mut ClassifierResult) };
    if !attributes.is_null() && n > 0 {
        // SAFETY: the bridge hands the vector's data, n elements.
        let attrs = unsafe { std::slice::from_raw_parts(attributes, n) };
        for a in attrs {
            let label = if a.attributeLabel.is_null() {
                None
            } else {
                // SAFETY: a non-null label is a NUL-terminated string
                // allocated by the parser, freed by the bridge after us.
                Some(
                    unsafe { CStr::from_ptr(a.attributeLabel) }
                        .to_string_lossy()
                        .into_owned(),
                )
            };
            out.0.push(Attribute {
                index: a.attributeIndex,
                value: a.attributeValue,
                confidence: a.attributeConfidence,
                label,
            });
        }
    }
    if !desc.is_null() && desc_len > 0 {
        // SAFETY: the std::string's bytes, desc_len of them.
        let bytes = unsafe { std::slice::from_raw_parts(desc as *const u8, desc_len) };
        out.1 = String::from_utf8_lossy(bytes).into_owned();
    }
}

impl ClassifierParser {
    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls the parser as nvinfer does; returns its attributes and
    /// description string.
    pub fn parse(
        &self,
        layers: &[OutputLayer<'_>],
        network: NetworkInfo,
        threshold: f32,
    ) -> Result<(Vec<Attribute>, String), CallError> {
        let raw = raw_layers(layers);
        let mut out: ClassifierResult = Default::default();
        let mut err = [0 as c_char; ERR_LEN];
        // SAFETY: func is an NvDsInferClassiferParseCustomFunc of the loaded
        // library; the arrays are valid for the call; the sink only fills
        // `out`.
        let rc = unsafe {
            ds_sys::parser::ds_parser_call_classifier(
                self.func,
                raw.as_ptr(),
                raw.len(),
                &network,
                threshold,
                collect_attributes,
                &mut out as *mut ClassifierResult as *mut c_void,
                err.as_mut_ptr(),
                ERR_LEN,
            )
        };
        status(rc, &err).map(|()| out)
    }
}
