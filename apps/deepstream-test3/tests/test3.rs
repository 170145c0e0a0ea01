//! deepstream-test3 end to end on short clips cut from the real sample
//! (10, 20 and 60 frames, MP4, made once per test run with gst-launch):
//! the Python sample's stdout, one source ending early, 4 sources, the file
//! loop, the PERF lines, the MP4 output and failing sources.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A clip of the first `frames` frames of samples/sample_720p_60.h264 as
/// MP4 (10 fps, no B-frames), made once.
fn clip(frames: u32) -> PathBuf {
    static MADE: OnceLock<PathBuf> = OnceLock::new();
    let dir = MADE.get_or_init(|| {
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
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ds-test3-clips-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for n in [10, 20, 60] {
            let out = dir.join(format!("clip{n}.mp4"));
            // identity eos-after=N passes N-1 buffers.
            let pipeline = format!(
                "filesrc location={} ! h264parse ! identity eos-after={} ! avdec_h264 ! \
                 x264enc speed-preset=ultrafast bframes=0 key-int-max=30 ! h264parse ! \
                 mp4mux ! filesink location={}",
                src.display(),
                n + 1,
                out.display()
            );
            let st = Command::new("gst-launch-1.0")
                .arg("-q")
                .args(pipeline.split(' '))
                .status()
                .expect("gst-launch-1.0 runs");
            assert!(st.success(), "making {}", out.display());
        }
        dir
    });
    dir.join(format!("clip{frames}.mp4"))
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn test3(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepstream-test3"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs deepstream-test3")
}

fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (frame number, objects, vehicles, persons) of each frame line, with the
/// line's exact format (Python's print: a space after each `=`).
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
            assert_eq!(nums.len(), 4, "{l}");
            let rebuilt = format!(
                "Frame Number= {} Number of Objects= {} Vehicle_count= {} Person_count= {}",
                nums[0], nums[1], nums[2], nums[3]
            );
            assert_eq!(l, rebuilt, "exact format of the sample's line");
            (nums[0], nums[1], nums[2], nums[3])
        })
        .collect()
}

/// How many times each frame number was printed.
fn frame_histogram(stdout: &str) -> BTreeMap<u32, usize> {
    let mut h = BTreeMap::new();
    for f in frame_lines(stdout) {
        assert!(f.1 >= f.2 + f.3, "objects >= vehicles + persons");
        *h.entry(f.0).or_insert(0) += 1;
    }
    h
}

/// The stream keys of every `**PERF:` line.
fn perf_keys(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .filter(|l| l.starts_with("**PERF:  {"))
        .map(|l| {
            assert!(l.ends_with("} "), "{l:?}");
            let inner = &l["**PERF:  {".len()..l.len() - 2];
            inner
                .split(", ")
                .map(|kv| {
                    let (k, v) = kv.split_once(": ").unwrap();
                    let v: f64 = v.parse().unwrap();
                    assert!(v >= 0.0);
                    k.to_string()
                })
                .collect()
        })
        .collect()
}

fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("'stream{i}'")).collect()
}

