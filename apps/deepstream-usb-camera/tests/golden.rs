//! deepstream-usb-camera's stdout, line by line, against the sequence the
//! Python sample of release 1.2.0 prints for the same run
//! (tests/golden/stdout.txt; `--source test --num-buffers 30` stand in for
//! the camera), plus the consistency of the per-frame numbers and the
//! sample's argument errors.
use ds_testkit::golden::Golden;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-usb-camera");
/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(300);

fn golden_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"))
        .unwrap()
}

/// Frame numbers count from 0 without a gap; a frame's objects include its
/// vehicles and persons.
fn check_frame_lines(stdout: &str) {
    let frames: Vec<Vec<u32>> = stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            l.split(' ')
                .filter_map(|kv| kv.rsplit_once('=').and_then(|(_, v)| v.parse().ok()))
                .collect()
        })
        .collect();
    assert_eq!(frames.len(), 30);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(f[0] as usize, i);
        assert!(f[1] >= f[2] + f[3], "frame {i}: {f:?}");
    }
}

#[test]
fn stdout_follows_the_python_sample() {
    let run = ds_testkit::run(BIN, &["--source", "test", "--num-buffers", "30"], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    Golden::parse(&golden_text())
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    check_frame_lines(&run.stdout);
}

#[test]
fn the_extras_keep_the_samples_lines() {
    // --no-display replaces only the sink's line.
    let run = ds_testkit::run(
        BIN,
        &["--source", "test", "--num-buffers", "30", "--no-display"],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let without_sink = golden_text().replace("Creating EGLSink ||Creating nv3dsink \n\n", "");
    Golden::parse(&without_sink)
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    check_frame_lines(&run.stdout);
}

fn assert_usage(args: &[&str]) {
    let run = ds_testkit::run(BIN, args, Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1), "{args:?}");
    assert_eq!(
        run.stderr.lines().next(),
        Some("usage: deepstream-usb-camera <v4l2-device-path>"),
        "{args:?}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--help"),
        "clap's hint follows: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_wrong_argument_count_prints_the_samples_usage() {
    // The sample wants exactly one argument (`len(args) != 2`).
    assert_usage(&[]);
    assert_usage(&["/dev/video0", "/dev/video1"]);
    // A camera and a stand-in at once is the same mistake.
    assert_usage(&["/dev/video0", "--source", "test"]);
}
