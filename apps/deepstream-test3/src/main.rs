//! deepstream-test3 in Rust: a faithful port of NVIDIA's Python sample
//! (`deepstream_test_3.py`, release 1.2.0).
//!
//! N sources (URIs), each `uridecodebin` (`nvurisrcbin` with
//! `--file-loop`) in a source bin, batched by `nvstreammux` (batch-size N,
//! 1920x1080), `nvinfer` (primary detector), `nvmultistreamtiler` (rows =
//! floor(sqrt N), columns = ceil(N / rows), 1280x720), `nvvideoconvert`,
//! `nvdsosd` and a sink, with queues between them as in the sample. A probe
//! on nvinfer's src pad prints
//! `Frame Number= … Number of Objects= … Vehicle_count= … Person_count= …`
//! per frame and the per-stream FPS (`**PERF: {…}`) every 5 seconds;
//! `--disable-probe` puts `nvdslogger` after nvinfer instead.
//! `NVDS_ENABLE_LATENCY_MEASUREMENT=1` measures every batch's latency.
//!
//! Beyond the sample (see README.md): no `-i` runs the default sample clip;
//! plain file paths are accepted as inputs; `--output out.mp4` writes the
//! OSD output to MP4; a source that fails (bad URI, missing file) is
//! reported in one line and removed while the others go on.
mod cli;
mod latency;
mod probe;
mod runner;
mod source;

use anyhow::{bail, Context, Result};
use clap::CommandFactory;
use cli::Args;
use deepstream_common::{make, Output, PlatformInfo};
use ds_core::app::{self, props, PerfData};
use gstreamer as gst;
use gstreamer::prelude::*;
use probe::ProbeOptions;
use runner::{App, Source};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Root of this repository at build time (for the default sample).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const OSD_PROCESS_MODE: i32 = 0;
const OSD_DISPLAY_TEXT: bool = true;

/// Tiler grid of the sample: rows = floor(sqrt n), columns = ceil(n / rows).
fn tiler_grid(n: usize) -> (u32, u32) {
    let rows = ((n as f64).sqrt() as u32).max(1);
    let columns = (n as u32).div_ceil(rows);
    (rows, columns)
}

fn main() {
    // Argument errors: the usage line and the error, exit status 2, as
    // argparse's.
    let args = cli::parse();
    let output = Output::from_options(args.output.as_deref(), args.no_display);
    let result = run(&args, &output);
    let cleanup = || deepstream_common::sink::remove_empty_output(&output);
    if result.as_ref().is_err_and(|e| e.is::<runner::Quiet>()) {
        // Every failed source has had its line.
        cleanup();
        std::process::exit(1);
    }
    deepstream_common::exit_on_error(result, cleanup);
}

/// The sample's `parse_args()` checks, then its `main()`.
fn run(args: &Args, output: &Output) -> Result<()> {
    ds_open::init_and_report()?;
    let (stream_paths, config) = parse_args(args)?;
    deepstream_main(args, &stream_paths, &config, output)
}

/// The checks of the sample's `parse_args()` and its `print(vars(args))`;
/// returns the inputs as URIs and the nvinfer config.
fn parse_args(args: &Args) -> Result<(Vec<String>, PathBuf)> {
    let inputs: Vec<String> = if args.input.is_empty() {
        let p = app::resource_path("samples/sample_720p.mp4", WORKSPACE)
            .context("the default sample samples/sample_720p.mp4 is missing: run ci/samples.sh")?;
        vec![p.to_string_lossy().into_owned()]
    } else {
        args.input.clone()
    };
    if args.configfile.is_some() != args.pgie.is_some() {
        // The sample prints its help (to stdout) after the message.
        let _ = Args::command().print_help();
        bail!("Either pgie or configfile is missing. Please specify both! Exiting...");
    }
    if let Some(c) = &args.configfile {
        if !c.is_file() {
            bail!(
                "Specified config-file: {} doesn't exist. Exiting...",
                c.display()
            );
        }
    }
    if let Some(pgie @ ("nvinferserver" | "nvinferserver-grpc")) = args.pgie.as_deref() {
        if ds_core::backend() == "open" {
            bail!(
                "{pgie}: nvinferserver (Triton) is not available on the open backend; \
                 use -g nvinfer"
            );
        }
    }
    let uris = inputs
        .iter()
        .map(|i| deepstream_common::to_uri(i))
        .collect::<Result<Vec<_>>>()?;
    println!("{}", cli::vars_line(args, &inputs));
    let config = match &args.configfile {
        Some(c) => c.clone(),
        None => deepstream_common::default_config("dstest3_pgie_config.txt")
            .map_err(anyhow::Error::msg)?,
    };
    Ok((uris, config))
}

