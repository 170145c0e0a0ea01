//! The open `nvvideoconvert` in pipelines: raw <-> NVMM round trips against
//! `videoconvert` and against `ds_open::convert`, the NvBufSurface it
//! produces, scaling, crops, batches and metadata.
use ds_core::planes::SurfaceRef;
use ds_core::surface::SurfaceBatch;
use ds_core::{BatchMeta, OwnedBatchMeta};
use ds_open::convert::{convert, convert_rect, fill_rect, Image, ImageMut, PixelFormat, Rect};
use gst::prelude::*;
use gst_video::prelude::*;
use gstreamer as gst;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;

fn init() {
    ds_open::init().unwrap();
}

/// Runs `desc` (with an `appsink name=sink`) and returns its samples, or
/// the first error message.
fn run(desc: &str) -> Result<Vec<gst::Sample>, String> {
    let p = gst::parse::launch(desc)
        .map_err(|e| e.to_string())?
        .downcast::<gst::Pipeline>()
        .unwrap();
    let out = collect(&p);
    p.set_state(gst::State::Null).unwrap();
    out
}

fn collect(p: &gst::Pipeline) -> Result<Vec<gst::Sample>, String> {
    let sink = p
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    sink.set_property("sync", false);
    if p.set_state(gst::State::Playing).is_err() {
        return Err(bus_error(p).unwrap_or_else(|| "state change failed".into()));
    }
    let mut samples = Vec::new();
    while let Some(s) = sink.try_pull_sample(gst::ClockTime::from_seconds(5)) {
        samples.push(s);
    }
    if let Some(e) = bus_error(p) {
        return Err(e);
    }
    Ok(samples)
}

fn bus_error(p: &gst::Pipeline) -> Option<String> {
    let bus = p.bus().unwrap();
    while let Some(msg) = bus.pop() {
        if let gst::MessageView::Error(e) = msg.view() {
            return Some(format!("{} ({:?})", e.error(), e.debug()));
        }
    }
    None
}

/// Visible bytes of a plain video sample, per plane.
fn planes(sample: &gst::Sample) -> (gst_video::VideoInfo, Vec<Vec<u8>>) {
    let info = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
    let buf = sample.buffer().unwrap();
    let f = gst_video::VideoFrameRef::from_buffer_ref_readable(buf, &info).unwrap();
    let fi = info.format_info();
    let planes = (0..info.n_planes())
        .map(|p| {
            let comp = fi.plane()[..fi.n_components() as usize]
                .iter()
                .position(|&pl| pl == p)
                .unwrap_or(0) as u8;
            let h = fi.scale_height(comp, info.height()) as usize;
            let w = fi.scale_width(comp, info.width()) as usize;
            let bytes = w * fi.pixel_stride()[comp as usize] as usize;
            let stride = f.plane_stride()[p as usize] as usize;
            let d = f.plane_data(p).unwrap();
            (0..h)
                .flat_map(|r| d[r * stride..][..bytes].to_vec())
                .collect()
        })
        .collect();
    (info, planes)
}

/// `ds_open::convert` of a plain sample into a new packed/planar buffer of
/// `format`, `w` x `h`, optionally with rectangles.
fn reference(
    sample: &gst::Sample,
    format: PixelFormat,
    w: u32,
    h: u32,
    rects: Option<(Rect, Rect)>,
) -> Vec<Vec<u8>> {
    let sinfo = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
    let buf = sample.buffer().unwrap();
    let sf = gst_video::VideoFrameRef::from_buffer_ref_readable(buf, &sinfo).unwrap();
    let src = Image::from_video_frame(&sf).unwrap();
    let dinfo = gst_video::VideoInfo::builder(format.video_format(), w, h)
        .build()
        .unwrap();
    let mut out = gst::Buffer::with_size(dinfo.size()).unwrap();
    {
        let mut df =
            gst_video::VideoFrameRef::from_buffer_ref_writable(out.get_mut().unwrap(), &dinfo)
                .unwrap();
        let mut dst = ImageMut::from_video_frame(&mut df).unwrap();
        match rects {
            Some((s, d)) => {
                fill_rect(&mut dst, Rect::new(0, 0, w, h), [0, 0, 0]);
                convert_rect(&src, s, &mut dst, d);
            }
            None => convert(&src, &mut dst),
        }
    }
    let caps = gst_video::VideoInfo::builder(format.video_format(), w, h)
        .build()
        .unwrap()
        .to_caps()
        .unwrap();
    planes(&gst::Sample::builder().buffer(&out).caps(&caps).build()).1
}

