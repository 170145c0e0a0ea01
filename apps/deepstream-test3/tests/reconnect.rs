//! RTSP reconnection through deepstream-test3 (the port's extra options
//! `--rtsp-reconnect-interval` / `--rtsp-reconnect-attempts`), against a
//! real RTSP server in this process (`ds_testkit::rtsp_server`) serving
//! the sample clip, beside the clip played from its file:
//!
//! 1. the server is killed: `No data from source 0 since last 3 sec.
//!    Trying reconnection (attempt <k>)`; restarted: `Source 0 reconnected
//!    after <k> attempt(s)`;
//! 2. killed for good: attempts, then nvurisrcbin's warning
//!    `Number of RTSP reconnect attempts exceeded, stopping source: 0`;
//!    the file source plays on (more frames), no `Error:` line, and Ctrl-C
//!    ends the run with status 0.
//!
//! Every wait is for an output line, under a hang guard.
use ds_testkit::rtsp_server::RtspServer;
use std::io::{BufRead, BufReader};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

/// Hang guard only, per awaited line.
const GUARD: Duration = Duration::from_secs(180);

struct App {
    child: std::process::Child,
    lines: mpsc::Receiver<(bool, String)>,
    seen: Vec<(bool, String)>,
}

impl App {
    /// Waits for an output line (stderr when `err`) that `want` accepts.
    fn wait(&mut self, err: bool, what: &str, want: impl Fn(&str) -> bool) {
        loop {
            match self.lines.recv_timeout(GUARD) {
                Ok((e, line)) => {
                    let hit = e == err && want(&line);
                    if !line.starts_with("Frame Number=") && !line.is_empty() {
                        eprintln!("{} {line}", if e { "E" } else { "O" });
                    }
                    self.seen.push((e, line));
                    if hit {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    let tail: Vec<_> = self.seen.iter().rev().take(30).collect();
                    panic!("no line {what:?} (last lines, newest first: {tail:#?})");
                }
            }
        }
    }

    fn frames(&self) -> usize {
        self.seen
            .iter()
            .filter(|(e, l)| !e && l.starts_with("Frame Number="))
            .count()
    }

    /// Waits for `n` more per-frame lines.
    fn wait_frames(&mut self, n: usize) {
        let want = self.frames() + n;
        while self.frames() < want {
            self.wait(false, "Frame Number=", |l| l.starts_with("Frame Number="));
        }
    }
}

#[test]
fn killed_server_reconnects_then_gives_up_while_the_file_plays_on() {
    let sample = ds_testkit::sample("sample_720p.mp4");
    let mut server = RtspServer::start(&sample);
    let uri = server.uri();
    let mut child = ds_testkit::spawn(
        env!("CARGO_BIN_EXE_deepstream-test3"),
        &[
            "--no-display",
            "--rtsp-reconnect-interval",
            "3",
            "--rtsp-reconnect-attempts",
            "2",
            "-i",
            &uri,
            &sample,
        ],
    );
    let (tx, rx) = mpsc::channel();
    for (err, pipe) in [
        (
            false,
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        ),
        (true, Box::new(child.stderr.take().unwrap())),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send((err, line));
            }
        });
    }
    let mut app = App {
        child,
        lines: rx,
        seen: Vec::new(),
    };
    app.wait_frames(20);
    assert!(server.connections() >= 1);

    server.kill();
    app.wait(false, "an attempt", |l| {
        l.starts_with("No data from source 0 since last 3 sec. Trying reconnection (attempt ")
    });
    server.restart();
    app.wait(false, "recovery", |l| {
        l.starts_with("Source 0 reconnected after ") && l.ends_with(" attempt(s)")
    });

    server.kill();
    app.wait(true, "attempts exceeded", |l| {
        l.contains("Number of RTSP reconnect attempts exceeded, stopping source: 0")
    });
    app.wait_frames(10); // the file source goes on

    let pid = app.child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let status = ds_testkit::wait_until(&mut app.child, std::time::Instant::now() + GUARD, "test3");
    while let Ok(l) = app.lines.recv_timeout(Duration::from_secs(5)) {
        app.seen.push(l);
    }
    let errors: Vec<_> = app
        .seen
        .iter()
        .filter(|(e, l)| *e && l.starts_with("Error:"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(status.success(), "{status:?}");
    let attempts = app
        .seen
        .iter()
        .filter(|(e, l)| !e && l.contains("Trying reconnection"))
        .count();
    eprintln!("{attempts} attempt lines, {} frame lines", app.frames());
}
