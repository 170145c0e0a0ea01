//! deepstream-imagedata-multistream end to end on a 12-frame H.264 clip
//! cut from the sample clip (read through a `file://` URI), with 1 and 2 sources: the Python sample's stdout, the
//! saved images (where, size, the box drawn at the coordinates of the
//! metadata), and the errors a user can cause.
mod common;

use common::{clip_uri, tmp, CLIP_FRAMES};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The golden stdout of the sample's run (tests/golden/), without the
/// sink's line: --no-display has none.
fn no_display_golden(name: &str) -> ds_testkit::golden::Golden {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let sink = "Creating EGLSink ||Creating nv3dsink \n\n";
    assert!(text.contains(sink));
    ds_testkit::golden::Golden::parse(&text.replace(sink, ""))
}

/// stdout without the PERF blocks and the `Saved …` lines of --verbose.
fn without_extras(stdout: &str, streams: usize) -> String {
    let (rest, _) = common::take_perf(stdout, streams);
    rest.lines()
        .filter(|l| !l.starts_with("Saved "))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn app(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepstream-imagedata-multistream"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs deepstream-imagedata-multistream")
}

/// (frame number, objects, vehicles, persons) of each frame line, checking
/// the exact format of the Python sample's `print`.
fn frame_lines(stdout: &str) -> Vec<(u32, u32, u32, u32)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number="))
        .map(|l| {
            let nums: Vec<u32> = l
                .split("= ")
                .skip(1)
                .map(|v| v.split(' ').next().unwrap().parse().unwrap())
                .collect();
            let rebuilt = format!(
                "Frame Number= {} Number of Objects= {} Vehicle_count= {} Person_count= {}",
                nums[0], nums[1], nums[2], nums[3]
            );
            assert_eq!(l, rebuilt, "exact format of the sample's line");
            (nums[0], nums[1], nums[2], nums[3])
        })
        .collect()
}

/// A `--verbose` line: `Saved <path> box=l,t,w,h class=<name> confidence=<c>`.
#[derive(Debug)]
struct Saved {
    path: PathBuf,
    left: i64,
    top: i64,
    width: i64,
    height: i64,
}

fn saved_lines(stdout: &str) -> Vec<Saved> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Saved "))
        .map(|rest| {
            let (path, tail) = rest.split_once(" box=").expect("box=");
            let b: Vec<i64> = tail
                .split(' ')
                .next()
                .unwrap()
                .split(',')
                .map(|v| v.parse().unwrap())
                .collect();
            let conf: f32 = tail.rsplit_once("confidence=").unwrap().1.parse().unwrap();
            assert!((0.3..=0.4).contains(&conf), "borderline confidence: {conf}");
            Saved {
                path: PathBuf::from(path),
                left: b[0],
                top: b[1],
                width: b[2],
                height: b[3],
            }
        })
        .collect()
}

/// Decodes a JPEG into (width, height, RGB pixels).
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap();
    let mut dec = jpeg_decoder::Decoder::new(std::io::BufReader::new(file));
    let pixels = dec.decode().unwrap();
    let info = dec.info().unwrap();
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    (u32::from(info.width), u32::from(info.height), pixels)
}

