//! Robustness matrix (issue 8), broker down, through the real
//! deepstream-test4 binary with a hard time limit: with no server on the
//! broker's port, nvmsgbroker fails when the pipeline starts, the app prints
//! one `Error:` line naming the broker and exits 1, before any frame.
//! (The element-level cases, reconnection and queue overflow, are in
//! crates/ds-open/tests/nvmsgbroker.rs.)
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

/// Generous: debug builds on a shared 2-core machine; each run here fails
/// in well under a second.
const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn broker_down_is_one_error_line() {
    let sample =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples/sample_720p_60.h264");
    assert!(
        sample.is_file(),
        "{} is missing: run ci/samples.sh",
        sample.display()
    );
    // A port nothing listens on (bound, then released).
    let port = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (proto, name) in [
        ("mqtt", "MQTT"),
        ("redis", "Redis"),
        ("amqp", "AMQP"),
        ("kafka", "Kafka"),
    ] {
        let conn = format!("127.0.0.1;{port}");
        let args = [
            "--no-display",
            "-i",
            sample.to_str().unwrap(),
            "--proto",
            proto,
        ];
        let args = [&args[..], &["--conn-str", &conn, "-t", "events"]].concat();
        let ds_testkit::Run {
            status,
            stdout,
            stderr,
        } = ds_testkit::run(env!("CARGO_BIN_EXE_deepstream-test4"), &args, LIMIT);
        assert_eq!(status.code(), Some(1), "{proto}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{proto}: one error line:\n{stderr}");
        assert!(lines[0].starts_with("Error: "), "{stderr}");
        assert!(
            lines[0].contains(&format!(
                "cannot connect to {name} broker at 127.0.0.1:{port}: Connection refused"
            )),
            "{stderr}"
        );
        assert!(!stdout.contains("Frame Number"), "{stdout}");
    }
}
