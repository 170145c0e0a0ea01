//! Greedy refinement of a calibration cache's scales against the detections themselves.
//!
//! Per-tensor criteria (max |x|, percentiles, MSE, entropy) each look at one tensor; what an
//! INT8 detector gets wrong is the few detections whose score sits near the threshold and
//! crosses it. [`refine`] starts from a cache and, for each quantised activation in graph
//! order, tries its scale times each factor (e.g. 0.85, then 1.15) and keeps the first
//! change that lowers an objective computed on the refinement frames (FP32 against the INT8
//! model made with the candidate cache). The result is still one scale per tensor, i.e. a
//! TensorRT calibration cache.
//!
//! [`soft_disagreement`] is the objective the calibrator uses: a smooth count of the
//! detections on which FP32 and INT8 disagree about the threshold.
//!
//! ```
//! use ds_model::refine::{soft_disagreement, ScoredBox};
//! let b = |score| ScoredBox { class_id: 0, score, bbox: [0.0, 0.0, 10.0, 10.0] };
//! // Both far above the threshold: they agree.
//! assert!(soft_disagreement(&[b(0.9)], &[b(0.88)], 0.4, 0.01) < 1e-6);
//! // FP32 just above, INT8 just below: nearly one disagreement.
//! assert!(soft_disagreement(&[b(0.43)], &[b(0.37)], 0.4, 0.01) > 0.9);
//! ```
use crate::calib::CalibrationCache;
use crate::onnx_read::OnnxModel;
use crate::quantize::{quantize, Options};

