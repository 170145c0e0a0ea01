//! `nvdsosd` (open backend): draws the batch meta's boxes, labels, lines,
//! circles and arrows onto RGBA (NVMM) frames.
//!
//! The golden image is `tests/golden/nvdsosd.png`; rewrite it with
//! `UPDATE_GOLDEN=1 cargo test -p ds-open --test nvdsosd`.
use ds_core::osd::Color;
use ds_core::surface::{FrameSurface, SurfaceBatch};
use ds_core::{OwnedBatchMeta, RectParams};
use ds_sys::{NvOSD_ArrowParams, NvOSD_CircleParams, NvOSD_ColorParams, NvOSD_LineParams};
use gst::prelude::*;
use gstreamer as gst;
use gstreamer_app as gst_app;
use std::path::PathBuf;

const W: u32 = 320;
const H: u32 = 240;
/// Frame background (a dull blue-grey, like a road scene).
const BG: [u8; 4] = [70, 90, 110, 255];
const RED: [u8; 4] = [255, 0, 0, 255];
const BLACK: [u8; 4] = [0, 0, 0, 255];

/// False (and the test returns early) on the nvidia backend, where
/// `nvdsosd` is NVIDIA's element.
fn open_backend() -> bool {
    ds_open::init().unwrap();
    ds_core::backend() == "open"
}

fn color(r: f64, g: f64, b: f64, a: f64) -> NvOSD_ColorParams {
    NvOSD_ColorParams {
        red: r,
        green: g,
        blue: b,
        alpha: a,
    }
}

/// A solid one-frame RGBA surface.
fn surface(fill: [u8; 4]) -> gst::Buffer {
    let mut batch = SurfaceBatch::new(1, W, H, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    batch.set_num_filled(1).unwrap();
    batch.frame_mut(0).unwrap().fill(fill);
    batch.into_buffer()
}

/// The scene of the brief: one object (box 10,10,100,50, 3 px red border,
/// label "car 1"), and a display meta with the sample apps' frame text,
/// a translucent rectangle, a line, a circle and an arrow.
fn scene_meta() -> OwnedBatchMeta {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let frame = batch.new_frame().unwrap();
    frame.set_batch_id(0);
    frame.set_source_frame_width(W);
    frame.set_source_frame_height(H);

    let obj = frame.new_object().unwrap();
    *obj.rect_params_mut() = RectParams {
        left: 10.0,
        top: 10.0,
        width: 100.0,
        height: 50.0,
        border_width: 3,
        border_color: Color::RED.into(),
        ..Default::default()
    };
    let t = obj.text_params_mut();
    t.set_display_text("car 1");
    t.set_offsets(10, 64);
    t.set_font_name("Serif");
    t.set_font_size(10);
    t.set_font_color(Color::WHITE);
    t.set_bg_color(Color::new(0.0, 0.0, 0.0, 0.6).unwrap());

    let d = frame.new_display_meta().unwrap();
    let text = d.add_text("Frame Number=0 Number of Objects=1").unwrap();
    text.set_offsets(10, 12);
    text.set_font_name("Serif");
    text.set_font_size(12);
    text.set_font_color(Color::WHITE);
    text.set_bg_color(Color::BLACK);
    d.add_rect(RectParams {
        left: 200.0,
        top: 170.0,
        width: 90.0,
        height: 40.0,
        border_width: 2,
        border_color: Color::MAGENTA.into(),
        has_bg_color: 1,
        bg_color: color(0.0, 0.0, 1.0, 0.35),
        ..Default::default()
    })
    .unwrap();
    d.add_line(NvOSD_LineParams {
        x1: 20,
        y1: 225,
        x2: 300,
        y2: 225,
        line_width: 4,
        line_color: Color::GREEN.into(),
    })
    .unwrap();
    d.add_circle(NvOSD_CircleParams {
        xc: 250,
        yc: 110,
        radius: 30,
        circle_color: Color::YELLOW.into(),
        has_bg_color: 1,
        bg_color: color(1.0, 1.0, 0.0, 0.25),
        ..Default::default()
    })
    .unwrap();
    d.add_arrow(NvOSD_ArrowParams {
        x1: 40,
        y1: 160,
        x2: 170,
        y2: 110,
        arrow_width: 3,
        arrow_head: ds_sys::END_HEAD,
        arrow_color: Color::CYAN.into(),
        ..Default::default()
    })
    .unwrap();
    batch
}

fn with_meta(mut buffer: gst::Buffer, meta: OwnedBatchMeta) -> gst::Buffer {
    meta.attach(buffer.get_mut().unwrap()).unwrap();
    buffer
}

/// Runs `appsrc ! nvdsosd <props> ! appsink` over `buffers`.
fn run(buffers: Vec<gst::Buffer>, nvmm: bool, props: &[(&str, glib::Value)]) -> Vec<gst::Buffer> {
    let pipeline = gst::Pipeline::new();
    let src = gst_app::AppSrc::builder()
        .caps(
            &gst::Caps::builder("video/x-raw")
                .features(if nvmm { vec!["memory:NVMM"] } else { vec![] })
                .field("format", "RGBA")
                .field("width", W as i32)
                .field("height", H as i32)
                .field("framerate", gst::Fraction::new(30, 1))
                .build(),
        )
        .format(gst::Format::Time)
        .build();
    let osd = gst::ElementFactory::make("nvdsosd").build().unwrap();
    for (name, value) in props {
        osd.set_property_from_value(name, value);
    }
    let sink = gst_app::AppSink::builder().sync(false).build();
    pipeline
        .add_many([src.upcast_ref(), &osd, sink.upcast_ref()])
        .unwrap();
    gst::Element::link_many([src.upcast_ref(), &osd, sink.upcast_ref()]).unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let n = buffers.len();
    for (i, mut b) in buffers.into_iter().enumerate() {
        {
            let b = b.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_mseconds(33 * i as u64));
            b.set_duration(gst::ClockTime::from_mseconds(33));
        }
        src.push_buffer(b).unwrap();
    }
    src.end_of_stream().unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let sample = sink
            .try_pull_sample(gst::ClockTime::from_seconds(10))
            .expect("nvdsosd produced no buffer");
        out.push(sample.buffer_owned().unwrap());
    }
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(10),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("no EOS");
    if let gst::MessageView::Error(e) = msg.view() {
        panic!("pipeline error: {} ({:?})", e.error(), e.debug());
    }
    pipeline.set_state(gst::State::Null).unwrap();
    out
}

