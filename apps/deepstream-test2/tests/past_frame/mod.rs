//! The structure of the sample's past-frame printout, shared by the tests.
use std::collections::HashMap;

/// The value of `line` after `prefix` (the sample's `print("x=", v)` /
/// `print('x:', v)` form: label, one space, value).
pub fn value<'a>(line: &'a str, prefix: &str) -> &'a str {
    line.strip_prefix(prefix)
        .and_then(|v| v.strip_prefix(' '))
        .unwrap_or_else(|| panic!("expected {prefix:?}, got {line:?}"))
}

/// A float printed as Python prints one (`412.0`, `0.87109375`, `1e-05`).
fn py_float(line: &str, prefix: &str) -> f64 {
    let v = value(line, prefix);
    assert!(v.contains('.') || v.contains('e'), "{line}");
    v.parse().unwrap_or_else(|_| panic!("{line}"))
}

/// Checks the past-frame printout of a run's stdout lines: blocks in the
/// sample's order after the frame line of their batch, each target with
/// one class (and its label) throughout, reported for earlier frames in
/// order, boxes inside the frame. Returns the class of every target
/// reported (by `uniqueId`).
pub fn check_past_frame_lines(lines: &[&str]) -> HashMap<u64, i32> {
    let labels = ["Car", "Bicycle", "Person", "Roadsign"];
    let mut class_of: HashMap<u64, i32> = HashMap::new();
    let mut current_frame = None;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if let Some(rest) = l.strip_prefix("Frame Number=") {
            current_frame = rest.split(' ').next().map(|n| n.parse::<u32>().unwrap());
            i += 1;
            continue;
        }
        if !l.starts_with("streamId=") {
            for stray in [
                "surfaceStreamID=",
                "numobj=",
                "uniqueId=",
                "frameNum:",
                "tBbox.",
                "confidence:",
                "age:",
            ] {
                assert!(!l.starts_with(stray), "stray line {l:?}");
            }
            i += 1;
            continue;
        }
        let frame = current_frame.expect("past-frame lines after a frame line");
        assert_eq!(value(l, "streamId="), "0");
        assert_eq!(value(lines[i + 1], "surfaceStreamID="), "0");
        i += 2;
        while i < lines.len() && lines[i].starts_with("numobj=") {
            let n: usize = value(lines[i], "numobj=").parse().unwrap();
            let id: u64 = value(lines[i + 1], "uniqueId=").parse().unwrap();
            let class: i32 = value(lines[i + 2], "classId=").parse().unwrap();
            let label = value(lines[i + 3], "objLabel=");
            assert!(n > 0);
            assert_eq!(*class_of.entry(id).or_insert(class), class, "uniqueId {id}");
            assert_eq!(label, labels[class as usize]);
            i += 4;
            let mut last = None;
            for _ in 0..n {
                let f = &lines[i..i + 7];
                let num: u32 = value(f[0], "frameNum:").parse().unwrap();
                assert!(num < frame, "past frame {num} at frame {frame}");
                assert!(last.is_none_or(|p| p < num), "frames in order");
                last = Some(num);
                let left = py_float(f[1], "tBbox.left:");
                let width = py_float(f[2], "tBbox.width:");
                let top = py_float(f[3], "tBbox.top:");
                let height = py_float(f[4], "tBbox.right:");
                assert!(width > 0.0 && height > 0.0, "{f:?}");
                assert!(left > -width && top > -height, "{f:?}");
                assert!(left < 1920.0 && top < 1080.0, "{f:?}");
                let conf = py_float(f[5], "confidence:");
                assert!(conf > 0.0 && conf <= 1.0, "{f:?}");
                let _age: u32 = value(f[6], "age:").parse().unwrap();
                i += 7;
            }
        }
    }
    class_of
}

/// The numbers of the sample's frame lines, `[frame, objects, vehicles,
/// persons]` each.
pub fn frame_lines(stdout: &str) -> Vec<Vec<u32>> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            l.split(' ')
                .filter_map(|kv| kv.rsplit_once('=').and_then(|(_, v)| v.parse().ok()))
                .collect()
        })
        .collect()
}
