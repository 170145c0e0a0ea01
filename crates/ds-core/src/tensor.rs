//! Inference tensor output meta: the raw output layers that `nvinfer`
//! attaches as user meta of type `NVDSINFER_TENSOR_OUTPUT_META` when its
//! `output-tensor-meta` property is set, so custom output parsing can be
//! written in Rust.
//!
//! * [`TensorMeta`] is a borrowed view of a `NvDsInferTensorMeta`, obtained
//!   from a user meta with [`TensorMeta::from_user_meta`] or
//!   `user_meta.downcast::<TensorOutput>()`.
//! * [`TensorOutput`] is an owned tensor meta built in Rust (what an
//!   inference element attaches); its ownership moves into the user meta and
//!   ds-core's copy / release functions deep-copy / free it.
//!
//! ```
//! use ds_core::tensor::{DataType, LayerData, NetworkInfo, TensorOutput};
//!
//! let mut out = TensorOutput::new(1, NetworkInfo { width: 640, height: 480, channels: 3 });
//! out.push_layer("scores", &[2, 3], LayerData::Float(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]))
//!     .unwrap();
//! // Parsing code sees the same view it gets from a downstream probe.
//! for layer in out.layers() {
//!     assert_eq!(layer.name(), "scores");
//!     assert_eq!(layer.dims(), &[2, 3]);
//!     assert_eq!(layer.data_type(), DataType::Float);
//!     assert_eq!(layer.as_f32().unwrap()[4], 0.5);
//! }
//! ```
use crate::meta::{UserMeta, UserMetaData};
use ds_sys::{
    NvDsInferDataType, NvDsInferLayerInfo, NvDsInferTensorMeta, NvDsMetaCopyFunc,
    NvDsMetaReleaseFunc, NvDsMetaType, NvDsUserMeta, NVDSINFER_MAX_DIMS,
    NVDSINFER_TENSOR_OUTPUT_META,
};
use std::ffi::CStr;
use std::fmt;
use std::os::raw::c_void;
use std::ptr::NonNull;

pub use ds_sys::NvDsInferNetworkInfo as NetworkInfo;

/// Element type of a layer (`NvDsInferDataType`).
///
/// ```
/// use ds_core::tensor::DataType;
/// assert_eq!(DataType::from_raw(0), DataType::Float);
/// assert_eq!(DataType::Half.element_size(), Some(2));
/// assert_eq!(DataType::from_raw(42), DataType::Unknown(42));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// 32-bit float (`FLOAT`).
    Float,
    /// 16-bit IEEE half float (`HALF`), exposed as raw `u16` bits.
    Half,
    /// 8-bit signed integer (`INT8`).
    Int8,
    /// 32-bit signed integer (`INT32`).
    Int32,
    /// 64-bit signed integer (`INT64`).
    Int64,
    /// 8-bit unsigned integer (`UINT8`).
    Uint8,
    /// A value this crate does not know.
    Unknown(i32),
}

impl DataType {
    /// The type of a raw `NvDsInferDataType` value.
    ///
    /// ```
    /// assert_eq!(ds_core::tensor::DataType::from_raw(ds_sys::INT32), ds_core::tensor::DataType::Int32);
    /// ```
    pub fn from_raw(v: NvDsInferDataType) -> DataType {
        match v {
            ds_sys::FLOAT => DataType::Float,
            ds_sys::HALF => DataType::Half,
            ds_sys::INT8 => DataType::Int8,
            ds_sys::INT32 => DataType::Int32,
            ds_sys::INT64 => DataType::Int64,
            ds_sys::UINT8 => DataType::Uint8,
            other => DataType::Unknown(other),
        }
    }

    /// The raw `NvDsInferDataType` value.
    ///
    /// ```
    /// assert_eq!(ds_core::tensor::DataType::Int8.to_raw(), ds_sys::INT8);
    /// ```
    pub fn to_raw(self) -> NvDsInferDataType {
        match self {
            DataType::Float => ds_sys::FLOAT,
            DataType::Half => ds_sys::HALF,
            DataType::Int8 => ds_sys::INT8,
            DataType::Int32 => ds_sys::INT32,
            DataType::Int64 => ds_sys::INT64,
            DataType::Uint8 => ds_sys::UINT8,
            DataType::Unknown(v) => v,
        }
    }

    /// Size of one element in bytes (`None` for an unknown type).
    ///
    /// ```
    /// assert_eq!(ds_core::tensor::DataType::Float.element_size(), Some(4));
    /// ```
    pub fn element_size(self) -> Option<usize> {
        match self {
            DataType::Float | DataType::Int32 => Some(4),
            DataType::Half => Some(2),
            DataType::Int8 | DataType::Uint8 => Some(1),
            DataType::Int64 => Some(8),
            DataType::Unknown(_) => None,
        }
    }
}

