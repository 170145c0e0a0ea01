//! The `nvinfer` element's GObject implementation.
use super::config::{InferConfig, NetworkType, ProcessMode};
use super::engine::{Engine, Output};
use super::parse::{self, Candidate, Parser};
use super::preprocess::{self, Normalize, Placement};
use super::workers::{Pending, Workers};
use crate::convert::{Image, Rect};
use crate::output_queue::OutputQueue;
use ds_core::osd::Color;
use ds_core::planes::SurfaceRef;
use ds_core::tensor::{LayerData, NetworkInfo, TensorOutput};
use ds_core::BatchMeta;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer::subclass::prelude::*;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvinfer",
        gst::DebugColorFlags::empty(),
        Some("open nvinfer"),
    )
});

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Properties set on the element: they override the config file.
#[derive(Debug, Default, Clone)]
struct Settings {
    config_path: Option<String>,
    unique_id: Option<u32>,
    process_mode: Option<ProcessMode>,
    infer_on_gie_id: Option<i32>,
    class_ids: Option<Vec<i32>>,
    batch_size: Option<u32>,
    interval: Option<u32>,
    output_tensor_meta: Option<bool>,
    model_engine_file: Option<String>,
    gpu_id: u32,
    /// The config file as parsed when `config-file-path` was set (as
    /// NVIDIA's nvinfer parses it in `set_property`), so that reading a
    /// property before the element starts gives the config's value, e.g.
    /// the `batch-size` the samples compare with their number of sources.
    /// `None` when unset or unreadable (the error is reported at start).
    file_config: Option<InferConfig>,
}

/// What the output thread needs to finish a batch: fixed once loaded.
struct Shared {
    config: InferConfig,
    parser: Parser,
    /// Labels per output layer (detectors: one layer).
    labels: Vec<Vec<String>>,
    /// Network input channels, height, width.
    chw: [usize; 3],
    /// The ONNX Runtime sessions, each on its own thread.
    workers: Workers,
}

/// Everything loaded at start; the input side's state.
struct Model {
    shared: Arc<Shared>,
    norm: Normalize,
    /// Frames or objects per inference call.
    chunk: usize,
    /// Batches seen (for `interval`).
    batches: u64,
    scratch: Vec<u8>,
}

/// One inferred region: where it sat in the network input, the outputs of
/// its chunk, and its index in that chunk.
type Inferred = (Placement, std::rc::Rc<Vec<Output>>, usize);

/// The chunks of a batch handed to the workers: per chunk the placements of
/// its regions and its pending run.
type Submitted = Vec<(Vec<Placement>, Pending)>;

/// A batch on its way to the output thread, with what finishing it needs.
enum Finish {
    /// Primary mode: (index in the frame list, batch_id) and full-frame
    /// region per frame.
    Primary {
        frames: Vec<(usize, u32)>,
        regions: Vec<(u32, Rect)>,
        submitted: Submitted,
    },
    /// Secondary mode: (frame index, object index, batch_id, crop) per
    /// object.
    Secondary {
        targets: Vec<(usize, usize, u32, Rect)>,
        submitted: Submitted,
    },
}

/// Buffers waiting for the output thread besides those being inferred
/// (DeepStream's nvinfer holds a few batches between its input and output
/// threads).
const OUTPUT_QUEUE_BUFFERS: usize = 2;

pub struct NvInfer {
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    settings: Mutex<Settings>,
    model: Mutex<Option<Model>>,
    sinkpad: gst::Pad,
    srcpad: gst::Pad,
    /// Inferred batches on their way to the output thread.
    queue: OutputQueue,
}

