//! The msgconv config file (DeepStream's key-value format, e.g.
//! `dstest4_msgconv_config.txt`): static descriptions of sensors, places
//! and analytics modules, looked up by the ids of an event message
//! (`sensorId`, `placeId`, `moduleId`).
//!
//! Groups `[sensorN]`, `[placeN]`, `[analyticsN]` (N = the id), read with
//! GLib's key-file parser as NVIDIA's library does (so values keep their
//! quotes, lists are `;`-separated). A group without `enable=1` is
//! skipped. Keys:
//! - sensor: `id`, `type`, `description`, `location` (lat;lon;alt),
//!   `coordinate` (x;y;z);
//! - place: `id`, `name`, `type`, `location`, `coordinate`,
//!   `place-sub-field1` .. `place-sub-field3`;
//! - analytics: `id`, `description`, `source`, `version`.
//!
//! Unknown keys and groups are ignored with a warning (as NVIDIA's); a
//! malformed group name, a duplicate group, a bad list or a list without
//! exactly three numbers is an error naming the file, group and key.
use gstreamer::glib;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A `[sensorN]` group.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sensor {
    pub id: String,
    pub type_: String,
    pub description: String,
    pub location: [f64; 3],
    pub coordinate: [f64; 3],
}

/// A `[placeN]` group.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Place {
    pub id: String,
    pub name: String,
    pub type_: String,
    pub location: [f64; 3],
    pub coordinate: [f64; 3],
    pub sub_fields: [String; 3],
}

/// An `[analyticsN]` group.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Analytics {
    pub id: String,
    pub description: String,
    pub source: String,
    pub version: String,
}

/// The parsed config: enabled groups by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MsgConvConfig {
    pub sensors: HashMap<i32, Sensor>,
    pub places: HashMap<i32, Place>,
    pub analytics: HashMap<i32, Analytics>,
    /// Unknown groups / keys (reported as warnings by the element).
    pub warnings: Vec<String>,
}

/// Why a config file was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConfigError {
    pub path: PathBuf,
    pub what: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "msgconv config {}: {}", self.path.display(), self.what)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Sensor,
    Place,
    Analytics,
}

