//! Open NvBufSurface implementation (system memory).
//!
//! Exports `NvBufSurfaceCreate`, `NvBufSurfaceAllocate`, `NvBufSurfaceDestroy`,
//! `NvBufSurfaceMap`, `NvBufSurfaceUnMap`, `NvBufSurfaceSyncForCpu`,
//! `NvBufSurfaceSyncForDevice`, `NvBufSurfaceMemSet`, `NvBufSurfaceCopy`,
//! `NvBufSurface2Raw`, `Raw2NvBufSurface`, and failing stubs of
//! `NvBufSurfaceFromFd`, `NvBufSurfaceMapEglImage`,
//! `NvBufSurfaceUnMapEglImage`, with the semantics of NVIDIA's
//! `libnvbufsurface`, restricted to what a CPU-only machine can do:
//!
//! * **Memory.** Every buffer lives in host memory from [`crate::mem`]
//!   (`g_malloc0`; Rust's allocator under Miri). `NVBUF_MEM_DEFAULT`,
//!   `NVBUF_MEM_CUDA_PINNED`, `NVBUF_MEM_CUDA_DEVICE`, `NVBUF_MEM_CUDA_UNIFIED`
//!   and `NVBUF_MEM_SYSTEM` are all accepted and all give host memory, so
//!   every buffer can be mapped. The batch's `memType` keeps the requested
//!   type, except that `NVBUF_MEM_DEFAULT` is resolved (as NVIDIA resolves it
//!   to the platform's type) to `NVBUF_MEM_SYSTEM`. Jetson-only
//!   `NVBUF_MEM_SURFACE_ARRAY` / `NVBUF_MEM_HANDLE` (DMA-buf backed) are
//!   refused with -1, and only `NVBUF_LAYOUT_PITCH` is supported.
//! * **Geometry.** Plane widths / heights follow the format's subsampling
//!   (chroma dimensions rounded up), `bytesPerPix` is the size of one sample
//!   group of the plane (2 for an interleaved UV plane and for packed 4:2:2).
//!   Each plane's pitch is `width * bytesPerPix` rounded up to
//!   [`PITCH_ALIGN`] = 32 bytes (this implementation's choice; NVIDIA does
//!   not document its pitch alignment for system memory, and its CUDA
//!   allocations are at least this aligned). With
//!   `NvBufSurfaceAllocateParams::disablePitchPadding` the pitch is
//!   `width * bytesPerPix` rounded up to a multiple of 2, as NVIDIA
//!   documents. Planes follow each other: `offset[0] = 0`,
//!   `offset[i+1] = offset[i] + psize[i]`, `psize = pitch * height`, and
//!   `dataSize` is the sum of the `psize`s (or `params.size` if larger).
//! * **Batch.** `numFilled` is 0 after creation (NVIDIA documents it as
//!   zero-initialised); producers set it. `isContiguous` allocates the whole
//!   batch as one block.
//! * **Indices.** `index` / `plane` = -1 means every buffer of the batch /
//!   every plane of the buffer; anything else must be in range of
//!   `batchSize` / `num_planes`. Bad arguments (NULL, unsupported format or
//!   memory type, index out of range) return -1 and change nothing.
//!
//! Supported formats: GRAY8 (+ER), I420 / YV12 (`YUV420`, `YVU420`, their
//! ER / 709 / 2020 variants), NV12 / NV21 (+ER / 709 / 2020 variants), NV16,
//! NV24 (+ER / 709 variants), YUV444, packed 4:2:2 (UYVY, VYUY, YUYV, YVYU
//! and their ER variants), RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR,
//! RGB, BGR, and planar R8_G8_B8 / B8_G8_R8. Other formats are refused.
use crate::mem;
use crate::surface::*;
use std::os::raw::{c_int, c_uint, c_void};
use std::ptr;

/// Row alignment of planes allocated by the open backend, in bytes.
pub const PITCH_ALIGN: u32 = 32;

const MAGIC: u64 = 0x4453_5355_5246_4F50; // "DSSURFOP"

