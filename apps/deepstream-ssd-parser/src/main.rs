//! deepstream-ssd-parser in Rust: a port of NVIDIA's Python sample.
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer !
//! nvvideoconvert ! nvdsosd ! queue ! nvvideoconvert ! capsfilter(I420) !
//! avenc_mpeg4 ! mpeg4videoparse ! qtmux ! filesink(out.mp4)`.
//!
//! nvinfer runs the detector with `network-type=100` and
//! `output-tensor-meta=1`: it does no output parsing and attaches the raw
//! output layers to each frame. A probe on its source pad parses them in
//! Rust and adds the objects to the frame meta (`src/probe.rs`,
//! `src/nanodet_parser.rs`, `src/nms.rs`); a probe on the OSD's sink pad
//! counts and prints them per frame.
//!
//! The sample runs an SSD through nvinferserver (Triton); this port runs the
//! repository's sample detector (NanoDet-m) through nvinfer and parses
//! NanoDet's outputs instead of the SSD's (README: "Differences").
mod nanodet_parser;
mod nms;
mod probe;

use anyhow::{bail, Context, Result};
use clap::Parser;
use deepstream_common::make;
use ds_core::app::{self, props};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;

/// Root of this repository at build time (for the default sample/config).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const OUTPUT_VIDEO_NAME: &str = "./out.mp4";
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;

/// DeepStream ssd-parser: the detector's raw output parsed in a probe.
#[derive(Parser, Debug)]
#[command(name = "deepstream-ssd-parser", version, about)]
struct Args {
    /// H.264 elementary stream to play (default: samples/sample_720p.h264).
    input: Option<String>,
    /// The MP4 file to write (default: ./out.mp4, as the sample).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// nvinfer config file (default: configs/dstest_ssd_nopostprocess.txt).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Label file, one class name per line (default: this app's labels.txt).
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
}

fn input_path(args: &Args) -> Result<PathBuf> {
    let path = match &args.input {
        Some(s) => match s.strip_prefix("file://") {
            Some(p) => PathBuf::from(p),
            None if s.contains("://") => bail!("{s}: only local H.264 files are supported"),
            None => PathBuf::from(s),
        },
        None => app::resource_path("samples/sample_720p.h264", WORKSPACE)
            .context("the default sample samples/sample_720p.h264 is missing: run ci/samples.sh")?,
    };
    if !path.is_file() {
        bail!("{}: no such file", path.display());
    }
    deepstream_common::check_h264(&path, None)?;
    Ok(path)
}

