//! deepstream-test4 end to end against real brokers started here (Debian's
//! mosquitto and redis-server, and tansu for Kafka (`ds_testkit::kafka`), on
//! free loopback ports): every event the probe
//! creates (frames 0 and 30 of the 60-frame sample: the first object of
//! each, as the sample) arrives at a subscriber. The broker's address is
//! given with `--conn-str`, or (as the sample allows when `--conn-str` is
//! not given) read from the adaptor config file of `--cfg-file`.
use ds_testkit::free_port;
use std::io::Read;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn short_sample() -> PathBuf {
    let p = root().join("samples/sample_720p_60.h264");
    assert!(p.is_file(), "{} is missing: run ci/samples.sh", p.display());
    p
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

/// Runs test4 on the short sample against `proto` at `port` (through
/// `--conn-str`); returns the number of events the probe created.
fn run_test4(proto: &str, port: u16, topic: &str) -> usize {
    run_test4_with(proto, &["--conn-str", &format!("127.0.0.1;{port}")], topic)
}

/// Runs test4 on the short sample with the broker options `broker`
/// (`proto`: a `--proto` name, or a library file name given with `-p`);
/// returns the number of events the probe created, from its `Frame Number
/// = F Vehicle Count = V Person Count = P` lines: one on every 30th frame
/// with an object (V + P > 0 proves one).
fn run_test4_with(proto: &str, broker: &[&str], topic: &str) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_deepstream-test4"))
        .args(["-i", short_sample().to_str().unwrap()])
        .args(if proto.ends_with(".so") {
            ["-p", proto]
        } else {
            ["--proto", proto]
        })
        .args(broker)
        .args(["-t", topic, "--no-display"])
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
    let frames: Vec<(u32, u32, u32)> = stdout
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
        .collect();
    assert_eq!(frames.len(), 60);
    let events = frames
        .iter()
        .filter(|f| f.0 % 30 == 0 && f.1 + f.2 > 0)
        .count();
    assert_eq!(events, 2, "frames 0 and 30 have objects: {frames:?}");
    events
}

#[test]
fn mqtt_subscriber_receives_every_event() {
    let port = free_port();
    let _broker = spawn(
        Command::new("mosquitto").args(["-p", &port.to_string()]),
        port,
    );
    let topic = format!("test4-{}", std::process::id());
    // The subscriber runs until killed (at most 60 s); its output is read
    // on a thread while test4 runs.
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
        .args(["-W", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto_sub (mosquitto-clients) runs: run ci/setup.sh");
    let mut sub = Proc(sub);
    let out = Arc::new(Mutex::new(String::new()));
    let reader = {
        let (mut stdout, out) = (sub.0.stdout.take().unwrap(), out.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                out.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let events = run_test4("mqtt", port, &topic);
    let received = || out.lock().unwrap().matches("\"messageid\"").count();
    let t0 = Instant::now();
    while received() < events && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    // a little longer: catch unexpected extra messages
    std::thread::sleep(Duration::from_millis(200));
    drop(sub);
    let _ = reader.join();
    let out = out.lock().unwrap().clone();
    assert_eq!(out.matches("\"messageid\"").count(), events, "{out}");
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

/// Without `--conn-str` the sample leaves nvmsgbroker's `conn-str` unset,
/// and the adaptor takes the broker's host and port from its config file.
#[test]
fn redis_address_from_the_adaptor_config_without_conn_str() {
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
    let cfg = std::env::temp_dir().join(format!("test4-cfg-redis-{}.txt", std::process::id()));
    std::fs::write(
        &cfg,
        format!("[message-broker]\nhostname=127.0.0.1\nport={port}\n"),
    )
    .unwrap();
    let topic = format!("test4-cfg-{}", std::process::id());
    let events = run_test4_with("redis", &["-c", cfg.to_str().unwrap()], &topic);
    std::fs::remove_file(&cfg).ok();
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "XLEN", &topic])
        .output()
        .expect("redis-cli (redis-tools) runs: run ci/setup.sh");
    let len: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(len, events);
}

/// `-p libnvds_kafka_proto.so` (the sample's default adaptor) with the
/// sample's `cfg_kafka.txt` keys: a consumer reads every event back from the
/// topic, keyed by the event's `sensor.id`.
#[test]
fn kafka_topic_holds_every_event() {
    let broker = ds_testkit::kafka::Broker::start();
    let topic = format!("test4-{}", std::process::id());
    broker.create_topic(&topic, 2);
    let cfg = root().join("configs/cfg_kafka.txt");
    let events = run_test4_with(
        "libnvds_kafka_proto.so",
        &[
            "--conn-str",
            &broker.conn_str(),
            "-c",
            cfg.to_str().unwrap(),
        ],
        &topic,
    );
    let got = broker.consume(&topic);
    assert_eq!(got.len(), events, "{got:?}");
    let mut ids = std::collections::BTreeSet::new();
    for r in &got {
        let msg: serde_json::Value = serde_json::from_str(&r.value).unwrap();
        let id = msg["messageid"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", r.value));
        assert!(ids.insert(id.to_string()), "one record per event: {got:?}");
        assert!(msg["object"]["id"].is_string(), "{}", r.value);
        let sensor = msg["sensor"]["id"].as_str().unwrap();
        assert_eq!(r.key.as_deref(), Some(sensor), "keyed by sensor.id");
    }
}
