//! deepstream-imagedata-multistream in Rust: a faithful port of NVIDIA's
//! Python sample.
//!
//! `N x (uridecodebin source bin) ! nvstreammux ! nvinfer ! nvvideoconvert !
//! video/x-raw(memory:NVMM),format=RGBA ! nvmultistreamtiler !
//! nvvideoconvert ! nvdsosd ! <sink>`, with a probe on the tiler's sink pad
//! that reads each frame's RGBA pixels (`ds_core::surface`), counts
//! vehicles and persons, prints
//! `Frame Number= … Number of Objects= … Vehicle_count= … Person_count= …`,
//! and every 30 frames of a stream, when a frame holds an object of
//! borderline confidence (0.3 < c < 0.4), draws that object's box and label
//! into the frame and saves it as `<folder>/stream_<i>/frame_<n>.jpg`.
//!
//! Beyond the sample: plain file paths are accepted besides URIs;
//! `--output out.mp4` writes the tiled OSD output to MP4 instead of a
//! window; `--no-display` runs without a window; `--config` picks another
//! nvinfer config; `--verbose` prints one line per saved image with the box
//! drawn.
use anyhow::{bail, Context, Result};
use clap::Parser;
use ds_core::app::{self, props, PerfData, PlatformInfo};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod draw;
mod probe;

/// Root of this repository at build time (for the default config).
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1920;
const TILED_OUTPUT_HEIGHT: u32 = 1080;
/// `NVBUF_MEM_CUDA_UNIFIED`: what the sample asks for on dGPU so the CPU
/// can read the frames.
const NVBUF_MEM_CUDA_UNIFIED: &str = "3";

/// DeepStream imagedata-multistream: N sources, detector, tiler; frames with
/// borderline detections are annotated and saved as JPEG.
#[derive(Parser, Debug)]
#[command(
    name = "deepstream-imagedata-multistream",
    version,
    about,
    override_usage = "deepstream-imagedata-multistream [OPTIONS] <uri1> [uri2] ... [uriN] <folder to save frames>"
)]
struct Args {
    /// Input URIs (file://, rtsp://, http://; plain file paths work too),
    /// then the folder to save frames in (must not exist).
    #[arg(required = true, num_args = 2.., value_name = "URI... FOLDER")]
    args: Vec<String>,
    /// Write the tiled OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Run without a window (frames are discarded after the OSD).
    #[arg(long)]
    no_display: bool,
    /// nvinfer config file (default: configs/dstest_imagedata_config.txt).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print one line per saved image: its path and the box drawn.
    #[arg(long)]
    verbose: bool,
    /// Testing aid: the format the capsfilter before the tiler asks for
    /// (the sample's RGBA; any other makes the probe refuse the frames with
    /// ds-core's surface error).
    #[arg(long, hide = true, default_value = "RGBA", value_name = "FORMAT")]
    filter_format: String,
}

/// Makes an element, or fails with the sample's message.
fn make(factory: &str, name: &str, what: &str) -> Result<gst::Element> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .with_context(|| format!("Unable to create {what} ({factory})"))
}

/// A URI for an argument: URIs are kept; a plain path must be an existing
/// file and becomes a `file://` URI. A `file://` URI must name a file.
fn to_uri(arg: &str) -> Result<String> {
    if arg.contains("://") {
        if let Some(rest) = arg.strip_prefix("file://") {
            let path = glib::filename_from_uri(arg)
                .map(|(p, _)| p)
                .unwrap_or_else(|_| PathBuf::from(rest));
            if !path.is_file() {
                bail!("{arg}: no such file");
            }
        }
        return Ok(arg.to_string());
    }
    let path = Path::new(arg);
    if !path.is_file() {
        bail!("{arg}: no such file");
    }
    let abs = std::fs::canonicalize(path).with_context(|| format!("{arg}: cannot resolve"))?;
    Ok(glib::filename_to_uri(&abs, None)
        .with_context(|| format!("{arg}: cannot make a URI"))?
        .to_string())
}

/// The sample's `decodebin_child_added`: follows nested decodebins, asks
/// the decoder for CUDA unified memory on dGPU, and sets `drop-on-latency`
/// on sources that have it.
fn decodebin_child_added(child_proxy: &gst::ChildProxy, object: &glib::Object, name: &str) {
    println!("Decodebin child added: {name} \n");
    if name.contains("decodebin") {
        if let Some(proxy) = object.dynamic_cast_ref::<gst::ChildProxy>() {
            proxy.connect_child_added(decodebin_child_added);
        }
    }
    let platform = PlatformInfo::current();
    if !platform.is_platform_aarch64()
        && name.contains("nvv4l2decoder")
        && object.find_property("cudadec-memtype").is_some()
    {
        props::set_property_from_str(object, "cudadec-memtype", "2");
    }
    if name.contains("source") {
        let source = child_proxy.child_by_name("source");
        if source
            .as_ref()
            .is_some_and(|s| s.find_property("drop-on-latency").is_some())
        {
            props::set_property(object, "drop-on-latency", true);
        }
    }
}

