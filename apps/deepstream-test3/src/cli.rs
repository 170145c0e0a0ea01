//! The sample's command line (`parse_args`): argparse's options as clap
//! options and `print(vars(args))` (the inputs become URIs with
//! `deepstream_common::to_uri`).
use clap::Parser;
use deepstream_common::Argparse;
use std::path::PathBuf;

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
/// status 2 (`deepstream_common::argparse`).
pub fn parse() -> Args {
    Argparse::new(USAGE).parse()
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

#[cfg(test)]
mod tests {
    use super::*;

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
