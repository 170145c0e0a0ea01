//! The sample's command line (`parse_args`): argparse's options as clap
//! options, `print(vars(args))`, and the inputs as URIs.
use anyhow::{Context, Result};
use clap::error::ErrorKind;
use clap::Parser;
use gstreamer::glib;
use std::path::{Path, PathBuf};

/// The usage line printed on an argument error and by `--help`: the
/// sample's argparse usage, with `-i` optional (the port plays the default
/// sample without it) and the port's `--output`.
pub const USAGE: &str = "deepstream-test3 [-h] [-i URIs [URIs ...]] [-c config_location.txt] \
     [-g {nvinfer,nvinferserver,nvinferserver-grpc}] [--no-display] [--file-loop] \
     [--disable-probe] [-s] [--output FILE.mp4]";

/// deepstream-test3 multi stream, multi model inference reference app
#[derive(Parser, Debug)]
#[command(name = "deepstream-test3", version, about, override_usage = USAGE)]
pub struct Args {
    /// Path to input streams: URIs (file://, rtsp://, http://...) or file
    /// paths (default: samples/sample_720p.mp4).
    #[arg(short = 'i', long = "input", value_name = "URIs", num_args = 1..)]
    pub input: Vec<String>,
    /// Choose the config-file to be used with specified pgie.
    #[arg(short = 'c', long = "configfile", value_name = "config_location.txt")]
    pub configfile: Option<PathBuf>,
    /// Choose Primary GPU Inference Engine.
    #[arg(short = 'g', long = "pgie", value_parser = ["nvinfer", "nvinferserver", "nvinferserver-grpc"])]
    pub pgie: Option<String>,
    /// Disable display of video output.
    #[arg(long)]
    pub no_display: bool,
    /// Loop the input file sources after EOS.
    #[arg(long)]
    pub file_loop: bool,
    /// Disable the probe function and use nvdslogger for FPS.
    #[arg(long)]
    pub disable_probe: bool,
    /// Disable verbose output.
    #[arg(short = 's', long)]
    pub silent: bool,
    /// Write the OSD output to this MP4 file instead of a window.
    #[arg(long, value_name = "FILE.mp4")]
    pub output: Option<PathBuf>,
    /// Reconnect an rtsp:// source that sends nothing for SEC seconds
    /// (nvurisrcbin's rtsp-reconnect-interval, deepstream-app's
    /// rtsp-reconnect-interval-sec); 0 = never.
    #[arg(long, value_name = "SEC", default_value_t = 0)]
    pub rtsp_reconnect_interval: u32,
    /// Reconnection attempts in a row before such a source is given up
    /// (it ends, the others go on); -1 = no limit (rtsp-reconnect-attempts).
    #[arg(long, value_name = "N", default_value_t = -1, allow_negative_numbers = true)]
    pub rtsp_reconnect_attempts: i32,
    /// (testing) Stop (end-of-stream) after this many frames.
    #[arg(long, hide = true)]
    pub num_frames: Option<u64>,
    /// (testing) PERF print interval in milliseconds.
    #[arg(long, hide = true, default_value_t = 5000)]
    pub perf_interval_ms: u64,
}

/// Parses the command line as argparse does: `-h` prints the help and
/// exits 0; an argument error prints `usage: <USAGE>` and clap's `error:`
/// message (without clap's own usage paragraph) on stderr and exits with
/// status 2.
pub fn parse() -> Args {
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

/// Python's `repr` of a string: single quotes, or double quotes when the
/// text has a single quote and no double quote; backslashes, the quote
/// and control characters escaped.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn py_opt(s: Option<&str>) -> String {
    s.map(py_repr).unwrap_or_else(|| "None".into())
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `print(vars(args))` of the sample: its seven options, `input` as played
/// (the default sample when `-i` is absent).
pub fn vars_line(args: &Args, inputs: &[String]) -> String {
    let input: Vec<String> = inputs.iter().map(|s| py_repr(s)).collect();
    let configfile = args
        .configfile
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    format!(
        "{{'input': [{}], 'configfile': {}, 'pgie': {}, 'no_display': {}, 'file_loop': {}, \
         'disable_probe': {}, 'silent': {}}}",
        input.join(", "),
        py_opt(configfile.as_deref()),
        py_opt(args.pgie.as_deref()),
        py_bool(args.no_display),
        py_bool(args.file_loop),
        py_bool(args.disable_probe),
        py_bool(args.silent),
    )
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
        assert_eq!(to_uri("file:///a/b.mp4").unwrap(), "file:///a/b.mp4");
        assert_eq!(to_uri("/a/b c.mp4").unwrap(), "file:///a/b%20c.mp4");
    }

    #[test]
    fn argument_errors_lose_claps_usage_paragraph() {
        let e = Args::try_parse_from(["deepstream-test3", "--bad"]).unwrap_err();
        let text = without_usage(&e.render().to_string());
        assert!(
            text.starts_with("error: unexpected argument '--bad'"),
            "{text}"
        );
        assert!(!text.contains("Usage:"), "{text}");
        assert!(
            text.ends_with("For more information, try '--help'.\n"),
            "{text}"
        );
    }

    #[test]
    fn python_repr() {
        assert_eq!(py_repr("file:///a.mp4"), "'file:///a.mp4'");
        assert_eq!(py_repr("a'b"), "\"a'b\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("a\\b\n"), "'a\\\\b\\n'");
        assert_eq!(py_opt(None), "None");
    }

    #[test]
    fn vars_line_as_pythons_dict() {
        let args = Args::parse_from(["deepstream-test3", "-i", "file:///a.mp4", "--no-display"]);
        assert_eq!(
            vars_line(&args, &args.input),
            "{'input': ['file:///a.mp4'], 'configfile': None, 'pgie': None, \
             'no_display': True, 'file_loop': False, 'disable_probe': False, 'silent': False}"
        );
    }
}
