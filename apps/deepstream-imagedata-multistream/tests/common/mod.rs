//! Helpers of the end-to-end tests: the short clip they play, scratch
//! paths.
#![allow(dead_code)]
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// Frames of the test clip.
pub const CLIP_FRAMES: usize = 12;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ds-imagedata-{}-{name}", std::process::id()))
}

/// A `file://` URI of a 12-frame H.264 stream cut from
/// samples/sample_720p_60.h264 with gst-launch-1.0 (once per test run).
/// (An MP4 would need timestamps, which the elementary stream lacks.)
pub fn clip_uri() -> String {
    static CLIP: OnceLock<String> = OnceLock::new();
    CLIP.get_or_init(|| {
        let src = root().join("samples/sample_720p_60.h264");
        assert!(
            src.is_file(),
            "{} is missing: run ci/samples.sh",
            src.display()
        );
        assert!(
            root().join("models/nanodet-m-416.onnx").is_file(),
            "models/nanodet-m-416.onnx is missing: run ci/models.sh"
        );
        let out = tmp("clip.h264");
        let status = Command::new("gst-launch-1.0")
            .arg("-q")
            .arg("filesrc")
            .arg(format!("location={}", src.display()))
            .args(["!", "h264parse", "!"])
            .arg("video/x-h264,stream-format=byte-stream,alignment=au")
            // identity passes eos-after - 1 buffers, then ends the stream.
            .args(["!", "identity", &format!("eos-after={}", CLIP_FRAMES + 1)])
            .args(["!", "filesink"])
            .arg(format!("location={}", out.display()))
            .status()
            .expect("gst-launch-1.0 runs");
        assert!(status.success(), "making the test clip failed");
        format!("file://{}", std::fs::canonicalize(&out).unwrap().display())
    })
    .clone()
}

/// Takes the PERF blocks out of `stdout` (the sample's timer prints `\n**PERF:
/// {'stream0': 29.97, …} \n\n` every 5 s, between any two lines), checking
/// each names `streams` streams in order with Python's float format; returns
/// the rest and the number of blocks.
pub fn take_perf(stdout: &str, streams: usize) -> (String, usize) {
    const START: &str = "\n**PERF:  {";
    const END: &str = "} \n\n";
    let (mut rest, mut kept, mut blocks) = (stdout, String::new(), 0);
    while let Some(i) = rest.find(START) {
        let body_start = i + START.len();
        let end = rest[body_start..]
            .find(END)
            .unwrap_or_else(|| panic!("unterminated PERF block: {:?}", &rest[i..]))
            + body_start;
        let entries: Vec<&str> = rest[body_start..end].split(", ").collect();
        assert_eq!(entries.len(), streams, "{}", &rest[i..end]);
        for (k, e) in entries.iter().enumerate() {
            let value = e
                .strip_prefix(&format!("'stream{k}': "))
                .unwrap_or_else(|| panic!("PERF entry {e:?}"));
            // Python's repr of a float rounded to 2 places: 30.0, 29.97.
            let (int, frac) = value.split_once('.').expect("a float");
            assert!(
                !int.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && (1..=2).contains(&frac.len())
                    && frac.bytes().all(|b| b.is_ascii_digit()),
                "PERF value {value:?}"
            );
        }
        kept.push_str(&rest[..i]);
        rest = &rest[end + END.len()..];
        // The block's leading "\n" ended the previous line's text; what
        // precedes it already ends with a newline.
        if !kept.is_empty() && !kept.ends_with('\n') {
            kept.push('\n');
        }
        blocks += 1;
    }
    kept.push_str(rest);
    (kept, blocks)
}

#[test]
fn perf_blocks_are_taken_out_between_lines() {
    let out = "a\n\n**PERF:  {'stream0': 30.0, 'stream1': 29.97} \n\nb\n";
    assert_eq!(take_perf(out, 2), ("a\nb\n".to_string(), 1));
    assert_eq!(take_perf("a\nb\n", 1), ("a\nb\n".to_string(), 0));
}
