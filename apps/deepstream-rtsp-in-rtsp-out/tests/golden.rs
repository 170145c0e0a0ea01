//! deepstream-rtsp-in-rtsp-out's stdout, line by line, against the
//! sequence the Python sample prints for the same run (tests/golden/), and
//! the sample's argument errors and bad inputs.
use ds_testkit::golden::Golden;
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-rtsp-in-rtsp-out");
/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(600);

fn golden(name: &str) -> Golden {
    Golden::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
}

/// A TCP and a UDP port free now (the OS picks them).
fn free_ports() -> (String, String) {
    let tcp = TcpListener::bind("0.0.0.0:0").unwrap();
    let udp = UdpSocket::bind("0.0.0.0:0").unwrap();
    (
        tcp.local_addr().unwrap().port().to_string(),
        udp.local_addr().unwrap().port().to_string(),
    )
}

fn frame_numbers(stdout: &str) -> Vec<u32> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Frame Number= "))
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn file_input_follows_the_python_sample() {
    let input = ds_testkit::sample("sample_720p_60.h264");
    let (rtsp, udp) = free_ports();
    let run = ds_testkit::run(
        BIN,
        &["-i", &input, "--rtsp-port", &rtsp, "--udp-port", &udp],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    golden("file_input.txt")
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(run.stdout.contains(&format!(
        " *** DeepStream: Launched RTSP Streaming at rtsp://localhost:{rtsp}/ds-test ***"
    )));
    assert_eq!(frame_numbers(&run.stdout), (0..60).collect::<Vec<_>>());
    assert!(!run.stdout.contains("RTSP Timestamp"));
}

/// Two sources: the batch-size warning, two source bins, a 1x2 tile.
#[test]
fn two_sources_and_h265() {
    let input = ds_testkit::sample("sample_720p_60.h264");
    let (rtsp, udp) = free_ports();
    let run = ds_testkit::run(
        BIN,
        &[
            "-i",
            &input,
            &input,
            "-c",
            "H265",
            "-b",
            "2000000",
            "--rtsp-port",
            &rtsp,
            "--udp-port",
            &udp,
        ],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    golden("two_sources_h265.txt")
        .check(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.stdout.matches("In cb_newpad").count(), 2);
    let mut numbers = frame_numbers(&run.stdout);
    numbers.sort();
    let expected: Vec<u32> = (0..60).flat_map(|n| [n, n]).collect();
    assert_eq!(numbers, expected);
}

/// No argument: argparse's help on stderr, exit 1 (the sample's
/// `len(sys.argv)==1` check).
#[test]
fn no_argument_prints_the_help_and_exits_1() {
    let run = ds_testkit::run(BIN, &[], Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stderr.contains("RTSP Output Sample Application Help"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--rtsp-ts"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

/// argparse's errors (unknown option, a choice outside `-c`'s or `-g`'s,
/// a bitrate that is not a number, no `-i`) print its usage line and the
/// error and exit 2.
#[test]
fn argument_errors_print_the_usage_and_exit_2() {
    for args in [
        &["--no-such-option"][..],
        &["-i", "a.mp4", "-c", "VP9"],
        &["-i", "a.mp4", "-g", "tensorrt"],
        &["-i", "a.mp4", "-b", "fast"],
        &["-c", "H264"],
        &["-i"],
    ] {
        let run = ds_testkit::run(BIN, args, Duration::from_secs(60));
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(
            lines[0],
            "usage: deepstream-rtsp-in-rtsp-out [-h] -i INPUT [INPUT ...] \
             [-g {nvinfer,nvinferserver}] [-c {H264,H265}] [-b BITRATE] [--rtsp-ts] \
             [--rtsp-port PORT] [--udp-port PORT]"
        );
        assert!(lines[1].starts_with("error: "), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

/// A missing input file: one `Error:` line (the pipeline's), exit 1.
#[test]
fn missing_input_is_one_error_line() {
    let (rtsp, udp) = free_ports();
    let run = ds_testkit::run(
        BIN,
        &[
            "-i",
            "/no/such/video.mp4",
            "--rtsp-port",
            &rtsp,
            "--udp-port",
            &udp,
        ],
        LIMIT,
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("Error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("/no/such/video.mp4"), "{}", run.stderr);
    assert!(!run.stdout.contains("Frame Number="));
}

/// The RTSP port in use: one `Error:` line naming it, exit 1, before the
/// pipeline starts.
#[test]
fn rtsp_port_in_use_is_one_error_line() {
    let busy = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let (_, udp) = free_ports();
    let input = ds_testkit::sample("sample_720p_60.h264");
    let run = ds_testkit::run(
        BIN,
        &["-i", &input, "--rtsp-port", &port, "--udp-port", &udp],
        LIMIT,
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("Error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains(&port), "{}", run.stderr);
    assert!(!run.stdout.contains("Starting pipeline"), "{}", run.stdout);
}

/// nvinferserver (Triton) does not exist on the open backend: one line.
#[test]
fn nvinferserver_on_the_open_backend_is_one_error_line() {
    if ds_open_backend_is_nvidia() {
        return;
    }
    let run = ds_testkit::run(
        BIN,
        &["-i", "a.mp4", "-g", "nvinferserver"],
        Duration::from_secs(60),
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "Error: nvinferserver (Triton) is not available on the open backend; use -g nvinfer\n"
    );
}

fn ds_open_backend_is_nvidia() -> bool {
    std::env::var("DS_BACKEND").as_deref() == Ok("nvidia")
}