/// Typed contents of a layer.
///
/// ```
/// use ds_core::tensor::{DataType, LayerData};
/// let d = LayerData::Int32(&[1, 2, 3]);
/// assert_eq!(d.len(), 3);
/// assert_eq!(d.data_type(), DataType::Int32);
/// assert!(!d.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LayerData<'a> {
    /// `FLOAT` elements.
    Float(&'a [f32]),
    /// `HALF` elements as raw IEEE 754 binary16 bits.
    Half(&'a [u16]),
    /// `INT8` elements.
    Int8(&'a [i8]),
    /// `INT32` elements.
    Int32(&'a [i32]),
    /// `INT64` elements.
    Int64(&'a [i64]),
    /// `UINT8` elements.
    Uint8(&'a [u8]),
}

impl LayerData<'_> {
    /// Number of elements.
    ///
    /// ```
    /// assert_eq!(ds_core::tensor::LayerData::Half(&[0x3c00; 5]).len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            LayerData::Float(s) => s.len(),
            LayerData::Half(s) => s.len(),
            LayerData::Int8(s) => s.len(),
            LayerData::Int32(s) => s.len(),
            LayerData::Int64(s) => s.len(),
            LayerData::Uint8(s) => s.len(),
        }
    }

    /// Whether there are no elements.
    ///
    /// ```
    /// assert!(ds_core::tensor::LayerData::Float(&[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    ///
    /// ```
    /// use ds_core::tensor::{DataType, LayerData};
    /// assert_eq!(LayerData::Uint8(&[1]).data_type(), DataType::Uint8);
    /// ```
    pub fn data_type(&self) -> DataType {
        match self {
            LayerData::Float(_) => DataType::Float,
            LayerData::Half(_) => DataType::Half,
            LayerData::Int8(_) => DataType::Int8,
            LayerData::Int32(_) => DataType::Int32,
            LayerData::Int64(_) => DataType::Int64,
            LayerData::Uint8(_) => DataType::Uint8,
        }
    }

    /// The elements as bytes (native endianness).
    ///
    /// ```
    /// let d = ds_core::tensor::LayerData::Int8(&[-1, 2]);
    /// assert_eq!(d.as_bytes(), &[0xff, 2]);
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        fn bytes<T>(s: &[T]) -> &[u8] {
            // SAFETY: every element type used here (f32, u16, i8, i32, i64,
            // u8) is plain data without padding, so its bytes are
            // initialised; the byte slice covers exactly the same memory and
            // lifetime.
            unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
        }
        match self {
            LayerData::Float(s) => bytes(s),
            LayerData::Half(s) => bytes(s),
            LayerData::Int8(s) => bytes(s),
            LayerData::Int32(s) => bytes(s),
            LayerData::Int64(s) => bytes(s),
            LayerData::Uint8(s) => bytes(s),
        }
    }
}

/// Why a layer's data or a new layer was refused.
///
/// ```
/// use ds_core::tensor::{LayerData, NetworkInfo, TensorError, TensorOutput};
/// let mut out = TensorOutput::new(1, NetworkInfo::default());
/// let err = out.push_layer("x", &[2, 2], LayerData::Float(&[1.0])).unwrap_err();
/// assert_eq!(err, TensorError::LengthMismatch { dims_elements: 4, data_elements: 1 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TensorError {
    /// The layer has no host buffer.
    NoData,
    /// The host buffer is not aligned for the element type.
    Misaligned,
    /// The layer's element type is unknown.
    UnknownType(i32),
    /// More than `NVDSINFER_MAX_DIMS` (8) dimensions.
    TooManyDims(usize),
    /// The product of the dimensions differs from the number of elements.
    LengthMismatch {
        /// Product of the dimensions.
        dims_elements: usize,
        /// Elements given.
        data_elements: usize,
    },
    /// A dimension or element count does not fit the C `unsigned int`.
    TooLarge,
}

impl fmt::Display for TensorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TensorError::NoData => f.write_str("tensor layer has no host buffer"),
            TensorError::Misaligned => {
                f.write_str("tensor layer buffer is not aligned for its element type")
            }
            TensorError::UnknownType(t) => write!(f, "unknown tensor data type {t}"),
            TensorError::TooManyDims(n) => write!(
                f,
                "{n} dimensions given, at most {NVDSINFER_MAX_DIMS} are allowed"
            ),
            TensorError::LengthMismatch {
                dims_elements,
                data_elements,
            } => write!(
                f,
                "dimensions hold {dims_elements} elements but {data_elements} were given"
            ),
            TensorError::TooLarge => f.write_str("tensor too large for DeepStream's 32-bit sizes"),
        }
    }
}

impl std::error::Error for TensorError {}

