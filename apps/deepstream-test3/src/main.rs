//! deepstream-test3 in Rust: a faithful port of NVIDIA's Python sample.
//!
//! N sources (URIs), each `uridecodebin` in a source bin, batched by
//! `nvstreammux` (batch-size N, 1920x1080), `nvinfer` (primary detector),
//! `nvmultistreamtiler` (rows = floor(sqrt N), columns = ceil(N / rows),
//! 1280x720), `nvvideoconvert`, `nvdsosd` and a sink, with queues between
//! them as in the sample. A probe on nvinfer's src pad prints
//! `Frame Number= … Number of Objects= … Vehicle_count= … Person_count= …`
//! per frame and the per-stream FPS (`**PERF: {…}`) every 5 seconds.
//!
//! Beyond the sample: no `-i` runs the default sample clip; plain file
//! paths are accepted as inputs; `--output out.mp4` writes the OSD output
//! to MP4; a source that fails (bad URI, missing file) is reported in one
//! line and removed while the others go on; `--file-loop` works with
//! `uridecodebin` (see [`source`]).
use anyhow::{bail, Context, Result};
use clap::Parser;
use ds_core::app::{self, props, PerfData, PlatformInfo};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod probe;
mod source;

use source::{make, SourceShared};

/// Root of this repository at build time (for the default sample/config).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
const OSD_PROCESS_MODE: i32 = 0;
const OSD_DISPLAY_TEXT: bool = true;

/// deepstream-test3 multi stream, multi model inference reference app
#[derive(Parser, Debug)]
#[command(name = "deepstream-test3", version, about)]
struct Args {
    /// Path to input streams: URIs (file://, rtsp://, http://...) or file
    /// paths (default: samples/sample_720p.mp4).
    #[arg(short = 'i', long = "input", value_name = "URIs", num_args = 1..)]
    input: Vec<String>,
    /// Choose the config-file to be used with specified pgie.
    #[arg(short = 'c', long = "configfile", value_name = "config_location.txt")]
    configfile: Option<PathBuf>,
    /// Choose Primary GPU Inference Engine.
    #[arg(short = 'g', long = "pgie", value_parser = ["nvinfer", "nvinferserver", "nvinferserver-grpc"])]
    pgie: Option<String>,
    /// Disable display of video output.
    #[arg(long)]
    no_display: bool,
    /// Loop the input file sources after EOS.
    #[arg(long)]
    file_loop: bool,
    /// Disable the probe function and use nvdslogger for FPS.
    #[arg(long)]
    disable_probe: bool,
    /// Disable verbose output.
    #[arg(short = 's', long)]
    silent: bool,
    /// Write the OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE.mp4")]
    output: Option<PathBuf>,
    /// (testing) Stop (end-of-stream) after this many frames.
    #[arg(long, hide = true)]
    num_frames: Option<u64>,
    /// (testing) PERF print interval in milliseconds.
    #[arg(long, hide = true, default_value_t = 5000)]
    perf_interval_ms: u64,
}

/// Python's `repr` of a string.
fn py_repr(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn py_opt(s: Option<String>) -> String {
    s.map(|s| py_repr(&s)).unwrap_or_else(|| "None".into())
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `print(vars(args))` of the sample.
fn vars_line(args: &Args, inputs: &[String]) -> String {
    let input: Vec<String> = inputs.iter().map(|s| py_repr(s)).collect();
    format!(
        "{{'input': [{}], 'configfile': {}, 'pgie': {}, 'no_display': {}, 'file_loop': {}, \
         'disable_probe': {}, 'silent': {}}}",
        input.join(", "),
        py_opt(
            args.configfile
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
        ),
        py_opt(args.pgie.clone()),
        py_bool(args.no_display),
        py_bool(args.file_loop),
        py_bool(args.disable_probe),
        py_bool(args.silent),
    )
}

/// A URI for an input: URIs are kept, paths become `file://` URIs.
fn to_uri(input: &str) -> Result<String> {
    let is_uri = input.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if is_uri {
        return Ok(input.to_string());
    }
    let path = std::path::absolute(Path::new(input))
        .with_context(|| format!("{input}: not a valid path"))?;
    Ok(glib::filename_to_uri(&path, None)
        .with_context(|| format!("{input}: cannot make a file URI"))?
        .to_string())
}

/// Tiler grid of the sample: rows = floor(sqrt n), columns = ceil(n / rows).
fn tiler_grid(n: usize) -> (u32, u32) {
    let rows = ((n as f64).sqrt() as u32).max(1);
    let columns = (n as u32).div_ceil(rows);
    (rows, columns)
}

fn main() {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => {}
        Err(e) => {
            // Pipeline and source errors were already printed.
            if e.downcast_ref::<app::PipelineError>().is_none()
                && e.downcast_ref::<Quiet>().is_none()
            {
                eprintln!("Error: {e:#}");
            }
            std::process::exit(1);
        }
    }
}

/// A failure whose message has been printed already.
#[derive(Debug)]
struct Quiet;

impl std::fmt::Display for Quiet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failed")
    }
}

