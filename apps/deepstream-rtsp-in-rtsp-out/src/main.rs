//! deepstream-rtsp-in-rtsp-out in Rust: a faithful port of NVIDIA's Python
//! sample (`deepstream_test1_rtsp_in_rtsp_out.py`, release 1.2.0).
//!
//! N sources (RTSP or any URI), each `uridecodebin` in a source bin,
//! batched by `nvstreammux` (1920x1080), `nvinfer` (the 4-class detector),
//! `nvvideoconvert`, `nvmultistreamtiler` (1280x720), `nvdsosd`,
//! `nvvideoconvert` to NVMM I420, `nvv4l2h264enc` (or `nvv4l2h265enc`),
//! `rtph264pay` (`rtph265pay`) and `udpsink` to the multicast group
//! 224.224.255.255; an RTSP server (gst-rtsp-server) re-serves that UDP
//! stream at `rtsp://localhost:8554/ds-test`. A probe on nvinfer's src pad
//! prints each frame's number, and with `--rtsp-ts` the frame's NTP time
//! taken from the RTSP sender's reports.
//!
//! Beyond the sample (see README.md): file paths are accepted as inputs;
//! `--rtsp-port` and `--udp-port` choose the two port numbers; an error
//! exits with status 1.
mod cli;
mod probe;
mod server;
mod source;

use anyhow::{bail, Context, Result};
use cli::Args;
use deepstream_common::{make, PlatformInfo};
use ds_core::app::props;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::Path;

const MUXER_OUTPUT_WIDTH: u32 = 1920;
const MUXER_OUTPUT_HEIGHT: u32 = 1080;
const MUXER_BATCH_TIMEOUT_USEC: i32 = 33000;
const TILED_OUTPUT_WIDTH: u32 = 1280;
const TILED_OUTPUT_HEIGHT: u32 = 720;
/// The multicast group udpsink sends the RTP packets to.
const UDPSINK_HOST: &str = "224.224.255.255";

/// Tiler grid of the sample: rows = floor(sqrt n), columns = ceil(n / rows).
fn tiler_grid(n: usize) -> (u32, u32) {
    let rows = ((n as f64).sqrt() as u32).max(1);
    let columns = (n as u32).div_ceil(rows);
    (rows, columns)
}

fn main() {
    // Argument errors: argparse's usage line and error, exit status 2; no
    // argument at all: the help on stderr, exit 1.
    let args = cli::parse();
    let result = run(&args);
    deepstream_common::exit_on_error(result, || {});
}

/// The sample's `parse_args()` results, then its `main()`.
fn run(args: &Args) -> Result<()> {
    ds_open::init_and_report()?;
    if args.gie == "nvinferserver" && ds_core::backend() == "open" {
        bail!("nvinferserver (Triton) is not available on the open backend; use -g nvinfer");
    }
    let uris = args
        .input
        .iter()
        .map(|i| deepstream_common::to_uri(i))
        .collect::<Result<Vec<_>>>()?;
    let config_name = if args.gie == "nvinfer" {
        "dstest1_pgie_config.txt"
    } else {
        "dstest1_pgie_inferserver_config.txt"
    };
    let config = deepstream_common::default_config(config_name).map_err(anyhow::Error::msg)?;
    deepstream_main(args, &uris, &config)
}