/// A detection as the objective sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredBox {
    /// Output class.
    pub class_id: u32,
    /// Score (0..1).
    pub score: f32,
    /// Left, top, right, bottom.
    pub bbox: [f32; 4],
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// Pairs of (reference, candidate) indices: same class, IoU >= 0.5, highest IoU first,
/// each detection used once.
pub fn match_boxes(reference: &[ScoredBox], got: &[ScoredBox]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (i, r) in reference.iter().enumerate() {
        for (j, g) in got.iter().enumerate() {
            if r.class_id == g.class_id {
                let v = iou(&r.bbox, &g.bbox);
                if v >= 0.5 {
                    pairs.push((v, i, j));
                }
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let (mut used_r, mut used_g) = (vec![false; reference.len()], vec![false; got.len()]);
    let mut out = Vec::new();
    for (_, i, j) in pairs {
        if !used_r[i] && !used_g[j] {
            used_r[i] = true;
            used_g[j] = true;
            out.push((i, j));
        }
    }
    out
}

fn above(score: f32, threshold: f32, tau: f32) -> f64 {
    1.0 / (1.0 + (-((score - threshold) / tau) as f64).exp())
}

/// Smooth count of disagreements about `threshold` between `reference` (FP32) and `got`
/// (INT8) detections, both decoded with a threshold below `threshold` so that near misses
/// are seen: a matched pair counts `|a(int8) - a(fp32)|`, an unmatched detection `a(score)`,
/// where `a(s) = sigmoid((s - threshold) / tau)` (1 well above the threshold, 0 well below).
pub fn soft_disagreement(
    reference: &[ScoredBox],
    got: &[ScoredBox],
    threshold: f32,
    tau: f32,
) -> f64 {
    let pairs = match_boxes(reference, got);
    let (mut in_r, mut in_g) = (vec![false; reference.len()], vec![false; got.len()]);
    let mut e = 0.0;
    for &(i, j) in &pairs {
        in_r[i] = true;
        in_g[j] = true;
        e +=
            (above(got[j].score, threshold, tau) - above(reference[i].score, threshold, tau)).abs();
    }
    for (r, _) in reference.iter().zip(&in_r).filter(|(_, m)| !**m) {
        e += above(r.score, threshold, tau);
    }
    for (g, _) in got.iter().zip(&in_g).filter(|(_, m)| !**m) {
        e += above(g.score, threshold, tau);
    }
    e
}

/// The activation tensors [`quantize`] gives a Q/DQ pair with `cache`, in graph order.
pub fn quantised_activations(
    model: &OnnxModel,
    cache: &CalibrationCache,
    options: &Options,
) -> Result<Vec<String>, String> {
    let (q, _) = quantize(model, cache, options)?;
    Ok(q.graph
        .nodes
        .iter()
        .filter(|n| n.op_type == "QuantizeLinear")
        .filter_map(|n| n.inputs.first().cloned())
        .filter(|t| cache.scale(t).is_some())
        .collect())
}

/// One accepted change of [`refine`].
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The tensor.
    pub tensor: String,
    /// Its scale was multiplied by this.
    pub factor: f32,
    /// The objective after the change.
    pub objective: f64,
}

/// Greedy refinement: for each tensor of `tensors` in order, its scale times each of
/// `factors` in turn; the first that lowers `objective` by more than `min_gain` is kept.
/// `objective` gets the candidate cache; `on_step` hears each accepted change. Returns the
/// refined cache and the objective before and after.
pub fn refine(
    start: &CalibrationCache,
    tensors: &[String],
    factors: &[f32],
    min_gain: f64,
    mut objective: impl FnMut(&CalibrationCache) -> Result<f64, String>,
    mut on_step: impl FnMut(&Step),
) -> Result<(CalibrationCache, f64, f64), String> {
    let mut cache = start.clone();
    let first = objective(&cache)?;
    let mut best = first;
    for t in tensors {
        let Some(i) = cache.scales.iter().position(|(n, _)| n == t) else {
            continue;
        };
        let base = cache.scales[i].1;
        for &f in factors {
            cache.scales[i].1 = base * f;
            let e = objective(&cache)?;
            if e < best - min_gain {
                best = e;
                on_step(&Step {
                    tensor: t.clone(),
                    factor: f,
                    objective: e,
                });
                break;
            }
            cache.scales[i].1 = base;
        }
    }
    Ok((cache, first, best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calib::Algorithm;

    fn b(class_id: u32, score: f32, x: f32) -> ScoredBox {
        ScoredBox {
            class_id,
            score,
            bbox: [x, 0.0, x + 10.0, 10.0],
        }
    }

    #[test]
    fn matching_needs_the_same_class_and_overlap() {
        let r = [b(0, 0.5, 0.0), b(1, 0.5, 0.0), b(0, 0.5, 100.0)];
        let g = [b(1, 0.5, 1.0), b(0, 0.5, 0.0), b(0, 0.5, 108.0)];
        let mut m = match_boxes(&r, &g);
        m.sort();
        assert_eq!(m, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn unmatched_boxes_count_by_how_far_above_the_threshold_they_are() {
        let e = soft_disagreement(&[b(0, 0.6, 0.0)], &[b(0, 0.35, 100.0)], 0.4, 0.01);
        assert!((e - 1.0).abs() < 0.01, "{e}");
    }

    #[test]
    fn refine_keeps_the_first_factor_that_helps() {
        let start = CalibrationCache::new(
            Algorithm::MinMax,
            vec![("a".into(), 1.0), ("b".into(), 1.0)],
        );
        // Objective: distance of a's scale from 0.85 and b's from 1.15.
        let obj = |c: &CalibrationCache| {
            Ok(
                ((c.scale("a").unwrap() - 0.85).abs() + (c.scale("b").unwrap() - 1.15).abs())
                    as f64,
            )
        };
        let mut steps = Vec::new();
        let (c, first, last) = refine(
            &start,
            &["a".to_string(), "b".to_string(), "missing".to_string()],
            &[0.85, 1.15],
            1e-4,
            obj,
            |s| steps.push(s.clone()),
        )
        .unwrap();
        assert!((c.scale("a").unwrap() - 0.85).abs() < 1e-6);
        assert!((c.scale("b").unwrap() - 1.15).abs() < 1e-6);
        assert!(first > 0.29 && last < 1e-6);
        assert_eq!(steps.len(), 2);
    }
}
