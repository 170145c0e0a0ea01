//! deepstream-usb-camera in Rust: a faithful port of NVIDIA's Python sample
//! `deepstream-test1-usbcam` (`deepstream_test_1_usb.py`, release 1.2.0).
//!
//! `v4l2src device=<dev> ! video/x-raw, framerate=30/1 ! videoconvert !
//! nvvideoconvert ! video/x-raw(memory:NVMM) ! nvstreammux ! nvinfer !
//! nvvideoconvert ! nvdsosd ! <sink sync=false>`, with the sample's probe on
//! the OSD's sink pad (src/probe.rs): it counts vehicles and persons per
//! frame, draws `Frame Number=… Number of Objects=… Vehicle_count=…
//! Person_count=…` and prints the same line.
//!
//! Beyond the sample (see README.md):
//! - `--source test` replaces the camera with a live test pattern
//!   (`videotestsrc is-live=true pattern=ball`, 640x480 at 30 fps);
//!   `--source FILE` plays a video file as if it were a camera giving the
//!   sample's 30 fps (decoded in software, `videorate` to 30 fps, paced to
//!   the clock like a live source);
//! - `--num-buffers N` stops after N frames (end-of-stream);
//! - `--output out.mp4` writes the OSD output to MP4 instead of a window;
//!   `--no-display` runs without a window;
//! - a missing camera device is reported before the pipeline is built.
mod probe;

use anyhow::{bail, Context, Result};
use clap::Parser;
use deepstream_common::{make, Output, PlatformInfo};
use ds_core::app::props;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};

const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
/// The nvinfer config the sample uses (its `dstest1_pgie_config.txt`).
const PGIE_CONFIG: &str = "dstest1_pgie_config.txt";

/// DeepStream test1 on a USB camera: detector + on-screen display on a V4L2
/// device's live video.
#[derive(Parser, Debug)]
#[command(name = "deepstream-usb-camera", version, about)]
struct Args {
    /// V4L2 device of the camera, e.g. /dev/video0.
    #[arg(
        value_name = "v4l2-device-path",
        required_unless_present = "source",
        conflicts_with = "source"
    )]
    device: Option<String>,
    /// Instead of a camera: `test` (a live test pattern, 640x480 at 30 fps)
    /// or a video file played as if it were the camera.
    #[arg(long, value_name = "test|FILE")]
    source: Option<String>,
    /// Stop after N frames from the source (end-of-stream).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..))]
    num_buffers: Option<i32>,
    /// Write the OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Run without a window (frames are discarded after the OSD).
    #[arg(long)]
    no_display: bool,
}

/// Where the frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A V4L2 device (the sample).
    Camera(String),
    /// `videotestsrc is-live=true pattern=ball`, 640x480, 30 fps.
    Test,
    /// A video file, decoded and paced like a camera.
    File(PathBuf),
}

impl Source {
    /// The source the arguments ask for; checks that the device or file
    /// exists (before any pipeline is built).
    fn from_args(args: &Args) -> Result<Source> {
        let source = match (&args.source, &args.device) {
            (Some(s), _) if s == "test" => Source::Test,
            (Some(s), _) => Source::File(PathBuf::from(s.strip_prefix("file://").unwrap_or(s))),
            (None, Some(d)) => Source::Camera(d.clone()),
            (None, None) => {
                bail!("no camera given (usage: deepstream-usb-camera <v4l2-device-path>)")
            }
        };
        match &source {
            Source::Camera(dev) if !Path::new(dev).exists() => {
                bail!("camera {dev}: no such device (connect a USB camera or use --source test)")
            }
            Source::File(path) if !path.is_file() => bail!("{}: no such file", path.display()),
            _ => {}
        }
        Ok(source)
    }

