//! deepstream-test4 in Rust: a faithful port of NVIDIA's
//! `deepstream_test_4.py` (release 1.2.0, DeepStream 7.1).
//!
//! `filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer !
//! nvvideoconvert ! nvdsosd ! tee`, then `tee ! queue ! nvmsgconv !
//! nvmsgbroker` and `tee ! queue ! <sink>`. A probe on the OSD's sink pad
//! (`probe.rs`) labels the objects, prints `Frame Number = … Vehicle Count
//! = … Person Count = …` per buffer, and on every 30th frame attaches an
//! event message (`NvDsEventMsgMeta`) for the frame's first object;
//! nvmsgconv turns it into DeepStream's JSON and nvmsgbroker sends it to the
//! broker of the protocol adaptor library.
//!
//! Beyond the sample: `--proto mqtt|redis|amqp|kafka` names the adaptor
//! library for you; the input defaults to the sample clip; `--output
//! out.mp4` writes the OSD output to MP4 instead of a window. Test switches
//! (hidden from `--help`): `--broker-sink FACTORY` puts another element
//! (e.g. `fakesink`) where nvmsgbroker goes, and `--debug-payload-dir DIR`
//! sets nvmsgconv's `debug-payload-dir`.
use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use deepstream_common::{make, Output, PlatformInfo};
use ds_core::app::{self, props};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::PathBuf;

mod probe;

/// Root of this repository at build time (for the default sample).
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const PGIE_CONFIG_FILE: &str = "dstest4_pgie_config.txt";
const MSCONV_CONFIG_FILE: &str = "dstest4_msgconv_config.txt";
/// The line the sample prints (to stdout) when `-p` or `-i` is missing;
/// the port's input has a default, so only the adaptor is required.
const USAGE: &str = "Usage: deepstream-test4 -i <H264 filename> -p <Proto adaptor library> \
                     --conn-str=<Connection string>";

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
/// The options are the sample's (`parse_args` of deepstream_test_4.py),
/// then the port's extras.
#[derive(Parser, Debug)]
#[command(name = "deepstream-test4", version, about)]
struct Args {
    /// Set the adaptor config file. Optional if connection string has
    /// relevant details.
    #[arg(short = 'c', long, value_name = "FILE")]
    cfg_file: Option<PathBuf>,
    /// Set the input H264 file (default: samples/sample_720p.h264).
    #[arg(short = 'i', long, visible_alias = "input", value_name = "FILE")]
    input_file: Option<String>,
    /// Absolute path of adaptor library.
    #[arg(short = 'p', long, value_name = "PATH", conflicts_with = "proto")]
    proto_lib: Option<String>,
    /// Connection string of backend server. Optional if it is part of
    /// config file.
    #[arg(long, value_name = "STR")]
    conn_str: Option<String>,
    /// Type of message schema (0=Full, 1=minimal), default=0 (as the
    /// sample: any value but 0 means 1).
    #[arg(short = 's', long, value_name = "<0|1>", default_value = "0")]
    schema_type: String,
    /// Name of message topic. Optional if it is part of connection string
    /// or config file.
    #[arg(short = 't', long, value_name = "TOPIC")]
    topic: Option<String>,
    /// Disable display.
    #[arg(long)]
    no_display: bool,
    /// The broker protocol, instead of --proto-lib: the adaptor library
    /// DeepStream uses for it.
    #[arg(long, value_enum)]
    proto: Option<Proto>,
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

impl Args {
    /// The sample's `schema_type = 0 if options.schema_type == "0" else 1`.
    fn schema_type(&self) -> i32 {
        if self.schema_type == "0" {
            0
        } else {
            1
        }
    }

