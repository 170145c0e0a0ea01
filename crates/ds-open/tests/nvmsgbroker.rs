//! `nvmsgbroker` against real brokers started here as child processes on
//! loopback, each on a free port with its own temporary directory:
//! mosquitto (MQTT), redis-server (Redis streams) and rabbitmq-server
//! (AMQP 0-9-1). `ci/setup.sh` installs them (Debian packages `mosquitto`,
//! `redis-server`, `rabbitmq-server`).
//!
//! Each test pushes payloads (NvDsPayload user meta on an NvDsBatchMeta,
//! as nvmsgconv attaches them) through `appsrc ! nvmsgbroker` and checks
//! what a subscriber received: every payload id, and nothing else.
#[path = "support/broker_pipeline.rs"]
mod broker_pipeline;
use broker_pipeline::{BrokerPipeline, Feed};
use ds_testkit::free_port;
use gstreamer::prelude::*;
use std::collections::BTreeSet;
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- helpers

/// `appsrc ! nvmsgbroker` with `props`; pushes never wait.
fn pipeline(props: &[(&str, glib::Value)]) -> BrokerPipeline {
    BrokerPipeline::new(props, Feed::Unbounded)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "nvmsgbroker-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn port_open(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn wait_port(port: u16, timeout: Duration, what: &str, log: &Path) {
    let t0 = Instant::now();
    while !port_open(port) {
        assert!(
            t0.elapsed() < timeout,
            "{what} did not open port {port} within {timeout:?}; log {}:\n{}",
            log.display(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A broker server process (its own process group, killed on drop).
struct Server {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
    /// RabbitMQ's private Erlang port mapper (epmd detaches from the
    /// server: it is stopped explicitly on drop).
    epmd_port: Option<u16>,
}

fn require(bin: &str) {
    assert!(
        Path::new(bin).exists()
            || Command::new("sh")
                .args(["-c", &format!("command -v {bin}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
        "{bin} not found: run ci/setup.sh (installs mosquitto, redis-server, rabbitmq-server)"
    );
}

impl Server {
    fn spawn(&mut self, mut cmd: Command, what: &str, timeout: Duration) {
        let log = self.dir.0.join("server.log");
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        cmd.stdout(out)
            .stderr(err)
            .stdin(Stdio::null())
            .process_group(0);
        self.child = Some(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("cannot start {what}: {e}")),
        );
        wait_port(self.port, timeout, what, &log);
    }

    /// Kills the whole process group with `signal` and waits for it.
    fn kill(&mut self, signal: &str) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args([signal, "--", &format!("-{}", c.id())])
                .status();
            let _ = c.wait();
            let t0 = Instant::now();
            while port_open(self.port) && t0.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    fn mosquitto() -> Server {
        require("mosquitto");
        let mut s = Server {
            child: None,
            port: free_port(),
            epmd_port: None,
            dir: TempDir::new("mqtt"),
        };
        let conf = s.dir.0.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "listener {} 127.0.0.1\nallow_anonymous true\npersistence true\n\
                 persistence_location {}/\n",
                s.port,
                s.dir.0.display()
            ),
        )
        .unwrap();
        s.start_mosquitto();
        s
    }

    fn start_mosquitto(&mut self) {
        let mut cmd = Command::new("mosquitto");
        cmd.arg("-c").arg(self.dir.0.join("mosquitto.conf"));
        self.spawn(cmd, "mosquitto", Duration::from_secs(10));
    }

    fn redis() -> Server {
        require("redis-server");
        let mut s = Server {
            child: None,
            port: free_port(),
            epmd_port: None,
            dir: TempDir::new("redis"),
        };
        s.start_redis();
        s
    }

    /// Append-only file with fsync on every write: what was acknowledged
    /// survives a SIGKILL (the fault test relies on it).
    fn start_redis(&mut self) {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir.0);
        self.spawn(cmd, "redis-server", Duration::from_secs(10));
    }

    fn rabbitmq() -> Server {
        let bin = "/usr/lib/rabbitmq/bin/rabbitmq-server";
        require(bin);
        let mut s = Server {
            child: None,
            port: free_port(),
            dir: TempDir::new("amqp"),
            epmd_port: Some(free_port()),
        };
        let d = &s.dir.0;
        std::fs::write(d.join("enabled_plugins"), "[].\n").unwrap();
        let mut cmd = Command::new(bin);
        let epmd = s.epmd_port.unwrap_or_default();
        cmd.current_dir(d)
            .env("HOME", d)
            .env("ERL_EPMD_PORT", epmd.to_string())
            .env("RABBITMQ_NODE_PORT", s.port.to_string())
            .env("RABBITMQ_DIST_PORT", free_port().to_string())
            .env("RABBITMQ_NODENAME", format!("ds{}@localhost", s.port))
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq"));
        // Erlang boots slowly on a busy 2-core machine.
        s.spawn(cmd, "rabbitmq-server", Duration::from_secs(90));
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill("-KILL");
        if let Some(port) = self.epmd_port {
            let _ = Command::new("/usr/lib/erlang/bin/epmd")
                .args(["-port", &port.to_string(), "-kill"])
                .env("ERL_EPMD_PORT", port.to_string())
                .output();
        }
    }
}

fn payload_json(test: &str, id: usize) -> String {
    format!("{{\"test\":\"{test}\",\"id\":{id}}}")
}

fn id_of(json: &str) -> Option<usize> {
    let rest = &json[json.find("\"id\":")? + 5..];
    rest.trim_end_matches('}').trim().parse().ok()
}

fn conn(port: u16) -> glib::Value {
    format!("127.0.0.1;{port}").to_value()
}

fn assert_all_ids(received: &[String], test: &str, n: usize) {
    let ids: BTreeSet<usize> = received.iter().filter_map(|j| id_of(j)).collect();
    let want: BTreeSet<usize> = (0..n).collect();
    assert_eq!(
        ids,
        want,
        "missing: {:?}",
        want.difference(&ids).collect::<Vec<_>>()
    );
    for j in received {
        assert!(
            j.contains(&format!("\"test\":\"{test}\"")),
            "unexpected message {j}"
        );
    }
    assert!(received.len() >= n);
}

// ------------------------------------------------------ MQTT subscriber

fn mqtt_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn mqtt_packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    let mut n = body.len();
    loop {
        let mut b = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(body);
    out
}

fn mqtt_read(s: &mut TcpStream) -> std::io::Result<(u8, Vec<u8>)> {
    let mut first = [0u8];
    s.read_exact(&mut first)?;
    let (mut len, mut shift) = (0usize, 0);
    loop {
        let mut b = [0u8];
        s.read_exact(&mut b)?;
        len |= ((b[0] & 0x7f) as usize) << shift;
        shift += 7;
        if b[0] & 0x80 == 0 {
            break;
        }
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok((first[0], body))
}

/// A QoS 1 subscriber with a persistent session (clean session 0), which
/// reconnects until stopped, collecting every payload received.
struct MqttSubscriber {
    received: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    ready: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MqttSubscriber {
    fn start(port: u16, topic: &str) -> MqttSubscriber {
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let ready = Arc::new(AtomicBool::new(false));
        let (r, s, rd, topic) = (
            received.clone(),
            stop.clone(),
            ready.clone(),
            topic.to_string(),
        );
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let _ = Self::session(port, &topic, &r, &s, &rd);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let sub = MqttSubscriber {
            received,
            stop,
            ready,
            thread: Some(thread),
        };
        let t0 = Instant::now();
        while !sub.ready.load(Ordering::Relaxed) {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "MQTT subscriber not ready"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        sub
    }

    fn session(
        port: u16,
        topic: &str,
        received: &Mutex<Vec<String>>,
        stop: &AtomicBool,
        ready: &AtomicBool,
    ) -> std::io::Result<()> {
        let mut s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_millis(200)))?;
        let mut body = Vec::new();
        mqtt_str(&mut body, "MQTT");
        body.extend_from_slice(&[4, 0x00, 0, 60]); // persistent session
        mqtt_str(&mut body, &format!("test-sub-{port}"));
        s.write_all(&mqtt_packet(0x10, &body))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        let (k, b) = mqtt_read(&mut s)?;
        assert_eq!((k, b.get(1)), (0x20, Some(&0)), "CONNACK");
        let mut body = vec![0, 1];
        mqtt_str(&mut body, topic);
        body.push(1);
        s.write_all(&mqtt_packet(0x82, &body))?;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            s.set_read_timeout(Some(Duration::from_millis(200)))?;
            let (k, b) = match mqtt_read(&mut s) {
                Ok(p) => p,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(e) => return Err(e),
            };
            match k >> 4 {
                9 => ready.store(true, Ordering::Relaxed),
                3 => {
                    let tl = u16::from_be_bytes([b[0], b[1]]) as usize;
                    let qos = (k >> 1) & 3;
                    let mut at = 2 + tl;
                    if qos > 0 {
                        let id = [b[at], b[at + 1]];
                        at += 2;
                        s.write_all(&[0x40, 2, id[0], id[1]])?;
                    }
                    let text = String::from_utf8_lossy(&b[at..]).into_owned();
                    received.lock().unwrap().push(text);
                }
                _ => {}
            }
        }
    }

    /// Waits until `n` distinct ids arrived (or timeout), stops, returns all.
    fn collect(mut self, n: usize, timeout: Duration) -> Vec<String> {
        let t0 = Instant::now();
        while t0.elapsed() < timeout {
            let ids: BTreeSet<usize> = self
                .received
                .lock()
                .unwrap()
                .iter()
                .filter_map(|j| id_of(j))
                .collect();
            if ids.len() >= n {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // a little longer: catch unexpected extra messages
        std::thread::sleep(Duration::from_millis(100));
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

// ------------------------------------------------------ Redis reader

fn redis_entries(port: u16, stream: &str) -> Vec<(String, String)> {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "--raw", "XRANGE", stream, "-", "+"])
        .output()
        .expect("redis-cli (package redis-tools) not found");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    // --raw prints id, field, value per entry (one field here)
    lines
        .chunks(3)
        .filter(|c| c.len() == 3)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

// ------------------------------------------------------ AMQP consumer

struct AmqpClient {
    s: TcpStream,
    r: BufReader<TcpStream>,
}

impl AmqpClient {
    fn frame(&mut self, kind: u8, ch: u16, payload: &[u8]) {
        let mut f = vec![kind];
        f.extend_from_slice(&ch.to_be_bytes());
        f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        f.extend_from_slice(payload);
        f.push(0xce);
        self.s.write_all(&f).unwrap();
    }

    fn method(&mut self, ch: u16, class: u16, id: u16, args: &[u8]) {
        let mut p = class.to_be_bytes().to_vec();
        p.extend_from_slice(&id.to_be_bytes());
        p.extend_from_slice(args);
        self.frame(1, ch, &p);
    }

    fn read(&mut self) -> (u8, Vec<u8>) {
        let mut h = [0u8; 7];
        self.r.read_exact(&mut h).unwrap();
        let n = u32::from_be_bytes([h[3], h[4], h[5], h[6]]) as usize;
        let mut p = vec![0u8; n + 1];
        self.r.read_exact(&mut p).unwrap();
        p.truncate(n);
        (h[0], p)
    }

    fn expect(&mut self, class: u16, id: u16) -> Vec<u8> {
        let (k, p) = self.read();
        assert_eq!(k, 1, "method frame");
        let got = (
            u16::from_be_bytes([p[0], p[1]]),
            u16::from_be_bytes([p[2], p[3]]),
        );
        assert_eq!(got, (class, id), "AMQP method");
        p[4..].to_vec()
    }

    fn short(out: &mut Vec<u8>, s: &str) {
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    }

    /// Connects as guest, declares `queue` and binds it to amq.topic with
    /// routing key `topic`.
    fn bind(port: u16, queue: &str, topic: &str) -> AmqpClient {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let r = BufReader::new(s.try_clone().unwrap());
        let mut c = AmqpClient { s, r };
        c.s.write_all(b"AMQP\x00\x00\x09\x01").unwrap();
        c.expect(10, 10);
        let mut a = vec![0, 0, 0, 0];
        Self::short(&mut a, "PLAIN");
        let resp = b"\0guest\0guest";
        a.extend_from_slice(&(resp.len() as u32).to_be_bytes());
        a.extend_from_slice(resp);
        Self::short(&mut a, "en_US");
        c.method(0, 10, 11, &a);
        let t = c.expect(10, 30);
        let mut a = t[..6].to_vec();
        a.extend_from_slice(&[0, 0]);
        c.method(0, 10, 31, &a);
        let mut a = Vec::new();
        Self::short(&mut a, "/");
        Self::short(&mut a, "");
        a.push(0);
        c.method(0, 10, 40, &a);
        c.expect(10, 41);
        c.method(1, 20, 10, &[0]);
        c.expect(20, 11);
        let mut a = vec![0, 0];
        Self::short(&mut a, queue);
        a.push(0);
        a.extend_from_slice(&[0, 0, 0, 0]);
        c.method(1, 50, 10, &a);
        c.expect(50, 11);
        let mut a = vec![0, 0];
        Self::short(&mut a, queue);
        Self::short(&mut a, "amq.topic");
        Self::short(&mut a, topic);
        a.push(0);
        a.extend_from_slice(&[0, 0, 0, 0]);
        c.method(1, 50, 20, &a);
        c.expect(50, 21);
        c
    }

    /// basic.get (no-ack) until the queue is empty.
    fn drain(&mut self, queue: &str) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            let mut a = vec![0, 0];
            Self::short(&mut a, queue);
            a.push(1);
            self.method(1, 60, 70, &a);
            let (k, p) = self.read();
            assert_eq!(k, 1);
            match u16::from_be_bytes([p[2], p[3]]) {
                72 => return out,
                71 => {
                    let (k, h) = self.read();
                    assert_eq!(k, 2, "content header");
                    let mut size = [0u8; 8];
                    size.copy_from_slice(&h[4..12]);
                    let size = u64::from_be_bytes(size) as usize;
                    let mut body = Vec::new();
                    while body.len() < size {
                        let (k, b) = self.read();
                        assert_eq!(k, 3, "body frame");
                        body.extend_from_slice(&b);
                    }
                    out.push(String::from_utf8_lossy(&body).into_owned());
                }
                m => panic!("unexpected basic method {m}"),
            }
        }
    }
}

// ---------------------------------------------------------------- tests

const N: usize = 40;

#[test]
fn mqtt_delivers_every_payload() {
    let server = Server::mosquitto();
    let sub = MqttSubscriber::start(server.port, "ds/mqtt");
    let p = pipeline(&[
        (
            "proto-lib",
            "/opt/nvidia/deepstream/deepstream/lib/libnvds_mqtt_proto.so".to_value(),
        ),
        (
            "conn-str",
            format!("127.0.0.1;{};ds/mqtt", server.port).to_value(),
        ),
    ]);
    p.play().unwrap();
    for i in 0..N {
        p.push(&payload_json("mqtt", i));
    }
    let warnings = p.finish(Duration::from_secs(20));
    assert!(warnings.is_empty(), "{warnings:?}");
    let got = sub.collect(N, Duration::from_secs(10));
    assert_all_ids(&got, "mqtt", N);
    assert_eq!(got.len(), N, "no duplicates without faults");
}

#[test]
fn redis_appends_to_the_topic_stream() {
    let server = Server::redis();
    let p = pipeline(&[
        ("proto-lib", "libnvds_redis_proto.so".to_value()),
        ("conn-str", conn(server.port)),
        ("topic", "ds-events".to_value()),
    ]);
    p.play().unwrap();
    for i in 0..N {
        p.push(&payload_json("redis", i));
    }
    let warnings = p.finish(Duration::from_secs(20));
    assert!(warnings.is_empty(), "{warnings:?}");
    let entries = redis_entries(server.port, "ds-events");
    assert!(entries.iter().all(|(f, _)| f == "metadata"), "{entries:?}");
    let got: Vec<String> = entries.into_iter().map(|(_, v)| v).collect();
    assert_all_ids(&got, "redis", N);
    assert_eq!(got.len(), N);
}

#[test]
fn redis_config_file_sets_the_field_name() {
    let server = Server::redis();
    let cfg = server.dir.0.join("cfg_redis.txt");
    std::fs::write(
        &cfg,
        format!(
            "[message-broker]\nhostname=127.0.0.1\nport={}\npayloadkey = payload\n",
            server.port
        ),
    )
    .unwrap();
    let p = pipeline(&[
        ("proto-lib", "libnvds_redis_proto.so".to_value()),
        ("config", cfg.to_str().unwrap().to_value()),
        ("topic", "cfg-events".to_value()),
    ]);
    p.play().unwrap();
    for i in 0..3 {
        p.push(&payload_json("cfg", i));
    }
    p.finish(Duration::from_secs(20));
    let entries = redis_entries(server.port, "cfg-events");
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|(f, _)| f == "payload"), "{entries:?}");
}

/// Kill the broker mid-run (SIGKILL), keep sending, restart it on the same
/// port: every payload arrives (at-least-once).
#[test]
fn redis_broker_restart_loses_nothing() {
    let mut server = Server::redis();
    let p = pipeline(&[
        ("proto-lib", "libnvds_redis_proto.so".to_value()),
        ("conn-str", conn(server.port)),
        ("topic", "fault".to_value()),
        ("flush-timeout", 20_000u32.to_value()),
    ]);
    p.play().unwrap();
    for i in 0..20 {
        p.push(&payload_json("fault", i));
    }
    std::thread::sleep(Duration::from_millis(200));
    server.kill("-KILL");
    for i in 20..40 {
        p.push(&payload_json("fault", i));
    }
    std::thread::sleep(Duration::from_millis(300));
    server.start_redis();
    for i in 40..60 {
        p.push(&payload_json("fault", i));
    }
    let warnings = p.finish(Duration::from_secs(30));
    assert!(
        warnings.iter().any(|w| w.contains("retrying")),
        "a lost-connection warning: {warnings:?}"
    );
    let got: Vec<String> = redis_entries(server.port, "fault")
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_all_ids(&got, "fault", 60);
}

/// Stop mosquitto mid-run and restart it (persistent sessions): the
/// subscriber still gets every payload.
#[test]
fn mqtt_broker_restart_loses_nothing() {
    let mut server = Server::mosquitto();
    let sub = MqttSubscriber::start(server.port, "ds/fault");
    let p = pipeline(&[
        ("proto-lib", "libnvds_mqtt_proto.so".to_value()),
        ("conn-str", conn(server.port)),
        ("topic", "ds/fault".to_value()),
        ("flush-timeout", 20_000u32.to_value()),
    ]);
    p.play().unwrap();
    for i in 0..20 {
        p.push(&payload_json("mfault", i));
    }
    std::thread::sleep(Duration::from_millis(200));
    // SIGTERM: mosquitto saves its persistence file (sessions, queues)
    server.kill("-TERM");
    for i in 20..40 {
        p.push(&payload_json("mfault", i));
    }
    std::thread::sleep(Duration::from_millis(300));
    server.start_mosquitto();
    for i in 40..60 {
        p.push(&payload_json("mfault", i));
    }
    p.finish(Duration::from_secs(30));
    let got = sub.collect(60, Duration::from_secs(15));
    assert_all_ids(&got, "mfault", 60);
}

#[test]
fn unreachable_broker_fails_at_start() {
    let port = free_port();
    let t0 = Instant::now();
    let p = pipeline(&[
        ("proto-lib", "libnvds_mqtt_proto.so".to_value()),
        ("conn-str", format!("127.0.0.1;{port};t").to_value()),
    ]);
    let err = p.play().unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert!(
        err.starts_with(&format!(
            "nvmsgbroker: cannot connect to MQTT broker at 127.0.0.1:{port}: "
        )),
        "{err}"
    );
}

#[test]
fn bad_proto_lib_is_a_clear_error() {
    for (lib, want) in [
        ("libcustom.so", "\"libcustom.so\": unknown protocol adapter"),
        ("", "proto-lib is not set"),
    ] {
        let p = pipeline(&[("proto-lib", lib.to_value()), ("conn-str", conn(1))]);
        let err = p.play().unwrap_err();
        assert!(err.contains(want), "{err}");
    }
}

/// Broker down, retry-on-start, tiny queue: the oldest are dropped with a
/// counted warning; EOS still comes (flush-timeout bounds the wait).
#[test]
fn queue_overflow_drops_oldest_with_a_warning() {
    let port = free_port();
    let p = pipeline(&[
        ("proto-lib", "libnvds_redis_proto.so".to_value()),
        ("conn-str", conn(port)),
        ("topic", "t".to_value()),
        ("retry-on-start", true.to_value()),
        ("max-queue", 5u32.to_value()),
        ("flush-timeout", 200u32.to_value()),
    ]);
    p.play().unwrap();
    for i in 0..20 {
        p.push(&payload_json("overflow", i));
    }
    let warnings = p.finish(Duration::from_secs(20));
    let dropped: u64 = warnings
        .iter()
        .filter_map(|w| {
            w.strip_prefix("nvmsgbroker: queue full, dropped ")?
                .strip_suffix(" messages")?
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert_eq!(dropped, 15, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("5 messages not delivered within flush-timeout")),
        "{warnings:?}"
    );
}

#[test]
fn amqp_publishes_to_amq_topic() {
    let server = Server::rabbitmq();
    let mut consumer = AmqpClient::bind(server.port, "dsq", "ds.events");
    let cfg = server.dir.0.join("cfg_amqp.txt");
    std::fs::write(
        &cfg,
        "[message-broker]\npassword = guest\nexchange = amq.topic\ntopic = ds.events\n",
    )
    .unwrap();
    let p = pipeline(&[
        ("proto-lib", "libnvds_amqp_proto.so".to_value()),
        (
            "conn-str",
            format!("127.0.0.1;{};guest", server.port).to_value(),
        ),
        ("config", cfg.to_str().unwrap().to_value()),
    ]);
    p.play().unwrap();
    for i in 0..N {
        p.push(&payload_json("amqp", i));
    }
    let warnings = p.finish(Duration::from_secs(30));
    assert!(warnings.is_empty(), "{warnings:?}");
    let got = consumer.drain("dsq");
    assert_all_ids(&got, "amqp", N);
    assert_eq!(got.len(), N);
}
