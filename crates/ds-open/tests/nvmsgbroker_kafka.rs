//! `nvmsgbroker` with the Kafka adaptor (`libnvds_kafka_proto.so`) against a
//! real Kafka-protocol broker: tansu, started here on a free loopback port
//! with SQLite storage (`ds_testkit::kafka`; `ci/setup.sh --test-brokers` installs it). A
//! consumer in the test reads back every record of the topic.
//!
//! Measured and asserted: every payload delivered (with keys and partitions
//! as `partition-key` asks), the broker killed (SIGKILL) and restarted
//! mid-run (0 lost; duplicates counted and printed), the broker down at
//! start (an error; with `retry-on-start` a warning and every payload once
//! it is up), a topic that does not exist, and a full retry queue (bounded
//! memory, counted drops).
#[path = "support/broker_pipeline.rs"]
mod broker_pipeline;
use broker_pipeline::{BrokerPipeline, Feed};
use ds_testkit::free_port;
use ds_testkit::kafka::{Broker, Received};
use gstreamer::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const KAFKA: &str = "/opt/nvidia/deepstream/deepstream/lib/libnvds_kafka_proto.so";

/// One test at a time: the full-queue test measures this process's RSS,
/// which a test running beside it would disturb, and each test's broker
/// and pipeline share two loaded cores.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A DeepStream-like payload: `sensor.id` is the default partition key.
fn payload_json(test: &str, id: usize) -> String {
    format!(
        "{{\"test\":\"{test}\",\"sensor\":{{\"id\":\"cam{}\"}},\"id\":{id}}}",
        id % 4
    )
}

/// The top-level `id` (the last member; `sensor.id` comes first).
fn id_of(json: &str) -> Option<usize> {
    let rest = &json[json.rfind(",\"id\":")? + 6..];
    rest.trim_end_matches('}').trim().parse().ok()
}

/// `appsrc ! nvmsgbroker` with the Kafka adaptor and `props`; appsrc holds
/// at most 16 buffers, so memory measures the element, not appsrc's queue.
fn pipeline(props: &[(&str, glib::Value)]) -> BrokerPipeline {
    let mut all = vec![("proto-lib", KAFKA.to_value())];
    all.extend(props.iter().cloned());
    BrokerPipeline::new(&all, Feed::Blocking(16))
}

/// Checks every id 0..n arrived (from this test only); returns the number
/// of duplicates.
fn check_all(got: &[Received], test: &str, n: usize) -> usize {
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    for r in got {
        assert!(
            r.value.contains(&format!("\"test\":\"{test}\"")),
            "unexpected record {r:?}"
        );
        *seen.entry(id_of(&r.value).expect("an id")).or_default() += 1;
    }
    let want: BTreeSet<usize> = (0..n).collect();
    let ids: BTreeSet<usize> = seen.keys().copied().collect();
    assert_eq!(
        ids,
        want,
        "lost: {:?}",
        want.difference(&ids).collect::<Vec<_>>()
    );
    got.len() - n
}

#[test]
fn kafka_delivers_every_payload_keyed_by_sensor_id() {
    let _serial = serial();
    let broker = Broker::start();
    broker.create_topic("ds-events", 3);
    let p = pipeline(&[
        ("conn-str", broker.conn_str().to_value()),
        ("topic", "ds-events".to_value()),
    ]);
    p.play().unwrap();
    const N: usize = 40;
    for i in 0..N {
        p.push(&payload_json("deliver", i));
    }
    let warnings = p.finish(Duration::from_secs(30));
    assert!(warnings.is_empty(), "{warnings:?}");
    let got = broker.consume("ds-events");
    assert_eq!(
        check_all(&got, "deliver", N),
        0,
        "no duplicates without faults"
    );
    // The key is sensor.id (NVIDIA's default partition-key); one key, one
    // partition: crc32(key) % 3, as librdkafka's default partitioner.
    for r in &got {
        let id = id_of(&r.value).unwrap();
        let key = format!("cam{}", id % 4);
        assert_eq!(r.key.as_deref(), Some(key.as_str()), "{r:?}");
        assert_eq!(
            r.partition as u32,
            crc32fast::hash(key.as_bytes()) % 3,
            "{r:?}"
        );
    }
    // per partition, in the order sent
    let mut last: BTreeMap<i32, usize> = BTreeMap::new();
    for r in &got {
        let id = id_of(&r.value).unwrap();
        if let Some(prev) = last.insert(r.partition, id) {
            assert!(prev < id, "order within partition {}", r.partition);
        }
    }
}