#[glib::object_subclass]
impl ObjectSubclass for NvInfer {
    const NAME: &'static str = "GstNvInfer";
    type Type = super::NvInfer;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let sink = klass.pad_template("sink").expect("sink template");
        let sinkpad = gst::Pad::builder_from_template(&sink)
            .chain_function(|pad, parent, buffer| {
                NvInfer::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(pad, buffer),
                )
            })
            .event_function(|pad, parent, event| {
                NvInfer::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                NvInfer::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_query(pad, query),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS | gst::PadFlags::PROXY_ALLOCATION)
            .build();
        let src = klass.pad_template("src").expect("src template");
        let srcpad = gst::Pad::builder_from_template(&src)
            .activatemode_function(|pad, parent, mode, active| {
                NvInfer::catch_panic_pad_function(
                    parent,
                    || Err(gst::loggable_error!(CAT, "panic in activation")),
                    |imp| imp.src_activate_mode(pad, mode, active),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS)
            .build();
        NvInfer {
            accepted: Default::default(),
            settings: Mutex::new(Settings::default()),
            model: Mutex::new(None),
            sinkpad,
            srcpad,
            queue: OutputQueue::new(OUTPUT_QUEUE_BUFFERS),
        }
    }
}

/// Parses `"0:2:"`-style class id lists.
fn parse_class_ids(s: &str) -> Result<Vec<i32>, String> {
    s.split([':', ';', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i32>()
                .map_err(|_| format!("bad class id '{t}' in '{s}'"))
        })
        .collect()
}

/// Reads a DeepStream label file: detectors one label per line;
/// classifiers one line per output layer with `;`-separated labels.
fn read_labels(path: &Path, network_type: NetworkType) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read label file '{}': {e}", path.display()))?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let split = |l: &str| -> Vec<String> {
        l.split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    Ok(match network_type {
        NetworkType::Classifier => lines.into_iter().map(split).collect(),
        _ if lines.len() == 1 && lines[0].contains(';') => vec![split(lines[0])],
        _ => vec![lines.into_iter().map(String::from).collect()],
    })
}

fn color(c: [f32; 4]) -> Color {
    Color::clamped(
        f64::from(c[0]),
        f64::from(c[1]),
        f64::from(c[2]),
        f64::from(c[3]),
    )
}

