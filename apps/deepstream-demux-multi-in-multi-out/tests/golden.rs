//! deepstream-demux-multi-in-multi-out's stdout, line by line, against the
//! sequence the Python sample prints for the same run
//! (tests/golden/two_sources.txt), the frames of each source, and the
//! sample's argument errors.
use ds_testkit::golden::Golden;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-demux-multi-in-multi-out");
/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(600);

fn golden(name: &str) -> Golden {
    Golden::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
}

fn sample_uri() -> String {
    format!("file://{}", ds_testkit::sample("sample_720p_60.h264"))
}

fn count(stdout: &str, line: &str) -> usize {
    stdout.lines().filter(|l| *l == line).count()
}

/// How many times each frame number was printed.
fn histogram(stdout: &str) -> BTreeMap<u32, usize> {
    let mut h = BTreeMap::new();
    for l in stdout.lines().filter(|l| l.starts_with("Frame Number= ")) {
        let n: u32 = l["Frame Number= ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        *h.entry(n).or_insert(0) += 1;
    }
    h
}

#[test]
fn two_sources_follow_the_python_sample() {
    let uri = sample_uri();
    let run = ds_testkit::run(BIN, &["-i", &uri, &uri], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    golden("two_sources.txt")
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Frames 0-59 of each source.
    let h = histogram(&run.stdout);
    assert_eq!(h, (0..60).map(|n| (n, 2)).collect::<BTreeMap<_, _>>());
    assert_eq!(count(&run.stdout, "In cb_newpad"), 2);
    assert_eq!(count(&run.stdout, "features= memory:NVMM"), 2);
    // The open backend's renderers say they have no window here.
    assert!(
        run.stderr.lines().all(|l| l.contains("no display found")),
        "{}",
        run.stderr
    );
}

/// argparse's errors print its usage line and the error and exit 2.
#[test]
fn argument_errors_print_the_usage_and_exit_2() {
    for args in [&["--no-such-option"][..], &["-i"]] {
        let run = ds_testkit::run(BIN, args, Duration::from_secs(60));
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(
            lines,
            [
                "usage: deepstream-demux-multi-in-multi-out [-h] [-i URIs [URIs ...]]",
                lines[1]
            ]
        );
        assert!(lines[1].starts_with("error: "), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

/// A missing input: the bus error line, exit 1, no panic.
#[test]
fn missing_input_is_one_error_line_and_exit_1() {
    let run = ds_testkit::run(BIN, &["-i", "/nonexistent/clip.mp4"], LIMIT);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("Error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("/nonexistent/clip.mp4"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
