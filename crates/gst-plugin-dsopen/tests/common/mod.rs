//! What the plugin's tests share: where the built plugin is, and GStreamer
//! command-line tools run with it on `GST_PLUGIN_PATH`.
#![allow(dead_code)]

use ds_testkit::parser::TempDir;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (commands run there, as the README's do).
pub fn repo() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .expect("repository root")
}

/// `libgstdsopen.so` as cargo built it with this test (the package's own
/// `cdylib`, in `target/<profile>/deps/` and `target/<profile>/`).
pub fn plugin() -> PathBuf {
    ds_testkit::parser::cargo_built_library("libgstdsopen.so")
}

/// A plugin folder as the README makes it (`target/<profile>` holds the
/// plugin and the detector's parser library): links to the two libraries
/// cargo built with this test, in a fresh folder, so GStreamer scans
/// nothing else. Also holds the test's private registry file.
pub struct PluginDir(TempDir);

impl PluginDir {
    pub fn new(tag: &str) -> PluginDir {
        let dir = TempDir::new(tag);
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).expect("plugins folder");
        for lib in ["libgstdsopen.so", "libnvdsinfer_custom_impl_nanodet.so"] {
            let target = ds_testkit::parser::cargo_built_library(lib);
            std::os::unix::fs::symlink(&target, plugins.join(lib))
                .unwrap_or_else(|e| panic!("link {}: {e}", target.display()));
        }
        PluginDir(dir)
    }

    /// The folder to put on `GST_PLUGIN_PATH`.
    pub fn plugins(&self) -> PathBuf {
        self.0.path().join("plugins")
    }

    /// A scratch folder for outputs.
    pub fn scratch(&self) -> &Path {
        self.0.path()
    }

    /// `program` with the plugin folder on `GST_PLUGIN_PATH`, a private
    /// registry (a fresh scan, never the user's cache), run from the
    /// repository root, headless.
    pub fn command(&self, program: impl AsRef<Path>, args: &[&str]) -> Command {
        let mut cmd = ds_testkit::command(program, args);
        cmd.env("GST_PLUGIN_PATH", self.plugins())
            .env("GST_REGISTRY", self.0.path().join("registry.bin"))
            .current_dir(repo());
        cmd
    }
}

/// The frames of a video file decoded with GStreamer's own elements
/// (MP4 or H.264 elementary stream), as RGB of `width`x`height` (`None`:
/// the file's size), one at a time.
pub struct Frames {
    pipeline: gst::Pipeline,
    sink: gst_app::AppSink,
}

impl Frames {
    pub fn open(path: &Path, size: Option<(usize, usize)>) -> Frames {
        gst::init().expect("gst::init");
        let demux = if path.extension().is_some_and(|e| e == "mp4") {
            "qtdemux ! "
        } else {
            ""
        };
        let size = size
            .map(|(w, h)| format!(",width={w},height={h}"))
            .unwrap_or_default();
        let line = format!(
            "filesrc location=\"{}\" ! {demux}h264parse ! avdec_h264 ! videoconvert ! videoscale ! \
             video/x-raw,format=RGB{size} ! appsink name=sink sync=false",
            path.display()
        );
        let pipeline = gst::parse::launch(&line)
            .expect("decoding pipeline")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        let sink = pipeline
            .by_name("sink")
            .expect("appsink")
            .downcast::<gst_app::AppSink>()
            .expect("an appsink");
        pipeline.set_state(gst::State::Playing).expect("playing");
        Frames { pipeline, sink }
    }
}

/// One decoded RGB frame.
pub struct Frame {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Frame {
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

impl Iterator for Frames {
    type Item = Frame;
    fn next(&mut self) -> Option<Frame> {
        let sample = self
            .sink
            .try_pull_sample(gst::ClockTime::from_seconds(60))?;
        let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
        let frame =
            gst_video::VideoFrameRef::from_buffer_ref_readable(sample.buffer()?, &info).ok()?;
        let (w, h) = (info.width() as usize, info.height() as usize);
        let stride = info.stride()[0] as usize;
        let data = frame.plane_data(0).ok()?;
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            rgb.extend_from_slice(&data[y * stride..y * stride + w * 3]);
        }
        Some(Frame {
            width: w,
            height: h,
            rgb,
        })
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// Video size of the file at `path` (its first decoded frame).
pub fn video_size(path: &Path) -> (usize, usize) {
    let f = Frames::open(path, None)
        .next()
        .unwrap_or_else(|| panic!("{}: no frame", path.display()));
    (f.width, f.height)
}
