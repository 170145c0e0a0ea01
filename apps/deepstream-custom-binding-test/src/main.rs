//! deepstream-custom-binding-test in Rust: a port of NVIDIA's Python sample.
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! queue ! queue !
//! fakesink`. A probe on the muxer's source pad attaches a custom struct
//! (`CustomDataStruct`: an id, a message, an int) to every frame as user
//! meta, with its own copy and release functions; a probe on the fakesink's
//! sink pad reads it back and prints it.
//!
//! Beyond the sample: no argument runs the default sample clip;
//! `--copy-buffer` replaces every buffer between the two queues by a copy
//! (`gst_buffer_copy`: the batch meta is copied, the custom struct through
//! its copy function) and prints how many structs were copied and released.
mod custom_data;
mod probe;

use anyhow::{bail, Context, Result};
use clap::Parser;
use deepstream_common::make;
use ds_core::app::{self, props};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;

/// Root of this repository at build time (for the default sample).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// DeepStream custom-binding-test: custom user meta attached and read back.
#[derive(Parser, Debug)]
#[command(name = "deepstream-custom-binding-test", version, about)]
struct Args {
    /// H.264 elementary stream to play (default: samples/sample_720p.h264).
    input: Option<String>,
    /// Replace every buffer between `queue` and `queue1` by a copy (the
    /// metadata survives through the struct's copy function) and print the
    /// copy and release counts at the end.
    #[arg(long)]
    copy_buffer: bool,
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

fn main() {
    let args: Args =
        deepstream_common::parse_args("deepstream-custom-binding-test <h264 stream file or uri>");
    let result = run(&args);
    deepstream_common::exit_on_error(result, || {});
}

fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    let input = input_path(args)?;

    let pipeline = gst::Pipeline::new();
    let source = make("filesrc", "file-source", "Source")?;
    let h264parser = make("h264parse", "h264-parser", "h264 parser")?;
    let decoder = make("nvv4l2decoder", "nvv4l2-decoder", "Nvv4l2 Decoder")?;
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    let queue = make("queue", "queue", "queue")?;
    let queue1 = make("queue", "queue1", "queue")?;
    let sink = make("fakesink", "fakesink", "fake sink")?;
    println!("reading input");
    println!("Playing file {} ", input.display());
    props::set_property(&source, "location", input.to_string_lossy().as_ref());

    props::set_property(&streammux, "width", 1280u32);
    props::set_property(&streammux, "height", 720u32);
    props::set_property(&streammux, "batch-size", 1u32);

    pipeline.add_many([
        &source,
        &h264parser,
        &decoder,
        &streammux,
        &queue,
        &queue1,
        &sink,
    ])?;

    source.link(&h264parser)?;
    h264parser.link(&decoder)?;
    let sinkpad = streammux
        .request_pad_simple("sink_0")
        .context("Unable to get the sink pad of streammux")?;
    let srcpad = decoder
        .static_pad("src")
        .context("Unable to get source pad of decoder(source)")?;
    srcpad.link(&sinkpad)?;
    gst::Element::link_many([&streammux, &queue, &queue1, &sink])?;

    let streammux_src_pad = streammux
        .static_pad("src")
        .context("Unable to get src pad of streammux")?;
    streammux_src_pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::streammux_src_pad_buffer_probe(buffer.make_mut());
        }
        gst::PadProbeReturn::Ok
    });

    if args.copy_buffer {
        // Extra: every buffer entering queue1 is replaced by a copy; the
        // original (and its metadata) is released here.
        let queue1_sink_pad = queue1
            .static_pad("sink")
            .context("Unable to get sink pad of queue1")?;
        queue1_sink_pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
                *buffer = buffer.copy();
            }
            gst::PadProbeReturn::Ok
        });
    }

    let fakesink_sink_pad = sink
        .static_pad("sink")
        .context("Unable to get sink pad of fakesink")?;
    fakesink_sink_pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
            probe::fakesink_sink_pad_buffer_probe(buffer);
        }
        gst::PadProbeReturn::Ok
    });
    // Written only when GST_DEBUG_DUMP_DOT_DIR is set, as in the sample.
    pipeline.debug_to_dot_file(gst::DebugGraphDetails::ALL, "graph");

    // The sample prints this right after asking for PLAYING; here the
    // state change happens in `run`, just after.
    println!("pipeline playing");
    let result = deepstream_common::run(&pipeline);
    drop(pipeline);
    if args.copy_buffer {
        let (copies, releases) = custom_data::copies_and_releases();
        println!("custom meta copies: {copies}, releases: {releases}");
    }
    result
}
