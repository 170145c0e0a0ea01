//! Tests of the open backend's NvBufSurface functions.
//!
//! None of these tests needs GStreamer or GLib at run time beyond the
//! allocator, so all of them run under Miri:
//! `cargo +nightly miri test -p ds-sys --test open_surface`.
//! Sizes are kept small so Miri stays fast.
#![cfg(ds_backend = "open")]
#![allow(non_snake_case)]

use ds_sys::*;
use std::ptr;

fn params(
    w: u32,
    h: u32,
    fmt: NvBufSurfaceColorFormat,
    mem: NvBufSurfaceMemType,
) -> NvBufSurfaceCreateParams {
    NvBufSurfaceCreateParams {
        gpuId: 0,
        width: w,
        height: h,
        size: 0,
        isContiguous: false,
        colorFormat: fmt,
        layout: NVBUF_LAYOUT_PITCH,
        memType: mem,
    }
}

/// Creates a batch, panicking (test failure) if creation fails.
fn create(batch: u32, mut p: NvBufSurfaceCreateParams) -> *mut NvBufSurface {
    let mut s: *mut NvBufSurface = ptr::null_mut();
    // SAFETY: &mut s and &mut p are valid for the call.
    let rc = unsafe { NvBufSurfaceCreate(&mut s, batch, &mut p) };
    assert_eq!(rc, 0, "NvBufSurfaceCreate failed");
    assert!(!s.is_null());
    s
}

fn destroy(s: *mut NvBufSurface) {
    // SAFETY: s came from NvBufSurfaceCreate and is destroyed once.
    assert_eq!(unsafe { NvBufSurfaceDestroy(s) }, 0);
}

/// Copy of buffer `i` of a batch (a copy, so no reference outlives the
/// next call into the library).
fn buf(s: *mut NvBufSurface, i: usize) -> NvBufSurfaceParams {
    // SAFETY: tests only pass live batches; i is checked against batchSize.
    unsafe {
        assert!(i < (*s).batchSize as usize);
        *(*s).surfaceList.add(i)
    }
}

struct Expect {
    fmt: NvBufSurfaceColorFormat,
    /// (width, height, pitch, bytesPerPix) per plane for a 6x4 buffer.
    planes: &'static [(u32, u32, u32, u32)],
}

