//! What a coded stream is (codec, profile, chroma format, bit depth, read
//! from the caps its parser sets) and whether NVIDIA's decoder takes it.
//!
//! The limits are those of the 7.1 Gst-nvvideo4linux2 page
//! (<https://docs.nvidia.com/metropolis/deepstream/7.1/text/DS_plugin_gst-nvvideo4linux2.html>):
//! H.264 in 8-bit 4:2:0 only; H.265 in 8/10/12-bit 4:2:0 or 4:4:4. The
//! other codecs of the sink template have no documented limits and are not
//! checked.
use gstreamer as gst;

/// A coded stream as its caps describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// Codec name (`H.264`, `VP9`, ...).
    pub codec: &'static str,
    /// Profile as the parser names it (`high-4:4:4`), when known.
    pub profile: Option<String>,
    /// Chroma format (`4:2:0`), when known.
    pub chroma: Option<String>,
    /// Luma bit depth, when known.
    pub bit_depth: Option<u32>,
}

impl Stream {
    /// Reads the first structure of `caps`.
    ///
    /// ```
    /// use ds_open::nvv4l2decoder::stream::Stream;
    /// gstreamer::init().unwrap();
    /// let caps: gstreamer::Caps = "video/x-h264, profile=(string)high-10, \
    ///     chroma-format=(string)4:2:0, bit-depth-luma=(uint)10".parse().unwrap();
    /// let s = Stream::from_caps(&caps).unwrap();
    /// assert_eq!((s.codec, s.bit_depth), ("H.264", Some(10)));
    /// ```
    pub fn from_caps(caps: &gst::CapsRef) -> Option<Stream> {
        let s = caps.structure(0)?;
        let mpeg = s.get::<i32>("mpegversion").ok();
        let codec = match s.name().as_str() {
            "video/x-h264" => "H.264",
            "video/x-h265" => "H.265",
            "video/x-vp8" => "VP8",
            "video/x-vp9" => "VP9",
            "video/x-av1" => "AV1",
            "image/jpeg" => "JPEG",
            "video/x-divx" => "DivX",
            "video/mpeg" if mpeg == Some(4) => "MPEG-4 part 2",
            "video/mpeg" if mpeg == Some(1) => "MPEG-1",
            "video/mpeg" => "MPEG-2",
            _ => return None,
        };
        let text = |k: &str| s.get::<String>(k).ok();
        let depth = s
            .get::<u32>("bit-depth-luma")
            .ok()
            .or_else(|| s.get::<i32>("bit-depth-luma").ok().map(|d| d as u32));
        Some(Stream {
            codec,
            profile: text("profile"),
            chroma: text("chroma-format"),
            bit_depth: depth,
        })
    }

    /// Why NVIDIA's decoder would refuse this stream, as one line naming
    /// the codec, profile, chroma format and bit depth; `None` when it
    /// takes it (or its limits are not documented).
    ///
    /// ```
    /// use ds_open::nvv4l2decoder::stream::Stream;
    /// let s = Stream {
    ///     codec: "H.264",
    ///     profile: Some("high-4:4:4".into()),
    ///     chroma: Some("4:4:4".into()),
    ///     bit_depth: Some(8),
    /// };
    /// assert!(s.refusal().unwrap().contains("chroma format 4:4:4"));
    /// ```
    pub fn refusal(&self) -> Option<String> {
        let chroma = self.chroma.as_deref().or(match self.profile.as_deref() {
            Some(p) if p.starts_with("high-4:4:4") => Some("4:4:4"),
            Some(p) if p.starts_with("high-4:2:2") => Some("4:2:2"),
            _ => None,
        });
        let depth = self.bit_depth.or(match self.profile.as_deref() {
            Some(p) if self.codec == "H.264" && p.starts_with("high-10") => Some(10),
            _ => None,
        });
        let takes = match self.codec {
            "H.264" => {
                if matches!(chroma, Some(c) if c != "4:2:0") || matches!(depth, Some(d) if d != 8) {
                    Some("H.264 in 8-bit 4:2:0 only")
                } else {
                    None
                }
            }
            "H.265" => {
                if matches!(chroma, Some(c) if c != "4:2:0" && c != "4:4:4")
                    || matches!(depth, Some(d) if d > 12)
                {
                    Some("H.265 in 8/10/12-bit 4:2:0 or 4:4:4 only")
                } else {
                    None
                }
            }
            _ => None,
        }?;
        let unknown = || "unknown".to_string();
        Some(format!(
            "nvv4l2decoder: cannot decode this {} stream (profile {}, chroma format {}, \
             bit depth {}): NVIDIA's decoder takes {takes}",
            self.codec,
            self.profile.clone().unwrap_or_else(unknown),
            chroma.map_or_else(unknown, str::to_string),
            depth.map_or_else(unknown, |d| d.to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(caps: &str) -> Stream {
        gst::init().unwrap();
        Stream::from_caps(&caps.parse::<gst::Caps>().unwrap()).unwrap()
    }

    #[test]
    fn h264_8bit_420_is_taken() {
        let s = stream(
            "video/x-h264, profile=(string)high, chroma-format=(string)4:2:0, \
             bit-depth-luma=(uint)8, bit-depth-chroma=(uint)8",
        );
        assert_eq!(s.refusal(), None);
        assert_eq!(stream("video/x-h264").refusal(), None);
    }

    #[test]
    fn h264_444_and_10bit_are_refused_with_what_was_found() {
        let s = stream(
            "video/x-h264, profile=(string)high-4:4:4, chroma-format=(string)4:4:4, \
             bit-depth-luma=(uint)8",
        );
        assert_eq!(
            s.refusal().unwrap(),
            "nvv4l2decoder: cannot decode this H.264 stream (profile high-4:4:4, chroma \
             format 4:4:4, bit depth 8): NVIDIA's decoder takes H.264 in 8-bit 4:2:0 only"
        );
        let s = stream(
            "video/x-h264, profile=(string)high-10, chroma-format=(string)4:2:0, \
             bit-depth-luma=(uint)10",
        );
        assert!(s
            .refusal()
            .unwrap()
            .contains("(profile high-10, chroma format 4:2:0, bit depth 10)"));
        // Only the profile known: its chroma format and depth follow from it.
        let s = stream("video/x-h264, profile=(string)high-10");
        assert!(s
            .refusal()
            .unwrap()
            .contains("chroma format unknown, bit depth 10"));
    }

    #[test]
    fn h265_takes_444_and_12bit_but_not_422() {
        let ok = stream(
            "video/x-h265, profile=(string)main-444, chroma-format=(string)4:4:4, \
             bit-depth-luma=(uint)10",
        );
        assert_eq!(ok.refusal(), None);
        let no = stream(
            "video/x-h265, profile=(string)main-422-10, chroma-format=(string)4:2:2, \
             bit-depth-luma=(uint)10",
        );
        assert!(no
            .refusal()
            .unwrap()
            .contains("H.265 stream (profile main-422-10"));
    }

    #[test]
    fn codecs_are_named() {
        for (caps, name) in [
            ("video/mpeg, mpegversion=(int)4", "MPEG-4 part 2"),
            ("video/mpeg, mpegversion=(int)2", "MPEG-2"),
            ("image/jpeg", "JPEG"),
            ("video/x-vp9", "VP9"),
            ("video/x-av1", "AV1"),
        ] {
            assert_eq!(stream(caps).codec, name);
        }
    }
}
