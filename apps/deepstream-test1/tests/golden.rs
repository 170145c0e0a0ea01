//! deepstream-test1's stdout, line by line, against the sequence the Python
//! sample prints for the same run (tests/golden/stdout.txt), plus the
//! consistency of the per-frame numbers and the sample's argument errors.
use ds_testkit::golden::Golden;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test1");

fn golden() -> Golden {
    Golden::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"))
}

#[test]
fn stdout_follows_the_python_sample() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &[&sample], Duration::from_secs(300));
    assert!(run.status.success(), "{}", run.stderr);
    golden()
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Frame numbers count from 0 without a gap; a frame's objects include
    // its vehicles and persons.
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
    }
}

#[test]
fn the_extras_keep_the_samples_lines() {
    // --no-display and --output replace only the sink's line.
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &["--no-display", &sample], Duration::from_secs(300));
    assert!(run.status.success(), "{}", run.stderr);
    let without_sink: String = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"),
    )
    .unwrap()
    .replace("Creating EGLSink ||Creating nv3dsink \n\n", "");
    Golden::parse(&without_sink)
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_wrong_argument_count_prints_the_samples_usage() {
    let run = ds_testkit::run(BIN, &["a.h264", "b.h264"], Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.lines().next(),
        Some("usage: deepstream-test1 <media file or uri>"),
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
