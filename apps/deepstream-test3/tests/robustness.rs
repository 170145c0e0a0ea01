//! Robustness matrix (issue 8), the URI cases, through the real
//! deepstream-test3 binary with a hard time limit per run (a hang kills the
//! app and fails the test).
//!
//! What "one source failing" means in test3 (several sources share one
//! muxer): a source that fails (bad URI, server unreachable) prints one
//! line `Error: source <i> (<uri>): <reason>` on stderr and is removed; the
//! other sources play to the end and the app exits 0. Only when every
//! source has failed does the app stop, exit 1, with one such line per
//! source (and nothing else on stderr).
//!
//! | case | test | outcome |
//! |------|------|---------|
//! | unreachable RTSP server (closed port) | `unreachable_rtsp_alone_is_exit_1` | exit 1, `Error: source 0 (rtsp://…): Could not open resource for reading and writing. (Failed to connect. …)` |
//! | unreachable RTSP beside a good file | `unreachable_rtsp_does_not_stop_the_other_source` | one error line, the file plays to end-of-stream, exit 0 |
//! | unreachable HTTP server | `unreachable_http_alone_is_exit_1` | exit 1, one `Error: source 0 (http://…)` line |
//! | missing file / unknown scheme (bad URI) | `a_bad_uri_among_good_ones_is_reported_and_skipped`, `all_sources_bad_is_exit_1_with_one_error_line_each` in test3.rs | as above |
use ds_testkit::Run;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

/// Generous: debug builds on a shared 2-core machine; each run here takes
/// a few seconds.
const LIMIT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    l.local_addr().unwrap().port()
}

fn test3(args: &[&str]) -> Run {
    ds_testkit::run(env!("CARGO_BIN_EXE_deepstream-test3"), args, LIMIT)
}

/// Exit 1; stderr is exactly one `Error: source 0 (<uri>): ` line
/// containing `what`; no panic. Returns the line.
fn assert_one_failed_source(run: &Run, uri: &str, what: &str) -> String {
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line:\n{}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("Error: source 0 ({uri}): ")),
        "{}",
        run.stderr
    );
    assert!(
        lines[0].contains(what),
        "expected {what:?} in {}",
        run.stderr
    );
    assert!(!run.stdout.contains("Frame Number="), "{}", run.stdout);
    lines[0].to_string()
}

#[test]
fn unreachable_rtsp_alone_is_exit_1() {
    let uri = format!("rtsp://127.0.0.1:{}/x", closed_port());
    let run = test3(&["--no-display", "-i", &uri]);
    assert_one_failed_source(&run, &uri, "Failed to connect");
}

#[test]
fn unreachable_http_alone_is_exit_1() {
    let uri = format!("http://127.0.0.1:{}/x.mp4", closed_port());
    let run = test3(&["--no-display", "-i", &uri]);
    // souphttpsrc (GStreamer 1.22) reports a refused connection as a
    // flow error, "Internal data stream error.": the line names the URI.
    assert_one_failed_source(&run, &uri, "");
}

#[test]
fn unreachable_rtsp_does_not_stop_the_other_source() {
    let sample = root().join("samples/sample_720p_60.h264");
    assert!(
        sample.is_file(),
        "{} is missing: run ci/samples.sh",
        sample.display()
    );
    assert!(
        root().join("models/nanodet-m-416.onnx").is_file(),
        "models/nanodet-m-416.onnx is missing: run ci/models.sh"
    );
    // The first ~15 % of the sample: a few frames (cut mid-frame).
    let data = std::fs::read(&sample).unwrap();
    let clip = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ds-test3-robust-{}.h264", std::process::id()));
    std::fs::write(&clip, &data[..data.len() * 15 / 100]).unwrap();
    let rtsp = format!("rtsp://127.0.0.1:{}/x", closed_port());
    let run = test3(&["--no-display", "-i", &rtsp, clip.to_str().unwrap()]);
    std::fs::remove_file(&clip).ok();
    assert!(
        run.status.success(),
        "exit {:?}\n{}",
        run.status,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with(&format!("Error: source 0 ({rtsp}): ")),
        "{}",
        run.stderr
    );
    let frames = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .count();
    assert!(frames > 0, "the file played: {}", run.stdout);
    assert!(run.stdout.lines().any(|l| l == "End-of-stream"));
}