fn mean_max(a: &[Vec<u8>], b: &[Vec<u8>]) -> (f64, u8) {
    let (mut sum, mut n, mut max) = (0u64, 0u64, 0u8);
    for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
        let d = x.abs_diff(*y);
        sum += u64::from(d);
        n += 1;
        max = max.max(d);
    }
    assert_eq!(n as usize, a.iter().map(Vec::len).sum::<usize>());
    (sum as f64 / n.max(1) as f64, max)
}

const SRC: &str = "videotestsrc pattern=smpte num-buffers=2 ! \
     video/x-raw,format=I420,width=320,height=240,framerate=30/1,colorimetry=bt601";

#[test]
fn raw_to_nvmm_and_back_matches_videoconvert() {
    init();
    let ours = run(&format!(
        "{SRC} ! nvvideoconvert ! video/x-raw(memory:NVMM),format=NV12 ! \
         nvvideoconvert ! video/x-raw,format=RGBA ! appsink name=sink"
    ))
    .unwrap();
    let theirs = run(&format!(
        "{SRC} ! videoconvert dither=none ! video/x-raw,format=RGBA ! appsink name=sink"
    ))
    .unwrap();
    let raw = run(&format!("{SRC} ! appsink name=sink")).unwrap();
    assert_eq!(ours.len(), 2);
    for ((o, t), r) in ours.iter().zip(&theirs).zip(&raw) {
        let (info, mine) = planes(o);
        assert_eq!((info.width(), info.height()), (320, 240));
        assert_eq!(info.format(), gst_video::VideoFormat::Rgba);
        // I420 -> NV12 is lossless, so the two hops equal one conversion.
        assert_eq!(mine, reference(r, PixelFormat::Rgba, 320, 240, None));
        // And agree with videoconvert (GStreamer 1.22's YUV->RGB matrix is
        // ~2 levels off BT.601 and it interpolates chroma at bar edges).
        let (mean, max) = mean_max(&mine, &planes(t).1);
        assert!(mean < 2.0 && max <= 6, "mean {mean} max {max}");
        assert_eq!(o.buffer().unwrap().pts(), r.buffer().unwrap().pts());
    }
}

#[test]
fn nvmm_output_is_a_one_frame_surface_of_the_input_size() {
    init();
    let s = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=320,height=240 ! \
         nvvideoconvert ! video/x-raw(memory:NVMM),format=RGBA ! appsink name=sink",
    )
    .unwrap();
    let caps = s[0].caps().unwrap();
    assert!(ds_open::caps::caps_are_nvmm(caps));
    let st = caps.structure(0).unwrap();
    assert_eq!(st.get::<i32>("width").unwrap(), 320);
    assert_eq!(st.get::<i32>("height").unwrap(), 240);
    let surf = SurfaceRef::from_buffer(s[0].buffer().unwrap()).unwrap();
    assert_eq!((surf.batch_size(), surf.num_filled()), (1, 1));
    let f = surf.frame(0).unwrap();
    assert_eq!((f.width(), f.height()), (320, 240));
    assert_eq!(f.format(), ds_sys::NVBUF_COLOR_FORMAT_RGBA);
    // videotestsrc's first smpte bar is white (Y 235).
    let px = &f.plane(0).unwrap().row(10).unwrap()[..4];
    assert_eq!(px, &[255, 255, 255, 255]);
}

