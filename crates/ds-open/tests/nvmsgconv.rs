//! The open `nvmsgconv`: event messages with fixed timestamps / ids in,
//! DeepStream JSON payloads out (golden files for the full and the minimal
//! schema; `UPDATE_GOLDEN=1` rewrites them), comp-id filtering, the debug
//! payload directory, start errors, and a tee whose two branches both
//! convert the same event meta (deep copies, no double free).
use ds_core::alloc::{EventMsgMeta, FaceObject, Payload, PersonObject, Rect, VehicleObject};
use ds_core::surface::SurfaceBatch;
use ds_core::{BatchMeta, OwnedBatchMeta};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn config() -> PathBuf {
    root().join("configs/dstest4_msgconv_config.txt")
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("ds-nvmsgconv-{tag}-{}", std::process::id()));
        std::fs::remove_dir_all(&d).ok();
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// deepstream-test4's vehicle event, with fixed values.
fn vehicle_event(frame: i32, ts: &str) -> EventMsgMeta {
    let mut m = EventMsgMeta::new();
    m.set_bbox(Rect {
        top: 100.25,
        left: 957.5,
        width: 876.75,
        height: 115.5,
    });
    m.set_frame_id(frame);
    m.set_tracking_id(u64::MAX);
    m.set_confidence(0.8);
    m.set_sensor_id(0);
    m.set_place_id(0);
    m.set_module_id(0);
    m.set_sensor_str("sensor-0");
    m.set_ts(ts);
    m.set_event_type(ds_sys::NVDS_EVENT_MOVING);
    m.set_obj_class_id(0);
    m.set_vehicle(
        VehicleObject::new()
            .with_type("sedan")
            .with_color("blue")
            .with_make("Bugatti")
            .with_model("M")
            .with_license("XX1234")
            .with_region("CA"),
    );
    m
}

/// deepstream-test4's person event, with fixed values.
fn person_event(frame: i32, ts: &str) -> EventMsgMeta {
    let mut m = EventMsgMeta::new();
    m.set_bbox(Rect {
        top: 20.0,
        left: 30.0,
        width: 10.5,
        height: 40.0,
    });
    m.set_frame_id(frame);
    m.set_tracking_id(7);
    m.set_confidence(0.5);
    m.set_sensor_str("sensor-0");
    m.set_ts(ts);
    m.set_event_type(ds_sys::NVDS_EVENT_ENTRY);
    m.set_obj_class_id(2);
    m.set_person(
        PersonObject::new()
            .with_age(45)
            .with_cap("none")
            .with_hair("black")
            .with_gender("male")
            .with_apparel("formal"),
    );
    m
}

/// A face event of component 2, place 1, without sensorStr, with a
/// signature, location and coordinate.
fn face_event(frame: i32, ts: &str) -> EventMsgMeta {
    let mut m = EventMsgMeta::new();
    m.set_bbox(Rect {
        top: 1.0,
        left: 2.0,
        width: 3.0,
        height: 4.0,
    });
    m.set_frame_id(frame);
    m.set_tracking_id(12);
    m.set_confidence(0.25);
    m.set_place_id(1);
    m.set_component_id(2);
    m.set_ts(ts);
    m.set_event_type(ds_sys::NVDS_EVENT_EXIT);
    m.set_location(ds_core::alloc::GeoLocation {
        lat: 48.5,
        lon: 11.25,
        alt: 519.0,
    });
    m.set_coordinate(ds_core::alloc::Coordinate {
        x: 1.5,
        y: 2.5,
        z: 0.0,
    });
    m.set_signature(&[0.5, 0.25]).unwrap();
    m.set_video_path("/videos/clip.mp4");
    m.set_face(
        FaceObject::new()
            .with_age(36)
            .with_name("Ada")
            .with_glasses("yes"),
    );
    m
}

