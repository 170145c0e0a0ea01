//! The `nvmsgconv` element's GObject implementation.
use super::config::MsgConvConfig;
use super::schema::{self, RandomIds};
use super::PayloadType;
use ds_core::alloc::{EventMsgMeta, EventMsgMetaRef, Payload};
use ds_core::BatchMeta;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_base as gst_base;
use gstreamer_base::subclass::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvmsgconv",
        gst::DebugColorFlags::empty(),
        Some("open nvmsgconv"),
    )
});

const DEFAULT_FRAME_INTERVAL: u32 = 30;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Clone)]
struct Settings {
    config: Option<String>,
    msg2p_lib: Option<String>,
    payload_type: PayloadType,
    comp_id: u32,
    debug_payload_dir: Option<String>,
    multiple_payloads: bool,
    msg2p_newapi: bool,
    frame_interval: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            config: None,
            msg2p_lib: None,
            payload_type: PayloadType::Deepstream,
            comp_id: 0,
            debug_payload_dir: None,
            multiple_payloads: false,
            msg2p_newapi: false,
            frame_interval: DEFAULT_FRAME_INTERVAL,
        }
    }
}

/// What `start` prepared.
struct State {
    payload_type: PayloadType,
    comp_id: u32,
    config: Option<MsgConvConfig>,
    debug_dir: Option<PathBuf>,
    /// Payloads written to `debug_dir` so far (file numbering).
    written: u64,
}

#[derive(Default)]
pub struct NvMsgConv {
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for NvMsgConv {
    const NAME: &'static str = "GstNvMsgConv";
    type Type = super::NvMsgConv;
    type ParentType = gst_base::BaseTransform;
}

impl NvMsgConv {
    fn prepare(&self) -> Result<State, String> {
        let s = lock(&self.settings).clone();
        if let Some(lib) = s.msg2p_lib.as_deref().filter(|l| !l.is_empty()) {
            eprintln!("nvmsgconv: msg2p-lib {lib} is replaced by the built-in converter");
        }
        match s.payload_type {
            PayloadType::Deepstream | PayloadType::DeepstreamMinimal => {}
            PayloadType::DeepstreamProtobuf => {
                return Err(
                    "nvmsgconv: payload-type PAYLOAD_DEEPSTREAM_PROTOBUF (2) is not supported \
                     by the open nvmsgconv (use 0 = full or 1 = minimal JSON)"
                        .into(),
                )
            }
            PayloadType::Reserved | PayloadType::Custom => {
                return Err(format!(
                    "nvmsgconv: payload-type {} needs a custom msg2p library, which the open \
                     nvmsgconv cannot load (use 0 = full or 1 = minimal JSON)",
                    s.payload_type as i32
                ))
            }
        }
        if s.msg2p_newapi {
            return Err(
                "nvmsgconv: msg2p-newapi (payloads from frame / object meta) is not supported \
                 by the open nvmsgconv"
                    .into(),
            );
        }
        let config_path = s.config.as_deref().filter(|p| !p.is_empty());
        let config = match config_path {
            Some(p) => {
                let cfg = MsgConvConfig::from_file(Path::new(p))
                    .map_err(|e| format!("nvmsgconv: {e}"))?;
                for w in &cfg.warnings {
                    gst::warning!(CAT, imp = self, "{p}: {w}");
                }
                Some(cfg)
            }
            None if s.payload_type == PayloadType::Deepstream => {
                return Err(
                    "nvmsgconv: the full schema (payload-type 0) needs a config file \
                     (property config, e.g. configs/dstest4_msgconv_config.txt)"
                        .into(),
                )
            }
            None => None,
        };
        let debug_dir = match s.debug_payload_dir.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => {
                let dir = PathBuf::from(d);
                let meta = std::fs::metadata(&dir)
                    .map_err(|e| format!("nvmsgconv: debug-payload-dir {d}: {e}"))?;
                if !meta.is_dir() {
                    return Err(format!(
                        "nvmsgconv: debug-payload-dir {d} is not a directory"
                    ));
                }
                if meta.permissions().readonly() {
                    return Err(format!(
                        "nvmsgconv: no write permission in debug-payload-dir {d}"
                    ));
                }
                Some(dir)
            }
            None => None,
        };
        Ok(State {
            payload_type: s.payload_type,
            comp_id: s.comp_id,
            config,
            debug_dir,
            written: 0,
        })
    }