#[test]
fn scaling_320x240_to_160x120() {
    init();
    let nvmm = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=NV12,width=320,height=240 ! \
         nvvideoconvert ! video/x-raw(memory:NVMM),format=NV12,width=160,height=120 ! \
         appsink name=sink",
    )
    .unwrap();
    let surf = SurfaceRef::from_buffer(nvmm[0].buffer().unwrap()).unwrap();
    let f = surf.frame(0).unwrap();
    assert_eq!((f.width(), f.height()), (160, 120));
    assert_eq!(f.format(), ds_sys::NVBUF_COLOR_FORMAT_NV12);

    let ours = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=NV12,width=320,height=240 ! \
         nvvideoconvert ! video/x-raw(memory:NVMM),width=160,height=120 ! nvvideoconvert ! \
         video/x-raw,format=BGRx ! appsink name=sink",
    )
    .unwrap();
    let raw = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=NV12,width=320,height=240 ! \
         appsink name=sink",
    )
    .unwrap();
    let (info, mine) = planes(&ours[0]);
    assert_eq!((info.width(), info.height()), (160, 120));
    // NV12 -> NV12 scaled then -> BGRx is close to one scaled conversion.
    let direct = reference(&raw[0], PixelFormat::Bgrx, 160, 120, None);
    let (mean, _) = mean_max(&mine, &direct);
    assert!(mean < 3.0, "mean {mean}");
    let theirs = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=NV12,width=320,height=240 ! \
         videoscale ! videoconvert ! video/x-raw,format=BGRx,width=160,height=120 ! \
         appsink name=sink",
    )
    .unwrap();
    let (mean, _) = mean_max(&mine, &planes(&theirs[0]).1);
    assert!(mean < 6.0, "vs videoscale: mean {mean}");
}

#[test]
fn crops() {
    init();
    let raw = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGBA,width=320,height=240 ! \
         appsink name=sink",
    )
    .unwrap();
    let src_crop = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGBA,width=320,height=240 ! \
         nvvideoconvert src-crop=80:60:160:120 ! video/x-raw,width=160,height=120 ! \
         appsink name=sink",
    )
    .unwrap();
    let (info, got) = planes(&src_crop[0]);
    assert_eq!((info.width(), info.height()), (160, 120));
    let full = planes(&raw[0]).1;
    // An unscaled crop is a plain copy of the rectangle.
    let want: Vec<u8> = (60..180)
        .flat_map(|y| full[0][(y * 320 + 80) * 4..][..160 * 4].to_vec())
        .collect();
    assert_eq!(got[0], want);

    let dest_crop = run(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGBA,width=320,height=240 ! \
         nvvideoconvert dest-crop=40:20:160:120 ! video/x-raw(memory:NVMM),format=I420 ! \
         nvvideoconvert ! video/x-raw,format=RGBA ! appsink name=sink",
    )
    .unwrap();
    let (_, got) = planes(&dest_crop[0]);
    // Outside the rectangle: black.
    assert_eq!(&got[0][..4], &[0, 0, 0, 255]);
    assert_eq!(&got[0][(239 * 320 + 319) * 4..][..4], &[0, 0, 0, 255]);
    // Inside: the scaled frame (RGBA -> I420 -> RGBA at 160x120).
    let inner = reference(
        &raw[0],
        PixelFormat::Rgba,
        320,
        240,
        Some((Rect::new(0, 0, 320, 240), Rect::new(40, 20, 160, 120))),
    );
    let (mean, _) = mean_max(&got, &inner);
    assert!(mean < 2.0, "mean {mean}");
}

#[test]
fn bad_crop_is_an_element_error() {
    init();
    let e = run(
        "videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! \
         nvvideoconvert src-crop=10:10:oops ! appsink name=sink",
    )
    .unwrap_err();
    assert!(e.contains("src-crop"), "{e}");
    let e = run(
        "videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! \
         nvvideoconvert src-crop=40:0:40:48 ! appsink name=sink",
    )
    .unwrap_err();
    assert!(e.contains("outside"), "{e}");
}

#[test]
fn properties_are_accepted() {
    init();
    // The enums are NVIDIA's (GstNvBufMemoryType, ...): set by number or
    // nick, as gst-launch and PyGObject do.
    let e = gst::ElementFactory::make("nvvideoconvert")
        .property("gpu-id", 0u32)
        .property_from_str("nvbuf-memory-type", "3")
        .property_from_str("interpolation-method", "0")
        .property_from_str("compute-hw", "1")
        .property("src-crop", "0:0:0:0")
        .build()
        .unwrap();
    let int = |name: &str| ds_open::accepted::enum_int(&e.property_value(name)).unwrap();
    assert_eq!(int("nvbuf-memory-type"), 3);
    e.set_property_from_str("nvbuf-memory-type", "nvbuf-mem-cuda-device");
    assert_eq!(int("nvbuf-memory-type"), 2);
    assert_eq!(e.property::<String>("dest-crop"), "0:0:0:0");
    assert_eq!(int("interpolation-method"), 0);
    assert_eq!(int("compute-hw"), 1);
}

