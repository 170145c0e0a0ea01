//! The open video path end to end: an H.264 file through
//! `nvv4l2decoder ! nvstreammux ! nvvideoconvert ! nvdsosd`, a pad probe that
//! adds a box and a text to every frame, and the result written to MP4
//! (`nvvideoconvert ! nvv4l2h264enc ! h264parse ! mp4mux ! filesink`).
//!
//! ```sh
//! ci/samples.sh
//! cargo run --release -p ds-open --example osd_to_mp4 -- samples/sample_720p.h264 out/osd.mp4 [frames]
//! ```
//!
//! Prints the frames/s of the whole pipeline at the end.
use anyhow::{bail, Context, Result};
use ds_core::osd::Color;
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::time::Instant;

/// Adds the probe's box and text to every frame of `buffer`.
pub fn draw_marks(buffer: &mut gst::BufferRef) {
    let Some(batch) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    let mut batch = batch.lock();
    for mut frame in batch.frames_mut() {
        let frame_num = frame.frame_num();
        if let Ok(obj) = frame.new_object() {
            let r = obj.rect_params_mut();
            r.left = 100.0;
            r.top = 100.0;
            r.width = 200.0;
            r.height = 150.0;
            r.border_width = 6;
            r.border_color = Color::from_rgba8(255, 0, 0, 255).to_params();
        }
        if let Ok(display) = frame.new_display_meta() {
            if let Ok(text) = display.add_text(&format!("Frame Number={frame_num} open backend")) {
                text.set_offsets(10, 12);
                text.set_font_name("Serif");
                text.set_font_size(12);
                text.set_font_color(Color::from_rgba8(255, 255, 255, 255));
                text.set_bg_color(Color::from_rgba8(0, 0, 0, 255));
            }
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output) = match args.as_slice() {
        [i, o, ..] => (i.clone(), o.clone()),
        _ => bail!("usage: osd_to_mp4 <input.h264> <output.mp4> [frames]"),
    };
    let frames: u32 = match args.get(2) {
        Some(n) => n.parse().context("frames must be a number")?,
        None => 0,
    };
    ds_open::init_and_report()?;
    if !std::path::Path::new(&input).is_file() {
        bail!("{input}: no such file (run ci/samples.sh for the sample)");
    }
    if let Some(dir) = std::path::Path::new(&output).parent() {
        std::fs::create_dir_all(dir).ok();
    }
    let limit = if frames > 0 {
        format!("identity eos-after={frames} ! ")
    } else {
        String::new()
    };
    let desc = format!(
        "filesrc location=\"{input}\" ! h264parse ! nvv4l2decoder ! {limit}m.sink_0 \
         nvstreammux name=m batch-size=1 width=1280 height=720 ! nvvideoconvert ! \
         video/x-raw(memory:NVMM),format=RGBA ! nvdsosd name=osd ! nvvideoconvert ! \
         nvv4l2h264enc ! h264parse ! mp4mux ! filesink location=\"{output}\""
    );
    let pipeline = gst::parse::launch(&desc)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let osd = pipeline.by_name("osd").context("no osd")?;
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let c = counted.clone();
    osd.static_pad("sink")
        .context("no osd sink pad")?
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() {
                draw_marks(buffer.make_mut());
                c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            gst::PadProbeReturn::Ok
        });
    // First Ctrl-C: EOS, so the MP4 is finalised; a second one stops at once.
    let stopper = ds_core::app::Interrupter::new(&pipeline);
    ctrlc::set_handler(move || {
        stopper.interrupt();
    })?;
    let start = Instant::now();
    ds_core::app::run(&pipeline)?;
    let secs = start.elapsed().as_secs_f64();
    let n = counted.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "{n} frames in {secs:.2} s: {:.1} frames/s -> {output}",
        n as f64 / secs
    );
    Ok(())
}