/// Borrowed view of an `NvDsInferTensorMeta` (the data of an
/// `NVDSINFER_TENSOR_OUTPUT_META` user meta).
///
/// ```
/// use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
/// let mut out = TensorOutput::new(7, NetworkInfo { width: 300, height: 300, channels: 3 });
/// out.set_maintain_aspect_ratio(true);
/// out.push_layer("boxes", &[4], LayerData::Float(&[0.0, 0.0, 1.0, 1.0])).unwrap();
/// let meta: &ds_core::tensor::TensorMeta = &out;
/// assert_eq!(meta.unique_id(), 7);
/// assert_eq!(meta.num_output_layers(), 1);
/// assert_eq!(meta.network_info().width, 300);
/// assert!(meta.maintain_aspect_ratio());
/// ```
#[repr(transparent)]
pub struct TensorMeta(NvDsInferTensorMeta);

impl TensorMeta {
    /// The tensor meta held by `user_meta`, if its type is
    /// `NVDSINFER_TENSOR_OUTPUT_META`.
    ///
    /// DeepStream's contract for that meta type is that `user_meta_data`
    /// points to a valid `NvDsInferTensorMeta` whose arrays hold
    /// `num_output_layers` entries.
    ///
    /// ```no_run
    /// # fn probe(frame: &ds_core::FrameMeta) {
    /// use ds_core::tensor::TensorMeta;
    /// for um in frame.user_metas() {
    ///     if let Some(tensor) = TensorMeta::from_user_meta(um) {
    ///         println!("{} output layers", tensor.num_output_layers());
    ///     }
    /// }
    /// # }
    /// ```
    pub fn from_user_meta(user_meta: &UserMeta) -> Option<&TensorMeta> {
        user_meta.downcast::<TensorOutput>()
    }

    /// The raw C struct.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// let out = TensorOutput::new(3, NetworkInfo::default());
    /// assert_eq!(out.as_raw().unique_id, 3);
    /// ```
    pub fn as_raw(&self) -> &NvDsInferTensorMeta {
        &self.0
    }

    /// `gie-unique-id` of the inference element that attached the meta.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// assert_eq!(TensorOutput::new(2, NetworkInfo::default()).unique_id(), 2);
    /// ```
    pub fn unique_id(&self) -> u32 {
        self.0.unique_id
    }

    /// Number of output layers.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// assert_eq!(TensorOutput::new(2, NetworkInfo::default()).num_output_layers(), 0);
    /// ```
    pub fn num_output_layers(&self) -> usize {
        if self.0.output_layers_info.is_null() {
            0
        } else {
            self.0.num_output_layers as usize
        }
    }

    /// GPU holding the device buffers.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// assert_eq!(TensorOutput::new(2, NetworkInfo::default()).gpu_id(), 0);
    /// ```
    pub fn gpu_id(&self) -> i32 {
        self.0.gpu_id
    }

    /// Network input resolution.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// let n = NetworkInfo { width: 8, height: 4, channels: 3 };
    /// assert_eq!(TensorOutput::new(1, n).network_info(), n);
    /// ```
    pub fn network_info(&self) -> NetworkInfo {
        self.0.network_info
    }

    /// Whether the input was scaled keeping its aspect ratio.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// assert!(!TensorOutput::new(1, NetworkInfo::default()).maintain_aspect_ratio());
    /// ```
    pub fn maintain_aspect_ratio(&self) -> bool {
        self.0.maintain_aspect_ratio != 0
    }

    /// Output layer `index`.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("a", &[1], LayerData::Int8(&[5])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().name(), "a");
    /// assert!(out.layer(1).is_none());
    /// ```
    pub fn layer(&self, index: usize) -> Option<Layer<'_>> {
        if index >= self.num_output_layers() {
            return None;
        }
        // SAFETY: output_layers_info is non-null (checked by
        // num_output_layers) and holds num_output_layers entries (producer
        // contract); index is in range.
        let info = unsafe { &*self.0.output_layers_info.add(index) };
        let host = if self.0.out_buf_ptrs_host.is_null() {
            std::ptr::null_mut()
        } else {
            // SAFETY: out_buf_ptrs_host holds num_output_layers entries.
            unsafe { *self.0.out_buf_ptrs_host.add(index) }
        };
        let buffer = if host.is_null() { info.buffer } else { host };
        Some(Layer { info, buffer })
    }

    /// Iterator over the output layers, in order.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("a", &[1], LayerData::Int8(&[5])).unwrap();
    /// out.push_layer("b", &[2], LayerData::Int32(&[6, 7])).unwrap();
    /// let names: Vec<_> = out.layers().map(|l| l.name().to_owned()).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn layers(&self) -> Layers<'_> {
        Layers {
            meta: self,
            next: 0,
            end: self.num_output_layers(),
        }
    }

    /// The first output layer named `name`.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("conf", &[1], LayerData::Float(&[0.9])).unwrap();
    /// assert_eq!(out.layer_by_name("conf").unwrap().as_f32(), Some(&[0.9f32][..]));
    /// assert!(out.layer_by_name("nope").is_none());
    /// ```
    pub fn layer_by_name(&self, name: &str) -> Option<Layer<'_>> {
        self.layers().find(|l| l.name() == name)
    }
}

