//! deepstream-test3's stdout, line by line, against the sequence the Python
//! sample prints for the same run (tests/golden/*.txt) on one and two
//! `file://` inputs, plus the consistency of the per-frame numbers, the
//! latency measurement's lines, and the sample's argument errors.
use ds_testkit::golden::Golden;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-test3");
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

/// (frame number, objects, vehicles, persons) of each frame line.
fn frames(stdout: &str) -> Vec<[u32; 4]> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            let v: Vec<u32> = l
                .split("= ")
                .skip(1)
                .map(|s| s.split(' ').next().unwrap().parse().unwrap())
                .collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

/// Each frame's objects include its vehicles and persons; returns how many
/// times each frame number was printed.
fn histogram(stdout: &str) -> BTreeMap<u32, usize> {
    let mut h = BTreeMap::new();
    for f in frames(stdout) {
        assert!(f[1] >= f[2] + f[3], "{f:?}");
        *h.entry(f[0]).or_insert(0) += 1;
    }
    h
}

fn count(stdout: &str, line: &str) -> usize {
    stdout.lines().filter(|l| *l == line).count()
}

/// The PERF lines come as Python's print writes them: an empty line, the
/// line, an empty line.
fn assert_perf_blocks(stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("**PERF:") {
            assert_eq!(lines[i - 1], "", "before line {}", i + 1);
            assert_eq!(lines[i + 1], "", "after line {}", i + 1);
        }
    }
}

