//! deepstream-rt-src-add-del's stdout against the sequence the Python
//! sample prints (tests/golden/add_delete.txt) at the port's test cadence,
//! the order of its additions and removals, per-stream EOS, and the
//! sample's argument errors.
use ds_testkit::golden::Golden;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-rt-src-add-del");
/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(600);

fn uri(name: &str) -> String {
    format!("file://{}", ds_testkit::sample(name))
}

/// The ids of the lines `prefix<id> `.
fn ids(stdout: &str, prefix: &str) -> Vec<usize> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix(prefix)?.trim_end().parse().ok())
        .collect()
}

fn count(stdout: &str, line: &str) -> usize {
    stdout.lines().filter(|l| *l == line).count()
}

#[test]
fn adds_then_deletes_sources_as_the_python_sample() {
    let uri = uri("sample_720p.mp4");
    let run = ds_testkit::run(BIN, &[&uri, "--interval-ms", "300", "--seed", "7"], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    Golden::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/add_delete.txt"))
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Three additions of the free ids 1-3, then the four sources removed.
    let mut started = ids(&run.stdout, "Calling Start ");
    started.sort();
    assert_eq!(started, [1, 2, 3]);
    let mut stopped = ids(&run.stdout, "Calling Stop ");
    stopped.sort();
    assert_eq!(stopped, [0, 1, 2, 3]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let last_start = lines
        .iter()
        .rposition(|l| l.starts_with("Calling Start "))
        .unwrap();
    let first_stop = lines
        .iter()
        .position(|l| l.starts_with("Calling Stop "))
        .unwrap();
    assert!(last_start < first_stop, "all additions before the removals");
    // Every source linked to its own muxer pad, once.
    assert_eq!(count(&run.stdout, "Decodebin linked to pipeline"), 4);
    let mut pads = ids(&run.stdout, "sink_");
    pads.sort();
    assert_eq!(pads, [0, 0, 1, 1, 2, 2, 3, 3], "linked, then released");
    // A removal prints its two state-change lines (or the async one).
    let removals =
        count(&run.stdout, "STATE CHANGE SUCCESS") + 2 * count(&run.stdout, "STATE CHANGE ASYNC");
    assert!(removals >= 8, "{}", run.stdout);
}

#[test]
fn a_source_that_ends_is_reported_and_the_pipeline_ends() {
    // One short source and no addition before it ends: the muxer's
    // stream-eos message, then the pipeline's end-of-stream.
    let uri = uri("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &[&uri, "--interval-ms", "600000"], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    let tail = Golden::parse(
        "[*] {any}\nGot EOS from stream 0\n[*] {any}\nEnd-of-stream\nExiting app\n\n",
    );
    tail.check(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&run.stdout, "Got EOS from stream 0"), 1);
}

#[test]
fn wrong_argument_count_prints_the_usage_and_exits_1() {
    for args in [&[][..], &["a", "b"]] {
        let run = ds_testkit::run(BIN, args, Duration::from_secs(60));
        assert_eq!(run.status.code(), Some(1), "{args:?}: {}", run.stderr);
        let first = run.stderr.lines().next().unwrap_or_default();
        assert_eq!(first, "usage: deepstream-rt-src-add-del <uri1> ");
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

#[test]
fn missing_input_is_one_error_line_and_exit_1() {
    let run = ds_testkit::run(BIN, &["file:///nonexistent/clip.mp4"], LIMIT);
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
    assert!(
        run.stdout
            .contains("Pipeline is not in playing state to add sources"),
        "{}",
        run.stdout
    );
}
