//! The question the samples' `platform_info.py` asks CUDA: is the first GPU
//! integrated (Jetson / Tegra) or discrete (dGPU, including ARM servers
//! such as GH200 or IGX with a discrete card)?
//!
//! The samples call `cuInit`, `cuDeviceGetCount` and read
//! `cudaDeviceProp.integrated` of device 0. We ask the CUDA driver library
//! (`libcuda.so.1`, loaded at run time so that nothing links against CUDA)
//! for the same fact through `cuDeviceGetAttribute` with
//! `CU_DEVICE_ATTRIBUTE_INTEGRATED`, which is the field
//! `cudaGetDeviceProperties` copies into `integrated`. Attribute value 18 is
//! from `cuda.h` (`CUdevice_attribute`), stable since CUDA 2.x.
//!
//! Where there is no driver (the open backend's usual machine) the answer
//! is [`CudaError::NoDriver`] and [`PlatformProbe`](super::PlatformProbe)
//! falls back to the files a Jetson has.
//!
//! ```
//! match ds_core::app::cuda::integrated_gpu() {
//!     Ok(integrated) => println!("Is it Integrated GPU? : {}", integrated as i32),
//!     Err(e) => println!("no answer from CUDA: {e}"),
//! }
//! ```

use std::fmt;

/// `CU_DEVICE_ATTRIBUTE_INTEGRATED` (`cuda.h`).
const CU_DEVICE_ATTRIBUTE_INTEGRATED: i32 = 18;
/// `CUDA_SUCCESS`.
const CUDA_SUCCESS: i32 = 0;

/// Why CUDA gave no answer; the texts follow the sample's `ERROR:` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CudaError {
    /// `libcuda.so.1` could not be loaded (no NVIDIA driver).
    NoDriver(String),
    /// `cuInit` returned this `CUresult`.
    Init(i32),
    /// `cuDeviceGetCount` returned this `CUresult`.
    DeviceCount(i32),
    /// The driver reports no device.
    NoDevice,
    /// `cuDeviceGetAttribute` returned this `CUresult`.
    Attribute(i32),
}

impl fmt::Display for CudaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CudaError::NoDriver(why) => write!(f, "Loading the CUDA driver failed: {why}"),
            CudaError::Init(r) => write!(f, "Cuda init failed: {r}"),
            CudaError::DeviceCount(r) => write!(f, "Getting cuda device count failed: {r}"),
            CudaError::NoDevice => write!(f, "No cuda devices found to check whether iGPU/dGPU"),
            CudaError::Attribute(r) => write!(f, "Getting cuda device property failed: {r}"),
        }
    }
}

impl std::error::Error for CudaError {}

type CuInit = unsafe extern "C" fn(flags: u32) -> i32;
type CuDeviceGetCount = unsafe extern "C" fn(count: *mut i32) -> i32;
type CuDeviceGet = unsafe extern "C" fn(device: *mut i32, ordinal: i32) -> i32;
type CuDeviceGetAttribute = unsafe extern "C" fn(value: *mut i32, attrib: i32, dev: i32) -> i32;

/// Whether CUDA device 0 is an integrated GPU, asked of the CUDA driver as
/// the samples ask it. `Err` says why there is no answer.
///
/// ```
/// // On a machine without an NVIDIA driver:
/// if let Err(e) = ds_core::app::cuda::integrated_gpu() {
///     assert!(!e.to_string().is_empty());
/// }
/// ```
pub fn integrated_gpu() -> Result<bool, CudaError> {
    // SAFETY: loading libcuda runs its initialisers, which is what every
    // CUDA program does; the library stays loaded for the calls below.
    let lib = unsafe { libloading::Library::new("libcuda.so.1") }
        .map_err(|e| CudaError::NoDriver(e.to_string()))?;
    // SAFETY: the four symbols are the CUDA driver API's, with the C
    // signatures declared above (cuda.h: CUresult is an int enum, CUdevice
    // an int).
    let (init, count, get, attribute) = unsafe {
        let sym = |e: libloading::Error| CudaError::NoDriver(e.to_string());
        (
            *lib.get::<CuInit>(b"cuInit\0").map_err(sym)?,
            *lib.get::<CuDeviceGetCount>(b"cuDeviceGetCount\0")
                .map_err(sym)?,
            *lib.get::<CuDeviceGet>(b"cuDeviceGet\0").map_err(sym)?,
            *lib.get::<CuDeviceGetAttribute>(b"cuDeviceGetAttribute\0")
                .map_err(sym)?,
        )
    };
    // SAFETY: plain driver calls with valid out-pointers to locals; `lib`
    // outlives them.
    unsafe {
        let r = init(0);
        if r != CUDA_SUCCESS {
            return Err(CudaError::Init(r));
        }
        let mut n = 0;
        let r = count(&mut n);
        if r != CUDA_SUCCESS {
            return Err(CudaError::DeviceCount(r));
        }
        if n < 1 {
            return Err(CudaError::NoDevice);
        }
        let mut dev = 0;
        let r = get(&mut dev, 0);
        if r != CUDA_SUCCESS {
            return Err(CudaError::Attribute(r));
        }
        let mut integrated = 0;
        let r = attribute(&mut integrated, CU_DEVICE_ATTRIBUTE_INTEGRATED, dev);
        if r != CUDA_SUCCESS {
            return Err(CudaError::Attribute(r));
        }
        drop(lib);
        Ok(integrated != 0)
    }
}
