//! deepstream-test4 in Rust: a faithful port of NVIDIA's Python sample.
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer !
//! nvvideoconvert ! nvdsosd ! tee`, then `tee ! queue ! nvmsgconv !
//! nvmsgbroker` and `tee ! queue ! <sink>`. A probe on the OSD's sink pad
//! labels the objects, prints `Frame Number = … Vehicle Count = … Person
//! Count = …` per buffer, and on every 30th frame attaches event messages
//! (`NvDsEventMsgMeta`) for the frame's first vehicle and first person
//! (see `probe.rs` for why both); nvmsgconv turns them into DeepStream's
//! JSON (full schema: one message per event; minimal: one per frame) and
//! nvmsgbroker sends them to the broker chosen by the protocol library
//! (MQTT also over TLS: `enable-tls` and the `tls-*` keys of `--cfg-file`).
//!
//! Beyond the sample: `--proto mqtt|redis|amqp|kafka` names the protocol
//! adaptor library for you; the input defaults to the sample clip;
//! `--output out.mp4` writes the OSD output to MP4 instead of a window.
//! Test switches (hidden from `--help`): `--broker-sink FACTORY` puts
//! another element (e.g. `fakesink`) where nvmsgbroker goes, and
//! `--debug-payload-dir DIR` sets nvmsgconv's `debug-payload-dir`.
use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use ds_core::app::{self, props, PlatformInfo};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};

mod probe;

/// Root of this repository at build time (for the default sample/configs).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 4_000_000;
const PGIE_CONFIG_FILE: &str = "dstest4_pgie_config.txt";
const MSCONV_CONFIG_FILE: &str = "dstest4_msgconv_config.txt";

/// Broker protocols and the adaptor library DeepStream uses for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Proto {
    /// MQTT (libnvds_mqtt_proto.so)
    Mqtt,
    /// Redis streams (libnvds_redis_proto.so)
    Redis,
    /// AMQP / RabbitMQ (libnvds_amqp_proto.so)
    Amqp,
    /// Kafka (libnvds_kafka_proto.so)
    Kafka,
}

impl Proto {
    fn library(self) -> &'static str {
        match self {
            Proto::Mqtt => "libnvds_mqtt_proto.so",
            Proto::Redis => "libnvds_redis_proto.so",
            Proto::Amqp => "libnvds_amqp_proto.so",
            Proto::Kafka => "libnvds_kafka_proto.so",
        }
    }
}

/// DeepStream test4: detector, OSD, and event messages sent to a broker.
#[derive(Parser, Debug)]
#[command(name = "deepstream-test4", version, about)]
struct Args {
    /// Set the input H264 file (default: samples/sample_720p.h264).
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "input-file",
        value_name = "FILE"
    )]
    input: Option<String>,
    /// Absolute path of adaptor library (e.g. libnvds_mqtt_proto.so).
    #[arg(short = 'p', long, value_name = "PATH", conflicts_with = "proto")]
    proto_lib: Option<String>,
    /// The broker protocol, instead of --proto-lib: the adaptor library
    /// DeepStream uses for it.
    #[arg(long, value_enum)]
    proto: Option<Proto>,
    /// Connection string of backend server (host;port[;topic]). Optional if
    /// it is part of config file.
    #[arg(long, value_name = "STR", default_value = "localhost;2181;testTopic")]
    conn_str: String,
    /// Set the adaptor config file. Optional if connection string has
    /// relevant details.
    #[arg(short = 'c', long, value_name = "FILE")]
    cfg_file: Option<PathBuf>,
    /// Name of message topic. Optional if it is part of connection string
    /// or config file.
    #[arg(short = 't', long, value_name = "TOPIC")]
    topic: Option<String>,
    /// Type of message schema (0=Full, 1=minimal).
    #[arg(short = 's', long, value_name = "0|1", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=1))]
    schema_type: u8,
    /// Disable display.
    #[arg(long)]
    no_display: bool,
    /// Write the OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Test switch: this element factory (e.g. fakesink) replaces
    /// nvmsgbroker.
    #[arg(long, hide = true, value_name = "FACTORY")]
    broker_sink: Option<String>,
    /// Test switch: nvmsgconv writes each payload to a file in DIR.
    #[arg(long, hide = true, value_name = "DIR")]
    debug_payload_dir: Option<PathBuf>,
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