/// The sample's `main(args, requested_pgie, config, disable_probe)`.
fn deepstream_main(
    args: &Args,
    stream_paths: &[String],
    config: &Path,
    output: &Output,
) -> Result<()> {
    let number_sources = stream_paths.len();
    let perf_data = Arc::new(PerfData::new(number_sources));
    let platform_info = PlatformInfo::new();

    // The pipeline, and nvstreammux to form batches from the sources.
    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streamux \n \n");
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    pipeline.add(&streammux)?;
    let mut sources = Vec::new();
    for (i, uri_name) in stream_paths.iter().enumerate() {
        print!("Creating source_bin  {i}  \n \n");
        if uri_name.starts_with("rtsp://") {
            is_live = true;
        }
        let reconnect = (args.rtsp_reconnect_interval > 0)
            .then_some((args.rtsp_reconnect_interval, args.rtsp_reconnect_attempts));
        let source_bin = source::create_source_bin(i, uri_name, args.file_loop, reconnect)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .context("Unable to create sink pad bin ")?;
        let srcpad = source_bin
            .static_pad("src")
            .context("Unable to create src pad bin ")?;
        srcpad.link(&sinkpad)?;
        let source = Source::new(uri_name, source_bin, sinkpad);
        if reconnect.is_some() && uri_name.starts_with("rtsp://") {
            source.report_reconnection(i, &srcpad);
        }
        sources.push(source);
    }
    let queue1 = make("queue", "queue1", "queue1")?;
    let queue2 = make("queue", "queue2", "queue2")?;
    let queue3 = make("queue", "queue3", "queue3")?;
    let queue4 = make("queue", "queue4", "queue4")?;
    let queue5 = make("queue", "queue5", "queue5")?;
    pipeline.add_many([&queue1, &queue2, &queue3, &queue4, &queue5])?;

    let mut nvdslogger = None;

    print!("Creating Pgie \n \n");
    let pgie_factory = match args.pgie.as_deref() {
        Some("nvinferserver" | "nvinferserver-grpc") => "nvinferserver",
        _ => "nvinfer",
    };
    let pgie = make(pgie_factory, "primary-inference", "pgie")?;

    if args.disable_probe {
        // nvdslogger measures the FPS instead of the probe.
        println!("Creating nvdslogger \n");
        nvdslogger = Some(make("nvdslogger", "nvdslogger", "nvdslogger")?);
    }

    print!("Creating tiler \n \n");
    let tiler = make("nvmultistreamtiler", "nvtiler", "tiler")?;
    print!("Creating nvvidconv \n \n");
    let nvvidconv = make("nvvideoconvert", "convertor", "nvvidconv")?;
    print!("Creating nvosd \n \n");
    let nvosd = make("nvdsosd", "onscreendisplay", "nvosd")?;
    // An enum (GstNvDsOsdMode) in NVIDIA's nvdsosd: set by its number, as
    // PyGObject does for the sample's int.
    props::set_property_from_str(&nvosd, "process-mode", &OSD_PROCESS_MODE.to_string());
    props::set_property(&nvosd, "display-text", OSD_DISPLAY_TEXT);

    if args.file_loop {
        // nvurisrcbin's memory: surface array on an integrated GPU, CUDA
        // device memory otherwise (GstNvBufMemoryType, set by its number).
        let memtype = if platform_info.is_integrated_gpu() {
            "4"
        } else {
            "2"
        };
        props::set_property_from_str(&streammux, "nvbuf-memory-type", memtype);
    }

    // The sink: fakesink with --no-display, the sample's renderer, or
    // (extra) an MP4 file; the extra asks the platform question where the
    // renderer does, so the platform line comes at the same place.
    let sink_tail = match output {
        Output::None => {
            println!("Creating Fakesink \n");
            let sink = make("fakesink", "fakesink", "fakesink")?;
            props::set_property(&sink, "enable-last-sample", false);
            props::set_property(&sink, "sync", false);
            vec![sink]
        }
        Output::Display => vec![deepstream_common::render_sink(&platform_info)?],
        Output::Mp4(path) => {
            platform_info.is_integrated_gpu();
            deepstream_common::mp4_tail(path)?
        }
    };

    if is_live {
        println!("At least one of the sources is live");
        props::set_property(&streammux, "live-source", true);
    }

    props::set_property(&streammux, "width", MUXER_OUTPUT_WIDTH);
    props::set_property(&streammux, "height", MUXER_OUTPUT_HEIGHT);
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
    let (tiler_rows, tiler_columns) = tiler_grid(number_sources);
    props::set_property(&tiler, "rows", tiler_rows);
    props::set_property(&tiler, "columns", tiler_columns);
    props::set_property(&tiler, "width", TILED_OUTPUT_WIDTH);
    props::set_property(&tiler, "height", TILED_OUTPUT_HEIGHT);
    // GstNvComputeHWType: VIC on an integrated GPU, the GPU otherwise.
    let compute_hw = if platform_info.is_integrated_gpu() {
        "2"
    } else {
        "1"
    };
    props::set_property_from_str(&tiler, "compute-hw", compute_hw);
    let sink = sink_tail
        .last()
        .context(" Unable to create sink element ")?;
    props::set_property(sink, "qos", false);

    println!("Adding elements to Pipeline \n");
    pipeline.add(&pgie)?;
    if let Some(nvdslogger) = &nvdslogger {
        pipeline.add(nvdslogger)?;
    }
    pipeline.add_many([&tiler, &nvvidconv, &nvosd])?;
    pipeline.add_many(&sink_tail)?;

    println!("Linking elements in the Pipeline \n");
    streammux.link(&queue1)?;
    queue1.link(&pgie)?;
    pgie.link(&queue2)?;
    if let Some(nvdslogger) = &nvdslogger {
        queue2.link(nvdslogger)?;
        nvdslogger.link(&tiler)?;
    } else {
        queue2.link(&tiler)?;
    }
    tiler.link(&queue3)?;
    queue3.link(&nvvidconv)?;
    nvvidconv.link(&queue4)?;
    queue4.link(&nvosd)?;
    nvosd.link(&queue5)?;
    gst::Element::link_many(std::iter::once(&queue5).chain(&sink_tail))?;

    let app_state = App::new(&pipeline, sources);
    runner::stop_on_ctrl_c(&app_state)?;

    // Latency measurement when NVDS_ENABLE_LATENCY_MEASUREMENT=1 (with
    // NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT=1 as well, per component).
    let measure_latency = latency::requested();
    let pgie_src_pad = pgie.static_pad("src").context(" Unable to get src pad ")?;
    let mut perf_timer = None;
    // The hidden --num-frames counts frames through the probe even with
    // --disable-probe (silently then).
    if !args.disable_probe || args.num_frames.is_some() {
        let options = ProbeOptions {
            silent: args.silent || args.disable_probe,
            measure_latency: measure_latency && !args.disable_probe,
        };
        let perf_data = Arc::clone(&perf_data);
        let limit = args.num_frames;
        let frames = AtomicU64::new(0);
        let weak = Arc::downgrade(&app_state);
        pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
                let n = probe::pgie_src_pad_buffer_probe(buffer, options, &perf_data);
                let total = frames.fetch_add(n, Ordering::SeqCst) + n;
                if limit.is_some_and(|l| total >= l && total - n < l) {
                    if let Some(a) = weak.upgrade() {
                        a.stop();
                    }
                }
            }
            gst::PadProbeReturn::Ok
        });
    }
    if !args.disable_probe {
        // Print the FPS every 5 seconds.
        let interval = Duration::from_millis(args.perf_interval_ms.max(1));
        perf_timer = Some(perf_data.start_printing(interval));
    }

    if measure_latency {
        println!(
            "Pipeline Latency Measurement enabled!\nPlease set env var \
             NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT=1 for Component Latency Measurement"
        );
    }

    // List the sources.
    println!("Now playing...");
    for (i, source) in stream_paths.iter().enumerate() {
        println!("{i} :  {source}");
    }

    println!("Starting pipeline \n");
    let result = runner::run_pipeline(&app_state);
    println!("Exiting app\n");
    if let Some(t) = perf_timer {
        t.remove();
    }
    pipeline.set_state(gst::State::Null)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiler_grid_as_the_sample() {
        assert_eq!(tiler_grid(1), (1, 1));
        assert_eq!(tiler_grid(2), (1, 2));
        assert_eq!(tiler_grid(3), (1, 3));
        assert_eq!(tiler_grid(4), (2, 2));
        assert_eq!(tiler_grid(5), (2, 3));
        assert_eq!(tiler_grid(9), (3, 3));
    }
}