impl std::error::Error for Quiet {}

/// One source of the pipeline.
#[derive(Debug)]
struct Source {
    uri: String,
    bin: gst::Bin,
    /// The muxer's sink pad (released when the source fails).
    mux_pad: Option<gst::Pad>,
    failed: bool,
    /// The elements the bin held when it failed (`uridecodebin` removes
    /// its children when stopped, and they may still post errors).
    dead: Vec<gst::Object>,
}

/// What the bus handler, the probe and Ctrl-C share.
struct App {
    pipeline: gst::Pipeline,
    sources: Mutex<Vec<Source>>,
    shared: Arc<SourceShared>,
    stop_requests: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    /// First call: end-of-stream into every live muxer pad (the sources
    /// stop looping); second call: stop at once.
    fn stop(&self) {
        if self.stop_requests.fetch_add(1, Ordering::SeqCst) == 0 {
            self.shared.stopping.store(true, Ordering::SeqCst);
            let pads: Vec<gst::Pad> = lock(&self.sources)
                .iter()
                .filter(|s| !s.failed)
                .filter_map(|s| s.mux_pad.clone())
                .collect();
            // Never from a streaming thread: a serialized event waits for
            // the pad's stream lock.
            std::thread::spawn(move || {
                for pad in pads {
                    pad.send_event(gst::event::Eos::new());
                }
            });
        } else {
            let s = gst::Structure::new_empty(app::bus::FORCE_STOP_MESSAGE);
            let _ = self.pipeline.post_message(
                gst::message::Application::builder(s)
                    .src(&self.pipeline)
                    .build(),
            );
        }
    }

    /// The index of the source bin `obj` belongs to.
    fn source_of(&self, obj: &gst::Object) -> Option<usize> {
        let mut cur = Some(obj.clone());
        let sources = lock(&self.sources);
        while let Some(o) = cur {
            if let Some(i) = sources
                .iter()
                .position(|s| s.bin.upcast_ref::<gst::Object>() == &o || s.dead.contains(&o))
            {
                return Some(i);
            }
            cur = o.parent();
        }
        None
    }

    /// Removes failed source `i` from the pipeline. Returns how many
    /// sources are still working.
    fn fail_source(&self, i: usize) -> usize {
        let (bin, pad) = {
            let mut sources = lock(&self.sources);
            let s = &mut sources[i];
            s.failed = true;
            s.dead = s
                .bin
                .iterate_recurse()
                .into_iter()
                .filter_map(|e| e.ok())
                .map(|e| e.upcast())
                .collect();
            (s.bin.clone(), s.mux_pad.take())
        };
        bin.set_locked_state(true);
        let _ = self.pipeline.remove(&bin);
        let _ = bin.set_state(gst::State::Null);
        // The muxer's per-source end-of-stream: it goes on with the others
        // (the pad stays: releasing it does not wake a muxer waiting for it).
        if let Some(pad) = pad {
            pad.send_event(gst::event::Eos::new());
        }
        lock(&self.sources).iter().filter(|s| !s.failed).count()
    }
}

/// The error's text and the human-readable last line of its debug string.
fn error_text(err: &glib::Error, debug: Option<&str>) -> String {
    let mut text = err.message().trim_end().to_string();
    if let Some(detail) = debug
        .filter(|d| d.contains('\n'))
        .and_then(|d| d.lines().rev().map(str::trim).find(|l| !l.is_empty()))
    {
        text.push_str(&format!(" ({detail})"));
    }
    text
}

fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    let inputs: Vec<String> = if args.input.is_empty() {
        let p = app::resource_path("samples/sample_720p.mp4", WORKSPACE)
            .context("the default sample samples/sample_720p.mp4 is missing: run ci/samples.sh")?;
        vec![p.to_string_lossy().into_owned()]
    } else {
        args.input.clone()
    };
    if args.configfile.is_some() != args.pgie.is_some() {
        bail!("Either pgie or configfile is missing. Please specify both!");
    }
    if let Some(c) = &args.configfile {
        if !c.is_file() {
            bail!("Specified config-file: {} doesn't exist.", c.display());
        }
    }
    let requested_pgie = args.pgie.as_deref().unwrap_or("nvinfer");
    if requested_pgie != "nvinfer" && ds_core::backend() == "open" {
        bail!(
            "{requested_pgie}: nvinferserver (Triton) is not available on the open backend; \
             use -g nvinfer"
        );
    }
    let uris = inputs
        .iter()
        .map(|i| to_uri(i))
        .collect::<Result<Vec<_>>>()?;
    println!("{}", vars_line(args, &inputs));

    let config = match &args.configfile {
        Some(c) => c.clone(),
        None => deepstream_common::default_config("dstest3_pgie_config.txt")
            .map_err(anyhow::Error::msg)?,
    };
    let number_sources = uris.len();
    let platform = PlatformInfo::current();
    let perf = Arc::new(PerfData::new(number_sources));
    let shared = Arc::new(SourceShared::default());

    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streamux \n \n");
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    pipeline.add(&streammux)?;
    let mut sources = Vec::new();
    for (i, uri) in uris.iter().enumerate() {
        print!("Creating source_bin  {i}  \n \n");
        if uri.starts_with("rtsp://") {
            is_live = true;
        }
        let source_bin = source::create_source_bin(i, uri, args.file_loop, &shared)?;
        pipeline.add(&source_bin)?;
        let padname = format!("sink_{i}");
        let sinkpad = streammux
            .request_pad_simple(&padname)
            .context("Unable to create sink pad bin ")?;
        let srcpad = source_bin
            .static_pad("src")
            .context("Unable to create src pad bin ")?;
        srcpad.link(&sinkpad)?;
        sources.push(Source {
            uri: uri.clone(),
            bin: source_bin,
            mux_pad: Some(sinkpad),
            failed: false,
            dead: Vec::new(),
        });
    }
    let queues = (1..=5)
        .map(|i| make("queue", &format!("queue{i}"), "queue"))
        .collect::<Result<Vec<_>>>()?;
    pipeline.add_many(&queues)?;

    print!("Creating Pgie \n \n");
    let pgie = make(requested_pgie, "primary-inference", "pgie")?;
    let mut nvdslogger = None;
    if args.disable_probe {
        if gst::ElementFactory::find("nvdslogger").is_some() {
            println!("Creating nvdslogger \n");
            nvdslogger = Some(make("nvdslogger", "nvdslogger", "nvdslogger")?);
        } else {
            eprintln!(
                "Warning: nvdslogger is not available on the {} backend: no FPS output",
                ds_core::backend()
            );
        }
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
        let memtype = if platform.is_platform_aarch64() {
            "4"
        } else {
            "2"
        };
        props::set_property_from_str(&streammux, "nvbuf-memory-type", memtype);
    }

    // The sink: the sample's renderer or fakesink, or (extra) an MP4 file.
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
        println!("Creating Fakesink \n");
        let sink = make("fakesink", "fakesink", "fakesink")?;
        props::set_property(&sink, "enable-last-sample", false);
        props::set_property(&sink, "sync", false);
        tail.push(sink);
    } else if platform.is_integrated_gpu() || platform.is_platform_aarch64() {
        println!("Creating nv3dsink \n");
        tail.push(make("nv3dsink", "nv3d-sink", "nv3dsink")?);
    } else {
        println!("Creating EGLSink \n");
        tail.push(make("nveglglessink", "nvvideo-renderer", "egl sink")?);
    }

    if is_live {
        println!("At least one of the sources is live");
        props::set_property(&streammux, "live-source", true);
    }
    props::set_property(&streammux, "width", MUXER_OUTPUT_WIDTH);
    props::set_property(&streammux, "height", MUXER_OUTPUT_HEIGHT);
    props::set_property(&streammux, "batch-size", number_sources as u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    props::set_property(&pgie, "config-file-path", config.to_string_lossy().as_ref());
    let pgie_batch_size = config_batch_size(&pgie, &config);
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
    if let Some(sink) = tail.last() {
        if sink.find_property("qos").is_some() {
            props::set_property(sink, "qos", false);
        }
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add(&pgie)?;
    if let Some(l) = &nvdslogger {
        pipeline.add(l)?;
    }
    pipeline.add_many([&tiler, &nvvidconv, &nvosd])?;
    pipeline.add_many(&tail)?;

    println!("Linking elements in the Pipeline \n");
    let mut chain: Vec<&gst::Element> = vec![&streammux, &queues[0], &pgie, &queues[1]];
    if let Some(l) = &nvdslogger {
        chain.push(l);
    }
    chain.extend([
        &tiler, &queues[2], &nvvidconv, &queues[3], &nvosd, &queues[4],
    ]);
    chain.extend(tail.iter());
    gst::Element::link_many(chain)?;

    let app_state = Arc::new(App {
        pipeline: pipeline.clone(),
        sources: Mutex::new(sources),
        shared,
        stop_requests: AtomicUsize::new(0),
    });

    let pgie_src_pad = pgie.static_pad("src").context(" Unable to get src pad ")?;
    let mut perf_timer = None;
    if !args.disable_probe || args.num_frames.is_some() {
        let silent = args.silent || args.disable_probe;
        let perf = Arc::clone(&perf);
        let limit = args.num_frames;
        let frames = AtomicU64::new(0);
        let weak = Arc::downgrade(&app_state);
        pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
                let n = probe::pgie_src_pad_buffer_probe(buffer, silent, &perf);
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
        perf_timer = Some(perf.start_printing(Duration::from_millis(args.perf_interval_ms.max(1))));
    }

    // Ctrl-C: end-of-stream first (the MP4 is finalised), then stop.
    let weak = Arc::downgrade(&app_state);
    ctrlc::set_handler(move || {
        if let Some(a) = weak.upgrade() {
            a.stop();
        }
    })
    .context("cannot install the Ctrl-C handler")?;

    println!("Now playing...");
    for (i, uri) in uris.iter().enumerate() {
        println!("{i} :  {uri}");
    }
    println!("Starting pipeline \n");
    let result = run_pipeline(&app_state);
    println!("Exiting app\n");
    if let Some(t) = perf_timer {
        t.remove();
    }
    pipeline.set_state(gst::State::Null)?;
    result
}

/// The config file's batch-size, as `pgie.get_property("batch-size")` gives
/// it on DeepStream (the open nvinfer reads its config only when it starts).
fn config_batch_size(pgie: &gst::Element, config: &Path) -> u32 {
    if ds_core::backend() == "open" {
        if let Ok((cfg, _)) = ds_open::nvinfer::config::InferConfig::from_file(config) {
            return cfg.batch_size;
        }
    }
    pgie.property::<u32>("batch-size")
}

/// Runs the pipeline on the default main context until end-of-stream, a
/// pipeline error, all sources failing, or a forced stop.
fn run_pipeline(app_state: &Arc<App>) -> Result<()> {
    let ctx = glib::MainContext::default();
    let _owner = ctx
        .acquire()
        .map_err(|e| anyhow::anyhow!("cannot use the main context: {e}"))?;
    let main_loop = glib::MainLoop::new(Some(&ctx), false);
    let outcome: Arc<Mutex<Option<Result<()>>>> = Arc::new(Mutex::new(None));
    let bus = app_state
        .pipeline
        .bus()
        .context("the pipeline has no bus")?;

    let finish = {
        let main_loop = main_loop.clone();
        let outcome = Arc::clone(&outcome);
        move |r: Result<()>| {
            lock(&outcome).get_or_insert(r);
            main_loop.quit();
        }
    };
    let check_state = {
        let app_state = Arc::downgrade(app_state);
        let finish = finish.clone();
        move || {
            let Some(a) = app_state.upgrade() else { return };
            let (res, _, _) = a.pipeline.state(gst::ClockTime::ZERO);
            if res.is_err() {
                eprintln!("Error: the pipeline failed to change state to Playing");
                finish(Err(Quiet.into()));
            }
        }
    };
    let watch = {
        let app_state = Arc::downgrade(app_state);
        let finish = finish.clone();
        bus.add_watch_local(move |_, msg| {
            let Some(a) = app_state.upgrade() else {
                return glib::ControlFlow::Break;
            };
            if let gst::MessageView::Error(e) = msg.view() {
                if let Some(i) = msg.src().and_then(|s| a.source_of(s)) {
                    let (uri, failed) = {
                        let s = &lock(&a.sources)[i];
                        (s.uri.clone(), s.failed)
                    };
                    if !failed {
                        let err = e.error();
                        let debug = e.debug();
                        eprintln!(
                            "Error: source {i} ({uri}): {}",
                            error_text(&err, debug.as_deref())
                        );
                        if a.fail_source(i) == 0 {
                            finish(Err(Quiet.into()));
                            return glib::ControlFlow::Break;
                        }
                        // The pipeline may still wait for the failed
                        // source's state change: go on without it.
                        let _ = a.pipeline.set_state(gst::State::Playing);
                    }
                    return glib::ControlFlow::Continue;
                }
            }
            // A source bin that finished prerolling after the pipeline
            // committed its own state stays in PAUSED: take it on.
            if let gst::MessageView::StateChanged(sc) = msg.view() {
                let bin = msg
                    .src()
                    .and_then(|s| s.downcast_ref::<gst::Bin>())
                    .filter(|b| lock(&a.sources).iter().any(|s| &s.bin == *b && !s.failed));
                if let Some(bin) = bin {
                    if sc.current() == gst::State::Paused
                        && sc.pending() == gst::State::VoidPending
                        && sc.old() == gst::State::Ready
                    {
                        let _ = bin.set_state(gst::State::Playing);
                    }
                }
            }
            if let gst::MessageView::Application(m) = msg.view() {
                if m.structure()
                    .is_some_and(|s| s.name() == app::bus::FORCE_STOP_MESSAGE)
                {
                    finish(Err(app::PipelineError::Interrupted.into()));
                    return glib::ControlFlow::Break;
                }
            }
            match app::handle_message(msg) {
                app::BusAction::Continue => glib::ControlFlow::Continue,
                app::BusAction::Eos => {
                    finish(Ok(()));
                    glib::ControlFlow::Break
                }
                app::BusAction::Error(e) => {
                    finish(Err(e.into()));
                    glib::ControlFlow::Break
                }
            }
        })
        .context("cannot watch the pipeline's bus")?
    };

    // The sources start on their own, after the rest of the pipeline, so
    // that one failing to start (bad URI, missing file) does not fail the
    // pipeline's state change: its error message removes it (above).
    let bins: Vec<gst::Bin> = lock(&app_state.sources)
        .iter()
        .map(|s| s.bin.clone())
        .collect();
    for bin in &bins {
        bin.set_locked_state(true);
    }
    if app_state.pipeline.set_state(gst::State::Playing).is_err() {
        glib::timeout_add_local_once(Duration::from_secs(1), check_state);
    } else {
        for bin in &bins {
            bin.set_locked_state(false);
            // A failure posts an error message, handled by the watch.
            let _ = bin.sync_state_with_parent();
        }
    }
    main_loop.run();
    drop(watch);
    let _ = app_state.pipeline.set_state(gst::State::Null);
    let result = lock(&outcome).take();
    result.unwrap_or_else(|| bail!("the main loop stopped before end-of-stream"))
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

    #[test]
    fn inputs_become_uris() {
        assert_eq!(to_uri("rtsp://cam/1").unwrap(), "rtsp://cam/1");
        assert_eq!(to_uri("file:///a/b.mp4").unwrap(), "file:///a/b.mp4");
        assert_eq!(to_uri("/a/b c.mp4").unwrap(), "file:///a/b%20c.mp4");
    }

    #[test]
    fn python_repr() {
        assert_eq!(py_repr("a'b"), "'a\\'b'");
        assert_eq!(py_opt(None), "None");
    }
}
