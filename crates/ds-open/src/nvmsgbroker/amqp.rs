//! AMQP 0-9-1 publisher over TCP (the minimal publish path, no library):
//! connection.start / start-ok (PLAIN), tune / tune-ok, open, channel.open,
//! `confirm.select` (publisher confirms), then per message `basic.publish`
//! to the exchange (default `amq.topic`) with routing key = topic, a content
//! header (content-type `application/json`, persistent) and body frames,
//! waiting for the broker's `basic.ack` (at-least-once).
//!
//! Config keys read from `[message-broker]` (DeepStream's `cfg_amqp.txt`):
//! `hostname`, `port`, `username`, `password` (default `guest`/`guest`),
//! `exchange` (default `amq.topic`), `topic`, `amqp-framesize` (frame-max
//! we ask for, default 131072), `vhost` (our extension, default `/`).
//! Heartbeats are disabled (tune-ok heartbeat 0); idle connections are
//! kept alive with TCP only. `enable-tls=1` is refused at start
//! (DeepStream's AMQP adapter has no TLS options; TLS is implemented for
//! MQTT only).
use super::tls::Stream;
use super::{other, Connection, Settings};
use std::io::{self, Read, Write};
use std::net::TcpStream;

const FRAME_METHOD: u8 = 1;
const FRAME_HEADER: u8 = 2;
const FRAME_BODY: u8 = 3;
const FRAME_HEARTBEAT: u8 = 8;
const FRAME_END: u8 = 0xce;

/// An open AMQP connection with one confirm-mode channel.
pub(crate) struct Amqp {
    stream: Stream,
    frame_max: u32,
    exchange: String,
    delivery_tag: u64,
}

