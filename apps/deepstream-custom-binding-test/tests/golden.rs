//! deepstream-custom-binding-test's stdout against the sequence the Python
//! sample prints for the same run (tests/golden/stdout.txt); the custom
//! struct of every frame read back downstream with its values; the struct
//! surviving a buffer copy (`--copy-buffer`: copied once per frame through
//! its copy function, every struct released exactly once); the sample's
//! argument errors and one-line errors.
use ds_testkit::golden::Golden;
use std::path::{Path, PathBuf};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-custom-binding-test");
const LIMIT: Duration = Duration::from_secs(300);

fn golden() -> Golden {
    Golden::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"))
}

/// The readback lines must be, for frames 0..n in order: structId n,
/// msg "test message n", sampleInt n + 1; one "adding user meta" per frame,
/// each before its frame's readback.
fn check_frames(stdout: &str, n: usize) {
    let mut added = 0usize;
    let mut read = Vec::new();
    for line in stdout.lines() {
        if line == "adding user meta" {
            added += 1;
        } else if let Some(v) = line.strip_prefix("custom meta structId::  ") {
            assert!(added > read.len(), "read back before it was added: {line}");
            read.push(vec![v.to_string()]);
        } else if let Some(v) = line.strip_prefix("custom meta msg::  ") {
            read.last_mut().unwrap().push(v.to_string());
        } else if let Some(v) = line.strip_prefix("custom meta sampleInt::  ") {
            read.last_mut().unwrap().push(v.to_string());
        }
    }
    assert_eq!(added, n);
    assert_eq!(read.len(), n);
    for (i, r) in read.iter().enumerate() {
        let want = vec![
            i.to_string(),
            format!("test message {i}"),
            (i + 1).to_string(),
        ];
        assert_eq!(r, &want, "frame {i}");
    }
}

#[test]
fn stdout_follows_the_python_sample() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &[&sample], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    golden()
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    check_frames(&run.stdout, 60);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn the_custom_struct_survives_a_buffer_copy_and_is_released_once() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &["--copy-buffer", &sample], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    // The sample's lines, then the counts.
    let (lines, last) = run.stdout.trim_end().rsplit_once('\n').unwrap();
    golden()
        .check(&format!("{lines}\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    check_frames(&run.stdout, 60);
    // One copy per frame (the buffer copy), and every struct - the 60
    // originals and their 60 copies - released exactly once.
    assert_eq!(last, "custom meta copies: 60, releases: 120");
}

#[test]
fn a_wrong_argument_count_prints_the_samples_usage() {
    let run = ds_testkit::run(BIN, &["a.h264", "b.h264"], Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.lines().next(),
        Some("usage: deepstream-custom-binding-test <h264 stream file or uri>"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

/// Exit 1 with exactly one `Error:` line on stderr containing `what`.
fn one_error_line(args: &[&str], what: &str) {
    let run = ds_testkit::run(BIN, args, Duration::from_secs(120));
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("Error:") && lines[0].contains(what),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_input_is_one_error_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("custom-binding-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    one_error_line(&["/no/such/file.h264"], "no such file");
    let empty = dir.join("empty.h264");
    std::fs::write(&empty, b"").unwrap();
    one_error_line(&[empty.to_str().unwrap()], "empty file");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a video\n").unwrap();
    one_error_line(&[text.to_str().unwrap()], "not an H.264 elementary stream");
    one_error_line(&["rtsp://example.invalid/x"], "only local H.264 files");
}
