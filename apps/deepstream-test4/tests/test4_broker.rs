//! deepstream-test4 end to end against real brokers started here (Debian's
//! mosquitto and redis-server on free loopback ports): every event the probe
//! creates (frames 0 and 30 of the 60-frame sample) arrives at a subscriber.
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn short_sample() -> PathBuf {
    let p = root().join("samples/sample_720p_60.h264");
    assert!(p.is_file(), "{} is missing: run ci/samples.sh", p.display());
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command, port: u16) -> Proc {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (run ci/setup.sh)"));
    let p = Proc(child);
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "{cmd:?} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    p
}

/// Runs test4 on the short sample against `proto` at `port`; returns the
/// number of events the probe created (one per 30th frame).
fn run_test4(proto: &str, port: u16, topic: &str) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_deepstream-test4"))
        .args(["-i", short_sample().to_str().unwrap(), "--proto", proto])
        .args([
            "--conn-str",
            &format!("127.0.0.1;{port}"),
            "-t",
            topic,
            "--no-display",
        ])
        .env_remove("DISPLAY")
        .output()
        .expect("runs deepstream-test4");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number = "))
        .count();
    assert_eq!(frames, 60);
    frames.div_ceil(30)
}

#[test]
fn mqtt_subscriber_receives_every_event() {
    let port = free_port();
    let _broker = spawn(
        Command::new("mosquitto").args(["-p", &port.to_string()]),
        port,
    );
    let topic = format!("test4-{}", std::process::id());
    // 60 frames: events on frames 0 and 30. The subscriber exits after
    // two messages, or after 60 s without them.
    let expected = 2;
    let sub = Command::new("mosquitto_sub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-t",
            &topic,
            "-q",
            "1",
        ])
        .args(["-C", &expected.to_string(), "-W", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto_sub (mosquitto-clients) runs: run ci/setup.sh");
    std::thread::sleep(Duration::from_millis(500));
    let events = run_test4("mqtt", port, &topic);
    assert_eq!(events, expected);
    let mut sub = Proc(sub);
    let out = sub.0.wait_with_output_ref();
    let received = out.matches("\"messageid\"").count();
    assert_eq!(received, events, "{out}");
}

#[test]
fn redis_stream_holds_every_event() {
    let port = free_port();
    let _broker = spawn(
        Command::new("redis-server").args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ]),
        port,
    );
    let topic = format!("test4-{}", std::process::id());
    let events = run_test4("redis", port, &topic);
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "XLEN", &topic])
        .output()
        .expect("redis-cli (redis-tools) runs: run ci/setup.sh");
    let len: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(len, events);
}

/// Reads a killed child's whole stdout.
trait ReadAll {
    fn wait_with_output_ref(&mut self) -> String;
}

impl ReadAll for Child {
    fn wait_with_output_ref(&mut self) -> String {
        use std::io::Read;
        let mut s = String::new();
        if let Some(mut out) = self.stdout.take() {
            let _ = out.read_to_string(&mut s);
        }
        let _ = self.wait();
        s
    }
}
