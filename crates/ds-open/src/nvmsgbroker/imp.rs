//! The `nvmsgbroker` GstBaseSink subclass.
use super::queue::SendQueue;
use super::sender::{Event, Sender};
use super::{Props, Settings};
use ds_core::alloc::Payload;
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer::subclass::prelude::*;
use gstreamer_base as gst_base;
use gstreamer_base::prelude::*;
use gstreamer_base::subclass::prelude::*;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "nvmsgbroker",
        gst::DebugColorFlags::empty(),
        Some("open nvmsgbroker"),
    )
});

const DROP_WARN_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
struct Config {
    props: Props,
    comp_id: u32,
    new_api: bool,
    sleep_time: u32,
    max_queue: u32,
    flush_timeout_ms: u32,
    retry_on_start: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            props: Props::default(),
            comp_id: 0,
            new_api: false,
            sleep_time: 2,
            max_queue: 1000,
            flush_timeout_ms: 5000,
            retry_on_start: false,
        }
    }
}

struct Running {
    queue: Arc<SendQueue>,
    sender: Sender,
    topic: String,
    comp_id: u32,
    flush_timeout: Duration,
    /// Drops already reported in a warning.
    reported_drops: u64,
    last_drop_warning: Option<Instant>,
    /// EOS flush gave up: do not wait again at stop.
    flush_gave_up: bool,
}

#[derive(Default)]
pub struct NvMsgBroker {
    /// NVIDIA properties accepted and kept (see `crate::accepted`).
    accepted: crate::accepted::Store,
    config: Mutex<Config>,
    running: Mutex<Option<Running>>,
}

impl NvMsgBroker {
    fn config(&self) -> MutexGuard<'_, Config> {
        self.config.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn running(&self) -> MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Posts the drop warning if there are unreported drops and
    /// (unless `force`) the last warning is old enough.
    fn warn_drops(&self, r: &mut Running, force: bool) {
        let dropped = r.queue.dropped();
        let new = dropped - r.reported_drops;
        if new == 0 {
            return;
        }
        let due = r
            .last_drop_warning
            .is_none_or(|t| t.elapsed() >= DROP_WARN_INTERVAL);
        if !force && !due {
            return;
        }
        r.reported_drops = dropped;
        r.last_drop_warning = Some(Instant::now());
        gst::element_imp_warning!(
            self,
            gst::ResourceError::Write,
            ("nvmsgbroker: queue full, dropped {} messages", new)
        );
    }

    /// Waits for the queue to drain (bounded); false if it did not.
    fn flush(&self, r: &mut Running) -> bool {
        if r.flush_gave_up {
            return false;
        }
        let ok = r.queue.wait_empty(r.flush_timeout);
        if !ok {
            r.flush_gave_up = true;
            gst::element_imp_warning!(
                self,
                gst::ResourceError::Write,
                (
                    "nvmsgbroker: {} messages not delivered within flush-timeout ({} ms)",
                    r.queue.len(),
                    r.flush_timeout.as_millis()
                )
            );
        }
        ok
    }
}

#[glib::object_subclass]
impl ObjectSubclass for NvMsgBroker {
    const NAME: &'static str = "GstNvMsgBroker";
    type Type = super::NvMsgBroker;
    type ParentType = gst_base::BaseSink;
}

impl ObjectImpl for NvMsgBroker {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = vec![
                glib::ParamSpecString::builder("proto-lib")
                    .nick("Protocol library")
                    .blurb("Protocol adapter library; its file name selects the protocol (kafka, mqtt, redis, amqp)")
                    .build(),
                glib::ParamSpecString::builder("conn-str")
                    .nick("Connection string")
                    .blurb("host;port[;topic] (AMQP: host;port[;username])")
                    .build(),
                glib::ParamSpecString::builder("topic")
                    .nick("Topic")
                    .blurb("Topic / Redis stream / AMQP routing key")
                    .build(),
                glib::ParamSpecString::builder("config")
                    .nick("Config file")
                    .blurb("Protocol config file ([message-broker] key-file)")
                    .build(),
                glib::ParamSpecUInt::builder("comp-id")
                    .nick("Component id")
                    .blurb("Send only payloads of this component id (0: all)")
                    .build(),
                glib::ParamSpecBoolean::builder("new-api")
                    .nick("New API")
                    .blurb("Accepted (no effect)")
                    .build(),
                glib::ParamSpecUInt::builder("sleep-time")
                    .nick("Sleep time")
                    .blurb("Accepted (no effect): sending runs on its own thread")
                    .default_value(2)
                    .build(),
                glib::ParamSpecUInt::builder("max-queue")
                    .nick("Max queue")
                    .blurb("Extension: most messages kept while the broker is unreachable (oldest dropped)")
                    .minimum(1)
                    .default_value(1000)
                    .build(),
                glib::ParamSpecUInt::builder("flush-timeout")
                    .nick("Flush timeout")
                    .blurb("Extension: ms to wait for queued messages at EOS / stop")
                    .default_value(5000)
                    .build(),
                glib::ParamSpecBoolean::builder("retry-on-start")
                    .nick("Retry on start")
                    .blurb("Extension: start even when the broker is unreachable and keep retrying")
                    .build(),
            ];
            let extra = crate::accepted::extra_specs(&["nvmsgbroker"], &v);
            v.extend(extra);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut c = self.config();
        let s = || {
            value
                .get::<Option<String>>()
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        match pspec.name() {
            "proto-lib" => c.props.proto_lib = s(),
            "conn-str" => c.props.conn_str = s(),
            "topic" => c.props.topic = s(),
            "config" => c.props.config = s(),
            "comp-id" => c.comp_id = value.get().unwrap_or(0),
            "new-api" => c.new_api = value.get().unwrap_or(false),
            "sleep-time" => c.sleep_time = value.get().unwrap_or(2),
            "max-queue" => c.max_queue = value.get().unwrap_or(1000),
            "flush-timeout" => c.flush_timeout_ms = value.get().unwrap_or(5000),
            "retry-on-start" => c.retry_on_start = value.get().unwrap_or(false),
            _ => self.accepted.set(pspec, value),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let c = self.config();
        let s = |v: &str| (!v.is_empty()).then(|| v.to_string()).to_value();
        match pspec.name() {
            "proto-lib" => s(&c.props.proto_lib),
            "conn-str" => s(&c.props.conn_str),
            "topic" => s(&c.props.topic),
            "config" => s(&c.props.config),
            "comp-id" => c.comp_id.to_value(),
            "new-api" => c.new_api.to_value(),
            "sleep-time" => c.sleep_time.to_value(),
            "max-queue" => c.max_queue.to_value(),
            "flush-timeout" => c.flush_timeout_ms.to_value(),
            "retry-on-start" => c.retry_on_start.to_value(),
            _ => self.accepted.get(pspec),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        self.obj().set_sync(false);
    }
}

impl GstObjectImpl for NvMsgBroker {}

impl ElementImpl for NvMsgBroker {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Message Broker (open)",
                "Sink/Metadata",
                "Sends payload metadata to remote server",
                "deepstream-rs",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            match gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &gst::Caps::new_any(),
            ) {
                Ok(t) => vec![t],
                Err(_) => Vec::new(),
            }
        });
        TEMPLATES.as_ref()
    }
}