/// Packed RGBA of an NVMM output buffer.
fn pixels(buffer: &gst::Buffer) -> Vec<u8> {
    FrameSurface::map(buffer, 0).unwrap().to_packed_rgba()
}

fn px(p: &[u8], x: u32, y: u32) -> [u8; 4] {
    let i = ((y * W + x) * 4) as usize;
    p[i..i + 4].try_into().unwrap()
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/nvdsosd.png")
}

fn write_png(path: &PathBuf, rgba: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), W, H);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(rgba).unwrap();
}

fn read_png(path: &PathBuf) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn draws_boxes_text_and_shapes() {
    if !open_backend() {
        return;
    }
    let out = run(vec![with_meta(surface(BG), scene_meta())], true, &[]);
    let p = pixels(&out[0]);
    let golden = golden_path();
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    if update {
        write_png(&golden, &p);
        eprintln!("rewrote {}", golden.display());
    }

    // Box 10,10,100,50 with a 3 px border centred on its edges: columns
    // 9..=11 and 109..=111, rows 9..=11 and 59..=61 (rows 12.. at the top
    // are under the frame text drawn afterwards).
    for y in 35..58 {
        for x in [9, 10, 11, 109, 110, 111] {
            assert_eq!(px(&p, x, y), RED, "border at ({x}, {y})");
        }
        for x in [8, 112] {
            assert_eq!(px(&p, x, y), BG, "outside the border at ({x}, {y})");
        }
        // Interior: untouched (no background colour).
        for x in 12..109 {
            assert_eq!(px(&p, x, y), BG, "interior at ({x}, {y})");
        }
    }
    for x in 9..=111 {
        for y in [9, 10, 11, 59, 60, 61] {
            assert_eq!(px(&p, x, y), RED, "border at ({x}, {y})");
        }
        assert_eq!(px(&p, x, 8), BG);
        if x < 60 {
            // Right of "car 1"'s label box the row is background.
            assert_eq!(px(&p, x, 62), BG);
        }
    }

    // Frame text at (10, 12), Serif 12 (16 px em, as Pango at 96 DPI): a
    // black box fitting the text, ~19 px high and ~330 px wide, so clipped
    // at the right edge of this 320 px frame, with white glyphs inside.
    assert_eq!(px(&p, 10, 12), BLACK);
    let black_cols = (10..W).take_while(|&x| px(&p, x, 13) == BLACK).count() as u32;
    assert_eq!(black_cols, W - 10, "text box clipped at the frame edge");
    // (Glyphs make some box pixels grey or white: the box is where pixels
    // are neutral, the background is not.)
    let neutral = |c: [u8; 4]| c[0] == c[1] && c[1] == c[2];
    let black_rows = (12..H).take_while(|&y| neutral(px(&p, 10, y))).count() as u32;
    assert!(
        (17..=21).contains(&black_rows),
        "text box height {black_rows}"
    );
    let by1 = 12 + black_rows;
    let mut white = 0;
    for y in 12..by1 {
        for x in 10..W {
            let c = px(&p, x, y);
            if c[0] > 200 && c[1] > 200 && c[2] > 200 {
                white += 1;
            }
            // Inside the box: greys between black and white only.
            assert!(neutral(c), "text box pixel ({x}, {y}) = {c:?}");
        }
    }
    assert!(white > 150, "only {white} white text pixels");
    // Glyph ink stays inside the box; below it is background.
    assert_eq!(px(&p, 130, by1), BG);
    assert_eq!(px(&p, 300, by1 + 1), BG);

    // "car 1" label at (10, 64), Serif 10: translucent black box (alpha 0.6)
    // about 35 x 16 px, white glyphs.
    let label_bg = px(&p, 10, 64);
    let expect = |c: u8| (c as f32 * 0.4).round() as u8;
    for (i, &c) in label_bg[..3].iter().enumerate() {
        assert!(c.abs_diff(expect(BG[i])) <= 1, "label bg {label_bg:?}");
    }
    let label_w = (10..W).take_while(|&x| px(&p, x, 64) == label_bg).count();
    assert!((25..=50).contains(&label_w), "label box width {label_w}");
    let label_h = (64..H).take_while(|&y| px(&p, 10, y) != BG).count();
    assert!((14..=18).contains(&label_h), "label box height {label_h}");
    let label_white = (64..82)
        .flat_map(|y| (10..50).map(move |x| (x, y)))
        .filter(|&(x, y)| px(&p, x, y)[0] > 200)
        .count();
    assert!(label_white > 20, "car 1 label: {label_white} white pixels");

    // Line y=225, 4 px wide, green: rows 223..=226.
    for y in 223..=226 {
        assert_eq!(px(&p, 150, y), [0, 255, 0, 255], "line row {y}");
    }
    assert_eq!(px(&p, 150, 222), BG);
    assert_eq!(px(&p, 150, 227), BG);
    // Circle (250, 110) r 30: yellow outline, translucent yellow disc.
    assert_eq!(px(&p, 280, 110), [255, 255, 0, 255]);
    assert_eq!(px(&p, 250, 80), [255, 255, 0, 255]);
    let inside = px(&p, 250, 110);
    assert!(
        inside[0] > BG[0] && inside[2] < BG[2],
        "disc fill {inside:?}"
    );
    assert_eq!(px(&p, 250, 145), BG);
    // Arrow (40,160) -> (170,110), cyan, head at the end.
    assert_eq!(px(&p, 105, 135), [0, 255, 255, 255]);
    assert_eq!(px(&p, 167, 112), [0, 255, 255, 255]);
    // Translucent rect: blue blended into the background, magenta border.
    let r = px(&p, 245, 190);
    assert!(r[2] > BG[2] && r[0] < BG[0], "rect bg {r:?}");
    assert_eq!(px(&p, 200, 190), [255, 0, 255, 255]);

    // Golden image.
    if update {
        return;
    }
    assert!(
        golden.exists(),
        "{} is missing: run with UPDATE_GOLDEN=1",
        golden.display()
    );
    let (gw, gh, g) = read_png(&golden);
    assert_eq!((gw, gh), (W, H));
    let differing = p
        .chunks_exact(4)
        .zip(g.chunks_exact(4))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 32))
        .count();
    let limit = (W * H) as usize / 20;
    assert!(
        differing <= limit,
        "{differing} pixels differ from the golden image by > 32 (limit {limit}); \
         if the change is intended, rerun with UPDATE_GOLDEN=1"
    );
}