/// `proto-cfg` / `partition-key` from the `[message-broker]` config file;
/// the topic from the conn-str's third field.
#[test]
fn kafka_config_file_keys() {
    let _serial = serial();
    let broker = Broker::start();
    broker.create_topic("cfg-events", 1);
    let cfg = std::env::temp_dir().join(format!("cfg_kafka-{}.txt", std::process::id()));
    std::fs::write(
        &cfg,
        "[message-broker]\n\
         proto-cfg = \"client.id=ds-test;request.timeout.ms=4000;log_level=6\"\n\
         producer-proto-cfg = \"compression.codec=gzip\"\n\
         partition-key = test\n\
         consumer-group-id = mygrp\n\
         share-connection = 1\n",
    )
    .unwrap();
    let p = pipeline(&[
        (
            "conn-str",
            format!("{};cfg-events", broker.conn_str()).to_value(),
        ),
        ("config", cfg.to_str().unwrap().to_value()),
    ]);
    p.play().unwrap();
    for i in 0..5 {
        p.push(&payload_json("cfg", i));
    }
    let warnings = p.finish(Duration::from_secs(30));
    std::fs::remove_file(&cfg).ok();
    assert_eq!(
        warnings,
        [
            "nvmsgbroker: proto-cfg: librdkafka settings without effect in the open Kafka \
          adaptor: log_level=6"
        ]
    );
    let got = broker.consume("cfg-events");
    assert_eq!(check_all(&got, "cfg", 5), 0);
    assert!(
        got.iter().all(|r| r.key.as_deref() == Some("cfg")),
        "{got:?}"
    );
}

