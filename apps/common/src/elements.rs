//! Element creation with the samples' failure text.
use anyhow::{Context, Result};
use gstreamer as gst;

/// Makes element `factory` named `name`; fails with the sample's
/// `Unable to create <what>` and the factory name.
///
/// ```
/// use gstreamer::prelude::*;
/// gstreamer::init().unwrap();
/// let e = deepstream_common::make("fakesink", "sink", "sink").unwrap();
/// assert_eq!(e.name(), "sink");
/// let err = deepstream_common::make("no-such-element", "x", "thing").unwrap_err();
/// assert_eq!(err.to_string(), "Unable to create thing (no-such-element)");
/// ```
pub fn make(factory: &str, name: &str, what: &str) -> Result<gst::Element> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .with_context(|| format!("Unable to create {what} ({factory})"))
}
