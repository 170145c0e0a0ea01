//! DeepStream's JSON payloads for event messages: the full schema
//! (`PAYLOAD_DEEPSTREAM`, one message per event) and the minimal schema
//! (`PAYLOAD_DEEPSTREAM_MINIMAL`, one message per frame with every event of
//! the frame as a `|`-separated string).
//!
//! Field names, nesting and value forms follow NVIDIA's `nvmsgconv`
//! library (`eventmsg_payload.cpp`): bbox corners are integers (truncated),
//! locations / coordinates / speeds are floats, the object id is the
//! tracking id in decimal, `messageid` and `event.id` are random UUIDs.
//! Numbers inside the minimal schema's strings are written as C++ streams
//! write them (`%g`, 6 significant digits). The text is pretty-printed
//! JSON (serde_json's layout, where json-glib writes `"key" : value`).
use super::config::MsgConvConfig;
use ds_core::alloc::{EventMsgMetaRef, ExtObjectRef};
use ds_core::cfmt::fmt_g;
use ds_sys::*;
use serde_json::{json, Map, Value};

/// Where a payload's random ids come from (UUIDs; fixed in tests).
pub(crate) trait IdSource {
    /// A new id (`messageid`, `event.id`).
    fn next_id(&mut self) -> String;
}

/// Random version-4 UUIDs (GLib's generator), as NVIDIA's `uuid_generate_random`.
pub(crate) struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&mut self) -> String {
        gstreamer::glib::uuid_string_random().to_string()
    }
}

/// Something the generator could not fill from the config (reported as a
/// warning; the member is `null`, as NVIDIA's library leaves it).
pub(crate) type Warnings = Vec<String>;

fn opt_str(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn s(v: Option<&str>) -> &str {
    v.unwrap_or("")
}

fn event_type_str(t: NvDsEventType) -> Option<&'static str> {
    Some(match t {
        NVDS_EVENT_ENTRY => "entry",
        NVDS_EVENT_EXIT => "exit",
        NVDS_EVENT_MOVING => "moving",
        NVDS_EVENT_STOPPED => "stopped",
        NVDS_EVENT_PARKED => "parked",
        NVDS_EVENT_EMPTY => "empty",
        NVDS_EVENT_RESET => "reset",
        _ => return None,
    })
}

fn place_object(cfg: &MsgConvConfig, m: &EventMsgMetaRef, warn: &mut Warnings) -> Value {
    let Some(p) = cfg.places.get(&m.place_id()) else {
        warn.push(format!(
            "no entry for place{} in configuration file",
            m.place_id()
        ));
        return Value::Null;
    };
    let mut place = Map::new();
    place.insert("id".into(), json!(p.id));
    place.insert("name".into(), json!(p.name));
    place.insert("type".into(), json!(p.type_));
    place.insert(
        "location".into(),
        json!({"lat": p.location[0], "lon": p.location[1], "alt": p.location[2]}),
    );
    let [f1, f2, f3] = &p.sub_fields;
    let coordinate = json!({"x": p.coordinate[0], "y": p.coordinate[1], "z": p.coordinate[2]});
    let (name, sub) = match m.event_type() {
        NVDS_EVENT_MOVING | NVDS_EVENT_STOPPED => (
            "aisle",
            json!({"id": f1, "name": f2, "level": f3, "coordinate": coordinate}),
        ),
        NVDS_EVENT_EMPTY | NVDS_EVENT_PARKED => (
            "parkingSpot",
            json!({"id": f1, "type": f2, "level": f3, "coordinate": coordinate}),
        ),
        NVDS_EVENT_ENTRY | NVDS_EVENT_EXIT if m.obj_type() == NVDS_OBJECT_TYPE_VEHICLE => (
            "aisle",
            json!({"id": f1, "name": f2, "level": f3, "coordinate": coordinate}),
        ),
        NVDS_EVENT_ENTRY | NVDS_EVENT_EXIT => (
            "entrance",
            json!({"name": f1, "lane": f2, "level": f3, "coordinate": coordinate}),
        ),
        t => {
            warn.push(format!(
                "event type {t} not implemented for the place object"
            ));
            return Value::Object(place);
        }
    };
    place.insert(name.into(), sub);
    Value::Object(place)
}

