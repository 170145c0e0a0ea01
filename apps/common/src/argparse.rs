//! Command lines of the samples that use Python's `argparse`
//! (deepstream-test3, deepstream-rtsp-in-rtsp-out,
//! deepstream-demux-multi-in-multi-out): clap for the options, with
//! argparse's exits.
//!
//! - `-h` / `--help` (and `--version`) print and exit 0;
//! - an argument error prints `usage: <usage>` and clap's `error:` message
//!   on stderr and exits with status 2, as argparse's `parser.error`;
//!   clap's own `Usage:` paragraph is left out (the `usage:` line replaces
//!   it), or, with [`Argparse::error_line_only`], only clap's `error:` line
//!   is kept;
//! - with [`Argparse::help_without_arguments`], a command line without any
//!   argument prints the help on stderr and exits 1 (the check some
//!   samples make on `len(sys.argv)` before argparse parses).
//!
//! Samples that check `len(sys.argv)` by hand use [`crate::cli`] instead.
//!
//! ```no_run
//! use clap::Parser;
//! use deepstream_common::argparse::Argparse;
//!
//! #[derive(Parser)]
//! #[command(name = "my-sample", override_usage = USAGE)]
//! struct Args {
//!     #[arg(short = 'i', long = "input", num_args = 1..)]
//!     input: Vec<String>,
//! }
//! const USAGE: &str = "my-sample [-h] [-i INPUT [INPUT ...]]";
//!
//! let args: Args = Argparse::new(USAGE).parse();
//! ```
use clap::error::ErrorKind;
use clap::Parser;
use std::ffi::OsString;

/// How a sample's argparse command line is parsed: its usage line and
/// which of argparse's behaviours the sample has (see the
/// [module](self)).
#[derive(Debug, Clone, Copy)]
pub struct Argparse<'a> {
    usage: &'a str,
    help_without_arguments: bool,
    error_line_only: bool,
}

/// Why a command line did not give the options: what to print and the exit
/// status ([`Exit::exit`] prints it and exits).
#[derive(Debug)]
pub enum Exit {
    /// `--help` or `--version`: clap prints it on stdout; status 0.
    Display(clap::Error),
    /// No argument or an argument error: `stderr` is printed as it is on
    /// stderr, then the process exits with `code`.
    Fail {
        /// The exit status (1 or 2).
        code: i32,
        /// The whole text for stderr, line ends included.
        stderr: String,
    },
}

impl Exit {
    /// The exit status.
    pub fn code(&self) -> i32 {
        match self {
            Exit::Display(_) => 0,
            Exit::Fail { code, .. } => *code,
        }
    }

    /// Prints what this exit prints and ends the process with its status.
    pub fn exit(self) -> ! {
        match self {
            Exit::Display(e) => e.exit(),
            Exit::Fail { code, stderr } => {
                eprint!("{stderr}");
                std::process::exit(code);
            }
        }
    }
}

impl<'a> Argparse<'a> {
    /// Argparse behaviour with `usage` (the line after `usage: `, e.g.
    /// `deepstream-test3 [-h] [-i URIs [URIs ...]]`): help exits 0, an
    /// argument error prints the usage line and clap's message without its
    /// `Usage:` paragraph and exits 2.
    pub const fn new(usage: &'a str) -> Self {
        Self {
            usage,
            help_without_arguments: false,
            error_line_only: false,
        }
    }

    /// No argument at all prints the help on stderr and exits 1.
    pub const fn help_without_arguments(mut self) -> Self {
        self.help_without_arguments = true;
        self
    }

    /// On an argument error, print only clap's `error:` line after the
    /// usage line (no tip, no `For more information` line).
    pub const fn error_line_only(mut self) -> Self {
        self.error_line_only = true;
        self
    }

    /// Parses the process's command line into `T`, or prints and exits as
    /// argparse does.
    pub fn parse<T: Parser>(&self) -> T {
        self.parse_from(std::env::args_os())
    }

    /// [`Argparse::parse`] on explicit arguments (the first is the program
    /// name).
    pub fn parse_from<T, I, A>(&self, args: I) -> T
    where
        T: Parser,
        I: IntoIterator<Item = A>,
        A: Into<OsString> + Clone,
    {
        self.try_parse_from(args).unwrap_or_else(|exit| exit.exit())
    }

    /// [`Argparse::parse_from`] without printing or exiting: `Err` tells
    /// what would be printed and the exit status.
    pub fn try_parse_from<T, I, A>(&self, args: I) -> Result<T, Exit>
    where
        T: Parser,
        I: IntoIterator<Item = A>,
        A: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        if self.help_without_arguments && args.len() == 1 {
            return Err(Exit::Fail {
                code: 1,
                stderr: T::command().render_help().to_string(),
            });
        }
        match T::try_parse_from(args) {
            Ok(t) => Ok(t),
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                Err(Exit::Display(e))
            }
            Err(e) => {
                let text = e.render().to_string();
                let message = if self.error_line_only {
                    text.lines()
                        .find(|l| l.starts_with("error:"))
                        .map(|l| format!("{l}\n"))
                        .unwrap_or_default()
                } else {
                    without_usage(&text)
                };
                Err(Exit::Fail {
                    code: 2,
                    stderr: format!("usage: {}\n{message}", self.usage),
                })
            }
        }
    }
}

