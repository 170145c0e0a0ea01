//! `ds-calibrate`: INT8 calibration for the open nvinfer (and TensorRT).
//!
//! Runs the FP32 `onnx-file` of an nvinfer config over frames of a video or
//! a folder of images, each preprocessed exactly as the open nvinfer
//! preprocesses a full frame for that config (`ds_open::nvinfer::preprocess`,
//! the same code), records every float tensor's range, and writes a TensorRT
//! calibration cache (`ds_model::calib`).
//!
//! ```text
//! ds-calibrate --config configs/dstest1_pgie_config.txt \
//!     (--video samples/sample_720p.h264 [--frames 24] [--step 30] | --images DIR) \
//!     [--size 1920x1080] [--method minmax|entropy|percentile] [--percentile 99.999] \
//!     [--refine-frames 48 --refine-step 16 --refine-offset 8 --refine-factors 0.85,1.15] \
//!     --out models/nanodet-m-416.int8.calib
//! ```
//! `--size` scales each frame first, as nvstreammux scales to its
//! width/height ahead of nvinfer (deepstream-test1: 1920x1080).
//! `--method minmax` (default): scale = largest |value| / 127, header
//! `TRT-100300-MinMaxCalibration`; `--method entropy`: TensorRT's KL-divergence
//! threshold, header `TRT-100300-EntropyCalibration2` (what DeepStream's
//! nvinfer hands TensorRT; see `ds_open::nvinfer::int8`); `--method percentile`:
//! the `--percentile` (default 99.999) of |value|, header `MinMaxCalibration`
//! (the clipped max; TensorRT has no percentile calibrator of its own).
//!
//! `--refine-frames N` (detector configs; 0, the default, skips it) then
//! refines the scales greedily against the detections (`ds_model::refine`):
//! on N further frames of the video (every `--refine-step`-th from frame
//! `--refine-offset`), for each quantised activation in graph order it tries
//! the scale times each of `--refine-factors` and keeps the first change that
//! lowers the smooth count of detections on which FP32 and INT8 disagree
//! about `pre-cluster-threshold` (`ds_model::refine::soft_disagreement`;
//! detections as the open nvinfer makes them for this config, with the
//! config's parser and clustering, decoded down to the threshold - 0.1 to see
//! near misses). The header stays the starting method's. With a
//! `custom-lib-path` parser, that library must be built
//! (`cargo build --release -p nvdsinfer-custom-nanodet` for the sample configs).
//!
//! It lives in ds-open, not ds-model, because it runs ds-open's
//! preprocessing and engine (ds-open depends on ds-model).
use ds_model::calib::{Algorithm, CalibrationCache, TensorStats};
use ds_model::onnx_read::OnnxModel;
use ds_model::quantize::{float_tensors, Options};
use ds_model::refine;
use ds_open::convert::{Image, PixelFormat, Rect};
use ds_open::nvinfer::config::InferConfig;
use ds_open::nvinfer::engine::Engine;
use ds_open::nvinfer::preprocess::{prepare, Normalize};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod objective;

const USAGE: &str = "usage: ds-calibrate --config FILE (--video FILE | --images DIR) --out FILE \
                     [--frames N] [--step N] [--size WxH] [--method entropy|minmax|percentile] \
                     [--percentile P] [--refine-frames N] [--refine-step N] \
                     [--refine-offset N] [--refine-factors F,F...]";

/// How a tensor's scale is chosen from its statistics.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Method {
    Algorithm(Algorithm),
    Percentile(f64),
}