/// Checks that the image at `s.path` is 1920x1080 and blue along the four
/// segments drawn for the box (at their midpoints and quarter points).
fn check_image(s: &Saved) {
    let (w, h, px) = decode(&s.path);
    assert_eq!((w, h), (1920, 1080), "the muxer's frame size");
    let pct = |v: i64| {
        if v > 100 {
            (v as f64 * 0.05) as i64
        } else {
            (v as f64 * 0.1) as i64
        }
    };
    let (wp, hp) = (pct(s.width), pct(s.height));
    let (l, t, r, b) = (s.left, s.top, s.left + s.width, s.top + s.height);
    let segments = [
        ((l + wp, t), (r - wp, t)),
        ((l + wp, b), (r - wp, b)),
        ((l, t + hp), (l, b - hp)),
        ((r, t + hp), (r, b - hp)),
    ];
    for ((x0, y0), (x1, y1)) in segments {
        for k in 1..4 {
            let x = x0 + (x1 - x0) * k / 4;
            let y = y0 + (y1 - y0) * k / 4;
            if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
                continue;
            }
            let i = (y as usize * w as usize + x as usize) * 3;
            let (pr, pg, pb) = (px[i], px[i + 1], px[i + 2]);
            assert!(
                pb > 170 && pr < 90 && pg < 90,
                "{}: pixel ({x}, {y}) is ({pr}, {pg}, {pb}), not the box's blue",
                s.path.display()
            );
        }
    }
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_source_prints_the_samples_lines_and_saves_annotated_frames() {
    let uri = clip_uri();
    let folder = tmp("one");
    let _ = std::fs::remove_dir_all(&folder);
    let out = app(&["--no-display", "--verbose", &uri, folder.to_str().unwrap()]);
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The extras replace the sink's line and add the Saved lines only.
    no_display_golden("stdout_1.txt")
        .check(&without_extras(&stdout, 1))
        .unwrap_or_else(|e| panic!("{e}"));
    // One source and a config batch-size of 1: no override warning.
    assert!(!stdout.contains("WARNING: Overriding"));

    let frames = frame_lines(&stdout);
    assert_eq!(frames.len(), CLIP_FRAMES);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.0, i as u32, "frame numbers in order");
        assert!(f.1 >= f.2 + f.3, "objects >= vehicles + persons");
        assert!(f.2 >= 1 && f.3 >= 2, "frame {i}: {f:?}");
    }

    // Frame 0 is checked (saved_count % 30 == 0) and holds a borderline
    // object (the van at the top right, confidence ~0.39); frames 1..11
    // are not checked.
    let saved = saved_lines(&stdout);
    assert_eq!(saved.len(), 1, "{stdout}");
    assert_eq!(saved[0].path, folder.join("stream_0").join("frame_0.jpg"));
    check_image(&saved[0]);
    let files: Vec<_> = std::fs::read_dir(folder.join("stream_0"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["frame_0.jpg"]);
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn two_sources_save_into_per_stream_folders() {
    let uri = clip_uri();
    let folder = tmp("two");
    let _ = std::fs::remove_dir_all(&folder);
    let out = app(&[
        "--no-display",
        "--verbose",
        &uri,
        &uri,
        folder.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    no_display_golden("stdout_2.txt")
        .check(&without_extras(&stdout, 2))
        .unwrap_or_else(|e| panic!("{e}"));
    let frames = frame_lines(&stdout);
    assert_eq!(frames.len(), 2 * CLIP_FRAMES);
    // Each frame number appears once per stream.
    for n in 0..CLIP_FRAMES as u32 {
        assert_eq!(frames.iter().filter(|f| f.0 == n).count(), 2, "frame {n}");
    }
    let saved = saved_lines(&stdout);
    assert_eq!(saved.len(), 2, "{stdout}");
    for stream in 0..2 {
        let path = folder.join(format!("stream_{stream}")).join("frame_0.jpg");
        let s = saved
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("{} not saved:\n{stdout}", path.display()));
        check_image(s);
    }
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn missing_input_is_one_error_line() {
    let folder = tmp("missing");
    let out = app(&[
        "--no-display",
        "/no/such/video.h264",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!folder.exists(), "nothing created for a bad input");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "Error: /no/such/video.h264: no such file"
    );
}

#[test]
fn frames_that_are_not_rgba_are_refused_with_one_error_line() {
    let folder = tmp("nv12");
    let _ = std::fs::remove_dir_all(&folder);
    let out = app(&[
        "--no-display",
        "--filter-format",
        "NV12",
        &clip_uri(),
        folder.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&folder).ok();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("Error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("cannot read the pixels of frame 0")
            && errors[0].contains("frame colour format is NV12")
            && errors[0].contains("only RGBA is supported"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_lists_the_options() {
    let out = app(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--output",
        "--no-display",
        "--config",
        "--verbose",
        "<folder to save frames>",
    ] {
        assert!(text.contains(opt), "{text}");
    }
    assert!(!text.contains("--filter-format"), "hidden option: {text}");
}
