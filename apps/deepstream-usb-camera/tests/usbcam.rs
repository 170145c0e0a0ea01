//! deepstream-usb-camera end to end without a camera: a file played as the
//! camera, the errors a user can cause (missing
//! device, a path that is not a V4L2 device) and Ctrl-C (SIGINT) with MP4
//! output. Every run has a time limit: a hang fails the test.
use ds_testkit::{slurp, wait_until, Run};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(180);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check_model() {
    assert!(
        root().join("models/nanodet-m-416.onnx").is_file(),
        "models/nanodet-m-416.onnx is missing: run ci/models.sh"
    );
}

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-usb-camera");

fn spawn(args: &[&str]) -> Child {
    ds_testkit::spawn(BIN, args)
}

/// Runs the app to completion with a time limit.
fn usbcam(args: &[&str]) -> Run {
    ds_testkit::run(BIN, args, LIMIT)
}

/// (frame number, objects, vehicles, persons) of each frame line; checks
/// the exact format of the sample's line.
fn frame_lines(stdout: &str) -> Vec<(u32, u32, u32, u32)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            let nums: Vec<u32> = l
                .split(' ')
                .filter_map(|kv| kv.rsplit_once('=').map(|(_, v)| v.parse().unwrap()))
                .collect();
            assert_eq!(nums.len(), 4, "{l}");
            let rebuilt = format!(
                "Frame Number={} Number of Objects={} Vehicle_count={} Person_count={}",
                nums[0], nums[1], nums[2], nums[3]
            );
            assert_eq!(l, rebuilt, "exact format of the sample's line");
            (nums[0], nums[1], nums[2], nums[3])
        })
        .collect()
}

fn assert_ok(run: &Run) {
    assert!(
        run.status.success(),
        "exit {:?}\n{}",
        run.status,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn file_as_camera_detects_people_and_stops_after_n_frames() {
    check_model();
    let sample = root().join("samples/sample_720p.mp4");
    assert!(sample.is_file(), "{}: run ci/samples.sh", sample.display());
    let out_file = std::env::temp_dir().join(format!("ds-usbcam-file-{}.mp4", std::process::id()));
    let run = usbcam(&[
        "--source",
        sample.to_str().unwrap(),
        "--num-buffers",
        "20",
        "--output",
        out_file.to_str().unwrap(),
    ]);
    let decoded = if run.status.success() {
        count_mp4_frames(&out_file, 1920, 1080)
    } else {
        0
    };
    std::fs::remove_file(&out_file).ok();
    assert_ok(&run);
    assert_eq!(decoded, 20, "frames in the MP4");
    let playing = format!("Playing cam {} ", sample.display());
    assert!(run.stdout.lines().any(|l| l == playing), "{}", run.stdout);
    let frames = frame_lines(&run.stdout);
    assert_eq!(frames.len(), 20);
    // The clip opens on three people walking past a parked van.
    let with_people = frames.iter().filter(|f| f.3 >= 2).count();
    assert!(with_people >= 15, "people on {with_people} of 20 frames");
    assert!(frames.iter().any(|f| f.2 >= 1), "a vehicle somewhere");
}

#[test]
fn missing_camera_is_one_error_line() {
    let run = usbcam(&["/dev/video9"]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "Error: camera /dev/video9: no such device (connect a USB camera or use --source test)\n"
    );
    // Checked before the pipeline is built.
    assert!(!run.stdout.contains("Creating Pipeline"), "{}", run.stdout);
}

#[test]
fn not_a_v4l2_device_is_one_error_line() {
    let run = usbcam(&["/dev/null", "--no-display"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("Error"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("/dev/null"), "{}", run.stderr);
    assert!(frame_lines(&run.stdout).is_empty());
}

#[test]
fn sigint_ends_cleanly_with_a_playable_mp4() {
    check_model();
    let out_file = std::env::temp_dir().join(format!("ds-usbcam-{}.mp4", std::process::id()));
    let mut child = spawn(&[
        "--source",
        "test",
        "--no-display",
        "--output",
        out_file.to_str().unwrap(),
    ]);
    let deadline = Instant::now() + LIMIT;
    let stdout = child.stdout.take().expect("stdout");
    let err = slurp(child.stderr.take().expect("stderr"));
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all.push(line);
        }
        all
    });
    // Wait for a few frames, then Ctrl-C.
    let mut seen = 0;
    while seen < 3 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.starts_with("Frame Number=") => seen += 1,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "no frame lines before the deadline: {}",
                    err.join().unwrap()
                );
            }
        }
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let status = wait_until(&mut child, deadline, "deepstream-usb-camera");
    let lines = reader.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    assert!(status.success(), "exit {status:?}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(lines.last().map(String::as_str), Some("End-of-stream"));
    let printed = frame_lines(&lines.join("\n")).len();
    assert!(printed >= 3);

    let decoded = count_mp4_frames(&out_file, 1920, 1080);
    std::fs::remove_file(&out_file).ok();
    assert!(decoded > 0, "no frames in the MP4");
    assert!(
        decoded <= printed,
        "{decoded} frames decoded, {printed} printed"
    );
}

/// Decodes an MP4 with gst-launch into raw 8-bit grey frames of `w`x`h`
/// and counts them.
fn count_mp4_frames(path: &Path, w: usize, h: usize) -> usize {
    let raw = path.with_extension("gray");
    let out = Command::new("gst-launch-1.0")
        .args(["-q", "filesrc"])
        .arg(format!("location={}", path.display()))
        .args([
            "!",
            "qtdemux",
            "!",
            "h264parse",
            "!",
            "avdec_h264",
            "!",
            "videoconvert",
            "!",
            "video/x-raw,format=GRAY8",
            "!",
            "filesink",
        ])
        .arg(format!("location={}", raw.display()))
        .output()
        .expect("gst-launch-1.0 runs");
    let size = std::fs::metadata(&raw)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    std::fs::remove_file(&raw).ok();
    assert!(
        out.status.success(),
        "cannot decode {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(size % (w * h), 0, "frames of {w}x{h}");
    size / (w * h)
}

#[test]
fn help_lists_the_options() {
    let run = usbcam(&["--help"]);
    assert_ok(&run);
    for opt in [
        "v4l2-device-path",
        "--source",
        "--num-buffers",
        "--output",
        "--no-display",
    ] {
        assert!(run.stdout.contains(opt), "{}", run.stdout);
    }
}
