//! Caps shared by the open elements: the `memory:NVMM` caps feature and the
//! mapping between GStreamer video formats and `NvBufSurfaceColorFormat`.
//!
//! ```
//! use ds_open::caps;
//! ds_open::init().unwrap();
//! let c = caps::nvmm_caps(&["NV12", "RGBA"]);
//! assert!(caps::is_nvmm(c.structure(0).is_some().then(|| c.features(0).unwrap()).unwrap()));
//! ```
use crate::convert::PixelFormat;
use gstreamer as gst;
use gstreamer_video as gst_video;

/// The caps feature of DeepStream buffers.
pub const NVMM: &str = "memory:NVMM";

/// Formats the open elements read and write, as caps strings.
pub const FORMATS: &[&str] = &[
    "NV12", "I420", "RGBA", "BGRA", "RGBx", "BGRx", "RGB", "BGR", "GRAY8",
];

/// `video/x-raw(memory:NVMM)` with the given formats and any size/rate.
///
/// ```
/// ds_open::init().unwrap();
/// let c = ds_open::caps::nvmm_caps(&["RGBA"]);
/// assert!(c.to_string().starts_with("video/x-raw(memory:NVMM)"));
/// ```
pub fn nvmm_caps(formats: &[&str]) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .features([NVMM])
        .field("format", gst::List::new(formats.iter().copied()))
        .field("width", gst::IntRange::new(1, i32::MAX))
        .field("height", gst::IntRange::new(1, i32::MAX))
        .field(
            "framerate",
            gst::FractionRange::new(gst::Fraction::new(0, 1), gst::Fraction::new(i32::MAX, 1)),
        )
        .build()
}

/// Plain system-memory `video/x-raw` with the given formats.
///
/// ```
/// ds_open::init().unwrap();
/// assert!(ds_open::caps::raw_caps(&["NV12"]).to_string().starts_with("video/x-raw,"));
/// ```
pub fn raw_caps(formats: &[&str]) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .field("format", gst::List::new(formats.iter().copied()))
        .field("width", gst::IntRange::new(1, i32::MAX))
        .field("height", gst::IntRange::new(1, i32::MAX))
        .field(
            "framerate",
            gst::FractionRange::new(gst::Fraction::new(0, 1), gst::Fraction::new(i32::MAX, 1)),
        )
        .build()
}

/// Whether caps features include `memory:NVMM`.
///
/// ```
/// ds_open::init().unwrap();
/// let c = ds_open::caps::nvmm_caps(&["NV12"]);
/// assert!(ds_open::caps::is_nvmm(c.features(0).unwrap()));
/// ```
pub fn is_nvmm(features: &gst::CapsFeaturesRef) -> bool {
    features.contains(NVMM)
}

/// Whether the first structure of `caps` is NVMM.
///
/// ```
/// ds_open::init().unwrap();
/// assert!(ds_open::caps::caps_are_nvmm(&ds_open::caps::nvmm_caps(&["NV12"])));
/// assert!(!ds_open::caps::caps_are_nvmm(&ds_open::caps::raw_caps(&["NV12"])));
/// ```
pub fn caps_are_nvmm(caps: &gst::CapsRef) -> bool {
    caps.features(0).is_some_and(is_nvmm)
}

/// Format, width, height and frame rate of fixed video caps (NVMM or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoDesc {
    /// Pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Frame rate (0/1 when unknown).
    pub fps: gst::Fraction,
}

impl VideoDesc {
    /// Reads fixed `video/x-raw` caps; `None` if a field is missing or the
    /// format is not one of [`FORMATS`].
    ///
    /// ```
    /// ds_open::init().unwrap();
    /// let c: gstreamer::Caps = "video/x-raw(memory:NVMM),format=NV12,width=4,height=2,framerate=30/1".parse().unwrap();
    /// let d = ds_open::caps::VideoDesc::from_caps(&c).unwrap();
    /// assert_eq!((d.width, d.height), (4, 2));
    /// ```
    pub fn from_caps(caps: &gst::CapsRef) -> Option<VideoDesc> {
        let s = caps.structure(0)?;
        if s.name() != "video/x-raw" {
            return None;
        }
        let format = PixelFormat::from_caps_name(s.get::<&str>("format").ok()?)?;
        let width = u32::try_from(s.get::<i32>("width").ok()?).ok()?;
        let height = u32::try_from(s.get::<i32>("height").ok()?).ok()?;
        let fps = s
            .get::<gst::Fraction>("framerate")
            .unwrap_or(gst::Fraction::new(0, 1));
        (width > 0 && height > 0).then_some(VideoDesc {
            format,
            width,
            height,
            fps,
        })
    }

    /// Fixed caps for this description, NVMM or plain.
    ///
    /// ```
    /// use ds_open::{caps::VideoDesc, convert::PixelFormat};
    /// ds_open::init().unwrap();
    /// let d = VideoDesc { format: PixelFormat::Rgba, width: 8, height: 4, fps: gstreamer::Fraction::new(25, 1) };
    /// assert_eq!(VideoDesc::from_caps(&d.to_caps(true)), Some(d));
    /// ```
    pub fn to_caps(&self, nvmm: bool) -> gst::Caps {
        let mut caps = gst::Caps::builder("video/x-raw")
            .field("format", self.format.caps_name())
            .field("width", self.width as i32)
            .field("height", self.height as i32)
            .field("framerate", self.fps)
            .build();
        if nvmm {
            caps.get_mut()
                .expect("new caps are writable")
                .set_features_simple(Some(gst::CapsFeatures::new([NVMM])));
        }
        caps
    }

    /// GStreamer video info for this description (system memory layout).
    ///
    /// ```
    /// use ds_open::{caps::VideoDesc, convert::PixelFormat};
    /// ds_open::init().unwrap();
    /// let d = VideoDesc { format: PixelFormat::Nv12, width: 8, height: 4, fps: gstreamer::Fraction::new(0, 1) };
    /// assert_eq!(d.video_info().unwrap().width(), 8);
    /// ```
    pub fn video_info(&self) -> Result<gst_video::VideoInfo, glib::BoolError> {
        gst_video::VideoInfo::builder(self.format.video_format(), self.width, self.height)
            .fps(self.fps)
            .build()
    }
}
