//! Batched video surfaces (`nvbufsurface.h`, DeepStream 7.1).
//!
//! A GStreamer buffer in `video/x-raw(memory:NVMM)` carries one
//! [`NvBufSurface`] in its memory: a batch of `batchSize` buffers
//! (`surfaceList`), of which `numFilled` are valid.
//!
//! 7.1 decisions (numbers checked in `tests/layout.rs`):
//! * Structs follow the 7.1 API reference pages: `NvBufSurfacePlaneParamsEx`
//!   has `drmModifier` (reserved array shrunk to keep the 6.2 size),
//!   `NvBufSurfaceAllocateParams` has `disablePitchPadding` and
//!   `_reservedParam` (same size as 6.2), `NvBufSurfaceParams` has `paramex`
//!   and no `cudaBuffer`, `NvBufSurface` has no `isImportedBuf`, and
//!   `NvBufSurfaceCreateParams` / `NvBufSurfaceChromaSubsamplingParams` have
//!   no reserved tail (those three were added in 8.0).
//! * [`NvBufSurfaceColorFormat`]: values 0 (`INVALID`) to 70 (`UYVP_ER`) are
//!   identical in the 6.2 and 8.0 headers. 8.0 appends 33 more before
//!   `LAST`; 6.3 already has 71..=87 (`NV12_12LE_709_ER`) with the same
//!   values. A comparison with 7.1 reported `LAST` = 93 there, so 7.1 is
//!   taken to hold 88 (`GRAY8_ER`) to 92 (`GRAY16_LE`) and not 8.0's
//!   `BGRA64_LE` (93) nor its ten `NV16_*` formats (6.3: `LAST` 88, 8.0:
//!   104). **88..=92 and `LAST` are unconfirmed for 7.1** (rows marked in
//!   `abi/ds-7.1.abi`; the ABI guard checks them on a real SDK); nothing in
//!   this project uses them.
use std::os::raw::{c_int, c_uint, c_void};

/// Default length of the reserved arrays (`STRUCTURE_PADDING`).
pub const STRUCTURE_PADDING: usize = 4;
/// Maximum number of planes of a buffer (`NVBUF_MAX_PLANES`).
pub const NVBUF_MAX_PLANES: usize = 4;
/// Default horizontal chroma location.
pub const NVBUFSURFACE_CHROMA_SUBSAMPLING_HORIZ_DEFAULT: u8 = 0;
/// Default vertical chroma location.
pub const NVBUFSURFACE_CHROMA_SUBSAMPLING_VERT_DEFAULT: u8 = 1;

/// Access requested from [`NvBufSurfaceMap`] (`NvBufSurfaceMemMapFlags`).
pub type NvBufSurfaceMemMapFlags = c_int;
pub const NVBUF_MAP_READ: NvBufSurfaceMemMapFlags = 0;
pub const NVBUF_MAP_WRITE: NvBufSurfaceMemMapFlags = 1;
pub const NVBUF_MAP_READ_WRITE: NvBufSurfaceMemMapFlags = 2;

/// Allocation tag of a Jetson buffer (`NvBufSurfaceTag`).
pub type NvBufSurfaceTag = c_int;
pub const NvBufSurfaceTag_NONE: NvBufSurfaceTag = 0x0;
pub const NvBufSurfaceTag_CAMERA: NvBufSurfaceTag = 0x200;
pub const NvBufSurfaceTag_JPEG: NvBufSurfaceTag = 0x1500;
pub const NvBufSurfaceTag_PROTECTED: NvBufSurfaceTag = 0x1504;
pub const NvBufSurfaceTag_VIDEO_ENC: NvBufSurfaceTag = 0x1200;
pub const NvBufSurfaceTag_VIDEO_DEC: NvBufSurfaceTag = 0x1400;
pub const NvBufSurfaceTag_VIDEO_CONVERT: NvBufSurfaceTag = 0xf01;