impl fmt::Debug for TensorMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TensorMeta")
            .field("unique_id", &self.unique_id())
            .field("network_info", &self.network_info())
            .field("layers", &self.layers().collect::<Vec<_>>())
            .finish()
    }
}

/// Iterator over the layers of a [`TensorMeta`].
///
/// ```
/// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
/// let mut out = TensorOutput::new(1, NetworkInfo::default());
/// out.push_layer("a", &[1], LayerData::Uint8(&[1])).unwrap();
/// assert_eq!(out.layers().len(), 1);
/// ```
#[derive(Clone)]
pub struct Layers<'a> {
    meta: &'a TensorMeta,
    next: usize,
    end: usize,
}

impl<'a> Iterator for Layers<'a> {
    type Item = Layer<'a>;

    fn next(&mut self) -> Option<Layer<'a>> {
        if self.next >= self.end {
            return None;
        }
        let l = self.meta.layer(self.next);
        self.next += 1;
        l
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Layers<'_> {}

impl DoubleEndedIterator for Layers<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        self.meta.layer(self.end)
    }
}

/// One output (or input) layer of a [`TensorMeta`].
///
/// ```
/// # use ds_core::tensor::{DataType, LayerData, NetworkInfo, TensorOutput};
/// let mut out = TensorOutput::new(1, NetworkInfo::default());
/// out.push_layer("cls", &[3], LayerData::Int32(&[1, 2, 3])).unwrap();
/// let layer = out.layer(0).unwrap();
/// assert_eq!(layer.num_elements(), 3);
/// assert!(!layer.is_input());
/// assert_eq!(layer.data().unwrap(), LayerData::Int32(&[1, 2, 3]));
/// ```
#[derive(Clone, Copy)]
pub struct Layer<'a> {
    info: &'a NvDsInferLayerInfo,
    buffer: *mut c_void,
}

impl<'a> Layer<'a> {
    /// A view of `info` whose data is `info.buffer`.
    ///
    /// # Safety
    /// `info.layerName` is null or a NUL-terminated string, and
    /// `info.buffer` is null or holds `inferDims.numElements` elements of
    /// `info.dataType`; both stay valid and unchanged for `'a`.
    pub(crate) unsafe fn from_info(info: &'a NvDsInferLayerInfo) -> Layer<'a> {
        Layer {
            info,
            buffer: info.buffer,
        }
    }

    /// The raw layer description (its `buffer` may be stale: use
    /// [`Layer::data`]).
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// # out.push_layer("cls", &[3], LayerData::Int32(&[1, 2, 3])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().as_raw().inferDims.numElements, 3);
    /// ```
    pub fn as_raw(&self) -> &'a NvDsInferLayerInfo {
        self.info
    }

