//! The detector's output parser, the counterpart of the sample's
//! `ssd_parser.py`, for the sample detector of this repository (NanoDet-m,
//! 416x416, 80 COCO classes) instead of the sample's SSD.
//!
//! nvinfer runs with `network-type=100`, so it parses nothing: its raw output
//! layers reach the probe as `NvDsInferTensorMeta`. NanoDet has, per stride
//! `s` in 8, 16, 32 (`n = ceil(W/s) * ceil(H/s)` locations on the `W x H`
//! network input, row-major):
//!
//! * `cls_<s>` `[n, 80]`: class scores, sigmoid already applied;
//! * `reg_<s>` `[n, 4 * 11]`: for the left, top, right and bottom sides, the
//!   logits of a distribution over distances `0..=10` strides.
//!
//! A location's detection (the sample's `make_nodi`): its best class and
//! score; the distance of each side is the expectation of the softmax over
//! its bins times the stride, from the location's centre
//! `((x + 0.5) * s, (y + 0.5) * s)`. The box is then expressed as fractions
//! of the network input (the SSD's outputs are already fractions), clipped
//! to `[0, 1]`, and filtered by class threshold and minimum size as the
//! sample does; NMS ([`crate::nms`]) ends it.
use crate::nms::cluster_and_fill_detection_output_nms;
use ds_core::tensor::{DataType, Layer, TensorMeta};

/// One detection (the sample's `NvDsInferObjectDetectionInfo`), in
/// fractions of the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectDetectionInfo {
    /// Class id (COCO, 0-based).
    pub class_id: u32,
    /// Left edge, fraction of the width.
    pub left: f32,
    /// Top edge, fraction of the height.
    pub top: f32,
    /// Width, fraction of the width.
    pub width: f32,
    /// Height, fraction of the height.
    pub height: f32,
    /// Class score.
    pub detection_confidence: f32,
}

/// Removes boxes too small on screen (`BoxSizeParam`).
#[derive(Debug, Clone, Copy)]
pub struct BoxSizeParam {
    /// Frame height in pixels.
    pub screen_height: u32,
    /// Frame width in pixels.
    pub screen_width: u32,
    /// Minimum box height in pixels (exclusive).
    pub min_box_height: u32,
    /// Minimum box width in pixels (exclusive).
    pub min_box_width: u32,
}

impl BoxSizeParam {
    /// Whether a box of these fractions of the screen is large enough.
    pub fn is_percentage_sufficient(&self, percentage_height: f32, percentage_width: f32) -> bool {
        self.screen_width as f32 * percentage_width > self.min_box_width as f32
            && self.screen_height as f32 * percentage_height > self.min_box_height as f32
    }
}

/// Non-maximum suppression settings (`NmsParam`).
#[derive(Debug, Clone, Copy)]
pub struct NmsParam {
    /// Maximum number of boxes kept (0: all).
    pub top_k: usize,
    /// Maximum IoU between two kept boxes of one class.
    pub iou_threshold: f32,
}

/// Number of classes and their thresholds (`DetectionParam`).
#[derive(Debug, Clone)]
pub struct DetectionParam {
    /// Number of classes.
    pub class_nb: usize,
    /// Detection threshold per class.
    pub classes_threshold: Vec<f32>,
}

impl DetectionParam {
    /// `class_nb` classes, all with `threshold`.
    pub fn new(class_nb: usize, threshold: f32) -> Self {
        DetectionParam {
            class_nb,
            classes_threshold: vec![threshold; class_nb],
        }
    }

    /// The threshold of class `index`.
    pub fn get_class_threshold(&self, index: usize) -> f32 {
        self.classes_threshold[index]
    }
}

/// The FLOAT layer named `name` (`layer_finder`).
pub fn layer_finder<'a>(tensor_meta: &'a TensorMeta, name: &str) -> Option<Layer<'a>> {
    tensor_meta
        .layers()
        .find(|l| l.data_type() == DataType::Float && l.name() == name)
}

