//! App utilities shared by the sample apps (bus, FPS, platform, init).

/// The backend ds-sys was built for (`"open"` or `"nvidia"`).
pub fn backend() -> &'static str {
    ds_sys::BACKEND
}

/// Initialises GStreamer.
pub fn init() -> Result<(), gstreamer::glib::Error> {
    gstreamer::init()
}