/// Two batches of two frames: batch 0 frame 0 has a vehicle and a person,
/// frame 1 nothing; batch 1 frame 0 a face (component 2), frame 1 a
/// vehicle.
fn batches() -> Vec<gst::Buffer> {
    (0..2)
        .map(|b| {
            let mut surface =
                SurfaceBatch::new(2, 64, 48, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
            surface.set_num_filled(2).unwrap();
            let mut buffer = surface.into_buffer();
            let mut meta = OwnedBatchMeta::new(2).unwrap();
            for fi in 0..2 {
                let frame_num = 30 * b;
                let ts = format!("2024-05-01T12:34:{:02}.{:03}Z", b * 2 + fi, 100 * fi + 7);
                let frame = meta.new_frame().unwrap();
                frame.set_source_id(fi as u32);
                frame.set_batch_id(fi as u32);
                frame.set_frame_num(frame_num);
                match (b, fi) {
                    (0, 0) => {
                        frame.add_user_meta(vehicle_event(frame_num, &ts)).unwrap();
                        frame.add_user_meta(person_event(frame_num, &ts)).unwrap();
                    }
                    (1, 0) => {
                        frame.add_user_meta(face_event(frame_num, &ts)).unwrap();
                    }
                    (1, 1) => {
                        frame.add_user_meta(vehicle_event(frame_num, &ts)).unwrap();
                    }
                    _ => {}
                }
            }
            let buf = buffer.get_mut().unwrap();
            buf.set_pts(gst::ClockTime::from_mseconds(33 * b as u64));
            meta.attach(buf).unwrap();
            buffer
        })
        .collect()
}

/// Per batch, per frame: the payload texts (and their component ids).
type Payloads = Vec<Vec<Vec<(String, u32)>>>;

fn payloads_of(buffer: &gst::BufferRef) -> Vec<Vec<(String, u32)>> {
    let batch = BatchMeta::from_buffer(buffer).expect("batch meta");
    assert_eq!(
        batch
            .user_metas()
            .filter(|u| u.downcast::<Payload>().is_some())
            .count(),
        0,
        "payloads go to frame user meta, as NVIDIA's"
    );
    batch
        .frames()
        .map(|f| {
            f.user_metas()
                .filter_map(|u| u.downcast::<Payload>())
                .map(|p| (p.as_str().expect("utf-8").to_string(), p.component_id()))
                .collect()
        })
        .collect()
}

fn appsink(out: Arc<Mutex<Payloads>>) -> gst::Element {
    let sink = gst_app::AppSink::builder().sync(false).build();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(b) = sample.buffer() {
                    out.lock().unwrap().push(payloads_of(b));
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    sink.upcast()
}

fn appsrc() -> gst_app::AppSrc {
    let caps = gst::Caps::builder("video/x-raw")
        .features(["memory:NVMM"])
        .field("format", "NV12")
        .field("width", 64)
        .field("height", 48)
        .field("framerate", gst::Fraction::new(30, 1))
        .build();
    gst_app::AppSrc::builder()
        .caps(&caps)
        .format(gst::Format::Time)
        .build()
}

fn msgconv(props: &[(&str, &str)]) -> gst::Element {
    let e = gst::ElementFactory::make("nvmsgconv").build().unwrap();
    for (k, v) in props {
        e.set_property_from_str(k, v);
    }
    e
}

/// Runs the pipeline to EOS; Err = the first error message.
fn run(pipeline: &gst::Pipeline, src: &gst_app::AppSrc) -> Result<(), String> {
    if let Err(e) = pipeline.set_state(gst::State::Playing) {
        let msg = first_error(pipeline).unwrap_or_else(|| format!("state change failed: {e}"));
        // Back to NULL, or the half-started pipeline is never freed.
        pipeline.set_state(gst::State::Null).unwrap();
        return Err(msg);
    }
    for b in batches() {
        if src.push_buffer(b).is_err() {
            break;
        }
    }
    let _ = src.end_of_stream();
    let bus = pipeline.bus().unwrap();
    let mut result = Ok(());
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(20)) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                result = Err(e.error().to_string());
                break;
            }
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    result
}

fn first_error(pipeline: &gst::Pipeline) -> Option<String> {
    let bus = pipeline.bus()?;
    while let Some(msg) = bus.pop() {
        if let gst::MessageView::Error(e) = msg.view() {
            return Some(e.error().to_string());
        }
    }
    None
}

fn convert(props: &[(&str, &str)]) -> Result<Payloads, String> {
    ds_open::init().unwrap();
    let out = Arc::new(Mutex::new(Vec::new()));
    let pipeline = gst::Pipeline::new();
    let src = appsrc();
    let conv = msgconv(props);
    let sink = appsink(out.clone());
    pipeline.add_many([src.upcast_ref(), &conv, &sink]).unwrap();
    gst::Element::link_many([src.upcast_ref(), &conv, &sink]).unwrap();
    run(&pipeline, &src)?;
    let v = out.lock().unwrap().clone();
    Ok(v)
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        })
}

