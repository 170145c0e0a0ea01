//! deepstream-test4 end to end on the short sample (60 frames), with
//! nvmsgbroker replaced by fakesink (`--broker-sink`, a test switch): the
//! nvmsgconv payloads of the event messages the probe attached (frames 0
//! and 30: one for the first object of each, as the sample; full schema:
//! one payload per event, minimal: one per frame), validated field by
//! field. (The stdout sequence is pinned by tests/golden.rs.)
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn short_sample() -> PathBuf {
    let p = root().join("samples/sample_720p_60.h264");
    assert!(p.is_file(), "{} is missing: run ci/samples.sh", p.display());
    assert!(
        root().join("models/nanodet-m-416.onnx").is_file(),
        "models/nanodet-m-416.onnx is missing: run ci/models.sh"
    );
    p
}

fn test4(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepstream-test4"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs deepstream-test4")
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("ds-test4-{tag}-{}", std::process::id()));
        std::fs::remove_dir_all(&d).ok();
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }

    fn payloads(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: not JSON ({e}):\n{text}", f.display()))
            })
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// (frame, vehicles, persons) of each per-buffer line; checks the format.
fn frame_lines(stdout: &str) -> Vec<(i32, u32, u32)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number = "))
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            let (f, v, p) = (
                w[3].parse().unwrap(),
                w[7].parse().unwrap(),
                w[11].parse().unwrap(),
            );
            assert_eq!(
                l,
                format!("Frame Number = {f} Vehicle Count = {v} Person Count = {p}"),
                "exact format of the sample's line"
            );
            (f, v, p)
        })
        .collect()
}

/// The frames the probe attached an event to, from its own per-frame
/// counts: every 30th frame with an object (a vehicle or a person counted
/// proves one; the sample's clip has one on frames 0 and 30).
fn expected_event_frames(frames: &[(i32, u32, u32)]) -> Vec<i32> {
    frames
        .iter()
        .filter(|f| f.0 % 30 == 0 && f.1 + f.2 > 0)
        .map(|f| f.0)
        .collect()
}

/// Runs the short sample; returns the payloads and the event frames.
fn run_schema(schema: &str, dir: &Scratch) -> (Vec<Value>, Vec<i32>) {
    let sample = short_sample();
    let out = test4(&[
        "--no-display",
        "--broker-sink",
        "fakesink",
        "--debug-payload-dir",
        dir.0.to_str().unwrap(),
        "-s",
        schema,
        "-i",
        sample.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = frame_lines(&stdout);
    assert_eq!(frames.len(), 60);
    let events = expected_event_frames(&frames);
    assert_eq!(events, [0, 30], "{frames:?}");
    (dir.payloads(), events)
}

fn check_ts(ts: &str) {
    let b = ts.as_bytes();
    assert_eq!(b.len(), 24, "{ts}");
    for (i, c) in b.iter().enumerate() {
        let ok = match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        };
        assert!(ok, "timestamp {ts} is not %Y-%m-%dT%H:%M:%S.mmmZ");
    }
}

#[test]
fn full_schema_one_payload_per_event() {
    let dir = Scratch::new("full");
    let (payloads, events) = run_schema("0", &dir);
    assert_eq!(payloads.len(), events.len(), "one payload per event");
    for p in &payloads {
        assert_eq!(p["mdsversion"], "1.0");
        check_ts(p["@timestamp"].as_str().unwrap());
        assert_eq!(p["sensor"]["id"], "CAMERA_ID", "from the msgconv config");
        assert_eq!(p["place"]["name"], "XYZ");
        assert_eq!(p["analyticsModule"]["source"], "OpenALR");
        let obj = &p["object"];
        // No tracker in test4: the untracked id.
        assert_eq!(obj["id"], "18446744073709551615");
        let b = &obj["bbox"];
        let (x1, y1, x2, y2) = (
            b["topleftx"].as_i64().unwrap(),
            b["toplefty"].as_i64().unwrap(),
            b["bottomrightx"].as_i64().unwrap(),
            b["bottomrighty"].as_i64().unwrap(),
        );
        assert!(
            0 <= x1 && x1 < x2 && x2 <= 1920 && 0 <= y1 && y1 < y2 && y2 <= 1080,
            "bbox inside the 1920x1080 frame: {b}"
        );
        // The first object is a vehicle or a person on this clip (a
        // two-wheeler or road sign would carry no object fields).
        let kind = if obj.get("vehicle").is_some() {
            assert_eq!(obj["vehicle"]["make"], "Bugatti");
            assert_eq!(obj["vehicle"]["license"], "XX1234");
            assert_eq!(p["event"]["type"], "moving");
            "vehicle"
        } else {
            assert_eq!(obj["person"]["age"], 45);
            assert_eq!(obj["person"]["apparel"], "formal");
            assert_eq!(p["event"]["type"], "entry");
            "person"
        };
        let conf = obj[kind]["confidence"].as_f64().unwrap();
        assert!(conf > 0.0 && conf <= 1.0, "{conf}");
        assert_eq!(p["event"]["id"].as_str().unwrap().len(), 36);
    }
}

/// The minimal schema has one payload per frame, listing the frame's events
/// (as NVIDIA's nvmsgconv): frames 0 and 30, one object each.
#[test]
fn minimal_schema_one_payload_per_event_frame() {
    let dir = Scratch::new("minimal");
    let (payloads, events) = run_schema("1", &dir);
    assert_eq!(payloads.len(), events.len(), "one payload per event frame");
    let mut got = Vec::new();
    for p in &payloads {
        assert_eq!(p["version"], "4.0");
        let frame: i32 = p["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(p["sensorId"], "sensor-0");
        check_ts(p["@timestamp"].as_str().unwrap());
        let objects = p["objects"].as_array().unwrap();
        assert_eq!(objects.len(), 1, "one event per frame: {p}");
        let fields: Vec<&str> = objects[0].as_str().unwrap().split('|').collect();
        assert_eq!(fields[0], "18446744073709551615");
        let n: Vec<f64> = fields[1..5].iter().map(|v| v.parse().unwrap()).collect();
        assert!(n[0] < n[2] && n[1] < n[3] && n[2] <= 1920.0 && n[3] <= 1080.0);
        assert!(["Vehicle", "Person"].contains(&fields[5]), "{fields:?}");
        assert_eq!(fields[6], "#");
        got.push(frame);
    }
    got.sort();
    assert_eq!(got, events, "the frame of every event");
}

#[test]
fn a_missing_input_file_is_one_error_line() {
    let out = test4(&["-i", "/no/such/video.h264", "--proto", "mqtt"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "Error: /no/such/video.h264: no such file"
    );
}

#[test]
fn help_lists_the_samples_options() {
    let out = test4(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--input-file",
        "--proto-lib",
        "--proto ",
        "--conn-str",
        "--cfg-file",
        "--topic",
        "--schema-type",
        "--no-display",
        "--output",
    ] {
        assert!(text.contains(opt), "{opt} missing:\n{text}");
    }
    assert!(!text.contains("--broker-sink"), "test switch hidden");
}