    /// Layer name as a C string (`None` when the producer set none).
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// # out.push_layer("cls", &[3], LayerData::Int32(&[1, 2, 3])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().name_c(), Some(c"cls"));
    /// ```
    pub fn name_c(&self) -> Option<&'a CStr> {
        if self.info.layerName.is_null() {
            None
        } else {
            // SAFETY: a non-null layerName is a NUL-terminated string owned
            // by the meta for its whole lifetime (producer contract).
            Some(unsafe { CStr::from_ptr(self.info.layerName) })
        }
    }

    /// Layer name (`""` when unset or not UTF-8).
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// # out.push_layer("cls", &[3], LayerData::Int32(&[1, 2, 3])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().name(), "cls");
    /// ```
    pub fn name(&self) -> &'a str {
        self.name_c().and_then(|c| c.to_str().ok()).unwrap_or("")
    }

    /// Dimensions (without the batch dimension).
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("m", &[1, 2, 2], LayerData::Uint8(&[0; 4])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().dims(), &[1, 2, 2]);
    /// ```
    pub fn dims(&self) -> &'a [u32] {
        let n = (self.info.inferDims.numDims as usize).min(NVDSINFER_MAX_DIMS);
        &self.info.inferDims.d[..n]
    }

    /// Number of elements (`inferDims.numElements`).
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("m", &[3, 2], LayerData::Uint8(&[0; 6])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().num_elements(), 6);
    /// ```
    pub fn num_elements(&self) -> usize {
        self.info.inferDims.numElements as usize
    }

    /// Element type.
    ///
    /// ```
    /// # use ds_core::tensor::{DataType, LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("h", &[1], LayerData::Half(&[0x3c00])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().data_type(), DataType::Half);
    /// ```
    pub fn data_type(&self) -> DataType {
        DataType::from_raw(self.info.dataType)
    }

    /// Whether this is an input layer.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// # out.push_layer("h", &[1], LayerData::Half(&[0x3c00])).unwrap();
    /// assert!(!out.layer(0).unwrap().is_input());
    /// ```
    pub fn is_input(&self) -> bool {
        self.info.isInput != 0
    }

    /// TensorRT binding index.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("a", &[1], LayerData::Int8(&[0])).unwrap();
    /// out.push_layer("b", &[1], LayerData::Int8(&[0])).unwrap();
    /// assert_eq!(out.layer(1).unwrap().binding_index(), 1);
    /// ```
    pub fn binding_index(&self) -> i32 {
        self.info.bindingIndex
    }

    /// The layer's host data as a typed slice of `num_elements()` elements.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("i", &[2], LayerData::Int64(&[-1, 1 << 40])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().data(), Ok(LayerData::Int64(&[-1, 1 << 40])));
    /// ```
    pub fn data(&self) -> Result<LayerData<'a>, TensorError> {
        let n = self.num_elements();
        let ty = self.data_type();
        let p = self.buffer;
        if p.is_null() {
            if n == 0 {
                return empty_of(ty);
            }
            return Err(TensorError::NoData);
        }
        fn slice<'b, T>(p: *mut c_void, n: usize) -> Result<&'b [T], TensorError> {
            if !(p as usize).is_multiple_of(std::mem::align_of::<T>()) {
                return Err(TensorError::Misaligned);
            }
            // SAFETY: p is non-null and aligned for T; the producer
            // guarantees the host buffer holds numElements elements of the
            // layer's data type and lives as long as the meta (lifetime 'b
            // is tied to the TensorMeta borrow).
            Ok(unsafe { std::slice::from_raw_parts(p as *const T, n) })
        }
        Ok(match ty {
            DataType::Float => LayerData::Float(slice(p, n)?),
            DataType::Half => LayerData::Half(slice(p, n)?),
            DataType::Int8 => LayerData::Int8(slice(p, n)?),
            DataType::Int32 => LayerData::Int32(slice(p, n)?),
            DataType::Int64 => LayerData::Int64(slice(p, n)?),
            DataType::Uint8 => LayerData::Uint8(slice(p, n)?),
            DataType::Unknown(t) => return Err(TensorError::UnknownType(t)),
        })
    }

    /// The data as `f32` when the layer is `FLOAT`.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// # let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("f", &[2], LayerData::Float(&[1.5, 2.5])).unwrap();
    /// out.push_layer("i", &[1], LayerData::Int8(&[1])).unwrap();
    /// assert_eq!(out.layer(0).unwrap().as_f32(), Some(&[1.5f32, 2.5][..]));
    /// assert_eq!(out.layer(1).unwrap().as_f32(), None);
    /// ```
    pub fn as_f32(&self) -> Option<&'a [f32]> {
        match self.data() {
            Ok(LayerData::Float(s)) => Some(s),
            _ => None,
        }
    }
}

fn empty_of<'a>(ty: DataType) -> Result<LayerData<'a>, TensorError> {
    Ok(match ty {
        DataType::Float => LayerData::Float(&[]),
        DataType::Half => LayerData::Half(&[]),
        DataType::Int8 => LayerData::Int8(&[]),
        DataType::Int32 => LayerData::Int32(&[]),
        DataType::Int64 => LayerData::Int64(&[]),
        DataType::Uint8 => LayerData::Uint8(&[]),
        DataType::Unknown(t) => return Err(TensorError::UnknownType(t)),
    })
}

impl fmt::Debug for Layer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("name", &self.name())
            .field("dims", &self.dims())
            .field("data_type", &self.data_type())
            .field("is_input", &self.is_input())
            .finish()
    }
}

/// An owned `NvDsInferTensorMeta` built in Rust, all of its memory from
/// [`ds_sys::mem`]. Attach it as user meta (its ownership moves in, with
/// ds-core's copy and release functions); dropped unattached, it frees
/// everything. Dereferences to [`TensorMeta`] for reading.
///
/// ```
/// use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
/// let mut out = TensorOutput::new(1, NetworkInfo { width: 4, height: 4, channels: 1 });
/// out.push_layer("probs", &[3], LayerData::Float(&[0.2, 0.7, 0.1])).unwrap();
/// let best = out.layer(0).unwrap().as_f32().unwrap()
///     .iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
/// assert_eq!(best, 1);
/// ```
pub struct TensorOutput {
    raw: NonNull<NvDsInferTensorMeta>,
}

// SAFETY: TensorOutput exclusively owns its allocations (no sharing, no
// thread-affine data), so moving it to another thread is sound.
unsafe impl Send for TensorOutput {}

impl TensorOutput {
    /// A tensor meta with no layers.
    ///
    /// ```
    /// use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// let out = TensorOutput::new(5, NetworkInfo::default());
    /// assert_eq!(out.unique_id(), 5);
    /// ```
    pub fn new(unique_id: u32, network_info: NetworkInfo) -> TensorOutput {
        // SAFETY: NvDsInferTensorMeta is valid all-zero (null pointers,
        // zero numbers); freed by free_tensor_meta.
        let p = unsafe { ds_sys::mem::new0::<NvDsInferTensorMeta>() };
        let raw = NonNull::new(p).unwrap_or_else(|| {
            std::alloc::handle_alloc_error(std::alloc::Layout::new::<NvDsInferTensorMeta>())
        });
        // SAFETY: freshly allocated, exclusively ours.
        unsafe {
            (*p).unique_id = unique_id;
            (*p).network_info = network_info;
        }
        TensorOutput { raw }
    }

