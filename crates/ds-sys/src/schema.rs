//! Event-message schema (`nvdsmeta_schema.h`, DeepStream 7.1): what
//! nvmsgconv turns into JSON payloads.
//!
//! Strings (`*mut gchar`) in these structs are owned by the structure and
//! must come from [`crate::mem`] (`g_malloc`), because the copy / release
//! functions free them with `g_free`.
//!
//! 7.1 decisions (no public copy of the 7.1 header exists; the layout was
//! reconstructed from the 6.2 and 8.0 headers and the 7.0 / 7.1 API
//! reference pages, whose "Definition at line N" numbers pin what is where):
//! * [`NvDsObjectType`]: 6.2 has `PRODUCT` = 9; 8.0 inserts
//!   `NVDS_OBJECT_TYPE_3D` (9) and `NVDS_OBJECT_TYPE_DUMMY` (10) before it.
//!   The 7.1 source page shows the enum exactly one line longer than 7.0 and
//!   one shorter than 8.0, so 7.1 has one of the two: taken to be
//!   `NVDS_OBJECT_TYPE_3D` = 9 (7.1 introduced the 3-D bbox schema), giving
//!   `PRODUCT` = 10, `PRODUCT_EXT` = 11. **Which name is 9 is unconfirmed**;
//!   the values of `PRODUCT*` follow from the line count.
//! * [`NvDs3DTracking`]: 7.0 layout (no `bbox3d`, which 8.0 added; in 7.1
//!   the struct still precedes `NvDsBbox3dObject`).
//! * [`NvDsBbox3dObject`] / [`NvDsBbox3dObjectList`]: as the 7.1 API pages
//!   list them (`boxes_3d[10]`, `labels_3d` is a `guint64`, no
//!   `embedding_filter`, no `entries`/`count`). `MAX_NUM_OBJECTS` (600) is
//!   taken from 8.0.
//! * LLM / interaction / congestion / type-metrics / segmentation objects:
//!   present in 7.1 (7.1 pages, same line offsets as 8.0).
//! * [`NvDsEventMsgMeta`]: 8.0 inserts `entries[100]`, `count`, `bbox3d`,
//!   `llm`, `num_interactions`, `interactions`, `num_congestions`,
//!   `congestions`, `num_fov`, `fov`, `segmentation` between `sensorStr` and
//!   `otherAttrs`. 7.1 has no `SourceTimePair` type, so `entries`/`count`
//!   are left out; the pointer fields from `bbox3d` to `segmentation` are
//!   **taken as present** (their types exist in 7.1 only to be referenced
//!   from here). Unconfirmed: if 7.1 lacked them, `otherAttrs` onwards
//!   would sit 80 bytes earlier.
use glib_sys::{gdouble, gfloat, gint, gint64, gpointer, guint, guint64, GHashTable, GList};
use std::os::raw::{c_char, c_float, c_int, c_void};

/// `gchar` as used in the schema structs.
pub type gchar = c_char;

/// Kind of event (`NvDsEventType`, C enum).
pub type NvDsEventType = c_int;
pub const NVDS_EVENT_ENTRY: NvDsEventType = 0;
pub const NVDS_EVENT_EXIT: NvDsEventType = 1;
pub const NVDS_EVENT_MOVING: NvDsEventType = 2;
pub const NVDS_EVENT_STOPPED: NvDsEventType = 3;
pub const NVDS_EVENT_EMPTY: NvDsEventType = 4;
pub const NVDS_EVENT_PARKED: NvDsEventType = 5;
pub const NVDS_EVENT_RESET: NvDsEventType = 6;
/// Start of the reserved range; custom events use values above it.
pub const NVDS_EVENT_RESERVED: NvDsEventType = 0x100;
pub const NVDS_EVENT_CUSTOM: NvDsEventType = 0x101;
pub const NVDS_EVENT_FORCE32: NvDsEventType = 0x7FFF_FFFF;