/// The protocol adaptor library: `--proto-lib` as given, or the library of
/// `--proto` (under `$DEEPSTREAM_DIR/lib` on the nvidia backend).
fn proto_lib(args: &Args) -> Option<String> {
    if let Some(p) = &args.proto_lib {
        return Some(p.clone());
    }
    let lib = args.proto?.library();
    if ds_core::backend() == "nvidia" {
        let dir = std::env::var_os("DEEPSTREAM_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(app::DEFAULT_DEEPSTREAM_DIR));
        return Some(dir.join("lib").join(lib).to_string_lossy().into_owned());
    }
    Some(lib.to_string())
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
    let proto_lib = proto_lib(args);
    if proto_lib.is_none() && args.broker_sink.is_none() {
        bail!(
            "a protocol adaptor is required. Usage: deepstream-test4 -i <H264 filename> \
             -p <Proto adaptor library> (or --proto mqtt|redis|amqp|kafka) \
             --conn-str=<Connection string>"
        );
    }
    ds_open::init_and_report()?;
    let input = input_path(args)?;
    let pgie_config =
        deepstream_common::default_config(PGIE_CONFIG_FILE).map_err(anyhow::Error::msg)?;
    let msgconv_config =
        deepstream_common::default_config(MSCONV_CONFIG_FILE).map_err(anyhow::Error::msg)?;
    if let Some(cfg) = &args.cfg_file {
        if !cfg.is_file() {
            bail!("{}: no such adaptor config file", cfg.display());
        }
    }
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
    let nvvidconv = make("nvvideoconvert", "convertor", "nvvidconv")?;
    let nvosd = make("nvdsosd", "onscreendisplay", "nvosd")?;
    let msgconv = make("nvmsgconv", "nvmsg-converter", "msgconv")?;
    let msgbroker = match &args.broker_sink {
        Some(factory) => make(factory, "nvmsg-broker", "the broker stand-in")?,
        None => make("nvmsgbroker", "nvmsg-broker", "msgbroker").context(
            "nvmsgbroker is not available in this build (--broker-sink fakesink runs without a broker)",
        )?,
    };
    let tee = make("tee", "nvsink-tee", "tee")?;
    let queue1 = make("queue", "nvtee-que1", "queue1")?;
    let queue2 = make("queue", "nvtee-que2", "queue2")?;

    // The display branch: the sample's renderer, or (extras) MP4 / nothing.
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
        println!("Creating FakeSink \n");
        let sink = make("fakesink", "fakesink", "fakesink")?;
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
    props::set_property(&streammux, "width", MUXER_OUTPUT_WIDTH);
    props::set_property(&streammux, "height", MUXER_OUTPUT_HEIGHT);
    props::set_property(&streammux, "batch-size", 1u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    props::set_property(
        &pgie,
        "config-file-path",
        pgie_config.to_string_lossy().as_ref(),
    );
    props::set_property(
        &msgconv,
        "config",
        msgconv_config.to_string_lossy().as_ref(),
    );
    props::set_property_from_str(&msgconv, "payload-type", &args.schema_type.to_string());
    if let Some(dir) = &args.debug_payload_dir {
        props::set_property(
            &msgconv,
            "debug-payload-dir",
            dir.to_string_lossy().as_ref(),
        );
    }
    if args.broker_sink.is_none() {
        set_broker_properties(&msgbroker, args, proto_lib.as_deref())?;
    }
    if msgbroker.has_property("sync") {
        props::set_property(&msgbroker, "sync", false);
    }

    println!("Adding elements to Pipeline \n");
    pipeline.add_many([
        &source,
        &h264parser,
        &decoder,
        &streammux,
        &pgie,
        &nvvidconv,
        &nvosd,
        &tee,
        &queue1,
        &queue2,
        &msgconv,
        &msgbroker,
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
    gst::Element::link_many([&streammux, &pgie, &nvvidconv, &nvosd, &tee])?;
    queue1.link(&msgconv)?;
    msgconv.link(&msgbroker)?;
    let mut prev = queue2.clone();
    for e in &tail {
        prev.link(e)?;
        prev = e.clone();
    }
    let tee_msg_pad = tee.request_pad_simple("src_%u");
    let tee_render_pad = tee.request_pad_simple("src_%u");
    let (Some(tee_msg_pad), Some(tee_render_pad)) = (tee_msg_pad, tee_render_pad) else {
        bail!("Unable to get request pads");
    };
    tee_msg_pad.link(
        &queue1
            .static_pad("sink")
            .context("queue1 has no sink pad")?,
    )?;
    tee_render_pad.link(
        &queue2
            .static_pad("sink")
            .context("queue2 has no sink pad")?,
    )?;

    let osdsinkpad = nvosd
        .static_pad("sink")
        .context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::osd_sink_pad_buffer_probe(buffer.make_mut());
        }
        gst::PadProbeReturn::Ok
    });

    // Ctrl-C: end-of-stream first (queued messages and the MP4 are
    // finalised), then stop.
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

/// nvmsgbroker's properties, as the sample sets them.
fn set_broker_properties(
    msgbroker: &gst::Element,
    args: &Args,
    proto_lib: Option<&str>,
) -> Result<()> {
    if let Some(lib) = proto_lib {
        props::set_property(msgbroker, "proto-lib", lib);
    }
    props::set_property(msgbroker, "conn-str", args.conn_str.as_str());
    if let Some(cfg) = &args.cfg_file {
        props::set_property(msgbroker, "config", path_str(cfg));
    }
    if let Some(topic) = &args.topic {
        props::set_property(msgbroker, "topic", topic.as_str());
    }
    Ok(())
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