    /// Sets `maintain_aspect_ratio`.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.set_maintain_aspect_ratio(true);
    /// assert!(out.maintain_aspect_ratio());
    /// ```
    pub fn set_maintain_aspect_ratio(&mut self, keep: bool) {
        // SAFETY: we own the struct and hold &mut self.
        unsafe { (*self.raw.as_ptr()).maintain_aspect_ratio = keep.into() };
    }

    /// Sets `gpu_id`.
    ///
    /// ```
    /// # use ds_core::tensor::{NetworkInfo, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.set_gpu_id(1);
    /// assert_eq!(out.gpu_id(), 1);
    /// ```
    pub fn set_gpu_id(&mut self, gpu_id: i32) {
        // SAFETY: we own the struct and hold &mut self.
        unsafe { (*self.raw.as_ptr()).gpu_id = gpu_id };
    }

    /// Appends an output layer, copying `data` into a new host buffer. The
    /// product of `dims` must equal the number of elements; at most 8
    /// dimensions. Its binding index is its position.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorError, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer("ok", &[2, 1], LayerData::Float(&[1.0, 2.0])).unwrap();
    /// assert_eq!(
    ///     out.push_layer("bad", &[1; 9], LayerData::Float(&[1.0])),
    ///     Err(TensorError::TooManyDims(9))
    /// );
    /// assert_eq!(out.num_output_layers(), 1);
    /// ```
    pub fn push_layer(
        &mut self,
        name: &str,
        dims: &[u32],
        data: LayerData<'_>,
    ) -> Result<(), TensorError> {
        self.push(name, None, dims, data)
    }

    /// Appends an output layer as [`push_layer`](Self::push_layer) does,
    /// with the engine's binding index of the layer. NVIDIA's nvinfer
    /// reports each output layer with its TensorRT binding index, where the
    /// input bindings come first: with one input, output `i` has binding
    /// index `1 + i`.
    ///
    /// ```
    /// # use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
    /// let mut out = TensorOutput::new(1, NetworkInfo::default());
    /// out.push_layer_with_binding("scores", 1, &[2], LayerData::Float(&[0.5, 0.25]))
    ///     .unwrap();
    /// out.push_layer_with_binding("boxes", 2, &[4], LayerData::Float(&[0.0; 4]))
    ///     .unwrap();
    /// let layer = out.layer_by_name("boxes").unwrap();
    /// assert_eq!(layer.binding_index(), 2);
    /// assert!(!layer.is_input());
    /// ```
    pub fn push_layer_with_binding(
        &mut self,
        name: &str,
        binding_index: i32,
        dims: &[u32],
        data: LayerData<'_>,
    ) -> Result<(), TensorError> {
        self.push(name, Some(binding_index), dims, data)
    }