/// Kind of object an event is about (`NvDsObjectType`, C enum).
pub type NvDsObjectType = c_int;
pub const NVDS_OBJECT_TYPE_VEHICLE: NvDsObjectType = 0;
pub const NVDS_OBJECT_TYPE_PERSON: NvDsObjectType = 1;
pub const NVDS_OBJECT_TYPE_FACE: NvDsObjectType = 2;
pub const NVDS_OBJECT_TYPE_BAG: NvDsObjectType = 3;
pub const NVDS_OBJECT_TYPE_BICYCLE: NvDsObjectType = 4;
pub const NVDS_OBJECT_TYPE_ROADSIGN: NvDsObjectType = 5;
pub const NVDS_OBJECT_TYPE_VEHICLE_EXT: NvDsObjectType = 6;
pub const NVDS_OBJECT_TYPE_PERSON_EXT: NvDsObjectType = 7;
pub const NVDS_OBJECT_TYPE_FACE_EXT: NvDsObjectType = 8;
/// A 3-D object (7.1; see module docs).
pub const NVDS_OBJECT_TYPE_3D: NvDsObjectType = 9;
/// 10 in 7.1 (9 in 6.2, 11 in 8.0; see module docs).
pub const NVDS_OBJECT_TYPE_PRODUCT: NvDsObjectType = 10;
/// 11 in 7.1 (10 in 6.2, 12 in 8.0).
pub const NVDS_OBJECT_TYPE_PRODUCT_EXT: NvDsObjectType = 11;
pub const NVDS_OBJECT_TYPE_RESERVED: NvDsObjectType = 0x100;
pub const NVDS_OBJECT_TYPE_CUSTOM: NvDsObjectType = 0x101;
pub const NVDS_OBJECT_TYPE_UNKNOWN: NvDsObjectType = 0x102;
/// Spelled as in the C header.
pub const NVDS_OBEJCT_TYPE_FORCE32: NvDsObjectType = 0x7FFF_FFFF;

/// Payload schema (`NvDsPayloadType`, C enum).
pub type NvDsPayloadType = c_int;
/// Full DeepStream JSON schema.
pub const NVDS_PAYLOAD_DEEPSTREAM: NvDsPayloadType = 0;
/// Minimal DeepStream JSON schema.
pub const NVDS_PAYLOAD_DEEPSTREAM_MINIMAL: NvDsPayloadType = 1;
pub const NVDS_PAYLOAD_DEEPSTREAM_PROTOBUF: NvDsPayloadType = 2;
pub const NVDS_PAYLOAD_RESERVED: NvDsPayloadType = 0x100;
pub const NVDS_PAYLOAD_CUSTOM: NvDsPayloadType = 0x101;
pub const NVDS_PAYLOAD_FORCE32: NvDsPayloadType = 0x7FFF_FFFF;

/// Bounding box in pixels (`NvDsRect`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvDsRect {
    pub top: c_float,
    pub left: c_float,
    pub width: c_float,
    pub height: c_float,
}

/// Geographic location (`NvDsGeoLocation`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvDsGeoLocation {
    pub lat: gdouble,
    pub lon: gdouble,
    pub alt: gdouble,
}

/// Point in a local coordinate system (`NvDsCoordinate`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvDsCoordinate {
    pub x: gdouble,
    pub y: gdouble,
    pub z: gdouble,
}

/// Object signature vector (`NvDsObjectSignature`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsObjectSignature {
    /// `size` doubles.
    pub signature: *mut gdouble,
    pub size: guint,
}

/// Product attributes (`NvDsProductObjectExt`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsProductObjectExt {
    pub brand: *mut gchar,
    pub type_: *mut gchar,
    pub shape: *mut gchar,
    /// List of mask polygons.
    pub mask: *mut GList,
}

/// Vehicle attributes (`NvDsVehicleObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsVehicleObject {
    pub type_: *mut gchar,
    pub make: *mut gchar,
    pub model: *mut gchar,
    pub color: *mut gchar,
    pub region: *mut gchar,
    pub license: *mut gchar,
}

/// Person attributes (`NvDsPersonObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsPersonObject {
    pub gender: *mut gchar,
    pub hair: *mut gchar,
    pub cap: *mut gchar,
    pub apparel: *mut gchar,
    pub age: guint,
}

/// Face attributes (`NvDsFaceObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsFaceObject {
    pub gender: *mut gchar,
    pub hair: *mut gchar,
    pub cap: *mut gchar,
    pub glasses: *mut gchar,
    pub facialhair: *mut gchar,
    pub name: *mut gchar,
    pub eyecolor: *mut gchar,
    pub age: guint,
}

