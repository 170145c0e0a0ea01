//! deepstream-demux-multi-in-multi-out in Rust: a faithful port of NVIDIA's
//! Python sample (`deepstream_demux_multi_in_multi_out.py`, release 1.2.0).
//!
//! N sources (URIs), each `uridecodebin` in a source bin, batched by
//! `nvstreammux` (batch-size N, 960x540), `queue`, `nvinfer` (primary
//! detector), then `nvstreamdemux` splits every batch back into one stream
//! per source: `src_i -> queue -> nvvideoconvert -> nvdsosd -> sink`, one
//! window per input. A probe on nvinfer's src pad prints
//! `Frame Number= … Number of Objects= … Vehicle_count= … Person_count= …`
//! per frame and the per-stream FPS (`**PERF: {…}`) every 5 seconds.
//!
//! Beyond the sample (see README.md): no `-i` runs the default sample clip;
//! plain file paths are accepted as inputs.
mod cli;
mod probe;
mod source;

use anyhow::{Context, Result};
use cli::Args;
use deepstream_common::{make, PlatformInfo};
use ds_core::app::{self, props, PerfData};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Root of this repository at build time (for the default sample).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const OSD_PROCESS_MODE: i32 = 0;
const OSD_DISPLAY_TEXT: bool = true;

fn main() {
    // Argument errors: the usage line and the error, exit status 2, as
    // argparse's.
    let args = cli::parse();
    let result = run(&args);
    deepstream_common::exit_on_error(result, || {});
}

/// The sample's `parse_args()` (the inputs as URIs), then its `main()`.
fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    let inputs: Vec<String> = if args.input.is_empty() {
        let p = app::resource_path("samples/sample_720p.mp4", WORKSPACE)
            .context("the default sample samples/sample_720p.mp4 is missing: run ci/samples.sh")?;
        vec![p.to_string_lossy().into_owned()]
    } else {
        args.input.clone()
    };
    let stream_paths = inputs
        .iter()
        .map(|i| deepstream_common::to_uri(i))
        .collect::<Result<Vec<_>>>()?;
    let config = deepstream_common::default_config("ds_demux_pgie_config.txt")
        .map_err(anyhow::Error::msg)?;
    deepstream_main(args, &stream_paths, &config)
}

/// `make_element`: element `factory` named `<factory>-<i>` (unique names
/// for the per-stream branches).
fn make_element(factory: &str, i: usize) -> Result<gst::Element> {
    make(factory, &format!("{factory}-{i}"), factory)
}

/// The sample's `main(args)`.
fn deepstream_main(args: &Args, input_sources: &[String], config: &Path) -> Result<()> {
    let number_sources = input_sources.len();
    let perf_data = Arc::new(PerfData::new(number_sources));
    let platform_info = PlatformInfo::new();

    // The pipeline, and nvstreammux to form batches from the sources.
    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streamux \n \n");
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    pipeline.add(&streammux)?;
    for (i, uri_name) in input_sources.iter().enumerate() {
        print!("Creating source_bin  {i}  \n \n");
        if uri_name.starts_with("rtsp://") {
            is_live = true;
        }
        let source_bin = source::create_source_bin(i, uri_name)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .context("Unable to create sink pad bin ")?;
        let srcpad = source_bin
            .static_pad("src")
            .context("Unable to create src pad bin ")?;
        srcpad.link(&sinkpad)?;
    }
    let queue1 = make("queue", "queue1", "queue1")?;
    pipeline.add(&queue1)?;
    print!("Creating Pgie \n \n");
    let pgie = make("nvinfer", "primary-inference", "pgie")?;
    print!("Creating nvstreamdemux \n \n");
    let nvstreamdemux = make("nvstreamdemux", "nvstreamdemux", "nvstreamdemux")?;

    if is_live {
        println!("Atleast one of the sources is live");
        props::set_property(&streammux, "live-source", true);
    }

    props::set_property(&streammux, "width", 960u32);
    props::set_property(&streammux, "height", 540u32);
    props::set_property(&streammux, "batch-size", number_sources as u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    props::set_property(&pgie, "config-file-path", config.to_string_lossy().as_ref());
    let pgie_batch_size = pgie.property::<u32>("batch-size");
    if pgie_batch_size as usize != number_sources {
        print!(
            "WARNING: Overriding infer-config batch-size {pgie_batch_size}  with number of \
             sources  {number_sources}  \n\n"
        );
        props::set_property(&pgie, "batch-size", number_sources as u32);
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add(&pgie)?;
    pipeline.add(&nvstreamdemux)?;

    // Linking.
    streammux.link(&queue1)?;
    queue1.link(&pgie)?;
    pgie.link(&nvstreamdemux)?;

    // One branch per source:
    // nvstreamdemux -> queue -> nvvidconv -> nvosd -> sink.
    for i in 0..number_sources {
        let sink = if platform_info.is_integrated_gpu() || platform_info.is_platform_aarch64() {
            println!("Creating nv3dsink \n");
            make_element("nv3dsink", i)?
        } else {
            println!("Creating EGLSink \n");
            make_element("nveglglessink", i)?
        };
        pipeline.add(&sink)?;

        let queue = make_element("queue", i)?;
        pipeline.add(&queue)?;

        let nvvideoconvert = make_element("nvvideoconvert", i)?;
        pipeline.add(&nvvideoconvert)?;

        let nvdsosd = make_element("nvdsosd", i)?;
        pipeline.add(&nvdsosd)?;
        // An enum (GstNvDsOsdMode) in NVIDIA's nvdsosd: set by its number,
        // as PyGObject does for the sample's int.
        props::set_property_from_str(&nvdsosd, "process-mode", &OSD_PROCESS_MODE.to_string());
        props::set_property(&nvdsosd, "display-text", OSD_DISPLAY_TEXT);

        // nvstreamdemux -> queue.
        let padname = format!("src_{i}");
        let demuxsrcpad = nvstreamdemux
            .request_pad_simple(&padname)
            .context("Unable to create demux src pad ")?;
        let queuesinkpad = queue
            .static_pad("sink")
            .context("Unable to create queue sink pad ")?;
        demuxsrcpad.link(&queuesinkpad)?;

        // queue -> nvvidconv -> nvosd -> sink.
        queue.link(&nvvideoconvert)?;
        nvvideoconvert.link(&nvdsosd)?;
        nvdsosd.link(&sink)?;

        props::set_property(&sink, "qos", false);
    }

    println!("Linking elements in the Pipeline \n");
    let pgie_src_pad = pgie.static_pad("src").context(" Unable to get src pad ")?;
    let probe_perf = Arc::clone(&perf_data);
    pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
            probe::pgie_src_pad_buffer_probe(buffer, &probe_perf);
        }
        gst::PadProbeReturn::Ok
    });
    // Print the FPS every 5 seconds.
    let interval = Duration::from_millis(args.perf_interval_ms.max(1));
    let perf_timer = perf_data.start_printing(interval);

    // List the sources.
    println!("Now playing...");
    for (i, source) in input_sources.iter().enumerate() {
        println!("{i} :  {source}");
    }

    println!("Starting pipeline \n");
    let result = deepstream_common::run(&pipeline);
    println!("Exiting app\n");
    perf_timer.remove();
    pipeline.set_state(gst::State::Null)?;
    result
}