fn sensor_object(cfg: &MsgConvConfig, m: &EventMsgMetaRef, warn: &mut Warnings) -> Value {
    let Some(sn) = cfg.sensors.get(&m.sensor_id()) else {
        warn.push(format!(
            "no entry for sensor{} in configuration file",
            m.sensor_id()
        ));
        return Value::Null;
    };
    json!({
        "id": sn.id,
        "type": sn.type_,
        "description": sn.description,
        "location": {"lat": sn.location[0], "lon": sn.location[1], "alt": sn.location[2]},
        "coordinate": {"x": sn.coordinate[0], "y": sn.coordinate[1], "z": sn.coordinate[2]},
    })
}

fn analytics_object(cfg: &MsgConvConfig, m: &EventMsgMetaRef, warn: &mut Warnings) -> Value {
    let Some(a) = cfg.analytics.get(&m.module_id()) else {
        warn.push(format!(
            "no entry for analytics{} in configuration file",
            m.module_id()
        ));
        return Value::Null;
    };
    json!({
        "id": a.id,
        "description": a.description,
        "source": a.source,
        "version": a.version,
    })
}

fn event_object(m: &EventMsgMetaRef, ids: &mut dyn IdSource, warn: &mut Warnings) -> Value {
    let mut ev = Map::new();
    ev.insert("id".into(), json!(ids.next_id()));
    match event_type_str(m.event_type()) {
        Some(t) => {
            ev.insert("type".into(), json!(t));
        }
        None => warn.push(format!("unknown event type {}", m.event_type())),
    }
    Value::Object(ev)
}

/// The `vehicle` / `person` / `face` member of the object, if any.
fn ext_member(m: &EventMsgMetaRef, warn: &mut Warnings) -> Option<(String, Value)> {
    let conf = m.confidence();
    let ty = m.obj_type();
    let has_ext = m.ext_msg_size() != 0;
    match (ty, m.ext()) {
        (NVDS_OBJECT_TYPE_VEHICLE, Some(ExtObjectRef::Vehicle(v))) => Some((
            "vehicle".into(),
            json!({
                "type": opt_str(v.type_()),
                "make": opt_str(v.make()),
                "model": opt_str(v.model()),
                "color": opt_str(v.color()),
                "licenseState": opt_str(v.region()),
                "license": opt_str(v.license()),
                "confidence": conf,
            }),
        )),
        (NVDS_OBJECT_TYPE_PERSON, Some(ExtObjectRef::Person(p))) => Some((
            "person".into(),
            json!({
                "age": p.age(),
                "gender": opt_str(p.gender()),
                "hair": opt_str(p.hair()),
                "cap": opt_str(p.cap()),
                "apparel": opt_str(p.apparel()),
                "confidence": conf,
            }),
        )),
        (NVDS_OBJECT_TYPE_FACE, Some(ExtObjectRef::Face(f))) => Some((
            "face".into(),
            json!({
                "age": f.age(),
                "gender": opt_str(f.gender()),
                "hair": opt_str(f.hair()),
                "cap": opt_str(f.cap()),
                "glasses": opt_str(f.glasses()),
                "facialhair": opt_str(f.facialhair()),
                "name": opt_str(f.name()),
                "eyecolor": opt_str(f.eyecolor()),
                "confidence": conf,
            }),
        )),
        // extMsgSize set but no readable object: an empty member.
        (NVDS_OBJECT_TYPE_VEHICLE | NVDS_OBJECT_TYPE_VEHICLE_EXT, _) if has_ext => {
            ext_unreadable(ty, warn);
            Some(("vehicle".into(), json!({})))
        }
        (NVDS_OBJECT_TYPE_PERSON | NVDS_OBJECT_TYPE_PERSON_EXT, _) if has_ext => {
            ext_unreadable(ty, warn);
            Some(("person".into(), json!({})))
        }
        (NVDS_OBJECT_TYPE_FACE | NVDS_OBJECT_TYPE_FACE_EXT, _) if has_ext => {
            ext_unreadable(ty, warn);
            Some(("face".into(), json!({})))
        }
        (NVDS_OBJECT_TYPE_VEHICLE | NVDS_OBJECT_TYPE_VEHICLE_EXT, _) => Some((
            "vehicle".into(),
            json!({"type": "", "make": "", "model": "", "color": "", "licenseState": "",
                   "license": "", "confidence": 1.0}),
        )),
        (NVDS_OBJECT_TYPE_PERSON | NVDS_OBJECT_TYPE_PERSON_EXT, _) => Some((
            "person".into(),
            json!({"age": 0, "gender": "", "hair": "", "cap": "", "apparel": "",
                   "confidence": 1.0}),
        )),
        (NVDS_OBJECT_TYPE_FACE | NVDS_OBJECT_TYPE_FACE_EXT, _) => Some((
            "face".into(),
            json!({"age": 0, "gender": "", "hair": "", "cap": "", "glasses": "",
                   "facialhair": "", "name": "", "eyecolor": "", "confidence": 1.0}),
        )),
        (NVDS_OBJECT_TYPE_UNKNOWN, _) => m.object_id().map(|id| (id.to_string(), json!({}))),
        (t, _) => {
            warn.push(format!("object type {t} not implemented"));
            None
        }
    }
}

