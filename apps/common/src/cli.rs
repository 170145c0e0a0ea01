//! Command lines: clap for the options, with the samples' `usage:` line
//! where a sample checks its argument count (the samples that use argparse
//! use [`crate::argparse`]), and the inputs as URIs ([`to_uri`]).
use anyhow::{Context, Result};
use clap::error::ErrorKind;
use gstreamer::glib;
use std::path::Path;

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

/// A URI for an input argument: a URI (`scheme://...`, the scheme made of
/// letters, digits, `+`, `-` and `.`) is kept as it is; anything else is a
/// file path, made absolute (not resolved: it need not exist) and turned
/// into a `file://` URI with `glib::filename_to_uri` (which escapes e.g.
/// spaces as `%20`). `Err` names the input.
///
/// ```
/// use deepstream_common::to_uri;
///
/// assert_eq!(to_uri("rtsp://cam/1").unwrap(), "rtsp://cam/1");
/// assert_eq!(to_uri("/a/b c.mp4").unwrap(), "file:///a/b%20c.mp4");
/// ```
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
    fn relative_paths_become_absolute_file_uris() {
        let cwd = std::env::current_dir().unwrap();
        let expected = glib::filename_to_uri(cwd.join("a.mp4"), None).unwrap();
        assert_eq!(to_uri("a.mp4").unwrap(), expected.as_str());
        // "://" after something that is not a scheme: still a path (made
        // absolute, which folds the double slash).
        let expected = glib::filename_to_uri(cwd.join("d/x:/y"), None).unwrap();
        assert_eq!(to_uri("d/x://y").unwrap(), expected.as_str());
        assert!(to_uri("").is_err());
    }
}