/// Private bookkeeping of a batch created here, pointed to by the batch's
/// `_reserved[0]`.
#[repr(C)]
struct Owner {
    magic: u64,
    /// Single block of a contiguous batch (NULL otherwise).
    block: *mut c_void,
    /// Array of `batchSize` extended parameters (`paramex` points into it).
    paramex: *mut NvBufSurfaceParamsEx,
}

/// Plane layout of a format: (horizontal divisor, vertical divisor, bytes
/// per pixel) for each plane.
fn planes_of(format: NvBufSurfaceColorFormat) -> Option<&'static [(u32, u32, u32)]> {
    const ONE_1: &[(u32, u32, u32)] = &[(1, 1, 1)];
    const PACKED_2: &[(u32, u32, u32)] = &[(1, 1, 2)];
    const PACKED_3: &[(u32, u32, u32)] = &[(1, 1, 3)];
    const PACKED_4: &[(u32, u32, u32)] = &[(1, 1, 4)];
    const P420: &[(u32, u32, u32)] = &[(1, 1, 1), (2, 2, 1), (2, 2, 1)];
    const SP420: &[(u32, u32, u32)] = &[(1, 1, 1), (2, 2, 2)];
    const SP422: &[(u32, u32, u32)] = &[(1, 1, 1), (2, 1, 2)];
    const SP444: &[(u32, u32, u32)] = &[(1, 1, 1), (1, 1, 2)];
    const P444: &[(u32, u32, u32)] = &[(1, 1, 1), (1, 1, 1), (1, 1, 1)];
    Some(match format {
        NVBUF_COLOR_FORMAT_GRAY8 | NVBUF_COLOR_FORMAT_GRAY8_ER => ONE_1,
        NVBUF_COLOR_FORMAT_YUV420
        | NVBUF_COLOR_FORMAT_YVU420
        | NVBUF_COLOR_FORMAT_YUV420_ER
        | NVBUF_COLOR_FORMAT_YVU420_ER
        | NVBUF_COLOR_FORMAT_YUV420_709
        | NVBUF_COLOR_FORMAT_YUV420_709_ER
        | NVBUF_COLOR_FORMAT_YUV420_2020 => P420,
        NVBUF_COLOR_FORMAT_NV12
        | NVBUF_COLOR_FORMAT_NV12_ER
        | NVBUF_COLOR_FORMAT_NV21
        | NVBUF_COLOR_FORMAT_NV21_ER
        | NVBUF_COLOR_FORMAT_NV12_709
        | NVBUF_COLOR_FORMAT_NV12_709_ER
        | NVBUF_COLOR_FORMAT_NV12_2020 => SP420,
        NVBUF_COLOR_FORMAT_NV16
        | NVBUF_COLOR_FORMAT_NV16_ER
        | NVBUF_COLOR_FORMAT_NV16_709
        | NVBUF_COLOR_FORMAT_NV16_709_ER => SP422,
        NVBUF_COLOR_FORMAT_NV24
        | NVBUF_COLOR_FORMAT_NV24_ER
        | NVBUF_COLOR_FORMAT_NV24_709
        | NVBUF_COLOR_FORMAT_NV24_709_ER => SP444,
        NVBUF_COLOR_FORMAT_YUV444 | NVBUF_COLOR_FORMAT_R8_G8_B8 | NVBUF_COLOR_FORMAT_B8_G8_R8 => {
            P444
        }
        NVBUF_COLOR_FORMAT_UYVY
        | NVBUF_COLOR_FORMAT_UYVY_ER
        | NVBUF_COLOR_FORMAT_VYUY
        | NVBUF_COLOR_FORMAT_VYUY_ER
        | NVBUF_COLOR_FORMAT_YUYV
        | NVBUF_COLOR_FORMAT_YUYV_ER
        | NVBUF_COLOR_FORMAT_YVYU
        | NVBUF_COLOR_FORMAT_YVYU_ER => PACKED_2,
        NVBUF_COLOR_FORMAT_RGB | NVBUF_COLOR_FORMAT_BGR => PACKED_3,
        NVBUF_COLOR_FORMAT_RGBA
        | NVBUF_COLOR_FORMAT_BGRA
        | NVBUF_COLOR_FORMAT_ARGB
        | NVBUF_COLOR_FORMAT_ABGR
        | NVBUF_COLOR_FORMAT_RGBx
        | NVBUF_COLOR_FORMAT_BGRx
        | NVBUF_COLOR_FORMAT_xRGB
        | NVBUF_COLOR_FORMAT_xBGR => PACKED_4,
        _ => return None,
    })
}