    fn push(
        &mut self,
        name: &str,
        binding_index: Option<i32>,
        dims: &[u32],
        data: LayerData<'_>,
    ) -> Result<(), TensorError> {
        if dims.len() > NVDSINFER_MAX_DIMS {
            return Err(TensorError::TooManyDims(dims.len()));
        }
        let dims_elements = dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize))
            .ok_or(TensorError::TooLarge)?;
        if dims_elements != data.len() {
            return Err(TensorError::LengthMismatch {
                dims_elements,
                data_elements: data.len(),
            });
        }
        let num_elements = u32::try_from(data.len()).map_err(|_| TensorError::TooLarge)?;
        // SAFETY: we own the struct and hold &mut self.
        let meta = unsafe { &mut *self.raw.as_ptr() };
        let old_n = meta.num_output_layers as usize;
        let new_n = old_n + 1;
        let index = i32::try_from(old_n).map_err(|_| TensorError::TooLarge)?;

        let mut infer_dims = ds_sys::NvDsInferDims {
            numDims: dims.len() as u32,
            numElements: num_elements,
            ..Default::default()
        };
        infer_dims.d[..dims.len()].copy_from_slice(dims);

        let bytes = data.as_bytes();
        // SAFETY: a fresh allocation of bytes.len() (or 1) bytes; freed by
        // free_tensor_meta.
        let host = unsafe { ds_sys::mem::malloc0(bytes.len().max(1)) };
        // SAFETY: host holds at least bytes.len() bytes; no overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), host as *mut u8, bytes.len()) };

        let info = NvDsInferLayerInfo {
            dataType: data.data_type().to_raw(),
            inferDims: infer_dims,
            bindingIndex: binding_index.unwrap_or(index),
            layerName: ds_sys::mem::strdup_str(name),
            buffer: host,
            isInput: 0,
        };
        // SAFETY: the old arrays hold old_n entries (our invariant); the new
        // ones are allocated for new_n entries, filled, and replace the old
        // ones, which are freed (their entries moved, not duplicated).
        unsafe {
            let infos = ds_sys::mem::malloc0(new_n * std::mem::size_of::<NvDsInferLayerInfo>())
                as *mut NvDsInferLayerInfo;
            let hosts = ds_sys::mem::malloc0(new_n * std::mem::size_of::<*mut c_void>())
                as *mut *mut c_void;
            let devs = ds_sys::mem::malloc0(new_n * std::mem::size_of::<*mut c_void>())
                as *mut *mut c_void;
            if old_n > 0 {
                std::ptr::copy_nonoverlapping(meta.output_layers_info, infos, old_n);
                std::ptr::copy_nonoverlapping(meta.out_buf_ptrs_host, hosts, old_n);
            }
            infos.add(old_n).write(info);
            hosts.add(old_n).write(host);
            ds_sys::mem::free(meta.output_layers_info as *mut c_void);
            ds_sys::mem::free(meta.out_buf_ptrs_host as *mut c_void);
            ds_sys::mem::free(meta.out_buf_ptrs_dev as *mut c_void);
            meta.output_layers_info = infos;
            meta.out_buf_ptrs_host = hosts;
            // No device memory on this side: an array of NULLs, so C readers
            // indexing it see "no device buffer" instead of crashing.
            meta.out_buf_ptrs_dev = devs;
        }
        meta.num_output_layers = new_n as u32;
        Ok(())
    }

    /// Gives up ownership of the C struct (free it with a tensor meta
    /// release function, e.g. by attaching it as user meta).
    fn into_raw_ptr(self) -> *mut NvDsInferTensorMeta {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl std::ops::Deref for TensorOutput {
    type Target = TensorMeta;

    fn deref(&self) -> &TensorMeta {
        // SAFETY: TensorMeta is repr(transparent) over the struct we own.
        unsafe { &*(self.raw.as_ptr() as *const TensorMeta) }
    }
}

impl fmt::Debug for TensorOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Drop for TensorOutput {
    fn drop(&mut self) {
        // SAFETY: we own the struct and everything it points to.
        unsafe { free_tensor_meta(self.raw.as_ptr()) }
    }
}

impl Clone for TensorOutput {
    fn clone(&self) -> Self {
        // SAFETY: self.raw is a valid tensor meta built by TensorOutput.
        let p = unsafe { copy_tensor_meta(self.raw.as_ptr()) };
        TensorOutput {
            raw: NonNull::new(p).unwrap_or_else(|| {
                std::alloc::handle_alloc_error(std::alloc::Layout::new::<NvDsInferTensorMeta>())
            }),
        }
    }
}

/// Frees a tensor meta built by [`TensorOutput`].
///
/// # Safety
/// `p` is NULL or a tensor meta whose memory all comes from `ds_sys::mem`,
/// laid out as `TensorOutput` builds it; not used afterwards.
unsafe fn free_tensor_meta(p: *mut NvDsInferTensorMeta) {
    if p.is_null() {
        return;
    }
    // SAFETY: per the contract, the arrays hold num_output_layers entries
    // and every pointer came from ds_sys::mem; each is freed once (the
    // info's `buffer` aliases the host pointer and is not freed separately).
    unsafe {
        let m = &*p;
        let n = m.num_output_layers as usize;
        for i in 0..n {
            if !m.output_layers_info.is_null() {
                let info = &*m.output_layers_info.add(i);
                ds_sys::mem::free(info.layerName as *mut c_void);
            }
            if !m.out_buf_ptrs_host.is_null() {
                ds_sys::mem::free(*m.out_buf_ptrs_host.add(i));
            }
        }
        ds_sys::mem::free(m.output_layers_info as *mut c_void);
        ds_sys::mem::free(m.out_buf_ptrs_host as *mut c_void);
        ds_sys::mem::free(m.out_buf_ptrs_dev as *mut c_void);
        ds_sys::mem::free(p as *mut c_void);
    }
}

/// Deep-copies a tensor meta built by [`TensorOutput`].
///
/// # Safety
/// `src` is a valid tensor meta laid out as `TensorOutput` builds it.
unsafe fn copy_tensor_meta(src: *const NvDsInferTensorMeta) -> *mut NvDsInferTensorMeta {
    // SAFETY: src is valid per the contract.
    let s = unsafe { &*(src as *const TensorMeta) };
    let mut out = TensorOutput::new(s.unique_id(), s.network_info());
    out.set_gpu_id(s.gpu_id());
    out.set_maintain_aspect_ratio(s.maintain_aspect_ratio());
    for layer in s.layers() {
        let pushed = match layer.data() {
            Ok(d) => out.push_layer(layer.name(), layer.dims(), d).is_ok(),
            Err(_) => false,
        };
        if !pushed {
            // Keep the layer count and names even if the data could not be
            // read (cannot happen for a TensorOutput-built meta).
            let _ = out.push_layer(layer.name(), &[0], LayerData::Uint8(&[]));
        }
        // SAFETY: the layer just pushed is the last one; copy is_input.
        unsafe {
            let m = &mut *out.raw.as_ptr();
            let last = &mut *m.output_layers_info.add(m.num_output_layers as usize - 1);
            last.isInput = layer.as_raw().isInput;
            last.bindingIndex = layer.binding_index();
            last.dataType = layer.as_raw().dataType;
        }
    }
    out.into_raw_ptr()
}

unsafe extern "C" fn tensor_output_copy(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: DeepStream passes the NvDsUserMeta whose base_meta holds this
    // copy function, so user_meta_data is a TensorOutput-built meta (or
    // NULL).
    unsafe {
        let src = (*um).user_meta_data as *const NvDsInferTensorMeta;
        if src.is_null() {
            return std::ptr::null_mut();
        }
        copy_tensor_meta(src) as *mut c_void
    }
}

unsafe extern "C" fn tensor_output_release(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return;
    }
    // SAFETY: as in tensor_output_copy; the pointer is cleared so the meta
    // is released once.
    unsafe {
        free_tensor_meta((*um).user_meta_data as *mut NvDsInferTensorMeta);
        (*um).user_meta_data = std::ptr::null_mut();
    }
}

