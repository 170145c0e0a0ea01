//! Helpers shared by the tests (a dev-dependency only): the apps'
//! end-to-end runs (below), the contract data ([`contract`]) and the custom
//! parser ABI's C++ libraries, temporary folders and configs ([`parser`]),
//! a real Kafka-protocol broker ([`kafka`]).
//!
//! The tests run the real app binaries. A test must fail, not hang, when an
//! app hangs, so every run here has a hard deadline: the child is killed and
//! the test panics when it overruns.
//!
//! ```no_run
//! use std::time::Duration;
//! let run = ds_testkit::run("/path/to/deepstream-test1", &["--help"], Duration::from_secs(60));
//! assert!(run.status.success());
//! ```
#![forbid(unsafe_code)]

pub mod contract;
pub mod golden;
pub mod kafka;
pub mod parser;
#[cfg(feature = "rtsp-server")]
pub mod rtsp_server;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The absolute path of `samples/<name>` of this repository (made by
/// ci/samples.sh); panics naming it when it is missing.
pub fn sample(name: &str) -> String {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples")).join(name);
    path.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e} (run ci/samples.sh)", path.display()))
        .display()
        .to_string()
}

/// A TCP port on 127.0.0.1 that nothing listens on when asked (the OS
/// picks it), for a server a test starts; panics when none can be had.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// A finished run of an app.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub status: ExitStatus,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

/// `bin` with `args`, headless (no `DISPLAY` / `WAYLAND_DISPLAY`: the sinks
/// run without a window), stdin closed, stdout and stderr piped.
pub fn command(bin: impl AsRef<Path>, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin.as_ref());
    cmd.args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Starts [`command`]; panics when the binary cannot be started.
pub fn spawn(bin: impl AsRef<Path>, args: &[&str]) -> Child {
    let bin = bin.as_ref();
    command(bin, args)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()))
}

/// Reads a child's pipe to the end on a thread (so a full pipe never
/// blocks the child).
pub fn slurp(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = r.read_to_string(&mut s);
        s
    })
}

/// Waits for `child` until `deadline`; on overrun kills it and panics
/// naming `what` (a hang is a test failure).
pub fn wait_until(child: &mut Child, deadline: Instant, what: &str) -> ExitStatus {
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not exit in time (hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs an already spawned `child` to its end within `limit`, collecting
/// its piped output.
pub fn finish(mut child: Child, limit: Duration, what: &str) -> Run {
    let out = slurp(child.stdout.take().expect("stdout is piped"));
    let err = slurp(child.stderr.take().expect("stderr is piped"));
    let status = wait_until(&mut child, Instant::now() + limit, what);
    Run {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// Runs `bin` headless with `args` to its end within `limit`.
pub fn run(bin: impl AsRef<Path>, args: &[&str], limit: Duration) -> Run {
    let bin = bin.as_ref();
    finish(spawn(bin, args), limit, &bin.display().to_string())
}