fn align_up(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

/// Computes the plane parameters of one `width` x `height` buffer; `None`
/// for an unsupported format, a zero dimension or a size over `u32`.
fn plane_params(
    width: u32,
    height: u32,
    format: NvBufSurfaceColorFormat,
    no_padding: bool,
) -> Option<(NvBufSurfacePlaneParams, u32)> {
    let layout = planes_of(format)?;
    if width == 0 || height == 0 {
        return None;
    }
    // SAFETY: NvBufSurfacePlaneParams is integers and raw pointers, all
    // valid when zero.
    let mut p: NvBufSurfacePlaneParams = unsafe { std::mem::zeroed() };
    p.num_planes = layout.len() as u32;
    let mut offset: u64 = 0;
    for (i, &(dx, dy, bpp)) in layout.iter().enumerate() {
        let w = width.div_ceil(dx);
        let h = height.div_ceil(dy);
        let row = u64::from(w) * u64::from(bpp);
        let pitch = if no_padding {
            align_up(row, 2)
        } else {
            align_up(row, u64::from(PITCH_ALIGN))
        };
        let psize = pitch * u64::from(h);
        p.width[i] = w;
        p.height[i] = h;
        p.pitch[i] = u32::try_from(pitch).ok()?;
        p.offset[i] = u32::try_from(offset).ok()?;
        p.psize[i] = u32::try_from(psize).ok()?;
        p.bytesPerPix[i] = bpp;
        offset += psize;
    }
    Some((p, u32::try_from(offset).ok()?))
}

fn mem_type_ok(t: NvBufSurfaceMemType) -> bool {
    matches!(
        t,
        NVBUF_MEM_DEFAULT
            | NVBUF_MEM_CUDA_PINNED
            | NVBUF_MEM_CUDA_DEVICE
            | NVBUF_MEM_CUDA_UNIFIED
            | NVBUF_MEM_SYSTEM
    )
}

/// Shared implementation of Create / Allocate.
///
/// # Safety
/// `surf` must be NULL or valid for a pointer write.
unsafe fn create(
    surf: *mut *mut NvBufSurface,
    batch_size: u32,
    params: &NvBufSurfaceCreateParams,
    no_padding: bool,
) -> c_int {
    if surf.is_null() || batch_size == 0 || !mem_type_ok(params.memType) {
        return -1;
    }
    if params.layout != NVBUF_LAYOUT_PITCH {
        return -1;
    }
    let geometry = plane_params(params.width, params.height, params.colorFormat, no_padding);
    let (planes, computed) = match geometry {
        Some(g) => g,
        None => return -1,
    };
    let data_size = computed.max(params.size);
    let n = batch_size as usize;

    let Some(list_bytes) = n.checked_mul(std::mem::size_of::<NvBufSurfaceParams>()) else {
        return -1;
    };
    let Some(ex_bytes) = n.checked_mul(std::mem::size_of::<NvBufSurfaceParamsEx>()) else {
        return -1;
    };
    let Some(block_bytes) = n.checked_mul(data_size as usize) else {
        return -1;
    };

    // SAFETY: all sizes are non-zero; every allocation is zeroed and freed in
    // `destroy` (or below on failure paths, of which there are none after
    // this point).
    unsafe {
        let batch: *mut NvBufSurface = mem::new0();
        let owner: *mut Owner = mem::new0();
        let list = mem::malloc0(list_bytes) as *mut NvBufSurfaceParams;
        let paramex = mem::malloc0(ex_bytes) as *mut NvBufSurfaceParamsEx;
        let block = if params.isContiguous {
            mem::malloc0(block_bytes)
        } else {
            ptr::null_mut()
        };
        (*owner).magic = MAGIC;
        (*owner).block = block;
        (*owner).paramex = paramex;

        (*batch).gpuId = params.gpuId;
        (*batch).batchSize = batch_size;
        (*batch).numFilled = 0;
        (*batch).isContiguous = params.isContiguous;
        (*batch).memType = if params.memType == NVBUF_MEM_DEFAULT {
            NVBUF_MEM_SYSTEM
        } else {
            params.memType
        };
        (*batch).surfaceList = list;
        (*batch)._reserved[0] = owner as *mut c_void;

        for i in 0..n {
            let s = &mut *list.add(i);
            s.width = params.width;
            s.height = params.height;
            s.pitch = planes.pitch[0];
            s.colorFormat = params.colorFormat;
            s.layout = NVBUF_LAYOUT_PITCH;
            s.bufferDesc = 0;
            s.dataSize = data_size;
            s.dataPtr = if block.is_null() {
                mem::malloc0(data_size as usize)
            } else {
                (block as *mut u8).add(i * data_size as usize) as *mut c_void
            };
            s.planeParams = planes;
            s.paramex = paramex.add(i);
        }
        *surf = batch;
    }
    0
}

/// Returns the private owner of a batch created here, or NULL.
///
/// # Safety
/// `surf` must point to a readable `NvBufSurface`.
unsafe fn owner_of(surf: *const NvBufSurface) -> *mut Owner {
    // SAFETY: caller guarantees surf is readable.
    let o = unsafe { (*surf)._reserved[0] } as *mut Owner;
    // SAFETY: a non-NULL `_reserved[0]` on a batch passed to these functions
    // was set by `create` (NVIDIA leaves it NULL); its magic confirms it.
    if !o.is_null() && unsafe { (*o).magic } == MAGIC {
        o
    } else {
        ptr::null_mut()
    }
}

/// Allocates a batch of `batchSize` host-memory buffers.
///
/// # Safety
/// `surf` must be NULL or writable; `params` NULL or a valid create-params.
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceCreate(
    surf: *mut *mut NvBufSurface,
    batchSize: u32,
    params: *mut NvBufSurfaceCreateParams,
) -> c_int {
    if params.is_null() {
        return -1;
    }
    // SAFETY: params is non-NULL and valid per the contract.
    let p = unsafe { *params };
    // SAFETY: forwarded contract on `surf`.
    unsafe { create(surf, batchSize, &p, false) }
}

/// [`NvBufSurfaceCreate`] with extended parameters; honours
/// `disablePitchPadding`.
///
/// # Safety
/// `surf` must be NULL or writable; `paramsext` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceAllocate(
    surf: *mut *mut NvBufSurface,
    batchSize: u32,
    paramsext: *mut NvBufSurfaceAllocateParams,
) -> c_int {
    if paramsext.is_null() {
        return -1;
    }
    // SAFETY: paramsext is non-NULL and valid per the contract.
    let p = unsafe { *paramsext };
    // SAFETY: forwarded contract on `surf`.
    unsafe { create(surf, batchSize, &p.params, p.disablePitchPadding) }
}

