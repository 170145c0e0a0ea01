//! The `nvtracker` element's GObject implementation.
use super::config::TrackerConfig;
use super::iou::{BBox, Detection, PastTarget, Tracker};
use ds_core::tracker::{MiscDataKind, TargetBox, TargetFrame, TargetMiscData, TrackerState};
use ds_core::BatchMeta;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_base as gst_base;
use gstreamer_base::subclass::prelude::*;
use std::path::Path;
use std::sync::{LazyLock, Mutex, MutexGuard};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvtracker",
        gst::DebugColorFlags::empty(),
        Some("open nvtracker"),
    )
});

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Clone)]
struct Settings {
    tracker_width: u32,
    tracker_height: u32,
    gpu_id: u32,
    ll_lib_file: Option<String>,
    ll_config_file: Option<String>,
    display_tracking_id: bool,
    tracking_id_reset_mode: u32,
    user_meta_pool_size: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tracker_width: 640,
            tracker_height: 384,
            gpu_id: 0,
            ll_lib_file: None,
            ll_config_file: None,
            display_tracking_id: true,
            tracking_id_reset_mode: 0,
            user_meta_pool_size: 32,
        }
    }
}

#[derive(Default)]
pub struct NvTracker {
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    settings: Mutex<Settings>,
    tracker: Mutex<Option<Tracker>>,
}

#[glib::object_subclass]
impl ObjectSubclass for NvTracker {
    const NAME: &'static str = "GstNvTracker";
    type Type = super::NvTracker;
    type ParentType = gst_base::BaseTransform;
}

/// `text` with ` <id>` appended (once: a text that already ends with it
/// is kept).
fn with_id(text: &str, id: u64) -> String {
    let suffix = format!(" {id}");
    if text.ends_with(&suffix) {
        text.to_string()
    } else if text.is_empty() {
        id.to_string()
    } else {
        format!("{text}{suffix}")
    }
}

impl NvTracker {
    fn load(&self) -> Result<Tracker, String> {
        let s = lock(&self.settings).clone();
        if let Some(lib) = s.ll_lib_file.as_deref().filter(|l| !l.is_empty()) {
            eprintln!("nvtracker: ll-lib-file {lib} is replaced by the built-in IOU tracker");
        }
        let config = match s.ll_config_file.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => {
                TrackerConfig::from_file(Path::new(p)).map_err(|e| format!("nvtracker: {e}"))?
            }
            None => TrackerConfig::default(),
        };
        gst::info!(CAT, imp = self, "tracker config {:?}", config);
        Ok(Tracker::new(config))
    }

    fn track(&self, tracker: &mut Tracker, buffer: &mut gst::BufferRef) -> Result<(), String> {
        let display_id = lock(&self.settings).display_tracking_id;
        // Past-frame output is always on, as NVIDIA's tracker has it since
        // 6.3 (no property, no low-level key).
        tracker.set_record_past_frames(true);
        let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
            return Ok(());
        };
        let mut batch = batch.lock();
        let mut past_data: Option<TargetMiscData> = None;
        let count = batch.frames().count();
        for fi in 0..count {
            let Some(mut frame) = batch.frame_mut(fi) else {
                continue;
            };
            let source = frame.source_id();
            let dets: Vec<Detection> = frame
                .objects()
                .map(|o| {
                    let r = o.rect_params();
                    Detection {
                        class_id: o.class_id(),
                        confidence: o.confidence(),
                        bbox: BBox {
                            left: r.left,
                            top: r.top,
                            width: r.width,
                            height: r.height,
                        },
                    }
                })
                .collect();
            let frame_num = u32::try_from(frame.frame_num()).unwrap_or(0);
            let update = tracker.update(source, frame_num, &dets);
            if !update.past.is_empty() {
                let labels: Vec<String> =
                    frame.objects().map(|o| o.obj_label().to_string()).collect();
                let data =
                    past_data.get_or_insert_with(|| TargetMiscData::new(MiscDataKind::PastFrame));
                let pad = frame.pad_index();
                let surface_stream_id = (u64::from(pad) << 32) | u64::from(frame.surface_index());
                let mut stream = data.push_stream(pad, surface_stream_id);
                for p in &update.past {
                    let label = labels.get(p.detection).map_or("", String::as_str);
                    add_past_target(&mut stream, p, label);
                }
            }
            for (obj, result) in frame.objects_mut().zip(update.objects) {
                let Some(t) = result else {
                    obj.set_object_id(ds_core::UNTRACKED_OBJECT_ID);
                    continue;
                };
                obj.set_object_id(t.id);
                obj.set_tracker_confidence(t.confidence);
                let bb = obj.tracker_bbox_mut();
                bb.left = t.bbox.left;
                bb.top = t.bbox.top;
                bb.width = t.bbox.width;
                bb.height = t.bbox.height;
                if display_id {
                    let text = obj.text_params().display_text().unwrap_or("");
                    let text = if text.is_empty() {
                        obj.obj_label().to_string()
                    } else {
                        text.to_string()
                    };
                    obj.text_params_mut()
                        .set_display_text(&with_id(&text, t.id));
                }
            }
        }
        if let Some(data) = past_data {
            batch
                .add_user_meta(data)
                .map_err(|e| format!("nvtracker: cannot attach the past-frame meta: {e}"))?;
        }
        Ok(())
    }
}

