//! deepstream-test2 end to end on the short sample (60 frames): the Python
//! sample's stdout, stable tracker ids, labels from both secondary
//! classifiers on persons, the tracker's past-frame meta (printed with the
//! second argument 1 only), the MP4 output, and a user error.
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn short_sample() -> PathBuf {
    let p = root().join("samples/sample_720p_60.h264");
    assert!(p.is_file(), "{} is missing: run ci/samples.sh", p.display());
    for m in ["nanodet-m-416.onnx", "gender-64.onnx", "emotion-64.onnx"] {
        assert!(
            root().join("models").join(m).is_file(),
            "models/{m} is missing: run ci/models.sh"
        );
    }
    p
}

fn test2(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepstream-test2"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs deepstream-test2")
}

#[test]
fn prints_the_samples_lines_tracks_and_classifies() {
    let sample = short_sample();
    let out = test2(&["--no-display", "--verbose", sample.to_str().unwrap(), "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "DeepStream backend: open (Rust implementation, CPU)"
    );
    for expected in [
        "Creating Pipeline ",
        "Creating Source ",
        "Creating H264Parser ",
        "Creating Decoder ",
        "Adding elements to Pipeline ",
        "Linking elements in the Pipeline ",
        "Starting pipeline ",
    ] {
        assert!(lines.contains(&expected), "missing line {expected:?}");
    }
    assert_eq!(lines.last(), Some(&"End-of-stream"));

    // The sample's per-frame line, for every frame in order.
    let mut frames = Vec::new();
    let mut persons_total = 0;
    for l in lines.iter().filter(|l| l.starts_with("Frame Number=")) {
        let nums: Vec<u32> = l
            .split(' ')
            .filter_map(|kv| kv.rsplit_once('=').map(|(_, v)| v.parse().unwrap()))
            .collect();
        assert_eq!(
            *l,
            format!(
                "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
                nums[0], nums[1], nums[2], nums[3]
            )
        );
        persons_total += nums[3];
        frames.push(nums[0]);
    }
    assert_eq!(frames, (0..60).collect::<Vec<_>>());
    assert!(persons_total > 0, "the clip shows persons");

    // --verbose: Object <id> <class> <gender> <emotion>
    let objects: Vec<(u64, i32, &str, &str)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("Object "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 4, "{l}");
            (f[0].parse().unwrap(), f[1].parse().unwrap(), f[2], f[3])
        })
        .collect();
    assert!(!objects.is_empty());
    // Tracked ids: each id keeps its class, and objects persist across frames.
    let mut class_of: HashMap<u64, i32> = HashMap::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for &(id, class, _, _) in &objects {
        // UNTRACKED_OBJECT_ID: the tracker has not confirmed the object yet.
        if id == u64::MAX {
            continue;
        }
        assert_eq!(*class_of.entry(id).or_insert(class), class, "id {id}");
        *seen.entry(id).or_default() += 1;
    }
    assert!(
        seen.values().any(|&n| n >= 30),
        "some object is tracked for at least half the clip: {seen:?}"
    );
    // Labels: only persons are classified, by both classifiers, with their label sets.
    let genders = ["female", "male"];
    let emotions = [
        "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
    ];
    let mut labelled = 0;
    for &(_, class, g, e) in &objects {
        if class != 2 {
            assert_eq!((g, e), ("-", "-"), "only persons are classified");
            continue;
        }
        assert!(g == "-" || genders.contains(&g), "{g}");
        assert!(e == "-" || emotions.contains(&e), "{e}");
        if g != "-" && e != "-" {
            labelled += 1;
        }
    }
    assert!(labelled > 0, "persons get labels from both classifiers");

    check_past_frame_lines(&lines, &class_of);
}

/// The value of `line` after `prefix` (the sample's `print("x=", v)` /
/// `print('x:', v)` form: label, one space, value).
fn value<'a>(line: &'a str, prefix: &str) -> &'a str {
    line.strip_prefix(prefix)
        .and_then(|v| v.strip_prefix(' '))
        .unwrap_or_else(|| panic!("expected {prefix:?}, got {line:?}"))
}