/// Frees a batch created by [`NvBufSurfaceCreate`] / [`NvBufSurfaceAllocate`].
/// Returns -1 (and frees nothing) for NULL or a batch not created here.
///
/// # Safety
/// `surf` must be NULL or point to a live `NvBufSurface`; after success it is
/// dangling.
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceDestroy(surf: *mut NvBufSurface) -> c_int {
    if surf.is_null() {
        return -1;
    }
    // SAFETY: surf is a live NvBufSurface per the contract.
    let owner = unsafe { owner_of(surf) };
    if owner.is_null() {
        return -1;
    }
    // SAFETY: the batch, its list, buffers, paramex array and owner were all
    // allocated by `create` with crate::mem and are freed exactly once here.
    unsafe {
        let list = (*surf).surfaceList;
        if (*owner).block.is_null() {
            for i in 0..(*surf).batchSize as usize {
                mem::free((*list.add(i)).dataPtr);
            }
        } else {
            mem::free((*owner).block);
        }
        mem::free((*owner).paramex as *mut c_void);
        (*owner).magic = 0;
        mem::free(owner as *mut c_void);
        mem::free(list as *mut c_void);
        mem::free(surf as *mut c_void);
    }
    0
}

/// Range of buffers selected by `index` (-1 = all), or `None` if invalid.
///
/// # Safety
/// `surf` must be NULL or point to a valid batch.
unsafe fn buffers(surf: *mut NvBufSurface, index: c_int) -> Option<std::ops::Range<usize>> {
    if surf.is_null() {
        return None;
    }
    // SAFETY: surf is valid per the contract.
    let s = unsafe { &*surf };
    if s.surfaceList.is_null() {
        return None;
    }
    let n = s.batchSize as usize;
    match index {
        -1 => Some(0..n),
        i if i >= 0 && (i as usize) < n => Some(i as usize..i as usize + 1),
        _ => None,
    }
}

