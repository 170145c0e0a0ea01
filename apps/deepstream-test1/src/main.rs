//! deepstream-test1 in Rust: a faithful port of NVIDIA's Python sample.
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer !
//! nvvideoconvert ! nvdsosd ! <sink>`, with a probe on the OSD's sink pad
//! that counts vehicles and persons per frame, draws
//! `Frame Number=… Number of Objects=… Vehicle_count=… Person_count=…` and
//! prints the same line.
//!
//! Beyond the sample: no argument runs the default sample clip;
//! `--output out.mp4` writes the OSD output to MP4 instead of a window;
//! `--no-display` runs without a window; `--config` picks another nvinfer
//! config. An input that cannot be an H.264 elementary stream (empty, a
//! container, another codec, text) is refused with one `Error:` line before
//! the pipeline starts.
mod probe;

use anyhow::{bail, Context, Result};
use clap::Parser;
use deepstream_common::{make, Output, PlatformInfo};
use ds_core::app::{self, props};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;

/// Root of this repository at build time (for the default sample/config).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;

/// DeepStream test1: detector + on-screen display on one H.264 file.
#[derive(Parser, Debug)]
#[command(name = "deepstream-test1", version, about)]
struct Args {
    /// H.264 elementary stream to play (default: samples/sample_720p.h264).
    input: Option<String>,
    /// Write the OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Run without a window (frames are discarded after the OSD).
    #[arg(long)]
    no_display: bool,
    /// nvinfer config file (default: configs/dstest1_pgie_config.txt).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
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
    deepstream_common::check_h264(
        &path,
        Some("deepstream-test1 plays .h264 files (deepstream-test3 takes containers and URIs)"),
    )?;
    Ok(path)
}

fn main() {
    let args: Args = deepstream_common::parse_args("deepstream-test1 <media file or uri>");
    let output = Output::from_options(args.output.as_deref(), args.no_display);
    let result = run(&args, &output);
    deepstream_common::exit_on_error(result, || {
        deepstream_common::sink::remove_empty_output(&output)
    });
}

fn run(args: &Args, output: &Output) -> Result<()> {
    ds_open::init_and_report()?;
    let input = input_path(args)?;
    let config = match &args.config {
        Some(c) => c.clone(),
        None => deepstream_common::default_config("dstest1_pgie_config.txt")
            .map_err(anyhow::Error::msg)?,
    };
    if !config.is_file() {
        bail!("{}: no such nvinfer config file", config.display());
    }
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
    // Only for the default nvstreammux, not the new one.
    if std::env::var("USE_NEW_NVSTREAMMUX").as_deref() != Ok("yes") {
        props::set_property(&streammux, "width", 1920u32);
        props::set_property(&streammux, "height", 1080u32);
        props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    }
    props::set_property(&streammux, "batch-size", 1u32);
    props::set_property(&pgie, "config-file-path", config.to_string_lossy().as_ref());

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([
        &source,
        &h264parser,
        &decoder,
        &streammux,
        &pgie,
        &nvvidconv,
        &nvosd,
    ])?;
    pipeline.add_many(&tail)?;

    // file-source -> h264-parser -> nvv4l2-decoder -> Stream-muxer ->
    // primary-inference -> convertor -> onscreendisplay -> sink
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