/// Adds a confirmed track's probation frames to a past-frame stream.
fn add_past_target(stream: &mut ds_core::tracker::StreamBuilder<'_>, p: &PastTarget, label: &str) {
    let class_id = u16::try_from(p.class_id).unwrap_or(u16::MAX);
    let mut target = stream.push_target(p.id, class_id, label);
    for f in &p.frames {
        target.push_frame(TargetFrame {
            frame_num: f.frame_num,
            bbox: TargetBox {
                left: f.bbox.left,
                top: f.bbox.top,
                width: f.bbox.width,
                height: f.bbox.height,
            },
            confidence: f.confidence,
            age: f.age,
            state: TrackerState::Tentative,
            visibility: 1.0,
        });
    }
}

impl ObjectImpl for NvTracker {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = vec![
                glib::ParamSpecUInt::builder("tracker-width")
                    .blurb("Frame width for the low-level tracker (accepted: the open tracker works in frame coordinates)")
                    .default_value(640)
                    .build(),
                glib::ParamSpecUInt::builder("tracker-height")
                    .blurb("Frame height for the low-level tracker (accepted: the open tracker works in frame coordinates)")
                    .default_value(384)
                    .build(),
                glib::ParamSpecUInt::builder("gpu-id")
                    .blurb("GPU id (ignored)")
                    .build(),
                glib::ParamSpecString::builder("ll-lib-file")
                    .blurb("Low-level tracker library (accepted: the built-in IOU tracker is used)")
                    .build(),
                glib::ParamSpecString::builder("ll-config-file")
                    .blurb("Low-level tracker config (NvMultiObjectTracker YAML)")
                    .build(),
                glib::ParamSpecBoolean::builder("display-tracking-id")
                    .blurb("Append the tracking id to the object's display text")
                    .default_value(true)
                    .build(),
                glib::ParamSpecUInt::builder("tracking-id-reset-mode")
                    .blurb("When to reset tracking ids (accepted; ids are never reset)")
                    .maximum(3)
                    .build(),
                glib::ParamSpecUInt::builder("user-meta-pool-size")
                    .blurb("Tracker user meta pool size (accepted, ignored)")
                    .minimum(1)
                    .default_value(32)
                    .build(),
            ];
            let extra = crate::accepted::extra_specs(&["nvtracker"], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "tracker-width" => s.tracker_width = value.get().unwrap_or(640),
            "tracker-height" => s.tracker_height = value.get().unwrap_or(384),
            "gpu-id" => s.gpu_id = value.get().unwrap_or(0),
            "ll-lib-file" => s.ll_lib_file = value.get().ok().flatten(),
            "ll-config-file" => s.ll_config_file = value.get().ok().flatten(),
            "display-tracking-id" => s.display_tracking_id = value.get().unwrap_or(true),
            "tracking-id-reset-mode" => s.tracking_id_reset_mode = value.get().unwrap_or(0),
            "user-meta-pool-size" => s.user_meta_pool_size = value.get().unwrap_or(32),
            _ => self.accepted.set(pspec, value),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "tracker-width" => s.tracker_width.to_value(),
            "tracker-height" => s.tracker_height.to_value(),
            "gpu-id" => s.gpu_id.to_value(),
            "ll-lib-file" => s.ll_lib_file.to_value(),
            "ll-config-file" => s.ll_config_file.to_value(),
            "display-tracking-id" => s.display_tracking_id.to_value(),
            "tracking-id-reset-mode" => s.tracking_id_reset_mode.to_value(),
            "user-meta-pool-size" => s.user_meta_pool_size.to_value(),
            _ => self.accepted.get(pspec),
        }
    }
}

impl GstObjectImpl for NvTracker {}

impl ElementImpl for NvTracker {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "NvTracker plugin (open, CPU)",
                "NvTracker functionality",
                "Gstreamer object tracking element",
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

impl BaseTransformImpl for NvTracker {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let tracker = self
            .load()
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ("{}", e)))?;
        *lock(&self.tracker) = Some(tracker);
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.tracker) = None;
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::CustomDownstream(ev) => {
                if let Some(s) = ev.structure().filter(|s| s.name() == "nv-stream-eos") {
                    if let Ok(source) = s.get::<u32>("source-id") {
                        if let Some(t) = lock(&self.tracker).as_mut() {
                            t.remove_source(source);
                        }
                    }
                }
            }
            gst::EventView::FlushStop(_) => {
                if let Some(t) = lock(&self.tracker).as_mut() {
                    t.clear();
                }
            }
            _ => {}
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(
        &self,
        buffer: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.tracker);
        let Some(tracker) = guard.as_mut() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        ds_core::latency::record_input(buffer, &*self.obj());
        let result = self.track(tracker, buffer);
        ds_core::latency::record_output(buffer, &*self.obj());
        match result {
            Ok(()) => Ok(gst::FlowSuccess::Ok),
            Err(e) => {
                gst::element_imp_error!(self, gst::StreamError::Failed, ("{}", e));
                Err(gst::FlowError::Error)
            }
        }
    }
}
