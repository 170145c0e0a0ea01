//! Frame surface access through GStreamer buffers holding a system-memory
//! NvBufSurface (as DeepStream's NVMM buffers hold one), plus the
//! buffer-free path. `cargo test -p ds-core --test surface`.
use ds_core::surface::{FrameSurface, FrameSurfaceMut, SurfaceBatch, SurfaceError};
use gstreamer as gst;

fn rgba_buffer(batch: u32, w: u32, h: u32) -> gst::Buffer {
    ds_core::init().unwrap();
    let mut b = SurfaceBatch::new(batch, w, h, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    b.set_num_filled(batch).unwrap();
    b.into_buffer()
}

#[test]
fn write_then_read_each_frame_of_a_batch() {
    let mut buffer = rgba_buffer(3, 5, 4);
    for id in 0..3u32 {
        let mut f = FrameSurfaceMut::map(buffer.get_mut().unwrap(), id).unwrap();
        assert_eq!((f.width(), f.height(), f.batch_id()), (5, 4, id));
        assert!(f.pitch() >= 20);
        for y in 0..4 {
            for x in 0..5 {
                assert!(f.set_pixel(x, y, [id as u8, x as u8, y as u8, 255]));
            }
        }
    }
    for id in 0..3u32 {
        let f = FrameSurface::map(&buffer, id).unwrap();
        assert_eq!(f.pixel(4, 3), Some([id as u8, 4, 3, 255]));
        assert_eq!(f.pixel(0, 0), Some([id as u8, 0, 0, 255]));
        let row = f.row(2).unwrap();
        assert_eq!(row.len(), 20);
        assert_eq!(&row[8..12], &[id as u8, 2, 2, 255]);
        let packed = f.to_packed_rgba();
        assert_eq!(packed.len(), 5 * 4 * 4);
        assert_eq!(&packed[(3 * 5 + 4) * 4..], &[id as u8, 4, 3, 255]);
        // Padding bytes between rows are not part of a row.
        assert_eq!(f.pixels().len(), f.pitch() as usize * 4);
    }
}

#[test]
fn frames_are_independent() {
    let mut buffer = rgba_buffer(2, 2, 2);
    FrameSurfaceMut::map(buffer.get_mut().unwrap(), 1)
        .unwrap()
        .fill([9, 9, 9, 9]);
    let f0 = FrameSurface::map(&buffer, 0).unwrap();
    let f1 = FrameSurface::map(&buffer, 1).unwrap();
    assert!(f0.rows().all(|r| r.iter().all(|&b| b == 0)));
    assert!(f1.rows().all(|r| r.iter().all(|&b| b == 9)));
}

#[test]
fn row_mut_and_pixels_mut() {
    let mut buffer = rgba_buffer(1, 3, 3);
    {
        let mut f = FrameSurfaceMut::map(buffer.get_mut().unwrap(), 0).unwrap();
        f.row_mut(1).unwrap().copy_from_slice(&[1; 12]);
        assert!(f.row_mut(3).is_none());
        let pitch = f.pitch() as usize;
        f.pixels_mut()[2 * pitch] = 200;
        assert!(!f.set_pixel(3, 0, [0; 4]));
        assert!(!f.set_pixel(0, 3, [0; 4]));
    }
    let f = FrameSurface::map(&buffer, 0).unwrap();
    assert_eq!(f.row(1).unwrap(), &[1; 12]);
    assert_eq!(f.pixel(0, 2), Some([200, 0, 0, 0]));
    assert_eq!(f.pixel(0, 0), Some([0; 4]));
    assert!(f.row(3).is_none());
    assert_eq!(f.pixel(3, 0), None);
}

#[test]
fn non_rgba_formats_are_refused() {
    ds_core::init().unwrap();
    for fmt in [
        ds_sys::NVBUF_COLOR_FORMAT_NV12,
        ds_sys::NVBUF_COLOR_FORMAT_YUV420,
        ds_sys::NVBUF_COLOR_FORMAT_BGRA,
        ds_sys::NVBUF_COLOR_FORMAT_RGB,
    ] {
        let mut buffer = SurfaceBatch::new(1, 8, 8, fmt).unwrap().into_buffer();
        let e = FrameSurface::map(&buffer, 0).unwrap_err();
        assert_eq!(e, SurfaceError::UnsupportedFormat(fmt));
        assert!(e.to_string().contains("only RGBA"), "{e}");
        assert_eq!(
            FrameSurfaceMut::map(buffer.get_mut().unwrap(), 0).unwrap_err(),
            SurfaceError::UnsupportedFormat(fmt)
        );
    }
}

#[test]
fn bad_buffers_and_indices_are_refused() {
    ds_core::init().unwrap();
    let small = gst::Buffer::with_size(16).unwrap();
    assert_eq!(
        FrameSurface::map(&small, 0).unwrap_err(),
        SurfaceError::BufferTooSmall {
            size: 16,
            needed: std::mem::size_of::<ds_sys::NvBufSurface>()
        }
    );
    let buffer = rgba_buffer(2, 4, 4);
    assert_eq!(
        FrameSurface::map(&buffer, 2).unwrap_err(),
        SurfaceError::BatchIdOutOfRange {
            batch_id: 2,
            batch_size: 2
        }
    );
    // A buffer sharing its memory with another cannot be written through.
    let mut shared = buffer.copy();
    assert_eq!(
        FrameSurfaceMut::map(shared.get_mut().unwrap(), 0).unwrap_err(),
        SurfaceError::SharedMemory
    );
    drop(buffer);
    // ... but can once it is the only owner again.
    assert!(FrameSurfaceMut::map(shared.get_mut().unwrap(), 0).is_ok());
    assert!(SurfaceBatch::new(1, 0, 4, ds_sys::NVBUF_COLOR_FORMAT_RGBA).is_err());
}

#[test]
fn works_inside_a_pipeline_probe() {
    use gst::prelude::*;
    use std::sync::{Arc, Mutex};
    ds_core::init().unwrap();
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("appsrc").build().unwrap();
    let id = gst::ElementFactory::make("identity").build().unwrap();
    let sink = gst::ElementFactory::make("fakesink").build().unwrap();
    pipeline.add_many([&src, &id, &sink]).unwrap();
    gst::Element::link_many([&src, &id, &sink]).unwrap();
    // Upstream probe: paint frame 0.
    id.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, |_, info| {
            if let Some(buffer) = info.buffer_mut() {
                let mut f = FrameSurfaceMut::map(buffer.make_mut(), 0).unwrap();
                f.fill([10, 20, 30, 255]);
            }
            gst::PadProbeReturn::Ok
        });
    // Downstream probe: read it back.
    let seen = Arc::new(Mutex::new(None));
    let seen2 = seen.clone();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(buffer) = info.buffer() {
                let f = FrameSurface::map(buffer, 0).unwrap();
                *seen2.lock().unwrap() = f.pixel(1, 1);
            }
            gst::PadProbeReturn::Ok
        });
    pipeline.set_state(gst::State::Playing).unwrap();
    // push_buffer hands the only reference over: the "push-buffer" signal
    // would keep the caller's reference alive while the streaming thread
    // runs, and make_mut() in the probe would then copy the buffer and
    // share its memory (SharedMemory, at random).
    let appsrc = src.downcast::<gstreamer_app::AppSrc>().unwrap();
    appsrc.push_buffer(rgba_buffer(1, 2, 2)).unwrap();
    appsrc.end_of_stream().unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(10),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(matches!(
        msg.map(|m| m.type_()),
        Some(gst::MessageType::Eos)
    ));
    assert_eq!(*seen.lock().unwrap(), Some([10, 20, 30, 255]));
}

#[test]
fn buffer_free_path() {
    let mut b = SurfaceBatch::new(2, 3, 3, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    b.frame_mut(1).unwrap().fill([5, 6, 7, 8]);
    assert_eq!(b.frame(1).unwrap().pixel(2, 2), Some([5, 6, 7, 8]));
    assert_eq!(b.frame(0).unwrap().pixel(2, 2), Some([0; 4]));
    assert_eq!(
        b.set_num_filled(3).unwrap_err(),
        SurfaceError::TooManyFilled {
            num_filled: 3,
            batch_size: 2
        }
    );
    assert!(format!("{b:?}").contains("batch_size: 2"));
}
