//! `nvmsgbroker` (open implementation): DeepStream's message-broker sink.
//! Every `NvDsPayload` user meta (`NVDS_PAYLOAD_META`, attached by
//! `nvmsgconv`) found in a buffer's batch meta (batch user metas, then each
//! frame's user metas) is published to a real broker. The protocol is
//! chosen from the `proto-lib` value as NVIDIA's adapter libraries are
//! named: a file name containing `mqtt` (e.g. `libnvds_mqtt_proto.so`) →
//! MQTT 3.1.1, `redis` → Redis streams, `amqp` → AMQP 0-9-1, `kafka` →
//! Kafka; the library itself is not loaded: the protocols are built in
//! (over TCP; MQTT also over TLS).
//!
//! * MQTT: PUBLISH QoS 1 to the topic, acknowledged by PUBACK; optionally
//!   over TLS (`enable-tls=1`, see below).
//! * Redis: `XADD <topic> * metadata <payload>` (field from `payloadkey`).
//! * AMQP: `basic.publish` to exchange `amq.topic` (config `exchange`)
//!   with routing key = topic, with publisher confirms.
//! * Kafka: a produce request per message (`acks=all`) to the topic's
//!   partition, through the pure-Rust `rskafka` client (see `kafka.rs` for
//!   the keys of DeepStream's `cfg_kafka.txt`: `proto-cfg`,
//!   `producer-proto-cfg`, `partition-key`, `consumer-group-id`,
//!   `consumer-proto-cfg`, `share-connection`). The topic must exist: a
//!   missing topic fails like an unreachable broker (an error at start, or
//!   with `retry-on-start` a warning and retries until it is created).
//!
//! Sending is asynchronous: `render()` only enqueues; one thread per
//! element owns the connection and publishes in order, removing a message
//! from the queue only once the broker acknowledged it. When the
//! connection fails it reconnects with exponential back-off (100 ms to
//! 5 s) and sends what is queued, including the message that was in flight
//! (at-least-once; a message may arrive twice). The queue holds at most
//! `max-queue` messages: when full, the oldest is dropped and a warning
//! `nvmsgbroker: queue full, dropped N messages` is posted (at most once a
//! second). A lost connection posts one warning per outage (with
//! `retry-on-start`, so does a first connection that fails, e.g. an
//! unreachable broker or a failed TLS handshake). On EOS the
//! element waits for the queue to drain for up to `flush-timeout` ms
//! before passing EOS on; on stop it waits the same bound, then closes.
//!
//! Properties (NVIDIA's): `proto-lib`, `conn-str` (`host;port` or
//! `host;port;topic`; for AMQP the third field is the user name, as with
//! NVIDIA's AMQP adapter), `topic` (overrides the conn-str / config topic),
//! `config` (DeepStream key-file, group `[message-broker]`: `hostname`,
//! `port`, `username`, `password`, `client-id`, `keep-alive`, `topic`,
//! `exchange`, `amqp-framesize`, `payloadkey`, `streamsize`, the MQTT TLS
//! keys below, `loop-timeout` and `share-connection` (accepted: each
//! element has its own connection and sender thread)), `comp-id` (only
//! payloads with this component id; 0 = all, as NVIDIA's), `new-api`,
//! `sleep-time` (accepted, no effect), `sync` (default false).
//!
//! TLS (MQTT only, NVIDIA's MQTT adapter keys; rustls, no OpenSSL):
//! * `enable-tls` — `1` to connect with TLS (default `0`; the other keys
//!   are ignored then).
//! * `tls-cafile` — PEM file of the CA certificate(s) that signed the
//!   broker's certificate; and/or
//! * `tls-capath` — directory of PEM CA files (e.g. `/etc/ssl/certs`);
//!   one of the two is required (there is no implicit system store).
//! * `tls-certfile`, `tls-keyfile` — PEM client certificate (chain) and its
//!   private key (PKCS#8, PKCS#1 or SEC1), for brokers that require client
//!   certificates (mutual TLS); both or neither.
//!
//! Relative TLS paths are relative to the config file's directory (NVIDIA's
//! adapter passes them to libmosquitto unchanged: relative to the working
//! directory). The broker's certificate must be valid for the host name
//! (or IP address) of `conn-str` / `hostname`. Files are read at start: a missing or bad file
//! is an element error naming the key and the file. The handshake is part
//! of connecting (same timeout, same retry / error-at-start behaviour as
//! TCP); an untrusted or mismatching broker certificate gives
//! `... TLS handshake failed: the broker's certificate was rejected:
//! <reason>`. `enable-tls=1` with the Redis or AMQP proto-lib is an error
//! (DeepStream's Redis and AMQP adapters have no TLS options).
//!
//! Our extensions: `max-queue` (default 1000), `flush-timeout` (ms, default
//! 5000), `retry-on-start` (default false: an unreachable broker at start
//! is an element error `nvmsgbroker: cannot connect to <proto> broker at
//! host:port: <reason>` after at most a few seconds, as NVIDIA's fails at
//! start; true: start anyway, queue and keep retrying).
//!
//! Not implemented: Azure IoT, TLS for Redis / AMQP / Kafka, Kafka SASL, loading
//! NVIDIA's (or custom) adapter libraries, subscriptions (cloud-to-device
//! messages).