fn ext_unreadable(ty: NvDsObjectType, warn: &mut Warnings) {
    warn.push(format!(
        "object type {ty}: the attached object (extMsg) cannot be read; empty member written"
    ));
}

/// Bbox corners as NVIDIA writes them: float sums truncated to integers.
fn corners(m: &EventMsgMetaRef) -> (i64, i64, i64, i64) {
    let b = m.bbox();
    (
        b.left as i64,
        b.top as i64,
        (b.left + b.width) as i64,
        (b.top + b.height) as i64,
    )
}

fn object_object(m: &EventMsgMetaRef, warn: &mut Warnings) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), json!(m.tracking_id().to_string()));
    obj.insert("speed".into(), json!(0.0));
    obj.insert("direction".into(), json!(0.0));
    obj.insert("orientation".into(), json!(0.0));
    if let Some((k, v)) = ext_member(m, warn) {
        obj.insert(k, v);
    }
    let (x1, y1, x2, y2) = corners(m);
    obj.insert(
        "bbox".into(),
        json!({"topleftx": x1, "toplefty": y1, "bottomrightx": x2, "bottomrighty": y2}),
    );
    if !m.signature().is_empty() {
        obj.insert("signature".into(), json!(m.signature()));
    }
    let l = m.location();
    obj.insert(
        "location".into(),
        json!({"lat": l.lat, "lon": l.lon, "alt": l.alt}),
    );
    let c = m.coordinate();
    obj.insert("coordinate".into(), json!({"x": c.x, "y": c.y, "z": c.z}));
    Value::Object(obj)
}

/// The full-schema message of one event (`generate_event_message`).
pub(crate) fn full_message(
    cfg: &MsgConvConfig,
    m: &EventMsgMetaRef,
    ids: &mut dyn IdSource,
    warn: &mut Warnings,
) -> String {
    let message_id = ids.next_id();
    let place = place_object(cfg, m, warn);
    let sensor = sensor_object(cfg, m, warn);
    let analytics = analytics_object(cfg, m, warn);
    let object = object_object(m, warn);
    let event = event_object(m, ids, warn);
    let root = json!({
        "messageid": message_id,
        "mdsversion": "1.0",
        "@timestamp": opt_str(m.ts()),
        "place": place,
        "sensor": sensor,
        "analyticsModule": analytics,
        "object": object,
        "event": event,
        "videoPath": s(m.video_path()),
    });
    pretty(&root)
}

