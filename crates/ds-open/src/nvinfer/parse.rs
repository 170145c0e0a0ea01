//! Output parsing and clustering of the open `nvinfer`.
//!
//! Parsers are chosen by the config keys DeepStream uses. With
//! `custom-lib-path`, the function named by `parse-bbox-func-name`
//! (detectors) or `parse-classifier-func-name` (classifiers) of that library
//! is called through NVIDIA's custom parser ABI (the library is found as
//! [`super::custom_lib`] says). Without it, detectors name a built-in parser
//! with `parse-bbox-func-name` (`NvDsInferParseNanoDet`, NanoDet's GFL head,
//! COCO ids, mapped by `class-map`); classifiers (`network-type=1`) use
//! DeepStream's default classifier parsing: for each output layer, the class
//! with the highest probability, kept when it reaches `classifier-threshold`.
//!
//! Clustering follows `cluster-mode`: 2 (NMS) and 4 (none) are exact;
//! 0 (group rectangles), 1 (DBSCAN) and 3 (DBSCAN + NMS) are approximated by
//! per-class NMS with the class's `nms-iou-threshold` (a notice is posted).
use super::config::{ClusterMode, InferConfig};
use super::engine::Output;
use ds_model::nanodet;

/// A detection in network-input pixel coordinates, with its output class
/// (after `class-map`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Class after `class-map`.
    pub class_id: u32,
    /// Score (0..1).
    pub score: f32,
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Candidate {
    fn iou(&self, o: &Candidate) -> f32 {
        let w = ((self.left + self.width).min(o.left + o.width) - self.left.max(o.left)).max(0.0);
        let h = ((self.top + self.height).min(o.top + o.height) - self.top.max(o.top)).max(0.0);
        let inter = w * h;
        let union = self.width * self.height + o.width * o.height - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }
}

/// The output parser of a model.
#[derive(Debug, Clone)]
pub enum Parser {
    /// NanoDet (GFL head): per stride a class-score and a box-distribution
    /// output.
    NanoDet {
        /// Decoder settings (input size, classes, bins, strides).
        config: nanodet::Config,
        /// Output indices of (cls, reg) per level, in stride order.
        levels: Vec<(usize, usize, u32)>,
    },
    /// Default classifier parsing (argmax per output layer).
    Classifier,
    /// `network-type=100` (other): no output parsing at all, as NVIDIA's
    /// nvinfer; the raw layers reach the application only through
    /// `output-tensor-meta=1`.
    Unparsed,
    /// A bounding-box parser function of the config's `custom-lib-path`
    /// library (NVIDIA's custom parser ABI).
    Custom {
        /// The loaded function.
        parser: ds_core::parser::BboxParser,
        /// Network input size handed to it.
        network: ds_core::parser::NetworkInfo,
    },
    /// A classifier parser function of the `custom-lib-path` library
    /// (`parse-classifier-func-name`).
    CustomClassifier {
        /// The loaded function.
        parser: ds_core::parser::ClassifierParser,
        /// Network input size handed to it.
        network: ds_core::parser::NetworkInfo,
    },
}

/// Built-in detector parsers, for messages.
pub const BUILT_IN: &[&str] = &["NvDsInferParseNanoDet"];