/// Pixel format of a buffer (`NvBufSurfaceColorFormat`, C enum).
///
/// `_ER` = extended (full) range, `_709` / `_2020` = BT.709 / BT.2020;
/// plain YUV formats are BT.601 limited range.
pub type NvBufSurfaceColorFormat = c_int;
pub const NVBUF_COLOR_FORMAT_INVALID: NvBufSurfaceColorFormat = 0;
/// 8-bit grey, one plane.
pub const NVBUF_COLOR_FORMAT_GRAY8: NvBufSurfaceColorFormat = 1;
/// I420: Y, U, V planes, chroma halved both ways.
pub const NVBUF_COLOR_FORMAT_YUV420: NvBufSurfaceColorFormat = 2;
/// YV12: Y, V, U planes.
pub const NVBUF_COLOR_FORMAT_YVU420: NvBufSurfaceColorFormat = 3;
pub const NVBUF_COLOR_FORMAT_YUV420_ER: NvBufSurfaceColorFormat = 4;
pub const NVBUF_COLOR_FORMAT_YVU420_ER: NvBufSurfaceColorFormat = 5;
/// NV12: Y plane, interleaved UV plane, chroma halved both ways.
pub const NVBUF_COLOR_FORMAT_NV12: NvBufSurfaceColorFormat = 6;
pub const NVBUF_COLOR_FORMAT_NV12_ER: NvBufSurfaceColorFormat = 7;
/// NV21: Y plane, interleaved VU plane.
pub const NVBUF_COLOR_FORMAT_NV21: NvBufSurfaceColorFormat = 8;
pub const NVBUF_COLOR_FORMAT_NV21_ER: NvBufSurfaceColorFormat = 9;
/// Packed 4:2:2, byte order U Y V Y.
pub const NVBUF_COLOR_FORMAT_UYVY: NvBufSurfaceColorFormat = 10;
pub const NVBUF_COLOR_FORMAT_UYVY_ER: NvBufSurfaceColorFormat = 11;
pub const NVBUF_COLOR_FORMAT_VYUY: NvBufSurfaceColorFormat = 12;
pub const NVBUF_COLOR_FORMAT_VYUY_ER: NvBufSurfaceColorFormat = 13;
/// Packed 4:2:2, byte order Y U Y V.
pub const NVBUF_COLOR_FORMAT_YUYV: NvBufSurfaceColorFormat = 14;
pub const NVBUF_COLOR_FORMAT_YUYV_ER: NvBufSurfaceColorFormat = 15;
pub const NVBUF_COLOR_FORMAT_YVYU: NvBufSurfaceColorFormat = 16;
pub const NVBUF_COLOR_FORMAT_YVYU_ER: NvBufSurfaceColorFormat = 17;
/// Planar 4:4:4.
pub const NVBUF_COLOR_FORMAT_YUV444: NvBufSurfaceColorFormat = 18;
/// Packed 8-bit R G B A.
pub const NVBUF_COLOR_FORMAT_RGBA: NvBufSurfaceColorFormat = 19;
pub const NVBUF_COLOR_FORMAT_BGRA: NvBufSurfaceColorFormat = 20;
pub const NVBUF_COLOR_FORMAT_ARGB: NvBufSurfaceColorFormat = 21;
pub const NVBUF_COLOR_FORMAT_ABGR: NvBufSurfaceColorFormat = 22;
pub const NVBUF_COLOR_FORMAT_RGBx: NvBufSurfaceColorFormat = 23;
pub const NVBUF_COLOR_FORMAT_BGRx: NvBufSurfaceColorFormat = 24;
pub const NVBUF_COLOR_FORMAT_xRGB: NvBufSurfaceColorFormat = 25;
pub const NVBUF_COLOR_FORMAT_xBGR: NvBufSurfaceColorFormat = 26;
/// Packed 8-bit R G B (3 bytes per pixel).
pub const NVBUF_COLOR_FORMAT_RGB: NvBufSurfaceColorFormat = 27;
pub const NVBUF_COLOR_FORMAT_BGR: NvBufSurfaceColorFormat = 28;
pub const NVBUF_COLOR_FORMAT_NV12_10LE: NvBufSurfaceColorFormat = 29;
pub const NVBUF_COLOR_FORMAT_NV12_12LE: NvBufSurfaceColorFormat = 30;
pub const NVBUF_COLOR_FORMAT_YUV420_709: NvBufSurfaceColorFormat = 31;
pub const NVBUF_COLOR_FORMAT_YUV420_709_ER: NvBufSurfaceColorFormat = 32;
pub const NVBUF_COLOR_FORMAT_NV12_709: NvBufSurfaceColorFormat = 33;
pub const NVBUF_COLOR_FORMAT_NV12_709_ER: NvBufSurfaceColorFormat = 34;
pub const NVBUF_COLOR_FORMAT_YUV420_2020: NvBufSurfaceColorFormat = 35;
pub const NVBUF_COLOR_FORMAT_NV12_2020: NvBufSurfaceColorFormat = 36;
pub const NVBUF_COLOR_FORMAT_NV12_10LE_ER: NvBufSurfaceColorFormat = 37;
pub const NVBUF_COLOR_FORMAT_NV12_10LE_709: NvBufSurfaceColorFormat = 38;
pub const NVBUF_COLOR_FORMAT_NV12_10LE_709_ER: NvBufSurfaceColorFormat = 39;
pub const NVBUF_COLOR_FORMAT_NV12_10LE_2020: NvBufSurfaceColorFormat = 40;
pub const NVBUF_COLOR_FORMAT_SIGNED_R16G16: NvBufSurfaceColorFormat = 41;
/// Planar 8-bit R, G, B.
pub const NVBUF_COLOR_FORMAT_R8_G8_B8: NvBufSurfaceColorFormat = 42;
pub const NVBUF_COLOR_FORMAT_B8_G8_R8: NvBufSurfaceColorFormat = 43;
pub const NVBUF_COLOR_FORMAT_R32F_G32F_B32F: NvBufSurfaceColorFormat = 44;
pub const NVBUF_COLOR_FORMAT_B32F_G32F_R32F: NvBufSurfaceColorFormat = 45;
pub const NVBUF_COLOR_FORMAT_YUV422: NvBufSurfaceColorFormat = 46;
pub const NVBUF_COLOR_FORMAT_NV21_10LE: NvBufSurfaceColorFormat = 47;
pub const NVBUF_COLOR_FORMAT_NV21_12LE: NvBufSurfaceColorFormat = 48;
pub const NVBUF_COLOR_FORMAT_NV12_12LE_2020: NvBufSurfaceColorFormat = 49;
/// NV16: Y plane, interleaved UV plane, chroma halved horizontally.
pub const NVBUF_COLOR_FORMAT_NV16: NvBufSurfaceColorFormat = 50;
pub const NVBUF_COLOR_FORMAT_NV16_10LE: NvBufSurfaceColorFormat = 51;
/// NV24: Y plane, interleaved UV plane, full-resolution chroma.
pub const NVBUF_COLOR_FORMAT_NV24: NvBufSurfaceColorFormat = 52;
pub const NVBUF_COLOR_FORMAT_NV24_10LE: NvBufSurfaceColorFormat = 53;
pub const NVBUF_COLOR_FORMAT_NV16_ER: NvBufSurfaceColorFormat = 54;
pub const NVBUF_COLOR_FORMAT_NV24_ER: NvBufSurfaceColorFormat = 55;
pub const NVBUF_COLOR_FORMAT_NV16_709: NvBufSurfaceColorFormat = 56;
pub const NVBUF_COLOR_FORMAT_NV24_709: NvBufSurfaceColorFormat = 57;
pub const NVBUF_COLOR_FORMAT_NV16_709_ER: NvBufSurfaceColorFormat = 58;
pub const NVBUF_COLOR_FORMAT_NV24_709_ER: NvBufSurfaceColorFormat = 59;
pub const NVBUF_COLOR_FORMAT_NV24_10LE_709: NvBufSurfaceColorFormat = 60;
pub const NVBUF_COLOR_FORMAT_NV24_10LE_709_ER: NvBufSurfaceColorFormat = 61;
pub const NVBUF_COLOR_FORMAT_NV24_10LE_2020: NvBufSurfaceColorFormat = 62;
pub const NVBUF_COLOR_FORMAT_NV24_12LE_2020: NvBufSurfaceColorFormat = 63;
pub const NVBUF_COLOR_FORMAT_RGBA_10_10_10_2_709: NvBufSurfaceColorFormat = 64;
pub const NVBUF_COLOR_FORMAT_RGBA_10_10_10_2_2020: NvBufSurfaceColorFormat = 65;
pub const NVBUF_COLOR_FORMAT_BGRA_10_10_10_2_709: NvBufSurfaceColorFormat = 66;
pub const NVBUF_COLOR_FORMAT_BGRA_10_10_10_2_2020: NvBufSurfaceColorFormat = 67;
pub const NVBUF_COLOR_FORMAT_A32: NvBufSurfaceColorFormat = 68;
pub const NVBUF_COLOR_FORMAT_UYVP: NvBufSurfaceColorFormat = 69;
pub const NVBUF_COLOR_FORMAT_UYVP_ER: NvBufSurfaceColorFormat = 70;
// 71..=87: in 6.3 and 8.0 alike. 88..=92: in 8.0, taken as present in 7.1 (unconfirmed).
pub const NVBUF_COLOR_FORMAT_YUV444_ER: NvBufSurfaceColorFormat = 71;
pub const NVBUF_COLOR_FORMAT_YUV444_709: NvBufSurfaceColorFormat = 72;
pub const NVBUF_COLOR_FORMAT_YUV444_709_ER: NvBufSurfaceColorFormat = 73;
pub const NVBUF_COLOR_FORMAT_YUV444_2020: NvBufSurfaceColorFormat = 74;
pub const NVBUF_COLOR_FORMAT_YUV444_10LE: NvBufSurfaceColorFormat = 75;
pub const NVBUF_COLOR_FORMAT_YUV444_10LE_ER: NvBufSurfaceColorFormat = 76;
pub const NVBUF_COLOR_FORMAT_YUV444_10LE_709: NvBufSurfaceColorFormat = 77;
pub const NVBUF_COLOR_FORMAT_YUV444_10LE_709_ER: NvBufSurfaceColorFormat = 78;
pub const NVBUF_COLOR_FORMAT_YUV444_10LE_2020: NvBufSurfaceColorFormat = 79;
pub const NVBUF_COLOR_FORMAT_YUV444_12LE: NvBufSurfaceColorFormat = 80;
pub const NVBUF_COLOR_FORMAT_YUV444_12LE_ER: NvBufSurfaceColorFormat = 81;
pub const NVBUF_COLOR_FORMAT_YUV444_12LE_709: NvBufSurfaceColorFormat = 82;
pub const NVBUF_COLOR_FORMAT_YUV444_12LE_709_ER: NvBufSurfaceColorFormat = 83;
pub const NVBUF_COLOR_FORMAT_YUV444_12LE_2020: NvBufSurfaceColorFormat = 84;
pub const NVBUF_COLOR_FORMAT_NV12_12LE_ER: NvBufSurfaceColorFormat = 85;
pub const NVBUF_COLOR_FORMAT_NV12_12LE_709: NvBufSurfaceColorFormat = 86;
pub const NVBUF_COLOR_FORMAT_NV12_12LE_709_ER: NvBufSurfaceColorFormat = 87;
pub const NVBUF_COLOR_FORMAT_GRAY8_ER: NvBufSurfaceColorFormat = 88;
pub const NVBUF_COLOR_FORMAT_UYVY_709: NvBufSurfaceColorFormat = 89;
pub const NVBUF_COLOR_FORMAT_UYVY_709_ER: NvBufSurfaceColorFormat = 90;
pub const NVBUF_COLOR_FORMAT_UYVY_2020: NvBufSurfaceColorFormat = 91;
pub const NVBUF_COLOR_FORMAT_GRAY16_LE: NvBufSurfaceColorFormat = 92;
/// One past the last format (unconfirmed for 7.1, see module docs).
pub const NVBUF_COLOR_FORMAT_LAST: NvBufSurfaceColorFormat = 93;