// SAFETY: into_raw gives a TensorOutput-built meta that tensor_output_release
// frees and tensor_output_copy deep-copies; accepts checks DeepStream's meta
// type, whose contract is that user_meta_data is an NvDsInferTensorMeta, and
// TensorMeta is repr(transparent) over it.
unsafe impl UserMetaData for TensorOutput {
    type Ref = TensorMeta;

    fn meta_type(&self) -> NvDsMetaType {
        NVDSINFER_TENSOR_OUTPUT_META
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        meta.base_meta.meta_type == NVDSINFER_TENSOR_OUTPUT_META
    }

    fn into_raw(self) -> *mut c_void {
        self.into_raw_ptr() as *mut c_void
    }

    fn copy_func() -> NvDsMetaCopyFunc {
        Some(tensor_output_copy)
    }

    fn release_func() -> NvDsMetaReleaseFunc {
        Some(tensor_output_release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_meta_with(out: TensorOutput) -> NvDsUserMeta {
        // SAFETY: all-zero NvDsUserMeta is valid (null pointers, None fns).
        let mut um: NvDsUserMeta = unsafe { std::mem::zeroed() };
        um.base_meta.meta_type = out.meta_type();
        um.base_meta.copy_func = TensorOutput::copy_func();
        um.base_meta.release_func = TensorOutput::release_func();
        um.user_meta_data = out.into_raw();
        um
    }

    #[test]
    fn copy_and_release_through_user_meta_functions() {
        let mut out = TensorOutput::new(9, NetworkInfo::default());
        out.push_layer("a", &[2], LayerData::Float(&[1.0, 2.0]))
            .unwrap();
        out.push_layer("b", &[3], LayerData::Uint8(&[1, 2, 3]))
            .unwrap();
        let mut um = user_meta_with(out);
        let copy = um.base_meta.copy_func.unwrap();
        let release = um.base_meta.release_func.unwrap();
        // SAFETY: um holds a TensorOutput-built meta with our functions.
        let dup = unsafe { copy(&mut um as *mut _ as *mut c_void, std::ptr::null_mut()) };
        let mut um2 = user_meta_with(TensorOutput::new(0, NetworkInfo::default()));
        // SAFETY: swap in the copy; the placeholder is released by hand.
        unsafe {
            release(&mut um2 as *mut _ as *mut c_void, std::ptr::null_mut());
        }
        um2.user_meta_data = dup;
        // SAFETY: um2.user_meta_data is the deep copy.
        let view = unsafe { &*(um2.user_meta_data as *const TensorMeta) };
        assert_eq!(view.unique_id(), 9);
        assert_eq!(view.layer(0).unwrap().as_f32(), Some(&[1.0f32, 2.0][..]));
        assert_eq!(
            view.layer(1).unwrap().data(),
            Ok(LayerData::Uint8(&[1, 2, 3]))
        );
        // Distinct buffers.
        // SAFETY: both are valid tensor metas.
        unsafe {
            let a = *(*(um.user_meta_data as *const NvDsInferTensorMeta)).out_buf_ptrs_host;
            let b = *(*(um2.user_meta_data as *const NvDsInferTensorMeta)).out_buf_ptrs_host;
            assert_ne!(a, b);
            release(&mut um as *mut _ as *mut c_void, std::ptr::null_mut());
            release(&mut um2 as *mut _ as *mut c_void, std::ptr::null_mut());
        }
        assert!(um.user_meta_data.is_null());
        assert!(um2.user_meta_data.is_null());
    }
}