#[test]
fn display_bbox_false_skips_boxes() {
    if !open_backend() {
        return;
    }
    let out = run(
        vec![with_meta(surface(BG), scene_meta())],
        true,
        &[("display-bbox", false.to_value())],
    );
    let p = pixels(&out[0]);
    for y in 35..58 {
        assert_eq!(px(&p, 10, y), BG);
        assert_eq!(px(&p, 110, y), BG);
    }
    // Display-meta rectangle skipped too (as DeepStream does).
    assert_eq!(px(&p, 200, 190), BG);
    assert_eq!(px(&p, 245, 190), BG);
    // Text and shapes still drawn.
    assert_eq!(px(&p, 10, 12), BLACK);
    assert_eq!(px(&p, 150, 225), [0, 255, 0, 255]);
}

#[test]
fn display_text_false_skips_labels() {
    if !open_backend() {
        return;
    }
    let out = run(
        vec![with_meta(surface(BG), scene_meta())],
        true,
        &[("display-text", false.to_value())],
    );
    let p = pixels(&out[0]);
    assert_eq!(px(&p, 20, 20), BG);
    assert_eq!(px(&p, 12, 66), BG);
    assert_eq!(px(&p, 10, 40), RED);
}

#[test]
fn buffer_without_meta_passes_through_unchanged() {
    if !open_backend() {
        return;
    }
    let mut batch = SurfaceBatch::new(1, W, H, ds_sys::NVBUF_COLOR_FORMAT_RGBA).unwrap();
    batch.set_num_filled(1).unwrap();
    {
        let mut f = batch.frame_mut(0).unwrap();
        for y in 0..H {
            let row = f.row_mut(y).unwrap();
            for (i, b) in row.iter_mut().enumerate() {
                *b = (i as u32 * 7 + y * 3) as u8;
            }
        }
    }
    let input = batch.into_buffer();
    let expected = pixels(&input);
    let out = run(vec![input], true, &[]);
    assert_eq!(pixels(&out[0]), expected);
}

