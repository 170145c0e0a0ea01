//! The open DeepStream elements as a GStreamer plugin: `libgstdsopen.so`.
//!
//! gst-plugins-rs style: this crate holds no element code, only the plugin
//! definition. Its `plugin_init` walks [`ds_open::ELEMENTS`], the one list
//! `ds_open::register()` walks too, so every open element (nvv4l2decoder,
//! nvstreammux, nvvideoconvert, nvinfer, nvtracker, nvmultistreamtiler,
//! nvdsosd, nvmsgconv, nvmsgbroker, nvurisrcbin, nvdslogger, the sinks and
//! encoders, ...) is a feature of this plugin without being named here.
//!
//! With the library's folder on `GST_PLUGIN_PATH`, `gst-inspect-1.0
//! nvinfer`, `gst-launch-1.0 ... ! nvinfer ! ...` and PyGObject's
//! `Gst.ElementFactory.make("nvinfer")` find the open elements:
//!
//! ```sh
//! cargo build -p gst-plugin-dsopen
//! export GST_PLUGIN_PATH=$PWD/target/debug
//! gst-inspect-1.0 dsopen
//! ```
//!
//! One metadata implementation per process: when an application that
//! links ds-open has registered the elements already, the plugin defers
//! and registers nothing ([`ds_open::PluginRegistration::Deferred`]); see
//! `docs/open-backend.md` ("One metadata implementation per process").

use gstreamer as gst;

/// Registers the plugin's elements. Called by GStreamer when it loads the
/// library (or by [`plugin_register_static`]).
fn plugin_init(plugin: &gst::Plugin) -> Result<(), gst::glib::BoolError> {
    match ds_open::register_plugin(plugin)? {
        ds_open::PluginRegistration::Registered => {}
        ds_open::PluginRegistration::Deferred => gst::info!(
            gst::CAT_PLUGIN_LOADING,
            "dsopen: the open DeepStream elements are registered in this process already \
             (by the application); the plugin adds none"
        ),
        ds_open::PluginRegistration::Disabled => gst::info!(
            gst::CAT_PLUGIN_LOADING,
            "dsopen: built for the nvidia backend; NVIDIA's plugins provide these elements"
        ),
    }
    Ok(())
}

gst::plugin_define!(
    dsopen,
    env!("CARGO_PKG_DESCRIPTION"),
    plugin_init,
    env!("CARGO_PKG_VERSION"),
    // GStreamer's licence list has no "MIT OR Apache-2.0"; MIT is the
    // permissive one both allow.
    "MIT/X11",
    "gst-plugin-dsopen",
    "deepstream-rs",
    env!("CARGO_PKG_REPOSITORY")
);