fn load_labels(args: &Args) -> Result<probe::Labels> {
    let path = match &args.labels {
        Some(p) => p.clone(),
        None => app::resource_path("apps/deepstream-ssd-parser/labels.txt", WORKSPACE)
            .context("apps/deepstream-ssd-parser/labels.txt is missing")?,
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read the label file", path.display()))?;
    probe::Labels::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// `make_elm_or_print_err`: prints `Creating <what>` and makes the element.
fn make_elm_or_print_err(factory: &str, name: &str, printedname: &str) -> Result<gst::Element> {
    println!("Creating {printedname}");
    make(factory, name, printedname)
}

fn main() {
    let args: Args = deepstream_common::parse_args("deepstream-ssd-parser <media file or uri>");
    let result = run(&args);
    deepstream_common::exit_on_error(result, || {});
}

fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    let input = input_path(args)?;
    let config = match &args.config {
        Some(c) => c.clone(),
        None => deepstream_common::default_config("dstest_ssd_nopostprocess.txt")
            .map_err(anyhow::Error::msg)?,
    };
    if !config.is_file() {
        bail!("{}: no such nvinfer config file", config.display());
    }
    let labels = load_labels(args)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(OUTPUT_VIDEO_NAME));

    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let source = make_elm_or_print_err("filesrc", "file-source", "Source")?;
    let h264parser = make_elm_or_print_err("h264parse", "h264-parser", "H264Parser")?;
    let decoder = make_elm_or_print_err("nvv4l2decoder", "nvv4l2-decoder", "Decoder")?;
    let streammux = make_elm_or_print_err("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    // The sample's nvinferserver is nvinfer here (README: "Differences").
    let pgie = make_elm_or_print_err("nvinfer", "primary-inference", "Nvinfer")?;
    let nvvidconv = make_elm_or_print_err("nvvideoconvert", "convertor", "Nvvidconv")?;
    let nvosd = make_elm_or_print_err("nvdsosd", "onscreendisplay", "OSD (nvosd)")?;
    // Finally encode and save the OSD output.
    let queue = make_elm_or_print_err("queue", "queue", "Queue")?;
    let nvvidconv2 =
        make_elm_or_print_err("nvvideoconvert", "convertor2", "Converter 2 (nvvidconv2)")?;
    let capsfilter = make_elm_or_print_err("capsfilter", "capsfilter", "capsfilter")?;
    let caps: gst::Caps = "video/x-raw, format=I420".parse()?;
    props::set_property(&capsfilter, "caps", &caps);
    let encoder = make_elm_or_print_err("avenc_mpeg4", "encoder", "Encoder")?;
    props::set_property_from_str(&encoder, "bitrate", "2000000");
    let codeparser = make_elm_or_print_err("mpeg4videoparse", "mpeg4-parser", "Code Parser")?;
    let container = make_elm_or_print_err("qtmux", "qtmux", "Container")?;
    let sink = make_elm_or_print_err("filesink", "filesink", "Sink")?;
    props::set_property(&sink, "location", output.to_string_lossy().as_ref());
    props::set_property(&sink, "sync", false);
    props::set_property(&sink, "async", false);

    println!("Playing file {} ", input.display());
    props::set_property(&source, "location", input.to_string_lossy().as_ref());
    props::set_property(&streammux, "width", probe::IMAGE_WIDTH);
    props::set_property(&streammux, "height", probe::IMAGE_HEIGHT);
    props::set_property(&streammux, "batch-size", 1u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
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
        &queue,
        &nvvidconv2,
        &capsfilter,
        &encoder,
        &codeparser,
        &container,
        &sink,
    ])?;

    // file-source -> h264-parser -> nvv4l2-decoder -> Stream-muxer ->
    // primary-inference -> convertor -> onscreendisplay -> queue ->
    // convertor2 -> capsfilter -> encoder -> mpeg4-parser -> qtmux -> filesink
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
        &streammux,
        &pgie,
        &nvvidconv,
        &nvosd,
        &queue,
        &nvvidconv2,
        &capsfilter,
        &encoder,
        &codeparser,
        &container,
        &sink,
    ])?;

    // A probe on the primary-infer source pad gets the inference output
    // tensors.
    let pgiesrcpad = pgie
        .static_pad("src")
        .context("Unable to get src pad of primary infer")?;
    let pgie_labels = labels.clone();
    pgiesrcpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::pgie_src_pad_buffer_probe(buffer.make_mut(), &pgie_labels);
        }
        gst::PadProbeReturn::Ok
    });

    // A probe on the OSD's sink pad: by then the buffer has all its metadata.
    let osdsinkpad = nvosd
        .static_pad("sink")
        .context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::osd_sink_pad_buffer_probe(buffer.make_mut(), &labels);
        }
        gst::PadProbeReturn::Ok
    });

    // Not in the sample: GStreamer 1.22's mpeg4videoparse passes
    // avenc_mpeg4's frames after the first without a PTS, which qtmux
    // refuses ("Buffer has no PTS"). MPEG-4 Part 2 simple profile has no
    // B-frames, so a frame's PTS is its DTS.
    let parsersrcpad = codeparser
        .static_pad("src")
        .context("Unable to get src pad of mpeg4-parser")?;
    parsersrcpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            if buffer.pts().is_none() && buffer.dts().is_some() {
                let dts = buffer.dts();
                buffer.make_mut().set_pts(dts);
            }
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline \n");
    deepstream_common::run(&pipeline)
}