/// Range of planes selected by `plane` (-1 = all), or `None` if invalid.
fn planes(p: &NvBufSurfacePlaneParams, plane: c_int) -> Option<std::ops::Range<usize>> {
    let n = (p.num_planes as usize).min(NVBUF_MAX_PLANES);
    match plane {
        -1 => Some(0..n),
        i if i >= 0 && (i as usize) < n => Some(i as usize..i as usize + 1),
        _ => None,
    }
}

/// Checks `index` / `plane` for every selected buffer; returns the selected
/// (buffer, plane-range) pairs.
///
/// # Safety
/// `surf` must be NULL or point to a valid batch with `batchSize` entries.
unsafe fn select(
    surf: *mut NvBufSurface,
    index: c_int,
    plane: c_int,
) -> Option<Vec<(usize, std::ops::Range<usize>)>> {
    // SAFETY: forwarded contract.
    let range = unsafe { buffers(surf, index) }?;
    let mut out = Vec::with_capacity(range.len());
    for b in range {
        // SAFETY: b < batchSize; surfaceList holds batchSize entries.
        let s = unsafe { &*(*surf).surfaceList.add(b) };
        if s.dataPtr.is_null() {
            return None;
        }
        out.push((b, planes(&s.planeParams, plane)?));
    }
    Some(out)
}

/// Maps planes for CPU access: sets `mappedAddr.addr[plane]` to the plane's
/// host address. `index` / `plane` = -1 select all.
///
/// # Safety
/// `surf` must be NULL or point to a valid batch whose buffers' `dataPtr`
/// hold `dataSize` bytes.
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceMap(
    surf: *mut NvBufSurface,
    index: c_int,
    plane: c_int,
    type_: NvBufSurfaceMemMapFlags,
) -> c_int {
    if !matches!(
        type_,
        NVBUF_MAP_READ | NVBUF_MAP_WRITE | NVBUF_MAP_READ_WRITE
    ) {
        return -1;
    }
    // SAFETY: forwarded contract.
    let Some(sel) = (unsafe { select(surf, index, plane) }) else {
        return -1;
    };
    for (b, ps) in sel {
        // SAFETY: b < batchSize (checked by `select`).
        let s = unsafe { &mut *(*surf).surfaceList.add(b) };
        for p in ps {
            let off = s.planeParams.offset[p] as usize;
            // SAFETY: offset + psize <= dataSize for buffers laid out by
            // `create` (and per the contract for others).
            s.mappedAddr.addr[p] = unsafe { (s.dataPtr as *mut u8).add(off) } as *mut c_void;
        }
    }
    0
}

/// Unmaps planes: clears `mappedAddr.addr[plane]`.
///
/// # Safety
/// As [`NvBufSurfaceMap`].
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceUnMap(
    surf: *mut NvBufSurface,
    index: c_int,
    plane: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    let Some(sel) = (unsafe { select(surf, index, plane) }) else {
        return -1;
    };
    for (b, ps) in sel {
        // SAFETY: b < batchSize.
        let s = unsafe { &mut *(*surf).surfaceList.add(b) };
        for p in ps {
            s.mappedAddr.addr[p] = ptr::null_mut();
        }
    }
    0
}

/// Makes device writes visible to the CPU. Host memory is always coherent,
/// so this only validates its arguments.
///
/// # Safety
/// As [`NvBufSurfaceMap`].
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceSyncForCpu(
    surf: *mut NvBufSurface,
    index: c_int,
    plane: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    match unsafe { select(surf, index, plane) } {
        Some(_) => 0,
        None => -1,
    }
}