/// The sample's `main(args)`.
fn deepstream_main(args: &Args, stream_paths: &[String], config: &Path) -> Result<()> {
    let number_sources = stream_paths.len();
    let platform_info = PlatformInfo::new();
    let codec = args.codec.as_str();
    let ts_from_rtsp = args.rtsp_ts;

    // The pipeline, and nvstreammux to form batches from the sources.
    print!("Creating Pipeline \n \n");
    let pipeline = gst::Pipeline::new();
    let mut is_live = false;
    print!("Creating streamux \n \n");
    let streammux = make("nvstreammux", "Stream-muxer", "NvStreamMux")?;
    pipeline.add(&streammux)?;
    for (i, uri_name) in stream_paths.iter().enumerate() {
        print!("Creating source_bin  {i}  \n \n");
        if uri_name.starts_with("rtsp://") {
            is_live = true;
        }
        let source_bin = source::create_source_bin(i, uri_name, ts_from_rtsp)?;
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
    // The sample computes is_live and does not use it.
    let _ = is_live;

    print!("Creating Pgie \n \n");
    let pgie_factory = if args.gie == "nvinfer" {
        "nvinfer"
    } else {
        "nvinferserver"
    };
    let pgie = make(pgie_factory, "primary-inference", "pgie")?;
    print!("Creating tiler \n \n");
    let tiler = make("nvmultistreamtiler", "nvtiler", "tiler")?;
    print!("Creating nvvidconv \n \n");
    let nvvidconv = make("nvvideoconvert", "convertor", "nvvidconv")?;
    print!("Creating nvosd \n \n");
    let nvosd = make("nvdsosd", "onscreendisplay", "nvosd")?;
    let nvvidconv_postosd = make("nvvideoconvert", "convertor_postosd", "nvvidconv_postosd")?;

    // A caps filter: NVMM I420 into the encoder.
    let caps = make("capsfilter", "filter", "capsfilter")?;
    let filter_caps: gst::Caps = "video/x-raw(memory:NVMM), format=I420"
        .parse()
        .context("bad caps")?;
    props::set_property(&caps, "caps", filter_caps);

    // The encoder.
    let encoder = if codec == "H264" {
        let e = make("nvv4l2h264enc", "encoder", "encoder")?;
        println!("Creating H264 Encoder");
        e
    } else {
        let e = make("nvv4l2h265enc", "encoder", "encoder")?;
        println!("Creating H265 Encoder");
        e
    };
    props::set_property(&encoder, "bitrate", args.bitrate);
    if platform_info.is_integrated_gpu() {
        // preset-level is an enum (set by its number, as PyGObject does).
        props::set_property_from_str(&encoder, "preset-level", "1");
        props::set_property(&encoder, "insert-sps-pps", true);
    }

    // The payloader: encoded video into RTP packets.
    let rtppay = if codec == "H264" {
        let p = make("rtph264pay", "rtppay", "rtppay")?;
        println!("Creating H264 rtppay");
        p
    } else {
        let p = make("rtph265pay", "rtppay", "rtppay")?;
        println!("Creating H265 rtppay");
        p
    };

    // The UDP sink, to the multicast group the RTSP server's udpsrc reads.
    let updsink_port_num = args.udp_port;
    let sink = make("udpsink", "udpsink", "udpsink")?;
    props::set_property(&sink, "host", UDPSINK_HOST);
    props::set_property(&sink, "port", i32::from(updsink_port_num));
    props::set_property(&sink, "async", false);
    props::set_property(&sink, "sync", true);

    props::set_property(&streammux, "width", MUXER_OUTPUT_WIDTH);
    props::set_property(&streammux, "height", MUXER_OUTPUT_HEIGHT);
    props::set_property(&streammux, "batch-size", number_sources as u32);
    props::set_property(&streammux, "batched-push-timeout", MUXER_BATCH_TIMEOUT_USEC);
    if ts_from_rtsp {
        // The frames' NTP time comes from the sources, not the muxer.
        props::set_property(&streammux, "attach-sys-ts", false);
    }

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
    let (tiler_rows, tiler_columns) = tiler_grid(number_sources);
    props::set_property(&tiler, "rows", tiler_rows);
    props::set_property(&tiler, "columns", tiler_columns);
    props::set_property(&tiler, "width", TILED_OUTPUT_WIDTH);
    props::set_property(&tiler, "height", TILED_OUTPUT_HEIGHT);
    props::set_property(&sink, "qos", false);

    pipeline.add_many([
        &pgie,
        &tiler,
        &nvvidconv,
        &nvosd,
        &nvvidconv_postosd,
        &caps,
        &encoder,
        &rtppay,
        &sink,
    ])?;

    // Stream-muxer -> primary-inference -> convertor -> nvtiler ->
    // onscreendisplay -> convertor_postosd -> filter -> encoder -> rtppay ->
    // udpsink
    streammux.link(&pgie)?;
    pgie.link(&nvvidconv)?;
    nvvidconv.link(&tiler)?;
    tiler.link(&nvosd)?;
    nvosd.link(&nvvidconv_postosd)?;
    nvvidconv_postosd.link(&caps)?;
    caps.link(&encoder)?;
    encoder.link(&rtppay)?;
    rtppay.link(&sink)?;

    let pgie_src_pad = pgie.static_pad("src").context(" Unable to get src pad ")?;
    pgie_src_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
            probe::pgie_src_pad_buffer_probe(buffer, ts_from_rtsp);
        }
        gst::PadProbeReturn::Ok
    });

    // The RTSP server re-serving the UDP stream.
    let rtsp_port_num = args.rtsp_port;
    let _server = server::start(rtsp_port_num, updsink_port_num, codec)?;
    print!(
        "\n *** DeepStream: Launched RTSP Streaming at rtsp://localhost:{rtsp_port_num}{} ***\n\n\n",
        server::MOUNT
    );

    // Play, and listen to the bus.
    println!("Starting pipeline \n");
    deepstream_common::run(&pipeline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiler_grid_as_the_sample() {
        assert_eq!(tiler_grid(1), (1, 1));
        assert_eq!(tiler_grid(2), (1, 2));
        assert_eq!(tiler_grid(4), (2, 2));
        assert_eq!(tiler_grid(5), (2, 3));
    }
}