/// Checks and replaces the random UUIDs (`messageid`, `event.id`).
fn normalise(mut v: Value) -> Value {
    let mut ids = Vec::new();
    if let Some(id) = v.get("messageid").and_then(Value::as_str) {
        ids.push(id.to_string());
        v["messageid"] = "<uuid>".into();
    }
    if let Some(id) = v.pointer("/event/id").and_then(Value::as_str) {
        ids.push(id.to_string());
        v["event"]["id"] = "<uuid>".into();
    }
    for id in &ids {
        assert!(is_uuid(id), "not a lowercase UUID: {id}");
    }
    if ids.len() == 2 {
        assert_ne!(ids[0], ids[1]);
    }
    v
}

/// Compares with (or, with UPDATE_GOLDEN=1, writes) a golden file.
fn golden(name: &str, got: &Value) {
    let path = root().join("crates/ds-open/tests/golden").join(name);
    let text = serde_json::to_string_pretty(got).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    let want: Value = serde_json::from_str(&want).unwrap();
    assert_eq!(got, &want, "{} differs; got:\n{text}", path.display());
}

/// All payloads as one JSON array of {batch, frame, componentId, payload}.
fn collect(payloads: &Payloads) -> Value {
    let mut all = Vec::new();
    for (b, frames) in payloads.iter().enumerate() {
        for (f, list) in frames.iter().enumerate() {
            for (text, comp) in list {
                let v: Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("payload is not JSON ({e}):\n{text}"));
                all.push(serde_json::json!({
                    "batch": b, "frame": f, "componentId": comp, "payload": normalise(v),
                }));
            }
        }
    }
    Value::Array(all)
}

#[test]
fn full_schema_matches_golden() {
    let cfg = config();
    let p = convert(&[("config", cfg.to_str().unwrap()), ("payload-type", "0")]).unwrap();
    assert_eq!(p.len(), 2);
    let counts: Vec<Vec<usize>> = p.iter().map(|b| b.iter().map(Vec::len).collect()).collect();
    assert_eq!(counts, [[2, 0], [1, 1]], "one payload per event");
    // Member order is NVIDIA's.
    let first = &p[0][0][0].0;
    let keys = [
        "\"messageid\"",
        "\"mdsversion\"",
        "\"@timestamp\"",
        "\"place\"",
        "\"sensor\"",
        "\"analyticsModule\"",
        "\"object\"",
        "\"event\"",
        "\"videoPath\"",
    ];
    let pos: Vec<usize> = keys.iter().map(|k| first.find(k).unwrap()).collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{first}");
    golden("msgconv_full.json", &collect(&p));
}

#[test]
fn minimal_schema_matches_golden() {
    // No config: sensorId from sensorStr, else "0".
    let p = convert(&[("payload-type", "PAYLOAD_DEEPSTREAM_MINIMAL")]).unwrap();
    let counts: Vec<Vec<usize>> = p.iter().map(|b| b.iter().map(Vec::len).collect()).collect();
    assert_eq!(
        counts,
        [[1, 0], [1, 1]],
        "one payload per frame with events"
    );
    golden("msgconv_minimal.json", &collect(&p));
    // With the config, an event without sensorStr takes the sensor's id.
    let cfg = config();
    let p = convert(&[("config", cfg.to_str().unwrap()), ("payload-type", "1")]).unwrap();
    let face: Value = serde_json::from_str(&p[1][0][0].0).unwrap();
    assert_eq!(face["sensorId"], "CAMERA_ID");
}

#[test]
fn comp_id_filters_events_and_tags_payloads() {
    let cfg = config();
    let p = convert(&[("config", cfg.to_str().unwrap()), ("comp-id", "2")]).unwrap();
    let all: Vec<&(String, u32)> = p.iter().flatten().flatten().collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1, 2);
    let v: Value = serde_json::from_str(&all[0].0).unwrap();
    assert_eq!(v["object"]["face"]["name"], "Ada");
}

#[test]
fn debug_payload_dir_gets_one_file_per_payload() {
    let dir = Scratch::new("debug");
    let cfg = config();
    let p = convert(&[
        ("config", cfg.to_str().unwrap()),
        ("debug-payload-dir", dir.0.to_str().unwrap()),
        (
            "msg2p-lib",
            "/opt/nvidia/deepstream/deepstream/lib/libnvds_msgconv.so",
        ),
    ])
    .unwrap();
    let attached: Vec<String> = p.iter().flatten().flatten().map(|x| x.0.clone()).collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 4);
    for (f, text) in files.iter().zip(&attached) {
        assert_eq!(
            &std::fs::read_to_string(f).unwrap(),
            text,
            "{}",
            f.display()
        );
    }
    assert!(files[0].ends_with("payload-000000.json"));
}