/// Memory layout of a buffer (`NvBufSurfaceLayout`).
pub type NvBufSurfaceLayout = c_int;
/// Pitch linear (the only layout on dGPU and on the open backend).
pub const NVBUF_LAYOUT_PITCH: NvBufSurfaceLayout = 0;
/// Jetson block linear.
pub const NVBUF_LAYOUT_BLOCK_LINEAR: NvBufSurfaceLayout = 1;

/// Kind of memory of a batch (`NvBufSurfaceMemType`).
pub type NvBufSurfaceMemType = c_int;
/// CUDA device memory on dGPU, surface array on Jetson.
pub const NVBUF_MEM_DEFAULT: NvBufSurfaceMemType = 0;
pub const NVBUF_MEM_CUDA_PINNED: NvBufSurfaceMemType = 1;
pub const NVBUF_MEM_CUDA_DEVICE: NvBufSurfaceMemType = 2;
pub const NVBUF_MEM_CUDA_UNIFIED: NvBufSurfaceMemType = 3;
/// Jetson NVMM surface array.
pub const NVBUF_MEM_SURFACE_ARRAY: NvBufSurfaceMemType = 4;
/// Jetson NVMM handle.
pub const NVBUF_MEM_HANDLE: NvBufSurfaceMemType = 5;
/// Host memory from `malloc`.
pub const NVBUF_MEM_SYSTEM: NvBufSurfaceMemType = 6;