#[test]
fn one_source_follows_the_python_sample() {
    let uri = sample_uri();
    let run = ds_testkit::run(BIN, &["-i", &uri], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    golden("one_source.txt")
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Frames 0-59 in order, once each.
    let numbers: Vec<u32> = frames(&run.stdout).iter().map(|f| f[0]).collect();
    assert_eq!(numbers, (0..60).collect::<Vec<_>>());
    assert_eq!(histogram(&run.stdout).len(), 60);
    assert_eq!(count(&run.stdout, "Decodebin child added: source "), 1);
    assert_perf_blocks(&run.stdout);
    // The open backend's renderer says it has no window here.
    assert!(
        run.stderr.lines().all(|l| l.contains("no display found")),
        "{}",
        run.stderr
    );
}

#[test]
fn two_sources_follow_the_python_sample() {
    let uri = sample_uri();
    let run = ds_testkit::run(BIN, &["--no-display", "-i", &uri, &uri], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    golden("two_sources_no_display.txt")
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    // Frames 0-59 of each source.
    let h = histogram(&run.stdout);
    assert_eq!(h, (0..60).map(|n| (n, 2)).collect::<BTreeMap<_, _>>());
    assert_eq!(count(&run.stdout, "Decodebin child added: source "), 2);
    assert_eq!(count(&run.stdout, "In cb_newpad"), 2);
    assert_eq!(count(&run.stdout, "gstname= video/x-raw"), 2);
    assert_eq!(count(&run.stdout, "features= memory:NVMM"), 2);
    assert_perf_blocks(&run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn silent_prints_no_frame_lines() {
    let uri = sample_uri();
    let run = ds_testkit::run(BIN, &["--no-display", "-s", "-i", &uri], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    // The golden sequence without the frame lines.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/one_source.txt"),
    )
    .unwrap()
    .replace("'no_display': False", "'no_display': True")
    .replace("'silent': False", "'silent': True")
    .replace(
        "Is it Integrated GPU? : {int}\nCreating EGLSink ||Creating nv3dsink \n",
        "Creating Fakesink \n\nIs it Integrated GPU? : {int}",
    )
    .replace(
        "[+] Frame Number= {int} Number of Objects= {int} Vehicle_count= {int} \
         Person_count= {int}||",
        "[*] ",
    );
    Golden::parse(&text)
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(frames(&run.stdout).is_empty());
}

#[test]
fn latency_measurement_prints_the_samples_lines() {
    let uri = sample_uri();
    let mut cmd = ds_testkit::command(BIN, &["--no-display", "-i", &uri]);
    cmd.env("NVDS_ENABLE_LATENCY_MEASUREMENT", "1")
        .env_remove("NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT");
    let child = cmd.spawn().expect("runs deepstream-test3");
    let run = ds_testkit::finish(child, LIMIT, "deepstream-test3");
    assert!(run.status.success(), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // After the probe is installed, before "Now playing...".
    let at = lines
        .iter()
        .position(|l| *l == "Pipeline Latency Measurement enabled!")
        .unwrap_or_else(|| panic!("no latency line:\n{}", run.stdout));
    assert_eq!(
        lines[at + 1],
        "Please set env var NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT=1 for Component \
         Latency Measurement"
    );
    assert_eq!(lines[at - 2], "Linking elements in the Pipeline ");
    assert_eq!(lines[at + 2], "Now playing...");
    // Each batch, before its frame line: the measurement (what
    // pyds.nvds_measure_buffer_latency prints).
    let batch = Golden::parse(
        "[*] {any}\n\
         [+] ************BATCH-NUM = {int}**************||Source id = 0 Frame_num = {int} \
         Frame latency = {float} (ms) ||Frame Number= {int} Number of Objects= {int} Vehicle_count= {int} \
         Person_count= {int}||**PERF:  {'stream0': {float}} ||\n\
         End-of-stream\nExiting app\n\n",
    );
    batch.check(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    let measured = lines
        .iter()
        .filter(|l| l.starts_with("************BATCH-NUM = "))
        .count();
    assert_eq!(measured, 60, "one measurement per batch");
    assert!(!run.stdout.contains("Unable to get number of sources"));
    // Without the variable (or with another value than 1): no measurement.
    let mut cmd = ds_testkit::command(BIN, &["--no-display", "-s", "-i", &uri]);
    cmd.env("NVDS_ENABLE_LATENCY_MEASUREMENT", "yes");
    let run = ds_testkit::finish(cmd.spawn().unwrap(), LIMIT, "deepstream-test3");
    assert!(run.status.success(), "{}", run.stderr);
    assert!(!run.stdout.contains("Latency"), "{}", run.stdout);
    assert!(!run.stdout.contains("BATCH-NUM"), "{}", run.stdout);
}

/// argparse's errors (unknown option, a choice outside `-g`'s, `-i`
/// without a URI) print its usage line and the error and exit 2: the port
/// prints its usage line and clap's error.
#[test]
fn argument_errors_print_the_usage_and_exit_2() {
    for args in [
        &["--no-such-option"][..],
        &["-g", "tensorrt", "-i", "file:///a.mp4"],
        &["-i"],
    ] {
        let run = ds_testkit::run(BIN, args, Duration::from_secs(60));
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(
            lines[0],
            "usage: deepstream-test3 [-h] [-i URIs [URIs ...]] [-c config_location.txt] \
             [-g {nvinfer,nvinferserver,nvinferserver-grpc}] [--no-display] [--file-loop] \
             [--disable-probe] [-s] [--output FILE.mp4]"
        );
        assert!(lines[1].starts_with("error: "), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("Usage:"), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

/// `-c` without `-g` (or the reverse): the sample's message on stderr, its
/// help on stdout, exit 1. A config that does not exist: its message, exit 1.
#[test]
fn pgie_and_config_go_together() {
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/dstest3_pgie_config.txt");
    for args in [&["-g", "nvinfer"][..], &["-c", cfg.to_str().unwrap()]] {
        let run = ds_testkit::run(BIN, args, Duration::from_secs(60));
        assert_eq!(run.status.code(), Some(1), "{args:?}");
        assert_eq!(
            run.stderr,
            "Error: Either pgie or configfile is missing. Please specify both! Exiting...\n"
        );
        assert!(
            run.stdout.contains("Usage: deepstream-test3"),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("--configfile"), "{}", run.stdout);
    }
    let run = ds_testkit::run(
        BIN,
        &["-g", "nvinfer", "-c", "/no/such/config.txt"],
        Duration::from_secs(60),
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "Error: Specified config-file: /no/such/config.txt doesn't exist. Exiting...\n"
    );
}

/// `--disable-probe`: `nvdslogger` after nvinfer measures the FPS (its own
/// `**PERF : FPS_0 (..)` lines), no probe (no frame or `**PERF:  {` lines).
#[test]
fn disable_probe_uses_nvdslogger() {
    let uri = sample_uri();
    let run = ds_testkit::run(BIN, &["--no-display", "--disable-probe", "-i", &uri], LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/one_source.txt"),
    )
    .unwrap()
    .replace("'no_display': False", "'no_display': True")
    .replace("'disable_probe': False", "'disable_probe': True")
    .replace(
        "Creating Pgie \n \n",
        "Creating Pgie \n \nCreating nvdslogger \n\n",
    )
    .replace(
        "Is it Integrated GPU? : {int}\nCreating EGLSink ||Creating nv3dsink \n",
        "Creating Fakesink \n\nIs it Integrated GPU? : {int}",
    )
    .replace(
        "**PERF:  {'stream0': {float}} ",
        "**PERF : FPS_0 ({float})\t",
    )
    .replace(
        "[+] Frame Number= {int} Number of Objects= {int} Vehicle_count= {int} \
         Person_count= {int}||",
        "[*] ",
    );
    Golden::parse(&text)
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(frames(&run.stdout).is_empty());
}
