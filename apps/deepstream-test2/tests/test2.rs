//! deepstream-test2 end to end on the short sample (60 frames) with the
//! port's extras: `--no-display` keeps the sample's lines, the tracker
//! keeps ids and classes (`--verbose`), both secondary classifiers label
//! persons, the MP4 output holds every frame; and a user error.
mod past_frame;

use ds_testkit::golden::Golden;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test2");
/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(600);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn short_sample() -> String {
    for m in ["nanodet-m-416.onnx", "gender-64.onnx", "emotion-64.onnx"] {
        assert!(
            root().join("models").join(m).is_file(),
            "models/{m} is missing: run ci/models.sh"
        );
    }
    ds_testkit::sample("sample_720p_60.h264")
}

#[test]
fn no_display_keeps_the_samples_lines_tracks_and_classifies() {
    let sample = short_sample();
    let run = ds_testkit::run(BIN, &["--no-display", "--verbose", &sample], LIMIT);
    assert!(
        run.status.success(),
        "exit {:?}\n{}",
        run.status,
        run.stderr
    );

    // --no-display replaces only the sink's line; --verbose adds the
    // Object lines.
    let without_sink = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"),
    )
    .unwrap()
    .replace("Creating EGLSink ||Creating nv3dsink \n\n", "");
    let sample_lines: String = run
        .stdout
        .lines()
        .filter(|l| !l.starts_with("Object "))
        .map(|l| format!("{l}\n"))
        .collect();
    Golden::parse(&without_sink)
        .check(&sample_lines)
        .unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = run.stdout.lines().collect();
    let persons_total: u32 = past_frame::frame_lines(&run.stdout)
        .iter()
        .map(|f| f[3])
        .sum();
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

    // The past-frame targets are tracked objects, with the same class.
    let targets = past_frame::check_past_frame_lines(&lines);
    assert!(!targets.is_empty(), "the tracker reported past frames");
    for (id, class) in &targets {
        assert_eq!(class_of.get(id), Some(class), "uniqueId {id}");
    }
}

#[test]
fn writes_an_mp4_with_every_frame() {
    let sample = short_sample();
    let mp4 = std::env::temp_dir().join(format!("ds-test2-{}.mp4", std::process::id()));
    let run = ds_testkit::run(BIN, &["--output", mp4.to_str().unwrap(), &sample], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    assert!(run
        .stdout
        .lines()
        .any(|l| l == format!("Creating MP4 output {} ", mp4.display())));
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
    assert_eq!(past_frame::frame_lines(&run.stdout).len(), 60);
}

#[test]
fn missing_input_is_one_error_line() {
    let run = ds_testkit::run(BIN, &["--no-display", "/nonexistent/clip.h264"], LIMIT);
    assert_eq!(run.status.code(), Some(1));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines, ["Error: /nonexistent/clip.h264: no such file"]);
}
