//! A real Kafka-protocol broker for the tests: [tansu](https://tansu.io)
//! (Apache Kafka compatible, written in Rust, installed from crates.io by
//! `ci/setup.sh --test-brokers`), started as a child process on a free loopback port with
//! SQLite storage in its own temporary folder (what it acknowledged
//! survives a SIGKILL), plus an admin / consumer client (`rskafka`).
//!
//! The binary is looked up as `$DS_TANSU`, then
//! `$HOME/.cache/deepstream-rs/tansu-<version>/bin/tansu` (where
//! `ci/setup.sh --test-brokers` installs it), then `tansu` on `PATH`. When it is absent,
//! [`Broker::start`] panics with one line saying to run `ci/setup.sh --test-brokers`: a
//! Kafka test never passes silently without its broker (CI installs it, so
//! a skip would hide a broken setup).
//!
//! ```no_run
//! let broker = ds_testkit::kafka::Broker::start();
//! broker.create_topic("events", 1);
//! let records = broker.consume("events");
//! assert!(records.is_empty());
//! ```
use crate::free_port;
use rskafka::client::partition::{OffsetAt, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The tansu release `ci/setup.sh --test-brokers` installs.
pub const TANSU_VERSION: &str = "0.6.0";

/// One record read back from the broker.
#[derive(Clone, Debug)]
pub struct Received {
    /// Partition index.
    pub partition: i32,
    /// The message key (`partition-key` value), if any.
    pub key: Option<String>,
    /// The payload.
    pub value: String,
}

/// Where the tansu binary is, if anywhere.
pub fn tansu_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DS_TANSU") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = PathBuf::from(home).join(format!(
            ".cache/deepstream-rs/tansu-{TANSU_VERSION}/bin/tansu"
        ));
        if p.is_file() {
            return Some(p);
        }
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("tansu"))
            .find(|p| p.is_file())
    })
}

fn port_open(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"))
}

/// A running (or killed) tansu broker; killed and its folder removed on drop.
pub struct Broker {
    child: Option<Child>,
    /// The Kafka listener's port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

impl Broker {
    /// Starts a broker on a free port; panics when tansu is not installed
    /// (run `ci/setup.sh --test-brokers`) or does not listen within 30 s.
    pub fn start() -> Broker {
        let Some(bin) = tansu_bin() else {
            if let Some(p) = std::env::var_os("DS_TANSU") {
                panic!("DS_TANSU={}: no such file", p.to_string_lossy());
            }
            panic!(
                "tansu (the Kafka-compatible broker of the Kafka tests) not found: run \
                 ci/setup.sh --test-brokers, which builds it into ~/.cache/deepstream-rs/tansu-{TANSU_VERSION}, \
                 or set DS_TANSU=/path/to/tansu"
            );
        };
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ds-kafka-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let mut b = Broker {
            child: None,
            port: free_port(),
            dir,
            bin,
        };
        b.restart();
        b
    }

    /// `127.0.0.1;<port>`, nvmsgbroker's connection string.
    pub fn conn_str(&self) -> String {
        format!("127.0.0.1;{}", self.port)
    }

    /// Starts the broker process again on the same port and storage.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "broker already running");
        let log = self.dir.join("tansu.log");
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let err = out.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let child = Command::new(&self.bin)
            .arg("broker")
            .args(["--cluster-id", "ds-test"])
            .args(["--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .current_dir(&self.dir)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        self.child = Some(child);
        let t0 = Instant::now();
        while !port_open(self.port) {
            if t0.elapsed() > Duration::from_secs(30) {
                panic!(
                    "tansu did not listen on port {} within 30 s; log:\n{}",
                    self.port,
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the broker (SIGKILL, whole process group) and waits until its
    /// port is closed.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", c.id())])
                .status();
            let _ = c.wait();
            let t0 = Instant::now();
            while port_open(self.port) && t0.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    async fn client(&self) -> Client {
        ClientBuilder::new(vec![format!("127.0.0.1:{}", self.port)])
            .client_id("ds-testkit")
            .build()
            .await
            .unwrap_or_else(|e| panic!("Kafka client: {e}"))
    }

    /// Creates `topic` with `partitions` partitions (replication 1).
    pub fn create_topic(&self, topic: &str, partitions: i32) {
        runtime().block_on(async {
            let c = self.client().await;
            c.controller_client()
                .unwrap_or_else(|e| panic!("{e}"))
                .create_topic(topic, partitions, 1, 5_000)
                .await
                .unwrap_or_else(|e| panic!("create topic {topic}: {e}"));
        })
    }

    /// Every record of `topic` (all partitions, from the start up to the
    /// high watermark), in partition then offset order.
    pub fn consume(&self, topic: &str) -> Vec<Received> {
        runtime().block_on(async {
            let c = self.client().await;
            let topics = c.list_topics().await.unwrap_or_else(|e| panic!("{e}"));
            let Some(t) = topics.into_iter().find(|t| t.name == topic) else {
                panic!("topic {topic} does not exist");
            };
            let mut out = Vec::new();
            for p in t.partitions {
                let pc = c
                    .partition_client(topic, p, UnknownTopicHandling::Retry)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let end = pc
                    .get_offset(OffsetAt::Latest)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let mut offset = pc
                    .get_offset(OffsetAt::Earliest)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                while offset < end {
                    let (records, _high) = pc
                        .fetch_records(offset, 1..4_000_000, 1_000)
                        .await
                        .unwrap_or_else(|e| panic!("fetch {topic}/{p}@{offset}: {e}"));
                    assert!(!records.is_empty(), "no records at {topic}/{p}@{offset}");
                    for r in records {
                        offset = offset.max(r.offset + 1);
                        let s = |b: Option<Vec<u8>>| {
                            b.map(|b| String::from_utf8_lossy(&b).into_owned())
                        };
                        out.push(Received {
                            partition: p,
                            key: s(r.record.key),
                            value: s(r.record.value).unwrap_or_default(),
                        });
                    }
                }
            }
            out
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