/// Makes CPU writes visible to the device. A no-op on host memory apart
/// from argument checks.
///
/// # Safety
/// As [`NvBufSurfaceMap`].
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceSyncForDevice(
    surf: *mut NvBufSurface,
    index: c_int,
    plane: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    match unsafe { select(surf, index, plane) } {
        Some(_) => 0,
        None => -1,
    }
}

/// Fills whole planes (`psize` bytes, row padding included) with `value`.
///
/// # Safety
/// As [`NvBufSurfaceMap`].
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceMemSet(
    surf: *mut NvBufSurface,
    index: c_int,
    plane: c_int,
    value: u8,
) -> c_int {
    // SAFETY: forwarded contract.
    let Some(sel) = (unsafe { select(surf, index, plane) }) else {
        return -1;
    };
    for (b, ps) in sel {
        // SAFETY: b < batchSize.
        let s = unsafe { &*(*surf).surfaceList.add(b) };
        for p in ps {
            let pp = &s.planeParams;
            // SAFETY: the plane [offset, offset + psize) lies inside the
            // buffer's dataSize bytes.
            unsafe {
                let dst = (s.dataPtr as *mut u8).add(pp.offset[p] as usize);
                ptr::write_bytes(dst, value, pp.psize[p] as usize);
            }
        }
    }
    0
}

/// Copies every buffer of `srcSurf` into the same-index buffer of `dstSurf`,
/// row by row (pitches may differ), and sets `dstSurf->numFilled` to
/// `srcSurf->numFilled`. Both batches must have the same `batchSize`, and
/// each buffer pair the same width, height, colour format and plane count;
/// otherwise -1 and nothing is copied.
///
/// # Safety
/// Both must be NULL or valid batches; they may be the same batch.
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceCopy(
    srcSurf: *mut NvBufSurface,
    dstSurf: *mut NvBufSurface,
) -> c_int {
    // SAFETY: forwarded contract (validity of both batches).
    let (Some(sel_src), Some(sel_dst)) = (unsafe { select(srcSurf, -1, -1) }, unsafe {
        select(dstSurf, -1, -1)
    }) else {
        return -1;
    };
    if sel_src.len() != sel_dst.len() {
        return -1;
    }
    if srcSurf == dstSurf {
        return 0;
    }
    let n = sel_src.len();
    for b in 0..n {
        // SAFETY: b < batchSize of both.
        let (s, d) = unsafe {
            (
                &*(*srcSurf).surfaceList.add(b),
                &*(*dstSurf).surfaceList.add(b),
            )
        };
        if s.width != d.width
            || s.height != d.height
            || s.colorFormat != d.colorFormat
            || s.planeParams.num_planes != d.planeParams.num_planes
        {
            return -1;
        }
    }
    for b in 0..n {
        // SAFETY: b < batchSize of both; distinct batches own distinct memory.
        let (s, d) = unsafe {
            (
                &*(*srcSurf).surfaceList.add(b),
                &*(*dstSurf).surfaceList.add(b),
            )
        };
        for p in 0..(s.planeParams.num_planes as usize).min(NVBUF_MAX_PLANES) {
            let (sp, dp) = (&s.planeParams, &d.planeParams);
            let row = (sp.width[p] as usize * sp.bytesPerPix[p] as usize)
                .min(sp.pitch[p] as usize)
                .min(dp.pitch[p] as usize);
            let rows = sp.height[p].min(dp.height[p]) as usize;
            for r in 0..rows {
                // SAFETY: each row lies inside its plane (r < height,
                // row <= pitch) and hence inside the buffer.
                unsafe {
                    let src = (s.dataPtr as *const u8)
                        .add(sp.offset[p] as usize + r * sp.pitch[p] as usize);
                    let dst = (d.dataPtr as *mut u8)
                        .add(dp.offset[p] as usize + r * dp.pitch[p] as usize);
                    ptr::copy(src, dst, row);
                }
            }
        }
    }
    // SAFETY: both valid batches.
    unsafe { (*dstSurf).numFilled = (*srcSurf).numFilled };
    0
}