    /// What the sample's `Playing cam %s` line names: the device, or what
    /// `--source` got.
    fn name(&self) -> String {
        match self {
            Source::Camera(device) => device.clone(),
            Source::Test => "test".into(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// `videotestsrc is-live=true pattern=ball ! video/x-raw,640x480,30/1` in a
/// bin with one `src` pad, standing in for `v4l2src`.
fn test_source(num_buffers: Option<i32>) -> Result<gst::Element> {
    let bin = gst::Bin::with_name("usb-cam-source");
    let src = make("videotestsrc", "test-source", "Source")?;
    props::set_property(&src, "is-live", true);
    props::set_property_from_str(&src, "pattern", "ball");
    if let Some(n) = num_buffers {
        props::set_property(&src, "num-buffers", n);
    }
    let caps = make("capsfilter", "test-source-caps", "test source capsfilter")?;
    props::set_property(
        &caps,
        "caps",
        gst::Caps::builder("video/x-raw")
            .field("width", 640i32)
            .field("height", 480i32)
            .field("framerate", gst::Fraction::new(30, 1))
            .build(),
    );
    bin.add_many([&src, &caps])?;
    src.link(&caps)?;
    let pad = caps
        .static_pad("src")
        .context("capsfilter has no src pad")?;
    bin.add_pad(&gst::GhostPad::with_target(&pad)?)?;
    Ok(bin.upcast())
}

/// `filesrc ! decodebin ! videorate ! identity sync=true` in a bin with one
/// `src` pad: a file played like a camera. Decoders whose output is NVMM
/// (NVIDIA's or the open `nvv4l2decoder`) are skipped: a camera gives
/// system-memory frames, which is what the sample's `videoconvert` expects.
/// `videorate` gives the 30 fps the sample's caps ask the camera for
/// (repeating or dropping frames of a file at another rate); `identity
/// sync=true` paces the frames to the clock and makes the source live (no
/// preroll). `--num-buffers` counts the frames the stand-in delivers
/// (`filesrc`'s `num-buffers` would count blocks of bytes).
fn file_source(path: &Path, num_buffers: Option<i32>) -> Result<gst::Element> {
    let bin = gst::Bin::with_name("usb-cam-source");
    let src = make("filesrc", "file-source", "Source")?;
    props::set_property(&src, "location", path.to_string_lossy().as_ref());
    let decodebin = make("decodebin", "file-decoder", "decodebin")?;
    let rate = make("videorate", "file-rate", "videorate")?;
    let pace = make("identity", "file-pacer", "identity")?;
    props::set_property(&pace, "sync", true);
    bin.add_many([&src, &decodebin, &rate, &pace])?;
    src.link(&decodebin)?;
    rate.link(&pace)?;
    if let Some(n) = num_buffers {
        stop_after(
            &pace
                .static_pad("sink")
                .context("identity has no sink pad")?,
            n,
        );
    }
    let pad = pace.static_pad("src").context("identity has no src pad")?;
    bin.add_pad(&gst::GhostPad::with_target(&pad)?)?;

    decodebin.connect("autoplug-select", false, |args| {
        let factory = args.get(3)?.get::<gst::ElementFactory>().ok()?;
        let class = glib::EnumClass::with_type(glib::Type::from_name("GstAutoplugSelectResult")?)?;
        // GST_AUTOPLUG_SELECT_TRY = 0, GST_AUTOPLUG_SELECT_SKIP = 2.
        class.to_value(if outputs_nvmm(&factory) { 2 } else { 0 })
    });
    let rate_weak = rate.downgrade();
    decodebin.connect_pad_added(move |_, pad| {
        let Some(sink) = rate_weak.upgrade().and_then(|r| r.static_pad("sink")) else {
            return;
        };
        let is_video = pad
            .current_caps()
            .unwrap_or_else(|| pad.query_caps(None))
            .structure(0)
            .is_some_and(|s| s.name().starts_with("video/"));
        // The first video stream is the camera; others are ignored.
        if is_video && !sink.is_linked() {
            let _ = pad.link(&sink);
        }
    });
    Ok(bin.upcast())
}

/// Lets `n` buffers into `pad`, then answers every further buffer with
/// `GST_FLOW_EOS`: the demuxer upstream stops and sends end-of-stream
/// downstream, as a source with `num-buffers` does. (`identity eos-after` is
/// not exact behind a threaded decoder: frames it had queued get through.)
fn stop_after(pad: &gst::Pad, n: i32) {
    let limit = u64::try_from(n).unwrap_or(0);
    let seen = std::sync::atomic::AtomicU64::new(0);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < limit {
            return gst::PadProbeReturn::Ok;
        }
        info.flow_res = Err(gst::FlowError::Eos);
        gst::PadProbeReturn::Handled
    });
}

/// Whether a factory's source pads produce NVMM (device-memory) video.
fn outputs_nvmm(factory: &gst::ElementFactory) -> bool {
    factory.static_pad_templates().iter().any(|t| {
        t.direction() == gst::PadDirection::Src
            && t.caps()
                .iter_with_features()
                .any(|(_, f)| f.contains("memory:NVMM"))
    })
}

fn main() {
    let args: Args = deepstream_common::parse_args("deepstream-usb-camera <v4l2-device-path>");
    let output = Output::from_options(args.output.as_deref(), args.no_display);
    let result = run(&args, &output);
    deepstream_common::exit_on_error(result, || {
        deepstream_common::sink::remove_empty_output(&output)
    });
}

fn run(args: &Args, output: &Output) -> Result<()> {
    ds_open::init_and_report()?;
    let input = Source::from_args(args)?;
    let config = deepstream_common::default_config(PGIE_CONFIG).map_err(anyhow::Error::msg)?;
    let platform_info = PlatformInfo::new();

    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();

    // Source element for reading from the camera (or, extras, its stand-ins).
    print!("Creating Source \n \n");
    let source = match &input {
        Source::Camera(_) => make("v4l2src", "usb-cam-source", "Source")?,
        Source::Test => test_source(args.num_buffers)?,
        Source::File(path) => file_source(path, args.num_buffers)?,
    };
    let caps_v4l2src = make("capsfilter", "v4l2src_caps", "v4l2src capsfilter")?;

    println!("Creating Video Converter \n");
    // videoconvert first: nvvideoconvert does not take every raw format a
    // camera produces (YUYV, the usual USB camera format, on NVIDIA's side).
    let vidconvsrc = make("videoconvert", "convertor_src1", "videoconvert")?;
    // nvvideoconvert moves the frames into NVMM buffers (NvBufSurface).
    let nvvidconvsrc = make("nvvideoconvert", "convertor_src2", "Nvvideoconvert")?;
    let caps_vidconvsrc = make("capsfilter", "nvmm_caps", "capsfilter")?;
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    let pgie = make("nvinfer", "primary-inference", "pgie")?;
    // Converts from NV12 to RGBA as nvdsosd requires.
    let nvvidconv = make("nvvideoconvert", "convertor", "nvvidconv")?;
    let nvosd = make("nvdsosd", "onscreendisplay", "nvosd")?;

    // The sink: the sample's renderer, or (extras) an MP4 file or nothing.
    // The sample asks the platform question (and prints its line) here, so
    // the extras ask it too.
    platform_info.is_integrated_gpu();
    let tail = match output {
        Output::Display => vec![deepstream_common::render_sink(&platform_info)?],
        Output::Mp4(path) => deepstream_common::mp4_tail(path)?,
        Output::None => vec![make("fakesink", "fake-sink", "fakesink")?],
    };

    // The sample names the device; the stand-ins name what --source got.
    println!("Playing cam {} ", input.name());
    props::set_property(&caps_v4l2src, "caps", caps("video/x-raw, framerate=30/1")?);
    props::set_property(&caps_vidconvsrc, "caps", caps("video/x-raw(memory:NVMM)")?);
    if let Source::Camera(device) = &input {
        props::set_property(&source, "device", device.as_str());
        if let Some(n) = args.num_buffers {
            props::set_property(&source, "num-buffers", n);
        }
    }
    props::set_property(&streammux, "width", 1920u32);
    props::set_property(&streammux, "height", 1080u32);
    props::set_property(&streammux, "batch-size", 1u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    props::set_property(&pgie, "config-file-path", config.to_string_lossy().as_ref());
    // Set sync = false to avoid late frame drops at the display-sink (on
    // whichever sink ends the pipeline).
    if let Some(sink) = tail.last() {
        props::set_property(sink, "sync", false);
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([
        &source,
        &caps_v4l2src,
        &vidconvsrc,
        &nvvidconvsrc,
        &caps_vidconvsrc,
        &streammux,
        &pgie,
        &nvvidconv,
        &nvosd,
    ])?;
    pipeline.add_many(&tail)?;

    // usb-cam-source -> v4l2src_caps -> convertor_src1 -> convertor_src2 ->
    // nvmm_caps -> Stream-muxer -> primary-inference -> convertor ->
    // onscreendisplay -> sink
    println!("Linking elements in the Pipeline \n");
    source.link(&caps_v4l2src)?;
    caps_v4l2src.link(&vidconvsrc)?;
    vidconvsrc.link(&nvvidconvsrc)?;
    nvvidconvsrc.link(&caps_vidconvsrc)?;
    let sinkpad = streammux
        .request_pad_simple("sink_0")
        .context("Unable to get the sink pad of streammux")?;
    let srcpad = caps_vidconvsrc
        .static_pad("src")
        .context("Unable to get source pad of caps_vidconvsrc")?;
    srcpad.link(&sinkpad)?;
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd])?;
    let mut prev = nvosd.clone();
    for e in &tail {
        prev.link(e)?;
        prev = e.clone();
    }

    // The probe goes on the OSD's sink pad: by then every element upstream
    // has added its metadata.
    let osdsinkpad = nvosd
        .static_pad("sink")
        .context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::osd_sink_pad_buffer_probe(buffer.make_mut());
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline \n");
    deepstream_common::run(&pipeline)
}

/// Caps from the sample's caps string (`Gst.Caps.from_string`).
fn caps(s: &str) -> Result<gst::Caps> {
    s.parse()
        .map_err(|_| anyhow::anyhow!("{s}: not a caps string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_or_source_is_required() {
        assert!(Args::try_parse_from(["x"]).is_err());
        assert!(Args::try_parse_from(["x", "/dev/video0", "--source", "test"]).is_err());
        let a = Args::try_parse_from(["x", "--source", "test", "--num-buffers", "5"]).unwrap();
        assert_eq!(Source::from_args(&a).unwrap(), Source::Test);
        assert_eq!(a.num_buffers, Some(5));
        assert!(Args::try_parse_from(["x", "--source", "test", "--num-buffers", "0"]).is_err());
    }

    #[test]
    fn missing_camera_is_reported() {
        let a = Args::try_parse_from(["x", "/dev/video-nope"]).unwrap();
        let e = Source::from_args(&a).unwrap_err().to_string();
        assert_eq!(
            e,
            "camera /dev/video-nope: no such device (connect a USB camera or use --source test)"
        );
    }
}
