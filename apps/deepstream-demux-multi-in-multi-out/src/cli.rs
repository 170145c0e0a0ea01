//! The sample's command line (`parse_args`): argparse's `-i URIs...` as a
//! clap option, and the inputs as URIs.
use anyhow::{Context, Result};
use clap::error::ErrorKind;
use clap::Parser;
use gstreamer::glib;
use std::path::Path;

/// The usage line printed on an argument error and by `--help`: the
/// sample's argparse usage, with `-i` optional (the port plays the default
/// sample without it).
pub const USAGE: &str = "deepstream-demux-multi-in-multi-out [-h] [-i URIs [URIs ...]]";

/// deepstream-demux-multi-in-multi-out takes multiple URI streams as input
/// and uses `nvstreamdemux` to split batches and output separate
/// buffer/streams
#[derive(Parser, Debug)]
#[command(name = "deepstream-demux-multi-in-multi-out", version, about, override_usage = USAGE)]
pub struct Args {
    /// Path to input streams: URIs (file://, rtsp://, http://...) or file
    /// paths (default: samples/sample_720p.mp4).
    #[arg(short = 'i', long = "input", value_name = "URIs", num_args = 1..)]
    pub input: Vec<String>,
    /// (testing) PERF print interval in milliseconds.
    #[arg(long, hide = true, default_value_t = 5000)]
    pub perf_interval_ms: u64,
}

/// Parses the command line as argparse does: `-h` prints the help and
/// exits 0; an argument error prints `usage: <USAGE>` and clap's `error:`
/// line on stderr and exits with status 2.
pub fn parse() -> Args {
    match Args::try_parse() {
        Ok(args) => args,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            eprintln!("usage: {USAGE}");
            let text = e.render().to_string();
            if let Some(line) = text.lines().find(|l| l.starts_with("error:")) {
                eprintln!("{line}");
            }
            std::process::exit(2);
        }
    }
}

/// A URI for an input: URIs are kept, paths become `file://` URIs.
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
    fn inputs_become_uris() {
        assert_eq!(to_uri("rtsp://cam/1").unwrap(), "rtsp://cam/1");
        assert_eq!(to_uri("/a/b c.mp4").unwrap(), "file:///a/b%20c.mp4");
    }

    #[test]
    fn several_inputs_after_one_flag() {
        let a = Args::parse_from(["x", "-i", "a.mp4", "b.mp4"]);
        assert_eq!(a.input, ["a.mp4", "b.mp4"]);
    }
}
