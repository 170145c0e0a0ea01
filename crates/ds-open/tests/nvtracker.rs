//! The open `nvtracker`: synthetic batches from appsrc with objects placed
//! by hand (moving, crossing, side by side, disappearing, two sources),
//! the display text, config errors, and the real sample behind nvinfer.
use ds_core::surface::SurfaceBatch;
use ds_core::tracker::{MiscDataKind, TargetFrame, TargetMiscDataRef, TrackerState};
use ds_core::{BatchMeta, OwnedBatchMeta, UNTRACKED_OBJECT_ID};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const W: u32 = 64;
const H: u32 = 48;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A scratch directory for configs, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("ds-nvtracker-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// An object placed in a frame: class, confidence, (left, top, w, h).
#[derive(Debug, Clone, Copy)]
struct Place {
    class_id: i32,
    confidence: f32,
    rect: [f32; 4],
}

fn place(class_id: i32, left: f32, top: f32, w: f32, h: f32) -> Place {
    Place {
        class_id,
        confidence: 0.9,
        rect: [left, top, w, h],
    }
}

const LABELS: [&str; 4] = ["Car", "Bicycle", "Person", "Roadsign"];

/// One batch: per frame its source id and objects.
type Batch = Vec<(u32, Vec<Place>)>;

/// An object after the tracker.
#[derive(Debug, Clone)]
struct Seen {
    class_id: i32,
    id: u64,
    text: String,
    tracker_confidence: f32,
    tracker_box: [f32; 4],
    rect: [f32; 4],
}

/// Per batch, per frame: (source id, objects in order).
type Output = Vec<Vec<(u32, Vec<Seen>)>>;

fn buffer(index: usize, batch: &Batch) -> gst::Buffer {
    let n = batch.len() as u32;
    let mut surface = SurfaceBatch::new(n, W, H, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    surface.set_num_filled(n).unwrap();
    let mut buffer = surface.into_buffer();
    let mut meta = OwnedBatchMeta::new(n).unwrap();
    for (bi, (source, objects)) in batch.iter().enumerate() {
        let frame = meta.new_frame().unwrap();
        frame.set_source_id(*source);
        frame.set_pad_index(*source);
        frame.set_batch_id(bi as u32);
        frame.set_frame_num(index as i32);
        for p in objects {
            let obj = frame.new_object().unwrap();
            obj.set_class_id(p.class_id);
            obj.set_confidence(p.confidence);
            obj.set_object_id(UNTRACKED_OBJECT_ID);
            obj.set_unique_component_id(1);
            let r = obj.rect_params_mut();
            [r.left, r.top, r.width, r.height] = p.rect;
            let label = LABELS[p.class_id as usize];
            obj.set_obj_label(label);
            obj.text_params_mut().set_display_text(label);
        }
    }
    {
        let b = buffer.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(33 * index as u64));
        b.set_duration(gst::ClockTime::from_mseconds(33));
        meta.attach(b).unwrap();
    }
    buffer
}

fn read(buffer: &gst::BufferRef) -> Vec<(u32, Vec<Seen>)> {
    let batch = BatchMeta::from_buffer(buffer).expect("batch meta");
    batch
        .frames()
        .map(|f| {
            let objects = f
                .objects()
                .map(|o| {
                    let b = o.tracker_bbox();
                    let r = o.rect_params();
                    Seen {
                        class_id: o.class_id(),
                        id: o.object_id(),
                        text: o.text_params().display_text().unwrap_or("").to_string(),
                        tracker_confidence: o.tracker_confidence(),
                        tracker_box: [b.left, b.top, b.width, b.height],
                        rect: [r.left, r.top, r.width, r.height],
                    }
                })
                .collect();
            (f.source_id(), objects)
        })
        .collect()
}

/// Runs `appsrc ! nvtracker <props> ! appsink` over `batches`; returns
/// what came out, or the pipeline's error.
fn run(batches: &[Batch], props: &[(&str, &str)]) -> Result<Output, String> {
    run_map(batches, props, read)
}

/// [`run`], reading each output buffer with `read`.
fn run_map<T>(
    batches: &[Batch],
    props: &[(&str, &str)],
    read: fn(&gst::BufferRef) -> T,
) -> Result<Vec<T>, String> {
    ds_open::init().unwrap();
    let pipeline = gst::Pipeline::new();
    let src = gst_app::AppSrc::builder()
        .caps(
            &gst::Caps::builder("video/x-raw")
                .features(["memory:NVMM"])
                .field("format", "NV12")
                .field("width", W as i32)
                .field("height", H as i32)
                .field("framerate", gst::Fraction::new(30, 1))
                .build(),
        )
        .format(gst::Format::Time)
        .build();
    let tracker = gst::ElementFactory::make("nvtracker").build().unwrap();
    for (k, v) in props {
        tracker.set_property_from_str(k, v);
    }
    let sink = gst_app::AppSink::builder().sync(false).build();
    pipeline
        .add_many([src.upcast_ref(), &tracker, sink.upcast_ref()])
        .unwrap();
    gst::Element::link_many([src.upcast_ref(), &tracker, sink.upcast_ref()]).unwrap();
    let bus = pipeline.bus().unwrap();
    let error = |bus: &gst::Bus| -> String {
        match bus.timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error]) {
            Some(msg) => match msg.view() {
                gst::MessageView::Error(e) => e.error().to_string(),
                _ => unreachable!(),
            },
            None => "no error message".into(),
        }
    };
    if pipeline.set_state(gst::State::Playing).is_err() {
        let e = error(&bus);
        pipeline.set_state(gst::State::Null).unwrap();
        return Err(e);
    }
    for (i, b) in batches.iter().enumerate() {
        if src.push_buffer(buffer(i, b)).is_err() {
            break;
        }
    }
    let _ = src.end_of_stream();
    let mut out = Vec::new();
    for _ in 0..batches.len() {
        let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_seconds(10)) else {
            break;
        };
        out.push(read(sample.buffer().unwrap()));
    }
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(10),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    pipeline.set_state(gst::State::Null).unwrap();
    match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Error(e)) => Err(e.error().to_string()),
        Some(_) => Ok(out),
        None => Err("no EOS".into()),
    }
}