/// An NVMM batch through appsrc.
fn batch_pipeline(out_caps: &str) -> (gst::Pipeline, gst_app::AppSrc) {
    let p = gst::parse::launch(&format!(
        "appsrc name=src format=time caps=video/x-raw(memory:NVMM),format=NV12,width=64,height=48,framerate=30/1 ! \
         identity name=up ! nvvideoconvert ! {out_caps} ! appsink name=sink"
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let src = p
        .by_name("src")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    (p, src)
}

fn nv12_batch(n: u32) -> gst::Buffer {
    let mut b = SurfaceBatch::new(n, 64, 48, ds_sys::NVBUF_COLOR_FORMAT_NV12).unwrap();
    b.set_num_filled(n).unwrap();
    for i in 0..n {
        let mut f = b.planes_mut(i).unwrap();
        let mut img = ImageMut::from_planes(&mut f).unwrap();
        let c = [[255, 0, 0], [0, 0, 255]][i as usize % 2];
        fill_rect(&mut img, Rect::new(0, 0, 64, 48), c);
    }
    let mut buf = b.into_buffer();
    buf.get_mut()
        .unwrap()
        .set_pts(gst::ClockTime::from_mseconds(40));
    buf
}

#[test]
fn nvmm_batches_keep_size_and_metadata() {
    init();
    let (p, src) = batch_pipeline("video/x-raw(memory:NVMM),format=RGBA,width=32,height=24");
    // Upstream probe: what nvstreammux attaches.
    p.by_name("up")
        .unwrap()
        .static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, |_, info| {
            if let Some(buffer) = info.buffer_mut() {
                let mut batch = OwnedBatchMeta::new(2).unwrap();
                let frame = batch.new_frame().unwrap();
                frame.set_frame_num(7);
                frame.set_source_id(3);
                let obj = frame.new_object().unwrap();
                obj.set_class_id(2);
                obj.set_obj_label("person");
                obj.rect_params_mut().left = 12.0;
                batch.attach(buffer.make_mut()).unwrap();
            }
            gst::PadProbeReturn::Ok
        });
    src.push_buffer(nv12_batch(2)).unwrap();
    src.end_of_stream().unwrap();
    let samples = collect(&p).unwrap();
    p.set_state(gst::State::Null).unwrap();
    assert_eq!(samples.len(), 1);
    let buf = samples[0].buffer().unwrap();
    assert_eq!(buf.pts(), Some(gst::ClockTime::from_mseconds(40)));
    let surf = SurfaceRef::from_buffer(buf).unwrap();
    assert_eq!((surf.batch_size(), surf.num_filled()), (2, 2));
    for (i, want) in [[254u8, 0, 0], [0, 0, 255]].iter().enumerate() {
        let f = surf.frame(i as u32).unwrap();
        assert_eq!((f.width(), f.height()), (32, 24));
        let px = &f.plane(0).unwrap().row(12).unwrap()[16 * 4..][..4];
        for c in 0..3 {
            assert!(px[c].abs_diff(want[c]) <= 2, "frame {i}: {px:?}");
        }
    }
    let meta = BatchMeta::from_buffer(buf).expect("NvDsBatchMeta kept");
    let frames: Vec<_> = meta.frames().collect();
    assert_eq!(frames.len(), 1);
    assert_eq!((frames[0].frame_num(), frames[0].source_id()), (7, 3));
    let objs: Vec<_> = frames[0].objects().collect();
    assert_eq!(objs.len(), 1);
    assert_eq!((objs[0].class_id(), objs[0].obj_label()), (2, "person"));
    assert_eq!(objs[0].rect_params().left, 12.0);
}

#[test]
fn nvmm_batch_of_two_to_raw_is_an_error() {
    init();
    let (p, src) = batch_pipeline("video/x-raw,format=RGBA");
    src.push_buffer(nv12_batch(2)).unwrap();
    src.end_of_stream().unwrap();
    let e = collect(&p).unwrap_err();
    p.set_state(gst::State::Null).unwrap();
    assert!(e.contains("one frame"), "{e}");

    let (p, src) = batch_pipeline("video/x-raw,format=RGBA");
    src.push_buffer(nv12_batch(1)).unwrap();
    src.end_of_stream().unwrap();
    let s = collect(&p).unwrap();
    p.set_state(gst::State::Null).unwrap();
    let (info, px) = planes(&s[0]);
    assert_eq!((info.width(), info.height()), (64, 48));
    assert!(px[0][0] >= 253 && px[0][1] <= 2, "{:?}", &px[0][..4]);
}