/// Picks the parser for `config` given the model's outputs (names and
/// dimensions from one probe run) and input size.
pub fn parser_for(
    config: &InferConfig,
    outputs: &[(String, Vec<usize>)],
    input_hw: (usize, usize),
) -> Result<Parser, String> {
    use super::config::NetworkType;
    match config.network_type {
        NetworkType::Classifier => match (
            &config.custom_lib_path,
            config.parse_classifier_func_name.as_deref(),
        ) {
            (Some(_), Some(name)) => {
                let parser = super::custom_lib::open(config)?
                    .classifier_parser(name)
                    .map_err(|e| e.to_string())?;
                let network = ds_core::parser::NetworkInfo {
                    width: input_hw.1 as u32,
                    height: input_hw.0 as u32,
                    channels: 3,
                };
                Ok(Parser::CustomClassifier { parser, network })
            }
            _ => Ok(Parser::Classifier),
        },
        NetworkType::Detector => {
            if let (Some(_), Some(name)) = (
                &config.custom_lib_path,
                config.parse_bbox_func_name.as_deref(),
            ) {
                let parser = super::custom_lib::open(config)?
                    .bbox_parser(name)
                    .map_err(|e| e.to_string())?;
                let network = ds_core::parser::NetworkInfo {
                    width: input_hw.1 as u32,
                    height: input_hw.0 as u32,
                    channels: 3,
                };
                return Ok(Parser::Custom { parser, network });
            }
            let name = config.parse_bbox_func_name.as_deref().ok_or_else(|| {
                format!(
                    "detector without parse-bbox-func-name: the open nvinfer needs one of its \
                     built-in parsers ({})",
                    BUILT_IN.join(", ")
                )
            })?;
            match name {
                "NvDsInferParseNanoDet" | "NvDsInferParseCustomNanoDet" => {
                    nanodet_parser(outputs, input_hw)
                }
                other => Err(format!(
                    "parse-bbox-func-name '{other}' is not built into the open nvinfer \
                     (built in: {})",
                    BUILT_IN.join(", ")
                )),
            }
        }
        NetworkType::Other => Ok(Parser::Unparsed),
        other => Err(format!(
            "network-type {} is not supported by the open nvinfer (0 detector, 1 classifier, \
             100 other)",
            other.code()
        )),
    }
}

/// Matches NanoDet's outputs: pairs of [batch, locations, classes] and
/// [batch, locations, 4 * bins] per stride.
fn nanodet_parser(
    outputs: &[(String, Vec<usize>)],
    (h, w): (usize, usize),
) -> Result<Parser, String> {
    let locations = |s: usize| w.div_ceil(s) * h.div_ceil(s);
    let mut levels = Vec::new();
    let mut classes = None;
    let mut bins = None;
    for stride in [8usize, 16, 32, 64] {
        let n = locations(stride);
        let mut found: Vec<(usize, usize)> = outputs
            .iter()
            .enumerate()
            .filter(|(_, (_, d))| d.len() == 3 && d[1] == n)
            .map(|(i, (_, d))| (i, d[2]))
            .collect();
        if found.len() < 2 {
            continue;
        }
        // The box output has 4 * bins columns; the class output the rest.
        found.sort_by_key(|(_, c)| *c);
        let (reg, reg_cols) = *found
            .iter()
            .find(|(_, c)| c % 4 == 0 && c / 4 >= 2 && c / 4 <= 33 && Some(*c) != classes)
            .ok_or_else(|| "NanoDet outputs: no box-distribution output".to_string())?;
        let (cls, cls_cols) = *found
            .iter()
            .find(|(i, _)| *i != reg)
            .ok_or_else(|| "NanoDet outputs: no class-score output".to_string())?;
        classes.get_or_insert(cls_cols);
        bins.get_or_insert(reg_cols / 4);
        levels.push((cls, reg, stride as u32));
    }
    let (Some(num_classes), Some(bins)) = (classes, bins) else {
        return Err(format!(
            "the model's outputs {:?} do not look like NanoDet's (class scores and box \
             distributions per stride)",
            outputs
                .iter()
                .map(|(n, d)| format!("{n}{d:?}"))
                .collect::<Vec<_>>()
        ));
    };
    let mut config = nanodet::Config::nanodet_m_416();
    config.input_width = w as u32;
    config.input_height = h as u32;
    config.num_classes = num_classes;
    config.reg_max = bins - 1;
    config.strides = levels.iter().map(|l| l.2).collect();
    Ok(Parser::NanoDet { config, levels })
}