/// Vehicle attributes with mask (`NvDsVehicleObjectExt`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsVehicleObjectExt {
    pub type_: *mut gchar,
    pub make: *mut gchar,
    pub model: *mut gchar,
    pub color: *mut gchar,
    pub region: *mut gchar,
    pub license: *mut gchar,
    pub mask: *mut GList,
}

/// Person attributes with mask (`NvDsPersonObjectExt`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsPersonObjectExt {
    pub gender: *mut gchar,
    pub hair: *mut gchar,
    pub cap: *mut gchar,
    pub apparel: *mut gchar,
    pub age: guint,
    pub mask: *mut GList,
}

/// Face attributes with mask (C: `struct NvDsFaceObjectWithExt`, typedef
/// `NvDsFaceObjectExt`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsFaceObjectWithExt {
    pub gender: *mut gchar,
    pub hair: *mut gchar,
    pub cap: *mut gchar,
    pub glasses: *mut gchar,
    pub facialhair: *mut gchar,
    pub name: *mut gchar,
    pub eyecolor: *mut gchar,
    pub age: guint,
    pub mask: *mut GList,
}

/// The C typedef name of [`NvDsFaceObjectWithExt`].
pub type NvDsFaceObjectExt = NvDsFaceObjectWithExt;

/// One body joint (`NvDsJoint`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NvDsJoint {
    pub x: c_float,
    pub y: c_float,
    pub z: c_float,
    pub confidence: c_float,
}

/// A body pose (`NvDsJoints`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsJoints {
    /// `num_joints` joints.
    pub joints: *mut NvDsJoint,
    pub num_joints: c_int,
    /// 0 = 2D, 1 = 3D.
    pub pose_type: c_int,
}

/// An embedding vector (`NvDsEmbedding`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsEmbedding {
    /// `embedding_length` floats.
    pub embedding_vector: *mut c_float,
    pub embedding_length: guint,
}

/// Product attributes (`NvDsProductObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsProductObject {
    pub brand: *mut gchar,
    pub type_: *mut gchar,
    pub shape: *mut gchar,
}

/// 2-D convex hull (`NvDsConvexHull`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsConvexHull {
    /// `2 * numFilled` coordinates (x, y pairs).
    pub points: *mut gint,
    pub numFilled: guint,
}

/// Single-view 3-D tracking data (`NvDs3DTracking`, 7.0 / 7.1 layout).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDs3DTracking {
    /// Foot location on the estimated world ground plane.
    pub ptWorldFeet: [gfloat; 2],
    /// Foot location in frame coordinates.
    pub ptImgFeet: [gfloat; 2],
    pub visibility: gfloat,
    pub convexHull: NvDsConvexHull,
}

/// A 3-D detection (C: `struct _NvDsBbox3dObject`, 7.1 layout).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsBbox3dObject {
    pub boxes_3d: [c_float; 10],
    pub scores_3d: c_float,
    pub labels_3d: guint64,
    pub cls_scores: c_float,
    pub instance_ids: guint,
    pub instance_feats: *mut NvDsEmbedding,
}

/// Capacity of [`NvDsBbox3dObjectList::objects`] (`MAX_NUM_OBJECTS`).
pub const MAX_NUM_OBJECTS: usize = 600;

/// 3-D detections of one frame (C: `struct _NvDsBbox3dObjectList`, 7.1).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsBbox3dObjectList {
    pub objects: [NvDsBbox3dObject; MAX_NUM_OBJECTS],
    pub num_objects: guint,
    pub timestamp: guint64,
    pub frame_num: gint,
    pub camera_id: guint,
    pub sensorStr: *mut gchar,
}

/// One LLM exchange (`NvDsConversationObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsConversationObject {
    pub id: *mut gchar,
    pub query: *mut gchar,
    pub response: *mut gchar,
}

/// LLM output attached to an event (`NvDsLLMObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsLLMObject {
    pub info: *mut GHashTable,
    pub conversations: *mut NvDsConversationObject,
    pub num_conversations: guint,
    pub embeddings: *mut NvDsEmbedding,
    pub num_embeddings: guint,
}