mod amqp;
mod imp;
mod kafka;
mod mqtt;
mod queue;
mod redis;
mod sender;
mod tls;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tls::{Stream, TlsFiles};

glib::wrapper! {
    /// The open `nvmsgbroker` element.
    pub struct NvMsgBroker(ObjectSubclass<imp::NvMsgBroker>) @extends gstreamer_base::BaseSink, gst::Element, gst::Object;
}

/// Registers `nvmsgbroker`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvmsgbroker",
        gst::Rank::PRIMARY,
        NvMsgBroker::static_type(),
    )
}

/// Time allowed to open the TCP connection (per address).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Read / write timeout on an open connection (handshake, acknowledgement).
const IO_TIMEOUT: Duration = Duration::from_secs(5);

fn other(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
}

/// The broker protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    Mqtt,
    Redis,
    Amqp,
    Kafka,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::Mqtt => "MQTT",
            Protocol::Redis => "Redis",
            Protocol::Amqp => "AMQP",
            Protocol::Kafka => "Kafka",
        }
    }

    /// The protocol a `proto-lib` value names (by its file name).
    fn from_proto_lib(lib: &str) -> Result<Protocol, String> {
        let file = std::path::Path::new(lib)
            .file_name()
            .map(|f| f.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if file.contains("mqtt") {
            Ok(Protocol::Mqtt)
        } else if file.contains("redis") {
            Ok(Protocol::Redis)
        } else if file.contains("amqp") {
            Ok(Protocol::Amqp)
        } else if file.contains("kafka") {
            Ok(Protocol::Kafka)
        } else if lib.is_empty() {
            Err(
                "proto-lib is not set (e.g. libnvds_kafka_proto.so, libnvds_mqtt_proto.so, \
                 libnvds_redis_proto.so, libnvds_amqp_proto.so)"
                    .into(),
            )
        } else {
            Err(format!(
                "proto-lib {lib:?}: unknown protocol adapter (the file name must contain \
                 kafka, mqtt, redis or amqp)"
            ))
        }
    }
}

/// Everything a connection needs, resolved from the properties and the
/// config file at start.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    proto: Protocol,
    host: String,
    port: u16,
    topic: String,
    username: Option<String>,
    password: Option<String>,
    client_id: String,
    keep_alive_s: u16,
    /// The TLS client configuration (`enable-tls=1`, MQTT only).
    tls: Option<Arc<rustls::ClientConfig>>,
    exchange: String,
    vhost: String,
    frame_max: u32,
    payload_key: String,
    stream_size: Option<u64>,
    /// The Kafka adaptor's keys (`proto-cfg`, `partition-key`, ...).
    kafka: kafka::KafkaConfig,
}

/// The element's properties that matter for [`Settings::resolve`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Props {
    proto_lib: String,
    conn_str: String,
    topic: String,
    config: String,
}

const GROUP: &str = "message-broker";

fn key(kf: &glib::KeyFile, name: &str) -> Option<String> {
    kf.string(GROUP, name)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn num<T: std::str::FromStr>(
    kf: &glib::KeyFile,
    name: &str,
    path: &str,
) -> Result<Option<T>, String> {
    match key(kf, name) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| format!("config {path}: [{GROUP}] {name}={v:?} is not a valid number")),
    }
}