struct Args {
    config: PathBuf,
    video: Option<PathBuf>,
    images: Option<PathBuf>,
    out: PathBuf,
    frames: usize,
    step: usize,
    size: Option<(u32, u32)>,
    method: Method,
    refine_frames: usize,
    refine_step: usize,
    refine_offset: usize,
    refine_factors: Vec<f32>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = std::env::args().skip(1);
    let (mut config, mut video, mut images, mut out) = (None, None, None, None);
    let (mut frames, mut step, mut size, mut method) = (24, 30, None, "minmax".to_string());
    let mut percentile = 99.999f64;
    let (mut refine_frames, mut refine_step, mut refine_offset) = (0usize, 16usize, 8usize);
    let mut refine_factors = vec![0.85f32, 1.15];
    let number = |k: &str, v: String| -> Result<usize, String> {
        v.parse().map_err(|_| format!("{k} '{v}': not a number"))
    };
    while let Some(k) = a.next() {
        let mut v = || {
            a.next()
                .ok_or_else(|| format!("{k} needs a value\n{USAGE}"))
        };
        match k.as_str() {
            "--config" => config = Some(PathBuf::from(v()?)),
            "--video" => video = Some(PathBuf::from(v()?)),
            "--images" => images = Some(PathBuf::from(v()?)),
            "--out" => out = Some(PathBuf::from(v()?)),
            "--frames" => frames = v()?.parse().map_err(|_| "--frames: not a number")?,
            "--step" => step = v()?.parse().map_err(|_| "--step: not a number")?,
            "--size" => {
                let s = v()?;
                let (w, h) = s
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
                    .ok_or_else(|| format!("--size '{s}': expected WIDTHxHEIGHT"))?;
                size = Some((w, h));
            }
            "--method" => method = v()?,
            "--percentile" => {
                let p = v()?;
                percentile = p
                    .parse()
                    .ok()
                    .filter(|p| (50.0..=100.0).contains(p))
                    .ok_or_else(|| format!("--percentile '{p}': expected a number in 50..100"))?;
            }
            "--refine-frames" => refine_frames = number(&k, v()?)?,
            "--refine-step" => refine_step = number(&k, v()?)?.max(1),
            "--refine-offset" => refine_offset = number(&k, v()?)?,
            "--refine-factors" => {
                let f = v()?;
                refine_factors = f
                    .split(',')
                    .map(|x| x.trim().parse::<f32>().ok().filter(|x| *x > 0.0))
                    .collect::<Option<Vec<f32>>>()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        format!(
                            "--refine-factors '{f}': expected positive numbers, comma-separated"
                        )
                    })?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ => return Err(format!("unknown argument '{k}'\n{USAGE}")),
        }
    }
    let config = config.ok_or_else(|| format!("--config is required\n{USAGE}"))?;
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    if video.is_some() == images.is_some() {
        return Err(format!("give one of --video and --images\n{USAGE}"));
    }
    let method = match method.as_str() {
        "entropy" => Method::Algorithm(Algorithm::Entropy2),
        "minmax" => Method::Algorithm(Algorithm::MinMax),
        "percentile" => Method::Percentile(percentile),
        m => {
            return Err(format!(
                "--method '{m}': expected entropy, minmax or percentile"
            ))
        }
    };
    if refine_frames > 0 && video.is_none() {
        return Err("--refine-frames needs --video".into());
    }
    Ok(Args {
        config,
        video,
        images,
        out,
        frames: frames.max(1),
        step: step.max(1),
        size,
        method,
        refine_frames,
        refine_step,
        refine_offset,
        refine_factors,
    })
}

/// Decodes `location` to RGBA frames; keeps every `step`-th from frame `offset`, at most
/// `max`.
fn decode(
    location: &Path,
    size: Option<(u32, u32)>,
    offset: usize,
    step: usize,
    max: usize,
) -> Result<Vec<(u32, u32, Vec<u8>)>, String> {
    let caps = match size {
        Some((w, h)) => format!("video/x-raw,format=RGBA,width={w},height={h}"),
        None => "video/x-raw,format=RGBA".to_string(),
    };
    let desc = format!(
        "filesrc name=src ! decodebin ! videoconvert ! videoscale ! {caps} ! \
         appsink name=sink sync=false"
    );
    let pipeline = gst::parse::launch(&desc)
        .map_err(|e| format!("cannot build the decoding pipeline: {e}"))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "not a pipeline".to_string())?;
    let src = pipeline.by_name("src").ok_or("no filesrc")?;
    src.set_property("location", location.to_string_lossy().as_ref());
    let sink = pipeline.by_name("sink").ok_or("no appsink")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| format!("cannot play '{}'", location.display()))?;
    let mut frames = Vec::new();
    let mut index = 0usize;
    let result = loop {
        let sample = sink.emit_by_name::<Option<gst::Sample>>("pull-sample", &[]);
        let Some(sample) = sample else {
            let bus = pipeline.bus().ok_or("no bus")?;
            if let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error]) {
                if let gst::MessageView::Error(e) = msg.view() {
                    break Err(format!("'{}': {}", location.display(), e.error()));
                }
            }
            break Ok(());
        };
        if index >= offset && (index - offset).is_multiple_of(step) {
            let info = sample
                .caps()
                .and_then(gst_video_info)
                .ok_or("frame without video caps")?;
            let buffer = sample.buffer().ok_or("sample without buffer")?;
            let map = buffer.map_readable().map_err(|_| "cannot map frame")?;
            let (w, h, stride) = info;
            let mut packed = Vec::with_capacity(w as usize * h as usize * 4);
            for row in 0..h as usize {
                let start = row * stride;
                packed.extend_from_slice(&map[start..start + w as usize * 4]);
            }
            frames.push((w, h, packed));
            if frames.len() >= max {
                break Ok(());
            }
        }
        index += 1;
    };
    let _ = pipeline.set_state(gst::State::Null);
    result.map(|()| frames)
}