/// Checks and returns (buffer, plane, bytes per row, rows) for the raw
/// copies; rows of `width * bytesPerPix` bytes, packed in `ptr`.
///
/// # Safety
/// `surf` must be NULL or a valid batch.
unsafe fn raw_args(
    surf: *mut NvBufSurface,
    index: c_uint,
    plane: c_uint,
    width: c_uint,
    height: c_uint,
) -> Option<(*mut u8, u32, usize, usize)> {
    let index = c_int::try_from(index).ok()?;
    let plane = c_int::try_from(plane).ok()?;
    // SAFETY: forwarded contract.
    let sel = unsafe { select(surf, index, plane) }?;
    let (b, ps) = sel.into_iter().next()?;
    let p = ps.start;
    // SAFETY: b < batchSize.
    let s = unsafe { &*(*surf).surfaceList.add(b) };
    let pp = &s.planeParams;
    if width == 0 || height == 0 || width > pp.width[p] || height > pp.height[p] {
        return None;
    }
    // SAFETY: plane offset is inside the buffer.
    let base = unsafe { (s.dataPtr as *mut u8).add(pp.offset[p] as usize) };
    Some((
        base,
        pp.pitch[p],
        width as usize * pp.bytesPerPix[p] as usize,
        height as usize,
    ))
}

/// Copies `outheight` rows of `outwidth` pixels of one plane into `ptr`,
/// packed without padding.
///
/// # Safety
/// `Surf` NULL or valid; `ptr` NULL or writable for `outwidth * bytesPerPix *
/// outheight` bytes.
#[no_mangle]
pub unsafe extern "C" fn NvBufSurface2Raw(
    Surf: *mut NvBufSurface,
    index: c_uint,
    plane: c_uint,
    outwidth: c_uint,
    outheight: c_uint,
    ptr_: *mut u8,
) -> c_int {
    if ptr_.is_null() {
        return -1;
    }
    // SAFETY: forwarded contract.
    let Some((base, pitch, row, rows)) =
        (unsafe { raw_args(Surf, index, plane, outwidth, outheight) })
    else {
        return -1;
    };
    for r in 0..rows {
        // SAFETY: row r of the plane and of the packed output are in bounds.
        unsafe { ptr::copy(base.add(r * pitch as usize), ptr_.add(r * row), row) };
    }
    0
}

/// Copies packed rows from `ptr` into one plane (inverse of
/// [`NvBufSurface2Raw`]).
///
/// # Safety
/// `Surf` NULL or valid; `ptr` NULL or readable for `inwidth * bytesPerPix *
/// inheight` bytes.
#[no_mangle]
pub unsafe extern "C" fn Raw2NvBufSurface(
    ptr_: *mut u8,
    index: c_uint,
    plane: c_uint,
    inwidth: c_uint,
    inheight: c_uint,
    Surf: *mut NvBufSurface,
) -> c_int {
    if ptr_.is_null() {
        return -1;
    }
    // SAFETY: forwarded contract.
    let Some((base, pitch, row, rows)) =
        (unsafe { raw_args(Surf, index, plane, inwidth, inheight) })
    else {
        return -1;
    };
    for r in 0..rows {
        // SAFETY: row r of the input and of the plane are in bounds.
        unsafe { ptr::copy(ptr_.add(r * row), base.add(r * pitch as usize), row) };
    }
    0
}

/// DMA-buf fds do not exist on the open backend: always -1.
///
/// # Safety
/// None (arguments are not dereferenced).
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceFromFd(_dmabuf_fd: c_int, _buffer: *mut *mut c_void) -> c_int {
    -1
}

/// EGL is not available on the open backend: always -1.
///
/// # Safety
/// None (arguments are not dereferenced).
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceMapEglImage(_surf: *mut NvBufSurface, _index: c_int) -> c_int {
    -1
}

/// EGL is not available on the open backend: always -1.
///
/// # Safety
/// None (arguments are not dereferenced).
#[no_mangle]
pub unsafe extern "C" fn NvBufSurfaceUnMapEglImage(
    _surf: *mut NvBufSurface,
    _index: c_int,
) -> c_int {
    -1
}
