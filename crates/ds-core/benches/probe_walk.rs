//! P1 of BENCHMARKS.md: the cost of a probe's metadata walk.
//!
//! A batch of 4 frames x 100 objects attached to a GStreamer buffer; one
//! iteration is what deepstream-test1's OSD probe does to a buffer (less its
//! `println!`): find the batch meta on the buffer, take the meta lock, count
//! the objects of each frame by class, set each box's border colour, and add
//! one display meta per frame holding the summary text. The display metas
//! are removed again after each walk so every iteration sees the same batch.
//!
//! The peer, the same walk in Python over the same C structures through
//! ctypes, is `ci/bench/probe_walk.py`; `ci/bench.sh` runs both and writes
//! the ratio to BENCHMARKS.md.
//!
//! `cargo bench -p ds-core --bench probe_walk`
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ds_core::osd::Color;
use ds_core::{BatchMeta, OwnedBatchMeta};
use gstreamer as gst;
use std::hint::black_box;

const FRAMES: u32 = 4;
const OBJECTS: u32 = 100;

fn make_buffer() -> gst::Buffer {
    let mut buffer = gst::Buffer::new();
    let mut batch = OwnedBatchMeta::new(FRAMES).expect("batch meta");
    for f in 0..FRAMES {
        let frame = batch.new_frame().expect("frame meta");
        frame.set_frame_num(f as i32);
        for o in 0..OBJECTS {
            frame
                .new_object()
                .expect("object meta")
                .set_class_id((o % 4) as i32);
        }
    }
    if batch.attach(buffer.get_mut().expect("writable")).is_err() {
        panic!("cannot attach the batch meta");
    }
    buffer
}

/// test1's probe, without printing; returns the per-frame vehicle+person
/// counts so nothing is optimised away.
fn walk(buffer: &mut gst::BufferRef) -> u32 {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return 0;
    };
    let mut batch = batch.lock();
    let mut total = 0;
    let border = Color::clamped(0.0, 0.0, 1.0, 0.8).to_params();
    for mut frame in batch.frames_mut() {
        let (mut vehicle, mut person) = (0u32, 0u32);
        for obj in frame.objects_mut() {
            match obj.class_id() {
                0 => vehicle += 1,
                2 => person += 1,
                _ => {}
            }
            obj.rect_params_mut().border_color = border;
        }
        let text = format!(
            "Frame Number={} Number of Objects={} Vehicle_count={vehicle} Person_count={person}",
            frame.frame_num(),
            frame.num_obj_meta()
        );
        let display = frame.new_display_meta().expect("display meta");
        let params = display.add_text(&text).expect("text");
        params.set_offsets(10, 12);
        params.set_font_name("Serif");
        params.set_font_size(10);
        params.set_font_color(Color::clamped(1.0, 1.0, 1.0, 1.0));
        params.set_bg_color(Color::clamped(0.0, 0.0, 0.0, 1.0));
        total += vehicle + person;
    }
    total
}

/// Returns the batch to its state before [`walk`].
fn reset(buffer: &mut gst::BufferRef) {
    let batch = BatchMeta::from_buffer_mut(buffer).expect("batch meta");
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        frame.retain_display_metas(|_| false);
    }
}

fn probe_walk(c: &mut Criterion) {
    gst::init().expect("gst init");
    let mut buffer = make_buffer();
    let buf = buffer.get_mut().expect("writable");
    assert_eq!(walk(buf), FRAMES * OBJECTS / 2);
    reset(buf);
    let mut group = c.benchmark_group("probe_walk");
    group.throughput(Throughput::Elements(u64::from(FRAMES * OBJECTS)));
    group.bench_function("4x100", |b| {
        b.iter(|| {
            let n = walk(black_box(&mut *buf));
            reset(buf);
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, probe_walk);
criterion_main!(benches);