/// The slice of `output` that belongs to batch entry `b`.
fn entry(output: &Output, b: usize) -> &[f32] {
    let batch = output.dims.first().copied().unwrap_or(1).max(1);
    let per = output.data.len() / batch;
    output.data.get(b * per..(b + 1) * per).unwrap_or(&[])
}

/// Decodes the detections of batch entry `b`, mapped through `class-map`,
/// then clustered and filtered as the config says. The second value is a
/// warning: a custom parser failed on this entry, whose objects are dropped.
pub fn detections(
    parser: &Parser,
    config: &InferConfig,
    outputs: &[Output],
    b: usize,
) -> Result<(Vec<Candidate>, Option<String>), String> {
    let (nd, levels) = match parser {
        Parser::NanoDet { config, levels } => (config, levels),
        Parser::Custom { parser, network } => {
            return Ok(custom(parser, *network, config, outputs, b));
        }
        Parser::Classifier | Parser::CustomClassifier { .. } | Parser::Unparsed => {
            return Ok((Vec::new(), None))
        }
    };
    let mut nd = nd.clone();
    // Pre-filter with the lowest threshold of any class.
    nd.score_threshold = std::iter::once(&config.class_attrs_all)
        .chain(config.class_attrs.values())
        .map(|a| a.pre_cluster_threshold)
        .fold(f32::INFINITY, f32::min)
        .max(0.0);
    let lv: Vec<nanodet::Level<'_>> = levels
        .iter()
        .map(|&(cls, reg, stride)| nanodet::Level {
            stride,
            cls: entry(&outputs[cls], b),
            reg: entry(&outputs[reg], b),
        })
        .collect();
    let raw = nanodet::decode(&nd, &lv).map_err(|e| e.to_string())?;
    let mut mapped = Vec::with_capacity(raw.len());
    for d in raw {
        let Some(class_id) = config.map_class(d.class_id as u32) else {
            continue;
        };
        if config.filter_out_class_ids.contains(&class_id) {
            continue;
        }
        if class_id >= config.num_detected_classes {
            continue;
        }
        if d.score < config.class_attrs_for(class_id).pre_cluster_threshold {
            continue;
        }
        mapped.push(Candidate {
            class_id,
            score: d.score,
            left: d.left,
            top: d.top,
            width: d.width(),
            height: d.height(),
        });
    }
    Ok((cluster(mapped, config), None))
}

/// Calls the custom parser on batch entry `b` as NVIDIA's nvinfer does
/// (per-class thresholds of `num-detected-classes` classes), drops objects
/// of other classes, non-finite or empty ones, clips boxes to the network
/// input, then filters and clusters as the config says. A parser that
/// returns false or throws drops the entry's objects with a warning.
fn custom(
    parser: &ds_core::parser::BboxParser,
    network: ds_core::parser::NetworkInfo,
    config: &InferConfig,
    outputs: &[Output],
    b: usize,
) -> (Vec<Candidate>, Option<String>) {
    let mut layers = Vec::with_capacity(outputs.len());
    for o in outputs {
        let dims: Vec<u32> = o.dims.iter().skip(1).map(|d| *d as u32).collect();
        match ds_core::parser::OutputLayer::new(&o.name, &dims, entry(o, b)) {
            Ok(l) => layers.push(l),
            Err(e) => return (Vec::new(), Some(format!("output layer '{}': {e}", o.name))),
        }
    }
    let n = config.num_detected_classes;
    let pre: Vec<f32> = (0..n)
        .map(|c| config.class_attrs_for(c).pre_cluster_threshold)
        .collect();
    let post: Vec<f32> = (0..n)
        .map(|c| config.class_attrs_for(c).post_cluster_threshold)
        .collect();
    let params = ds_core::parser::DetectionParams::new(n, &pre, &post);
    let objects = match parser.parse(&layers, network, params) {
        Ok(o) => o,
        Err(e) => {
            return (
                Vec::new(),
                Some(format!(
                    "{}: {e}; the frame's objects are dropped",
                    parser.name()
                )),
            )
        }
    };
    let (w, h) = (network.width as f32, network.height as f32);
    let mut kept = Vec::with_capacity(objects.len());
    for o in objects {
        let finite = [o.left, o.top, o.width, o.height, o.confidence]
            .iter()
            .all(|v| v.is_finite());
        if !finite || o.class_id >= n || config.filter_out_class_ids.contains(&o.class_id) {
            continue;
        }
        let (l, t) = (o.left.clamp(0.0, w), o.top.clamp(0.0, h));
        let (r, btm) = (
            (o.left + o.width).clamp(0.0, w),
            (o.top + o.height).clamp(0.0, h),
        );
        if r - l <= 0.0 || btm - t <= 0.0 {
            continue;
        }
        kept.push(Candidate {
            class_id: o.class_id,
            score: o.confidence,
            left: l,
            top: t,
            width: r - l,
            height: btm - t,
        });
    }
    (cluster(kept, config), None)
}

