//! The metadata API inside a real GStreamer pipeline: an upstream pad probe
//! attaches a batch (as nvstreammux would) with a frame, objects, display
//! meta and user meta; a downstream probe reads everything back. Also checks
//! that buffer copies deep-copy user meta and that every copy is released
//! exactly once.
use ds_core::osd::Color;
use ds_core::{meta_type, BatchMeta, OwnedBatchMeta, RectParams, UserData, UserMetaData};
use ds_sys::{NvDsMetaCopyFunc, NvDsMetaReleaseFunc, NvDsMetaType, NvDsUserMeta};
use gst::prelude::*;
use gstreamer as gst;
use std::os::raw::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const N: usize = 6;

#[derive(Debug, Clone, PartialEq)]
struct Seen {
    num_frames: u32,
    frame_num: i32,
    source_id: u32,
    width: u32,
    objects: Vec<(i32, String, f32, f32, Option<String>, u64)>,
    num_obj_meta: u32,
    rects: Vec<(f32, f32, f32, f32)>,
    texts: Vec<(String, Option<String>, u32)>,
    user: Option<(u32, String)>,
}

#[test]
fn probes_attach_and_read_back() {
    ds_core::init().unwrap();
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers={N} ! video/x-raw,width=320,height=240 ! \
         identity name=mux ! identity name=mid ! fakesink name=sink"
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();

    // Upstream: plays nvstreammux + a detector.
    let mux = pipeline.by_name("mux").unwrap();
    let counter = Arc::new(AtomicUsize::new(0));
    mux.static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let i = counter.fetch_add(1, Ordering::SeqCst);
            let Some(buffer) = info.buffer_mut() else {
                return gst::PadProbeReturn::Ok;
            };
            let mut batch = OwnedBatchMeta::new(1).unwrap();
            batch
                .add_user_meta(UserData::new((i as u32, format!("batch {i}"))))
                .unwrap();
            let frame = batch.new_frame().unwrap();
            frame.set_frame_num(i as i32);
            frame.set_source_id(0);
            frame.set_source_frame_width(320);
            frame.set_source_frame_height(240);
            for k in 0..(i % 3 + 1) {
                let obj = frame.new_object().unwrap();
                obj.set_class_id(k as i32);
                obj.set_obj_label(["car", "bicycle", "person"][k]);
                obj.set_confidence(0.5 + k as f32 / 10.0);
                obj.set_object_id(i as u64 * 10 + k as u64);
                let r = obj.rect_params_mut();
                r.left = 10.0 * k as f32;
                r.top = i as f32;
                r.width = 30.0;
                r.height = 40.0;
                r.border_width = 2;
                r.border_color = Color::RED.into();
                let t = obj.text_params_mut();
                t.set_display_text(&format!("obj {i}.{k}"));
                t.set_font_name("Serif");
                t.set_font_size(10);
                t.set_font_color(Color::WHITE);
                t.set_bg_color(Color::BLACK);
            }
            let display = frame.new_display_meta().unwrap();
            display
                .add_rect(RectParams {
                    left: 1.0,
                    top: 2.0,
                    width: 3.0 + i as f32,
                    height: 4.0,
                    ..Default::default()
                })
                .unwrap();
            let text = display.add_text(&format!("Frame {i}")).unwrap();
            text.set_font_name("Arial");
            text.set_offsets(10, 12);
            batch.attach(buffer.make_mut()).unwrap();
            gst::PadProbeReturn::Ok
        });

    // Downstream: reads everything back, as an app's osd probe does.
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let seen2 = seen.clone();
    let sink = pipeline.by_name("sink").unwrap();
    sink.static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let Some(buffer) = info.buffer() else {
                return gst::PadProbeReturn::Ok;
            };
            let Some(batch) = BatchMeta::from_buffer(buffer) else {
                return gst::PadProbeReturn::Ok;
            };
            let user = batch
                .user_metas()
                .find_map(|m| m.downcast::<UserData<(u32, String)>>())
                .map(|d| (**d).clone());
            for frame in batch.frames() {
                let d = frame.display_metas().next();
                seen2.lock().unwrap().push(Seen {
                    num_frames: batch.num_frames_in_batch(),
                    frame_num: frame.frame_num(),
                    source_id: frame.source_id(),
                    width: frame.source_frame_width(),
                    objects: frame
                        .objects()
                        .map(|o| {
                            (
                                o.class_id(),
                                o.obj_label().to_owned(),
                                o.confidence(),
                                o.rect_params().left,
                                o.text_params().display_text().map(str::to_owned),
                                o.object_id(),
                            )
                        })
                        .collect(),
                    num_obj_meta: frame.num_obj_meta(),
                    rects: d
                        .map(|d| {
                            d.rects()
                                .iter()
                                .map(|r| (r.left, r.top, r.width, r.height))
                                .collect()
                        })
                        .unwrap_or_default(),
                    texts: d
                        .map(|d| {
                            d.labels()
                                .iter()
                                .map(|t| {
                                    (
                                        t.display_text().unwrap_or("").to_owned(),
                                        t.font_name().map(str::to_owned),
                                        t.offsets().1,
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    user: user.clone(),
                });
            }
            gst::PadProbeReturn::Ok
        });

    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("pipeline timed out");
    assert_eq!(msg.type_(), gst::MessageType::Eos, "{msg:?}");
    pipeline.set_state(gst::State::Null).unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), N);
    for (i, s) in seen.iter().enumerate() {
        let n = i % 3 + 1;
        let expected = Seen {
            num_frames: 1,
            frame_num: i as i32,
            source_id: 0,
            width: 320,
            objects: (0..n)
                .map(|k| {
                    (
                        k as i32,
                        ["car", "bicycle", "person"][k].to_owned(),
                        0.5 + k as f32 / 10.0,
                        10.0 * k as f32,
                        Some(format!("obj {i}.{k}")),
                        i as u64 * 10 + k as u64,
                    )
                })
                .collect(),
            num_obj_meta: n as u32,
            rects: vec![(1.0, 2.0, 3.0 + i as f32, 4.0)],
            texts: vec![(format!("Frame {i}"), Some("Arial".to_owned()), 12)],
            user: Some((i as u32, format!("batch {i}"))),
        };
        assert_eq!(s, &expected, "buffer {i}");
    }
}