fn short_str(out: &mut Vec<u8>, s: &str) -> io::Result<()> {
    let len = u8::try_from(s.len()).map_err(|_| other(format!("AMQP name too long: {s}")))?;
    out.push(len);
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn long_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn method(class: u16, id: u16, args: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(args.len() + 4);
    p.extend_from_slice(&class.to_be_bytes());
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(args);
    p
}

fn frame(kind: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 8);
    f.push(kind);
    f.extend_from_slice(&channel.to_be_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(FRAME_END);
    f
}

/// A decoded method frame: (class, method, arguments).
struct Method {
    class: u16,
    id: u16,
    args: Vec<u8>,
}

/// `reply-code` and `reply-text` of connection.close / channel.close.
fn close_reason(args: &[u8]) -> String {
    if args.len() < 3 {
        return "closed by the broker".into();
    }
    let code = u16::from_be_bytes([args[0], args[1]]);
    let n = args[2] as usize;
    let text = args
        .get(3..3 + n)
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    format!("{code} {text}")
}

impl Amqp {
    /// Connects, authenticates (PLAIN) and opens a confirm-mode channel.
    pub(crate) fn connect(settings: &Settings) -> io::Result<Amqp> {
        let stream = super::open_stream(settings)?;
        let mut c = Amqp {
            stream,
            frame_max: settings.frame_max.max(4096),
            exchange: settings.exchange.clone(),
            delivery_tag: 0,
        };
        c.stream.write_all(b"AMQP\x00\x00\x09\x01")?;
        c.expect(0, 10, 10, "connection.start")?;
        let mut args = Vec::new();
        // client-properties: { product: "ds-open nvmsgbroker" }
        let mut table = Vec::new();
        short_str(&mut table, "product")?;
        table.push(b'S');
        long_str(&mut table, b"ds-open nvmsgbroker");
        long_str(&mut args, &table);
        short_str(&mut args, "PLAIN")?;
        let user = settings.username.as_deref().unwrap_or("guest");
        let pass = settings.password.as_deref().unwrap_or("guest");
        long_str(&mut args, format!("\0{user}\0{pass}").as_bytes());
        short_str(&mut args, "en_US")?;
        c.send_method(0, 10, 11, &args)?;
        let tune = c.expect(0, 10, 30, "connection.tune")?;
        if tune.args.len() < 8 {
            return Err(other("malformed connection.tune"));
        }
        let channel_max = u16::from_be_bytes([tune.args[0], tune.args[1]]);
        let server_frame_max =
            u32::from_be_bytes([tune.args[2], tune.args[3], tune.args[4], tune.args[5]]);
        if server_frame_max != 0 {
            c.frame_max = c.frame_max.min(server_frame_max);
        }
        let mut args = Vec::new();
        args.extend_from_slice(&channel_max.to_be_bytes());
        args.extend_from_slice(&c.frame_max.to_be_bytes());
        args.extend_from_slice(&0u16.to_be_bytes()); // no heartbeats
        c.send_method(0, 10, 31, &args)?;
        let mut args = Vec::new();
        short_str(&mut args, &settings.vhost)?;
        short_str(&mut args, "")?;
        args.push(0);
        c.send_method(0, 10, 40, &args)?;
        c.expect(0, 10, 41, "connection.open-ok")?;
        c.send_method(1, 20, 10, &[0])?;
        c.expect(1, 20, 11, "channel.open-ok")?;
        c.send_method(1, 85, 10, &[0])?;
        c.expect(1, 85, 11, "confirm.select-ok")?;
        Ok(c)
    }

    fn send_method(&mut self, channel: u16, class: u16, id: u16, args: &[u8]) -> io::Result<()> {
        self.stream
            .write_all(&frame(FRAME_METHOD, channel, &method(class, id, args)))
    }

    /// Reads frames until a method frame (heartbeats skipped).
    fn read_method(&mut self) -> io::Result<Method> {
        loop {
            let mut head = [0u8; 7];
            self.stream.read_exact(&mut head)?;
            let size = u32::from_be_bytes([head[3], head[4], head[5], head[6]]) as usize;
            if size > 16 * 1024 * 1024 {
                return Err(other("AMQP frame too large"));
            }
            let mut payload = vec![0u8; size + 1];
            self.stream.read_exact(&mut payload)?;
            if payload[size] != FRAME_END {
                return Err(other("malformed AMQP frame"));
            }
            payload.truncate(size);
            match head[0] {
                FRAME_METHOD if size >= 4 => {
                    return Ok(Method {
                        class: u16::from_be_bytes([payload[0], payload[1]]),
                        id: u16::from_be_bytes([payload[2], payload[3]]),
                        args: payload[4..].to_vec(),
                    })
                }
                FRAME_HEARTBEAT | FRAME_HEADER | FRAME_BODY => continue,
                k => return Err(other(format!("unexpected AMQP frame type {k}"))),
            }
        }
    }

    /// Reads the next method, which must be `class.id` (a close from the
    /// broker becomes an error with its reason).
    fn expect(&mut self, _channel: u16, class: u16, id: u16, what: &str) -> io::Result<Method> {
        let m = self.read_method()?;
        if m.class == class && m.id == id {
            return Ok(m);
        }
        Err(self.unexpected(&m, what))
    }

    fn unexpected(&mut self, m: &Method, what: &str) -> io::Error {
        match (m.class, m.id) {
            (10, 50) => {
                let _ = self.send_method(0, 10, 51, &[]);
                other(format!(
                    "connection closed by the broker: {}",
                    close_reason(&m.args)
                ))
            }
            (20, 40) => other(format!(
                "channel closed by the broker: {}",
                close_reason(&m.args)
            )),
            (c, i) => other(format!("expected {what}, got AMQP method {c}.{i}")),
        }
    }
}

impl Connection for Amqp {
    fn socket(&self) -> Option<&TcpStream> {
        Some(self.stream.socket())
    }

    fn publish(&mut self, topic: &str, payload: &[u8]) -> io::Result<()> {
        let mut args = vec![0, 0];
        short_str(&mut args, &self.exchange)?;
        short_str(&mut args, topic)?;
        args.push(0); // not mandatory, not immediate
        let mut out = frame(FRAME_METHOD, 1, &method(60, 40, &args));
        let mut header = Vec::new();
        header.extend_from_slice(&60u16.to_be_bytes());
        header.extend_from_slice(&0u16.to_be_bytes());
        header.extend_from_slice(&(payload.len() as u64).to_be_bytes());
        header.extend_from_slice(&(0x8000u16 | 0x1000).to_be_bytes());
        short_str(&mut header, "application/json")?;
        header.push(2); // persistent
        out.extend_from_slice(&frame(FRAME_HEADER, 1, &header));
        let chunk = (self.frame_max as usize).saturating_sub(8).max(1);
        for part in payload.chunks(chunk) {
            out.extend_from_slice(&frame(FRAME_BODY, 1, part));
        }
        self.stream.write_all(&out)?;
        self.delivery_tag += 1;
        let tag = self.delivery_tag;
        loop {
            let m = self.read_method()?;
            match (m.class, m.id) {
                (60, 80) | (60, 120) if m.args.len() >= 9 => {
                    let mut t = [0u8; 8];
                    t.copy_from_slice(&m.args[..8]);
                    let acked = u64::from_be_bytes(t);
                    let multiple = m.args[8] & 1 != 0;
                    if acked == tag || (multiple && acked >= tag) {
                        if m.id == 120 {
                            return Err(other("the broker refused the message (basic.nack)"));
                        }
                        return Ok(());
                    }
                }
                _ => return Err(self.unexpected(&m, "basic.ack")),
            }
        }
    }

    fn keep_alive(&mut self) -> io::Result<()> {
        // Heartbeats are off; a heartbeat frame is harmless and detects a
        // dead peer on write.
        self.stream.write_all(&frame(FRAME_HEARTBEAT, 0, &[]))
    }

    fn close(&mut self) {
        let mut args = Vec::new();
        args.extend_from_slice(&200u16.to_be_bytes());
        let _ = short_str(&mut args, "bye");
        args.extend_from_slice(&[0, 0, 0, 0]);
        if self.send_method(0, 10, 50, &args).is_ok() {
            let _ = self.read_method();
        }
        self.stream.shutdown();
    }
}
