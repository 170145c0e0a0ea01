//! MQTT 3.1.1 publisher over TCP or TLS: CONNECT / CONNACK, PUBLISH at
//! QoS 1 waiting for PUBACK (at-least-once), PINGREQ while idle,
//! DISCONNECT on close.
//!
//! Config keys read from `[message-broker]` (DeepStream's `cfg_mqtt.txt`):
//! `username`, `password`, `client-id`, `keep-alive` (seconds, default 60),
//! `enable-tls` (0/1) with `tls-cafile` / `tls-capath` (trusted CAs, one
//! of them required), `tls-certfile` + `tls-keyfile` (client certificate,
//! mutual TLS); `loop-timeout` and `share-connection` are accepted.
use super::tls::{alert_context, Stream};
use super::{other, Connection, Settings};
use std::io::{self, Read, Write};
use std::net::TcpStream;

/// An open MQTT session.
pub(crate) struct Mqtt {
    stream: Stream,
    next_id: u16,
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) -> io::Result<()> {
    let len = u16::try_from(s.len()).map_err(|_| other("MQTT string longer than 65535 bytes"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s);
    Ok(())
}

/// Appends the fixed header (packet type byte + remaining length).
fn packet(first: u8, body: &[u8]) -> io::Result<Vec<u8>> {
    if body.len() > 268_435_455 {
        return Err(other("MQTT packet larger than 256 MiB"));
    }
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(first);
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
    Ok(out)
}

/// Reads one packet: (first byte, body).
fn read_packet(stream: &mut impl Read) -> io::Result<(u8, Vec<u8>)> {
    let mut first = [0u8; 1];
    stream.read_exact(&mut first)?;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let mut b = [0u8; 1];
        stream.read_exact(&mut b)?;
        len |= ((b[0] & 0x7f) as usize) << shift;
        if b[0] & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 21 {
            return Err(other("malformed MQTT remaining length"));
        }
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body)?;
    Ok((first[0], body))
}

fn connack_reason(code: u8) -> &'static str {
    match code {
        1 => "unacceptable protocol version",
        2 => "client identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorized",
        _ => "connection refused",
    }
}

impl Mqtt {
    /// Connects and completes the MQTT handshake.
    pub(crate) fn connect(settings: &Settings) -> io::Result<Mqtt> {
        let mut stream = super::open_stream(settings)?;
        let mut body = Vec::new();
        put_str(&mut body, b"MQTT")?;
        body.push(4); // protocol level 3.1.1
        let mut flags = 0x02; // clean session
        if settings.username.is_some() {
            flags |= 0x80;
            if settings.password.is_some() {
                flags |= 0x40;
            }
        }
        body.push(flags);
        body.extend_from_slice(&settings.keep_alive_s.to_be_bytes());
        put_str(&mut body, settings.client_id.as_bytes())?;
        if let Some(user) = &settings.username {
            put_str(&mut body, user.as_bytes())?;
            if let Some(pass) = &settings.password {
                put_str(&mut body, pass.as_bytes())?;
            }
        }
        stream
            .write_all(&packet(0x10, &body)?)
            .map_err(alert_context)?;
        let (kind, body) = read_packet(&mut stream).map_err(alert_context)?;
        if kind >> 4 != 2 || body.len() < 2 {
            return Err(other("the server did not answer CONNECT with CONNACK"));
        }
        if body[1] != 0 {
            return Err(other(format!(
                "MQTT connection refused: {} (code {})",
                connack_reason(body[1]),
                body[1]
            )));
        }
        Ok(Mqtt { stream, next_id: 1 })
    }
}

impl Connection for Mqtt {
    fn socket(&self) -> Option<&TcpStream> {
        Some(self.stream.socket())
    }

    fn publish(&mut self, topic: &str, payload: &[u8]) -> io::Result<()> {
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        let mut body = Vec::with_capacity(topic.len() + payload.len() + 4);
        put_str(&mut body, topic.as_bytes())?;
        body.extend_from_slice(&id.to_be_bytes());
        body.extend_from_slice(payload);
        self.stream.write_all(&packet(0x32, &body)?)?;
        loop {
            let (kind, body) = read_packet(&mut self.stream)?;
            match kind >> 4 {
                4 if body.len() >= 2 && u16::from_be_bytes([body[0], body[1]]) == id => {
                    return Ok(())
                }
                // PUBACK of an earlier attempt, PINGRESP: skip
                4 | 13 => continue,
                k => return Err(other(format!("unexpected MQTT packet type {k}"))),
            }
        }
    }

    fn keep_alive(&mut self) -> io::Result<()> {
        self.stream.write_all(&[0xc0, 0x00])?;
        let (kind, _) = read_packet(&mut self.stream)?;
        if kind >> 4 != 13 {
            return Err(other("the server did not answer PINGREQ"));
        }
        Ok(())
    }

    fn close(&mut self) {
        let _ = self.stream.write_all(&[0xe0, 0x00]);
        self.stream.shutdown();
    }
}
