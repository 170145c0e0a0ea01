//! The conversions deepstream-test1 runs on every frame on the open backend:
//! nvstreammux scaling 1280x720 NV12 to its 1920x1080 NV12 batch, nvinfer
//! scaling 1920x1080 NV12 to the 416x416 BGR network input, and
//! nvvideoconvert turning 1920x1080 NV12 into RGBA for nvdsosd. The peer in
//! the same run is GStreamer's own `videoconvertscale` code (`VideoConverter`,
//! bilinear, 2 threads) doing the same conversions.
//!
//! `cargo bench -p ds-open --bench convert`
use criterion::{criterion_group, criterion_main, Criterion};
use ds_open::convert::{convert, Image, ImageMut, PixelFormat};
use gstreamer as gst;
use gstreamer_video as gst_video;
use std::hint::black_box;

fn nv12(w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    (0..w * h * 3 / 2)
        .map(|i| ((i * 7 + i / w * 3) % 251) as u8)
        .collect()
}

fn planes(data: &[u8], w: u32, h: u32) -> Image<'_> {
    let (y, uv) = data.split_at((w * h) as usize);
    Image {
        format: PixelFormat::Nv12,
        width: w,
        height: h,
        planes: vec![(y, w as usize), (uv, w as usize)],
    }
}

fn ours(c: &mut Criterion) {
    let src720 = nv12(1280, 720);
    let src1080 = nv12(1920, 1080);
    let mut dst1080 = vec![0u8; 1920 * 1080 * 3 / 2];
    let mut rgba = vec![0u8; 1920 * 1080 * 4];
    let mut bgr = vec![0u8; 416 * 416 * 3];
    let mut g = c.benchmark_group("convert");
    g.sample_size(20);
    g.bench_function("ds_open/nv12_720p_to_nv12_1080p", |b| {
        b.iter(|| {
            let (y, uv) = dst1080.split_at_mut(1920 * 1080);
            let mut d = ImageMut {
                format: PixelFormat::Nv12,
                width: 1920,
                height: 1080,
                planes: vec![(y, 1920), (uv, 1920)],
            };
            convert(&planes(black_box(&src720), 1280, 720), &mut d);
        })
    });
    g.bench_function("ds_open/nv12_1080p_to_rgba_1080p", |b| {
        b.iter(|| {
            let mut d = ImageMut::packed(PixelFormat::Rgba, 1920, 1080, &mut rgba, 1920 * 4);
            convert(&planes(black_box(&src1080), 1920, 1080), &mut d);
        })
    });
    g.bench_function("ds_open/nv12_1080p_to_bgr_416", |b| {
        b.iter(|| {
            let mut d = ImageMut::packed(PixelFormat::Bgr, 416, 416, &mut bgr, 416 * 3);
            convert(&planes(black_box(&src1080), 1920, 1080), &mut d);
        })
    });
    g.finish();
}

fn gst_converter(
    sw: u32,
    sh: u32,
    df: gst_video::VideoFormat,
    dw: u32,
    dh: u32,
) -> (
    gst_video::VideoConverter,
    gst_video::VideoFrame<gst_video::video_frame::Readable>,
    gst_video::VideoFrame<gst_video::video_frame::Writable>,
) {
    let si = gst_video::VideoInfo::builder(gst_video::VideoFormat::Nv12, sw, sh)
        .build()
        .expect("info");
    let di = gst_video::VideoInfo::builder(df, dw, dh)
        .build()
        .expect("info");
    let mut sbuf = gst::Buffer::with_size(si.size()).expect("buffer");
    sbuf.get_mut()
        .expect("writable")
        .copy_from_slice(0, &nv12(sw, sh)[..si.size()])
        .expect("fill");
    let dbuf = gst::Buffer::with_size(di.size()).expect("buffer");
    let config = gst_video::VideoConverterConfig::new();
    let mut config = config;
    config.set_threads(2);
    config.set_resampler_method(gst_video::VideoResamplerMethod::Linear);
    let conv = gst_video::VideoConverter::new(&si, &di, Some(config)).expect("converter");
    let s = gst_video::VideoFrame::from_buffer_readable(sbuf, &si).expect("frame");
    let d = gst_video::VideoFrame::from_buffer_writable(dbuf, &di).expect("frame");
    (conv, s, d)
}

fn gstreamer_peer(c: &mut Criterion) {
    gst::init().expect("gst init");
    let mut g = c.benchmark_group("convert");
    g.sample_size(20);
    let cases = [
        (
            "gstreamer/nv12_720p_to_nv12_1080p",
            1280,
            720,
            gst_video::VideoFormat::Nv12,
            1920,
            1080,
        ),
        (
            "gstreamer/nv12_1080p_to_rgba_1080p",
            1920,
            1080,
            gst_video::VideoFormat::Rgba,
            1920,
            1080,
        ),
        (
            "gstreamer/nv12_1080p_to_bgr_416",
            1920,
            1080,
            gst_video::VideoFormat::Bgr,
            416,
            416,
        ),
    ];
    for (name, sw, sh, df, dw, dh) in cases {
        let (conv, s, mut d) = gst_converter(sw, sh, df, dw, dh);
        g.bench_function(name, |b| b.iter(|| conv.frame(black_box(&s), &mut d)));
    }
    g.finish();
}

criterion_group!(benches, ours, gstreamer_peer);
criterion_main!(benches);
