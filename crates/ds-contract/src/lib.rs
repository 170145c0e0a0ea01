//! NVIDIA DeepStream 7.1's contract, kept as data: the GStreamer properties
//! of NVIDIA's elements and the keys NVIDIA's components read from config
//! files, each with the public page it comes from (`data/`, format in
//! `data/README.md`).
//!
//! Nothing here runs NVIDIA's code: the tables are what the tests hold both
//! backends to. The apps may set only properties an NVIDIA element has, the
//! open elements must expose every property of their NVIDIA row, and a config
//! used on the nvidia backend may carry only documented keys.
//!
//! ```
//! let nvinfer = ds_contract::element("nvinfer").expect("nvinfer is in the table");
//! let prop = nvinfer.property("config-file-path").expect("documented");
//! assert_eq!(prop.type_, "gchararray");
//!
//! let keys = ds_contract::config("nvinfer").expect("nvinfer config keys");
//! assert!(keys.documents("property", "onnx-file"));
//! ```
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The property types the tables use (GLib's names).
pub const TYPES: &[&str] = &[
    "gboolean",
    "gint",
    "guint",
    "glong",
    "gulong",
    "gint64",
    "guint64",
    "gfloat",
    "gdouble",
    "gchararray",
    "gpointer",
    "enum",
    "flags",
    "GstCaps",
    "GstStructure",
    "object",
    "boxed",
];

/// One NVIDIA element: factory name, plugin, source page and properties.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementContract {
    /// Factory name (`nvinfer`).
    pub element: String,
    /// Plugin library the element lives in.
    pub plugin: String,
    /// Long name as gst-inspect shows it, where known.
    #[serde(default)]
    pub long_name: Option<String>,
    /// Classification (gst-inspect's "Klass"), where known.
    #[serde(default)]
    pub klass: Option<String>,
    /// Description as gst-inspect shows it, where known.
    #[serde(default)]
    pub description: Option<String>,
    /// Where `long_name`, `klass` and `description` come from (the
    /// element's `source` where absent).
    #[serde(default)]
    pub metadata_source: Option<String>,
    /// The element's GType name (`GstNvInfer`), where a source confirms
    /// it. GStreamer names an unnamed instance after it (`nvinfer0`: the
    /// type name lower-cased, without `Gst`), and error messages show it in
    /// element paths (`/GstPipeline:pipeline0/GstNvInfer:primary-inference`).
    #[serde(default)]
    pub type_name: Option<String>,
    /// Where `type_name` comes from.
    #[serde(default)]
    pub type_name_source: Option<String>,
    /// The page the rows come from (unless a row names its own).
    pub source: String,
    /// Where the element exists (`dgpu`, `jetson`).
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Remarks on the whole element.
    #[serde(default)]
    pub note: Option<String>,
    /// The documented properties.
    #[serde(default, rename = "property")]
    pub properties: Vec<Property>,
    /// The pad templates, where a source shows them.
    #[serde(default, rename = "pad")]
    pub pads: Vec<PadTemplate>,
}

/// One pad template of an NVIDIA element, as gst-inspect shows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PadTemplate {
    /// Template name (`sink`, `src`, `sink_%u`).
    pub name: String,
    /// `sink` or `src`.
    pub direction: String,
    /// `always`, `sometimes` or `request`.
    pub presence: String,
    /// The template caps in GStreamer's caps string syntax
    /// (`gst_caps_from_string`).
    pub caps: String,
    /// The row's own source, when not the element's page.
    #[serde(default)]
    pub source: Option<String>,
    /// Doubts and version remarks.
    #[serde(default)]
    pub note: Option<String>,
}

/// One property of an NVIDIA element.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Property {
    /// NVIDIA's name (`config-file-path`).
    pub name: String,
    /// GLib type name, one of [`TYPES`].
    #[serde(rename = "type")]
    pub type_: String,
    /// Enum / flags GType name, where known.
    #[serde(default, rename = "enum")]
    pub enum_name: Option<String>,
    /// Enum / flags values as `value:nick`.
    #[serde(default)]
    pub values: Vec<String>,
    /// Default as gst-inspect shows it.
    #[serde(default)]
    pub default: Option<String>,
    /// `min..max` for numbers.
    #[serde(default)]
    pub range: Option<String>,
    /// Readable (default true).
    #[serde(default = "yes")]
    pub readable: bool,
    /// Writable (default true).
    #[serde(default = "yes")]
    pub writable: bool,
    /// Platforms where the property exists, when not all of the element's.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// The row's own source, when not the element's page.
    #[serde(default)]
    pub source: Option<String>,
    /// Doubts and version remarks.
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

impl ElementContract {
    /// The property called `name`, if NVIDIA's element has it.
    pub fn property(&self, name: &str) -> Option<&Property> {
        let name = canonical(name);
        self.properties.iter().find(|p| p.name == name)
    }

