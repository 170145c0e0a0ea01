//! `nvmsgbroker` MQTT over TLS (DeepStream's `enable-tls`, `tls-cafile`,
//! `tls-certfile`, `tls-keyfile` keys) against a real mosquitto started
//! here on loopback (`ci/setup.sh` installs the Debian package `mosquitto`).
//!
//! A CA, server certificates and a client certificate are generated at test
//! time (rcgen). The broker has a plain listener, on which our own small
//! subscriber receives what nvmsgbroker published over the TLS listeners:
//! one with server authentication only, one requiring a client certificate
//! (mutual TLS) and one whose certificate is for another host name.
#[path = "support/broker_pipeline.rs"]
mod broker_pipeline;
use broker_pipeline::{BrokerPipeline, Feed};
use ds_testkit::free_port;
use gstreamer::prelude::*;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const N: usize = 20;

// ---------------------------------------------------------------- helpers

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "nvmsgbroker-tls-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ------------------------------------------------------------ certificates

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// (certificate PEM, key PEM) for `names`, for a server or a client.
    fn leaf(&self, cn: &str, names: &[&str], server: bool) -> (String, String) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut p = CertificateParams::new(names).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.extended_key_usages = vec![if server {
            ExtendedKeyUsagePurpose::ServerAuth
        } else {
            ExtendedKeyUsagePurpose::ClientAuth
        }];
        let key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

// ------------------------------------------------------------------ broker

/// mosquitto with a plain listener and three TLS listeners:
/// `tls` (server cert for 127.0.0.1 / localhost), `mtls` (same, client
/// certificate required) and `other_name` (cert only for other.invalid).
struct Broker {
    child: Option<Child>,
    dir: TempDir,
    plain: u16,
    tls: u16,
    mtls: u16,
    other_name: u16,
    ca: Ca,
}

