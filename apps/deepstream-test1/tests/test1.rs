//! deepstream-test1 end to end on the real sample (its first 60 frames):
//! the Python sample's stdout, sensible counts, the MP4 output, and the
//! errors a user can cause.
use std::path::{Path, PathBuf};
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

fn test1(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepstream-test1"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs deepstream-test1")
}

/// (frame number, objects, vehicles, persons) of each frame line.
fn frame_lines(stdout: &str) -> Vec<(u32, u32, u32, u32)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            let nums: Vec<u32> = l
                .split(' ')
                .filter_map(|kv| kv.rsplit_once('=').map(|(_, v)| v.parse().unwrap()))
                .collect();
            let rebuilt = format!(
                "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
                nums[0], nums[1], nums[2], nums[3]
            );
            assert_eq!(l, rebuilt, "exact format of the sample's line");
            (nums[0], nums[1], nums[2], nums[3])
        })
        .collect()
}

#[test]
fn prints_the_samples_lines_with_sensible_counts() {
    let out = test1(&["--no-display", short_sample().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
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
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Playing file ") && l.ends_with("sample_720p_60.h264 ")));
    assert_eq!(lines.last(), Some(&"End-of-stream"));
    let frames = frame_lines(&stdout);
    assert_eq!(frames.len(), 60);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.0, i as u32, "frame numbers in order");
        assert!(f.1 >= f.2 + f.3, "objects >= vehicles + persons");
    }
    // Checked by eye on frame 0 of the clip: three people walking and the
    // white van parked top right.
    let (_, _, vehicles, persons) = frames[0];
    assert!(vehicles >= 1, "frame 0 vehicles: {vehicles}");
    assert!((2..=5).contains(&persons), "frame 0 persons: {persons}");
    let with_people = frames.iter().filter(|f| f.3 >= 2).count();
    assert!(with_people >= 50, "people on {with_people} of 60 frames");
}

#[test]
fn writes_an_mp4_with_every_frame() {
    let out_file = std::env::temp_dir().join(format!("ds-test1-{}.mp4", std::process::id()));
    let out = test1(&[
        "--output",
        out_file.to_str().unwrap(),
        short_sample().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = count_mp4_frames(&out_file);
    std::fs::remove_file(&out_file).ok();
    assert_eq!(frames, (60, 1920, 1080));
}

/// Decodes an MP4 with gst-launch and counts its frames.
fn count_mp4_frames(path: &Path) -> (usize, u32, u32) {
    let out = Command::new("gst-launch-1.0")
        .args(["-v", "filesrc"])
        .arg(format!("location={}", path.display()))
        .args([
            "!",
            "qtdemux",
            "!",
            "h264parse",
            "!",
            "avdec_h264",
            "!",
            "fakesink",
            "silent=false",
        ])
        .output()
        .expect("gst-launch-1.0 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let n = text
        .lines()
        .filter(|l| l.contains("chain   ******"))
        .count();
    let caps = text
        .lines()
        .find(|l| l.contains("fakesink0.GstPad:sink: caps"))
        .unwrap_or("");
    let field = |k: &str| -> u32 {
        caps.split(&format!("{k}=(int)"))
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (n, field("width"), field("height"))
}

#[test]
fn missing_input_is_one_error_line() {
    let out = test1(&["/no/such/video.h264"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("Error: /no/such/video.h264: no such file"),
        "{stderr}"
    );
}

#[test]
fn bad_config_is_one_error_line() {
    let dir = std::env::temp_dir().join(format!("ds-test1-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("bad.txt");
    std::fs::write(&cfg, "[property]\nnet-scale-factor=abc\n").unwrap();
    let out = test1(&[
        "--no-display",
        "--config",
        cfg.to_str().unwrap(),
        short_sample().to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("Error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("bad value 'abc' for key 'net-scale-factor'"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn help_lists_the_options() {
    let out = test1(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in ["--output", "--no-display", "--config"] {
        assert!(text.contains(opt), "{text}");
    }
}