/// Expectation of the softmax over one side's distance bins.
fn integral(logits: &[f32]) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (mut sum, mut weighted) = (0.0, 0.0);
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

/// One FPN level's outputs.
struct Level<'a> {
    stride: u32,
    scores: &'a [f32],
    classes: usize,
    boxes: &'a [f32],
    bins: usize,
    columns: usize,
}

/// The detection of `index` at `level` (`make_nodi`), or `None` when its
/// class is invalid, its score under the threshold or its box too small.
fn make_nodi(
    index: usize,
    level: &Level<'_>,
    network: (f32, f32),
    detection_param: &DetectionParam,
    box_size_param: &BoxSizeParam,
) -> Option<ObjectDetectionInfo> {
    let scores = &level.scores[index * level.classes..(index + 1) * level.classes];
    let (class_id, &detection_confidence) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    if class_id >= detection_param.class_nb
        || detection_confidence < detection_param.get_class_threshold(class_id)
    {
        return None;
    }
    let s = level.stride as f32;
    let cx = ((index % level.columns) as f32 + 0.5) * s;
    let cy = ((index / level.columns) as f32 + 0.5) * s;
    let sides = &level.boxes[index * 4 * level.bins..(index + 1) * 4 * level.bins];
    let d: Vec<f32> = sides
        .chunks_exact(level.bins)
        .map(|c| integral(c) * s)
        .collect();
    let (net_w, net_h) = network;
    let clip = |v: f32| v.clamp(0.0, 1.0);
    let rect_x1_f = clip((cx - d[0]) / net_w);
    let rect_y1_f = clip((cy - d[1]) / net_h);
    let rect_x2_f = clip((cx + d[2]) / net_w);
    let rect_y2_f = clip((cy + d[3]) / net_h);
    let res = ObjectDetectionInfo {
        class_id: class_id as u32,
        left: rect_x1_f,
        top: rect_y1_f,
        width: rect_x2_f - rect_x1_f,
        height: rect_y2_f - rect_y1_f,
        detection_confidence,
    };
    if !box_size_param.is_percentage_sufficient(res.height, res.width) {
        return None;
    }
    Some(res)
}

