//! deepstream-test2 in Rust: a faithful port of NVIDIA's Python sample
//! `deepstream_test_2.py` (release 1.2.0, DeepStream 7.1).
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer (primary) !
//! nvtracker ! nvinfer (secondary 1) ! nvinfer (secondary 2) !
//! nvvideoconvert ! nvdsosd ! <sink>`, with the sample's probe on the OSD's
//! sink pad (src/probe.rs): the `Frame Number=… Number of Objects=…
//! Vehicle_count=… Person_count=…` line per frame, then the tracker's
//! past-frame meta whenever nvtracker attaches it. The tracker's properties
//! come from the `[tracker]` group of dstest2_tracker_config.txt, as the
//! sample reads them.
//!
//! Secondary classifiers: NVIDIA's vehicle make/type models are not
//! redistributable; the open setup runs two face-attribute classifiers
//! (gender, emotion; see configs/dstest2_sgie*_config.txt) on persons.
//!
//! Beyond the sample (see README.md): no argument runs the default sample
//! clip; `--output out.mp4` writes the OSD output to MP4 instead of a
//! window; `--no-display` runs without a window; `--verbose` (hidden) prints
//! one `Object <id> <class> <sgie1 label> <sgie2 label>` line per object.
mod probe;

use anyhow::{bail, Context, Result};
use clap::Parser;
use deepstream_common::{make, Output, PlatformInfo};
use ds_core::app::{self, props};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};

/// Root of this repository at build time (for the default sample).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;

/// DeepStream test2: detector + tracker + two secondary classifiers on one H.264 file.
#[derive(Parser, Debug)]
#[command(name = "deepstream-test2", version, about)]
struct Args {
    /// H.264 elementary stream to play (default: samples/sample_720p.h264).
    input: Option<String>,
    /// Further arguments are ignored, as the sample ignores them (its only
    /// check is `len(args) < 2`).
    #[arg(hide = true)]
    ignored: Vec<String>,
    /// Write the OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Run without a window (frames are discarded after the OSD).
    #[arg(long)]
    no_display: bool,
    /// Print `Object <id> <class> <label1> <label2>` per object (for tests).
    #[arg(long, hide = true)]
    verbose: bool,
}

fn input_path(args: &Args) -> Result<PathBuf> {
    let path = match &args.input {
        Some(s) => match s.strip_prefix("file://") {
            Some(p) => PathBuf::from(p),
            None if s.contains("://") => {
                bail!("{s}: only local H.264 files are supported (deepstream-test3 takes URIs)")
            }
            None => PathBuf::from(s),
        },
        None => app::resource_path("samples/sample_720p.h264", WORKSPACE)
            .context("the default sample samples/sample_720p.h264 is missing: run ci/samples.sh")?,
    };
    if !path.is_file() {
        bail!("{}: no such file", path.display());
    }
    Ok(path)
}

/// A config file of the sample, from the folder of the elements that run
/// (see `deepstream_common::config_dir`).
fn config_file(name: &str) -> Result<PathBuf> {
    deepstream_common::default_config(name).map_err(anyhow::Error::msg)
}

/// The sample's "Set properties of tracker": every key of the `[tracker]`
/// group of `path` that the sample knows becomes the nvtracker property of
/// the same name (integers through `getint`, paths as strings), in the
/// file's order; other keys are ignored, as the sample ignores them. The
/// file is a GLib key file, as the sample's `configparser` reads it.
/// `ll-config-file` is resolved against the config's folder (the sample
/// passes it on as is, relative to the folder it runs in, which is the
/// config's).
fn configure_tracker(tracker: &gst::Element, path: &Path) -> Result<()> {
    let config = glib::KeyFile::new();
    config
        .load_from_file(path, glib::KeyFileFlags::NONE)
        .with_context(|| format!("{}: cannot read the tracker config", path.display()))?;
    let bad =
        |key: &str, e: glib::Error| anyhow::anyhow!("{}: [tracker] {key}: {e}", path.display());
    let keys = config
        .keys("tracker")
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    for key in keys {
        let key = key.as_str();
        match key {
            "tracker-width" | "tracker-height" | "gpu-id" => {
                let value = config.integer("tracker", key).map_err(|e| bad(key, e))?;
                let value = u32::try_from(value).map_err(|_| {
                    anyhow::anyhow!("{}: [tracker] {key}: {value} is negative", path.display())
                })?;
                props::set_property(tracker, key, value);
            }
            "ll-lib-file" => {
                let value = config.string("tracker", key).map_err(|e| bad(key, e))?;
                props::set_property(tracker, key, value.as_str());
            }
            "ll-config-file" => {
                let value = config.string("tracker", key).map_err(|e| bad(key, e))?;
                let value = path.parent().unwrap_or(Path::new(".")).join(value.as_str());
                props::set_property(tracker, key, value.to_string_lossy().as_ref());
            }
            _ => {}
        }
    }
    Ok(())
}

