//! The check the H.264-file apps (test1, ssd-parser, custom-binding-test)
//! make on their input before building the pipeline, so a wrong file is one
//! error line instead of a parser error from inside the pipeline.

use anyhow::{bail, Context, Result};
use gstreamer as gst;
use std::path::Path;

/// Refuses a file that cannot be an H.264 elementary stream: empty,
/// recognised as something else by GStreamer's type finders (then `hint`,
/// when given, follows the reason), or without an Annex-B start code in its
/// first 64 KiB.
///
/// ```
/// let dir = std::env::temp_dir().join("deepstream-common-h264-doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// let empty = dir.join("empty.h264");
/// std::fs::write(&empty, b"").unwrap();
/// gstreamer::init().unwrap();
/// let e = deepstream_common::check_h264(&empty, None).unwrap_err();
/// assert!(e.to_string().ends_with(": empty file"));
/// ```
pub fn check_h264(path: &Path, hint: Option<&str>) -> Result<()> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 * 1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if head.is_empty() {
        bail!("{}: empty file", path.display());
    }
    let (probability, caps) = gst::SliceTypeFind::type_find(&head[..]);
    let found = caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .map(|s| s.name().to_string());
    if let Some(found) = found {
        if probability >= gst::TypeFindProbability::Likely && found != "video/x-h264" {
            let hint = hint.map(|h| format!("; {h}")).unwrap_or_default();
            bail!(
                "{}: not an H.264 elementary stream ({found}){hint}",
                path.display()
            );
        }
    }
    if !head.windows(3).any(|w| w == [0, 0, 1]) {
        bail!(
            "{}: not an H.264 elementary stream (no start code in its first {} bytes)",
            path.display(),
            head.len()
        );
    }
    Ok(())
}