    /// Makes the payloads of every frame and attaches them.
    fn convert(&self, state: &mut State, buffer: &mut gst::BufferRef) -> Result<(), String> {
        let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
            return Ok(());
        };
        let mut batch = batch.lock();
        let count = batch.frames().count();
        for fi in 0..count {
            let Some(mut frame) = batch.frame_mut(fi) else {
                continue;
            };
            let mut warnings = Vec::new();
            let payloads: Vec<String> = {
                let events: Vec<&EventMsgMetaRef> = frame
                    .user_metas()
                    .filter_map(|um| um.downcast::<EventMsgMeta>())
                    .filter(|e| state.comp_id == 0 || e.component_id() == state.comp_id as i32)
                    .collect();
                match (state.payload_type, &state.config) {
                    (PayloadType::Deepstream, Some(cfg)) => events
                        .iter()
                        .map(|e| schema::full_message(cfg, e, &mut RandomIds, &mut warnings))
                        .collect(),
                    (PayloadType::DeepstreamMinimal, cfg) => {
                        schema::minimal_message(cfg.as_ref(), &events, &mut warnings)
                            .into_iter()
                            .collect()
                    }
                    _ => Vec::new(),
                }
            };
            for w in warnings {
                gst::warning!(CAT, imp = self, "{w}");
            }
            for text in payloads {
                if let Some(dir) = &state.debug_dir {
                    let path = dir.join(format!("payload-{:06}.json", state.written));
                    std::fs::write(&path, &text)
                        .map_err(|e| format!("nvmsgconv: cannot write {}: {e}", path.display()))?;
                    state.written += 1;
                }
                let payload = Payload::new(text.as_bytes(), state.comp_id)
                    .map_err(|e| format!("nvmsgconv: {e}"))?;
                frame
                    .add_user_meta(payload)
                    .map_err(|e| format!("nvmsgconv: cannot attach the payload: {e}"))?;
            }
        }
        Ok(())
    }
}

impl ObjectImpl for NvMsgConv {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = vec![
                glib::ParamSpecString::builder("config")
                    .nick("configuration file name")
                    .blurb("Name of configuration file with absolute path.")
                    .build(),
                glib::ParamSpecString::builder("msg2p-lib")
                    .nick("configuration file name")
                    .blurb("Name of payload generation library (accepted: the built-in converter is used)")
                    .build(),
                glib::ParamSpecEnum::builder_with_default("payload-type", PayloadType::Deepstream)
                    .nick("Payload type")
                    .blurb("Type of payload to be generated")
                    .build(),
                glib::ParamSpecUInt::builder("comp-id")
                    .nick("Component Id ")
                    .blurb("Operate only on NvDsEventMsgMeta with this component id (0 = all)")
                    .build(),
                glib::ParamSpecString::builder("debug-payload-dir")
                    .nick("directory to dump payload")
                    .blurb("Directory to write each payload to (one file per payload)")
                    .build(),
                glib::ParamSpecBoolean::builder("multiple-payloads")
                    .nick("Use multiple payloads API")
                    .blurb("Use API which supports receiving multiple payloads from converter lib.")
                    .build(),
                glib::ParamSpecBoolean::builder("msg2p-newapi")
                    .nick("Use new msg2p API")
                    .blurb("Payloads from NvDsFrameMeta (not supported by the open element)")
                    .build(),
                glib::ParamSpecUInt::builder("frame-interval")
                    .nick("Payload generation interval")
                    .blurb("Frame interval at which payload is generated (msg2p-newapi only)")
                    .minimum(1)
                    .default_value(DEFAULT_FRAME_INTERVAL)
                    .build(),
            ];
            let extra = crate::accepted::extra_specs(&["nvmsgconv"], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = lock(&self.settings);
        match pspec.name() {
            "config" => s.config = value.get().ok().flatten(),
            "msg2p-lib" => s.msg2p_lib = value.get().ok().flatten(),
            "payload-type" => s.payload_type = value.get().unwrap_or_default(),
            "comp-id" => s.comp_id = value.get().unwrap_or(0),
            "debug-payload-dir" => s.debug_payload_dir = value.get().ok().flatten(),
            "multiple-payloads" => s.multiple_payloads = value.get().unwrap_or(false),
            "msg2p-newapi" => s.msg2p_newapi = value.get().unwrap_or(false),
            "frame-interval" => s.frame_interval = value.get().unwrap_or(DEFAULT_FRAME_INTERVAL),
            _ => self.accepted.set(pspec, value),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = lock(&self.settings);
        match pspec.name() {
            "config" => s.config.to_value(),
            "msg2p-lib" => s.msg2p_lib.to_value(),
            "payload-type" => s.payload_type.to_value(),
            "comp-id" => s.comp_id.to_value(),
            "debug-payload-dir" => s.debug_payload_dir.to_value(),
            "multiple-payloads" => s.multiple_payloads.to_value(),
            "msg2p-newapi" => s.msg2p_newapi.to_value(),
            "frame-interval" => s.frame_interval.to_value(),
            _ => self.accepted.get(pspec),
        }
    }
}

impl GstObjectImpl for NvMsgConv {}

impl ElementImpl for NvMsgConv {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Message Converter (open)",
                "Filter/Metadata",
                "Transforms buffer meta to schema / payload meta",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst::Caps::new_any();
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

impl BaseTransformImpl for NvMsgConv {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let state = self
            .prepare()
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ("{}", e)))?;
        *lock(&self.state) = Some(state);
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *lock(&self.state) = None;
        Ok(())
    }

    fn transform_ip(
        &self,
        buffer: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = lock(&self.state);
        let Some(state) = guard.as_mut() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        match self.convert(state, buffer) {
            Ok(()) => Ok(gst::FlowSuccess::Ok),
            Err(e) => {
                gst::element_imp_error!(self, gst::StreamError::Failed, ("{}", e));
                Err(gst::FlowError::Error)
            }
        }
    }
}