impl NvInfer {
    fn load(&self) -> Result<Model, String> {
        let s = lock(&self.settings).clone();
        let path = s
            .config_path
            .clone()
            .ok_or_else(|| "nvinfer: config-file-path is not set".to_string())?;
        let (mut config, warnings) =
            InferConfig::from_file(Path::new(&path)).map_err(|e| format!("nvinfer: {e}"))?;
        for w in warnings {
            gst::element_imp_warning!(self, gst::LibraryError::Settings, ("nvinfer: {}", w));
        }
        if let Some(v) = s.unique_id {
            config.gie_unique_id = v;
        }
        if let Some(v) = s.process_mode {
            config.process_mode = v;
        }
        if let Some(v) = s.infer_on_gie_id {
            config.operate_on_gie_id = v;
        }
        if let Some(v) = s.class_ids.clone() {
            config.operate_on_class_ids = v;
        }
        if let Some(v) = s.batch_size {
            config.batch_size = v.max(1);
        }
        if let Some(v) = s.interval {
            config.interval = v;
        }
        if let Some(v) = s.output_tensor_meta {
            config.output_tensor_meta = v;
        }
        config
            .validate()
            .map_err(|e| format!("nvinfer: {path}: {e}"))?;
        let onnx = config.onnx_file.clone().ok_or_else(|| {
            format!("nvinfer: {path}: onnx-file is not set (the open nvinfer runs ONNX models)")
        })?;
        let engine_file = s
            .model_engine_file
            .as_deref()
            .map(std::path::PathBuf::from)
            .or_else(|| config.model_engine_file.clone());
        let prepared = super::int8::prepare(&config, &onnx, engine_file.as_deref())
            .map_err(|e| format!("nvinfer: {path}: {e}"))?;
        for note in &prepared.notes {
            gst::element_imp_warning!(self, gst::LibraryError::Settings, ("nvinfer: {}", note));
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (n_workers, threads) =
            Workers::plan(cores, config.inference_workers, config.inference_threads);
        let load_one = || {
            Engine::load_bytes(
                &prepared.bytes,
                &onnx,
                config.onnxruntime_lib.as_deref(),
                threads,
                false,
            )
            .map_err(|e| format!("nvinfer: {e}"))
        };
        // The sessions are built side by side (each takes tens of ms).
        let mut engines = std::thread::scope(|scope| {
            let others: Vec<_> = (1..n_workers).map(|_| scope.spawn(load_one)).collect();
            let mut engines = vec![load_one()];
            engines.extend(others.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("nvinfer: model load panicked".to_string()))
            }));
            engines
        })
        .into_iter()
        .collect::<Result<Vec<Engine>, String>>()?;
        let engine = engines.remove(0);
        gst::info!(
            CAT,
            imp = self,
            "{} model{}",
            prepared.precision,
            if prepared.from_engine_file {
                " from model-engine-file"
            } else {
                ""
            }
        );
        let chw = engine.input_chw();
        let want = config.model_color_format.channels();
        if chw[0] != want {
            return Err(format!(
                "nvinfer: model '{}' takes {} input channels but model-color-format={} needs {}",
                onnx.display(),
                chw[0],
                config.model_color_format.code(),
                want
            ));
        }
        // One run on a blank input tells the output layers.
        let probe = engine
            .run(1, vec![0.0; chw[0] * chw[1] * chw[2]])
            .map_err(|e| format!("nvinfer: model '{}': {e}", onnx.display()))?;
        let shapes: Vec<(String, Vec<usize>)> = probe
            .iter()
            .map(|o| (o.name.clone(), o.dims.clone()))
            .collect();
        let parser = parse::parser_for(&config, &shapes, (chw[1], chw[2]))
            .map_err(|e| format!("nvinfer: {path}: {e}"))?;
        let labels = match &config.labelfile_path {
            Some(p) => read_labels(p, config.network_type).map_err(|e| format!("nvinfer: {e}"))?,
            None => Vec::new(),
        };
        let mut offsets = [0.0f32; 3];
        for (o, v) in offsets.iter_mut().zip(&config.offsets) {
            *o = *v;
        }
        let norm = Normalize {
            scale: config.net_scale_factor,
            offsets,
            color: config.model_color_format,
            keep_aspect: config.maintain_aspect_ratio,
            symmetric: config.symmetric_padding,
        };
        let max = engine.max_batch().unwrap_or(usize::MAX);
        let chunk = (config.batch_size as usize).clamp(1, max.max(1));
        gst::info!(
            CAT,
            imp = self,
            "loaded {} ({}x{}x{}), {:?}, batch {}, {} inference worker(s) of {} thread(s)",
            onnx.display(),
            chw[0],
            chw[1],
            chw[2],
            config.process_mode,
            chunk,
            n_workers,
            threads
        );
        engines.insert(0, engine);
        let workers = Workers::start(engines).map_err(|e| format!("nvinfer: {e}"))?;
        self.queue
            .set_capacity(OUTPUT_QUEUE_BUFFERS + workers.len());
        Ok(Model {
            shared: Arc::new(Shared {
                config,
                parser,
                labels,
                chw,
                workers,
            }),
            norm,
            chunk,
            batches: 0,
            scratch: Vec::new(),
        })
    }

    /// Prepares `regions` (batch_id, region) of `buffer` as network inputs
    /// and hands them to the workers in chunks.
    fn submit(
        model: &mut Model,
        buffer: &gst::BufferRef,
        regions: &[(u32, Rect)],
    ) -> Result<Submitted, String> {
        let surface = SurfaceRef::from_buffer(buffer).map_err(|e| format!("nvinfer: {e}"))?;
        let [c, h, w] = model.shared.chw;
        let per = c * h * w;
        let mut submitted = Vec::with_capacity(regions.len().div_ceil(model.chunk));
        for chunk in regions.chunks(model.chunk) {
            let mut input = vec![0f32; per * chunk.len()];
            let mut places = Vec::with_capacity(chunk.len());
            for (i, (batch_id, region)) in chunk.iter().enumerate() {
                let frame = surface
                    .frame(*batch_id)
                    .map_err(|e| format!("nvinfer: {e}"))?;
                let image = Image::from_planes(&frame).ok_or_else(|| {
                    format!("nvinfer: unsupported frame format {}", frame.format())
                })?;
                let p = preprocess::prepare(
                    &image,
                    *region,
                    w,
                    h,
                    &model.norm,
                    &mut model.scratch,
                    &mut input[i * per..(i + 1) * per],
                );
                places.push(p);
            }
            let pending = model.shared.workers.submit(chunk.len(), input);
            submitted.push((places, pending));
        }
        Ok(submitted)
    }

    /// Waits for the runs of `submitted`; returns per region its placement
    /// and the outputs of its chunk with its index in that chunk.
    fn collect(submitted: Submitted) -> Result<Vec<Inferred>, String> {
        let mut results = Vec::new();
        for (places, pending) in submitted {
            let outputs = std::rc::Rc::new(pending.wait().map_err(|e| format!("nvinfer: {e}"))?);
            for (i, p) in places.into_iter().enumerate() {
                results.push((p, outputs.clone(), i));
            }
        }
        Ok(results)
    }

    fn tensor_meta(model: &Shared, outputs: &[Output], index: usize) -> Option<TensorOutput> {
        let [c, h, w] = model.chw;
        let info = NetworkInfo {
            width: w as u32,
            height: h as u32,
            channels: c as u32,
        };
        let mut t = TensorOutput::new(model.config.gie_unique_id, info);
        t.set_maintain_aspect_ratio(model.config.maintain_aspect_ratio);
        // As NVIDIA's nvinfer: per output layer its name, its dimensions
        // without the batch, FLOAT, its binding index (the network's one
        // input is binding 0, the outputs follow in order) and the host
        // buffer of this frame's (or object's) slice of the batch output.
        for (i, o) in outputs.iter().enumerate() {
            let batch = o.dims.first().copied().unwrap_or(1).max(1);
            let per = o.data.len() / batch;
            let dims: Vec<u32> = o.dims.iter().skip(1).map(|d| *d as u32).collect();
            let data = o.data.get(index * per..(index + 1) * per)?;
            t.push_layer_with_binding(&o.name, 1 + i as i32, &dims, LayerData::Float(data))
                .ok()?;
        }
        Some(t)
    }

    /// Primary mode, input side: hands the batch's frames to the workers
    /// (`None`: nothing to infer in this batch).
    fn primary_submit(
        model: &mut Model,
        buffer: &gst::BufferRef,
    ) -> Result<Option<Finish>, String> {
        let interval = u64::from(model.shared.config.interval);
        let n = model.batches;
        model.batches += 1;
        if interval > 0 && !n.is_multiple_of(interval + 1) {
            return Ok(None);
        }
        // Frames: (index in the frame list, batch_id, full-frame region).
        let frames: Vec<(usize, u32)> = match BatchMeta::from_buffer(buffer) {
            Some(b) => b
                .frames()
                .enumerate()
                .map(|(i, f)| (i, f.batch_id()))
                .collect(),
            None => return Ok(None),
        };
        let regions: Vec<(u32, Rect)> = {
            let surface = SurfaceRef::from_buffer(buffer).map_err(|e| format!("nvinfer: {e}"))?;
            let mut r = Vec::with_capacity(frames.len());
            for (_, batch_id) in &frames {
                let f = surface
                    .frame(*batch_id)
                    .map_err(|e| format!("nvinfer: {e}"))?;
                r.push((*batch_id, Rect::new(0, 0, f.width(), f.height())));
            }
            r
        };
        let submitted = Self::submit(model, buffer, &regions)?;
        Ok(Some(Finish::Primary {
            frames,
            regions,
            submitted,
        }))
    }

    /// Primary mode, output side: parses the outputs and attaches the
    /// objects (and tensors) to the frames.
    fn primary_finish(
        element: &super::NvInfer,
        model: &Shared,
        buffer: &mut gst::BufferRef,
        frames: &[(usize, u32)],
        regions: &[(u32, Rect)],
        results: &[Inferred],
    ) -> Result<(), String> {
        let mut per_frame: Vec<(Vec<Candidate>, Placement, Option<TensorOutput>)> = Vec::new();
        for (place, outputs, i) in results {
            let (dets, warning) = parse::detections(&model.parser, &model.config, outputs, *i)
                .map_err(|e| format!("nvinfer: {e}"))?;
            if let Some(w) = warning {
                gst::element_warning!(element, gst::StreamError::Decode, ("nvinfer: {}", w));
            }
            let tensor = if model.config.output_tensor_meta {
                Self::tensor_meta(model, outputs, *i)
            } else {
                None
            };
            per_frame.push((dets, *place, tensor));
        }
        let batch = BatchMeta::from_buffer_mut(buffer).ok_or("nvinfer: batch meta vanished")?;
        let mut batch = batch.lock();
        for ((index, _), ((dets, place, tensor), (_, region))) in
            frames.iter().zip(per_frame.into_iter().zip(regions))
        {
            let Some(mut frame) = batch.frame_mut(*index) else {
                continue;
            };
            // NVIDIA's nvinfer marks the frame inferred where it attaches
            // detector (or classifier / segmentation) output; with
            // network-type=100 it attaches nothing but the tensor meta and
            // leaves bInferDone alone (the ssd-parser sample sets it in its
            // own probe).
            if !matches!(model.parser, parse::Parser::Unparsed) {
                frame.set_infer_done(true);
            }
            for d in dets {
                let (l, t, w, h) = place.to_source(d.left, d.top, d.width, d.height);
                let (l, t) = (l.max(0.0), t.max(0.0));
                let w = w.min(region.w as f32 - l).max(0.0);
                let h = h.min(region.h as f32 - t).max(0.0);
                let attrs = model.config.class_attrs_for(d.class_id);
                if (attrs.detected_min_w > 0 && w < attrs.detected_min_w as f32)
                    || (attrs.detected_min_h > 0 && h < attrs.detected_min_h as f32)
                    || (attrs.detected_max_w > 0 && w > attrs.detected_max_w as f32)
                    || (attrs.detected_max_h > 0 && h > attrs.detected_max_h as f32)
                    || t < attrs.roi_top_offset as f32
                    || t + h > region.h as f32 - attrs.roi_bottom_offset as f32
                {
                    continue;
                }
                let label = model
                    .labels
                    .first()
                    .and_then(|l| l.get(d.class_id as usize))
                    .cloned()
                    .unwrap_or_default();
                let obj = frame.new_object().map_err(|e| format!("nvinfer: {e}"))?;
                obj.set_class_id(d.class_id as i32);
                obj.set_confidence(d.score);
                obj.set_object_id(ds_core::UNTRACKED_OBJECT_ID);
                obj.set_unique_component_id(model.config.gie_unique_id as i32);
                let r = obj.rect_params_mut();
                r.left = l;
                r.top = t;
                r.width = w;
                r.height = h;
                r.border_width = 3;
                r.border_color = color(attrs.border_color).to_params();
                if let Some(bg) = attrs.bg_color {
                    r.has_bg_color = 1;
                    r.bg_color = color(bg).to_params();
                }
                let bb = obj.detector_bbox_mut();
                bb.left = l;
                bb.top = t;
                bb.width = w;
                bb.height = h;
                obj.set_obj_label(&label);
                let text = obj.text_params_mut();
                text.set_display_text(&label);
                text.set_offsets(l as u32, (t - 10.0).max(0.0) as u32);
                text.set_font_name("Serif");
                text.set_font_size(11);
                text.set_font_color(Color::from_rgba8(255, 255, 255, 255));
                text.set_bg_color(Color::from_rgba8(0, 0, 0, 255));
            }
            if let Some(t) = tensor {
                frame
                    .add_user_meta(t)
                    .map_err(|e| format!("nvinfer: {e}"))?;
            }
        }
        Ok(())
    }

    /// Secondary mode, input side: hands the objects to classify to the
    /// workers (`None`: none in this batch).
    fn secondary_submit(
        model: &mut Model,
        buffer: &gst::BufferRef,
    ) -> Result<Option<Finish>, String> {
        let cfg = &model.shared.config;
        let gie = cfg.operate_on_gie_id;
        let classes = cfg.operate_on_class_ids.clone();
        let (min_w, min_h) = (
            cfg.input_object_min_width as f32,
            cfg.input_object_min_height as f32,
        );
        let (max_w, max_h) = (
            cfg.input_object_max_width as f32,
            cfg.input_object_max_height as f32,
        );
        let me = cfg.gie_unique_id as i32;
        // (frame index, object index, batch_id, crop)
        let mut targets: Vec<(usize, usize, u32, Rect)> = Vec::new();
        let Some(batch) = BatchMeta::from_buffer(buffer) else {
            return Ok(None);
        };
        for (fi, frame) in batch.frames().enumerate() {
            for (oi, obj) in frame.objects().enumerate() {
                if gie >= 0 && obj.unique_component_id() != gie {
                    continue;
                }
                if !classes.is_empty() && !classes.contains(&obj.class_id()) {
                    continue;
                }
                if obj.classifiers().any(|c| c.unique_component_id() == me) {
                    continue;
                }
                let r = obj.rect_params();
                let (w, h) = (r.width, r.height);
                if w < 1.0 || h < 1.0 || w < min_w || h < min_h {
                    continue;
                }
                if (max_w > 0.0 && w > max_w) || (max_h > 0.0 && h > max_h) {
                    continue;
                }
                let (x, y) = (r.left.max(0.0) as u32, r.top.max(0.0) as u32);
                targets.push((
                    fi,
                    oi,
                    frame.batch_id(),
                    Rect::new(x, y, w as u32, h as u32),
                ));
            }
        }
        if targets.is_empty() {
            return Ok(None);
        }
        let regions: Vec<(u32, Rect)> = targets.iter().map(|t| (t.2, t.3)).collect();
        let submitted = Self::submit(model, buffer, &regions)?;
        Ok(Some(Finish::Secondary { targets, submitted }))
    }

    /// Secondary mode, output side: attaches the labels (and tensors) to the
    /// objects.
    fn secondary_finish(
        element: &super::NvInfer,
        model: &Shared,
        buffer: &mut gst::BufferRef,
        targets: &[(usize, usize, u32, Rect)],
        results: &[Inferred],
    ) -> Result<(), String> {
        let me = model.config.gie_unique_id as i32;
        let threshold = model.config.classifier_threshold;
        let mut found = Vec::with_capacity(results.len());
        for (_, outputs, i) in results {
            let (labels, warning) = parse::classify_with(&model.parser, outputs, *i, threshold);
            if let Some(w) = warning {
                gst::element_warning!(element, gst::StreamError::Decode, ("nvinfer: {}", w));
            }
            let tensor = if model.config.output_tensor_meta {
                Self::tensor_meta(model, outputs, *i)
            } else {
                None
            };
            found.push((labels, tensor));
        }
        let batch = BatchMeta::from_buffer_mut(buffer).ok_or("nvinfer: batch meta vanished")?;
        let mut batch = batch.lock();
        for ((fi, oi, _, _), (labels, tensor)) in targets.iter().zip(found) {
            let Some(mut frame) = batch.frame_mut(*fi) else {
                continue;
            };
            let Some(obj) = frame.objects_mut().nth(*oi) else {
                continue;
            };
            if !labels.is_empty() {
                let cls = obj.new_classifier().map_err(|e| format!("nvinfer: {e}"))?;
                cls.set_unique_component_id(me);
                let mut texts = Vec::new();
                for (layer, class, prob, given) in &labels {
                    let name = given.clone().unwrap_or_else(|| {
                        model
                            .labels
                            .get(*layer)
                            .and_then(|l| l.get(*class as usize))
                            .cloned()
                            .unwrap_or_default()
                    });
                    let info = cls.new_label().map_err(|e| format!("nvinfer: {e}"))?;
                    info.set_result_class_id(*class);
                    info.set_result_prob(*prob);
                    info.set_label_id(*layer as u32);
                    info.set_num_classes(model.labels.get(*layer).map_or(0, |l| l.len() as u32));
                    info.set_result_label(&name);
                    if !name.is_empty() {
                        texts.push(name);
                    }
                }
                if !texts.is_empty() {
                    let text = obj.text_params_mut();
                    let old = text.display_text().unwrap_or("").to_string();
                    let joined = if old.is_empty() {
                        texts.join(" ")
                    } else {
                        format!("{old} {}", texts.join(" "))
                    };
                    text.set_display_text(&joined);
                }
            }
            if let Some(t) = tensor {
                obj.add_user_meta(t).map_err(|e| format!("nvinfer: {e}"))?;
            }
        }
        Ok(())
    }
}