impl MsgConvConfig {
    /// Reads and parses `path`.
    pub fn from_file(path: &Path) -> Result<MsgConvConfig, ConfigError> {
        let err = |what: String| ConfigError {
            path: path.to_path_buf(),
            what,
        };
        let name = path.to_string_lossy();
        if name.ends_with(".yml") || name.ends_with(".yaml") || name.ends_with(".csv") {
            return Err(err(
                "YAML and CSV msgconv configs are not supported by the open nvmsgconv; \
                 use the key-value format (dstest4_msgconv_config.txt)"
                    .into(),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        Self::parse(&text).map_err(err)
    }

    /// Parses the text of a config file.
    pub fn parse(text: &str) -> Result<MsgConvConfig, String> {
        let kf = glib::KeyFile::new();
        kf.load_from_data(text, glib::KeyFileFlags::NONE)
            .map_err(|e| format!("not a key-value file: {e}"))?;
        let mut cfg = MsgConvConfig::default();
        for group in kf.groups().iter() {
            let group = group.as_str();
            let (kind, prefix) = if group.starts_with("sensor") {
                (Kind::Sensor, "sensor")
            } else if group.starts_with("place") {
                (Kind::Place, "place")
            } else if group.starts_with("analytics") {
                (Kind::Analytics, "analytics")
            } else {
                cfg.warnings.push(format!("unknown group [{group}]"));
                continue;
            };
            let id = group_id(&group[prefix.len()..])
                .ok_or_else(|| format!("wrong {prefix} group name [{group}]"))?;
            let duplicate = match kind {
                Kind::Sensor => cfg.sensors.contains_key(&id),
                Kind::Place => cfg.places.contains_key(&id),
                Kind::Analytics => cfg.analytics.contains_key(&id),
            };
            if duplicate {
                return Err(format!("duplicate entries for [{group}]"));
            }
            if !kf.boolean(group, "enable").unwrap_or(false) {
                continue;
            }
            let keys = kf
                .keys(group)
                .map_err(|e| format!("[{group}]: {e}"))?
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>();
            let string = |key: &str| -> Result<String, String> {
                kf.string(group, key)
                    .map(|s| s.to_string())
                    .map_err(|e| format!("[{group}] {key}: {e}"))
            };
            let triple = |key: &str, form: &str| -> Result<[f64; 3], String> {
                let v = kf
                    .double_list(group, key)
                    .map_err(|e| format!("[{group}] {key}: {e}"))?;
                <[f64; 3]>::try_from(v.as_slice()).map_err(|_| {
                    format!(
                        "[{group}] {key}: wrong values provided, it should be like {form} (got {} values)",
                        v.len()
                    )
                })
            };
            match kind {
                Kind::Sensor => {
                    let mut s = Sensor::default();
                    for key in keys.iter().filter(|k| *k != "enable") {
                        match key.as_str() {
                            "id" => s.id = string(key)?,
                            "type" => s.type_ = string(key)?,
                            "description" => s.description = string(key)?,
                            "location" => s.location = triple(key, "lat;lon;alt")?,
                            "coordinate" => s.coordinate = triple(key, "x;y;z")?,
                            _ => cfg
                                .warnings
                                .push(format!("unknown key {key} for group [{group}]")),
                        }
                    }
                    cfg.sensors.insert(id, s);
                }
                Kind::Place => {
                    let mut p = Place::default();
                    for key in keys.iter().filter(|k| *k != "enable") {
                        match key.as_str() {
                            "id" => p.id = string(key)?,
                            "name" => p.name = string(key)?,
                            "type" => p.type_ = string(key)?,
                            "location" => p.location = triple(key, "lat;lon;alt")?,
                            "coordinate" => p.coordinate = triple(key, "x;y;z")?,
                            "place-sub-field1" => p.sub_fields[0] = string(key)?,
                            "place-sub-field2" => p.sub_fields[1] = string(key)?,
                            "place-sub-field3" => p.sub_fields[2] = string(key)?,
                            _ => cfg
                                .warnings
                                .push(format!("unknown key {key} for group [{group}]")),
                        }
                    }
                    cfg.places.insert(id, p);
                }
                Kind::Analytics => {
                    let mut a = Analytics::default();
                    for key in keys.iter().filter(|k| *k != "enable") {
                        match key.as_str() {
                            "id" => a.id = string(key)?,
                            "description" => a.description = string(key)?,
                            "source" => a.source = string(key)?,
                            "version" => a.version = string(key)?,
                            _ => cfg
                                .warnings
                                .push(format!("unknown key {key} for group [{group}]")),
                        }
                    }
                    cfg.analytics.insert(id, a);
                }
            }
        }
        Ok(cfg)
    }
}

/// The id after a group prefix (`sscanf("%u")`: leading digits).
fn group_id(rest: &str) -> Option<i32> {
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST4: &str = "[sensor0]\nenable=1\ntype=Camera\nid=CAMERA_ID\n\
        location=45.293701447;-75.8303914499;48.1557479338\n\
        description=\"Entrance of Garage Right Lane\"\ncoordinate=5.2;10.1;11.2\n\
        [place0]\nenable=1\nid=1\ntype=garage\nname=XYZ\nlocation=30.32;-40.55;100.0\n\
        coordinate=1.0;2.0;3.0\nplace-sub-field1=walsh\nplace-sub-field2=lane1\n\
        place-sub-field3=P2\n[analytics0]\nenable=1\nid=XYZ\n\
        description=\"Vehicle Detection and License Plate Recognition\"\nsource=OpenALR\n\
        version=1.0\n[sensor1]\nenable=0\nid=off\n";

    #[test]
    fn parses_the_test4_config() {
        let c = MsgConvConfig::parse(TEST4).unwrap();
        let s = &c.sensors[&0];
        assert_eq!(s.id, "CAMERA_ID");
        assert_eq!(s.type_, "Camera");
        // GKeyFile keeps the quotes, as DeepStream's payloads show.
        assert_eq!(s.description, "\"Entrance of Garage Right Lane\"");
        assert_eq!(s.location, [45.293701447, -75.8303914499, 48.1557479338]);
        assert_eq!(s.coordinate, [5.2, 10.1, 11.2]);
        assert!(!c.sensors.contains_key(&1), "disabled group skipped");
        let p = &c.places[&0];
        assert_eq!((p.id.as_str(), p.name.as_str()), ("1", "XYZ"));
        assert_eq!(p.sub_fields, ["walsh", "lane1", "P2"].map(String::from));
        assert_eq!(c.analytics[&0].source, "OpenALR");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn errors_name_group_and_key() {
        let e = MsgConvConfig::parse("[sensor0]\nenable=1\nlocation=1;2\n").unwrap_err();
        assert!(e.contains("[sensor0] location"), "{e}");
        let e = MsgConvConfig::parse("[sensor0]\nenable=1\ncoordinate=a;b;c\n").unwrap_err();
        assert!(e.contains("[sensor0] coordinate"), "{e}");
        let e = MsgConvConfig::parse("[sensorX]\nenable=1\n").unwrap_err();
        assert!(e.contains("wrong sensor group name"), "{e}");
        let e = MsgConvConfig::parse("not a key file\n").unwrap_err();
        assert!(e.contains("not a key-value file"), "{e}");
        let c = MsgConvConfig::parse("[other]\nx=1\n[place2]\nenable=1\nfoo=1\n").unwrap();
        assert_eq!(c.warnings.len(), 2);
        assert!(c.places.contains_key(&2));
    }
}