/// Progressive or interlaced (`NvBufSurfaceDisplayScanFormat`).
pub type NvBufSurfaceDisplayScanFormat = c_int;
pub const NVBUF_DISPLAYSCANFORMAT_PROGRESSIVE: NvBufSurfaceDisplayScanFormat = 0;
pub const NVBUF_DISPLAYSCANFORMAT_INTERLACED: NvBufSurfaceDisplayScanFormat = 1;

/// Extended per-plane parameters (`NvBufSurfacePlaneParamsEx`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfacePlaneParamsEx {
    pub scanformat: [NvBufSurfaceDisplayScanFormat; NVBUF_MAX_PLANES],
    /// Offset of the second field of an interlaced plane.
    pub secondfieldoffset: [u32; NVBUF_MAX_PLANES],
    /// log2 of the block height (block-linear layout).
    pub blockheightlog2: [u32; NVBUF_MAX_PLANES],
    pub physicaladdress: [u32; NVBUF_MAX_PLANES],
    pub flags: [u64; NVBUF_MAX_PLANES],
    /// DRM format modifier of each plane.
    pub drmModifier: [u64; NVBUF_MAX_PLANES],
    pub _reserved: [*mut c_void; (STRUCTURE_PADDING - 1) * NVBUF_MAX_PLANES],
}

