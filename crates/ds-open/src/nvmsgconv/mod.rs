//! `nvmsgconv` (open implementation): converts the event messages
//! (`NvDsEventMsgMeta`, user meta of type `NVDS_EVENT_MSG_META`) attached
//! to the frames of a batch into DeepStream's JSON payloads, and attaches
//! each payload (`NvDsPayload`, user meta of type `NVDS_PAYLOAD_META`) to
//! the same frame, where `nvmsgbroker` picks it up — as NVIDIA's element
//! does since DeepStream 5 (frame user meta, not batch user meta).
//!
//! An in-place transform with ANY caps (NVMM batches included; the pixels
//! are not touched). Buffers without batch meta pass unchanged.
//!
//! Schemas (`payload-type`, NVIDIA's `GstNvMsgConvPayloadType`; set it
//! with `set_property_from_str("payload-type", "1")` or the nick):
//! - `PAYLOAD_DEEPSTREAM` (0, default): one message per event, DeepStream's
//!   full schema (`messageid`, `mdsversion`, `@timestamp`, `place`,
//!   `sensor`, `analyticsModule`, `object`, `event`, `videoPath`); place,
//!   sensor and analytics module come from the config file by the event's
//!   `placeId` / `sensorId` / `moduleId` (`null` with a warning when the
//!   config has no such group). Needs `config`.
//! - `PAYLOAD_DEEPSTREAM_MINIMAL` (1): one message per frame with all its
//!   events (`version` "4.0", `id` = frame id, `@timestamp`, `sensorId` =
//!   the event's `sensorStr`, else the config sensor's id, else "0",
//!   `objects`: `"trackingId|x1|y1|x2|y2|Type|#|attributes…|confidence"`).
//!   `config` is optional.
//! - `PAYLOAD_DEEPSTREAM_PROTOBUF` (2), `PAYLOAD_RESERVED` (256) and
//!   `PAYLOAD_CUSTOM` (257, a custom `msg2p-lib`) are refused at start
//!   with an element error.
//!
//! Properties (NVIDIA's names): `config` (msgconv config file, see the
//! config module: `[sensorN]`, `[placeN]`, `[analyticsN]`), `payload-type`,
//! `msg2p-lib` (accepted; the built-in converter is used, with a one-line
//! notice on stderr), `comp-id` (0 = every event, else only events whose
//! `componentId` matches; also set as the payloads' `componentId`),
//! `debug-payload-dir` (an existing directory; each payload is written to
//! its own file `payload-NNNNNN.json`, numbered from 0 per start, where
//! NVIDIA writes one `<timestamp>.txt` per frame), `multiple-payloads`
//! (accepted; the built-in converter makes one payload per call either
//! way, as NVIDIA's), `msg2p-newapi` (only `false`: the new API builds
//! payloads from frame / object meta, not implemented) and
//! `frame-interval` (default 30; NVIDIA uses it only with `msg2p-newapi`,
//! so it has no effect here).
//!
//! Differences from NVIDIA's: YAML / CSV configs and the protobuf schema
//! are not supported; the `*_EXT` object types (with masks) get the empty
//! vehicle / person / face member; JSON is laid out by serde_json (2-space
//! indent, `"key": value`), where json-glib writes `"key" : value` and
//! floats with 17 significant digits — the values are the same.

mod config;
mod imp;
pub(crate) mod schema;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

glib::wrapper! {
    /// The open `nvmsgconv` element.
    pub struct NvMsgConv(ObjectSubclass<imp::NvMsgConv>) @extends gstreamer_base::BaseTransform, gst::Element, gst::Object;
}

/// `payload-type` values (NVIDIA's `GstNvMsgConvPayloadType`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, glib::Enum)]
#[repr(i32)]
#[enum_type(name = "GstNvMsgConvPayloadType")]
pub enum PayloadType {
    /// The full DeepStream schema, one message per event.
    #[default]
    #[enum_value(name = "Deepstream schema payload", nick = "PAYLOAD_DEEPSTREAM")]
    Deepstream = 0,
    /// The minimal DeepStream schema, one message per frame.
    #[enum_value(
        name = "Deepstream schema payload minimal",
        nick = "PAYLOAD_DEEPSTREAM_MINIMAL"
    )]
    DeepstreamMinimal = 1,
    /// Protobuf (not supported by the open element).
    #[enum_value(
        name = "Deepstream schema payload in protobuf",
        nick = "PAYLOAD_DEEPSTREAM_PROTOBUF"
    )]
    DeepstreamProtobuf = 2,
    /// Reserved (refused).
    #[enum_value(name = "Reserved type", nick = "PAYLOAD_RESERVED")]
    Reserved = 256,
    /// A custom msg2p library's schema (refused).
    #[enum_value(name = "Custom schema payload", nick = "PAYLOAD_CUSTOM")]
    Custom = 257,
}

/// Registers `nvmsgconv`.
pub(crate) fn register(plugin: Option<&gst::Plugin>) -> Result<(), glib::BoolError> {
    gst::Element::register(
        plugin,
        "nvmsgconv",
        gst::Rank::PRIMARY,
        NvMsgConv::static_type(),
    )
}
