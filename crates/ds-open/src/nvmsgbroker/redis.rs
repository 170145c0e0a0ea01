//! Redis publisher (RESP over TCP), as DeepStream's Redis adapter: every
//! payload is appended to the Redis *stream* named by the topic with
//! `XADD <topic> [MAXLEN ~ <streamsize>] * <payloadkey> <payload>`; the
//! reply (the entry id) is the acknowledgement.
//!
//! Config keys read from `[message-broker]` (DeepStream's `cfg_redis.txt`):
//! `hostname`, `port` (when conn-str is empty), `payloadkey` (field name,
//! default `metadata`), `streamsize` (cap the stream length, default none),
//! `password` (and `username`: sent with `AUTH` when set).
//! `enable-tls=1` is refused at start (DeepStream's Redis adapter has no
//! TLS options; TLS is implemented for MQTT only).
use super::tls::Stream;
use super::{other, Connection, Settings};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// An open Redis connection (the buffered reader owns the stream; writes
/// go through `get_mut()`).
pub(crate) struct Redis {
    reader: BufReader<Stream>,
    payload_key: String,
    stream_size: Option<u64>,
}

/// A RESP reply (only what XADD / AUTH / PING return).
#[derive(Debug)]
enum Reply {
    Ok,
    Error(String),
}

fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl Redis {
    /// Connects (and authenticates when a password is configured).
    pub(crate) fn connect(settings: &Settings) -> io::Result<Redis> {
        let reader = BufReader::new(super::open_stream(settings)?);
        let mut r = Redis {
            reader,
            payload_key: settings.payload_key.clone(),
            stream_size: settings.stream_size,
        };
        if let Some(pass) = &settings.password {
            let cmd = match &settings.username {
                Some(user) => command(&[b"AUTH", user.as_bytes(), pass.as_bytes()]),
                None => command(&[b"AUTH", pass.as_bytes()]),
            };
            if let Reply::Error(e) = r.call(&cmd)? {
                return Err(other(format!("Redis AUTH failed: {e}")));
            }
        }
        if let Reply::Error(e) = r.call(&command(&[b"PING"]))? {
            return Err(other(format!("Redis PING failed: {e}")));
        }
        Ok(r)
    }

    fn call(&mut self, cmd: &[u8]) -> io::Result<Reply> {
        self.reader.get_mut().write_all(cmd)?;
        self.read_reply()
    }

    fn read_line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line)?;
        if !line.ends_with(b"\r\n") {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed by the Redis server",
            ));
        }
        line.truncate(line.len() - 2);
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    fn read_reply(&mut self) -> io::Result<Reply> {
        let line = self.read_line()?;
        let (kind, rest) = line.split_at(line.len().min(1));
        match kind {
            "+" | ":" => Ok(Reply::Ok),
            "-" => Ok(Reply::Error(rest.to_string())),
            "$" => {
                let n: i64 = rest.parse().map_err(|_| other("malformed Redis reply"))?;
                if n >= 0 {
                    let mut buf = vec![0u8; n as usize + 2];
                    self.reader.read_exact(&mut buf)?;
                }
                Ok(Reply::Ok)
            }
            "*" => {
                let n: i64 = rest.parse().map_err(|_| other("malformed Redis reply"))?;
                for _ in 0..n.max(0) {
                    if let Reply::Error(e) = self.read_reply()? {
                        return Ok(Reply::Error(e));
                    }
                }
                Ok(Reply::Ok)
            }
            _ => Err(other(format!("unexpected Redis reply {line:?}"))),
        }
    }
}

impl Connection for Redis {
    fn socket(&self) -> Option<&TcpStream> {
        Some(self.reader.get_ref().socket())
    }

    fn publish(&mut self, topic: &str, payload: &[u8]) -> io::Result<()> {
        let size = self.stream_size.map(|n| n.to_string());
        let mut args: Vec<&[u8]> = vec![b"XADD", topic.as_bytes()];
        if let Some(size) = &size {
            args.extend_from_slice(&[b"MAXLEN", b"~", size.as_bytes()]);
        }
        args.extend_from_slice(&[b"*", self.payload_key.as_bytes(), payload]);
        let cmd = command(&args);
        match self.call(&cmd)? {
            Reply::Ok => Ok(()),
            // An error reply is not a broken connection, but the message
            // was not stored: report it (the sender reconnects and retries).
            Reply::Error(e) => Err(other(format!("Redis XADD failed: {e}"))),
        }
    }

    fn keep_alive(&mut self) -> io::Result<()> {
        match self.call(&command(&[b"PING"]))? {
            Reply::Ok => Ok(()),
            Reply::Error(e) => Err(other(format!("Redis PING failed: {e}"))),
        }
    }

    fn close(&mut self) {
        let _ = self.reader.get_mut().write_all(&command(&[b"QUIT"]));
        self.reader.get_mut().shutdown();
    }
}
