//! Kafka producer, in the place of DeepStream's Kafka adapter
//! (`libnvds_kafka_proto.so`, which wraps librdkafka). The client is the
//! pure-Rust `rskafka` crate, run on a current-thread tokio runtime owned by
//! the connection (the sender thread blocks on it): no librdkafka, nothing
//! for the aarch64 sysroot.
//!
//! Each message is one produce request with `acks=all` (-1), waited for up
//! to the request timeout; the sender thread keeps it queued until the
//! broker acknowledged it (at-least-once, as for the other protocols).
//!
//! Config keys read from `[message-broker]` (DeepStream's `cfg_kafka.txt`,
//! names from `nvds_kafka_proto.h`, DeepStream 7.1 API reference):
//! * `proto-cfg`, `producer-proto-cfg` — librdkafka-style settings,
//!   `"key=value;key=value"` (the producer's override the common ones).
//!   Acted on: `client.id`; `request.timeout.ms` / `socket.timeout.ms`
//!   (bound on one produce attempt, default 5000); `compression.codec` /
//!   `compression.type` (`none`, `gzip`, `snappy`; `lz4` and `zstd` are an
//!   error); `security.protocol=plaintext`. Any other `security.protocol`
//!   and every `ssl.*` / `sasl.*` key is an error (no TLS or SASL here:
//!   never silently insecure). Other librdkafka keys are accepted without
//!   effect and named in one warning at start.
//! * `partition-key` — dotted path of a JSON string member of the payload
//!   whose value becomes the message key (default `sensor.id`, as NVIDIA's);
//!   a keyed message goes to partition `crc32(key) % partitions`
//!   (librdkafka's default partitioner), an unkeyed one round-robin
//!   (librdkafka: random).
//! * `consumer-group-id`, `consumer-proto-cfg` — accepted (checked for
//!   syntax): the open nvmsgbroker does not subscribe.
//! * `share-connection` — accepted: each element has its own connection.
use super::{other, Connection, Settings, CONNECT_TIMEOUT, IO_TIMEOUT};
use rskafka::client::error::Error as KafkaError;
use rskafka::client::partition::{Compression, PartitionClient, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder};
use rskafka::record::Record;
use rskafka::BackoffConfig;
use std::collections::BTreeMap;
use std::io;
use std::net::TcpStream;
use std::time::Duration;

/// NVIDIA's default `partition-key` (`DEFAULT_PARTITION_NAME`).
pub(crate) const DEFAULT_PARTITION_KEY: &str = "sensor.id";

/// The Kafka adaptor's settings from the config file.
#[derive(Clone, Debug)]
pub(crate) struct KafkaConfig {
    /// Dotted JSON path of the message key.
    pub partition_key: String,
    /// `client.id` from `proto-cfg` (the `client-id` key wins).
    pub client_id: Option<String>,
    /// Bound on one produce (or metadata) request.
    pub request_timeout: Duration,
    pub compression: Compression,
    /// librdkafka settings accepted without effect (`key=value`).
    pub ignored: Vec<String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            partition_key: DEFAULT_PARTITION_KEY.into(),
            client_id: None,
            request_timeout: IO_TIMEOUT,
            compression: Compression::NoCompression,
            ignored: Vec::new(),
        }
    }
}

/// Splits a librdkafka-style `key=value;key=value` list (surrounding double
/// quotes, as in NVIDIA's sample config, are removed).
fn parse_list(name: &str, value: &str, path: &str) -> Result<Vec<(String, String)>, String> {
    let v = value.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    v.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), val.trim().to_string()))
            }
            _ => Err(format!(
                "config {path}: [message-broker] {name}: {item:?} is not key=value"
            )),
        })
        .collect()
}

impl KafkaConfig {
    /// Reads the Kafka keys through `key` (a `[message-broker]` lookup).
    pub(crate) fn from_keys(
        key: &dyn Fn(&str) -> Option<String>,
        path: &str,
    ) -> Result<KafkaConfig, String> {
        let mut c = KafkaConfig::default();
        if let Some(k) = key("partition-key") {
            c.partition_key = k;
        }
        for name in ["proto-cfg", "producer-proto-cfg"] {
            if let Some(v) = key(name) {
                for (k, v) in parse_list(name, &v, path)? {
                    c.apply(name, &k, &v, path)?;
                }
            }
        }
        // Consumer side: checked, not used (no subscriptions).
        if let Some(v) = key("consumer-proto-cfg") {
            parse_list("consumer-proto-cfg", &v, path)?;
        }
        let _ = key("consumer-group-id");
        Ok(c)
    }