fn main() {
    let args: Args = deepstream_common::parse_args("deepstream-test2 <h264_elementary_stream>");
    let output = Output::from_options(args.output.as_deref(), args.no_display);
    let result = run(&args, &output);
    deepstream_common::exit_on_error(result, || {
        deepstream_common::sink::remove_empty_output(&output)
    });
}

fn run(args: &Args, output: &Output) -> Result<()> {
    ds_open::init_and_report()?;
    let input = input_path(args)?;
    let pgie_config = config_file("dstest2_pgie_config.txt")?;
    let sgie1_config = config_file("dstest2_sgie1_config.txt")?;
    let sgie2_config = config_file("dstest2_sgie2_config.txt")?;
    let tracker_config = config_file("dstest2_tracker_config.txt")?;
    let platform_info = PlatformInfo::new();

    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    print!("Creating Source \n \n");
    let source = make("filesrc", "file-source", "Source")?;
    println!("Creating H264Parser \n");
    let h264parser = make("h264parse", "h264-parser", "h264 parser")?;
    println!("Creating Decoder \n");
    let decoder = make("nvv4l2decoder", "nvv4l2-decoder", "Nvv4l2 Decoder")?;
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    let pgie = make("nvinfer", "primary-inference", "pgie")?;
    let tracker = make("nvtracker", "tracker", "tracker")?;
    let sgie1 = make("nvinfer", "secondary1-nvinference-engine", "sgie1")?;
    let sgie2 = make("nvinfer", "secondary2-nvinference-engine", "sgie2")?;
    let nvvidconv = make("nvvideoconvert", "convertor", "nvvidconv")?;
    let nvosd = make("nvdsosd", "onscreendisplay", "nvosd")?;

    // The sink: the sample's renderer, or (extras) an MP4 file or nothing.
    // The sample asks the platform question (and prints its line) here, so
    // the extras ask it too.
    platform_info.is_integrated_gpu();
    let tail = match output {
        Output::Display => vec![deepstream_common::render_sink(&platform_info)?],
        Output::Mp4(path) => deepstream_common::mp4_tail(path)?,
        Output::None => {
            let sink = make("fakesink", "fake-sink", "fakesink")?;
            props::set_property(&sink, "sync", false);
            vec![sink]
        }
    };

    println!("Playing file {} ", input.display());
    props::set_property(&source, "location", input.to_string_lossy().as_ref());
    props::set_property(&streammux, "width", 1920u32);
    props::set_property(&streammux, "height", 1080u32);
    props::set_property(&streammux, "batch-size", 1u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);

    // Set properties of pgie and sgie
    props::set_property(
        &pgie,
        "config-file-path",
        pgie_config.to_string_lossy().as_ref(),
    );
    props::set_property(
        &sgie1,
        "config-file-path",
        sgie1_config.to_string_lossy().as_ref(),
    );
    props::set_property(
        &sgie2,
        "config-file-path",
        sgie2_config.to_string_lossy().as_ref(),
    );

    // Set properties of tracker
    configure_tracker(&tracker, &tracker_config)?;

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([
        &source,
        &h264parser,
        &decoder,
        &streammux,
        &pgie,
        &tracker,
        &sgie1,
        &sgie2,
        &nvvidconv,
        &nvosd,
    ])?;
    pipeline.add_many(&tail)?;

    // file-source -> h264-parser -> nvv4l2-decoder -> Stream-muxer ->
    // primary-inference -> tracker -> secondary1 -> secondary2 ->
    // convertor -> onscreendisplay -> sink
    println!("Linking elements in the Pipeline \n");
    source.link(&h264parser)?;
    h264parser.link(&decoder)?;
    let sinkpad = streammux
        .request_pad_simple("sink_0")
        .context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder
        .static_pad("src")
        .context("Unable to get source pad of decoder")?;
    srcpad.link(&sinkpad)?;
    gst::Element::link_many([
        &streammux, &pgie, &tracker, &sgie1, &sgie2, &nvvidconv, &nvosd,
    ])?;
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
    let verbose = args.verbose;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::osd_sink_pad_buffer_probe(buffer.make_mut(), verbose);
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline \n");
    deepstream_common::run(&pipeline)
}