impl ObjectImpl for NvInfer {
    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.add_pad(&self.sinkpad).expect("add sink pad");
        obj.add_pad(&self.srcpad).expect("add src pad");
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = vec![
                glib::ParamSpecString::builder("config-file-path")
                    .blurb("Path to the nvinfer configuration file")
                    .build(),
                glib::ParamSpecUInt::builder("unique-id")
                    .blurb("Unique id of this element (gie-unique-id)")
                    .default_value(super::config::DEFAULT_UNIQUE_ID)
                    .build(),
                crate::accepted::enum_spec(
                    "nvinfer",
                    "process-mode",
                    "1 = primary (full frames), 2 = secondary (objects)",
                ),
                glib::ParamSpecInt::builder("infer-on-gie-id")
                    .blurb("Infer on objects made by this unique id (-1: any)")
                    .minimum(-1)
                    .default_value(-1)
                    .build(),
                glib::ParamSpecString::builder("infer-on-class-ids")
                    .blurb("Infer on objects of these classes, e.g. \"0:2:\"")
                    .build(),
                glib::ParamSpecString::builder("operate-on-class-ids")
                    .blurb("Alias of infer-on-class-ids")
                    .build(),
                glib::ParamSpecUInt::builder("batch-size")
                    .blurb("Frames or objects per inference call")
                    .minimum(1)
                    .maximum(1024)
                    .default_value(1)
                    .build(),
                glib::ParamSpecUInt::builder("interval")
                    .blurb("Batches to skip after each inferred batch (primary mode)")
                    .maximum(i32::MAX as u32)
                    .build(),
                glib::ParamSpecBoolean::builder("output-tensor-meta")
                    .blurb("Attach the raw output layers as NvDsInferTensorMeta")
                    .build(),
                glib::ParamSpecString::builder("model-engine-file")
                    .blurb("Prepared model file: written on first use, loaded afterwards")
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .blurb("GPU id (ignored)")
                    .build(),
            ];
            let extra = crate::accepted::extra_specs(&["nvinfer"], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "config-file-path" => {
                s.config_path = value.get().ok().flatten();
                s.file_config = s
                    .config_path
                    .as_deref()
                    .and_then(|p| InferConfig::from_file(Path::new(p)).ok())
                    .map(|(config, _warnings)| config);
            }
            "unique-id" => s.unique_id = value.get().ok(),
            "process-mode" => {
                s.process_mode = match crate::accepted::enum_int(value) {
                    Some(2) => Some(ProcessMode::Secondary),
                    Some(_) => Some(ProcessMode::Primary),
                    None => None,
                }
            }
            "infer-on-gie-id" => s.infer_on_gie_id = value.get().ok(),
            "infer-on-class-ids" | "operate-on-class-ids" => {
                let text: Option<String> = value.get().ok().flatten();
                s.class_ids = match text.as_deref().map(parse_class_ids) {
                    Some(Ok(ids)) => Some(ids),
                    Some(Err(e)) => {
                        gst::element_imp_warning!(
                            self,
                            gst::LibraryError::Settings,
                            ("nvinfer: {}", e)
                        );
                        None
                    }
                    None => None,
                };
            }
            "batch-size" => s.batch_size = value.get().ok(),
            "interval" => s.interval = value.get().ok(),
            "output-tensor-meta" => s.output_tensor_meta = value.get().ok(),
            "model-engine-file" => s.model_engine_file = value.get().ok().flatten(),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            _ => self.accepted.set(pspec, value),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        let model = lock(&self.model);
        let cfg = model
            .as_ref()
            .map(|m| &m.shared.config)
            .or(s.file_config.as_ref());
        match pspec.name() {
            "config-file-path" => s.config_path.to_value(),
            "unique-id" => s
                .unique_id
                .or(cfg.map(|c| c.gie_unique_id))
                .unwrap_or(super::config::DEFAULT_UNIQUE_ID)
                .to_value(),
            "process-mode" => {
                let mode = s.process_mode.or(cfg.map(|c| c.process_mode));
                let n = if mode == Some(ProcessMode::Secondary) {
                    2
                } else {
                    1
                };
                crate::accepted::enum_value(pspec, n)
            }
            "infer-on-gie-id" => s
                .infer_on_gie_id
                .or(cfg.map(|c| c.operate_on_gie_id))
                .unwrap_or(-1)
                .to_value(),
            "infer-on-class-ids" | "operate-on-class-ids" => s
                .class_ids
                .clone()
                .or(cfg.map(|c| c.operate_on_class_ids.clone()))
                .map(|v| v.iter().map(|i| format!("{i}:")).collect::<String>())
                .to_value(),
            "batch-size" => s
                .batch_size
                .or(cfg.map(|c| c.batch_size))
                .unwrap_or(1)
                .to_value(),
            "interval" => s
                .interval
                .or(cfg.map(|c| c.interval))
                .unwrap_or(0)
                .to_value(),
            "output-tensor-meta" => s
                .output_tensor_meta
                .or(cfg.map(|c| c.output_tensor_meta))
                .unwrap_or(false)
                .to_value(),
            "model-engine-file" => s.model_engine_file.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            _ => self.accepted.get(pspec),
        }
    }
}