    fn apply(&mut self, list: &str, k: &str, v: &str, path: &str) -> Result<(), String> {
        let bad = |why: &str| format!("config {path}: [message-broker] {list}: {k}={v}: {why}");
        match k {
            "client.id" => self.client_id = Some(v.to_string()),
            "request.timeout.ms" | "socket.timeout.ms" => {
                let ms: u64 = v
                    .parse()
                    .ok()
                    .filter(|&ms| ms > 0)
                    .ok_or_else(|| bad("not a positive number of milliseconds"))?;
                self.request_timeout = Duration::from_millis(ms);
            }
            "compression.codec" | "compression.type" => {
                self.compression = match v.to_ascii_lowercase().as_str() {
                    "none" => Compression::NoCompression,
                    "gzip" => Compression::Gzip,
                    "snappy" => Compression::Snappy,
                    "lz4" | "zstd" => {
                        return Err(bad(
                            "not supported by the open Kafka adaptor (none, gzip or snappy)",
                        ))
                    }
                    _ => return Err(bad("unknown codec (none, gzip, snappy, lz4, zstd)")),
                }
            }
            "security.protocol" if v.eq_ignore_ascii_case("plaintext") => {}
            "security.protocol" => {
                return Err(bad(
                    "the open Kafka adaptor connects in plaintext only (no TLS or SASL)",
                ))
            }
            _ if k.starts_with("ssl.") || k.starts_with("sasl.") => {
                return Err(bad(
                    "TLS and SASL are not supported by the open Kafka adaptor",
                ))
            }
            // Stronger than asked: every produce waits for all replicas.
            "acks" | "request.required.acks" if matches!(v, "all" | "-1") => {}
            _ => self.ignored.push(format!("{k}={v}")),
        }
        Ok(())
    }
}

/// The value of the JSON string member at the dotted `path` of `payload`
/// (as NVIDIA's adapter: only a string value makes a key).
pub(crate) fn json_key(payload: &[u8], path: &str) -> Option<Vec<u8>> {
    if path.is_empty() {
        return None;
    }
    let root: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let mut v = &root;
    for part in path.split('.') {
        v = v.as_object()?.get(part)?;
    }
    v.as_str().map(|s| s.as_bytes().to_vec())
}

/// The partition of a message: librdkafka's consistent hash for a key,
/// round-robin (`next`) without one.
pub(crate) fn partition_for(key: Option<&[u8]>, partitions: usize, next: &mut usize) -> usize {
    let n = partitions.max(1);
    match key {
        Some(k) => crc32fast::hash(k) as usize % n,
        None => {
            let i = *next % n;
            *next = next.wrapping_add(1);
            i
        }
    }
}

/// A readable reason (the client's server errors carry the whole request).
fn reason(e: &KafkaError) -> String {
    match e {
        KafkaError::ServerError {
            protocol_error,
            error_message,
            ..
        } => match error_message {
            Some(m) => format!("broker error {protocol_error}: {m}"),
            None => format!("broker error {protocol_error}"),
        },
        e => e.to_string(),
    }
}

fn kafka_err(e: KafkaError) -> io::Error {
    other(reason(&e))
}

/// Runs `fut` on `rt` for at most `limit` (the timer is made inside the
/// runtime, which owns the time driver).
fn bounded<F: std::future::Future>(
    rt: &tokio::runtime::Runtime,
    limit: Duration,
    fut: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    rt.block_on(async move { tokio::time::timeout(limit, fut).await })
}

/// An open Kafka client with the topic's partitions resolved.
pub(crate) struct Kafka {
    client: Client,
    partitions: Vec<PartitionClient>,
    topic: String,
    key_path: String,
    timeout: Duration,
    compression: Compression,
    next: usize,
    /// Dropped last: the clients' connections belong to it.
    rt: tokio::runtime::Runtime,
}

