//! The README's `gst-launch-1.0` recipes ("Try NVIDIA's recipes"), taken
//! from the README itself and run as written with the plugin on
//! `GST_PLUGIN_PATH`, on the 60-frame sample (`samples/sample_720p.h264`
//! becomes `samples/sample_720p_60.h264`) and with `out/` moved to a
//! scratch folder.
mod common;

use common::{Frames, PluginDir};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `gst-launch-1.0` lines of the README's recipes section.
fn readme_launch_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).expect("README.md");
    let section = readme
        .split("### Try NVIDIA's recipes")
        .nth(1)
        .expect("the README has a \"Try NVIDIA's recipes\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in section.lines() {
        let line = line.trim();
        if current.is_empty() && !line.starts_with("gst-launch-1.0 ") {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    lines
}

/// The README line that writes `out/<file>`.
fn line_writing(file: &str) -> String {
    let lines = readme_launch_lines();
    lines
        .iter()
        .find(|l| l.contains(&format!("location=out/{file}")))
        .unwrap_or_else(|| panic!("no README gst-launch-1.0 line writes out/{file}: {lines:#?}"))
        .clone()
}

/// Runs a README line through the shell (as a user pastes it) from the
/// repository root; the path of the file it wrote.
fn run_line(dir: &PluginDir, line: &str, file: &str) -> PathBuf {
    let out = dir.scratch().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let line = line
        .replace("samples/sample_720p.h264", "samples/sample_720p_60.h264")
        .replace("location=out/", &format!("location={}/", out.display()));
    let run = ds_testkit::finish(
        dir.command("sh", &["-c", &line]).spawn().expect("sh"),
        Duration::from_secs(600),
        "the README's gst-launch-1.0 line",
    );
    assert!(
        run.status.success(),
        "{line}\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stderr.contains("CRITICAL") && !run.stderr.contains("WARNING: erroneous pipeline"),
        "{}",
        run.stderr
    );
    out.join(file)
}

fn sample_60() -> PathBuf {
    PathBuf::from(ds_testkit::sample("sample_720p_60.h264"))
}

/// Pixels whose colour differs from the input's by more than a coding
/// error: what nvdsosd drew.
fn drawn_pixels(output: &Path, size: (usize, usize)) -> (usize, Vec<usize>) {
    let mut frames = 0;
    let mut drawn = Vec::new();
    for (a, b) in Frames::open(output, Some(size)).zip(Frames::open(&sample_60(), Some(size))) {
        frames += 1;
        drawn.push(
            a.rgb
                .chunks(3)
                .zip(b.rgb.chunks(3))
                .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 120))
                .count(),
        );
    }
    (frames, drawn)
}

#[test]
fn readme_test1_line_writes_an_mp4_with_the_osd_drawn() {
    let dir = PluginDir::new("readme-test1");
    let mp4 = run_line(&dir, &line_writing("test1.mp4"), "test1.mp4");
    assert_eq!(common::video_size(&mp4), (1920, 1080));
    assert_eq!(
        Frames::open(&mp4, None).count(),
        60,
        "every frame in the MP4"
    );
    // Boxes drawn around the detected people and vehicles: most frames
    // hold hundreds of pixels the input does not have.
    let (frames, drawn) = drawn_pixels(&mp4, (960, 540));
    assert_eq!(frames, 60);
    eprintln!("OSD pixels per frame: {drawn:?}");
    let with_boxes = drawn.iter().filter(|&&n| n > 300).count();
    assert!(with_boxes >= 45, "OSD pixels per frame: {drawn:?}");
}

#[test]
fn readme_multi_source_line_writes_a_tiled_stream() {
    let dir = PluginDir::new("readme-tiled");
    let mp4 = run_line(&dir, &line_writing("tiled.mp4"), "tiled.mp4");
    assert_eq!(common::video_size(&mp4), (1280, 360));
    let mut count = 0;
    let mut alike = 0;
    for f in Frames::open(&mp4, None) {
        count += 1;
        // The same clip in both tiles: the left and right halves match
        // (boxes and coding aside), and the frame is no flat colour.
        let (mut diff, mut n, mut lo, mut hi) = (0u64, 0u64, 255u8, 0u8);
        for y in (0..360).step_by(4) {
            for x in (0..640).step_by(4) {
                let (l, r) = (f.pixel(x, y), f.pixel(x + 640, y));
                diff += u64::from(l[1].abs_diff(r[1]));
                n += 1;
                lo = lo.min(l[1]);
                hi = hi.max(l[1]);
            }
        }
        if diff / n < 12 && hi - lo > 100 {
            alike += 1;
        }
    }
    eprintln!("{alike} of {count} frames show the clip in both tiles");
    assert_eq!(count, 60, "one tiled frame per batch");
    assert!(
        alike >= 55,
        "{alike} of {count} frames show the clip in both tiles"
    );
}