#[test]
fn one_source_prints_the_samples_lines() {
    let c = clip(20);
    let out = test3(&[
        "--no-display",
        "--perf-interval-ms",
        "500",
        "-i",
        c.to_str().unwrap(),
    ]);
    let stdout = ok_stdout(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "DeepStream backend: open (Rust implementation, CPU)"
    );
    assert_eq!(
        lines[1],
        format!(
            "{{'input': ['{}'], 'configfile': None, 'pgie': None, 'no_display': True, \
             'file_loop': False, 'disable_probe': False, 'silent': False}}",
            c.display()
        )
    );
    for expected in [
        "Creating Pipeline ",
        "Creating streamux ",
        "Creating source_bin  0  ",
        "Creating source bin",
        "source-bin-00",
        "Creating Pgie ",
        "Creating tiler ",
        "Creating nvvidconv ",
        "Creating nvosd ",
        "Creating Fakesink ",
        "Adding elements to Pipeline ",
        "Linking elements in the Pipeline ",
        "Now playing...",
        &format!("0 :  {}", uri(&c)),
        "Starting pipeline ",
        "Decodebin child added: source ",
        "In cb_newpad",
        "gstname= video/x-raw",
        "features= memory:NVMM",
    ] {
        assert!(lines.contains(&expected), "missing line {expected:?}");
    }
    assert!(
        !stdout.contains("WARNING: Overriding"),
        "batch-size 1 = 1 source"
    );
    // print("Exiting app\n") ends with an empty line.
    assert_eq!(
        &lines[lines.len() - 3..],
        ["End-of-stream", "Exiting app", ""]
    );
    let frames = frame_lines(&stdout);
    let numbers: Vec<u32> = frames.iter().map(|f| f.0).collect();
    assert_eq!(numbers, (0..20).collect::<Vec<_>>());
    // Frame 0 of the clip: three people walking (and the van top right).
    assert!((2..=5).contains(&frames[0].3), "frame 0: {:?}", frames[0]);
    let perf = perf_keys(&stdout);
    assert!(!perf.is_empty(), "no PERF line:\n{stdout}");
    assert!(perf.iter().all(|k| *k == keys(1)));
    assert!(
        stdout.contains("\n\n**PERF:  {'stream0': "),
        "an empty line before PERF"
    );
}

#[test]
fn a_source_ending_early_does_not_stop_the_other() {
    let (short, long) = (clip(20), clip(60));
    let out = test3(&[
        "--no-display",
        "--perf-interval-ms",
        "500",
        "-i",
        &uri(&short),
        long.to_str().unwrap(),
    ]);
    let stdout = ok_stdout(&out);
    assert!(
        stdout
            .lines()
            .any(|l| l
                == "WARNING: Overriding infer-config batch-size 1  with number of sources  2  ")
    );
    assert!(stdout.lines().any(|l| l == "source-bin-01"));
    let h = frame_histogram(&stdout);
    // Frames 0-19 from both sources, 20-59 from the long one.
    let expected: BTreeMap<u32, usize> = (0..60).map(|n| (n, if n < 20 { 2 } else { 1 })).collect();
    assert_eq!(h, expected);
    let perf = perf_keys(&stdout);
    assert!(!perf.is_empty());
    assert!(perf.iter().all(|k| *k == keys(2)));
}

#[test]
fn four_sources_silent() {
    let c = clip(10);
    let c = c.to_str().unwrap();
    let out = test3(&[
        "--no-display",
        "-s",
        "--perf-interval-ms",
        "500",
        "-i",
        c,
        c,
        c,
        c,
    ]);
    let stdout = ok_stdout(&out);
    assert!(frame_lines(&stdout).is_empty(), "--silent");
    for i in 0..4 {
        assert!(stdout.lines().any(|l| l == format!("source-bin-0{i}")));
    }
    let perf = perf_keys(&stdout);
    assert!(!perf.is_empty());
    assert!(perf.iter().all(|k| *k == keys(4)));
}

#[test]
fn four_sources_frame_lines() {
    let c = clip(10);
    let c = c.to_str().unwrap();
    let out = test3(&["--no-display", "-i", c, c, c, c]);
    let stdout = ok_stdout(&out);
    let h = frame_histogram(&stdout);
    let expected: BTreeMap<u32, usize> = (0..10).map(|n| (n, 4)).collect();
    assert_eq!(h, expected);
}

/// `--file-loop` plays every input through `nvurisrcbin` (`file-loop=1`).
#[test]
fn file_loop_goes_past_the_clips_end() {
    let c = clip(10);
    let out = test3(&[
        "--no-display",
        "--file-loop",
        "--num-frames",
        "25",
        "-i",
        c.to_str().unwrap(),
    ]);
    let stdout = ok_stdout(&out);
    // nvurisrcbin's children, as decodebin_child_added prints them.
    assert!(stdout.contains("Decodebin child added: "), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.trim().is_empty(), "nothing on stderr:\n{stderr}");
    let numbers: Vec<u32> = frame_lines(&stdout).iter().map(|f| f.0).collect();
    assert!(numbers.len() >= 25, "{} frames", numbers.len());
    assert_eq!(numbers, (0..numbers.len() as u32).collect::<Vec<_>>());
    // The loop shows the same pictures again: the same counts 10 frames on.
    let f = frame_lines(&stdout);
    for i in 0..10 {
        assert_eq!(f[i].1, f[i + 10].1, "frame {i} vs {}", i + 10);
    }
    assert!(stdout.lines().any(|l| l == "End-of-stream"));
}