impl Kafka {
    /// Connects (bootstrap, metadata) and resolves the topic's partitions;
    /// a topic the broker does not have is an error.
    pub(crate) fn connect(s: &Settings) -> io::Result<Kafka> {
        // The bootstrap address first, with the same bounded TCP connect
        // (and the same error text) as the other protocols.
        drop(super::tcp_connect(s)?);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let timeout = s.kafka.request_timeout;
        let host = if s.host.contains(':') {
            format!("[{}]", s.host)
        } else {
            s.host.clone()
        };
        // No retries inside the client: the sender thread retries with
        // its own back-off and reports the outage.
        let backoff = BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
            deadline: Some(Duration::ZERO),
        };
        let builder = ClientBuilder::new(vec![format!("{host}:{}", s.port)])
            .client_id(s.client_id.as_str())
            .backoff_config(backoff);
        let bound = |what: &str| {
            other(format!(
                "no answer from the broker within {timeout:?} ({what})"
            ))
        };
        let client = bounded(&rt, CONNECT_TIMEOUT + timeout, builder.build())
            .map_err(|_| bound("connect"))?
            .map_err(kafka_err)?;
        let topics = bounded(&rt, timeout, client.list_topics())
            .map_err(|_| bound("metadata"))?
            .map_err(kafka_err)?;
        let Some(topic) = topics.into_iter().find(|t| t.name == s.topic) else {
            return Err(other(format!(
                "topic {:?} does not exist on the broker (create it, or enable automatic \
                 topic creation on the broker)",
                s.topic
            )));
        };
        let mut partitions = Vec::new();
        for p in &topic.partitions {
            let pc = bounded(
                &rt,
                timeout,
                client.partition_client(s.topic.clone(), *p, UnknownTopicHandling::Error),
            )
            .map_err(|_| bound("partition leader"))?
            .map_err(kafka_err)?;
            partitions.push(pc);
        }
        if partitions.is_empty() {
            return Err(other(format!("topic {:?} has no partitions", s.topic)));
        }
        Ok(Kafka {
            client,
            partitions,
            topic: s.topic.clone(),
            key_path: s.kafka.partition_key.clone(),
            timeout,
            compression: s.kafka.compression,
            next: 0,
            rt,
        })
    }
}

impl Connection for Kafka {
    fn socket(&self) -> Option<&TcpStream> {
        None
    }

    fn publish(&mut self, topic: &str, payload: &[u8]) -> io::Result<()> {
        if topic != self.topic {
            return Err(other(format!("unexpected topic {topic:?}")));
        }
        let key = json_key(payload, &self.key_path);
        let i = partition_for(key.as_deref(), self.partitions.len(), &mut self.next);
        let record = Record {
            key,
            value: Some(payload.to_vec()),
            headers: BTreeMap::new(),
            timestamp: chrono::Utc::now(),
        };
        let produce = self.partitions[i].produce(vec![record], self.compression);
        bounded(&self.rt, self.timeout, produce)
            .map_err(|_| {
                other(format!(
                    "no acknowledgement from the broker within {:?}",
                    self.timeout
                ))
            })?
            .map(|_offsets| ())
            .map_err(kafka_err)
    }

    fn keep_alive(&mut self) -> io::Result<()> {
        bounded(&self.rt, self.timeout, self.client.list_topics())
            .map_err(|_| other("no answer from the broker to a metadata request"))?
            .map(|_| ())
            .map_err(kafka_err)
    }

    fn close(&mut self) {
        // The connections close when the clients and the runtime drop.
        self.partitions.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_cfg_lists() {
        let keys = |name: &str| match name {
            "proto-cfg" => Some("\"message.max.bytes=200000;log_level=6; client.id=cam1\"".into()),
            "producer-proto-cfg" => Some("request.timeout.ms=750;compression.codec=gzip".into()),
            "partition-key" => Some("sensor.id".into()),
            _ => None,
        };
        let c = KafkaConfig::from_keys(&keys, "c.txt").unwrap();
        assert_eq!(c.client_id.as_deref(), Some("cam1"));
        assert_eq!(c.request_timeout, Duration::from_millis(750));
        assert_eq!(c.compression, Compression::Gzip);
        assert_eq!(c.ignored, ["message.max.bytes=200000", "log_level=6"]);
        for (cfg, want) in [
            ("security.protocol=ssl", "plaintext only"),
            ("sasl.username=u", "TLS and SASL"),
            ("compression.codec=zstd", "none, gzip or snappy"),
            ("oops", "\"oops\" is not key=value"),
        ] {
            let keys = |name: &str| (name == "proto-cfg").then(|| cfg.to_string());
            let e = KafkaConfig::from_keys(&keys, "c.txt").unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn key_and_partition() {
        let p = br#"{"sensor":{"id":"CAMERA_ID"},"n":{"id":3}}"#;
        assert_eq!(json_key(p, "sensor.id").as_deref(), Some(&b"CAMERA_ID"[..]));
        assert_eq!(json_key(p, "n.id"), None, "only strings make keys");
        assert_eq!(json_key(p, "missing.id"), None);
        assert_eq!(json_key(b"not json", "sensor.id"), None);
        let mut next = 0;
        // crc32("CAMERA_ID") is fixed: the same key, the same partition
        let a = partition_for(Some(b"CAMERA_ID"), 3, &mut next);
        assert_eq!(a, crc32fast::hash(b"CAMERA_ID") as usize % 3);
        assert_eq!(partition_for(Some(b"CAMERA_ID"), 3, &mut next), a);
        assert_eq!(next, 0);
        let rr: Vec<usize> = (0..4).map(|_| partition_for(None, 3, &mut next)).collect();
        assert_eq!(rr, [0, 1, 2, 0]);
    }
}
