//! deepstream-rt-src-add-del in Rust: a faithful port of NVIDIA's Python
//! sample `runtime_source_add_delete/deepstream_rt_src_add_del.py`
//! (release 1.2.0).
//!
//! One URI starts as source 0: `uridecodebin` -> `nvstreammux` (batch-size
//! 30, 1920x1080, live-source) -> `nvinfer` (primary detector) ->
//! `nvtracker` -> two secondary `nvinfer` -> `nvmultistreamtiler` ->
//! `nvvideoconvert` -> `nvdsosd` -> sink. Every 10 seconds a timer adds the
//! same URI again as a random free source id (0-3, a new muxer request pad
//! `sink_<id>`) until four sources play; then every 10 seconds the sources
//! that reached end-of-stream (the muxer's `stream-eos` message) and one
//! random source are stopped: the source to NULL, its muxer pad flushed
//! and released, the source removed. The app quits when no source is left
//! or the pipeline ends.
//!
//! Beyond the sample (see README.md): plain file paths are accepted;
//! hidden test options `--interval-ms` (timer cadence), `--cycles` (repeat
//! the add/delete phases), `--seed` and `--stats` (frames per added source,
//! threads, fds, memory).
mod sources;
mod stats;

use anyhow::{Context, Result};
use clap::Parser;
use deepstream_common::{make, PlatformInfo};
use ds_core::app::{self, props, BusAction};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
/// The GPU of every element (`gpu_id` / `gpu-id`).
pub const GPU_ID: u32 = 0;
/// Sources at most.
pub const MAX_NUM_SOURCES: usize = 4;

/// `deepstream-rt-src-add-del <uri1>`
#[derive(Parser, Debug)]
#[command(name = "deepstream-rt-src-add-del", version)]
struct Args {
    /// The URI (or file path) every source plays.
    uri1: String,
    /// (testing) Timer interval in milliseconds (the sample's 10 s).
    #[arg(long, hide = true, default_value_t = 10_000)]
    interval_ms: u64,
    /// (testing) Add/delete cycles: before the last, deleting stops at one
    /// source and adding starts again.
    #[arg(long, hide = true, default_value_t = 1)]
    cycles: u32,
    /// (testing) Seed of the random source choice (default: the time).
    #[arg(long, hide = true)]
    seed: Option<u64>,
    /// (testing) Print `STATS` lines: resources after each removal, frames
    /// of each added source at the end.
    #[arg(long, hide = true)]
    stats: bool,
}

/// The sample's globals.
pub struct App {
    pipeline: gst::Pipeline,
    streammux: gst::Element,
    main_loop: glib::MainLoop,
    platform_info: Arc<PlatformInfo>,
    uri: String,
    num_sources: usize,
    source_id_list: [usize; MAX_NUM_SOURCES],
    eos_list: [bool; MAX_NUM_SOURCES],
    source_enabled: [bool; MAX_NUM_SOURCES],
    source_bin_list: [Option<gst::Element>; MAX_NUM_SOURCES],
    interval: Duration,
    cycles_left: u32,
    cycle: u32,
    rng: u64,
    stats: Option<Arc<stats::FrameCounts>>,
}

impl App {
    /// `random.randrange(0, n)` (xorshift64*).
    fn randrange(&mut self, n: usize) -> usize {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }

    /// With `--stats`, a timer tick waits until every playing source has
    /// delivered a frame; always true otherwise.
    fn ready_for_tick(&self) -> bool {
        self.stats
            .as_ref()
            .is_none_or(|s| s.all_delivered(&self.source_enabled))
    }

    /// With `--stats`: the resources line.
    fn report(&self) {
        if self.stats.is_some() {
            println!(
                "{}",
                stats::resources_line(
                    self.cycle,
                    self.num_sources,
                    self.streammux.sink_pads().len(),
                    self.pipeline.children().len() as u32,
                )
            );
        }
    }
}