/// Clusters candidates per class as `cluster-mode` says.
pub fn cluster(mut cands: Vec<Candidate>, config: &InferConfig) -> Vec<Candidate> {
    cands.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    let mut per_class: std::collections::BTreeMap<u32, usize> = Default::default();
    for c in cands {
        let attrs = config.class_attrs_for(c.class_id);
        if config.cluster_mode != ClusterMode::None
            && kept
                .iter()
                .any(|k| k.class_id == c.class_id && k.iou(&c) > attrs.nms_iou_threshold)
        {
            continue;
        }
        let n = per_class.entry(c.class_id).or_default();
        if attrs.topk >= 0 && *n >= attrs.topk as usize {
            continue;
        }
        if c.score < attrs.post_cluster_threshold {
            continue;
        }
        *n += 1;
        kept.push(c);
    }
    kept
}

/// One classifier result: (layer, class, probability, label given by a
/// custom parser).
pub type ClassResult = (usize, u32, f32, Option<String>);

/// Classifier results of batch entry `b`: the custom classifier parser's
/// attributes when the config names one, else [`classify`]. Returns
/// (layer, class, probability, label given by the parser) and a warning
/// when the custom parser failed (no results then).
pub fn classify_with(
    parser: &Parser,
    outputs: &[Output],
    b: usize,
    threshold: f32,
) -> (Vec<ClassResult>, Option<String>) {
    if matches!(parser, Parser::Unparsed) {
        return (Vec::new(), None);
    }
    let Parser::CustomClassifier { parser, network } = parser else {
        let found = classify(outputs, b, threshold);
        return (
            found.into_iter().map(|(l, c, p)| (l, c, p, None)).collect(),
            None,
        );
    };
    let mut layers = Vec::with_capacity(outputs.len());
    for o in outputs {
        let dims: Vec<u32> = o.dims.iter().skip(1).map(|d| *d as u32).collect();
        match ds_core::parser::OutputLayer::new(&o.name, &dims, entry(o, b)) {
            Ok(l) => layers.push(l),
            Err(e) => return (Vec::new(), Some(format!("output layer '{}': {e}", o.name))),
        }
    }
    match parser.parse(&layers, *network, threshold) {
        Ok((attrs, _desc)) => (
            attrs
                .into_iter()
                .filter(|a| a.confidence.is_finite())
                .map(|a| (a.index as usize, a.value, a.confidence, a.label))
                .collect(),
            None,
        ),
        Err(e) => (
            Vec::new(),
            Some(format!(
                "{}: {e}; the object's results are dropped",
                parser.name()
            )),
        ),
    }
}

