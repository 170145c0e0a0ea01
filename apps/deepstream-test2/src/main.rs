//! deepstream-test2 in Rust: a faithful port of NVIDIA's Python sample.
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer (primary) !
//! nvtracker ! nvinfer (secondary 1) ! nvinfer (secondary 2) !
//! nvvideoconvert ! nvdsosd ! <sink>`, with the sample's probe on the OSD's
//! sink pad (`Frame Number=… Number of Objects=… Vehicle_count=…
//! Person_count=…`). The tracker's properties come from the `[tracker]` group
//! of configs/dstest2_tracker_config.txt, as the sample reads them
//! (tracker-width, tracker-height, gpu-id, ll-lib-file, ll-config-file;
//! past-frame meta is always attached, as by NVIDIA's tracker since 6.3);
//! with the second argument 1 the probe prints that meta.
//!
//! Secondary classifiers: NVIDIA's vehicle make/type models are not
//! redistributable; the open setup runs two face-attribute classifiers
//! (gender, emotion; see configs/dstest2_sgie*_config.txt) on persons.
//!
//! Beyond the sample: no argument runs the default sample clip;
//! `--output out.mp4` writes the OSD output to MP4 instead of a window;
//! `--no-display` runs without a window; `--verbose` (hidden) prints one
//! `Object <id> <class> <sgie1 label> <sgie2 label>` line per object.
use anyhow::{bail, Context, Result};
use clap::Parser;
use ds_core::app::{self, props, PlatformInfo};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;

mod probe;

/// Root of this repository at build time (for the default sample/config).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_BATCH_TIMEOUT_USEC: i32 = 4_000_000;

/// DeepStream test2: detector + tracker + two secondary classifiers on one H.264 file.
#[derive(Parser, Debug)]
#[command(name = "deepstream-test2", version, about)]
struct Args {
    /// H.264 elementary stream to play (default: samples/sample_720p.h264).
    input: Option<String>,
    /// 1: print the tracker's past-frame meta, as the sample's second argument
    /// (nvtracker attaches it with enable-past-frame=1 in the tracker config).
    #[arg(value_name = "0/1", value_parser = clap::value_parser!(u8).range(0..=1))]
    past_tracking: Option<u8>,
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

/// A config file: NVIDIA's stock one on the nvidia backend, ours on the
/// open backend (see `deepstream_common::config_dir`).
fn config_file(name: &str) -> Result<PathBuf> {
    deepstream_common::default_config(name).map_err(anyhow::Error::msg)
}

/// Sets the nvtracker properties from the `[tracker]` group of the sample's
/// tracker config, as the sample does (`ll-config-file` is resolved against
/// the config's directory).
fn configure_tracker(tracker: &gst::Element, path: &std::path::Path) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut in_tracker = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            in_tracker = line == "[tracker]";
            continue;
        }
        if !in_tracker {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            bail!("{}:{}: expected key=value", path.display(), n + 1);
        };
        let (key, value) = (key.trim(), value.trim());
        let int = || -> Result<u32> {
            value.parse().with_context(|| {
                format!(
                    "{}:{}: bad value '{value}' for {key}",
                    path.display(),
                    n + 1
                )
            })
        };
        // The keys the sample reads, set as it sets them; NVIDIA's tracker
        // has had no enable-batch-process / enable-past-frame since 6.3
        // (past-frame output is always on), so the sample reads neither.
        match key {
            "tracker-width" | "tracker-height" | "gpu-id" => {
                props::set_property(tracker, key, int()?);
            }
            "ll-lib-file" => {
                props::set_property(tracker, key, value);
            }
            "ll-config-file" => {
                let p = dir.join(value);
                props::set_property(tracker, key, p.to_string_lossy().as_ref());
            }
            _ => {}
        }
    }
    Ok(())
}

/// Makes an element, or fails with the sample's message.
fn make(factory: &str, name: &str, what: &str) -> Result<gst::Element> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .with_context(|| format!("Unable to create {what} ({factory})"))
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

fn main() {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => {}
        Err(e) => {
            // Pipeline errors were already printed by the bus handler, as
            // the sample's bus_call prints them.
            if e.downcast_ref::<app::PipelineError>().is_none() {
                eprintln!("Error: {e:#}");
            }
            std::process::exit(1);
        }
    }
}

fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    let input = input_path(args)?;
    let pgie_config = config_file("dstest2_pgie_config.txt")?;
    let sgie1_config = config_file("dstest2_sgie1_config.txt")?;
    let sgie2_config = config_file("dstest2_sgie2_config.txt")?;
    let tracker_config = config_file("dstest2_tracker_config.txt")?;
    let platform = PlatformInfo::current();

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
    let mut tail: Vec<gst::Element> = Vec::new();
    if let Some(out) = &args.output {
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        println!("Creating MP4 output {} \n", out.display());
        tail.push(make("nvvideoconvert", "mp4-convertor", "nvvidconv")?);
        tail.push(make("nvv4l2h264enc", "h264-encoder", "encoder")?);
        tail.push(make("h264parse", "h264-parser-out", "h264 parser")?);
        tail.push(make("mp4mux", "mp4-mux", "mp4mux")?);
        let sink = make("filesink", "file-sink", "file sink")?;
        props::set_property(&sink, "location", out.to_string_lossy().as_ref());
        tail.push(sink);
    } else if args.no_display {
        let sink = make("fakesink", "fake-sink", "fakesink")?;
        props::set_property(&sink, "sync", false);
        tail.push(sink);
    } else if platform.is_integrated_gpu() || platform.is_platform_aarch64() {
        println!("Creating nv3dsink \n");
        tail.push(make("nv3dsink", "nv3d-sink", "nv3dsink")?);
    } else {
        println!("Creating EGLSink \n");
        tail.push(make("nveglglessink", "nvvideo-renderer", "egl sink")?);
    }

    println!("Playing file {} ", input.display());
    props::set_property(&source, "location", input.to_string_lossy().as_ref());
    if std::env::var("USE_NEW_NVSTREAMMUX").as_deref() != Ok("yes") {
        props::set_property(&streammux, "width", 1920u32);
        props::set_property(&streammux, "height", 1080u32);
        props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    }
    props::set_property(&streammux, "batch-size", 1u32);
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

    // The metadata is complete at the OSD's sink pad.
    let osdsinkpad = nvosd
        .static_pad("sink")
        .context("Unable to get sink pad of nvosd")?;
    let verbose = args.verbose;
    let past_tracking = args.past_tracking == Some(1);
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::osd_sink_pad_buffer_probe(buffer.make_mut(), verbose, past_tracking);
        }
        gst::PadProbeReturn::Ok
    });

    // Ctrl-C: end-of-stream first (the MP4 is finalised), then stop.
    let stopper = app::Interrupter::new(&pipeline);
    ctrlc::set_handler(move || {
        stopper.interrupt();
    })
    .context("cannot install the Ctrl-C handler")?;

    println!("Starting pipeline \n");
    let result = app::run(&pipeline);
    pipeline.set_state(gst::State::Null)?;
    result?;
    Ok(())
}
