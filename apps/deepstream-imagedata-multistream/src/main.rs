//! deepstream-imagedata-multistream in Rust: a faithful port of NVIDIA's
//! `deepstream_imagedata-multistream.py` (release 1.2.0, DeepStream 7.1).
//!
//! `N x (uridecodebin source bin) ! nvstreammux ! nvinfer ! nvvideoconvert !
//! video/x-raw(memory:NVMM),format=RGBA ! nvmultistreamtiler !
//! nvvideoconvert ! nvdsosd ! <sink>`, with a probe on the tiler's sink pad
//! (`probe.rs`) that reads each frame's RGBA pixels (`ds_core::surface`),
//! counts vehicles and persons, prints
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
use deepstream_common::{make, Output, PlatformInfo};
use ds_core::app::{props, PerfData};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

mod draw;
mod probe;

const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1920;
const TILED_OUTPUT_HEIGHT: u32 = 1080;
/// `NVBUF_MEM_CUDA_PINNED` (`NvBufSurfaceMemType`, nvbufsurface.h).
const NVBUF_MEM_CUDA_PINNED: &str = "1";
/// `NVBUF_MEM_CUDA_UNIFIED` (`NvBufSurfaceMemType`, nvbufsurface.h).
const NVBUF_MEM_CUDA_UNIFIED: &str = "3";
/// The sample's usage line (`usage: %s <uri1> ...`, with the program name).
const USAGE: &str =
    "deepstream-imagedata-multistream <uri1> [uri2] ... [uriN] <folder to save frames>";