fn object_type_str(m: &EventMsgMetaRef) -> &str {
    match m.obj_type() {
        NVDS_OBJECT_TYPE_VEHICLE => "Vehicle",
        NVDS_OBJECT_TYPE_FACE => "Face",
        NVDS_OBJECT_TYPE_PERSON => "Person",
        NVDS_OBJECT_TYPE_BAG => "Bag",
        NVDS_OBJECT_TYPE_BICYCLE => "Bicycle",
        NVDS_OBJECT_TYPE_ROADSIGN => "RoadSign",
        NVDS_OBJECT_TYPE_CUSTOM => "Custom",
        NVDS_OBJECT_TYPE_UNKNOWN => m.object_id().unwrap_or("Unknown"),
        _ => "Unknown",
    }
}

/// One event as the minimal schema's object string
/// (`id|x1|y1|x2|y2|type[|#|attributes…|confidence]`).
fn minimal_object(m: &EventMsgMetaRef, warn: &mut Warnings) -> String {
    let b = m.bbox();
    let mut out = format!(
        "{}|{}|{}|{}|{}|{}",
        m.tracking_id(),
        fmt_g(b.left as f64),
        fmt_g(b.top as f64),
        fmt_g((b.left + b.width) as f64),
        fmt_g((b.top + b.height) as f64),
        object_type_str(m)
    );
    let conf = fmt_g(m.confidence());
    match m.ext() {
        Some(ExtObjectRef::Vehicle(v)) => {
            out += &format!(
                "|#|{}|{}|{}|{}|{}|{}|{conf}",
                s(v.type_()),
                s(v.make()),
                s(v.model()),
                s(v.color()),
                s(v.license()),
                s(v.region())
            )
        }
        Some(ExtObjectRef::Person(p)) => {
            out += &format!(
                "|#|{}|{}|{}|{}|{}|{conf}",
                s(p.gender()),
                p.age(),
                s(p.hair()),
                s(p.cap()),
                s(p.apparel())
            )
        }
        // NVIDIA's library writes an empty field between name and eye colour.
        Some(ExtObjectRef::Face(f)) => {
            out += &format!(
                "|#|{}|{}|{}|{}|{}|{}|{}||{}|{conf}",
                s(f.gender()),
                f.age(),
                s(f.hair()),
                s(f.cap()),
                s(f.glasses()),
                s(f.facialhair()),
                s(f.name()),
                s(f.eyecolor())
            )
        }
        None if m.ext_msg_size() != 0 => {
            warn.push(format!("object type {} not implemented", m.obj_type()))
        }
        None => {}
    }
    out
}

/// The minimal-schema message of a frame's events
/// (`generate_event_message_minimal`); `None` for no event.
pub(crate) fn minimal_message(
    cfg: Option<&MsgConvConfig>,
    events: &[&EventMsgMetaRef],
    warn: &mut Warnings,
) -> Option<String> {
    let first = events.first()?;
    let objects: Vec<Value> = events
        .iter()
        .map(|m| Value::String(minimal_object(m, warn)))
        .collect();
    let sensor = match (first.sensor_str(), cfg) {
        (Some(sn), _) => sn.to_string(),
        (None, Some(cfg)) => match cfg.sensors.get(&first.sensor_id()) {
            Some(sn) => sn.id.clone(),
            None => {
                warn.push(format!(
                    "no entry for sensor{} in configuration file",
                    first.sensor_id()
                ));
                String::new()
            }
        },
        (None, None) => "0".to_string(),
    };
    let root = json!({
        "version": "4.0",
        "id": first.frame_id().to_string(),
        "@timestamp": opt_str(first.ts()),
        "sensorId": sensor,
        "objects": objects,
    });
    Some(pretty(&root))
}

fn pretty(v: &Value) -> String {
    // Serialising a Value (string keys) cannot fail.
    serde_json::to_string_pretty(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_g_matches_cpp_streams() {
        for (v, want) in [
            (957.5, "957.5"),
            (1834.0, "1834"),
            (0.8, "0.8"),
            (0.800000011920929, "0.8"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (-3.25, "-3.25"),
            (99999.95, "99999.9"),
            (999999.5, "1e+06"),
            (0.0, "0"),
        ] {
            assert_eq!(fmt_g(v), want, "{v}");
        }
    }
}
