//! `libnvdsinfer_custom_impl_nanodet.so`: NanoDet (GFL head) output parsing
//! for nvinfer's `custom-lib-path`, on NVIDIA's nvinfer and the open one,
//! written in Rust with [`ds_core::parser`].
//!
//! Two bounding-box parsers (`parse-bbox-func-name`):
//!
//! * `NvDsInferParseCustomNanoDet`: the DeepStream samples' four classes
//!   (`num-detected-classes=4`, labels `Car;Bicycle;Person;Roadsign`):
//!   COCO car, bus, truck -> 0; bicycle, motorcycle -> 1; person -> 2;
//!   traffic light, stop sign -> 3; other COCO classes are dropped
//!   ([`SAMPLE_CLASSES`]).
//! * `NvDsInferParseCustomNanoDetCoco`: the 80 COCO class ids
//!   (`num-detected-classes=80`).
//!
//! So the mapping is chosen by the function name alone and a config needs
//! only documented 7.1 keys (`custom-lib-path`, `parse-bbox-func-name`,
//! `num-detected-classes`, `pre-cluster-threshold`, clustering keys). Both
//! return candidates with the per-class `pre-cluster-threshold` applied and
//! no clustering: nvinfer clusters them (`cluster-mode`).
//!
//! The output layers are recognised by shape, whatever their names: per
//! stride 8, 16, 32 (and 64), a `[locations, classes]` score layer and a
//! `[locations, 4 * bins]` box-distribution layer, `locations =
//! ceil(W/stride) * ceil(H/stride)` for the network input `W x H`.
use ds_core::parser::{DetectedObject, Detections, DetectorInput, Layer};
use ds_model::nanodet;

/// COCO class id -> sample class id of `NvDsInferParseCustomNanoDet`.
pub const SAMPLE_CLASSES: [(u32, u32); 8] = [
    (2, 0),
    (5, 0),
    (7, 0),
    (1, 1),
    (3, 1),
    (0, 2),
    (9, 3),
    (11, 3),
];

/// The sample class of COCO class `coco` (`None`: dropped).
pub fn sample_class(coco: u32) -> Option<u32> {
    SAMPLE_CLASSES
        .iter()
        .find(|(c, _)| *c == coco)
        .map(|(_, s)| *s)
}

/// Matches NanoDet's output layers by shape: the decoder configuration and
/// per level (stride, scores, boxes).
pub fn levels<'a>(
    layers: &[Layer<'a>],
    width: u32,
    height: u32,
) -> Result<(nanodet::Config, Vec<nanodet::Level<'a>>), String> {
    let mut out = Vec::new();
    let (mut classes, mut bins) = (None, None);
    for stride in [8u32, 16, 32, 64] {
        let n = (width.div_ceil(stride) * height.div_ceil(stride)) as usize;
        let mut found: Vec<(usize, usize)> = layers
            .iter()
            .enumerate()
            .filter(|(_, l)| l.dims().len() == 2 && l.dims()[0] as usize == n)
            .map(|(i, l)| (i, l.dims()[1] as usize))
            .collect();
        if found.len() < 2 {
            continue;
        }
        found.sort_by_key(|(_, c)| *c);
        let (reg, reg_cols) = *found
            .iter()
            .find(|(_, c)| c % 4 == 0 && c / 4 >= 2 && c / 4 <= 33 && Some(*c) != classes)
            .ok_or("NanoDet outputs: no box-distribution layer")?;
        let (cls, cls_cols) = *found
            .iter()
            .find(|(i, _)| *i != reg)
            .ok_or("NanoDet outputs: no class-score layer")?;
        classes.get_or_insert(cls_cols);
        bins.get_or_insert(reg_cols / 4);
        let data = |i: usize| {
            layers[i]
                .as_f32()
                .ok_or_else(|| format!("layer '{}' is not FLOAT host data", layers[i].name()))
        };
        out.push(nanodet::Level {
            stride,
            cls: data(cls)?,
            reg: data(reg)?,
        });
    }
    let (Some(num_classes), Some(bins)) = (classes, bins) else {
        return Err(format!(
            "the output layers {:?} do not look like NanoDet's for a {width}x{height} input",
            layers
                .iter()
                .map(|l| format!("{}{:?}", l.name(), l.dims()))
                .collect::<Vec<_>>()
        ));
    };
    let mut config = nanodet::Config::nanodet_m_416();
    config.input_width = width;
    config.input_height = height;
    config.num_classes = num_classes;
    config.reg_max = bins - 1;
    config.strides = out.iter().map(|l| l.stride).collect();
    Ok((config, out))
}

/// Decodes, maps classes with `map` and applies `num-detected-classes` and
/// the per-class pre-cluster thresholds.
fn parse_with(
    input: &DetectorInput<'_>,
    out: &mut Detections<'_>,
    map: fn(u32) -> Option<u32>,
) -> Result<(), String> {
    let layers: Vec<Layer<'_>> = input.layers().collect();
    let net = input.network();
    let (mut config, lv) = levels(&layers, net.width, net.height)?;
    let params = input.params();
    config.score_threshold = params
        .pre_cluster_thresholds()
        .iter()
        .copied()
        .fold(f32::INFINITY, f32::min)
        .max(0.0);
    if !config.score_threshold.is_finite() {
        config.score_threshold = 0.0;
    }
    for d in nanodet::decode(&config, &lv).map_err(|e| e.to_string())? {
        let Some(class_id) = map(d.class_id as u32) else {
            continue;
        };
        if class_id >= params.num_classes() || d.score < params.pre_cluster_threshold(class_id) {
            continue;
        }
        out.push(DetectedObject {
            class_id,
            left: d.left,
            top: d.top,
            width: d.width(),
            height: d.height(),
            confidence: d.score,
        });
    }
    Ok(())
}

/// `NvDsInferParseCustomNanoDet`: the samples' four classes.
pub fn parse_sample_classes(
    input: &DetectorInput<'_>,
    out: &mut Detections<'_>,
) -> Result<(), String> {
    parse_with(input, out, sample_class)
}

/// `NvDsInferParseCustomNanoDetCoco`: COCO class ids.
pub fn parse_coco(input: &DetectorInput<'_>, out: &mut Detections<'_>) -> Result<(), String> {
    parse_with(input, out, Some)
}

ds_core::export_bbox_parser!(NvDsInferParseCustomNanoDet, parse_sample_classes);
ds_core::export_bbox_parser!(NvDsInferParseCustomNanoDetCoco, parse_coco);

/// The parser guide (docs/custom-parsers.md, section "Custom output parsers"): its example,
/// extracted by this crate's build script, is compiled and run as a doctest
/// so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!(concat!(env!("OUT_DIR"), "/readme_parser_guide.md"))]
pub struct ReadmeParserGuide;