/// Expected plane geometry of a 6 x 4 (w x h) buffer, pitch aligned to 32.
const EXPECT: &[Expect] = &[
    Expect {
        fmt: NVBUF_COLOR_FORMAT_GRAY8,
        planes: &[(6, 4, 32, 1)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_NV12,
        planes: &[(6, 4, 32, 1), (3, 2, 32, 2)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_NV21,
        planes: &[(6, 4, 32, 1), (3, 2, 32, 2)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_YUV420,
        planes: &[(6, 4, 32, 1), (3, 2, 32, 1), (3, 2, 32, 1)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_YVU420,
        planes: &[(6, 4, 32, 1), (3, 2, 32, 1), (3, 2, 32, 1)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_RGBA,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_BGRA,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_ARGB,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_ABGR,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_RGBx,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_BGRx,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_xRGB,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_xBGR,
        planes: &[(6, 4, 32, 4)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_RGB,
        planes: &[(6, 4, 32, 3)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_BGR,
        planes: &[(6, 4, 32, 3)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_NV16,
        planes: &[(6, 4, 32, 1), (3, 4, 32, 2)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_NV24,
        planes: &[(6, 4, 32, 1), (6, 4, 32, 2)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_YUYV,
        planes: &[(6, 4, 32, 2)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_UYVY,
        planes: &[(6, 4, 32, 2)],
    },
    Expect {
        fmt: NVBUF_COLOR_FORMAT_YUV444,
        planes: &[(6, 4, 32, 1), (6, 4, 32, 1), (6, 4, 32, 1)],
    },
];

#[test]
fn create_every_format_has_expected_plane_geometry() {
    for e in EXPECT {
        let s = create(2, params(6, 4, e.fmt, NVBUF_MEM_SYSTEM));
        // SAFETY: s is a live batch.
        let b = unsafe { &*s };
        assert_eq!(b.batchSize, 2, "format {}", e.fmt);
        assert_eq!(b.numFilled, 0, "numFilled starts at 0");
        assert_eq!(b.memType, NVBUF_MEM_SYSTEM);
        for i in 0..2 {
            let p = buf(s, i);
            assert_eq!((p.width, p.height, p.colorFormat), (6, 4, e.fmt));
            assert_eq!(p.layout, NVBUF_LAYOUT_PITCH);
            assert!(!p.dataPtr.is_null());
            assert!(!p.paramex.is_null());
            let pp = &p.planeParams;
            assert_eq!(pp.num_planes as usize, e.planes.len(), "format {}", e.fmt);
            let mut off = 0;
            for (k, &(w, h, pitch, bpp)) in e.planes.iter().enumerate() {
                assert_eq!(
                    (pp.width[k], pp.height[k], pp.pitch[k], pp.bytesPerPix[k]),
                    (w, h, pitch, bpp),
                    "format {} plane {k}",
                    e.fmt
                );
                assert_eq!(pp.offset[k], off, "format {} plane {k} offset", e.fmt);
                assert_eq!(pp.psize[k], pitch * h);
                assert_eq!(pp.pitch[k] % 32, 0);
                off += pitch * h;
            }
            assert_eq!(p.dataSize, off);
            assert_eq!(p.pitch, pp.pitch[0]);
        }
        destroy(s);
    }
}

#[test]
fn pitch_is_aligned_to_32_and_chroma_rounds_up() {
    // 1 + 2*? : width 33 RGBA -> 132 bytes -> pitch 160.
    let s = create(1, params(33, 3, NVBUF_COLOR_FORMAT_RGBA, NVBUF_MEM_DEFAULT));
    let pp = buf(s, 0).planeParams;
    assert_eq!((pp.width[0], pp.pitch[0], pp.psize[0]), (33, 160, 480));
    // DEFAULT is resolved to system memory.
    // SAFETY: live batch.
    assert_eq!(unsafe { (*s).memType }, NVBUF_MEM_SYSTEM);
    destroy(s);

    // Odd NV12: 5 x 3 -> chroma 3 x 2 with 2 bytes per pixel.
    let s = create(
        1,
        params(5, 3, NVBUF_COLOR_FORMAT_NV12, NVBUF_MEM_CUDA_DEVICE),
    );
    let pp = buf(s, 0).planeParams;
    assert_eq!((pp.width[1], pp.height[1], pp.bytesPerPix[1]), (3, 2, 2));
    assert_eq!(pp.offset[1], 32 * 3);
    // SAFETY: live batch.
    assert_eq!(unsafe { (*s).memType }, NVBUF_MEM_CUDA_DEVICE);
    destroy(s);
}

#[test]
fn allocate_without_pitch_padding() {
    let mut ap = NvBufSurfaceAllocateParams {
        params: params(5, 2, NVBUF_COLOR_FORMAT_RGB, NVBUF_MEM_SYSTEM),
        displayscanformat: NVBUF_DISPLAYSCANFORMAT_PROGRESSIVE,
        chromaSubsampling: NvBufSurfaceChromaSubsamplingParams::default(),
        memtag: NvBufSurfaceTag_NONE,
        disablePitchPadding: true,
        _reservedParam: 0,
        _reserved: [ptr::null_mut(); 3],
    };
    let mut s: *mut NvBufSurface = ptr::null_mut();
    // SAFETY: valid out-pointer and params.
    assert_eq!(unsafe { NvBufSurfaceAllocate(&mut s, 1, &mut ap) }, 0);
    let pp = buf(s, 0).planeParams;
    // 5 * 3 = 15 bytes, rounded up to even.
    assert_eq!((pp.pitch[0], pp.psize[0]), (16, 32));
    destroy(s);
    // NULL params.
    // SAFETY: NULL params are rejected before use.
    let rc = unsafe { NvBufSurfaceAllocate(&mut s, 1, ptr::null_mut()) };
    assert_eq!(rc, -1);
}

#[test]
fn size_larger_than_geometry_is_honoured() {
    let mut p = params(4, 2, NVBUF_COLOR_FORMAT_GRAY8, NVBUF_MEM_SYSTEM);
    p.size = 1000;
    let s = create(1, p);
    assert_eq!(buf(s, 0).dataSize, 1000);
    destroy(s);
}

#[test]
fn map_write_read_unmap() {
    let s = create(2, params(4, 2, NVBUF_COLOR_FORMAT_NV12, NVBUF_MEM_SYSTEM));
    // SAFETY: valid batch, buffer 1, all planes.
    let rc = unsafe { NvBufSurfaceMap(s, 1, -1, NVBUF_MAP_READ_WRITE) };
    assert_eq!(rc, 0);
    let b1 = buf(s, 1);
    for k in 0..2 {
        let a = b1.mappedAddr.addr[k];
        assert!(!a.is_null());
        assert_eq!(
            a as usize - b1.dataPtr as usize,
            b1.planeParams.offset[k] as usize
        );
    }
    assert!(b1.mappedAddr.addr[2].is_null());
    // Buffer 0 was not mapped.
    assert!(buf(s, 0).mappedAddr.addr[0].is_null());
    // Write a pixel of the UV plane through the mapping, read back via dataPtr.
    let uv = b1.mappedAddr.addr[1] as *mut u8;
    // SAFETY: plane 1 has pitch 32 and 1 row; byte 3 is in range.
    unsafe { *uv.add(3) = 0xAB };
    // SAFETY: s is a live batch; the indices are in range.
    let rcs = unsafe {
        (
            NvBufSurfaceSyncForDevice(s, 1, 1),
            NvBufSurfaceSyncForCpu(s, -1, -1),
        )
    };
    assert_eq!(rcs, (0, 0));
    let off = b1.planeParams.offset[1] as usize + 3;
    // SAFETY: off < dataSize.
    assert_eq!(unsafe { *(b1.dataPtr as *const u8).add(off) }, 0xAB);
    // SAFETY: valid batch.
    assert_eq!(unsafe { NvBufSurfaceUnMap(s, 1, 0) }, 0);
    assert!(buf(s, 1).mappedAddr.addr[0].is_null());
    assert!(!buf(s, 1).mappedAddr.addr[1].is_null());
    // SAFETY: valid batch.
    assert_eq!(unsafe { NvBufSurfaceUnMap(s, -1, -1) }, 0);
    assert!(buf(s, 1).mappedAddr.addr[1].is_null());
    destroy(s);
}

#[test]
fn memset_fills_selected_planes_only() {
    let s = create(2, params(4, 2, NVBUF_COLOR_FORMAT_YUV420, NVBUF_MEM_SYSTEM));
    // SAFETY: valid batch; plane 1 of buffer 0.
    assert_eq!(unsafe { NvBufSurfaceMemSet(s, 0, 1, 7) }, 0);
    let b0 = buf(s, 0);
    // SAFETY: dataPtr holds dataSize bytes.
    let data = unsafe { std::slice::from_raw_parts(b0.dataPtr as *const u8, b0.dataSize as usize) };
    let pp = b0.planeParams;
    let (o1, e1) = (pp.offset[1] as usize, (pp.offset[1] + pp.psize[1]) as usize);
    assert!(data[o1..e1].iter().all(|&v| v == 7));
    assert!(data[..o1].iter().all(|&v| v == 0));
    assert!(data[e1..].iter().all(|&v| v == 0));
    // All buffers, all planes.
    // SAFETY: valid batch.
    assert_eq!(unsafe { NvBufSurfaceMemSet(s, -1, -1, 9) }, 0);
    for i in 0..2 {
        let b = buf(s, i);
        // SAFETY: as above.
        let d = unsafe { std::slice::from_raw_parts(b.dataPtr as *const u8, b.dataSize as usize) };
        assert!(d.iter().all(|&v| v == 9));
    }
    destroy(s);
}

#[test]
fn copy_between_batches_with_different_pitch() {
    let mut pc = params(5, 2, NVBUF_COLOR_FORMAT_RGBA, NVBUF_MEM_SYSTEM);
    pc.isContiguous = true;
    let src = create(2, pc);
    let mut ap = NvBufSurfaceAllocateParams {
        params: params(5, 2, NVBUF_COLOR_FORMAT_RGBA, NVBUF_MEM_SYSTEM),
        displayscanformat: 0,
        chromaSubsampling: Default::default(),
        memtag: 0,
        disablePitchPadding: true,
        _reservedParam: 0,
        _reserved: [ptr::null_mut(); 3],
    };
    let mut dst: *mut NvBufSurface = ptr::null_mut();
    // SAFETY: valid arguments.
    assert_eq!(unsafe { NvBufSurfaceAllocate(&mut dst, 2, &mut ap) }, 0);
    assert_eq!(buf(src, 0).pitch, 32);
    assert_eq!(buf(dst, 0).pitch, 20);
    // Contiguous: buffer 1 follows buffer 0 in one block.
    assert_eq!(
        buf(src, 1).dataPtr as usize - buf(src, 0).dataPtr as usize,
        buf(src, 0).dataSize as usize
    );
    // Fill src buffer b row r with value 10*b + r (+ padding garbage 0xEE).
    // SAFETY: valid batch.
    assert_eq!(unsafe { NvBufSurfaceMemSet(src, -1, -1, 0xEE) }, 0);
    for b in 0..2 {
        let p = buf(src, b);
        for r in 0..2 {
            // SAFETY: row r has 20 payload bytes within pitch 32.
            unsafe { ptr::write_bytes((p.dataPtr as *mut u8).add(r * 32), (10 * b + r) as u8, 20) };
        }
    }
    // SAFETY: live batch.
    unsafe { (*src).numFilled = 2 };
    // SAFETY: two valid, distinct batches.
    assert_eq!(unsafe { NvBufSurfaceCopy(src, dst) }, 0);
    // SAFETY: live batch.
    assert_eq!(unsafe { (*dst).numFilled }, 2);
    for b in 0..2 {
        let p = buf(dst, b);
        // SAFETY: dst buffer holds dataSize = 40 bytes.
        let d = unsafe { std::slice::from_raw_parts(p.dataPtr as *const u8, 40) };
        for r in 0..2 {
            assert!(d[r * 20..r * 20 + 20]
                .iter()
                .all(|&v| v == (10 * b + r) as u8));
        }
    }
    // Mismatched geometry is refused.
    let other = create(2, params(4, 2, NVBUF_COLOR_FORMAT_RGBA, NVBUF_MEM_SYSTEM));
    // SAFETY: valid batches.
    assert_eq!(unsafe { NvBufSurfaceCopy(src, other) }, -1);
    let single = create(1, params(5, 2, NVBUF_COLOR_FORMAT_RGBA, NVBUF_MEM_SYSTEM));
    // SAFETY: valid batches (or NULL, which is rejected).
    let rcs = unsafe {
        (
            NvBufSurfaceCopy(src, single),
            NvBufSurfaceCopy(ptr::null_mut(), dst),
        )
    };
    assert_eq!(rcs, (-1, -1));
    destroy(single);
    destroy(other);
    destroy(dst);
    destroy(src);
}

#[test]
fn raw_roundtrip() {
    let s = create(1, params(3, 2, NVBUF_COLOR_FORMAT_RGB, NVBUF_MEM_SYSTEM));
    let input: Vec<u8> = (0..18).collect();
    // SAFETY: input holds 3*3*2 bytes; valid batch.
    let rc = unsafe { Raw2NvBufSurface(input.as_ptr() as *mut u8, 0, 0, 3, 2, s) };
    assert_eq!(rc, 0);
    let p = buf(s, 0);
    // SAFETY: second row starts at pitch 32.
    assert_eq!(unsafe { *(p.dataPtr as *const u8).add(32) }, 9);
    let mut out = vec![0u8; 18];
    // SAFETY: out holds 18 bytes; valid batch.
    let rc = unsafe { NvBufSurface2Raw(s, 0, 0, 3, 2, out.as_mut_ptr()) };
    assert_eq!(rc, 0);
    assert_eq!(out, input);
    // Too wide / bad plane / NULL buffer.
    // SAFETY: arguments are rejected before any access.
    unsafe {
        assert_eq!(NvBufSurface2Raw(s, 0, 0, 4, 2, out.as_mut_ptr()), -1);
        assert_eq!(NvBufSurface2Raw(s, 0, 1, 3, 2, out.as_mut_ptr()), -1);
        assert_eq!(NvBufSurface2Raw(s, 1, 0, 3, 2, out.as_mut_ptr()), -1);
        assert_eq!(NvBufSurface2Raw(s, 0, 0, 3, 2, ptr::null_mut()), -1);
    }
    destroy(s);
}

#[test]
fn bad_arguments_return_minus_one() {
    let mut s: *mut NvBufSurface = ptr::null_mut();
    let mut p = params(4, 4, NVBUF_COLOR_FORMAT_RGBA, NVBUF_MEM_SYSTEM);
    // SAFETY: every call below is rejected before dereferencing anything
    // invalid; `s` stays NULL.
    unsafe {
        assert_eq!(NvBufSurfaceCreate(ptr::null_mut(), 1, &mut p), -1);
        assert_eq!(NvBufSurfaceCreate(&mut s, 1, ptr::null_mut()), -1);
        assert_eq!(NvBufSurfaceCreate(&mut s, 0, &mut p), -1);
        let mut bad = p;
        bad.colorFormat = NVBUF_COLOR_FORMAT_INVALID;
        assert_eq!(NvBufSurfaceCreate(&mut s, 1, &mut bad), -1);
        bad = p;
        bad.colorFormat = NVBUF_COLOR_FORMAT_NV12_10LE;
        assert_eq!(NvBufSurfaceCreate(&mut s, 1, &mut bad), -1);
        bad = p;
        bad.memType = NVBUF_MEM_SURFACE_ARRAY;
        assert_eq!(NvBufSurfaceCreate(&mut s, 1, &mut bad), -1);
        bad = p;
        bad.layout = NVBUF_LAYOUT_BLOCK_LINEAR;
        assert_eq!(NvBufSurfaceCreate(&mut s, 1, &mut bad), -1);
        bad = p;
        bad.width = 0;
        assert_eq!(NvBufSurfaceCreate(&mut s, 1, &mut bad), -1);
        assert!(s.is_null());

        assert_eq!(NvBufSurfaceDestroy(ptr::null_mut()), -1);
        assert_eq!(NvBufSurfaceMap(ptr::null_mut(), 0, 0, NVBUF_MAP_READ), -1);
        assert_eq!(NvBufSurfaceUnMap(ptr::null_mut(), 0, 0), -1);
        assert_eq!(NvBufSurfaceSyncForCpu(ptr::null_mut(), -1, -1), -1);
        assert_eq!(NvBufSurfaceSyncForDevice(ptr::null_mut(), -1, -1), -1);
        assert_eq!(NvBufSurfaceMemSet(ptr::null_mut(), -1, -1, 0), -1);
        assert_eq!(NvBufSurfaceFromFd(3, ptr::null_mut()), -1);
        assert_eq!(NvBufSurfaceMapEglImage(ptr::null_mut(), 0), -1);
        assert_eq!(NvBufSurfaceUnMapEglImage(ptr::null_mut(), 0), -1);
    }

    let s = create(2, p);
    // SAFETY: valid batch; out-of-range indices are rejected.
    unsafe {
        assert_eq!(NvBufSurfaceMap(s, 2, 0, NVBUF_MAP_READ), -1);
        assert_eq!(NvBufSurfaceMap(s, -2, 0, NVBUF_MAP_READ), -1);
        assert_eq!(NvBufSurfaceMap(s, 0, 1, NVBUF_MAP_READ), -1);
        assert_eq!(NvBufSurfaceMap(s, 0, 0, 3), -1);
        assert_eq!(NvBufSurfaceUnMap(s, 5, -1), -1);
        assert_eq!(NvBufSurfaceSyncForCpu(s, 0, 4), -1);
        assert_eq!(NvBufSurfaceSyncForDevice(s, 2, -1), -1);
        assert_eq!(NvBufSurfaceMemSet(s, 0, 2, 1), -1);
        // Nothing was mapped or written by the refused calls.
        for i in 0..2 {
            let b = buf(s, i);
            assert!(b.mappedAddr.addr.iter().all(|a| a.is_null()));
            let d = std::slice::from_raw_parts(b.dataPtr as *const u8, b.dataSize as usize);
            assert!(d.iter().all(|&v| v == 0));
        }
    }
    // A batch not created here is refused by Destroy (nothing freed).
    // SAFETY: all-zero NvBufSurface is valid data.
    let mut foreign: NvBufSurface = unsafe { std::mem::zeroed() };
    // SAFETY: foreign is a readable NvBufSurface.
    assert_eq!(unsafe { NvBufSurfaceDestroy(&mut foreign) }, -1);
    destroy(s);
}
