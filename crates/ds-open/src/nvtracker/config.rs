//! The low-level tracker config (`ll-config-file`): the small subset of
//! NvMultiObjectTracker's YAML that the built-in IOU tracker uses.
//!
//! The file is read line by line, without a YAML library: `Section:`
//! headers at column 0 and indented `key: value` lines under them
//! (comments after `#`, a `%YAML:1.0` directive, `---` and `- item` list
//! lines are skipped).
//! Known keys with a bad value and lines that are neither a header nor a
//! `key: value` pair are errors naming `file:line`; unknown sections and
//! keys (NvDCF's visual tracker, re-id, ...) are accepted and ignored, so
//! NVIDIA's own config files load.
//!
//! | section | key | used as |
//! |---|---|---|
//! | `BaseConfig` | `minDetectorConfidence` | objects below it are not tracked |
//! | `TargetManagement` | `maxTargetsPerStream` | no new tracks beyond it |
//! | | `minIouDiff4NewTarget` | a new object overlapping a track by more is not tracked |
//! | | `probationAge` | frames a new track stays tentative (its objects untracked) |
//! | | `maxShadowTrackingAge` | unmatched frames after which a track ends |
//! | | `earlyTerminationAge` | unmatched frames that end a tentative track |
//! | `DataAssociator` | `checkClassMatch` | match objects of the same class only |
//! | | `minMatchingScore4Overall` | minimum match score (the IoU here) |
//! | | `minMatchingScore4Iou` | minimum IoU of a match |
//! | | `minMatchingScore4SizeSimilarity` | minimum smaller/larger area ratio |
use std::path::Path;

/// The parameters of the built-in IOU tracker. The defaults are those of
/// NVIDIA's NvMultiObjectTracker where it documents one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrackerConfig {
    pub min_detector_confidence: f32,
    pub max_targets_per_stream: u32,
    pub min_iou_diff_4_new_target: f32,
    pub probation_age: u32,
    pub max_shadow_tracking_age: u32,
    pub early_termination_age: u32,
    pub check_class_match: bool,
    pub min_matching_score_overall: f32,
    pub min_matching_score_iou: f32,
    pub min_matching_score_size: f32,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            min_detector_confidence: 0.0,
            max_targets_per_stream: 150,
            min_iou_diff_4_new_target: 0.5,
            probation_age: 5,
            max_shadow_tracking_age: 38,
            early_termination_age: 2,
            check_class_match: true,
            min_matching_score_overall: 0.0,
            min_matching_score_iou: 0.0,
            min_matching_score_size: 0.0,
        }
    }
}

fn float(v: &str) -> Option<f32> {
    v.parse::<f32>().ok().filter(|f| f.is_finite())
}

fn uint(v: &str) -> Option<u32> {
    v.parse::<u32>().ok()
}

fn boolean(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "True" | "TRUE" => Some(true),
        "0" | "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

impl TrackerConfig {
    /// Reads `path`; errors name `path:line`.
    pub fn from_file(path: &Path) -> Result<TrackerConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read ll-config-file '{}': {e}", path.display()))?;
        Self::parse(&text).map_err(|(line, msg)| format!("{}:{line}: {msg}", path.display()))
    }

    /// Parses the text of a config; errors are (1-based line, message).
    pub fn parse(text: &str) -> Result<TrackerConfig, (usize, String)> {
        let mut c = TrackerConfig::default();
        let mut section = String::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.split('#').next().unwrap_or("").trim_end();
            let content = line.trim_start();
            if content.is_empty()
                || content.starts_with('%')
                || content == "---"
                || content == "-"
                || content.starts_with("- ")
            {
                continue;
            }
            let indented = line.len() != content.len();
            let Some((key, value)) = content.split_once(':') else {
                return Err((n, format!("expected 'key: value', got '{}'", content)));
            };
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err((n, format!("bad key in '{}'", content)));
            }
            if !indented {
                if value.is_empty() {
                    section = key.to_string();
                } else {
                    // A top-level scalar: nothing the tracker uses.
                    section.clear();
                }
                continue;
            }
            let value = value.trim_matches(|ch| ch == '"' || ch == '\'');
            let bad = || (n, format!("bad value '{value}' for {section}.{key}"));
            match (section.as_str(), key) {
                ("BaseConfig", "minDetectorConfidence") => {
                    c.min_detector_confidence = float(value).ok_or_else(bad)?
                }
                ("TargetManagement", "maxTargetsPerStream") => {
                    c.max_targets_per_stream = uint(value).ok_or_else(bad)?
                }
                ("TargetManagement", "minIouDiff4NewTarget") => {
                    c.min_iou_diff_4_new_target = float(value).ok_or_else(bad)?
                }
                ("TargetManagement", "probationAge") => {
                    c.probation_age = uint(value).ok_or_else(bad)?
                }
                ("TargetManagement", "maxShadowTrackingAge") => {
                    c.max_shadow_tracking_age = uint(value).ok_or_else(bad)?
                }
                ("TargetManagement", "earlyTerminationAge") => {
                    c.early_termination_age = uint(value).ok_or_else(bad)?
                }
                ("DataAssociator", "checkClassMatch") => {
                    c.check_class_match = boolean(value).ok_or_else(bad)?
                }
                ("DataAssociator", "minMatchingScore4Overall") => {
                    c.min_matching_score_overall = float(value).ok_or_else(bad)?
                }
                ("DataAssociator", "minMatchingScore4Iou") => {
                    c.min_matching_score_iou = float(value).ok_or_else(bad)?
                }
                ("DataAssociator", "minMatchingScore4SizeSimilarity") => {
                    c.min_matching_score_size = float(value).ok_or_else(bad)?
                }
                _ => {}
            }
        }
        Ok(c)
    }
}