/// Per-plane geometry (`NvBufSurfacePlaneParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfacePlaneParams {
    /// Number of planes of the format.
    pub num_planes: u32,
    /// Width of each plane in pixels (samples).
    pub width: [u32; NVBUF_MAX_PLANES],
    /// Height of each plane in rows.
    pub height: [u32; NVBUF_MAX_PLANES],
    /// Bytes from one row to the next.
    pub pitch: [u32; NVBUF_MAX_PLANES],
    /// Byte offset of each plane from `dataPtr`.
    pub offset: [u32; NVBUF_MAX_PLANES],
    /// Bytes occupied by each plane.
    pub psize: [u32; NVBUF_MAX_PLANES],
    /// Bytes per pixel (sample group) of each plane.
    pub bytesPerPix: [u32; NVBUF_MAX_PLANES],
    pub _reserved: [*mut c_void; STRUCTURE_PADDING * NVBUF_MAX_PLANES],
}

/// Chroma siting (`NvBufSurfaceChromaSubsamplingParams`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NvBufSurfaceChromaSubsamplingParams {
    pub chromaLocHoriz: u8,
    pub chromaLocVert: u8,
}

/// Parameters of [`NvBufSurfaceCreate`] (`NvBufSurfaceCreateParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfaceCreateParams {
    /// GPU to allocate on (multi-GPU systems).
    pub gpuId: u32,
    pub width: u32,
    pub height: u32,
    /// Bytes to allocate per buffer; non-zero means a raw allocation and the
    /// other geometry fields are ignored.
    pub size: u32,
    /// Allocate the whole batch as one block (CUDA memory types).
    pub isContiguous: bool,
    pub colorFormat: NvBufSurfaceColorFormat,
    pub layout: NvBufSurfaceLayout,
    pub memType: NvBufSurfaceMemType,
}