fn main() {
    let args: Args = deepstream_common::parse_args("deepstream-rt-src-add-del <uri1> ");
    let result = run(&args);
    deepstream_common::exit_on_error(result, || {});
}

/// Python's f-string of a GStreamer enum: `<enum GST_STATE_PLAYING of type Gst.State>`.
fn py_enum(nick: &str, type_name: &str) -> String {
    format!("<enum {nick} of type {type_name}>")
}

fn state_nick(s: gst::State) -> &'static str {
    match s {
        gst::State::VoidPending => "GST_STATE_VOID_PENDING",
        gst::State::Null => "GST_STATE_NULL",
        gst::State::Ready => "GST_STATE_READY",
        gst::State::Paused => "GST_STATE_PAUSED",
        gst::State::Playing => "GST_STATE_PLAYING",
    }
}

/// The sample's "Set properties of tracker" from `[tracker]` of `path`.
fn configure_tracker(tracker: &gst::Element, path: &Path) -> Result<()> {
    let config = glib::KeyFile::new();
    config
        .load_from_file(path, glib::KeyFileFlags::NONE)
        .with_context(|| format!("{}: cannot read the tracker config", path.display()))?;
    let keys = config
        .keys("tracker")
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let bad =
        |key: &str, e: glib::Error| anyhow::anyhow!("{}: [tracker] {key}: {e}", path.display());
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
                // Relative to the config's folder (the sample runs there).
                let value = config.string("tracker", key).map_err(|e| bad(key, e))?;
                let value = path.parent().unwrap_or(Path::new(".")).join(value.as_str());
                props::set_property(tracker, key, value.to_string_lossy().as_ref());
            }
            "enable-batch-process" => {
                let value = config.integer("tracker", key).map_err(|e| bad(key, e))?;
                props::set_property(tracker, key, value != 0);
            }
            _ => {}
        }
    }
    Ok(())
}

fn config(name: &str) -> Result<std::path::PathBuf> {
    deepstream_common::default_config(name).map_err(anyhow::Error::msg)
}

fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    let pgie_config = config("dstest_pgie_config.txt")?;
    let sgie1_config = config("dstest_sgie1_config.txt")?;
    let sgie2_config = config("dstest_sgie2_config.txt")?;
    let tracker_config = config("dstest_tracker_config.txt")?;
    let uri = deepstream_common::to_uri(&args.uri1)?;
    let num_sources = 1;
    let platform_info = Arc::new(PlatformInfo::new());

    // The pipeline.
    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streammux \n \n");
    // nvstreammux forms batches from one or more sources.
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    props::set_property(&streammux, "batched-push-timeout", 25000i32);
    props::set_property(&streammux, "batch-size", 30u32);
    props::set_property(&streammux, "gpu-id", GPU_ID);
    pipeline.add(&streammux)?;
    props::set_property(&streammux, "live-source", true);

    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let app = Rc::new(RefCell::new(App {
        pipeline: pipeline.clone(),
        streammux: streammux.clone(),
        main_loop: glib::MainLoop::new(None, false),
        platform_info: Arc::clone(&platform_info),
        uri: uri.clone(),
        num_sources: 0,
        source_id_list: [0; MAX_NUM_SOURCES],
        eos_list: [false; MAX_NUM_SOURCES],
        source_enabled: [false; MAX_NUM_SOURCES],
        source_bin_list: Default::default(),
        interval: Duration::from_millis(args.interval_ms.max(1)),
        cycles_left: args.cycles.max(1) - 1,
        cycle: 1,
        rng: seed | 1,
        stats: args.stats.then(Default::default),
    }));
    for i in 0..num_sources {
        print!("Creating source_bin  {i}  \n \n");
        if uri.starts_with("rtsp://") {
            is_live = true;
        }
        let mut a = app.borrow_mut();
        let source_bin = sources::create_uridecode_bin(&mut a, i, &uri)?;
        if let Some(stats) = &a.stats {
            stats.added(i);
        }
        a.source_bin_list[i] = Some(source_bin.clone());
        pipeline.add(&source_bin)?;
    }
    app.borrow_mut().num_sources = num_sources;

    print!("Creating Pgie \n \n");
    let pgie = make("nvinfer", "primary-inference", "pgie")?;
    print!("Creating nvtracker \n \n");
    let tracker = make("nvtracker", "tracker", "tracker")?;
    print!("Creating tiler \n \n");
    let tiler = make("nvmultistreamtiler", "nvtiler", "tiler")?;
    print!("Creating nvvidconv \n \n");
    let nvvideoconvert = make("nvvideoconvert", "convertor", "nvvidconv")?;
    print!("Creating nvosd \n \n");
    let nvosd = make("nvdsosd", "onscreendisplay", "nvosd")?;
    let sgie1 = make("nvinfer", "secondary1-nvinference-engine", "sgie1")?;
    let sgie2 = make("nvinfer", "secondary2-nvinference-engine", "sgie2")?;
    let sink = deepstream_common::render_sink(&platform_info)?;
    if is_live {
        println!("Atleast one of the sources is live");
        props::set_property(&streammux, "live-source", true);
    }

    props::set_property(&streammux, "width", MUXER_OUTPUT_WIDTH);
    props::set_property(&streammux, "height", MUXER_OUTPUT_HEIGHT);
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

    let pgie_batch_size = pgie.property::<u32>("batch-size");
    if (pgie_batch_size as usize) < MAX_NUM_SOURCES {
        print!(
            "WARNING: Overriding infer-config batch-size {pgie_batch_size}  with number of \
             sources  {num_sources}  \n\n"
        );
    }
    props::set_property(&pgie, "batch-size", MAX_NUM_SOURCES as u32);
    props::set_property(&pgie, "gpu-id", GPU_ID);
    props::set_property(&sgie1, "gpu-id", GPU_ID);
    props::set_property(&sgie2, "gpu-id", GPU_ID);

    // Tiler: rows = floor(sqrt n), columns = ceil(n / rows).
    let tiler_rows = ((num_sources as f64).sqrt() as u32).max(1);
    let tiler_columns = (num_sources as u32).div_ceil(tiler_rows);
    props::set_property(&tiler, "rows", tiler_rows);
    props::set_property(&tiler, "columns", tiler_columns);
    props::set_property(&tiler, "width", TILED_OUTPUT_WIDTH);
    props::set_property(&tiler, "height", TILED_OUTPUT_HEIGHT);
    props::set_property(&tiler, "gpu-id", GPU_ID);
    props::set_property(&nvvideoconvert, "gpu-id", GPU_ID);
    props::set_property(&nvosd, "gpu-id", GPU_ID);
    if !platform_info.is_integrated_gpu() && !platform_info.is_platform_aarch64() {
        props::set_property(&sink, "gpu-id", GPU_ID);
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([
        &pgie,
        &tracker,
        &sgie1,
        &sgie2,
        &tiler,
        &nvvideoconvert,
        &nvosd,
        &sink,
    ])?;

    // sourcebin -> streammux -> nvinfer -> nvtracker -> sgie1 -> sgie2 ->
    // nvtiler -> nvvideoconvert -> nvdsosd -> sink
    println!("Linking elements in the Pipeline \n");
    gst::Element::link_many([
        &streammux,
        &pgie,
        &tracker,
        &sgie1,
        &sgie2,
        &tiler,
        &nvvideoconvert,
        &nvosd,
        &sink,
    ])?;
    props::set_property(&sink, "sync", false);
    props::set_property(&sink, "qos", false);

    if let Some(stats) = app.borrow().stats.clone() {
        // Extra: the frames of every added source, after the secondaries.
        let pad = tiler.static_pad("sink").context("tiler has no sink pad")?;
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(b)) = info.data.as_ref() {
                stats.probe(b);
            }
            gst::PadProbeReturn::Ok
        });
    }

    // The bus: the samples' bus_call lines, plus the muxer's stream-eos.
    let bus = pipeline.bus().context("the pipeline has no bus")?;
    let failed = Rc::new(RefCell::new(false));
    let _watch = {
        let app = Rc::clone(&app);
        let failed = Rc::clone(&failed);
        let main_loop = app.borrow().main_loop.clone();
        bus.add_watch_local(move |_, msg| {
            if let gst::MessageView::Element(e) = msg.view() {
                if let Some(s) = e.structure().filter(|s| s.has_name("stream-eos")) {
                    if let Ok(stream_id) = s.get::<u32>("stream-id") {
                        // Deleted at the next delete_sources.
                        println!("Got EOS from stream {stream_id}");
                        if let Some(e) = app.borrow_mut().eos_list.get_mut(stream_id as usize) {
                            *e = true;
                        }
                    }
                }
                return glib::ControlFlow::Continue;
            }
            match app::handle_message(msg) {
                BusAction::Continue => {}
                BusAction::Eos => main_loop.quit(),
                BusAction::Error(_) => {
                    *failed.borrow_mut() = true;
                    main_loop.quit();
                }
            }
            glib::ControlFlow::Continue
        })
        .context("cannot watch the pipeline's bus")?
    };
    let errored = Arc::new(AtomicBool::new(false));
    {
        let errored = Arc::clone(&errored);
        bus.set_sync_handler(move |_, msg| {
            if msg.type_() == gst::MessageType::Error {
                errored.store(true, Ordering::SeqCst);
            }
            gst::BusSyncReply::Pass
        });
    }
    let stopper = app::Interrupter::new(&pipeline);
    ctrlc::set_handler(move || {
        stopper.interrupt();
    })
    .context("cannot install the Ctrl-C handler")?;

    let _ = pipeline.set_state(gst::State::Paused);

    // List the sources.
    println!("Now playing...");
    println!("1 :  {}", args.uri1);

    println!("Starting pipeline \n");
    let _ = pipeline.set_state(gst::State::Playing);

    println!("Waiting for state change\n");
    // The sample waits without a limit; a pipeline that failed (a missing
    // file) would never get there, so the wait also ends at an error.
    let (status, state, pending) = loop {
        let r = pipeline.state(gst::ClockTime::from_mseconds(100));
        if r.0 != Ok(gst::StateChangeSuccess::Async) || errored.load(Ordering::SeqCst) {
            break r;
        }
    };
    let status_nick = match status {
        Ok(gst::StateChangeSuccess::Success) => "GST_STATE_CHANGE_SUCCESS",
        Ok(gst::StateChangeSuccess::Async) => "GST_STATE_CHANGE_ASYNC",
        Ok(gst::StateChangeSuccess::NoPreroll) => "GST_STATE_CHANGE_NO_PREROLL",
        Err(_) => "GST_STATE_CHANGE_FAILURE",
    };
    println!(
        "Current state {}, pending state {}, status {}\n",
        py_enum(state_nick(state), "Gst.State"),
        py_enum(state_nick(pending), "Gst.State"),
        py_enum(status_nick, "Gst.StateChangeReturn")
    );
    if state == gst::State::Playing && pending == gst::State::VoidPending {
        sources::start_timer(&app, sources::add_sources);
    } else {
        println!("Pipeline is not in playing state to add sources\n");
    }

    let main_loop = app.borrow().main_loop.clone();
    main_loop.run();
    println!("Exiting app\n");
    pipeline.set_state(gst::State::Null)?;
    if let Some(stats) = &app.borrow().stats {
        stats.print();
    }
    if *failed.borrow() {
        // The bus handler printed the error.
        std::process::exit(1);
    }
    Ok(())
}