impl BaseSinkImpl for NvMsgBroker {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let config = self.config().clone();
        let settings = Settings::resolve(&config.props)
            .map_err(|e| gst::error_msg!(gst::ResourceError::Settings, ("nvmsgbroker: {}", e)))?;
        let desc = settings.describe();
        if !settings.kafka.ignored.is_empty() {
            gst::element_imp_warning!(
                self,
                gst::ResourceError::Settings,
                (
                    "nvmsgbroker: proto-cfg: librdkafka settings without effect in the open \
                     Kafka adaptor: {}",
                    settings.kafka.ignored.join(", ")
                )
            );
        }
        let conn = if config.retry_on_start {
            None
        } else {
            Some(settings.connect().map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::OpenWrite,
                    ("nvmsgbroker: cannot connect to {}: {}", desc, e)
                )
            })?)
        };
        gst::debug!(CAT, imp = self, "connected to {desc}");
        let queue = Arc::new(SendQueue::new(config.max_queue as usize));
        let weak = self.obj().downgrade();
        let what = desc.clone();
        let notify = Box::new(move |ev: Event| {
            let Some(el) = weak.upgrade() else { return };
            match ev {
                Event::Lost(reason) => gst::element_warning!(
                    el,
                    gst::ResourceError::Write,
                    (
                        "nvmsgbroker: connection to {} failed: {}; retrying",
                        what,
                        reason
                    )
                ),
                Event::Reconnected => gst::element_info!(
                    el,
                    gst::ResourceError::Write,
                    ("nvmsgbroker: connected to {}", what)
                ),
            }
        });
        let topic = settings.topic.clone();
        let sender = Sender::start(settings, queue.clone(), conn, notify).map_err(|e| {
            gst::error_msg!(
                gst::CoreError::Thread,
                ("nvmsgbroker: cannot start the sender thread: {}", e)
            )
        })?;
        *self.running() = Some(Running {
            queue,
            sender,
            topic,
            comp_id: config.comp_id,
            flush_timeout: Duration::from_millis(u64::from(config.flush_timeout_ms)),
            reported_drops: 0,
            last_drop_warning: None,
            flush_gave_up: false,
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        let running = self.running().take();
        if let Some(mut r) = running {
            self.flush(&mut r);
            self.warn_drops(&mut r, true);
            r.sender.stop();
        }
        Ok(())
    }

    fn render(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = self.running();
        let Some(r) = guard.as_mut() else {
            return Err(gst::FlowError::Flushing);
        };
        let Some(batch) = BatchMeta::from_buffer(buffer) else {
            return Ok(gst::FlowSuccess::Ok);
        };
        let frame_metas = batch.frames().flat_map(|f| f.user_metas());
        let mut n = 0;
        for um in batch.user_metas().chain(frame_metas) {
            let Some(p) = um.downcast::<Payload>() else {
                continue;
            };
            if r.comp_id != 0 && p.component_id() != r.comp_id {
                continue;
            }
            r.queue.push(r.topic.clone(), p.bytes().to_vec());
            n += 1;
        }
        gst::trace!(CAT, imp = self, "queued {n} payloads");
        self.warn_drops(r, false);
        Ok(gst::FlowSuccess::Ok)
    }

    fn event(&self, event: gst::Event) -> bool {
        if let gst::EventView::Eos(_) = event.view() {
            let mut guard = self.running();
            if let Some(r) = guard.as_mut() {
                self.flush(r);
                self.warn_drops(r, true);
            }
        }
        self.parent_event(event)
    }
}