    /// The protocol adaptor library: `--proto-lib` as given, or the library
    /// of `--proto` (under `$DEEPSTREAM_DIR/lib` on the nvidia backend).
    fn proto_lib(&self) -> Option<String> {
        if let Some(p) = &self.proto_lib {
            return Some(p.clone());
        }
        let lib = self.proto?.library();
        if ds_core::backend() == "nvidia" {
            let dir = std::env::var_os("DEEPSTREAM_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(app::DEFAULT_DEEPSTREAM_DIR));
            return Some(dir.join("lib").join(lib).to_string_lossy().into_owned());
        }
        Some(lib.to_string())
    }
}

fn input_path(args: &Args) -> Result<PathBuf> {
    let path = match &args.input_file {
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
    let proto_lib = args.proto_lib();
    // The sample's check: without an adaptor library, its usage line and
    // exit 1 (the broker stand-in of the tests needs none).
    if proto_lib.is_none() && args.broker_sink.is_none() {
        println!("{USAGE}");
        std::process::exit(1);
    }
    let output = if args.no_display && args.output.is_none() {
        Output::None
    } else {
        Output::from_options(args.output.as_deref(), false)
    };
    let result = run(&args, proto_lib.as_deref(), &output);
    deepstream_common::exit_on_error(result, || {
        deepstream_common::sink::remove_empty_output(&output)
    });
}

fn run(args: &Args, proto_lib: Option<&str>, output: &Output) -> Result<()> {
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
    let platform_info = PlatformInfo::new();

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
        None => make("nvmsgbroker", "nvmsg-broker", "msgbroker")?,
    };
    let tee = make("tee", "nvsink-tee", "tee")?;
    let queue1 = make("queue", "nvtee-que1", "queue1")?;
    let queue2 = make("queue", "nvtee-que2", "queue2")?;

    // The display branch: the sample's fakesink (--no-display) or renderer,
    // or (extra) an MP4 file. The sample asks the platform question (and
    // prints its line) where it picks the renderer, so the MP4 extra asks
    // it too.
    let tail = match output {
        Output::None => {
            println!("Creating FakeSink \n");
            // The sample leaves fakesink's sync at its default (true).
            vec![make("fakesink", "fakesink", "fakesink")?]
        }
        Output::Display => vec![deepstream_common::render_sink(&platform_info)?],
        Output::Mp4(path) => {
            platform_info.is_integrated_gpu();
            deepstream_common::mp4_tail(path)?
        }
    };

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
    props::set_property_from_str(&msgconv, "payload-type", &args.schema_type().to_string());
    if let Some(dir) = &args.debug_payload_dir {
        props::set_property(
            &msgconv,
            "debug-payload-dir",
            dir.to_string_lossy().as_ref(),
        );
    }
    if args.broker_sink.is_none() {
        props::set_property(&msgbroker, "proto-lib", proto_lib.unwrap_or_default());
        // As the sample: conn-str is always set, to NULL (the property's
        // default) when --conn-str is not given; then the adaptor reads the
        // host and port from its config file.
        props::set_property(&msgbroker, "conn-str", args.conn_str.as_deref());
        if let Some(cfg) = &args.cfg_file {
            props::set_property(&msgbroker, "config", cfg.to_string_lossy().as_ref());
        }
        if let Some(topic) = &args.topic {
            props::set_property(&msgbroker, "topic", topic.as_str());
        }
    }
    props::set_property(&msgbroker, "sync", false);

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
    let sink_pad = queue1
        .static_pad("sink")
        .context("queue1 has no sink pad")?;
    let tee_msg_pad = tee.request_pad_simple("src_%u");
    let tee_render_pad = tee.request_pad_simple("src_%u");
    let (Some(tee_msg_pad), Some(tee_render_pad)) = (tee_msg_pad, tee_render_pad) else {
        bail!("Unable to get request pads");
    };
    tee_msg_pad.link(&sink_pad)?;
    let sink_pad = queue2
        .static_pad("sink")
        .context("queue2 has no sink pad")?;
    tee_render_pad.link(&sink_pad)?;

    let osdsinkpad = nvosd
        .static_pad("sink")
        .context("Unable to get sink pad of nvosd")?;
    osdsinkpad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
            probe::osd_sink_pad_buffer_probe(buffer.make_mut());
        }
        gst::PadProbeReturn::Ok
    });

    println!("Starting pipeline \n");
    deepstream_common::run(&pipeline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("deepstream-test4").chain(args.iter().copied()))
            .unwrap()
    }

    #[test]
    fn options_as_the_samples_option_parser() {
        let a = parse(&["-p", "lib.so"]);
        // No default connection string: the sample sets conn-str to None.
        assert_eq!(a.conn_str, None);
        assert!(a.cfg_file.is_none() && a.topic.is_none());
        assert_eq!(a.schema_type(), 0);
        assert!(!a.no_display);
        let a = parse(&[
            "-c",
            "cfg.txt",
            "-i",
            "in.h264",
            "-p",
            "lib.so",
            "--conn-str",
            "h;1;t",
            "-s",
            "1",
            "-t",
            "topic",
            "--no-display",
        ]);
        assert_eq!(a.cfg_file, Some(PathBuf::from("cfg.txt")));
        assert_eq!(a.input_file.as_deref(), Some("in.h264"));
        assert_eq!(a.proto_lib().as_deref(), Some("lib.so"));
        assert_eq!(a.conn_str.as_deref(), Some("h;1;t"));
        assert_eq!(a.topic.as_deref(), Some("topic"));
        assert_eq!(a.schema_type(), 1);
        assert!(a.no_display);
        let a = parse(&[
            "--input-file",
            "x.h264",
            "--cfg-file",
            "c",
            "--schema-type",
            "0",
        ]);
        assert_eq!(a.input_file.as_deref(), Some("x.h264"));
        assert_eq!(a.schema_type(), 0);
        assert_eq!(a.proto_lib(), None);
    }

    #[test]
    fn any_schema_type_but_0_is_the_minimal_schema() {
        // `schema_type = 0 if options.schema_type == "0" else 1`
        for s in ["1", "2", "full", "00"] {
            assert_eq!(parse(&["-s", s]).schema_type(), 1, "{s}");
        }
    }

    #[test]
    fn proto_names_the_adaptor_library() {
        // The tests run on the open backend: the bare library name.
        assert_eq!(
            parse(&["--proto", "redis"]).proto_lib().as_deref(),
            Some("libnvds_redis_proto.so")
        );
    }
}