/// An ll-config-file with these TargetManagement values.
fn ll_config(dir: &Scratch, probation: u32, shadow: u32) -> PathBuf {
    dir.write(
        &format!("ll-{probation}-{shadow}.yml"),
        &format!(
            "%YAML:1.0\nBaseConfig:\n  minDetectorConfidence: 0.5\n\
             TargetManagement:\n  probationAge: {probation}\n  maxShadowTrackingAge: {shadow}\n  \
             earlyTerminationAge: 1\nDataAssociator:\n  checkClassMatch: 1\n  \
             minMatchingScore4Iou: 0.1\n"
        ),
    )
}

/// One source (0), one frame per batch.
fn single(frames: Vec<Vec<Place>>) -> Vec<Batch> {
    frames.into_iter().map(|f| vec![(0, f)]).collect()
}

/// The objects of source 0 per batch.
fn objects(out: &Output) -> Vec<Vec<Seen>> {
    out.iter()
        .map(|b| {
            b.iter()
                .find(|(s, _)| *s == 0)
                .map(|f| f.1.clone())
                .unwrap()
        })
        .collect()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_moving_object_keeps_one_id_and_a_smoothed_box() {
    let dir = Scratch::new("moving");
    let cfg = ll_config(&dir, 0, 5);
    let frames: Vec<Vec<Place>> = (0..30)
        .map(|i| vec![place(2, 10.0 + 5.0 * i as f32, 100.0, 40.0, 80.0)])
        .collect();
    let out = run(&single(frames), &[("ll-config-file", path_str(&cfg))]).unwrap();
    assert_eq!(out.len(), 30);
    let objs = objects(&out);
    let id = objs[0][0].id;
    assert_ne!(id, UNTRACKED_OBJECT_ID);
    for (i, f) in objs.iter().enumerate() {
        let o = &f[0];
        assert_eq!(o.id, id, "frame {i}");
        assert!((0.0..=1.0).contains(&o.tracker_confidence), "{o:?}");
        // The smoothed box follows the object within a few pixels.
        let x = 10.0 + 5.0 * i as f32;
        assert!((o.tracker_box[0] - x).abs() < 3.0, "frame {i}: {o:?}");
        assert!((o.tracker_box[1] - 100.0).abs() < 0.01, "frame {i}: {o:?}");
        assert!((o.tracker_box[2] - 40.0).abs() < 0.01, "frame {i}: {o:?}");
    }
    assert_eq!(objs[0][0].tracker_confidence, 1.0, "a new track");
    assert!(objs[10][0].tracker_confidence > 0.8, "{:?}", objs[10][0]);
}

#[test]
fn crossing_objects_of_different_classes_keep_their_ids() {
    let dir = Scratch::new("crossing");
    let cfg = ll_config(&dir, 0, 5);
    // A person going right and a car going left on the same line.
    let frames: Vec<Vec<Place>> = (0..30)
        .map(|i| {
            let i = i as f32;
            vec![
                place(2, 10.0 + 8.0 * i, 100.0, 40.0, 60.0),
                place(0, 250.0 - 8.0 * i, 105.0, 40.0, 60.0),
            ]
        })
        .collect();
    let out = run(&single(frames), &[("ll-config-file", path_str(&cfg))]).unwrap();
    let objs = objects(&out);
    let (person, car) = (objs[0][0].id, objs[0][1].id);
    assert_ne!(person, car);
    for (i, f) in objs.iter().enumerate() {
        assert_eq!((f[0].class_id, f[0].id), (2, person), "frame {i}");
        assert_eq!((f[1].class_id, f[1].id), (0, car), "frame {i}");
    }
}

#[test]
fn objects_of_one_class_side_by_side_get_their_own_ids() {
    let dir = Scratch::new("side");
    let cfg = ll_config(&dir, 0, 5);
    // Two persons walking down side by side, 4 px apart; the order of the
    // objects in the meta alternates.
    let frames: Vec<Vec<Place>> = (0..20)
        .map(|i| {
            let y = 20.0 + 4.0 * i as f32;
            let a = place(2, 100.0, y, 30.0, 70.0);
            let b = place(2, 134.0, y + 2.0, 30.0, 70.0);
            if i % 2 == 0 {
                vec![a, b]
            } else {
                vec![b, a]
            }
        })
        .collect();
    let out = run(&single(frames), &[("ll-config-file", path_str(&cfg))]).unwrap();
    let objs = objects(&out);
    let (left, right) = (objs[0][0].id, objs[0][1].id);
    assert_ne!(left, right);
    for (i, f) in objs.iter().enumerate() {
        let (l, r) = if i % 2 == 0 {
            (&f[0], &f[1])
        } else {
            (&f[1], &f[0])
        };
        assert_eq!((l.id, r.id), (left, right), "frame {i}");
    }
}

#[test]
fn a_track_ends_after_max_shadow_tracking_age() {
    let dir = Scratch::new("shadow");
    let cfg = ll_config(&dir, 0, 5);
    let a = place(2, 50.0, 50.0, 40.0, 80.0);
    let b = place(0, 200.0, 50.0, 60.0, 40.0);
    // Both seen 5 frames; the person is gone 5 frames (= maxShadowTrackingAge),
    // the car 6 (more); both come back at the same place.
    let mut frames: Vec<Vec<Place>> = vec![vec![a, b]; 5];
    frames.extend(vec![vec![]; 5]);
    frames.push(vec![a]);
    frames.extend(vec![vec![a, b]; 4]);
    let out = run(&single(frames), &[("ll-config-file", path_str(&cfg))]).unwrap();
    let objs = objects(&out);
    let (person, car) = (objs[0][0].id, objs[0][1].id);
    assert_eq!(objs[10][0].id, person, "5 frames gone: kept");
    assert_eq!(objs[11][0].id, person);
    let car2 = objs[11][1].id;
    assert_ne!(car2, UNTRACKED_OBJECT_ID);
    assert_ne!(car2, car, "6 frames gone: a new id");
    assert_ne!(car2, person);
    for f in &objs[11..] {
        assert_eq!((f[0].id, f[1].id), (person, car2));
    }
}

#[test]
fn sources_are_tracked_independently() {
    let dir = Scratch::new("sources");
    let cfg = ll_config(&dir, 0, 5);
    // The same boxes in two sources of one batch; source 1 comes first in
    // odd batches.
    let batches: Vec<Batch> = (0..15)
        .map(|i| {
            let p = vec![place(2, 20.0 + 3.0 * i as f32, 40.0, 30.0, 60.0)];
            if i % 2 == 0 {
                vec![(0, p.clone()), (1, p)]
            } else {
                vec![(1, p.clone()), (0, p)]
            }
        })
        .collect();
    let out = run(&batches, &[("ll-config-file", path_str(&cfg))]).unwrap();
    let id_of =
        |b: &Vec<(u32, Vec<Seen>)>, s: u32| b.iter().find(|(src, _)| *src == s).unwrap().1[0].id;
    let (id0, id1) = (id_of(&out[0], 0), id_of(&out[0], 1));
    assert_ne!(id0, id1);
    for (i, b) in out.iter().enumerate() {
        assert_eq!((id_of(b, 0), id_of(b, 1)), (id0, id1), "batch {i}");
    }
}

#[test]
fn display_text_gets_the_id_probation_and_confidence() {
    let dir = Scratch::new("text");
    // probationAge 3: the first 3 frames of a track are reported untracked.
    let cfg = ll_config(&dir, 3, 5);
    let frames: Vec<Vec<Place>> = (0..8)
        .map(|i| {
            let mut weak = place(0, 150.0, 20.0, 50.0, 30.0);
            weak.confidence = 0.3; // below minDetectorConfidence 0.5
            vec![place(2, 10.0 + 2.0 * i as f32, 10.0, 20.0, 40.0), weak]
        })
        .collect();
    let cfg_s = path_str(&cfg);
    let out = run(&single(frames.clone()), &[("ll-config-file", cfg_s)]).unwrap();
    let objs = objects(&out);
    for (i, f) in objs.iter().enumerate() {
        let (person, weak) = (&f[0], &f[1]);
        assert_eq!((weak.id, weak.text.as_str()), (UNTRACKED_OBJECT_ID, "Car"));
        if i < 3 {
            assert_eq!(
                (person.id, person.text.as_str()),
                (UNTRACKED_OBJECT_ID, "Person")
            );
        } else {
            assert_ne!(person.id, UNTRACKED_OBJECT_ID);
            assert_eq!(person.text, format!("Person {}", person.id), "frame {i}");
        }
    }
    let id = objs[3][0].id;
    assert!(objs[3..].iter().all(|f| f[0].id == id));
    // display-tracking-id=false: the id is set, the text is left alone.
    let out = run(
        &single(frames),
        &[("ll-config-file", cfg_s), ("display-tracking-id", "false")],
    )
    .unwrap();
    let last = &objects(&out)[7][0];
    assert_ne!(last.id, UNTRACKED_OBJECT_ID);
    assert_eq!(last.text, "Person");
}

#[test]
fn config_errors_name_file_and_line() {
    let dir = Scratch::new("errors");
    let frames = single(vec![vec![place(2, 1.0, 1.0, 5.0, 5.0)]; 2]);
    let bad_value = dir.write(
        "bad_value.yml",
        "%YAML:1.0\nBaseConfig:\n  minDetectorConfidence: 0\nTargetManagement:\n  \
         maxShadowTrackingAge: many\n",
    );
    let err = run(&frames, &[("ll-config-file", path_str(&bad_value))]).unwrap_err();
    assert!(
        err.contains(&format!("{}:5:", bad_value.display())) && err.contains("many"),
        "{err}"
    );
    let malformed = dir.write("malformed.yml", "BaseConfig:\n  just some words\n");
    let err = run(&frames, &[("ll-config-file", path_str(&malformed))]).unwrap_err();
    assert!(
        err.contains(&format!("{}:2:", malformed.display())),
        "{err}"
    );
    let absent = dir.0.join("absent.yml");
    let err = run(&frames, &[("ll-config-file", path_str(&absent))]).unwrap_err();
    assert!(
        err.contains("cannot read ll-config-file") && err.contains("absent.yml"),
        "{err}"
    );
    // The shipped configs load, with NVIDIA's library path accepted.
    let shipped = root().join("configs/config_tracker_IOU.yml");
    let out = run(
        &frames,
        &[
            ("ll-config-file", path_str(&shipped)),
            (
                "ll-lib-file",
                "/opt/nvidia/deepstream/deepstream/lib/libnvds_nvmultiobjecttracker.so",
            ),
            ("tracker-width", "640"),
            ("tracker-height", "384"),
        ],
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    let key_file =
        std::fs::read_to_string(root().join("configs/dstest2_tracker_config.txt")).unwrap();
    assert!(
        key_file.contains("[tracker]")
            && key_file.contains("ll-config-file=config_tracker_IOU.yml")
    );
}

#[test]
fn people_on_the_sample_keep_their_ids() {
    let sample = root().join("samples/sample_720p_60.h264");
    for p in [&sample, &root().join("models/nanodet-m-416.onnx")] {
        assert!(
            p.exists(),
            "{} is missing: run ci/samples.sh and ci/models.sh",
            p.display()
        );
    }
    // test1's detector in FP32 (the shipped config runs INT8): the figures
    // below were set on FP32 detections, and what is tested is the
    // tracker, not the quantised detector.
    let dir = Scratch::new("fp32-pgie");
    let configs = root().join("configs").canonicalize().unwrap();
    let fp32 = ds_testkit::parser::fp32_config_text(&configs.join("dstest1_pgie_config.txt"));
    let pgie = dir.write("pgie_fp32.txt", &fp32);
    ds_open::init().unwrap();
    let frames = 30;
    let desc = format!(
        "filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! identity eos-after={} ! \
         m.sink_0 nvstreammux name=m batch-size=1 width=1280 height=720 ! \
         nvinfer config-file-path=\"{}\" ! nvtracker name=t ! fakesink name=sink sync=false",
        sample.display(),
        frames + 1,
        pgie.display()
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let t = pipeline.by_name("t").unwrap();
    t.set_property(
        "ll-config-file",
        root()
            .join("configs/config_tracker_IOU.yml")
            .to_str()
            .unwrap(),
    );
    let seen: Arc<Mutex<Vec<Vec<Seen>>>> = Arc::default();
    let s = seen.clone();
    pipeline
        .by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(b)) = info.data.as_ref() {
                s.lock().unwrap().extend(read(b).into_iter().map(|f| f.1));
            }
            gst::PadProbeReturn::Ok
        });
    let result = ds_core::app::run(&pipeline);
    pipeline.set_state(gst::State::Null).unwrap();
    result.unwrap();
    let mut seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.len() >= frames as usize);
    seen.truncate(frames as usize);
    // Frames in which each person id appears.
    let mut person_frames: HashMap<u64, usize> = HashMap::new();
    let (mut persons, mut tracked) = (0, 0);
    for (i, f) in seen.iter().enumerate() {
        if std::env::var_os("NVTRACKER_DEBUG").is_some() {
            for o in f.iter().filter(|o| o.class_id == 2) {
                eprintln!(
                    "{i}: {} {:?} {:?}",
                    o.id as i64, o.rect, o.tracker_confidence
                );
            }
        }
        for o in f.iter().filter(|o| o.class_id == 2) {
            persons += 1;
            if o.id != UNTRACKED_OBJECT_ID {
                tracked += 1;
                *person_frames.entry(o.id).or_default() += 1;
                assert_eq!(o.text, format!("Person {}", o.id));
            }
        }
    }
    eprintln!("persons {persons}, tracked {tracked}, ids {person_frames:?}");
    // Three people walk through the clip's first frames (others enter
    // later or are missed by the detector now and then): at least two ids
    // last 20 frames, and ids are not churned (on average a person id is
    // seen in 10 frames or more).
    let long = person_frames.values().filter(|n| **n >= 20).count();
    assert!(long >= 2, "{person_frames:?}");
    assert!(
        tracked >= persons / 2 && tracked >= 10 * person_frames.len(),
        "{tracked} tracked of {persons}: {person_frames:?}"
    );
    // A tracked person that overlaps a tracked person of the previous
    // frame well is the same person: same id.
    let iou = |a: [f32; 4], b: [f32; 4]| {
        let w = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
        let h = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
        let i = w.max(0.0) * h.max(0.0);
        i / (a[2] * a[3] + b[2] * b[3] - i)
    };
    let tracked_persons = |f: &Vec<Seen>| -> Vec<Seen> {
        f.iter()
            .filter(|o| o.class_id == 2 && o.id != UNTRACKED_OBJECT_ID)
            .cloned()
            .collect()
    };
    let mut continued = 0;
    for (i, pair) in seen.windows(2).enumerate() {
        for b in tracked_persons(&pair[1]) {
            for a in tracked_persons(&pair[0]) {
                if iou(a.rect, b.rect) >= 0.5 {
                    assert_eq!(a.id, b.id, "frames {i}-{}: {a:?} / {b:?}", i + 1);
                    continued += 1;
                }
            }
        }
    }
    eprintln!("{continued} continued tracks");
    assert!(continued >= 60, "{continued}");
}