// ---------------------------------------------------------------------------
// Buffer copies.

static COPIES: AtomicUsize = AtomicUsize::new(0);
static RELEASES: AtomicUsize = AtomicUsize::new(0);
const TRACKED_TYPE: NvDsMetaType = meta_type::START_USER + 500;

#[repr(C)]
struct TrackedC {
    value: u64,
}

struct Tracked(u64);

unsafe extern "C" fn tracked_copy(data: *mut c_void, _: *mut c_void) -> *mut c_void {
    // SAFETY: the source NvDsUserMeta holds a TrackedC.
    let v = unsafe { (*((*(data as *mut NvDsUserMeta)).user_meta_data as *const TrackedC)).value };
    COPIES.fetch_add(1, Ordering::SeqCst);
    Box::into_raw(Box::new(TrackedC { value: v })) as *mut c_void
}

unsafe extern "C" fn tracked_release(data: *mut c_void, _: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    // SAFETY: the NvDsUserMeta holds a TrackedC from Box::into_raw; cleared
    // after.
    unsafe {
        drop(Box::from_raw((*um).user_meta_data as *mut TrackedC));
        (*um).user_meta_data = std::ptr::null_mut();
    }
    RELEASES.fetch_add(1, Ordering::SeqCst);
}

// SAFETY: into_raw gives a Box<TrackedC> that tracked_release frees and
// tracked_copy deep-copies; accepts checks the meta type, used only here.
unsafe impl UserMetaData for Tracked {
    type Ref = TrackedC;
    fn meta_type(&self) -> NvDsMetaType {
        TRACKED_TYPE
    }
    fn accepts(meta: &NvDsUserMeta) -> bool {
        meta.base_meta.meta_type == TRACKED_TYPE
    }
    fn into_raw(self) -> *mut c_void {
        Box::into_raw(Box::new(TrackedC { value: self.0 })) as *mut c_void
    }
    fn copy_func() -> NvDsMetaCopyFunc {
        Some(tracked_copy)
    }
    fn release_func() -> NvDsMetaReleaseFunc {
        Some(tracked_release)
    }
}

fn tracked_value(buffer: &gst::BufferRef) -> Vec<u64> {
    let batch = BatchMeta::from_buffer(buffer).unwrap();
    batch
        .frames()
        .flat_map(|f| f.objects())
        .flat_map(|o| o.user_metas())
        .filter_map(|m| m.downcast::<Tracked>())
        .map(|t| t.value)
        .collect()
}

#[test]
fn buffer_copies_deep_copy_user_meta_and_release_once() {
    ds_core::init().unwrap();
    {
        let mut buffer = gst::Buffer::new();
        let mut batch = OwnedBatchMeta::new(1).unwrap();
        let obj = batch.new_frame().unwrap().new_object().unwrap();
        obj.set_obj_label("car");
        obj.text_params_mut().set_display_text("car 7");
        obj.add_user_meta(Tracked(7)).unwrap();
        batch.attach(buffer.get_mut().unwrap()).unwrap();
        assert_eq!(
            (
                COPIES.load(Ordering::SeqCst),
                RELEASES.load(Ordering::SeqCst)
            ),
            (0, 0)
        );

        // Explicit copy.
        let copy = buffer.copy();
        assert_eq!(COPIES.load(Ordering::SeqCst), 1);
        assert_eq!(tracked_value(&copy), [7]);
        assert_ne!(
            BatchMeta::from_buffer(&copy).unwrap().as_ptr(),
            BatchMeta::from_buffer(&buffer).unwrap().as_ptr()
        );

        // make_mut on a shared buffer copies too; changes stay in the copy.
        let mut shared = buffer.clone();
        {
            let b = BatchMeta::from_buffer_mut(shared.make_mut()).unwrap();
            let mut frame = b.frame_mut(0).unwrap();
            let obj = frame.objects_mut().next().unwrap();
            obj.set_obj_label("bus");
            obj.text_params_mut().set_display_text("bus 8");
            obj.user_metas_mut()
                .next()
                .unwrap()
                .downcast_mut::<Tracked>()
                .unwrap()
                .value = 8;
        }
        assert_eq!(COPIES.load(Ordering::SeqCst), 2);
        assert_eq!(tracked_value(&shared), [8]);
        assert_eq!(tracked_value(&buffer), [7]);
        let orig = BatchMeta::from_buffer(&buffer).unwrap();
        let o = orig.frames().next().unwrap().objects().next().unwrap();
        assert_eq!(o.obj_label(), "car");
        assert_eq!(o.text_params().display_text(), Some("car 7"));

        drop(copy);
        assert_eq!(RELEASES.load(Ordering::SeqCst), 1);
        drop(shared);
        assert_eq!(RELEASES.load(Ordering::SeqCst), 2);
    }
    // The original, dropped at the end of the block.
    assert_eq!(
        (
            COPIES.load(Ordering::SeqCst),
            RELEASES.load(Ordering::SeqCst)
        ),
        (2, 3)
    );
}