/// An interaction between objects (`NvDsInteractionObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsInteractionObject {
    pub id: *mut gchar,
    pub objectIds: *mut *mut gchar,
    pub num_objectIds: guint,
    pub coordinates: *mut NvDsCoordinate,
    pub num_coordinates: guint,
    pub description: *mut gchar,
    pub info: *mut GHashTable,
    pub timestamp: gint64,
}

/// A congestion measurement (`NvDsCongestionObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsCongestionObject {
    pub id: *mut gchar,
    pub objectIds: *mut *mut gchar,
    pub num_objectIds: guint,
    pub amount: c_float,
    pub info: *mut GHashTable,
    pub timestamp: gint64,
}

/// Per-type metrics of a region (`NvDsTypeMetricsObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsTypeMetricsObject {
    pub id: *mut gchar,
    pub type_: *mut gchar,
    pub count: i32,
    pub coordinates: *mut NvDsCoordinate,
    pub num_coordinates: guint,
    pub objectIds: *mut *mut gchar,
    pub num_objectIds: guint,
    pub info: *mut GHashTable,
}

/// A segmentation mask (`NvDsSegmentationObject`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsSegmentationObject {
    pub mask: *mut i32,
    pub mask_size: guint,
    pub info: *mut GHashTable,
}

/// Event message metadata (`NvDsEventMsgMeta`), attached as user meta of
/// type `NVDS_EVENT_MSG_META` and read by nvmsgconv.
///
/// `extMsg` points to an [`NvDsVehicleObject`], [`NvDsPersonObject`], ...
/// of `extMsgSize` bytes chosen by `objType`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsEventMsgMeta {
    pub type_: NvDsEventType,
    pub objType: NvDsObjectType,
    pub bbox: NvDsRect,
    pub location: NvDsGeoLocation,
    pub coordinate: NvDsCoordinate,
    pub objSignature: NvDsObjectSignature,
    pub objClassId: gint,
    pub sensorId: gint,
    pub moduleId: gint,
    pub placeId: gint,
    pub componentId: gint,
    pub frameId: gint,
    pub confidence: gdouble,
    pub trackingId: guint64,
    /// Event timestamp (RFC 3339 string).
    pub ts: *mut gchar,
    pub objectId: *mut gchar,
    pub sensorStr: *mut gchar,
    /// 3-D detection (7.1, see module docs).
    pub bbox3d: *mut NvDsBbox3dObject,
    pub llm: *mut NvDsLLMObject,
    pub num_interactions: gint,
    pub interactions: *mut NvDsInteractionObject,
    pub num_congestions: gint,
    pub congestions: *mut NvDsCongestionObject,
    pub num_fov: gint,
    pub fov: *mut NvDsTypeMetricsObject,
    pub segmentation: *mut NvDsSegmentationObject,
    pub otherAttrs: *mut gchar,
    pub videoPath: *mut gchar,
    /// Object-specific attributes (vehicle, person, face, ...).
    pub extMsg: gpointer,
    /// Size of `*extMsg` in bytes.
    pub extMsgSize: guint,
    pub pose: NvDsJoints,
    pub embedding: NvDsEmbedding,
    /// C `bool`.
    pub has3DTracking: bool,
    pub singleView3DTracking: NvDs3DTracking,
}

/// An event handed to the message converter library (C: `struct _NvDsEvent`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsEvent {
    pub eventType: NvDsEventType,
    pub metadata: *mut NvDsEventMsgMeta,
}

/// A custom message blob (C: `struct _NvDsCustomMsgInfo`), user meta of type
/// `NVDS_CUSTOM_MSG_BLOB`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsCustomMsgInfo {
    pub message: *mut c_void,
    pub size: guint,
}

/// A converted message (`NvDsPayload`), user meta of type
/// `NVDS_PAYLOAD_META` produced by nvmsgconv for nvmsgbroker.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsPayload {
    pub payload: gpointer,
    pub payloadSize: guint,
    /// `gie-unique-id`-like id of the component that attached it.
    pub componentId: guint,
}

/// Message-converter library context (`NvDsMsg2pCtx`, `nvmsgconv.h`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NvDsMsg2pCtx {
    /// Schema of the payloads this context generates.
    pub payloadType: NvDsPayloadType,
    /// Private to the library.
    pub privData: gpointer,
}
