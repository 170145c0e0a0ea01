//! The refinement objective: on the refinement frames, the smooth count of detections on
//! which the FP32 model and the INT8 model of a candidate cache disagree about the
//! config's `pre-cluster-threshold`, per FP32 detection.
use ds_model::calib::CalibrationCache;
use ds_model::onnx_read::OnnxModel;
use ds_model::quantize::{quantize, Options};
use ds_model::refine::{soft_disagreement, ScoredBox};
use ds_open::nvinfer::config::InferConfig;
use ds_open::nvinfer::engine::{Engine, Output};
use ds_open::nvinfer::parse::{self, Parser};
use std::path::Path;

/// Width of the smooth step around the threshold.
const TAU: f32 = 0.01;
/// Detections are decoded down to the threshold minus this, to see near misses.
const MARGIN: f32 = 0.1;

/// Frames, FP32 detections and what scoring a candidate needs.
pub struct Objective<'a> {
    model: &'a OnnxModel,
    onnx: &'a Path,
    config: InferConfig,
    threshold: f32,
    parser: Parser,
    inputs: Vec<Vec<f32>>,
    reference: Vec<Vec<ScoredBox>>,
    count: usize,
    threads: usize,
}

fn boxes(
    parser: &Parser,
    config: &InferConfig,
    outputs: &[Output],
) -> Result<Vec<ScoredBox>, String> {
    let (dets, warning) = parse::detections(parser, config, outputs, 0)?;
    if let Some(w) = warning {
        return Err(w);
    }
    Ok(dets
        .into_iter()
        .map(|d| ScoredBox {
            class_id: d.class_id,
            score: d.score,
            bbox: [d.left, d.top, d.left + d.width, d.top + d.height],
        })
        .collect())
}

impl<'a> Objective<'a> {
    /// Runs the FP32 model on `inputs` (preprocessed frames).
    pub fn new(
        model: &'a OnnxModel,
        onnx: &'a Path,
        config: &InferConfig,
        inputs: Vec<Vec<f32>>,
        threads: usize,
    ) -> Result<Objective<'a>, String> {
        let threshold = config.class_attrs_all.pre_cluster_threshold;
        // Near misses too: every class's threshold lowered by MARGIN.
        let mut low = config.clone();
        low.class_attrs_all.pre_cluster_threshold = (threshold - MARGIN).max(0.0);
        for a in low.class_attrs.values_mut() {
            a.pre_cluster_threshold = (a.pre_cluster_threshold - MARGIN).max(0.0);
        }
        let engine = Engine::load_bytes(
            &model.encode(),
            onnx,
            config.onnxruntime_lib.as_deref(),
            threads,
            true,
        )?;
        let [_, h, w] = engine.input_chw();
        let first = engine.run(1, inputs.first().ok_or("no refinement frames")?.clone())?;
        let shapes: Vec<(String, Vec<usize>)> = first
            .iter()
            .map(|o| (o.name.clone(), o.dims.clone()))
            .collect();
        let parser = parse::parser_for(&low, &shapes, (h, w))?;
        if !matches!(parser, Parser::NanoDet { .. } | Parser::Custom { .. }) {
            return Err("--refine-frames needs a detector config (network-type=0)".into());
        }
        let mut reference = Vec::with_capacity(inputs.len());
        for x in &inputs {
            reference.push(boxes(&parser, &low, &engine.run(1, x.clone())?)?);
        }
        let count = reference
            .iter()
            .flatten()
            .filter(|b| b.score >= config.class_attrs_for(b.class_id).pre_cluster_threshold)
            .count();
        Ok(Objective {
            model,
            onnx,
            config: low,
            threshold,
            parser,
            inputs,
            reference,
            count,
            threads,
        })
    }

    /// FP32 detections at or above the threshold on the refinement frames.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The objective of `cache`: quantise, run, compare.
    pub fn score(&self, cache: &CalibrationCache) -> Result<f64, String> {
        let (q, _) = quantize(self.model, cache, &Options::default())?;
        let engine = Engine::load_bytes(
            &q.encode(),
            self.onnx,
            self.config.onnxruntime_lib.as_deref(),
            self.threads,
            true,
        )?;
        let mut e = 0.0;
        for (x, r) in self.inputs.iter().zip(&self.reference) {
            let got = boxes(&self.parser, &self.config, &engine.run(1, x.clone())?)?;
            e += soft_disagreement(r, &got, self.threshold, TAU);
        }
        Ok(e / self.count.max(1) as f64)
    }
}