/// A 0/1 (or true/false) key; absent = false.
fn flag(kf: &glib::KeyFile, name: &str, path: &str) -> Result<bool, String> {
    match key(kf, name).as_deref() {
        None | Some("0") | Some("false") | Some("FALSE") => Ok(false),
        Some("1") | Some("true") | Some("TRUE") => Ok(true),
        Some(v) => Err(format!(
            "config {path}: [{GROUP}] {name}={v:?} is not 0 or 1"
        )),
    }
}

impl Settings {
    /// Resolves the settings (errors name the offending value).
    fn resolve(p: &Props) -> Result<Settings, String> {
        let proto = Protocol::from_proto_lib(&p.proto_lib)?;
        let kf = glib::KeyFile::new();
        if !p.config.is_empty() {
            kf.load_from_file(&p.config, glib::KeyFileFlags::NONE)
                .map_err(|e| format!("cannot read config file {:?}: {e}", p.config))?;
        }
        let path = p.config.as_str();
        let mut fields = p.conn_str.split(';').map(str::trim);
        let (mut host, mut port, third) = match p.conn_str.trim() {
            "" => (None, None, None),
            _ => {
                let h = fields.next().filter(|h| !h.is_empty()).map(String::from);
                let port = match fields.next() {
                    Some(v) if !v.is_empty() => Some(v.parse::<u16>().map_err(|_| {
                        format!(
                            "conn-str {:?}: bad port {v:?} (expected host;port[;topic])",
                            p.conn_str
                        )
                    })?),
                    _ => None,
                };
                (
                    h,
                    port,
                    fields.next().filter(|t| !t.is_empty()).map(String::from),
                )
            }
        };
        if host.is_none() {
            host = key(&kf, "hostname");
        }
        if port.is_none() {
            port = num(&kf, "port", path)?;
        }
        let (Some(host), Some(port)) = (host, port) else {
            return Err(format!(
                "conn-str {:?}: expected host;port[;topic] (or hostname and port in the config file)",
                p.conn_str
            ));
        };
        let mut username = key(&kf, "username");
        let mut conn_topic = third;
        if proto == Protocol::Amqp {
            // NVIDIA's AMQP adapter: conn-str is host;port;username
            if let Some(user) = conn_topic.take() {
                username = Some(user);
            }
        }
        let topic = Some(p.topic.trim().to_string())
            .filter(|t| !t.is_empty())
            .or(conn_topic)
            .or_else(|| key(&kf, "topic"))
            .ok_or_else(|| {
                "no topic: set the topic property (or host;port;topic in conn-str, or topic in \
                 the config file)"
                    .to_string()
            })?;
        let tls = if flag(&kf, "enable-tls", path)? {
            if proto != Protocol::Mqtt {
                return Err(format!(
                    "config {path}: enable-tls: TLS is supported for MQTT only by the open \
                     nvmsgbroker (DeepStream's {} adapter has no TLS options)",
                    proto.name()
                ));
            }
            let dir = Path::new(path).parent().unwrap_or(Path::new(""));
            let file = |name| key(&kf, name).map(|v| dir.join(v));
            Some(tls::client_config(&TlsFiles {
                cafile: file("tls-cafile"),
                capath: file("tls-capath"),
                certfile: file("tls-certfile"),
                keyfile: file("tls-keyfile"),
            })?)
        } else {
            None
        };
        // Accepted, as NVIDIA's MQTT adapter's: loop-timeout (ms of its
        // mosquitto network loop; our sender thread waits on the queue)
        // and share-connection (each element has its own connection).
        num::<u32>(&kf, "loop-timeout", path)?;
        flag(&kf, "share-connection", path)?;
        let kafka = if proto == Protocol::Kafka {
            kafka::KafkaConfig::from_keys(&|name| key(&kf, name), path)?
        } else {
            kafka::KafkaConfig::default()
        };
        let client_id = key(&kf, "client-id")
            .or(kafka.client_id.clone())
            .unwrap_or_else(|| {
                static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                format!("ds-open-{}-{n}", std::process::id())
            });
        Ok(Settings {
            proto,
            host,
            port,
            topic,
            username,
            password: key(&kf, "password"),
            client_id,
            keep_alive_s: num(&kf, "keep-alive", path)?.unwrap_or(60),
            tls,
            exchange: key(&kf, "exchange").unwrap_or_else(|| "amq.topic".into()),
            vhost: key(&kf, "vhost").unwrap_or_else(|| "/".into()),
            frame_max: num(&kf, "amqp-framesize", path)?.unwrap_or(131_072),
            payload_key: key(&kf, "payloadkey").unwrap_or_else(|| "metadata".into()),
            stream_size: num(&kf, "streamsize", path)?,
            kafka,
        })
    }

