//! deepstream-test4's stdout, line by line, against the sequence the Python
//! sample prints for the same run (tests/golden/stdout.txt), with
//! nvmsgbroker replaced by fakesink (tests/test4_broker.rs runs real
//! brokers); the consistency of the per-frame numbers; the sample's
//! argument errors.
use ds_testkit::golden::Golden;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test4");
const LIMIT: Duration = Duration::from_secs(300);

fn golden_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/stdout.txt"))
        .unwrap()
}

/// (frame, vehicles, persons) of each per-buffer line.
fn frames(stdout: &str) -> Vec<(i32, u32, u32)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number = "))
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            (
                w[3].parse().unwrap(),
                w[7].parse().unwrap(),
                w[11].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn stdout_follows_the_python_sample() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(BIN, &["--broker-sink", "fakesink", "-i", &sample], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    Golden::parse(&golden_text())
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Frame numbers count from 0 without a gap; the clip has objects.
    let frames = frames(&run.stdout);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.0 as usize, i);
    }
    assert!(frames.iter().any(|f| f.1 > 0) && frames.iter().any(|f| f.2 > 0));
}

#[test]
fn no_display_is_the_samples_fakesink() {
    // The sample's --no-display: `Creating FakeSink` instead of the
    // renderer, and no platform question.
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(
        BIN,
        &["--no-display", "--broker-sink", "fakesink", "-i", &sample],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let text = golden_text().replace(
        "Is it Integrated GPU? : {int}\nCreating EGLSink ||Creating nv3dsink \n",
        "Creating FakeSink \n",
    );
    assert!(text.contains("Creating FakeSink"));
    Golden::parse(&text)
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn without_an_adaptor_library_the_samples_usage_line() {
    // The sample prints its Usage line (to stdout) and exits 1 when -p (or
    // -i, which has a default in the port) is missing.
    let run = ds_testkit::run(BIN, &["--no-display", "--conn-str", "h;1"], LIMIT);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stdout,
        "Usage: deepstream-test4 -i <H264 filename> -p <Proto adaptor library> \
         --conn-str=<Connection string>\n"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn an_unknown_option_is_an_option_error() {
    // optparse: its usage and the error on stderr, exit 2; clap the same.
    let run = ds_testkit::run(BIN, &["-p", "x.so", "--no-such-option"], LIMIT);
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("--no-such-option") && run.stderr.contains("Usage: deepstream-test4"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_adaptor_config_is_one_error_line() {
    let sample = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(
        BIN,
        &["--proto", "mqtt", "-c", "/no/such/cfg.txt", "-i", &sample],
        LIMIT,
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.trim_end(),
        "Error: /no/such/cfg.txt: no such adaptor config file"
    );
}
