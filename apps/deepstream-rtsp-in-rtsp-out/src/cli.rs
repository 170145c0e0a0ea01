//! The sample's command line (`parse_args`): argparse's options as clap
//! options, with the same names, choices and defaults, plus the port's two
//! port-number options.
use anyhow::{Context, Result};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use gstreamer::glib;
use std::path::Path;

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
/// (without clap's own usage paragraph) on stderr and exits 2.
pub fn parse() -> Args {
    if std::env::args_os().len() == 1 {
        eprint!("{}", Args::command().render_help());
        std::process::exit(1);
    }
    match Args::try_parse() {
        Ok(args) => args,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            eprintln!("usage: {USAGE}");
            eprint!("{}", without_usage(&e.render().to_string()));
            std::process::exit(2);
        }
    }
}

/// Clap's error text without its `Usage: ...` paragraph.
fn without_usage(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with("Usage:") {
            if lines.last() == Some(&"") {
                lines.pop();
            }
            continue;
        }
        lines.push(line);
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A URI for an input: URIs are kept, paths become `file://` URIs (the
/// sample passes its inputs to `uridecodebin` as they are).
pub fn to_uri(input: &str) -> Result<String> {
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

    #[test]
    fn inputs_become_uris() {
        assert_eq!(to_uri("rtsp://cam/1").unwrap(), "rtsp://cam/1");
        assert_eq!(to_uri("/a/b c.mp4").unwrap(), "file:///a/b%20c.mp4");
    }

    #[test]
    fn argument_errors_lose_claps_usage_paragraph() {
        let e = Args::try_parse_from(["x", "-i", "a", "-c", "VP9"]).unwrap_err();
        let text = without_usage(&e.render().to_string());
        assert!(text.starts_with("error: invalid value 'VP9'"), "{text}");
        assert!(!text.contains("Usage:"), "{text}");
    }
}
