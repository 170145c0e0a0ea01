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
//!     [--size 1920x1080] [--method minmax|entropy] --out models/nanodet-m-416.int8.calib
//! ```
//! `--size` scales each frame first, as nvstreammux scales to its
//! width/height ahead of nvinfer (deepstream-test1: 1920x1080).
//! `--method minmax` (default): scale = largest |value| / 127, header
//! `TRT-100300-MinMaxCalibration`; `--method entropy`: TensorRT's KL-divergence
//! threshold, header `TRT-100300-EntropyCalibration2` (what DeepStream's
//! nvinfer hands TensorRT; see `ds_open::nvinfer::int8`).
//!
//! It lives in ds-open, not ds-model, because it runs ds-open's
//! preprocessing and engine (ds-open depends on ds-model).
use ds_model::calib::{Algorithm, CalibrationCache, TensorStats};
use ds_model::onnx_read::OnnxModel;
use ds_model::quantize::float_tensors;
use ds_open::convert::{Image, PixelFormat, Rect};
use ds_open::nvinfer::config::InferConfig;
use ds_open::nvinfer::engine::Engine;
use ds_open::nvinfer::preprocess::{prepare, Normalize};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: ds-calibrate --config FILE (--video FILE | --images DIR) --out FILE \
                     [--frames N] [--step N] [--size WxH] [--method entropy|minmax]";

struct Args {
    config: PathBuf,
    video: Option<PathBuf>,
    images: Option<PathBuf>,
    out: PathBuf,
    frames: usize,
    step: usize,
    size: Option<(u32, u32)>,
    method: Algorithm,
}

fn parse_args() -> Result<Args, String> {
    let mut a = std::env::args().skip(1);
    let (mut config, mut video, mut images, mut out) = (None, None, None, None);
    let (mut frames, mut step, mut size, mut method) = (24, 30, None, Algorithm::MinMax);
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
            "--method" => {
                method = match v()?.as_str() {
                    "entropy" => Algorithm::Entropy2,
                    "minmax" => Algorithm::MinMax,
                    m => return Err(format!("--method '{m}': expected entropy or minmax")),
                }
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
    Ok(Args {
        config,
        video,
        images,
        out,
        frames: frames.max(1),
        step: step.max(1),
        size,
        method,
    })
}

/// Decodes `location` to RGBA frames; keeps every `step`-th, at most `max`.
fn decode(
    location: &Path,
    size: Option<(u32, u32)>,
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
        if index.is_multiple_of(step) {
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
    // Frames, preprocessed as nvinfer does.
    let mut sources = Vec::new();
    if let Some(video) = &args.video {
        sources.extend(decode(video, args.size, args.step, args.frames)?);
    } else if let Some(dir) = &args.images {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read '{}': {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files.iter().take(args.frames) {
            sources.extend(decode(f, args.size, 1, 1)?);
        }
    }
    if sources.is_empty() {
        return Err("no frames decoded".into());
    }
    let mut inputs = Vec::new();
    let mut scratch = Vec::new();
    for (fw, fh, px) in &sources {
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
        inputs.push(out);
    }
    let mut stats: HashMap<String, TensorStats> = HashMap::new();
    let input_name = model
        .graph
        .input_names()
        .first()
        .cloned()
        .unwrap_or_default();
    let passes = if args.method == Algorithm::Entropy2 {
        2
    } else {
        1
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
        .filter_map(|t| stats.get(t).map(|s| (t.clone(), s.scale(args.method))))
        .collect();
    let cache = CalibrationCache::new(args.method, scales);
    cache.write(&args.out)?;
    println!(
        "ds-calibrate: {} frames, {} tensors, {} -> {}",
        inputs.len(),
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