/// Clap's error text without its `Usage: ...` paragraph (and the empty
/// line before it); every line ends with `\n`.
pub fn without_usage(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    const USAGE: &str = "sample [-h] -i INPUT [INPUT ...] [-c {H264,H265}]";

    /// A sample's options.
    #[derive(Parser, Debug)]
    #[command(name = "sample", about = "A sample", override_usage = USAGE)]
    struct Args {
        /// Inputs.
        #[arg(short = 'i', long = "input", num_args = 1.., required = true)]
        input: Vec<String>,
        /// Codec.
        #[arg(short = 'c', long = "codec", default_value = "H264", value_parser = ["H264", "H265"])]
        codec: String,
    }

    fn fail(exit: Exit) -> (i32, String) {
        match exit {
            Exit::Fail { code, stderr } => (code, stderr),
            Exit::Display(e) => panic!("expected a failure, got {e}"),
        }
    }

    #[test]
    fn options_parse() {
        let a: Args = Argparse::new(USAGE)
            .try_parse_from(["sample", "-i", "a", "b", "-c", "H265"])
            .unwrap();
        assert_eq!(a.input, ["a", "b"]);
        assert_eq!(a.codec, "H265");
    }

    #[test]
    fn argument_errors_lose_claps_usage_paragraph() {
        let e = Args::try_parse_from(["sample", "--bad"]).unwrap_err();
        let text = without_usage(&e.render().to_string());
        assert!(
            text.starts_with("error: unexpected argument '--bad'"),
            "{text}"
        );
        assert!(!text.contains("Usage:"), "{text}");
        assert!(!text.contains("\n\n\n"), "{text}");
        assert!(
            text.ends_with("For more information, try '--help'.\n"),
            "{text}"
        );

        let e = Args::try_parse_from(["sample", "-i", "a", "-c", "VP9"]).unwrap_err();
        let text = without_usage(&e.render().to_string());
        assert!(text.starts_with("error: invalid value 'VP9'"), "{text}");
        assert!(!text.contains("Usage:"), "{text}");
    }

    #[test]
    fn argument_errors_print_the_usage_line_and_exit_2() {
        let (code, stderr) = fail(
            Argparse::new(USAGE)
                .try_parse_from::<Args, _, _>(["sample", "--bad"])
                .unwrap_err(),
        );
        assert_eq!(code, 2);
        let rest = stderr
            .strip_prefix(&format!(
                "usage: {USAGE}\nerror: unexpected argument '--bad'"
            ))
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(
            rest.ends_with("\n\nFor more information, try '--help'.\n"),
            "{stderr}"
        );
        assert!(!stderr.contains("Usage:"), "{stderr}");
    }

    #[test]
    fn error_line_only_keeps_the_error_line() {
        let (code, stderr) = fail(
            Argparse::new(USAGE)
                .error_line_only()
                .try_parse_from::<Args, _, _>(["sample", "--bad"])
                .unwrap_err(),
        );
        assert_eq!(code, 2);
        assert_eq!(
            stderr,
            format!("usage: {USAGE}\nerror: unexpected argument '--bad' found\n")
        );
    }

    #[test]
    fn no_arguments_print_the_help_on_stderr_and_exit_1() {
        let (code, stderr) = fail(
            Argparse::new(USAGE)
                .help_without_arguments()
                .try_parse_from::<Args, _, _>(["sample"])
                .unwrap_err(),
        );
        assert_eq!(code, 1);
        assert!(stderr.starts_with("A sample\n"), "{stderr}");
        assert!(stderr.contains(&format!("Usage: {USAGE}")), "{stderr}");
        assert!(stderr.contains("-c, --codec"), "{stderr}");

        // Without help_without_arguments, a missing required option is an
        // argument error.
        let exit = Argparse::new(USAGE)
            .try_parse_from::<Args, _, _>(["sample"])
            .unwrap_err();
        assert_eq!(exit.code(), 2);
    }

    #[test]
    fn help_exits_0() {
        let exit = Argparse::new(USAGE)
            .help_without_arguments()
            .try_parse_from::<Args, _, _>(["sample", "-h"])
            .unwrap_err();
        assert_eq!(exit.code(), 0);
        match exit {
            Exit::Display(e) => {
                assert_eq!(e.kind(), ErrorKind::DisplayHelp);
                assert!(e.render().to_string().contains("-i, --input"));
            }
            Exit::Fail { stderr, .. } => panic!("{stderr}"),
        }
    }
}