/// A float printed as Python prints one (`412.0`, `0.87109375`, `1e-05`).
fn py_float(line: &str, prefix: &str) -> f64 {
    let v = value(line, prefix);
    assert!(v.contains('.') || v.contains('e'), "{line}");
    v.parse().unwrap_or_else(|_| panic!("{line}"))
}

/// The past-frame printout: blocks in the sample's order after the frame
/// line of the batch; each target is an object id seen with that class,
/// reported for earlier frames.
fn check_past_frame_lines(lines: &[&str], class_of: &HashMap<u64, i32>) {
    let labels = ["Car", "Bicycle", "Person", "Roadsign"];
    let mut current_frame = None;
    let mut targets = 0;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if let Some(rest) = l.strip_prefix("Frame Number=") {
            current_frame = rest.split(' ').next().map(|n| n.parse::<u32>().unwrap());
            i += 1;
            continue;
        }
        if !l.starts_with("streamId=") {
            assert!(
                !l.starts_with("numobj=") && !l.starts_with("frameNum:"),
                "stray line {l:?}"
            );
            i += 1;
            continue;
        }
        let frame = current_frame.expect("past-frame lines after a frame line");
        assert_eq!(value(l, "streamId="), "0");
        assert_eq!(value(lines[i + 1], "surfaceStreamID="), "0");
        i += 2;
        while i < lines.len() && lines[i].starts_with("numobj=") {
            let n: usize = value(lines[i], "numobj=").parse().unwrap();
            let id: u64 = value(lines[i + 1], "uniqueId=").parse().unwrap();
            let class: i32 = value(lines[i + 2], "classId=").parse().unwrap();
            let label = value(lines[i + 3], "objLabel=");
            assert!(n > 0);
            assert_eq!(class_of.get(&id), Some(&class), "uniqueId {id}");
            assert_eq!(label, labels[class as usize]);
            i += 4;
            let mut last = None;
            for _ in 0..n {
                let f = &lines[i..i + 7];
                let num: u32 = value(f[0], "frameNum:").parse().unwrap();
                assert!(num < frame, "past frame {num} at frame {frame}");
                assert!(last.is_none_or(|p| p < num), "frames in order");
                last = Some(num);
                let left = py_float(f[1], "tBbox.left:");
                let width = py_float(f[2], "tBbox.width:");
                let top = py_float(f[3], "tBbox.top:");
                let height = py_float(f[4], "tBbox.right:");
                assert!(width > 0.0 && height > 0.0, "{f:?}");
                assert!(left > -width && top > -height, "{f:?}");
                assert!(left < 1920.0 && top < 1080.0, "{f:?}");
                let conf = py_float(f[5], "confidence:");
                assert!(conf > 0.0 && conf <= 1.0, "{f:?}");
                let _age: u32 = value(f[6], "age:").parse().unwrap();
                i += 7;
            }
            targets += 1;
        }
    }
    assert!(targets > 0, "the tracker reported past frames");
}

#[test]
fn writes_an_mp4_with_every_frame() {
    let sample = short_sample();
    let mp4 = std::env::temp_dir().join(format!("ds-test2-{}.mp4", std::process::id()));
    let out = test2(&["--output", mp4.to_str().unwrap(), sample.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Decode the MP4 and count the frames reaching the sink.
    let decoded = Command::new("gst-launch-1.0")
        .args(["-v", "filesrc"])
        .arg(format!("location={}", mp4.display()))
        .args(["!", "qtdemux", "!", "h264parse", "!", "avdec_h264", "!"])
        .args(["fakesink", "silent=false"])
        .output()
        .expect("gst-launch-1.0 runs");
    std::fs::remove_file(&mp4).ok();
    // Without the second argument the past-frame meta is not printed.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("Frame Number=")));
    for prefix in ["streamId=", "numobj=", "frameNum:", "tBbox."] {
        assert!(
            !stdout.contains(prefix),
            "{prefix} printed without the argument"
        );
    }
    let text = String::from_utf8_lossy(&decoded.stdout);
    let frames = text
        .lines()
        .filter(|l| l.contains("chain   ******"))
        .count();
    assert_eq!(frames, 60);
}

#[test]
fn missing_input_is_one_error_line() {
    let out = test2(&["--no-display", "/nonexistent/clip.h264"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines, ["Error: /nonexistent/clip.h264: no such file"]);
}