#[test]
fn clock_is_drawn_without_meta() {
    if !open_backend() {
        return;
    }
    let out = run(
        vec![surface(BG)],
        true,
        &[
            ("display-clock", true.to_value()),
            ("x-clock-offset", 100u32.to_value()),
            ("y-clock-offset", 50u32.to_value()),
            ("clock-color", 0x00ff_00ffu32.to_value()),
        ],
    );
    let p = pixels(&out[0]);
    let green = (50..70)
        .flat_map(|y| (100..180).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let c = px(&p, x, y);
            c[1] > 150 && c[0] < 50
        })
        .count();
    assert!(green > 30, "clock: {green} green pixels");
    assert_eq!(px(&p, 50, 20), BG);
}

#[test]
fn out_of_range_parameters_do_not_panic() {
    if !open_backend() {
        return;
    }
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let frame = batch.new_frame().unwrap();
    frame.set_batch_id(0);
    let obj = frame.new_object().unwrap();
    *obj.rect_params_mut() = RectParams {
        left: -1.0e9,
        top: f32::NAN,
        width: f32::INFINITY,
        height: 3.0e9,
        border_width: u32::MAX,
        border_color: Color::RED.into(),
        has_bg_color: 1,
        bg_color: color(2.0, -1.0, f64::NAN, 0.5),
        ..Default::default()
    };
    obj.text_params_mut().set_display_text("");
    let d = frame.new_display_meta().unwrap();
    let t = d.add_text("far away").unwrap();
    t.set_offsets(u32::MAX, u32::MAX);
    t.set_font_size(u32::MAX);
    let t = d.add_text("zero size\nsecond line").unwrap();
    t.set_offsets(300, 230);
    t.set_font_size(0);
    t.set_font_color(Color::WHITE);
    d.add_line(NvOSD_LineParams {
        x1: u32::MAX,
        y1: 0,
        x2: 0,
        y2: u32::MAX,
        line_width: u32::MAX,
        line_color: Color::GREEN.into(),
    })
    .unwrap();
    d.add_circle(NvOSD_CircleParams {
        xc: u32::MAX,
        yc: 5,
        radius: u32::MAX,
        circle_color: Color::BLUE.into(),
        ..Default::default()
    })
    .unwrap();
    for head in [ds_sys::START_HEAD, ds_sys::BOTH_HEAD, 77] {
        d.add_arrow(NvOSD_ArrowParams {
            x1: 5,
            y1: 5,
            x2: 5,
            y2: 5,
            arrow_width: 0,
            arrow_head: head,
            arrow_color: Color::CYAN.into(),
            ..Default::default()
        })
        .unwrap();
    }
    // A frame meta pointing past the surface is skipped.
    batch.new_frame().unwrap().set_batch_id(7);
    let out = run(vec![with_meta(surface(BG), batch)], true, &[]);
    assert_eq!(pixels(&out[0]).len(), (W * H * 4) as usize);
}

#[test]
fn plain_rgba_caps_are_drawn_too() {
    if !open_backend() {
        return;
    }
    let mut buffer = gst::Buffer::from_mut_slice(BG.repeat((W * H) as usize));
    let mut meta = OwnedBatchMeta::new(1).unwrap();
    let frame = meta.new_frame().unwrap();
    frame.set_batch_id(0);
    *frame.new_object().unwrap().rect_params_mut() = RectParams {
        left: 10.0,
        top: 10.0,
        width: 100.0,
        height: 50.0,
        border_width: 3,
        border_color: Color::RED.into(),
        ..Default::default()
    };
    meta.attach(buffer.get_mut().unwrap()).unwrap();
    let out = run(vec![buffer], false, &[]);
    let map = out[0].map_readable().unwrap();
    assert_eq!(px(map.as_slice(), 10, 30), RED);
    assert_eq!(px(map.as_slice(), 12, 30), BG);
}
