//! The byte stream the protocol clients run over: plain TCP or TLS
//! (rustls with the `ring` provider, no OpenSSL), and the TLS client
//! configuration built from DeepStream's MQTT adapter keys (`enable-tls`,
//! `tls-cafile`, `tls-capath`, `tls-certfile`, `tls-keyfile`).
//!
//! The configuration (CA certificates, client certificate and key) is
//! read once at start, so a missing or unreadable file is a start error
//! that names the key and the file. The handshake runs when the connection
//! is opened (under the connect timeout), so an untrusted or mismatching
//! server certificate fails like an unreachable broker: an error at start,
//! or (with `retry-on-start` / after an outage) a retry with back-off.
use super::{other, CONNECT_TIMEOUT, IO_TIMEOUT};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// TLS settings from the config file (paths already resolved).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TlsFiles {
    pub(crate) cafile: Option<PathBuf>,
    pub(crate) capath: Option<PathBuf>,
    pub(crate) certfile: Option<PathBuf>,
    pub(crate) keyfile: Option<PathBuf>,
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

/// Reads every certificate of a PEM file (`key` names the config key).
fn read_certs(key: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem_err = |e: rustls::pki_types::pem::Error| match e {
        rustls::pki_types::pem::Error::Io(e) => format!("{key} {}: cannot read: {e}", show(path)),
        e => format!("{key} {}: not a PEM certificate file: {e}", show(path)),
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_err)?;
    if certs.is_empty() {
        return Err(format!(
            "{key} {}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file",
            show(path)
        ));
    }
    Ok(certs)
}

/// Adds the CA certificates of `tls-cafile` / `tls-capath` to `roots`.
fn load_roots(files: &TlsFiles) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    if let Some(path) = &files.cafile {
        let (added, ignored) = roots.add_parsable_certificates(read_certs("tls-cafile", path)?);
        if added == 0 {
            return Err(format!(
                "tls-cafile {}: no usable CA certificate ({ignored} could not be parsed)",
                show(path)
            ));
        }
    }
    if let Some(dir) = &files.capath {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("tls-capath {}: cannot read the directory: {e}", show(dir)))?;
        let mut added = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            // Like OpenSSL's CApath: files that are not PEM certificates
            // (CRLs, README, ...) are skipped.
            let certs: Vec<_> = match CertificateDer::pem_file_iter(&path) {
                Ok(it) => it.filter_map(Result::ok).collect(),
                Err(_) => continue,
            };
            added += roots.add_parsable_certificates(certs).0;
        }
        if added == 0 {
            return Err(format!(
                "tls-capath {}: no PEM CA certificate found in the directory",
                show(dir)
            ));
        }
    }
    Ok(roots)
}

/// Builds the rustls client configuration (errors name the key and file).
pub(crate) fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>, String> {
    if files.cafile.is_none() && files.capath.is_none() {
        return Err(
            "enable-tls=1 needs tls-cafile (a PEM file) or tls-capath (a directory of PEM \
             files) with the CA certificates that signed the broker's certificate"
                .into(),
        );
    }
    let roots = load_roots(files)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots);
    let config = match (&files.certfile, &files.keyfile) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let chain = read_certs("tls-certfile", cert)?;
            let pkey = PrivateKeyDer::from_pem_file(key).map_err(|e| match e {
                rustls::pki_types::pem::Error::Io(e) => {
                    format!("tls-keyfile {}: cannot read: {e}", show(key))
                }
                e => format!(
                    "tls-keyfile {}: no PEM private key in the file ({e})",
                    show(key)
                ),
            })?;
            builder.with_client_auth_cert(chain, pkey).map_err(|e| {
                format!(
                    "tls-certfile {} / tls-keyfile {}: unusable client certificate or key: {e}",
                    show(cert),
                    show(key)
                )
            })?
        }
        (Some(_), None) => return Err("tls-certfile is set but tls-keyfile is not".into()),
        (None, Some(_)) => return Err("tls-keyfile is set but tls-certfile is not".into()),
    };
    Ok(Arc::new(config))
}

/// A connection's byte stream. Writes are flushed through to the socket
/// (TLS records are sent before `write` returns).
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// The TCP socket (the sender shuts a clone down to interrupt I/O).
    pub(crate) fn socket(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
        }
    }

    /// Runs the TLS handshake over `sock` (bounded by the connect timeout).
    pub(crate) fn tls(
        mut sock: TcpStream,
        config: Arc<ClientConfig>,
        host: &str,
    ) -> io::Result<Stream> {
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| other(format!("TLS: {host:?} is not a valid server name")))?;
        let mut conn = ClientConnection::new(config, name)
            .map_err(|e| other(format!("TLS setup failed: {e}")))?;
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        while conn.is_handshaking() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "TLS handshake timed out",
                ));
            }
            sock.set_read_timeout(Some(left))?;
            sock.set_write_timeout(Some(left))?;
            conn.complete_io(&mut sock)
                .map_err(|e| handshake_error(&e))?;
        }
        sock.set_read_timeout(Some(IO_TIMEOUT))?;
        sock.set_write_timeout(Some(IO_TIMEOUT))?;
        Ok(Stream::Tls(Box::new(StreamOwned::new(conn, sock))))
    }

    /// Says goodbye at the TLS level (best effort) and shuts the socket down.
    pub(crate) fn shutdown(&mut self) {
        if let Stream::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.conn.complete_io(&mut s.sock);
        }
        let _ = self.socket().shutdown(std::net::Shutdown::Both);
    }
}

/// Names a TLS alert the broker sent after the handshake (a TLS 1.3
/// server checks the client certificate then: a missing or untrusted one
/// shows on the first read).
pub(crate) fn alert_context(e: io::Error) -> io::Error {
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(r @ rustls::Error::AlertReceived(_)) => io::Error::new(
            e.kind(),
            format!(
                "TLS: the broker rejected the connection: {r} (check tls-certfile / tls-keyfile)"
            ),
        ),
        Some(r) => io::Error::new(e.kind(), format!("TLS: {r}")),
        None => e,
    }
}

/// One-line reason for a failed handshake.
fn handshake_error(e: &io::Error) -> io::Error {
    let kind = e.kind();
    let reason = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(c)) => format!(
            "TLS handshake failed: the broker's certificate was rejected: {c} \
             (check tls-cafile / tls-capath and the host name)"
        ),
        Some(r) => format!("TLS handshake failed: {r}"),
        None if matches!(kind, io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
            "TLS handshake timed out".to_string()
        }
        None if matches!(
            kind,
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
        ) =>
        {
            "TLS handshake failed: the broker closed the connection (is this a TLS port?)"
                .to_string()
        }
        None => format!("TLS handshake failed: {e}"),
    };
    io::Error::new(kind, reason)
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => {
                let n = s.write(buf)?;
                s.flush()?;
                Ok(n)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}