fn start_error(props: &[(&str, &str)]) -> String {
    convert(props).expect_err("refused at start")
}

#[test]
fn bad_settings_fail_at_start_with_clear_errors() {
    let e = start_error(&[("payload-type", "PAYLOAD_CUSTOM")]);
    assert!(e.contains("payload-type 257"), "{e}");
    let e = start_error(&[("payload-type", "256")]);
    assert!(e.contains("payload-type 256"), "{e}");
    let e = start_error(&[("payload-type", "2")]);
    assert!(e.contains("PROTOBUF"), "{e}");
    let e = start_error(&[]);
    assert!(e.contains("needs a config file"), "{e}");
    let e = start_error(&[("config", "/no/such/msgconv.txt")]);
    assert!(
        e.contains("/no/such/msgconv.txt") && e.contains("cannot read"),
        "{e}"
    );
    let dir = Scratch::new("bad");
    let bad = dir.0.join("bad.txt");
    std::fs::write(&bad, "[sensor0]\nenable=1\nlocation=1;2\n").unwrap();
    let e = start_error(&[("config", bad.to_str().unwrap())]);
    assert!(e.contains("[sensor0] location"), "{e}");
    let cfg = config();
    let e = start_error(&[
        ("config", cfg.to_str().unwrap()),
        ("debug-payload-dir", "/no/such/dir"),
    ]);
    assert!(e.contains("debug-payload-dir /no/such/dir"), "{e}");
}

#[test]
fn missing_config_groups_give_null_members() {
    let dir = Scratch::new("partial");
    let cfg = dir.0.join("sensor-only.txt");
    std::fs::write(&cfg, "[sensor0]\nenable=1\nid=S0\n").unwrap();
    let p = convert(&[("config", cfg.to_str().unwrap())]).unwrap();
    let v: Value = serde_json::from_str(&p[0][0][0].0).unwrap();
    assert_eq!(v["sensor"]["id"], "S0");
    assert!(
        v["place"].is_null() && v["analyticsModule"].is_null(),
        "{v}"
    );
}

/// tee → two branches, each converting the same event metas: the batch
/// meta (and every event message) is deep-copied per branch, payloads stay
/// in their branch, and nothing is freed twice.
#[test]
fn tee_branches_convert_their_own_copies() {
    ds_open::init().unwrap();
    let cfg = config();
    let full = Arc::new(Mutex::new(Vec::new()));
    let minimal = Arc::new(Mutex::new(Vec::new()));
    let pipeline = gst::Pipeline::new();
    let src = appsrc();
    let tee = gst::ElementFactory::make("tee").build().unwrap();
    let q1 = gst::ElementFactory::make("queue").build().unwrap();
    let q2 = gst::ElementFactory::make("queue").build().unwrap();
    let c1 = msgconv(&[("config", cfg.to_str().unwrap())]);
    let c2 = msgconv(&[("payload-type", "1")]);
    let s1 = appsink(full.clone());
    let s2 = appsink(minimal.clone());
    pipeline
        .add_many([src.upcast_ref(), &tee, &q1, &q2, &c1, &c2, &s1, &s2])
        .unwrap();
    src.link(&tee).unwrap();
    gst::Element::link_many([&tee, &q1, &c1, &s1]).unwrap();
    gst::Element::link_many([&tee, &q2, &c2, &s2]).unwrap();
    run(&pipeline, &src).unwrap();
    drop(pipeline);
    let full = full.lock().unwrap();
    let minimal = minimal.lock().unwrap();
    let n = |p: &Payloads| p.iter().flatten().flatten().count();
    assert_eq!((n(&full), n(&minimal)), (4, 3));
    for (text, _) in full.iter().flatten().flatten() {
        assert!(text.contains("\"mdsversion\""), "{text}");
    }
    for (text, _) in minimal.iter().flatten().flatten() {
        assert!(text.contains("\"version\": \"4.0\""), "{text}");
    }
}

#[test]
fn buffers_without_batch_meta_pass() {
    ds_open::init().unwrap();
    let conv = msgconv(&[("payload-type", "1")]);
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("videotestsrc")
        .property("num-buffers", 3)
        .build()
        .unwrap();
    let sink = gst::ElementFactory::make("fakesink").build().unwrap();
    pipeline.add_many([&src, &conv, &sink]).unwrap();
    gst::Element::link_many([&src, &conv, &sink]).unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(10),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .unwrap();
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{msg:?}");
    let _ = Path::new("");
}
