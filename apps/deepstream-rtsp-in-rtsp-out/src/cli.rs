//! The sample's command line (`parse_args`): argparse's options as clap
//! options, with the same names, choices and defaults, plus the port's two
//! port-number options.
use clap::Parser;
use deepstream_common::Argparse;

/// The usage line printed on an argument error: argparse's for the
/// sample's options, then the port's.
pub const USAGE: &str = "deepstream-rtsp-in-rtsp-out [-h] -i INPUT [INPUT ...] \
     [-g {nvinfer,nvinferserver}] [-c {H264,H265}] [-b BITRATE] [--rtsp-ts] \
     [--rtsp-port PORT] [--udp-port PORT]";

/// RTSP Output Sample Application Help
#[derive(Parser, Debug)]
#[command(name = "deepstream-rtsp-in-rtsp-out", version, about = "RTSP Output Sample Application Help", override_usage = USAGE)]
pub struct Args {
    /// Path to input H264 elementry stream: URIs (rtsp://, file://, ...)
    /// or file paths.
    #[arg(short = 'i', long = "input", value_name = "INPUT", num_args = 1.., required = true)]
    pub input: Vec<String>,
    /// choose GPU inference engine type nvinfer or nvinferserver ,
    /// default=nvinfer
    #[arg(short = 'g', long = "gie", default_value = "nvinfer",
          value_parser = ["nvinfer", "nvinferserver"])]
    pub gie: String,
    /// RTSP Streaming Codec H264/H265 , default=H264
    #[arg(short = 'c', long = "codec", default_value = "H264", value_parser = ["H264", "H265"])]
    pub codec: String,
    /// Set the encoding bitrate
    #[arg(short = 'b', long = "bitrate", default_value_t = 4_000_000)]
    pub bitrate: u32,
    /// Attach NTP timestamp from RTSP source
    #[arg(long = "rtsp-ts")]
    pub rtsp_ts: bool,
    /// (port) TCP port of the RTSP server (the sample's 8554).
    #[arg(long, value_name = "PORT", default_value_t = 8554)]
    pub rtsp_port: u16,
    /// (port) UDP port between udpsink and the RTSP server's udpsrc (the
    /// sample's 5400).
    #[arg(long, value_name = "PORT", default_value_t = 5400)]
    pub udp_port: u16,
}

/// Parses the command line as the sample's argparse does: no argument at
/// all prints the help to stderr and exits 1 (the sample's
/// `len(sys.argv)==1` check); `-h` prints the help and exits 0; an
/// argument error prints `usage: <USAGE>` and clap's `error:` message
/// (without clap's own usage paragraph) on stderr and exits 2
/// (`deepstream_common::argparse`).
pub fn parse() -> Args {
    Argparse::new(USAGE).help_without_arguments().parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_samples() {
        let a = Args::parse_from(["x", "-i", "rtsp://h/s"]);
        assert_eq!(a.gie, "nvinfer");
        assert_eq!(a.codec, "H264");
        assert_eq!(a.bitrate, 4_000_000);
        assert!(!a.rtsp_ts);
        assert_eq!((a.rtsp_port, a.udp_port), (8554, 5400));
        let a = Args::parse_from([
            "x",
            "-i",
            "a",
            "b",
            "-c",
            "H265",
            "-b",
            "2000000",
            "--rtsp-ts",
        ]);
        assert_eq!(a.input, ["a", "b"]);
        assert_eq!(
            (a.codec.as_str(), a.bitrate, a.rtsp_ts),
            ("H265", 2_000_000, true)
        );
    }
}