/// Width, height and row stride of packed RGBA caps.
fn gst_video_info(caps: &gst::CapsRef) -> Option<(u32, u32, usize)> {
    let s = caps.structure(0)?;
    let w = s.get::<i32>("width").ok()? as u32;
    let h = s.get::<i32>("height").ok()? as u32;
    // GStreamer rounds RGBA rows up to 4 bytes: always w * 4.
    Some((w, h, w as usize * 4))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    gst::init().map_err(|e| format!("GStreamer: {e}"))?;
    let (config, _) = InferConfig::from_file(&args.config).map_err(|e| e.to_string())?;
    let onnx = config
        .onnx_file
        .clone()
        .ok_or_else(|| format!("{}: onnx-file is not set", args.config.display()))?;
    let model = OnnxModel::read(&onnx)?;
    let tensors = float_tensors(&model.graph);
    let mut probe = model.clone();
    let existing = probe.graph.output_names();
    let graph_inputs = model.graph.input_names();
    for t in &tensors {
        // Graph inputs are observed from the frames themselves.
        if !existing.contains(t) && !graph_inputs.contains(t) {
            probe.graph.add_float_output(t);
        }
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let engine = Engine::load_bytes(
        &probe.encode(),
        &onnx,
        config.onnxruntime_lib.as_deref(),
        threads,
        true,
    )?;
    let [c, h, w] = engine.input_chw();
    let norm = Normalize::from_config(&config);
    let preprocess = |sources: Vec<(u32, u32, Vec<u8>)>| -> Vec<Vec<f32>> {
        let mut scratch = Vec::new();
        sources
            .iter()
            .map(|(fw, fh, px)| {
                let img = Image::packed(PixelFormat::Rgba, *fw, *fh, px, *fw as usize * 4);
                let mut out = vec![0f32; c * h * w];
                prepare(
                    &img,
                    Rect::new(0, 0, *fw, *fh),
                    w,
                    h,
                    &norm,
                    &mut scratch,
                    &mut out,
                );
                out
            })
            .collect()
    };
    // Frames, preprocessed as nvinfer does.
    let mut sources = Vec::new();
    if let Some(video) = &args.video {
        sources.extend(decode(video, args.size, 0, args.step, args.frames)?);
    } else if let Some(dir) = &args.images {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read '{}': {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files.iter().take(args.frames) {
            sources.extend(decode(f, args.size, 0, 1, 1)?);
        }
    }
    if sources.is_empty() {
        return Err("no frames decoded".into());
    }
    let inputs = preprocess(sources);
    let n_inputs = inputs.len();
    let mut stats: HashMap<String, TensorStats> = HashMap::new();
    let input_name = model
        .graph
        .input_names()
        .first()
        .cloned()
        .unwrap_or_default();
    let (algorithm, passes) = match args.method {
        Method::Algorithm(Algorithm::Entropy2) => (Algorithm::Entropy2, 2),
        Method::Algorithm(a) => (a, 1),
        Method::Percentile(_) => (Algorithm::MinMax, 2),
    };
    for pass in 0..passes {
        for x in &inputs {
            let outs = engine.run(1, x.clone())?;
            let mut observe = |name: &str, data: &[f32]| {
                let s = stats.entry(name.to_string()).or_default();
                if pass == 0 {
                    s.observe_range(data);
                } else {
                    s.observe_histogram(data);
                }
            };
            observe(&input_name, x);
            for o in outs.iter().filter(|o| o.name != input_name) {
                observe(&o.name, &o.data);
            }
        }
    }
    let scales: Vec<(String, f32)> = tensors
        .iter()
        .filter_map(|t| {
            stats.get(t).map(|s| {
                let scale = match args.method {
                    Method::Algorithm(a) => s.scale(a),
                    Method::Percentile(p) => (s.percentile(p) / 127.0).max(f32::MIN_POSITIVE),
                };
                (t.clone(), scale)
            })
        })
        .collect();
    let mut cache = CalibrationCache::new(algorithm, scales);
    drop(engine);
    if args.refine_frames > 0 {
        let video = args
            .video
            .as_deref()
            .ok_or("--refine-frames needs --video")?;
        let frames = preprocess(decode(
            video,
            args.size,
            args.refine_offset,
            args.refine_step,
            args.refine_frames,
        )?);
        let n = frames.len();
        let objective = objective::Objective::new(&model, &onnx, &config, frames, threads)?;
        let order = refine::quantised_activations(&model, &cache, &Options::default())?;
        println!(
            "ds-calibrate: refining {} activation scales on {n} frames ({} FP32 detections)",
            order.len(),
            objective.count()
        );
        let (refined, before, after) = refine::refine(
            &cache,
            &order,
            &args.refine_factors,
            1e-4,
            |c| objective.score(c),
            |s| println!("  {} x {}: {:.5}", s.tensor, s.factor, s.objective),
        )?;
        println!("ds-calibrate: disagreement per FP32 detection {before:.5} -> {after:.5}");
        cache = refined;
    }
    cache.write(&args.out)?;
    println!(
        "ds-calibrate: {} frames, {} tensors, {} -> {}",
        n_inputs,
        cache.scales.len(),
        cache.header,
        args.out.display()
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("ds-calibrate: {e}");
        std::process::exit(1);
    }
}