#[test]
fn writes_a_tiled_mp4() {
    let (short, long) = (clip(10), clip(20));
    let out_file = std::env::temp_dir().join(format!("ds-test3-{}.mp4", std::process::id()));
    let out = test3(&[
        "-s",
        "--output",
        out_file.to_str().unwrap(),
        "-i",
        short.to_str().unwrap(),
        long.to_str().unwrap(),
    ]);
    ok_stdout(&out);
    let frames = count_mp4_frames(&out_file);
    std::fs::remove_file(&out_file).ok();
    // One tiled frame per batch: 20 batches (10 with both sources).
    assert_eq!(frames, (20, 1280, 720));
}

/// Decodes an MP4 with gst-launch and counts its frames.
fn count_mp4_frames(path: &Path) -> (usize, u32, u32) {
    let out = Command::new("gst-launch-1.0")
        .args(["-v", "filesrc"])
        .arg(format!("location={}", path.display()))
        .args([
            "!",
            "qtdemux",
            "!",
            "h264parse",
            "!",
            "avdec_h264",
            "!",
            "fakesink",
            "silent=false",
        ])
        .output()
        .expect("gst-launch-1.0 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let n = text
        .lines()
        .filter(|l| l.contains("chain   ******"))
        .count();
    let caps = text
        .lines()
        .find(|l| l.contains("fakesink0.GstPad:sink: caps"))
        .unwrap_or("");
    let field = |k: &str| -> u32 {
        caps.split(&format!("{k}=(int)"))
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (n, field("width"), field("height"))
}

#[test]
fn a_bad_uri_among_good_ones_is_reported_and_skipped() {
    let c = clip(10);
    let out = test3(&[
        "--no-display",
        "-i",
        c.to_str().unwrap(),
        "file:///no/such/video.mp4",
    ]);
    let stdout = ok_stdout(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("rror")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("Error: source 1 (file:///no/such/video.mp4): Resource not found."),
        "{stderr}"
    );
    let h = frame_histogram(&stdout);
    assert_eq!(h, (0..10).map(|n| (n, 1)).collect());
    assert!(stdout.lines().any(|l| l == "End-of-stream"));
}

#[test]
fn all_sources_bad_is_exit_1_with_one_error_line_each() {
    let out = test3(&["--no-display", "-i", "/no/such/video.mp4"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("Error: source 0 (file:///no/such/video.mp4): Resource not found."),
        "{stderr}"
    );

    let out = test3(&["--no-display", "-i", "/no/such/a.mp4", "nosuchscheme://x"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines.iter().any(|l| l.starts_with("Error: source 0 ")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Error: source 1 (nosuchscheme://x)")));
    assert!(!stderr.contains("panicked"));
}

#[test]
fn user_errors_are_one_line() {
    let cfg = root().join("configs/dstest3_pgie_config.txt");
    let out = test3(&["-g", "nvinferserver", "-c", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("not available on the open backend"),
        "{stderr}"
    );

    let out = test3(&["-g", "nvinfer"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "Error: Either pgie or configfile is missing. Please specify both! Exiting...\n"
    );
}

#[test]
fn help_lists_the_options() {
    let out = test3(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--input",
        "--configfile",
        "--pgie",
        "--no-display",
        "--file-loop",
        "--disable-probe",
        "--silent",
        "--output",
    ] {
        assert!(text.contains(opt), "{text}");
    }
    assert!(!text.contains("--num-frames"), "test options stay hidden");
}