/// Parameters of [`NvBufSurfaceAllocate`] (`NvBufSurfaceAllocateParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfaceAllocateParams {
    pub params: NvBufSurfaceCreateParams,
    pub displayscanformat: NvBufSurfaceDisplayScanFormat,
    pub chromaSubsampling: NvBufSurfaceChromaSubsamplingParams,
    pub memtag: NvBufSurfaceTag,
    /// Use pitch = width * bytes per pixel (no row alignment); CUDA and
    /// system memory only.
    pub disablePitchPadding: bool,
    pub _reservedParam: u32,
    pub _reserved: [*mut c_void; STRUCTURE_PADDING - 1],
}

/// CPU / EGL mappings of one buffer (`NvBufSurfaceMappedAddr`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfaceMappedAddr {
    /// CPU address of each plane, set by [`NvBufSurfaceMap`], NULL when unmapped.
    pub addr: [*mut c_void; NVBUF_MAX_PLANES],
    /// EGLImage of the buffer, set by [`NvBufSurfaceMapEglImage`].
    pub eglImage: *mut c_void,
    pub _reserved: [*mut c_void; STRUCTURE_PADDING],
}

/// Extended parameters of one buffer (`NvBufSurfaceParamsEx`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfaceParamsEx {
    /// Offset of valid data (NVBUF_MEM_HANDLE).
    pub startofvaliddata: i32,
    /// Bytes of valid data (NVBUF_MEM_HANDLE).
    pub sizeofvaliddatainbytes: i32,
    pub chromaSubsampling: NvBufSurfaceChromaSubsamplingParams,
    /// DRM-protected buffer.
    pub is_protected: bool,
    pub planeParamsex: NvBufSurfacePlaneParamsEx,
    pub _reserved: [*mut c_void; STRUCTURE_PADDING],
}

/// One buffer of a batch (`NvBufSurfaceParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvBufSurfaceParams {
    pub width: u32,
    pub height: u32,
    /// Pitch of plane 0.
    pub pitch: u32,
    pub colorFormat: NvBufSurfaceColorFormat,
    pub layout: NvBufSurfaceLayout,
    /// DMA-buf fd (surface array / handle memory only).
    pub bufferDesc: u64,
    /// Bytes allocated for this buffer.
    pub dataSize: u32,
    /// Start of the buffer (not valid for surface array / handle memory).
    pub dataPtr: *mut c_void,
    pub planeParams: NvBufSurfacePlaneParams,
    pub mappedAddr: NvBufSurfaceMappedAddr,
    pub paramex: *mut NvBufSurfaceParamsEx,
    pub _reserved: [*mut c_void; STRUCTURE_PADDING - 1],
}