/// Default classifier parsing of batch entry `b`: per output layer, the
/// best class and its probability, when it reaches `threshold`. Returns
/// (layer index, class, probability).
pub fn classify(outputs: &[Output], b: usize, threshold: f32) -> Vec<(usize, u32, f32)> {
    let mut out = Vec::new();
    for (i, o) in outputs.iter().enumerate() {
        let probs = entry(o, b);
        let best = probs
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.total_cmp(y.1))
            .map(|(c, p)| (c as u32, *p));
        if let Some((class, p)) = best {
            if p >= threshold {
                out.push((i, class, p));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> InferConfig {
        InferConfig::parse(text, Path::new("test.txt")).unwrap().0
    }

    fn cand(class_id: u32, score: f32, left: f32) -> Candidate {
        Candidate {
            class_id,
            score,
            left,
            top: 0.0,
            width: 10.0,
            height: 10.0,
        }
    }

    #[test]
    fn nms_keeps_best_per_class_and_topk() {
        let c = config(
            "[property]\nnum-detected-classes=2\ncluster-mode=2\n[class-attrs-all]\n\
             nms-iou-threshold=0.5\npre-cluster-threshold=0.1\n[class-attrs-1]\ntopk=1\n",
        );
        let kept = cluster(
            vec![
                cand(0, 0.9, 0.0),
                cand(0, 0.8, 1.0),  // overlaps the first: suppressed
                cand(1, 0.7, 1.0),  // other class: kept
                cand(1, 0.6, 50.0), // topk 1 for class 1: dropped
                cand(0, 0.5, 50.0), // far away: kept
            ],
            &c,
        );
        let scores: Vec<f32> = kept.iter().map(|k| k.score).collect();
        assert_eq!(scores, vec![0.9, 0.7, 0.5]);
    }

    #[test]
    fn cluster_mode_none_keeps_overlaps() {
        let c = config("[property]\nnum-detected-classes=1\ncluster-mode=4\n");
        assert_eq!(
            cluster(vec![cand(0, 0.9, 0.0), cand(0, 0.8, 1.0)], &c).len(),
            2
        );
    }

    #[test]
    fn classifier_takes_argmax_over_threshold() {
        let out = Output {
            name: "p".into(),
            dims: vec![2, 3],
            data: vec![0.1, 0.7, 0.2, 0.3, 0.3, 0.4],
        };
        assert_eq!(
            classify(std::slice::from_ref(&out), 0, 0.5),
            vec![(0, 1, 0.7)]
        );
        assert!(classify(std::slice::from_ref(&out), 1, 0.5).is_empty());
    }

    #[test]
    fn unknown_parser_is_named() {
        let c =
            config("[property]\nnum-detected-classes=1\nparse-bbox-func-name=NvDsInferParseYolo\n");
        let e = parser_for(&c, &[], (416, 416)).unwrap_err();
        assert!(
            e.contains("NvDsInferParseYolo") && e.contains("NvDsInferParseNanoDet"),
            "{e}"
        );
    }

    #[test]
    fn nanodet_outputs_are_matched_by_shape() {
        let c = config(
            "[property]\nnum-detected-classes=4\nparse-bbox-func-name=NvDsInferParseNanoDet\n",
        );
        let outs: Vec<(String, Vec<usize>)> = vec![
            ("cls_8".into(), vec![1, 2704, 80]),
            ("cls_16".into(), vec![1, 676, 80]),
            ("cls_32".into(), vec![1, 169, 80]),
            ("reg_8".into(), vec![1, 2704, 44]),
            ("reg_16".into(), vec![1, 676, 44]),
            ("reg_32".into(), vec![1, 169, 44]),
        ];
        match parser_for(&c, &outs, (416, 416)).unwrap() {
            Parser::NanoDet { config, levels } => {
                assert_eq!(config.num_classes, 80);
                assert_eq!(config.reg_max, 10);
                assert_eq!(levels, vec![(0, 3, 8), (1, 4, 16), (2, 5, 32)]);
            }
            p => panic!("{p:?}"),
        }
    }
}
