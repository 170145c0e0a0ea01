//! A real RTSP server in the test process (gst-rtsp-server, Debian's
//! `libgstrtspserver-1.0-dev`), serving an MP4 clip's H.264 stream on
//! 127.0.0.1 (a free port), that a test can kill and restart on the same
//! port: a camera that drops and comes back. Feature `rtsp-server`.
//!
//! Every client gets its own session from the clip's start
//! (`filesrc ! qtdemux ! h264parse ! rtph264pay config-interval=-1`, real
//! time, no transcoding). [`RtspServer::kill`] closes the listening socket,
//! every client connection and every session at once (what a camera that
//! reboots does to its clients); [`RtspServer::restart`] listens again on
//! the same port.
//!
//! ```no_run
//! let mut server = ds_testkit::rtsp_server::RtspServer::start("/path/sample_720p.mp4");
//! let uri = server.uri(); // rtsp://127.0.0.1:<port>/test
//! server.kill();
//! server.restart();
//! ```
use gstreamer as gst;
use gstreamer::glib;
use gstreamer_rtsp_server as rtsp;
use rtsp::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The serving state while the server is up.
struct Up {
    server: rtsp::RTSPServer,
    source: glib::SourceId,
}

/// An RTSP server serving one clip at `/test`; stopped when dropped.
pub struct RtspServer {
    file: String,
    port: u16,
    ctx: glib::MainContext,
    main_loop: glib::MainLoop,
    thread: Option<JoinHandle<()>>,
    up: Option<Up>,
    connections: Arc<AtomicUsize>,
}

impl RtspServer {
    /// Serves `mp4` (an H.264 MP4 file) on a free port of 127.0.0.1.
    /// Panics when the server cannot start (a test set-up failure).
    pub fn start(mp4: &str) -> Self {
        gst::init().expect("GStreamer initialises");
        let ctx = glib::MainContext::new();
        let main_loop = glib::MainLoop::new(Some(&ctx), false);
        let thread = {
            let ctx = ctx.clone();
            let main_loop = main_loop.clone();
            std::thread::Builder::new()
                .name("rtsp-server".into())
                .spawn(move || {
                    ctx.with_thread_default(|| main_loop.run())
                        .expect("the RTSP server's main context is free");
                })
                .expect("RTSP server thread")
        };
        let mut server = RtspServer {
            file: mp4.to_string(),
            port: 0,
            ctx,
            main_loop,
            thread: Some(thread),
            up: None,
            connections: Arc::default(),
        };
        server.restart();
        server
    }

    /// `rtsp://127.0.0.1:<port>/test`.
    pub fn uri(&self) -> String {
        format!("rtsp://127.0.0.1:{}/test", self.port)
    }

    /// The port it listens on (the same after a restart).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Client connections accepted so far (over all restarts).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Whether it is up (started or restarted, and not killed since).
    pub fn is_up(&self) -> bool {
        self.up.is_some()
    }

    /// Stops serving at once: the listening socket is closed, every client
    /// connection is closed and every session ends. Nothing is sent to the
    /// clients (no end-of-stream, no TEARDOWN).
    pub fn kill(&mut self) {
        let Some(up) = self.up.take() else { return };
        // The source lives on our context, not the default one.
        if let Some(source) = self.ctx.find_source_by_id(&up.source) {
            source.destroy();
        }
        up.server
            .client_filter(Some(&mut |_, _| rtsp::RTSPFilterResult::Remove));
        if let Some(pool) = up.server.session_pool() {
            pool.filter(Some(&mut |_, _| rtsp::RTSPFilterResult::Remove));
        }
        drop(up);
        // The listening socket closes when the server's context has let
        // go of the source: wait for that (bounded), so that "killed"
        // means "refuses connections".
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        for _ in 0..100 {
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Listens again (on the same port after the first start). Panics when
    /// the port cannot be bound.
    pub fn restart(&mut self) {
        if self.up.is_some() {
            return;
        }
        let server = rtsp::RTSPServer::new();
        server.set_address("127.0.0.1");
        server.set_service(&self.port.to_string());
        let factory = rtsp::RTSPMediaFactory::new();
        factory.set_launch(&format!(
            "( filesrc location=\"{}\" ! qtdemux ! h264parse ! \
             rtph264pay name=pay0 pt=96 config-interval=-1 )",
            self.file
        ));
        factory.set_shared(false);
        server
            .mount_points()
            .expect("the server has mount points")
            .add_factory("/test", factory);
        let connections = Arc::clone(&self.connections);
        server.connect_client_connected(move |_, _| {
            connections.fetch_add(1, Ordering::SeqCst);
        });
        // The port may still be held for a moment after a kill.
        let mut tries = 0;
        let source = loop {
            match server.attach(Some(&self.ctx)) {
                Ok(id) => break id,
                Err(e) if tries >= 100 => {
                    panic!("RTSP server cannot listen on port {}: {e}", self.port)
                }
                Err(_) => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        };
        let port = u16::try_from(server.bound_port()).expect("a bound port");
        if self.port == 0 {
            self.port = port;
        }
        self.up = Some(Up { server, source });
    }
}

impl Drop for RtspServer {
    fn drop(&mut self) {
        self.kill();
        self.main_loop.quit();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