/// The sample's global `platform_info`: asked when the sink is chosen, by
/// `decodebin_child_added` and for the memory types.
static PLATFORM_INFO: LazyLock<PlatformInfo> = LazyLock::new(PlatformInfo::new);

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
/// the decoder for CUDA unified memory where the GPU is not integrated, and
/// sets `drop-on-latency` on sources that have it.
fn decodebin_child_added(child_proxy: &gst::ChildProxy, object: &glib::Object, name: &str) {
    println!("Decodebin child added: {name} \n");
    if name.contains("decodebin") {
        if let Some(proxy) = object.dynamic_cast_ref::<gst::ChildProxy>() {
            proxy.connect_child_added(decodebin_child_added);
        }
    }
    if !PLATFORM_INFO.is_integrated_gpu() && name.contains("nvv4l2decoder") {
        // CUDA unified memory, so that the CPU can read the frames. 2 is
        // the decoder's own value for it (its enum differs from
        // NvBufSurfaceMemType).
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

/// The sample's memory types: where the GPU is not integrated, CUDA unified
/// memory on the muxer, converters and tiler, so the CPU can read the frames
/// (pinned memory for nvvidconv1 under WSL, whose unified memory the CPU
/// drawing cannot use). The open elements accept and ignore them.
fn set_memory_types(
    platform_info: &PlatformInfo,
    streammux: &gst::Element,
    nvvidconv: &gst::Element,
    nvvidconv1: &gst::Element,
    tiler: &gst::Element,
) {
    if !platform_info.is_integrated_gpu() {
        let mem_type = NVBUF_MEM_CUDA_UNIFIED;
        props::set_property_from_str(streammux, "nvbuf-memory-type", mem_type);
        props::set_property_from_str(nvvidconv, "nvbuf-memory-type", mem_type);
        if platform_info.is_wsl() {
            println!("using nvbuf_mem_cuda_pinned memory for nvvidconv1\n");
            props::set_property_from_str(nvvidconv1, "nvbuf-memory-type", NVBUF_MEM_CUDA_PINNED);
        } else {
            props::set_property_from_str(nvvidconv1, "nvbuf-memory-type", mem_type);
        }
        props::set_property_from_str(tiler, "nvbuf-memory-type", mem_type);
    }
}

fn main() {
    let args: Args = deepstream_common::parse_args(USAGE);
    let output = Output::from_options(args.output.as_deref(), args.no_display);
    let result = run(&args, &output);
    deepstream_common::exit_on_error(result, || {
        deepstream_common::sink::remove_empty_output(&output)
    });
}

fn run(args: &Args, output: &Output) -> Result<()> {
    // clap asks for two arguments at least: inputs, then the folder.
    let Some((folder, inputs)) = args.args.split_last() else {
        bail!("usage: {USAGE}");
    };
    let number_sources = inputs.len();
    let folder_name = PathBuf::from(folder);
    if folder_name.exists() {
        // The sample's own line (no `Error:` prefix), exit 1.
        eprintln!(
            "The output folder {} already exists. Please remove it first.",
            folder_name.display()
        );
        std::process::exit(1);
    }
    let uris = inputs
        .iter()
        .map(|s| to_uri(s))
        .collect::<Result<Vec<_>>>()?;
    ds_open::init_and_report()?;
    let config = match &args.config {
        Some(c) => c.clone(),
        None => deepstream_common::default_config("dstest_imagedata_config.txt")
            .map_err(anyhow::Error::msg)?,
    };
    if !config.is_file() {
        bail!("{}: no such nvinfer config file", config.display());
    }
    let perf_data = Arc::new(PerfData::new(number_sources));

    std::fs::create_dir(&folder_name)
        .with_context(|| format!("cannot create the folder {}", folder_name.display()))?;
    println!("Frames will be saved in  {}", folder_name.display());
    let platform_info = &*PLATFORM_INFO;

    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streamux \n \n");
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    pipeline.add(&streammux)?;
    for (i, uri_name) in uris.iter().enumerate() {
        let dir = folder_name.join(format!("stream_{i}"));
        std::fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        print!("Creating source_bin  {i}  \n \n");
        if uri_name.starts_with("rtsp://") {
            is_live = true;
        }
        let source_bin = create_source_bin(i, uri_name)?;
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
    // nvvidconv1 and filter1 convert the frames to RGBA, which the probe
    // reads.
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
    // The sample asks the platform question (and prints its line) here, so
    // the extras ask it too.
    platform_info.is_integrated_gpu();
    let tail = match output {
        Output::Display => vec![deepstream_common::render_sink(platform_info)?],
        Output::Mp4(path) => deepstream_common::mp4_tail(path)?,
        Output::None => vec![make("fakesink", "fake-sink", "fakesink")?],
    };

    if is_live {
        println!("Atleast one of the sources is live");
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

    // The sample's sink runs unsynchronised, without QoS (the MP4 extra's
    // filesink already does).
    if !matches!(output, Output::Mp4(_)) {
        if let Some(sink) = tail.last() {
            props::set_property(sink, "sync", false);
            props::set_property(sink, "qos", false);
        }
    }

    set_memory_types(platform_info, &streammux, &nvvidconv, &nvvidconv1, &tiler);

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
    let state = probe::ProbeState::new(
        folder_name.clone(),
        number_sources,
        args.verbose,
        perf_data.clone(),
    );
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
    let perf_id = perf_data.start_printing(Duration::from_secs(5));

    // List the sources (the sample enumerates argv without the folder and
    // skips argv[0]).
    println!("Now playing...");
    for (i, source) in inputs.iter().enumerate() {
        println!("{} :  {source}", i + 1);
    }

    println!("Starting pipeline \n");
    let result = deepstream_common::run(&pipeline);
    perf_id.remove();
    println!("Exiting app\n");
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use ds_core::app::PlatformInfo as Facts;

    fn facts(integrated_gpu: bool, wsl: bool) -> PlatformInfo {
        PlatformInfo::with_facts(Facts {
            aarch64: integrated_gpu,
            integrated_gpu,
            discrete_gpu: !integrated_gpu,
            wsl,
        })
    }

    /// The memory type of each element, as set by `set_memory_types`.
    fn memory_types(platform_info: &PlatformInfo) -> [i32; 4] {
        ds_open::init().unwrap();
        let streammux = make("nvstreammux", "m", "mux").unwrap();
        let nvvidconv = make("nvvideoconvert", "c", "conv").unwrap();
        let nvvidconv1 = make("nvvideoconvert", "c1", "conv1").unwrap();
        let tiler = make("nvmultistreamtiler", "t", "tiler").unwrap();
        set_memory_types(platform_info, &streammux, &nvvidconv, &nvvidconv1, &tiler);
        [&streammux, &nvvidconv, &nvvidconv1, &tiler].map(|e| {
            e.property_value("nvbuf-memory-type")
                .transform::<i32>()
                .unwrap()
                .get::<i32>()
                .unwrap()
        })
    }

    #[test]
    fn unified_memory_where_the_gpu_is_not_integrated() {
        assert_eq!(memory_types(&facts(false, false)), [3, 3, 3, 3]);
    }

    #[test]
    fn pinned_memory_for_nvvidconv1_under_wsl() {
        assert_eq!(memory_types(&facts(false, true)), [3, 3, 1, 3]);
    }

    #[test]
    fn default_memory_on_an_integrated_gpu() {
        // Jetson (and any integrated GPU): the elements' defaults.
        assert_eq!(memory_types(&facts(true, false)), [0, 0, 0, 0]);
    }
}