/// SIGKILL the broker mid-run while payloads keep coming, restart it on
/// the same port and storage: every payload is in the topic (at-least-once);
/// duplicates (a produce whose acknowledgement was lost with the broker) are
/// counted and printed.
#[test]
fn kafka_broker_killed_and_restarted_loses_nothing() {
    let _serial = serial();
    let mut broker = Broker::start();
    broker.create_topic("fault", 2);
    let p = pipeline(&[
        ("conn-str", broker.conn_str().to_value()),
        ("topic", "fault".to_value()),
        // room for everything pushed during the outage: nothing dropped
        ("max-queue", 100_000u32.to_value()),
        ("flush-timeout", 60_000u32.to_value()),
    ]);
    p.play().unwrap();
    let pushed = AtomicUsize::new(0);
    let done = AtomicBool::new(false);
    // Waits (bounded) until `n` payloads were pushed.
    let pushed_reaches = |n: usize, what: &str| {
        let t0 = Instant::now();
        while pushed.load(Ordering::SeqCst) < n {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "{what}: only {} of {n} payloads pushed within 60 s",
                pushed.load(Ordering::SeqCst)
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    let (at_kill, delivered_at_kill, at_restart, outage) = std::thread::scope(|s| {
        // a steady stream of payloads through kill and restart
        let pusher = s.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                p.push(&payload_json("fault", pushed.load(Ordering::SeqCst)));
                pushed.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        // kill once delivery is under way
        let t0 = Instant::now();
        let delivered = loop {
            let n = broker.consume("fault").len();
            if n >= 50 {
                break n;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "only {n} payloads in the topic within 60 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let killed = Instant::now();
        broker.kill();
        let at_kill = pushed.load(Ordering::SeqCst);
        // 1,000 payloads (2 s and more) while the broker is down, then
        // restart
        pushed_reaches(at_kill + 1_000, "during the outage");
        broker.restart();
        let outage = killed.elapsed();
        let at_restart = pushed.load(Ordering::SeqCst);
        pushed_reaches(at_restart + 200, "after the restart");
        done.store(true, Ordering::SeqCst);
        pusher.join().unwrap();
        (at_kill, delivered, at_restart, outage)
    });
    let n = pushed.load(Ordering::SeqCst);
    let warnings = p.finish(Duration::from_secs(90));
    // one warning per outage (a broker still starting may make a second)
    let lost: Vec<&String> = warnings.iter().filter(|w| w.contains("retrying")).collect();
    assert!(!lost.is_empty(), "a lost-connection warning: {warnings:?}");
    assert!(
        lost.iter().all(|w| w.starts_with(&format!(
            "nvmsgbroker: connection to Kafka broker at 127.0.0.1:{} failed: ",
            broker.port
        ))),
        "{warnings:?}"
    );
    let got = broker.consume("fault");
    let dups = check_all(&got, "fault", n);
    println!(
        "kafka broker SIGKILL + restart: {n} sent (killed after {at_kill} pushed, \
         {delivered_at_kill}+ in the topic; listening again after {at_restart}, \
         {:.2} s down), {} received, 0 lost, {dups} duplicates, {} outage warnings",
        outage.as_secs_f64(),
        got.len(),
        lost.len()
    );
}

#[test]
fn kafka_broker_down_at_start_is_an_error() {
    let _serial = serial();
    let port = free_port();
    let t0 = Instant::now();
    let p = pipeline(&[("conn-str", format!("127.0.0.1;{port};t").to_value())]);
    let err = p.play().unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(15));
    assert!(
        err.starts_with(&format!(
            "nvmsgbroker: cannot connect to Kafka broker at 127.0.0.1:{port}: "
        )),
        "{err}"
    );
    assert!(err.contains("Connection refused"), "{err}");
}

/// retry-on-start: the broker comes up late, then the topic is created
/// late; one warning, then every payload arrives.
#[test]
fn kafka_retry_on_start_waits_for_broker_and_topic() {
    let _serial = serial();
    let mut broker = Broker::start();
    broker.kill();
    let p = pipeline(&[
        ("conn-str", broker.conn_str().to_value()),
        ("topic", "late".to_value()),
        ("retry-on-start", true.to_value()),
        ("flush-timeout", 60_000u32.to_value()),
    ]);
    p.play().unwrap();
    for i in 0..10 {
        p.push(&payload_json("late", i));
    }
    std::thread::sleep(Duration::from_millis(500));
    broker.restart();
    std::thread::sleep(Duration::from_millis(500));
    broker.create_topic("late", 1);
    for i in 10..20 {
        p.push(&payload_json("late", i));
    }
    let mut warnings = p.warnings_now();
    warnings.extend(p.finish(Duration::from_secs(60)));
    assert!(!warnings.is_empty(), "a warning for the outage");
    assert!(
        warnings.iter().all(|w| w.ends_with("; retrying")),
        "{warnings:?}"
    );
    let got = broker.consume("late");
    assert_eq!(check_all(&got, "late", 20), 0);
}

#[test]
fn kafka_missing_topic_is_an_error() {
    let _serial = serial();
    let broker = Broker::start();
    let p = pipeline(&[
        ("conn-str", broker.conn_str().to_value()),
        ("topic", "nope".to_value()),
    ]);
    let err = p.play().unwrap_err();
    assert_eq!(
        err,
        format!(
            "nvmsgbroker: cannot connect to Kafka broker at 127.0.0.1:{}: topic \"nope\" does \
             not exist on the broker (create it, or enable automatic topic creation on the \
             broker)",
            broker.port
        )
    );
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Broker unreachable (retry-on-start), 20,000 payloads of 8 KiB (156 MiB)
/// into a queue of 100: memory stays bounded, the oldest are dropped and
/// every drop is counted in the warnings.
#[test]
fn kafka_full_queue_is_bounded_and_counts_drops() {
    let _serial = serial();
    let port = free_port();
    let p = pipeline(&[
        ("conn-str", format!("127.0.0.1;{port}").to_value()),
        ("topic", "t".to_value()),
        ("retry-on-start", true.to_value()),
        ("max-queue", 100u32.to_value()),
        ("flush-timeout", 200u32.to_value()),
    ]);
    p.play().unwrap();
    let pad = "x".repeat(8 * 1024);
    const N: usize = 20_000;
    // warm-up: fill the queue once
    for i in 0..200 {
        p.push(&format!("{{\"pad\":\"{pad}\",\"id\":{i}}}"));
    }
    let rss0 = rss_kib();
    for i in 200..N {
        p.push(&format!("{{\"pad\":\"{pad}\",\"id\":{i}}}"));
    }
    let rss1 = rss_kib();
    let warnings = p.finish(Duration::from_secs(60));
    let drops: Vec<u64> = warnings
        .iter()
        .filter_map(|w| {
            w.strip_prefix("nvmsgbroker: queue full, dropped ")?
                .strip_suffix(" messages")?
                .parse::<u64>()
                .ok()
        })
        .collect();
    let dropped: u64 = drops.iter().sum();
    println!(
        "kafka full queue: {N} payloads of 8 KiB, max-queue 100: {dropped} dropped in {} \
         warnings; RSS {rss0} KiB -> {rss1} KiB",
        drops.len()
    );
    assert_eq!(dropped, (N - 100) as u64, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("100 messages not delivered within flush-timeout")),
        "{warnings:?}"
    );
    let connection: Vec<&String> = warnings.iter().filter(|w| w.contains("retrying")).collect();
    assert_eq!(connection.len(), 1, "{warnings:?}");
    // 156 MiB went through; the queue holds 100 x 8 KiB
    assert!(
        rss1 < rss0 + 48 * 1024,
        "RSS grew from {rss0} KiB to {rss1} KiB"
    );
}
