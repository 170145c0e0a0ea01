//! deepstream-test2's stdout, line by line, against the sequence the Python
//! sample of release 1.2.0 prints for the same run
//! (tests/golden/stdout.txt), plus the consistency of the per-frame numbers,
//! the structure of the tracker's past-frame printout and the sample's
//! argument behaviours.
mod past_frame;

use ds_testkit::golden::Golden;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test2");

fn golden() -> Golden {
    Golden::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"))
}

#[test]
fn stdout_follows_the_python_sample() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &[&sample], Duration::from_secs(600));
    assert!(run.status.success(), "{}", run.stderr);
    golden()
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Frame numbers count from 0 without a gap, one line per frame; a
    // frame's objects include its vehicles and persons.
    let frames = past_frame::frame_lines(&run.stdout);
    assert_eq!(frames.len(), 60);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(f[0] as usize, i);
        assert!(f[1] >= f[2] + f[3], "frame {i}: {f:?}");
    }
    // Release 1.2.0 prints the past-frame meta whenever it is there, with
    // no argument asking for it: the tracker reports targets' probation
    // frames on this clip.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let targets = past_frame::check_past_frame_lines(&lines);
    assert!(!targets.is_empty(), "the tracker reported past frames");
}

#[test]
fn a_bad_option_prints_the_samples_usage() {
    let run = ds_testkit::run(BIN, &["--no-such-option"], Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.lines().next(),
        Some("usage: deepstream-test2 <h264_elementary_stream>"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--help"),
        "clap's hint follows: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn arguments_after_the_stream_are_ignored_as_the_sample_ignores_them() {
    // The sample checks `len(args) < 2` only: the old second argument of
    // earlier releases (past-frame output 0/1) is no usage error. The run
    // gets as far as the input check.
    let run = ds_testkit::run(
        BIN,
        &["/nonexistent/clip.h264", "1", "more"],
        Duration::from_secs(60),
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        ["Error: /nonexistent/clip.h264: no such file"]
    );
}
