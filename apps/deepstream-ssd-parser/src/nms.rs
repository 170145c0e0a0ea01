//! Non-maximum suppression, as the sample's `nms.py`: per class, boxes
//! sorted by confidence; a box is kept when it overlaps no kept box of its
//! class by more than the IoU threshold; then at most `top_k` boxes.
use crate::nanodet_parser::ObjectDetectionInfo;

/// The overlap of the segments `[x1min, x1max]` and `[x2min, x2max]`.
pub fn overlap_1d(x1min: f32, x1max: f32, x2min: f32, x2max: f32) -> f32 {
    // After ordering the segments by start, the first one's start no
    // longer matters.
    let (_, x1max, x2min, x2max) = if x1min > x2min {
        (x2min, x2max, x1min, x1max)
    } else {
        (x1min, x1max, x2min, x2max)
    };
    if x1max < x2min {
        0.0
    } else {
        x1max.min(x2max) - x2min
    }
}

/// Intersection over union of two boxes.
pub fn compute_iou(a: &ObjectDetectionInfo, b: &ObjectDetectionInfo) -> f32 {
    let overlap_x = overlap_1d(a.left, a.left + a.width, b.left, b.left + b.width);
    let overlap_y = overlap_1d(a.top, a.top + a.height, b.top, b.top + b.height);
    let intersection = overlap_x * overlap_y;
    let union = a.width * a.height + b.width * b.height - intersection;
    if union == 0.0 {
        0.0
    } else {
        intersection / union
    }
}

/// Indices (into `boxes`) of the boxes kept, visiting `order` (best first).
fn non_maximum_suppression(
    order: &[usize],
    boxes: &[ObjectDetectionInfo],
    nms_threshold: f32,
) -> Vec<usize> {
    let mut indices: Vec<usize> = Vec::new();
    for &idx in order {
        if indices
            .iter()
            .all(|&kept| compute_iou(&boxes[idx], &boxes[kept]) <= nms_threshold)
        {
            indices.push(idx);
        }
    }
    indices
}

/// `cluster_and_fill_detection_output_nms`: NMS per class (classes in the
/// order they first appear), then the `top_k` most confident boxes
/// (`top_k == 0`: all).
pub fn cluster_and_fill_detection_output_nms(
    object_list: Vec<ObjectDetectionInfo>,
    top_k: usize,
    iou_threshold: f32,
) -> Vec<ObjectDetectionInfo> {
    let mut per_class: Vec<(u32, Vec<ObjectDetectionInfo>)> = Vec::new();
    for obj in object_list {
        match per_class.iter_mut().find(|(c, _)| *c == obj.class_id) {
            Some((_, list)) => list.push(obj),
            None => per_class.push((obj.class_id, vec![obj])),
        }
    }
    let mut clustered = Vec::new();
    for (_, class_objs) in per_class {
        let mut order: Vec<usize> = (0..class_objs.len()).collect();
        // Stable, like Python's sort(reverse=True).
        order.sort_by(|&a, &b| {
            class_objs[b]
                .detection_confidence
                .total_cmp(&class_objs[a].detection_confidence)
        });
        for idx in non_maximum_suppression(&order, &class_objs, iou_threshold) {
            clustered.push(class_objs[idx]);
        }
    }
    if top_k != 0 && clustered.len() > top_k {
        clustered.sort_by(|a, b| b.detection_confidence.total_cmp(&a.detection_confidence));
        clustered.truncate(top_k);
    }
    clustered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(class_id: u32, conf: f32, left: f32) -> ObjectDetectionInfo {
        ObjectDetectionInfo {
            class_id,
            left,
            top: 0.0,
            width: 0.2,
            height: 0.2,
            detection_confidence: conf,
        }
    }

    #[test]
    fn overlapping_boxes_of_one_class_keep_the_most_confident() {
        let out = cluster_and_fill_detection_output_nms(
            vec![
                b(1, 0.6, 0.0),
                b(1, 0.9, 0.01),
                b(2, 0.7, 0.0),
                b(1, 0.8, 0.5),
            ],
            20,
            0.3,
        );
        let got: Vec<(u32, f32)> = out
            .iter()
            .map(|o| (o.class_id, o.detection_confidence))
            .collect();
        assert_eq!(got, [(1, 0.9), (1, 0.8), (2, 0.7)]);
    }

    #[test]
    fn top_k_keeps_the_most_confident() {
        let boxes: Vec<_> = (0..5)
            .map(|i| b(0, 0.5 + i as f32 / 10.0, i as f32))
            .collect();
        let out = cluster_and_fill_detection_output_nms(boxes, 2, 0.3);
        let conf: Vec<f32> = out.iter().map(|o| o.detection_confidence).collect();
        assert_eq!(conf, [0.9, 0.8]);
    }

    #[test]
    fn overlap_and_iou() {
        assert_eq!(overlap_1d(0.0, 1.0, 2.0, 3.0), 0.0);
        assert_eq!(overlap_1d(2.0, 4.0, 1.0, 3.0), 1.0);
        assert!((compute_iou(&b(0, 1.0, 0.0), &b(0, 1.0, 0.1)) - 1.0 / 3.0).abs() < 1e-6);
    }
}