    /// The pad template called `name`, where the table has it.
    ///
    /// ```
    /// let dec = ds_contract::element("nvv4l2decoder").unwrap();
    /// assert!(dec.pad("sink").unwrap().caps.contains("image/jpeg"));
    /// ```
    pub fn pad(&self, name: &str) -> Option<&PadTemplate> {
        self.pads.iter().find(|p| p.name == name)
    }
}

impl Property {
    /// The row's source page (its own, or the element's).
    pub fn source<'a>(&'a self, element: &'a ElementContract) -> &'a str {
        self.source.as_deref().unwrap_or(&element.source)
    }

    /// `(min, max)` of a numeric property's range.
    pub fn range_bounds(&self) -> Option<(f64, f64)> {
        let (lo, hi) = self.range.as_deref()?.split_once("..")?;
        Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
    }

    /// Enum / flags values as `(value, nick)`.
    pub fn enum_values(&self) -> Vec<(i64, &str)> {
        self.values
            .iter()
            .filter_map(|v| {
                let (n, nick) = v.split_once(':')?;
                Some((n.trim().parse().ok()?, nick.trim()))
            })
            .collect()
    }
}

/// GObject property names: `_` and `-` are the same.
fn canonical(name: &str) -> String {
    name.replace('_', "-")
}

/// Keys a NVIDIA component reads from a config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigContract {
    /// Who reads the file (`nvinfer`, `nvmultiobjecttracker`, ...).
    pub component: String,
    /// `keyfile` (GKeyFile groups) or `yaml` (sections).
    pub format: String,
    /// The page the keys come from.
    pub source: String,
    /// Remarks.
    #[serde(default)]
    pub note: Option<String>,
    /// Further sources for some keys.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Documented keys by group (`*` at the end of a group: any suffix).
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    /// Keys only the open backend reads, by group.
    #[serde(default)]
    pub open_only: BTreeMap<String, Vec<String>>,
}

/// What the contract says about one key of a config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Documented for DeepStream 7.1.
    Documented,
    /// Read only by the open backend.
    OpenOnly,
    /// Neither: NVIDIA's component does not know it.
    Unknown,
}

fn group_matches(pattern: &str, group: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => group.starts_with(prefix),
        None => pattern == group,
    }
}

fn find(map: &BTreeMap<String, Vec<String>>, group: &str, key: &str) -> bool {
    map.iter()
        .any(|(g, keys)| group_matches(g, group) && keys.iter().any(|k| k == key))
}

impl ConfigContract {
    /// Whether 7.1 documents `key` in `group`.
    pub fn documents(&self, group: &str, key: &str) -> bool {
        find(&self.groups, group, key)
    }

    /// Whether `group` is a documented group at all.
    pub fn knows_group(&self, group: &str) -> bool {
        self.groups
            .keys()
            .chain(self.open_only.keys())
            .any(|g| group_matches(g, group))
    }

    /// The status of `key` in `group`.
    pub fn status(&self, group: &str, key: &str) -> KeyStatus {
        if self.documents(group, key) {
            KeyStatus::Documented
        } else if find(&self.open_only, group, key) {
            KeyStatus::OpenOnly
        } else {
            KeyStatus::Unknown
        }
    }
}

macro_rules! data_files {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../data/", $dir, "/", $name, ".toml")))),*]
    };
}

const ELEMENT_FILES: &[(&str, &str)] = data_files!("elements":
    "nv3dsink", "nvdslogger", "nvdsosd", "nveglglessink", "nvegltransform", "nvinfer",
    "nvmsgbroker", "nvmsgconv", "nvmultistreamtiler", "nvstreamdemux", "nvstreammux",
    "nvtracker", "nvurisrcbin", "nvv4l2decoder", "nvv4l2h264enc", "nvv4l2h265enc",
    "nvvideoconvert",
);

const CONFIG_FILES: &[(&str, &str)] = data_files!("config":
    "msgbroker-amqp", "msgbroker-kafka", "msgbroker-mqtt", "msgbroker-redis", "nvinfer",
    "nvmsgconv", "nvmultiobjecttracker", "nvtracker",
);

fn parse<T: serde::de::DeserializeOwned>(dir: &str, files: &[(&str, &str)]) -> Vec<T> {
    files
        .iter()
        .map(|(name, text)| {
            toml::from_str(text)
                .unwrap_or_else(|e| panic!("ds-contract: data/{dir}/{name}.toml: {e}"))
        })
        .collect()
}

static ELEMENTS: LazyLock<Vec<ElementContract>> =
    LazyLock::new(|| parse("elements", ELEMENT_FILES));
static CONFIGS: LazyLock<Vec<ConfigContract>> = LazyLock::new(|| parse("config", CONFIG_FILES));

/// Every NVIDIA element of the table.
pub fn elements() -> &'static [ElementContract] {
    &ELEMENTS
}

/// The NVIDIA element with factory name `factory`.
pub fn element(factory: &str) -> Option<&'static ElementContract> {
    ELEMENTS.iter().find(|e| e.element == factory)
}

/// Every component's config keys.
pub fn configs() -> &'static [ConfigContract] {
    &CONFIGS
}