fn port_open(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

impl Broker {
    fn start() -> Broker {
        assert!(
            Command::new("sh")
                .args(["-c", "command -v mosquitto"])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
            "mosquitto not found: run ci/setup.sh (installs mosquitto)"
        );
        let dir = TempDir::new("broker");
        let ca = Ca::new("nvmsgbroker test CA");
        let ca_file = dir.write("ca.pem", &ca.pem());
        let (cert, key) = ca.leaf("broker", &["localhost", "127.0.0.1"], true);
        let (cert, key) = (
            dir.write("server.pem", &cert),
            dir.write("server.key", &key),
        );
        let (ocert, okey) = ca.leaf("other", &["other.invalid"], true);
        let (ocert, okey) = (
            dir.write("other.pem", &ocert),
            dir.write("other.key", &okey),
        );
        let (plain, tls, mtls, other_name) = (free_port(), free_port(), free_port(), free_port());
        let tls_listener = |port: u16, cert: &Path, key: &Path, require: bool| {
            format!(
                "listener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\n\
                 require_certificate {require}\n",
                ca_file.display(),
                cert.display(),
                key.display()
            )
        };
        let conf = format!(
            "allow_anonymous true\nlistener {plain} 127.0.0.1\n{}{}{}",
            tls_listener(tls, &cert, &key, false),
            tls_listener(mtls, &cert, &key, true),
            tls_listener(other_name, &ocert, &okey, false),
        );
        let conf = dir.write("mosquitto.conf", &conf);
        let log = std::fs::File::create(dir.0.join("mosquitto.log")).unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("cannot start mosquitto");
        let broker = Broker {
            child: Some(child),
            dir,
            plain,
            tls,
            mtls,
            other_name,
            ca,
        };
        let t0 = Instant::now();
        while ![plain, tls, mtls, other_name].into_iter().all(port_open) {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "mosquitto did not open its ports; log:\n{}",
                std::fs::read_to_string(broker.dir.0.join("mosquitto.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        broker
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

// ---------------------------------------------------------------- pipeline

/// `appsrc ! nvmsgbroker` with `props`; pushes never wait.
fn pipeline(props: &[(&str, glib::Value)]) -> BrokerPipeline {
    BrokerPipeline::new(props, Feed::Unbounded)
}

/// MQTT to `host` : `port` with the config file `config`.
fn mqtt(host: &str, port: u16, topic: &str, config: &Path) -> BrokerPipeline {
    pipeline(&[
        ("proto-lib", "libnvds_mqtt_proto.so".to_value()),
        ("conn-str", format!("{host};{port}").to_value()),
        ("topic", topic.to_value()),
        ("config", config.to_str().unwrap().to_value()),
    ])
}

/// Pushes payloads 0..n of `test`.
fn send(p: &BrokerPipeline, test: &str, n: usize) {
    for id in 0..n {
        p.push(&payload_json(test, id));
    }
}

/// EOS, then waits for it (the element flushes its queue first); a
/// warning fails the test.
fn finish_clean(p: &BrokerPipeline) {
    let warnings = p.finish(Duration::from_secs(30));
    assert!(warnings.is_empty(), "pipeline warnings: {warnings:?}");
}

fn payload_json(test: &str, id: usize) -> String {
    format!("{{\"test\":\"{test}\",\"id\":{id}}}")
}

fn id_of(json: &str) -> Option<usize> {
    let rest = &json[json.find("\"id\":")? + 5..];
    rest.trim_end_matches('}').trim().parse().ok()
}

// ---------------------------------------------- plain MQTT subscriber

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

/// A QoS 1 subscriber on the broker's plain listener (subscribed once
/// `start` returns), collecting payloads on a thread.
struct Subscriber {
    received: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Subscriber {
    fn start(port: u16, topic: &str) -> Subscriber {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut body = Vec::new();
        mqtt_str(&mut body, "MQTT");
        body.extend_from_slice(&[4, 0x02, 0, 60]);
        mqtt_str(&mut body, &format!("tls-test-sub-{port}-{topic}"));
        s.write_all(&mqtt_packet(0x10, &body)).unwrap();
        let (k, b) = mqtt_read(&mut s).unwrap();
        assert_eq!((k, b.get(1)), (0x20, Some(&0)), "CONNACK");
        let mut body = vec![0, 1];
        mqtt_str(&mut body, topic);
        body.push(1);
        s.write_all(&mqtt_packet(0x82, &body)).unwrap();
        let (k, _) = mqtt_read(&mut s).unwrap();
        assert_eq!(k >> 4, 9, "SUBACK");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, st) = (received.clone(), stop.clone());
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                let (k, b) = match mqtt_read(&mut s) {
                    Ok(p) => p,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                    Err(_) => return,
                };
                if k >> 4 == 3 {
                    let tl = u16::from_be_bytes([b[0], b[1]]) as usize;
                    let mut at = 2 + tl;
                    if (k >> 1) & 3 > 0 {
                        let _ = s.write_all(&[0x40, 2, b[at], b[at + 1]]);
                        at += 2;
                    }
                    r.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&b[at..]).into_owned());
                }
            }
        });
        Subscriber {
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// Waits until ids 0..n arrived (bounded), stops, returns the payloads.
    fn collect(mut self, n: usize) -> Vec<String> {
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
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
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

fn assert_all_ids(received: &[String], test: &str, n: usize) {
    let ids: BTreeSet<usize> = received.iter().filter_map(|j| id_of(j)).collect();
    assert_eq!(
        ids,
        (0..n).collect::<BTreeSet<_>>(),
        "received {received:?}"
    );
    for j in received {
        assert!(
            j.contains(&format!("\"test\":\"{test}\"")),
            "unexpected {j}"
        );
    }
}

// ------------------------------------------------------------------- tests

/// Server-authenticated TLS: the CA file (then a CA directory) is given
/// relative to the config file's directory; the broker is addressed by IP
/// (IP SAN), then by name.
#[test]
fn mqtt_over_tls_delivers_every_message() {
    let broker = Broker::start();
    let dir = TempDir::new("cfg");
    dir.write("ca.pem", &broker.ca.pem());
    let config = dir.write(
        "cfg_mqtt.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=ca.pem\nkeep-alive=30\nloop-timeout=2000\n\
         share-connection=1\n",
    );
    let sub = Subscriber::start(broker.plain, "tls-events");
    let p = mqtt("127.0.0.1", broker.tls, "tls-events", &config);
    p.play().unwrap();
    send(&p, "tls", N);
    finish_clean(&p);
    assert_all_ids(&sub.collect(N), "tls", N);

    // tls-capath: a directory of PEM files (others are skipped)
    std::fs::create_dir(dir.0.join("cas")).unwrap();
    dir.write("cas/README", "not a certificate\n");
    dir.write("cas/other.pem", &Ca::new("another CA").pem());
    dir.write("cas/ca.pem", &broker.ca.pem());
    let config = dir.write(
        "cfg_capath.txt",
        "[message-broker]\nenable-tls=1\ntls-capath=cas\n",
    );
    let sub = Subscriber::start(broker.plain, "capath-events");
    let p = mqtt("localhost", broker.tls, "capath-events", &config);
    p.play().unwrap();
    send(&p, "capath", N);
    finish_clean(&p);
    assert_all_ids(&sub.collect(N), "capath", N);
}

/// Mutual TLS: the listener requires a client certificate; the broker is
/// addressed by DNS name (localhost). Without the client certificate the
/// broker refuses the connection: an error at start.
#[test]
fn mqtt_mutual_tls_with_client_certificate() {
    let broker = Broker::start();
    let dir = TempDir::new("cfg");
    let ca = dir.write("ca.pem", &broker.ca.pem());
    let (cert, key) = broker.ca.leaf("nvmsgbroker", &[], false);
    let cert = dir.write("client.pem", &cert);
    let key = dir.write("client.key", &key);
    let config = dir.write(
        "cfg_mqtt.txt",
        &format!(
            "[message-broker]\nenable-tls=1\ntls-cafile={}\ntls-certfile={}\ntls-keyfile={}\n",
            ca.display(),
            cert.display(),
            key.display()
        ),
    );
    let sub = Subscriber::start(broker.plain, "mtls-events");
    let p = mqtt("localhost", broker.mtls, "mtls-events", &config);
    p.play().unwrap();
    send(&p, "mtls", N);
    finish_clean(&p);
    assert_all_ids(&sub.collect(N), "mtls", N);

    let no_cert = dir.write(
        "no_cert.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=ca.pem\n",
    );
    let p = mqtt("localhost", broker.mtls, "mtls-events", &no_cert);
    let err = p
        .play()
        .expect_err("connected without a client certificate");
    eprintln!("{err}");
    assert!(err.contains("cannot connect to MQTT broker"), "{err}");
}

/// A broker certificate from another CA, or for another host name, is a
/// clear error at start (not a hang); so is TLS to a plain MQTT port.
#[test]
fn mqtt_tls_rejects_untrusted_or_mismatching_broker() {
    let broker = Broker::start();
    let dir = TempDir::new("cfg");
    dir.write("other_ca.pem", &Ca::new("another CA").pem());
    dir.write("ca.pem", &broker.ca.pem());
    let wrong_ca = dir.write(
        "wrong_ca.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=other_ca.pem\n",
    );
    let p = mqtt("127.0.0.1", broker.tls, "t", &wrong_ca);
    let err = p
        .play()
        .expect_err("connected to a broker signed by an unknown CA");
    eprintln!("{err}");
    assert!(
        err.contains("cannot connect to MQTT broker")
            && err.contains("TLS handshake failed")
            && err.contains("UnknownIssuer"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let good = dir.write(
        "good.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=ca.pem\n",
    );
    let p = mqtt("127.0.0.1", broker.other_name, "t", &good);
    let err = p
        .play()
        .expect_err("accepted a certificate for another host");
    eprintln!("{err}");
    assert!(
        err.contains("not valid for name") && err.contains("other.invalid"),
        "{err}"
    );

    let p = mqtt("127.0.0.1", broker.plain, "t", &good);
    let err = p.play().expect_err("TLS handshake with a plain listener");
    eprintln!("{err}");
    assert!(err.contains("is this a TLS port?"), "{err}");
}

/// Configuration mistakes are errors at start naming the key and file.
#[test]
fn tls_config_errors_name_the_file() {
    let dir = TempDir::new("cfg");
    let missing = dir.0.join("missing-ca.pem");
    let cfg = dir.write(
        "missing.txt",
        &format!(
            "[message-broker]\nenable-tls=1\ntls-cafile={}\n",
            missing.display()
        ),
    );
    // no broker is needed: the files are read before connecting
    let port = free_port();
    let err = mqtt("127.0.0.1", port, "t", &cfg).play().unwrap_err();
    eprintln!("{err}");
    assert!(
        err.contains("tls-cafile") && err.contains(&missing.display().to_string()),
        "{err}"
    );

    dir.write("not_pem.pem", "hello\n");
    let cfg = dir.write(
        "not_pem.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=not_pem.pem\n",
    );
    let err = mqtt("127.0.0.1", port, "t", &cfg).play().unwrap_err();
    eprintln!("{err}");
    assert!(
        err.contains("not_pem.pem") && err.contains("no PEM"),
        "{err}"
    );

    let cfg = dir.write("no_ca.txt", "[message-broker]\nenable-tls=1\n");
    let err = mqtt("127.0.0.1", port, "t", &cfg).play().unwrap_err();
    eprintln!("{err}");
    assert!(
        err.contains("tls-cafile") && err.contains("tls-capath"),
        "{err}"
    );

    let ca = Ca::new("ca");
    dir.write("ca.pem", &ca.pem());
    let (cert, _) = ca.leaf("client", &[], false);
    dir.write("client.pem", &cert);
    let cfg = dir.write(
        "no_key.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=ca.pem\ntls-certfile=client.pem\n\
         tls-keyfile=absent.key\n",
    );
    let err = mqtt("127.0.0.1", port, "t", &cfg).play().unwrap_err();
    eprintln!("{err}");
    assert!(
        err.contains("tls-keyfile") && err.contains("absent.key"),
        "{err}"
    );

    let cfg = dir.write("bad_flag.txt", "[message-broker]\nenable-tls=yes\n");
    let err = mqtt("127.0.0.1", port, "t", &cfg).play().unwrap_err();
    eprintln!("{err}");
    assert!(err.contains("enable-tls"), "{err}");

    // Redis / AMQP: DeepStream's adapters have no TLS keys
    let cfg = dir.write(
        "redis.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=ca.pem\n",
    );
    let p = pipeline(&[
        ("proto-lib", "libnvds_redis_proto.so".to_value()),
        ("conn-str", format!("127.0.0.1;{port}").to_value()),
        ("topic", "t".to_value()),
        ("config", cfg.to_str().unwrap().to_value()),
    ]);
    let err = p.play().unwrap_err();
    eprintln!("{err}");
    assert!(err.contains("MQTT only") && err.contains("Redis"), "{err}");
}

/// With `retry-on-start`, a handshake failure is what an unreachable broker
/// is: the element starts, warns once with the reason and keeps retrying
/// (here until the flush timeout gives up on the queued messages).
#[test]
fn mqtt_tls_failure_with_retry_on_start_is_a_warning() {
    let broker = Broker::start();
    let dir = TempDir::new("cfg");
    dir.write("other_ca.pem", &Ca::new("another CA").pem());
    let config = dir.write(
        "wrong_ca.txt",
        "[message-broker]\nenable-tls=1\ntls-cafile=other_ca.pem\n",
    );
    let p = pipeline(&[
        ("proto-lib", "libnvds_mqtt_proto.so".to_value()),
        ("conn-str", format!("127.0.0.1;{}", broker.tls).to_value()),
        ("topic", "t".to_value()),
        ("config", config.to_str().unwrap().to_value()),
        ("retry-on-start", true.to_value()),
        ("flush-timeout", 300u32.to_value()),
    ]);
    p.play().unwrap();
    send(&p, "retry", 3);
    let warnings = p.finish(Duration::from_secs(30));
    eprintln!("{warnings:#?}");
    let lost: Vec<_> = warnings
        .iter()
        .filter(|w| w.contains("connection to MQTT broker"))
        .collect();
    assert_eq!(lost.len(), 1, "one warning per outage: {warnings:?}");
    assert!(
        lost[0].contains("TLS handshake failed") && lost[0].contains("UnknownIssuer"),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("3 messages not delivered")),
        "{warnings:?}"
    );
}