impl GstObjectImpl for NvInfer {}

impl ElementImpl for NvInfer {
    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            match self.load() {
                Ok(model) => *lock(&self.model) = Some(model),
                Err(e) => {
                    gst::element_imp_error!(self, gst::LibraryError::Settings, ("{}", e));
                    return Err(gst::StateChangeError);
                }
            }
        }
        let result = self.parent_change_state(transition);
        if transition == gst::StateChange::PausedToReady
            || (transition == gst::StateChange::ReadyToPaused && result.is_err())
        {
            *lock(&self.model) = None;
        }
        result
    }

    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "NvInfer plugin (open, CPU)",
                "NvInfer Plugin",
                "Nvidia DeepStreamSDK TensorRT plugin",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = crate::caps::nvmm_caps(crate::caps::FORMATS);
            vec![
                gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &caps,
                )
                .expect("sink template"),
                gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &caps,
                )
                .expect("src template"),
            ]
        });
        TEMPLATES.as_ref()
    }
}

impl NvInfer {
    /// Prepares a batch's network inputs in the upstream's thread and hands
    /// them to the inference workers; the output thread waits for the
    /// results in the order the batches came, attaches the metadata and
    /// pushes the batch on (DeepStream's nvinfer likewise parses and
    /// attaches in its output thread).
    fn sink_chain(
        &self,
        _pad: &gst::Pad,
        mut buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let (finish, shared) = {
            let mut guard = lock(&self.model);
            let Some(model) = guard.as_mut() else {
                return Err(gst::FlowError::Flushing);
            };
            let b = buffer.make_mut();
            ds_core::latency::record_input(b, &*self.obj());
            let result = match model.shared.config.process_mode {
                ProcessMode::Primary => Self::primary_submit(model, b),
                ProcessMode::Secondary => Self::secondary_submit(model, b),
            };
            match result {
                Ok(finish) => (finish, model.shared.clone()),
                Err(e) => {
                    gst::element_imp_error!(self, gst::StreamError::Failed, ("{}", e));
                    return Err(gst::FlowError::Error);
                }
            }
        };
        let Some(finish) = finish else {
            return self.queue.push_buffer(buffer);
        };
        let element = self.obj().downgrade();
        self.queue.push_job(Box::new(move || {
            let element = element.upgrade().ok_or(gst::FlowError::Flushing)?;
            let b = buffer.make_mut();
            let result = match finish {
                Finish::Primary {
                    frames,
                    regions,
                    submitted,
                } => Self::collect(submitted).and_then(|results| {
                    Self::primary_finish(&element, &shared, b, &frames, &regions, &results)
                }),
                Finish::Secondary { targets, submitted } => {
                    Self::collect(submitted).and_then(|results| {
                        Self::secondary_finish(&element, &shared, b, &targets, &results)
                    })
                }
            };
            match result {
                Ok(()) => Ok(buffer),
                Err(e) => {
                    gst::element_error!(element, gst::StreamError::Failed, ("{}", e));
                    Err(gst::FlowError::Error)
                }
            }
        }))
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::FlushStart(_) => {
                self.queue.set_flushing(true);
                let forwarded = self.srcpad.push_event(event);
                let _ = self.srcpad.pause_task();
                forwarded
            }
            gst::EventView::FlushStop(_) => {
                self.queue.set_flushing(false);
                let forwarded = self.srcpad.push_event(event);
                if let Err(e) = self.start_task() {
                    gst::warning!(CAT, imp = self, "cannot restart the output task: {e}");
                }
                forwarded
            }
            _ if event.is_serialized() => self.queue.push_event(event),
            _ => gst::Pad::event_default(pad, Some(&*self.obj()), event),
        }
    }

    fn sink_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        if query.is_serialized() && !self.queue.drain() {
            return false;
        }
        gst::Pad::query_default(pad, Some(&*self.obj()), query)
    }

    fn start_task(&self) -> Result<(), glib::BoolError> {
        let element = self.obj().downgrade();
        let srcpad = self.srcpad.clone();
        self.srcpad.start_task(move || {
            let Some(element) = element.upgrade() else {
                let _ = srcpad.pause_task();
                return;
            };
            element
                .imp()
                .queue
                .task_iteration(&srcpad, element.upcast_ref());
        })
    }

    fn src_activate_mode(
        &self,
        _pad: &gst::Pad,
        mode: gst::PadMode,
        active: bool,
    ) -> Result<(), gst::LoggableError> {
        if mode != gst::PadMode::Push {
            return Err(gst::loggable_error!(CAT, "only push mode is supported"));
        }
        if active {
            self.queue.set_flushing(false);
            self.start_task()
                .map_err(|e| gst::loggable_error!(CAT, "cannot start the output task: {e}"))
        } else {
            self.queue.set_flushing(true);
            self.srcpad
                .stop_task()
                .map_err(|e| gst::loggable_error!(CAT, "cannot stop the output task: {e}"))
        }
    }
}
