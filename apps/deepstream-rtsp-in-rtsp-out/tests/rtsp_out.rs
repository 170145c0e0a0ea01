//! The served stream, received by a real RTSP client (`rtspsrc` in this
//! process): decodable frames, with the OSD's boxes drawn; and `--rtsp-ts`
//! on an RTSP input served by gst-rtsp-server in this process: the frames
//! get the sender's NTP time.
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, UdpSocket};
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-rtsp-in-rtsp-out");
/// Generous: debug builds on a shared 2-core machine.
const LIMIT: Duration = Duration::from_secs(600);

fn free_tcp_port() -> u16 {
    TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the app; its stdout lines arrive on the returned channel.
fn start_app(
    args: &[&str],
) -> (
    Child,
    mpsc::Receiver<String>,
    std::thread::JoinHandle<String>,
) {
    let mut child = ds_testkit::spawn(BIN, args);
    let stdout = child.stdout.take().unwrap();
    let stderr = ds_testkit::slurp(child.stderr.take().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx, stderr)
}

/// Waits for a line starting with `prefix`, returning every line read.
fn wait_for_line(rx: &mpsc::Receiver<String>, prefix: &str, lines: &mut Vec<String>) {
    let deadline = Instant::now() + LIMIT;
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(l) => {
                let found = l.starts_with(prefix);
                lines.push(l);
                if found {
                    return;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!("no line starting with {prefix:?}:\n{}", lines.join("\n"));
}

/// Red-run pixels of a frame with the OSD's boxes (see [`red_run_pixels`]).
const RED_BOXES: usize = 200;

/// One decoded RGB frame.
struct Frame {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

/// Pixels of the OSD's box colour (the config's red border, 3 px): red,
/// in horizontal runs of at least 12 pixels (the top and bottom edges of
/// the boxes; compression blurs colours, so the test is loose).
fn red_run_pixels(f: &Frame) -> usize {
    let mut total = 0;
    for y in 0..f.height {
        let mut run = 0;
        for x in 0..f.width {
            let p = &f.rgb[(y * f.width + x) * 3..][..3];
            let red = p[0] > 150 && (p[1] as u32) < 90 && (p[2] as u32) < 90;
            if red {
                run += 1;
            } else {
                if run >= 12 {
                    total += run;
                }
                run = 0;
            }
        }
        if run >= 12 {
            total += run;
        }
    }
    total
}

/// Decodes `src_desc ! <decoder> ! RGB` until end-of-stream, an error, or
/// `until` says to stop and no frame came for 3 s.
fn decode(src_desc: &str, until: &mut dyn FnMut() -> bool) -> Vec<Frame> {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(&format!(
        "{src_desc} ! decodebin ! videoconvert ! video/x-raw,format=RGB ! \
         appsink name=out sync=false max-buffers=1000"
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline
        .by_name("out")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let mut frames = Vec::new();
    let mut last = Instant::now();
    let deadline = Instant::now() + LIMIT;
    loop {
        assert!(Instant::now() < deadline, "the client did not finish");
        if let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) {
            let caps = sample.caps().unwrap();
            let s = caps.structure(0).unwrap();
            let width = s.get::<i32>("width").unwrap() as usize;
            let height = s.get::<i32>("height").unwrap() as usize;
            let map = sample.buffer().unwrap().map_readable().unwrap();
            let stride = map.len() / height;
            let mut rgb = Vec::with_capacity(width * height * 3);
            for y in 0..height {
                rgb.extend_from_slice(&map[y * stride..][..width * 3]);
            }
            frames.push(Frame { width, height, rgb });
            last = Instant::now();
            continue;
        }
        if sink.is_eos() {
            break;
        }
        if bus.pop_filtered(&[gst::MessageType::Error]).is_some() {
            break;
        }
        if until() && last.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    frames
}

#[test]
fn rtsp_client_receives_decodable_frames_with_osd_boxes() {
    let input = ds_testkit::sample("sample_720p_60.h264");
    let rtsp_port = free_tcp_port().to_string();
    let udp_port = free_udp_port().to_string();
    let (mut child, rx, stderr) = start_app(&[
        "-i",
        &input,
        "--rtsp-port",
        &rtsp_port,
        "--udp-port",
        &udp_port,
    ]);
    let mut lines = Vec::new();
    wait_for_line(
        &rx,
        " *** DeepStream: Launched RTSP Streaming at rtsp://localhost:",
        &mut lines,
    );
    // The client connects while the app starts its pipeline.
    let url = format!("rtsp://127.0.0.1:{rtsp_port}/ds-test");
    let mut app_done = || child.try_wait().unwrap().is_some();
    let frames = decode(
        &format!("rtspsrc location={url} latency=500"),
        &mut app_done,
    );
    let status = ds_testkit::wait_until(&mut child, Instant::now() + LIMIT, "the app");
    lines.extend(rx.iter());
    let stderr = stderr.join().unwrap();
    assert!(status.success(), "{stderr}");
    let printed = lines
        .iter()
        .filter(|l| l.starts_with("Frame Number="))
        .count();
    assert_eq!(printed, 60, "{}", lines.join("\n"));

    // Decodable frames of the tiler's size: at least the stream from the
    // second key frame (every 30 frames) on, at most what the app made.
    assert!(
        (25..=60).contains(&frames.len()),
        "{} frames received",
        frames.len()
    );
    assert!(frames.iter().all(|f| (f.width, f.height) == (1280, 720)));
    // The OSD's red boxes on (nearly) every frame.
    let red: Vec<usize> = frames.iter().map(red_run_pixels).collect();
    // (Measured: 280 to 1400 per frame on the output, at most 140 on the
    // input, whose red cars are the only red there.)
    let boxed = red.iter().filter(|&&n| n >= RED_BOXES).count();
    assert!(
        boxed * 10 >= frames.len() * 9,
        "red box pixels per frame: {red:?}"
    );
    // Control: the input itself has no such red runs.
    let mut never = || false;
    let plain = decode(&format!("filesrc location={input} ! h264parse"), &mut never);
    assert_eq!(plain.len(), 60);
    let plain_red: Vec<usize> = plain.iter().map(red_run_pixels).collect();
    assert!(
        plain_red.iter().all(|&n| n < RED_BOXES),
        "the input has red runs: {plain_red:?}"
    );
}

/// A live RTSP input (the sample clip served by gst-rtsp-server here,
/// which sends RTCP sender reports): with `--rtsp-ts` every frame line is
/// followed by its `RTSP Timestamp:`, which becomes the sender's wall-clock
/// time once a sender report has arrived. Ctrl-C (SIGINT) ends the run
/// cleanly.
#[test]
fn rtsp_ts_gives_frames_the_senders_ntp_time() {
    gst::init().unwrap();
    let input = ds_testkit::sample("sample_720p.mp4");
    let in_port = free_tcp_port();
    let ctx = gst::glib::MainContext::new();
    let server = rtsp::RTSPServer::new();
    server.set_address("127.0.0.1");
    server.set_service(&in_port.to_string());
    let factory = rtsp::RTSPMediaFactory::new();
    factory.set_launch(&format!(
        "( filesrc location={input} ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 )"
    ));
    factory.set_shared(true);
    server.mount_points().unwrap().add_factory("/in", factory);
    server.attach(Some(&ctx)).unwrap();
    let main_loop = gst::glib::MainLoop::new(Some(&ctx), false);
    let server_loop = main_loop.clone();
    let server_thread = std::thread::spawn(move || server_loop.run());

    let uri = format!("rtsp://127.0.0.1:{in_port}/in");
    let rtsp_port = free_tcp_port().to_string();
    let udp_port = free_udp_port().to_string();
    let (mut child, rx, stderr) = start_app(&[
        "-i",
        &uri,
        "--rtsp-ts",
        "--rtsp-port",
        &rtsp_port,
        "--udp-port",
        &udp_port,
    ]);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let today = {
        // The UTC date of a time near now, as the probe prints it.
        let d = |secs: u64| {
            let p = std::process::Command::new("date")
                .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%d"])
                .output()
                .unwrap();
            String::from_utf8(p.stdout).unwrap().trim().to_string()
        };
        [d(now - 60), d(now + 600)]
    };
    let mut lines = Vec::new();
    let deadline = Instant::now() + LIMIT;
    loop {
        assert!(
            Instant::now() < deadline,
            "no sender time:\n{}",
            lines.join("\n")
        );
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(l) => {
                let done = l
                    .strip_prefix("RTSP Timestamp: ")
                    .is_some_and(|t| today.iter().any(|d| t.starts_with(d.as_str())));
                lines.push(l);
                if done {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the app ended:\n{}\n{}", lines.join("\n"), "")
            }
        }
    }
    // Ctrl-C: end-of-stream, a clean exit.
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = ds_testkit::wait_until(&mut child, Instant::now() + LIMIT, "the app");
    lines.extend(rx.iter());
    let stderr = stderr.join().unwrap();
    main_loop.quit();
    server_thread.join().unwrap();
    assert!(status.success(), "{stderr}");
    assert!(lines.iter().any(|l| l == "End-of-stream"));
    // Each frame line is followed by its timestamp line.
    let frame_at: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("Frame Number="))
        .map(|(i, _)| i)
        .collect();
    assert!(!frame_at.is_empty());
    for i in frame_at {
        assert!(
            lines
                .get(i + 1)
                .is_some_and(|l| l.starts_with("RTSP Timestamp: ")),
            "line {}: {:?}",
            i + 1,
            lines.get(i + 1)
        );
    }
}