/// The config keys `component` reads.
pub fn config(component: &str) -> Option<&'static ConfigContract> {
    CONFIGS.iter().find(|c| c.component == component)
}

/// A key of a config file: group (or YAML section), key and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigKey {
    /// GKeyFile group or top-level YAML section.
    pub group: String,
    /// The key.
    pub key: String,
    /// Line in the file.
    pub line: usize,
}

/// The keys of a GKeyFile-style text (`[group]`, `key=value`, `#`/`;`
/// comments).
pub fn keyfile_keys(text: &str) -> Vec<ConfigKey> {
    let mut group = String::new();
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(g) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            group = g.trim().to_string();
        } else if let Some((k, _)) = line.split_once('=') {
            out.push(ConfigKey {
                group: group.clone(),
                key: k.trim().to_string(),
                line: n + 1,
            });
        }
    }
    out
}

/// The keys of a NvMultiObjectTracker-style YAML text: `Section:` at column
/// 0, `key: value` indented under it (`%YAML` directives and comments
/// skipped).
pub fn yaml_keys(text: &str) -> Vec<ConfigKey> {
    let mut section = String::new();
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let code = raw.split('#').next().unwrap_or("");
        if code.trim().is_empty() || code.starts_with('%') || code.trim() == "---" {
            continue;
        }
        let Some((k, _)) = code.split_once(':') else {
            continue;
        };
        if !code.starts_with([' ', '\t']) {
            section = k.trim().to_string();
        } else {
            out.push(ConfigKey {
                group: section.clone(),
                key: k.trim().to_string(),
                line: n + 1,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_parses_and_uses_known_types() {
        assert!(!elements().is_empty());
        for e in elements() {
            assert!(e.source.starts_with("https://"), "{}: source", e.element);
            for p in &e.properties {
                assert!(
                    TYPES.contains(&p.type_.as_str()),
                    "{}.{}: unknown type {}",
                    e.element,
                    p.name,
                    p.type_
                );
                assert_eq!(p.name, canonical(&p.name), "{}.{}", e.element, p.name);
                if let Some(r) = &p.range {
                    assert!(
                        p.range_bounds().is_some(),
                        "{}.{}: range {r}",
                        e.element,
                        p.name
                    );
                }
                if p.type_ == "enum" {
                    assert_eq!(
                        p.enum_values().len(),
                        p.values.len(),
                        "{}.{}: values are value:nick",
                        e.element,
                        p.name
                    );
                }
            }
            for pad in &e.pads {
                assert!(
                    matches!(pad.direction.as_str(), "sink" | "src"),
                    "{}: pad {}: direction {}",
                    e.element,
                    pad.name,
                    pad.direction
                );
                assert!(
                    matches!(pad.presence.as_str(), "always" | "sometimes" | "request"),
                    "{}: pad {}: presence {}",
                    e.element,
                    pad.name,
                    pad.presence
                );
                assert!(
                    !pad.caps.trim().is_empty(),
                    "{}: pad {}",
                    e.element,
                    pad.name
                );
            }
            let mut names: Vec<_> = e.properties.iter().map(|p| &p.name).collect();
            names.sort();
            let n = names.len();
            names.dedup();
            assert_eq!(n, names.len(), "{}: a property is listed twice", e.element);
        }
        for c in configs() {
            assert!(
                matches!(c.format.as_str(), "keyfile" | "yaml"),
                "{}",
                c.component
            );
            assert!(c.source.starts_with("https://"), "{}: source", c.component);
            for (g, keys) in &c.open_only {
                for k in keys {
                    assert!(
                        !c.documents(g, k),
                        "{}: [{g}] {k} is both documented and open-only",
                        c.component
                    );
                }
            }
        }
    }

    #[test]
    fn property_lookup_accepts_underscores() {
        let e = element("nvinfer").unwrap();
        assert!(e.property("config_file_path").is_some());
        assert!(e.property("no-such-property").is_none());
    }

    #[test]
    fn keyfile_and_yaml_keys_carry_group_and_line() {
        let k = keyfile_keys("# c\n[property]\ngpu-id=0\n\n[class-attrs-all]\ntopk = 20\n");
        assert_eq!(
            k,
            vec![
                ConfigKey {
                    group: "property".into(),
                    key: "gpu-id".into(),
                    line: 3
                },
                ConfigKey {
                    group: "class-attrs-all".into(),
                    key: "topk".into(),
                    line: 6
                },
            ]
        );
        let y = yaml_keys("%YAML:1.0\nBaseConfig:\n  minDetectorConfidence: 0 # x\n# c\nTargetManagement:\n  probationAge: 3\n");
        assert_eq!(y.len(), 2);
        assert_eq!(
            (y[1].group.as_str(), y[1].key.as_str(), y[1].line),
            ("TargetManagement", "probationAge", 6)
        );
    }

    #[test]
    fn group_patterns_match_suffixes() {
        assert!(group_matches("class-attrs-*", "class-attrs-2"));
        assert!(group_matches("sensor*", "sensor0"));
        assert!(!group_matches("property", "property2"));
    }
}
