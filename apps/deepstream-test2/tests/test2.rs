//! deepstream-test2 end to end on the short sample (60 frames): the Python
//! sample's stdout, stable tracker ids, labels from both secondary
//! classifiers on persons, the MP4 output, and a user error.
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