/// A batch of buffers (`NvBufSurface`).
#[repr(C)]
#[derive(Debug)]
pub struct NvBufSurface {
    pub gpuId: u32,
    /// Number of entries in `surfaceList`.
    pub batchSize: u32,
    /// Number of valid entries; 0 after creation.
    pub numFilled: u32,
    pub isContiguous: bool,
    pub memType: NvBufSurfaceMemType,
    /// `batchSize` buffers.
    pub surfaceList: *mut NvBufSurfaceParams,
    pub _reserved: [*mut c_void; STRUCTURE_PADDING],
}

extern "C" {
    /// Allocates a batch of `batchSize` buffers; `numFilled` starts at 0.
    pub fn NvBufSurfaceCreate(
        surf: *mut *mut NvBufSurface,
        batchSize: u32,
        params: *mut NvBufSurfaceCreateParams,
    ) -> c_int;
    /// Like [`NvBufSurfaceCreate`] with extended parameters.
    pub fn NvBufSurfaceAllocate(
        surf: *mut *mut NvBufSurface,
        batchSize: u32,
        paramsext: *mut NvBufSurfaceAllocateParams,
    ) -> c_int;
    /// Frees a batch from [`NvBufSurfaceCreate`] / [`NvBufSurfaceAllocate`].
    pub fn NvBufSurfaceDestroy(surf: *mut NvBufSurface) -> c_int;
    /// Maps buffer `index` plane `plane` for the CPU (-1 = all) and sets
    /// `mappedAddr.addr`.
    pub fn NvBufSurfaceMap(
        surf: *mut NvBufSurface,
        index: c_int,
        plane: c_int,
        type_: NvBufSurfaceMemMapFlags,
    ) -> c_int;
    /// Undoes [`NvBufSurfaceMap`] (-1 = all).
    pub fn NvBufSurfaceUnMap(surf: *mut NvBufSurface, index: c_int, plane: c_int) -> c_int;
    /// Copies the contents of one batch into another of the same geometry.
    pub fn NvBufSurfaceCopy(srcSurf: *mut NvBufSurface, dstSurf: *mut NvBufSurface) -> c_int;
    /// Copies one plane of buffer `index` out to `ptr`.
    pub fn NvBufSurface2Raw(
        Surf: *mut NvBufSurface,
        index: c_uint,
        plane: c_uint,
        outwidth: c_uint,
        outheight: c_uint,
        ptr: *mut u8,
    ) -> c_int;
    /// Copies `ptr` into one plane of buffer `index`.
    pub fn Raw2NvBufSurface(
        ptr: *mut u8,
        index: c_uint,
        plane: c_uint,
        inwidth: c_uint,
        inheight: c_uint,
        Surf: *mut NvBufSurface,
    ) -> c_int;
    /// Makes device writes visible to the CPU mapping (-1 = all).
    pub fn NvBufSurfaceSyncForCpu(surf: *mut NvBufSurface, index: c_int, plane: c_int) -> c_int;
    /// Makes CPU writes through the mapping visible to the device (-1 = all).
    pub fn NvBufSurfaceSyncForDevice(surf: *mut NvBufSurface, index: c_int, plane: c_int) -> c_int;
    /// Looks up the NvBufSurface of a DMA-buf fd (Jetson).
    pub fn NvBufSurfaceFromFd(dmabuf_fd: c_int, buffer: *mut *mut c_void) -> c_int;
    /// Fills plane `plane` of buffer `index` with `value` (-1 = all).
    pub fn NvBufSurfaceMemSet(
        surf: *mut NvBufSurface,
        index: c_int,
        plane: c_int,
        value: u8,
    ) -> c_int;
    /// Creates an EGLImage for buffer `index` (-1 = all) into
    /// `mappedAddr.eglImage`.
    pub fn NvBufSurfaceMapEglImage(surf: *mut NvBufSurface, index: c_int) -> c_int;
    /// Destroys the EGLImage of buffer `index` (-1 = all).
    pub fn NvBufSurfaceUnMapEglImage(surf: *mut NvBufSurface, index: c_int) -> c_int;
}