/// The detections in one frame's tensor meta
/// (`nvds_infer_parse_custom_tf_ssd`): every location of every level through
/// [`make_nodi`], then NMS. `Err` when the layers are not NanoDet's (the
/// sample prints `ERROR: some layers missing in output tensors`).
pub fn nvds_infer_parse_custom_nanodet(
    tensor_meta: &TensorMeta,
    detection_param: &DetectionParam,
    box_size_param: &BoxSizeParam,
    nms_param: &NmsParam,
) -> Result<Vec<ObjectDetectionInfo>, String> {
    let network = tensor_meta.network_info();
    if network.width == 0 || network.height == 0 {
        return Err("tensor meta without network size".into());
    }
    let mut levels = Vec::new();
    for stride in [8u32, 16, 32] {
        let (Some(cls), Some(reg)) = (
            layer_finder(tensor_meta, &format!("cls_{stride}")),
            layer_finder(tensor_meta, &format!("reg_{stride}")),
        ) else {
            return Err("some layers missing in output tensors".into());
        };
        let n = (network.width.div_ceil(stride) * network.height.div_ceil(stride)) as usize;
        let shape = |l: &Layer<'_>| match l.dims() {
            [rows, cols] if *rows as usize == n && *cols > 0 => Some(*cols as usize),
            _ => None,
        };
        let (Some(classes), Some(reg_cols), Some(scores), Some(boxes)) =
            (shape(&cls), shape(&reg), cls.as_f32(), reg.as_f32())
        else {
            return Err(format!(
                "layers cls_{stride}{:?} / reg_{stride}{:?} do not fit a {}x{} input",
                cls.dims(),
                reg.dims(),
                network.width,
                network.height
            ));
        };
        if reg_cols % 4 != 0 || scores.len() != n * classes || boxes.len() != n * reg_cols {
            return Err(format!(
                "layer reg_{stride}{:?} is not 4 distributions",
                reg.dims()
            ));
        }
        levels.push(Level {
            stride,
            scores,
            classes,
            boxes,
            bins: reg_cols / 4,
            columns: network.width.div_ceil(stride) as usize,
        });
    }
    let net = (network.width as f32, network.height as f32);
    let mut object_list = Vec::new();
    for level in &levels {
        for i in 0..level.scores.len() / level.classes {
            if let Some(obj) = make_nodi(i, level, net, detection_param, box_size_param) {
                object_list.push(obj);
            }
        }
    }
    if !object_list.is_empty() {
        object_list = cluster_and_fill_detection_output_nms(
            object_list,
            nms_param.top_k,
            nms_param.iou_threshold,
        );
    }
    Ok(object_list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};

    /// A 32x32 network (strides 8, 16, 32: 16 + 4 + 1 locations), 2
    /// classes, 2 bins per side, with one confident location at stride 16.
    fn tensor(score: f32) -> TensorOutput {
        let mut t = TensorOutput::new(
            1,
            NetworkInfo {
                width: 32,
                height: 32,
                channels: 3,
            },
        );
        for (s, n) in [(8, 16usize), (16, 4), (32, 1)] {
            let mut cls = vec![0.0f32; n * 2];
            if s == 16 {
                // Location 3 (x 1, y 1): class 1.
                cls[3 * 2 + 1] = score;
            }
            t.push_layer(&format!("cls_{s}"), &[n as u32, 2], LayerData::Float(&cls))
                .unwrap();
        }
        for (s, n) in [(8, 16usize), (16, 4), (32, 1)] {
            // Bin 1 of every side certain: a distance of one stride.
            let reg: Vec<f32> = (0..n * 8)
                .map(|i| if i % 2 == 1 { 50.0 } else { 0.0 })
                .collect();
            t.push_layer(&format!("reg_{s}"), &[n as u32, 8], LayerData::Float(&reg))
                .unwrap();
        }
        t
    }

    fn params() -> (DetectionParam, BoxSizeParam, NmsParam) {
        (
            DetectionParam::new(2, 0.5),
            BoxSizeParam {
                screen_height: 1080,
                screen_width: 1920,
                min_box_height: 32,
                min_box_width: 32,
            },
            NmsParam {
                top_k: 20,
                iou_threshold: 0.3,
            },
        )
    }

    #[test]
    fn a_confident_location_becomes_one_box_in_fractions() {
        let (d, b, n) = params();
        let out = nvds_infer_parse_custom_nanodet(&tensor(0.9), &d, &b, &n).unwrap();
        assert_eq!(out.len(), 1, "{out:?}");
        let o = out[0];
        assert_eq!(o.class_id, 1);
        assert_eq!(o.detection_confidence, 0.9);
        // Centre (24, 24), one stride (16) each side: 8..40 clipped to 32.
        assert!(
            (o.left - 0.25).abs() < 1e-3 && (o.top - 0.25).abs() < 1e-3,
            "{o:?}"
        );
        assert!(
            (o.width - 0.75).abs() < 1e-3 && (o.height - 0.75).abs() < 1e-3,
            "{o:?}"
        );
    }

    #[test]
    fn scores_under_the_threshold_are_dropped() {
        let (d, b, n) = params();
        assert!(nvds_infer_parse_custom_nanodet(&tensor(0.4), &d, &b, &n)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn missing_layers_are_an_error() {
        let (d, b, n) = params();
        let t = TensorOutput::new(
            1,
            NetworkInfo {
                width: 32,
                height: 32,
                channels: 3,
            },
        );
        assert_eq!(
            nvds_infer_parse_custom_nanodet(&t, &d, &b, &n).unwrap_err(),
            "some layers missing in output tensors"
        );
    }
}
