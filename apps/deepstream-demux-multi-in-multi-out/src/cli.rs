//! The sample's command line (`parse_args`): argparse's `-i URIs...` as a
//! clap option (the inputs become URIs with `deepstream_common::to_uri`).
use clap::Parser;
use deepstream_common::Argparse;

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
/// line on stderr and exits with status 2 (`deepstream_common::argparse`).
pub fn parse() -> Args {
    Argparse::new(USAGE).error_line_only().parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_inputs_after_one_flag() {
        let a = Args::parse_from(["x", "-i", "a.mp4", "b.mp4"]);
        assert_eq!(a.input, ["a.mp4", "b.mp4"]);
    }
}
