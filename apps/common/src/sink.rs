//! The end of every sample's pipeline: the renderer the sample picks for
//! the platform, or (extras of the ports) an MP4 file or no display.
use crate::{make, PlatformInfo};
use anyhow::{Context, Result};
use ds_core::app::props;
use gstreamer as gst;
use std::path::{Path, PathBuf};

/// Where the OSD output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The sample's renderer (`nv3dsink` or `nveglglessink`).
    Display,
    /// No window: `fakesink`.
    None,
    /// An MP4 file (H.264).
    Mp4(PathBuf),
}

impl Output {
    /// From the ports' `--output FILE` and `--no-display` options
    /// (`--output` wins).
    pub fn from_options(output: Option<&Path>, no_display: bool) -> Self {
        match (output, no_display) {
            (Some(p), _) => Output::Mp4(p.to_path_buf()),
            (None, true) => Output::None,
            (None, false) => Output::Display,
        }
    }
}

/// The sample's renderer: `nv3dsink` (`nv3d-sink`) on an integrated GPU or
/// any aarch64 machine, `nveglglessink` (`nvvideo-renderer`) otherwise,
/// printing the sample's `Creating nv3dsink` / `Creating EGLSink` line
/// (after the platform line of the first `is_integrated_gpu()`).
pub fn render_sink(platform: &PlatformInfo) -> Result<gst::Element> {
    if platform.is_integrated_gpu() || platform.is_platform_aarch64() {
        println!("Creating nv3dsink \n");
        make("nv3dsink", "nv3d-sink", "nv3dsink")
    } else {
        println!("Creating EGLSink \n");
        make("nveglglessink", "nvvideo-renderer", "egl sink")
    }
}

/// `nvvideoconvert ! nvv4l2h264enc ! h264parse ! mp4mux ! filesink` writing
/// `path` (its folder is created), announced with `Creating MP4 output`.
pub fn mp4_tail(path: &Path) -> Result<Vec<gst::Element>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    println!("Creating MP4 output {} \n", path.display());
    let sink = make("filesink", "file-sink", "file sink")?;
    props::set_property(&sink, "location", path.to_string_lossy().as_ref());
    Ok(vec![
        make("nvvideoconvert", "mp4-convertor", "nvvidconv")?,
        make("nvv4l2h264enc", "h264-encoder", "encoder")?,
        make("h264parse", "h264-parser-out", "h264 parser")?,
        make("mp4mux", "mp4-mux", "mp4mux")?,
        sink,
    ])
}

/// Removes an MP4 that an early error left empty (filesink creates the file
/// when the pipeline starts), so that no unplayable file is left behind.
pub fn remove_empty_output(output: &Output) {
    if let Output::Mp4(path) = output {
        if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            let _ = std::fs::remove_file(path);
        }
    }
}