    /// Opens a connection with the configured protocol.
    fn connect(&self) -> io::Result<Box<dyn Connection>> {
        Ok(match self.proto {
            Protocol::Mqtt => Box::new(mqtt::Mqtt::connect(self)?),
            Protocol::Redis => Box::new(redis::Redis::connect(self)?),
            Protocol::Amqp => Box::new(amqp::Amqp::connect(self)?),
            Protocol::Kafka => Box::new(kafka::Kafka::connect(self)?),
        })
    }

    /// `MQTT broker at host:port`, for messages.
    fn describe(&self) -> String {
        format!(
            "{} broker at {}:{}",
            self.proto.name(),
            self.host,
            self.port
        )
    }
}

/// Opens the connection's stream: TCP (bounded time, I/O timeouts set),
/// then the TLS handshake when `enable-tls=1`.
fn open_stream(s: &Settings) -> io::Result<Stream> {
    let sock = tcp_connect(s)?;
    match &s.tls {
        None => Ok(Stream::Plain(sock)),
        Some(config) => Stream::tls(sock, config.clone(), &s.host),
    }
}

/// Opens the TCP connection (bounded time) with I/O timeouts set.
fn tcp_connect(s: &Settings) -> io::Result<TcpStream> {
    let mut last = other("host name resolved to no address");
    for addr in (s.host.as_str(), s.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(IO_TIMEOUT))?;
                stream.set_write_timeout(Some(IO_TIMEOUT))?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// An open broker connection (one per protocol module).
pub(crate) trait Connection: Send {
    /// The TCP socket (stop() shuts a clone down to interrupt a send);
    /// `None` when the client library owns its sockets (Kafka: each
    /// request is bounded by its timeout instead).
    fn socket(&self) -> Option<&TcpStream>;
    /// Publishes one message and waits for the broker's acknowledgement.
    fn publish(&mut self, topic: &str, payload: &[u8]) -> io::Result<()>;
    /// Called when idle for half the keep-alive time.
    fn keep_alive(&mut self) -> io::Result<()>;
    /// Says goodbye (best effort) and closes.
    fn close(&mut self);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(lib: &str, conn: &str, topic: &str) -> Props {
        Props {
            proto_lib: lib.into(),
            conn_str: conn.into(),
            topic: topic.into(),
            config: String::new(),
        }
    }

    #[test]
    fn proto_lib_and_conn_str() {
        let s = Settings::resolve(&props(
            "/opt/nvidia/deepstream/deepstream/lib/libnvds_mqtt_proto.so",
            "localhost;1883;events",
            "",
        ))
        .unwrap();
        assert_eq!(
            (s.proto, s.host.as_str(), s.port),
            (Protocol::Mqtt, "localhost", 1883)
        );
        assert_eq!(s.topic, "events");
        let s = Settings::resolve(&props("libnvds_amqp_proto.so", "h;5672;bob", "t")).unwrap();
        assert_eq!(
            (s.proto, s.username.as_deref(), s.topic.as_str()),
            (Protocol::Amqp, Some("bob"), "t")
        );
        let s = Settings::resolve(&props("libnvds_kafka_proto.so", "h;9092;events", "")).unwrap();
        assert_eq!(
            (s.proto, s.host.as_str(), s.port, s.topic.as_str()),
            (Protocol::Kafka, "h", 9092, "events")
        );
        assert_eq!(s.kafka.partition_key, "sensor.id");
        let e = Settings::resolve(&props("libfoo.so", "h;1", "t")).unwrap_err();
        assert!(e.contains("libfoo.so"), "{e}");
        let e = Settings::resolve(&props("redis", "h;port", "t")).unwrap_err();
        assert!(e.contains("bad port"), "{e}");
        let e = Settings::resolve(&props("redis", "h;1", "")).unwrap_err();
        assert!(e.contains("no topic"), "{e}");
    }
}
