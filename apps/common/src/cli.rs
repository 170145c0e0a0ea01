//! Command lines: clap for the options, with the samples' `usage:` line
//! where a sample checks its argument count.
use clap::error::ErrorKind;

/// Parses the command line into `T`. On an argument error, prints the
/// sample's `usage` line (e.g. `usage: deepstream-test1 <media file or
/// uri>`) to stderr before clap's message and exits with status 1, as the
/// samples' `sys.exit(1)`; `--help` and `--version` print and exit 0.
pub fn parse_args<T: clap::Parser>(usage: &str) -> T {
    parse_from(usage, std::env::args_os())
}

/// [`parse_args`] on explicit arguments (the first is the program name).
pub fn parse_from<T, I, A>(usage: &str, args: I) -> T
where
    T: clap::Parser,
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    match T::try_parse_from(args) {
        Ok(t) => t,
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
                _ => {
                    eprintln!("usage: {usage}");
                    1
                }
            };
            let _ = e.print();
            std::process::exit(code);
        }
    }
}
