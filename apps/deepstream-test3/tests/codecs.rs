//! deepstream-test3 on every codec NVIDIA's decoder takes (its sink pad
//! template: H.264, H.265, VP8, VP9, AV1, MPEG-2, MPEG-4 part 2, MJPEG and
//! JPEG), each as a short clip of the real sample made at test time with
//! GStreamer's encoders from Debian, in a container `uridecodebin` reads;
//! every frame must come out of the NVMM decoder and reach the probe. And
//! the streams NVIDIA's decoder refuses (H.264 High 4:4:4, 10-bit H.264):
//! one error line naming what was found, and a non-zero exit.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Encodes the first `frames` frames of samples/sample_720p_60.h264
/// (10 fps), scaled to 640x360, in raw `format`, with `encode` (encoder
/// and parser) muxed with `mux` (none: the elementary stream) into `file`;
/// returns its path and the number of frames it holds, counted by
/// decoding it with GStreamer's own decoders (an encoder that re-times its
/// input, as mpeg2enc does, may hold a few more than `frames`).
fn clip(file: &str, frames: u32, format: &str, encode: &str, mux: &str) -> (PathBuf, usize) {
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
        .join(format!("ds-test3-codecs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(file);
    let mux = if mux.is_empty() {
        String::new()
    } else {
        format!("{mux} ! ")
    };
    // identity eos-after=N passes N-1 buffers.
    let made = gst_launch(&format!(
        "-q filesrc location={} ! h264parse ! identity eos-after={} ! avdec_h264 ! videoscale ! \
         video/x-raw,width=640,height=360 ! videoconvert ! video/x-raw,format={format} ! \
         {encode} ! {mux}filesink location={}",
        src.display(),
        frames + 1,
        out.display()
    ));
    assert!(
        made.status.success(),
        "making {} (the encoders come from ci/setup.sh's GStreamer plugin packages):\n{}{}",
        out.display(),
        String::from_utf8_lossy(&made.stdout),
        String::from_utf8_lossy(&made.stderr)
    );
    // Count the frames with the software decoders (the open
    // nvv4l2decoder is not in gst-launch's registry).
    let counted = gst_launch(&format!(
        "-v filesrc location={} ! decodebin ! video/x-raw ! fakesink silent=false",
        out.display()
    ));
    assert!(counted.status.success(), "decoding {}", out.display());
    let n = String::from_utf8_lossy(&counted.stdout)
        .lines()
        .filter(|l| l.contains("last-message = chain"))
        .count();
    assert!(n >= frames as usize, "{}: {n} frames", out.display());
    (out, n)
}

fn gst_launch(pipeline: &str) -> Output {
    Command::new("gst-launch-1.0")
        // Never the open decoder, should its plugin be on the path.
        .env("GST_PLUGIN_FEATURE_RANK", "nvv4l2decoder:NONE")
        .args(pipeline.split(' ').filter(|a| !a.is_empty()))
        .output()
        .expect("gst-launch-1.0 runs")
}

fn test3(input: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepstream-test3"))
        .args(["--no-display", "-i", input.to_str().unwrap()])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("runs deepstream-test3")
}

/// Runs test3 on `input`: it must end well, decode through the NVMM
/// decoder and print `frames` frame lines (0..frames) with something
/// detected on at least one (the picture decoded is the sample's).
fn decodes((input, frames): (PathBuf, usize)) {
    let input = input.as_path();
    let out = test3(input);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{}: exit {:?}\n{stderr}",
        input.display(),
        out.status
    );
    assert!(
        stdout.lines().any(|l| l == "features= memory:NVMM"),
        "{}: the decoded pad is not NVMM:\n{stdout}\n{stderr}",
        input.display()
    );
    assert!(
        !stderr.contains("Decodebin did not pick nvidia decoder plugin"),
        "{stderr}"
    );
    let lines: Vec<(u32, u32)> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Frame Number= "))
        .map(|l| {
            let nums: Vec<u32> = l
                .split("= ")
                .map(|v| v.split(' ').next().unwrap().parse().expect("a number"))
                .collect();
            (nums[0], nums[1])
        })
        .collect();
    let numbers: Vec<u32> = lines.iter().map(|f| f.0).collect();
    assert_eq!(
        numbers,
        (0..frames as u32).collect::<Vec<_>>(),
        "{}: frame lines\n{stdout}",
        input.display()
    );
    assert!(
        lines.iter().any(|f| f.1 > 0),
        "{}: nothing detected on any frame: the picture is not the sample's\n{stdout}",
        input.display()
    );
}

/// Runs test3 on a stream NVIDIA's decoder refuses: it must fail with one
/// error line, `expected` in it, and no bare negotiation error.
fn refuses((input, _): (PathBuf, usize), expected: &str) {
    let input = input.as_path();
    let out = test3(input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "{}: exit 0\n{stderr}",
        input.display()
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("rror")).collect();
    let uri = format!("file://{}", input.display());
    assert_eq!(
        errors,
        [format!("Error: source 0 ({uri}): {expected}")],
        "stderr:\n{stderr}"
    );
    assert!(!stderr.contains("not-negotiated"), "{stderr}");
}

#[test]
fn h264_in_mp4() {
    decodes(clip(
        "h264.mp4",
        10,
        "I420",
        "x264enc speed-preset=ultrafast bframes=0 ! h264parse",
        "mp4mux",
    ));
}

#[test]
fn h265_in_matroska() {
    decodes(clip(
        "h265.mkv",
        10,
        "I420",
        "x265enc speed-preset=ultrafast ! h265parse",
        "matroskamux",
    ));
}

#[test]
fn vp8_in_webm() {
    decodes(clip("vp8.webm", 10, "I420", "vp8enc deadline=1", "webmmux"));
}

#[test]
fn vp9_in_webm() {
    decodes(clip(
        "vp9.webm",
        10,
        "I420",
        "vp9enc deadline=1 cpu-used=8",
        "webmmux",
    ));
}

#[test]
fn av1_in_matroska() {
    decodes(clip(
        "av1.mkv",
        10,
        "I420",
        "av1enc cpu-used=8 ! av1parse",
        "matroskamux",
    ));
}

#[test]
fn mpeg2_in_transport_stream() {
    decodes(clip(
        "mpeg2.ts",
        10,
        "I420",
        "videorate ! video/x-raw,framerate=25/1 ! mpeg2enc ! mpegvideoparse",
        "mpegtsmux",
    ));
}

#[test]
fn mpeg4_part2_in_avi() {
    // avenc_mpeg4's buffers carry no timestamps here (gst-libav 1.22 with
    // FFmpeg 5): AVI, which counts frames, is the container that takes them.
    decodes(clip(
        "mpeg4.avi",
        10,
        "I420",
        "avenc_mpeg4 bitrate=1000000",
        "avimux",
    ));
}

#[test]
fn mjpeg_in_avi() {
    decodes(clip("mjpeg.avi", 10, "I420", "jpegenc", "avimux"));
}

#[test]
fn mjpeg_422_as_usb_cameras_send_it() {
    decodes(clip("mjpeg422.avi", 10, "Y42B", "jpegenc", "avimux"));
}

#[test]
fn one_jpeg_image() {
    decodes(clip("image.jpg", 1, "I420", "jpegenc", ""));
}

#[test]
fn h264_high_444_is_refused_in_one_line() {
    refuses(
        clip(
            "h264-444.mp4",
            5,
            "Y444",
            "x264enc speed-preset=ultrafast ! h264parse",
            "mp4mux",
        ),
        "nvv4l2decoder: cannot decode this H.264 stream (profile high-4:4:4, chroma format \
         4:4:4, bit depth 8): NVIDIA's decoder takes H.264 in 8-bit 4:2:0 only",
    );
}

#[test]
fn h264_10bit_is_refused_in_one_line() {
    refuses(
        clip(
            "h264-10bit.mp4",
            5,
            "I420_10LE",
            "x264enc speed-preset=ultrafast ! h264parse",
            "mp4mux",
        ),
        "nvv4l2decoder: cannot decode this H.264 stream (profile high-10, chroma format \
         4:2:0, bit depth 10): NVIDIA's decoder takes H.264 in 8-bit 4:2:0 only",
    );
}