/// The sample's `create_source_bin`: a bin holding a `uridecodebin`, whose
/// ghost pad `src` targets the decoder's pad once it appears, if that pad
/// carries NVMM memory (an NVIDIA decoder was picked).
fn create_source_bin(index: usize, uri: &str) -> Result<gst::Bin> {
    println!("Creating source bin");
    let bin_name = format!("source-bin-{index:02}");
    println!("{bin_name}");
    let nbin = gst::Bin::with_name(&bin_name);
    let uri_decode_bin = make("uridecodebin", "uri-decode-bin", "uri decode bin")?;
    props::set_property(&uri_decode_bin, "uri", uri);
    let bin_weak = nbin.downgrade();
    uri_decode_bin.connect_pad_added(move |_, decoder_src_pad| {
        println!("In cb_newpad\n");
        let Some(source_bin) = bin_weak.upgrade() else {
            return;
        };
        let caps = decoder_src_pad
            .current_caps()
            .unwrap_or_else(|| decoder_src_pad.query_caps(None));
        let Some(s) = caps.structure(0) else { return };
        if !s.name().contains("video") {
            return;
        }
        let nvmm = caps.features(0).is_some_and(|f| f.contains("memory:NVMM"));
        if nvmm {
            let ghost = source_bin
                .static_pad("src")
                .and_then(|p| p.downcast::<gst::GhostPad>().ok());
            if ghost.is_none_or(|g| g.set_target(Some(decoder_src_pad)).is_err()) {
                eprintln!("Failed to link decoder src pad to source bin ghost pad");
            }
        } else {
            eprintln!(" Error: Decodebin did not pick nvidia decoder plugin.");
        }
    });
    if let Some(proxy) = uri_decode_bin.dynamic_cast_ref::<gst::ChildProxy>() {
        proxy.connect_child_added(decodebin_child_added);
    }
    nbin.add(&uri_decode_bin)?;
    let ghost = gst::GhostPad::builder(gst::PadDirection::Src)
        .name("src")
        .build();
    nbin.add_pad(&ghost)
        .context("Failed to add ghost pad in source bin")?;
    Ok(nbin)
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
    let (folder, inputs) = match args.args.split_last() {
        Some((folder, inputs)) if !inputs.is_empty() => (PathBuf::from(folder), inputs),
        _ => bail!("usage: deepstream-imagedata-multistream <uri1> [uri2] ... [uriN] <folder to save frames>"),
    };
    let number_sources = inputs.len();
    if folder.exists() {
        bail!(
            "The output folder {} already exists. Please remove it first.",
            folder.display()
        );
    }
    let uris = inputs
        .iter()
        .map(|s| to_uri(s))
        .collect::<Result<Vec<_>>>()?;
    let config = match &args.config {
        Some(c) => c.clone(),
        None => deepstream_common::default_config("dstest_imagedata_config.txt")
            .map_err(anyhow::Error::msg)?,
    };
    if !config.is_file() {
        bail!("{}: no such nvinfer config file", config.display());
    }
    let perf = Arc::new(PerfData::new(number_sources));

    std::fs::create_dir(&folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    println!("Frames will be saved in  {}", folder.display());
    let platform = PlatformInfo::current();

    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streamux \n \n");
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    pipeline.add(&streammux)?;
    for (i, uri) in uris.iter().enumerate() {
        let dir = folder.join(format!("stream_{i}"));
        std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        print!("Creating source_bin  {i}  \n \n");
        if uri.starts_with("rtsp://") {
            is_live = true;
        }
        let source_bin = create_source_bin(i, uri)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .context("Unable to create sink pad bin")?;
        let srcpad = source_bin
            .static_pad("src")
            .context("Unable to create src pad bin")?;
        srcpad.link(&sinkpad)?;
    }
    print!("Creating Pgie \n \n");
    let pgie = make("nvinfer", "primary-inference", "pgie")?;
    print!("Creating nvvidconv1 \n \n");
    let nvvidconv1 = make("nvvideoconvert", "convertor1", "nvvidconv1")?;
    print!("Creating filter1 \n \n");
    let caps1 = gst::Caps::builder("video/x-raw")
        .features(["memory:NVMM"])
        .field("format", args.filter_format.as_str())
        .build();
    let filter1 = make("capsfilter", "filter1", "the caps filter1")?;
    props::set_property(&filter1, "caps", &caps1);
    print!("Creating tiler \n \n");
    let tiler = make("nvmultistreamtiler", "nvtiler", "tiler")?;
    print!("Creating nvvidconv \n \n");
    let nvvidconv = make("nvvideoconvert", "convertor", "nvvidconv")?;
    print!("Creating nvosd \n \n");
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
        tail.push(sink);
    } else if platform.is_platform_aarch64() {
        println!("Creating nv3dsink \n");
        tail.push(make("nv3dsink", "nv3d-sink", "nv3dsink")?);
    } else {
        println!("Creating EGLSink \n");
        tail.push(make("nveglglessink", "nvvideo-renderer", "egl sink")?);
    }
    if args.output.is_none() {
        if let Some(sink) = tail.last() {
            props::set_property(sink, "sync", false);
            props::set_property(sink, "qos", false);
        }
    }

    if is_live {
        println!("Atleast one of the sources is live");
        props::set_property(&streammux, "live-source", true);
    }
    props::set_property(&streammux, "width", MUXER_OUTPUT_WIDTH);
    props::set_property(&streammux, "height", MUXER_OUTPUT_HEIGHT);
    props::set_property(&streammux, "batch-size", number_sources as u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    props::set_property(&pgie, "config-file-path", config.to_string_lossy().as_ref());
    let pgie_batch_size: u32 = pgie.property("batch-size");
    if pgie_batch_size as usize != number_sources {
        print!(
            "WARNING: Overriding infer-config batch-size {pgie_batch_size}  with number of sources  {number_sources}  \n\n"
        );
        props::set_property(&pgie, "batch-size", number_sources as u32);
    }
    let tiler_rows = (number_sources as f64).sqrt() as u32;
    let tiler_columns = (number_sources as f64 / f64::from(tiler_rows)).ceil() as u32;
    props::set_property(&tiler, "rows", tiler_rows);
    props::set_property(&tiler, "columns", tiler_columns);
    props::set_property(&tiler, "width", TILED_OUTPUT_WIDTH);
    props::set_property(&tiler, "height", TILED_OUTPUT_HEIGHT);

    if !platform.is_platform_aarch64() {
        // CUDA unified memory so that the CPU can read the frames (dGPU);
        // the open elements accept and ignore it.
        for e in [&streammux, &nvvidconv, &nvvidconv1, &tiler] {
            if e.find_property("nvbuf-memory-type").is_some() {
                props::set_property_from_str(e, "nvbuf-memory-type", NVBUF_MEM_CUDA_UNIFIED);
            }
        }
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([&pgie, &tiler, &nvvidconv, &filter1, &nvvidconv1, &nvosd])?;
    pipeline.add_many(&tail)?;

    println!("Linking elements in the Pipeline \n");
    streammux.link(&pgie)?;
    pgie.link(&nvvidconv1)?;
    nvvidconv1.link(&filter1)?;
    filter1.link(&tiler)?;
    tiler.link(&nvvidconv)?;
    nvvidconv.link(&nvosd)?;
    let mut prev = nvosd.clone();
    for e in &tail {
        prev.link(e)?;
        prev = e.clone();
    }

    let tiler_sink_pad = tiler.static_pad("sink").context("Unable to get src pad")?;
    let state = probe::ProbeState::new(folder.clone(), number_sources, args.verbose, perf.clone());
    let failed = AtomicBool::new(false);
    let tiler_weak = tiler.downgrade();
    tiler_sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        // After an error the pipeline is stopping: let the last buffers
        // through untouched.
        if failed.load(Ordering::Acquire) {
            return gst::PadProbeReturn::Ok;
        }
        let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() else {
            return gst::PadProbeReturn::Ok;
        };
        match probe::tiler_sink_pad_buffer_probe(&state, buffer.make_mut()) {
            Ok(()) => gst::PadProbeReturn::Ok,
            Err(message) => {
                // One error on the bus: the bus handler prints it and stops.
                if !failed.swap(true, Ordering::AcqRel) {
                    if let Some(tiler) = tiler_weak.upgrade() {
                        let msg = gst::message::Error::builder(gst::StreamError::Format, &message)
                            .src(&tiler)
                            .build();
                        let _ = tiler.post_message(msg);
                    }
                }
                gst::PadProbeReturn::Ok
            }
        }
    });
    // The FPS of each stream every 5 s, as the sample's perf callback.
    let perf_id = perf.start_printing(Duration::from_secs(5));

    println!("Now playing...");
    for (i, source) in inputs.iter().enumerate() {
        // The sample enumerates argv without the folder and skips argv[0].
        println!("{} :  {source}", i + 1);
    }

    // Ctrl-C: end-of-stream first (the MP4 is finalised), then stop.
    let stopper = app::Interrupter::new(&pipeline);
    ctrlc::set_handler(move || {
        stopper.interrupt();
    })
    .context("cannot install the Ctrl-C handler")?;

    println!("Starting pipeline \n");
    let result = app::run(&pipeline);
    perf_id.remove();
    println!("Exiting app\n");
    pipeline.set_state(gst::State::Null)?;
    result?;
    Ok(())
}
