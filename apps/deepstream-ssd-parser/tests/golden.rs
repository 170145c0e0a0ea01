//! deepstream-ssd-parser's stdout, line by line, against the sequence the
//! Python sample prints for the same run (tests/golden/stdout.txt); the
//! objects the application's parser added (counted by the OSD probe and
//! drawn into the MP4); the sample's argument errors and one-line errors.
use ds_testkit::golden::Golden;
use std::path::{Path, PathBuf};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-ssd-parser");
const LIMIT: Duration = Duration::from_secs(300);

fn golden() -> Golden {
    Golden::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ssd-parser-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn stdout_follows_the_python_sample_and_the_probe_adds_the_objects() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let out = scratch("golden").join("out.mp4");
    let run = ds_testkit::run(BIN, &["--output", out.to_str().unwrap(), &sample], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    golden()
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // (frame, objects, cars, persons) per frame.
    let frames: Vec<Vec<u32>> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            l.split(' ')
                .filter_map(|kv| kv.rsplit_once('=').and_then(|(_, v)| v.parse().ok()))
                .collect()
        })
        .collect();
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f[0] as usize, i);
        assert!(f[1] >= f[2] + f[3], "frame {i}: {f:?}");
        // The objects come only from the probe's parser (nvinfer runs with
        // network-type=100): the people walking on the clip, at most TOP_K.
        assert!((1..=20).contains(&f[1]), "frame {i}: {f:?}");
    }
    // Three people walk through the clip: found on most frames.
    let with_persons = frames.iter().filter(|f| f[3] >= 1).count();
    assert!(with_persons >= 50, "persons on {with_persons} of 60 frames");
    let persons: u32 = frames.iter().map(|f| f[3]).sum();
    assert!(persons >= 2 * 60, "{persons} persons over 60 frames");
    // The MP4 is finalised (qtmux writes its moov atom at EOS).
    let mp4 = std::fs::read(&out).unwrap();
    assert!(mp4.len() > 100_000, "{} bytes", mp4.len());
    assert!(mp4.windows(4).any(|w| w == b"moov"), "no moov atom");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn a_wrong_argument_count_prints_the_samples_usage() {
    let run = ds_testkit::run(BIN, &["a.h264", "b.h264"], Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.lines().next(),
        Some("usage: deepstream-ssd-parser <media file or uri>"),
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
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn bad_input_is_one_error_line() {
    let dir = scratch("errors");
    let out = dir.join("out.mp4");
    let out = out.to_str().unwrap();
    one_error_line(&["--output", out, "/no/such/file.h264"], "no such file");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a video\n").unwrap();
    one_error_line(
        &["--output", out, text.to_str().unwrap()],
        "not an H.264 elementary stream",
    );
    let sample = ds_testkit::sample("sample_720p_60.h264");
    one_error_line(
        &["--output", out, "--config", "/no/such/config.txt", &sample],
        "no such nvinfer config file",
    );
    let labels = dir.join("labels.txt");
    std::fs::write(&labels, "cat\ndog\n").unwrap();
    one_error_line(
        &[
            "--output",
            out,
            "--labels",
            labels.to_str().unwrap(),
            &sample,
        ],
        "no 'car' label",
    );
}