/// A past-frame stream: (streamID, surfaceStreamID, targets as (uniqueId,
/// classId, objLabel, frames)).
type PastStream = (u32, u64, Vec<(u64, u16, String, Vec<TargetFrame>)>);

/// Per frame (source id, object ids), and the past-frame data of a batch.
fn read_past(buffer: &gst::BufferRef) -> (Vec<(u32, Vec<u64>)>, Vec<PastStream>) {
    let batch = BatchMeta::from_buffer(buffer).expect("batch meta");
    let ids = batch
        .frames()
        .map(|f| (f.source_id(), f.objects().map(|o| o.object_id()).collect()))
        .collect();
    let mut past = Vec::new();
    for um in batch.user_metas() {
        let Some(data) = TargetMiscDataRef::from_user_meta(um, MiscDataKind::PastFrame) else {
            continue;
        };
        for s in data.streams() {
            let targets = s
                .targets()
                .iter()
                .map(|t| {
                    (
                        t.unique_id(),
                        t.class_id(),
                        t.label().to_string(),
                        t.frames().collect(),
                    )
                })
                .collect();
            past.push((s.stream_id(), s.surface_stream_id(), targets));
        }
    }
    (ids, past)
}

#[test]
fn past_frame_reports_probation_frames_on_confirmation() {
    let dir = Scratch::new("past");
    let cfg = ll_config(&dir, 3, 5);
    // Source 0: a person from frame 0; source 1: a car from frame 5; a
    // bicycle on source 0 seen in frames 12-13 only (ends in probation).
    let person = |i: usize| place(2, 10.0 + 4.0 * i as f32, 100.0, 40.0, 80.0);
    let car = place(0, 300.0, 20.0, 60.0, 40.0);
    let bike = place(1, 200.0, 200.0, 30.0, 30.0);
    let batches: Vec<Batch> = (0..16)
        .map(|i| {
            let mut s0 = vec![person(i)];
            if (12..14).contains(&i) {
                s0.push(bike);
            }
            let s1 = if i >= 5 { vec![car] } else { vec![] };
            vec![(0, s0), (1, s1)]
        })
        .collect();
    let props = [("ll-config-file", path_str(&cfg))];
    let out = run_map(&batches, &props, read_past).unwrap();
    assert_eq!(out.len(), 16);
    let with_past: Vec<usize> = (0..16).filter(|&i| !out[i].1.is_empty()).collect();
    assert_eq!(
        with_past,
        [3, 8],
        "confirmed at the 4th frame (probationAge 3)"
    );

    // Batch 3: the person, confirmed now, with frames 0..=2.
    let (ids, past) = &out[3];
    let person_id = ids[0].1[0];
    assert_ne!(person_id, UNTRACKED_OBJECT_ID);
    assert_eq!(out[2].0[0].1[0], UNTRACKED_OBJECT_ID, "still in probation");
    assert_eq!(past.len(), 1);
    let (stream_id, surface_id, targets) = &past[0];
    assert_eq!((*stream_id, *surface_id), (0, 0));
    assert_eq!(targets.len(), 1);
    let (uid, class, label, frames) = &targets[0];
    assert_eq!((*uid, *class, label.as_str()), (person_id, 2, "Person"));
    let nums: Vec<u32> = frames.iter().map(|f| f.frame_num).collect();
    assert_eq!(nums, [0, 1, 2]);
    let ages: Vec<u32> = frames.iter().map(|f| f.age).collect();
    assert_eq!(ages, [0, 1, 2]);
    let b0 = frames[0].bbox;
    assert_eq!(
        [b0.left, b0.top, b0.width, b0.height],
        [10.0, 100.0, 40.0, 80.0]
    );
    assert_eq!(frames[0].confidence, 1.0);
    for (k, f) in frames.iter().enumerate() {
        let x = 10.0 + 4.0 * k as f32;
        assert!((f.bbox.left - x).abs() < 3.0, "{f:?}");
        assert!((f.bbox.top - 100.0).abs() < 0.01, "{f:?}");
        assert!(f.confidence > 0.5 && f.confidence <= 1.0, "{f:?}");
        assert_eq!(f.state, TrackerState::Tentative);
        assert_eq!(f.visibility, 1.0);
    }

    // Batch 8: the car of source 1 (pad 1), frames 5..=7.
    let (ids, past) = &out[8];
    let car_id = ids[1].1[0];
    assert_ne!(car_id, UNTRACKED_OBJECT_ID);
    assert_ne!(car_id, person_id);
    assert_eq!(past.len(), 1);
    let (stream_id, surface_id, targets) = &past[0];
    assert_eq!((*stream_id, *surface_id), (1, 1 << 32));
    let (uid, class, label, frames) = &targets[0];
    assert_eq!((*uid, *class, label.as_str()), (car_id, 0, "Car"));
    let nums: Vec<u32> = frames.iter().map(|f| f.frame_num).collect();
    assert_eq!(nums, [5, 6, 7]);
    // The bicycle ended in probation: never reported (checked above: no
    // other batch has past-frame data).
}

#[test]
fn past_frame_output_has_no_switch_as_in_deepstream_7_1() {
    ds_open::init().unwrap();
    let tracker = gst::ElementFactory::make("nvtracker").build().unwrap();
    // NVIDIA removed both properties in 6.3; past-frame data is always on.
    assert!(tracker.find_property("enable-past-frame").is_none());
    assert!(tracker.find_property("enable-batch-process").is_none());
}
