//! Runs a gst-launch-style pipeline description with the open elements
//! registered, and prints frames/s counted at the sink named `sink`.
//!
//! ```sh
//! cargo run --release -p ds-open --example launch_bench -- \
//!   'filesrc location=samples/sample_720p.h264 ! h264parse ! nvv4l2decoder ! m.sink_0 \
//!    nvstreammux name=m batch-size=1 width=1920 height=1080 ! \
//!    nvinfer config-file-path=configs/dstest1_pgie_config.txt ! nvvideoconvert ! nvdsosd ! \
//!    fakesink name=sink sync=false'
//! ```
use anyhow::{anyhow, bail, Context, Result};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<()> {
    let Some(desc) = std::env::args().nth(1) else {
        bail!("usage: launch_bench '<pipeline description with a sink named sink>'");
    };
    ds_open::init().map_err(|e| anyhow!("{e}"))?;
    let pipeline = gst::parse::launch(&desc)
        .context("pipeline description")?
        .downcast::<gst::Pipeline>()
        .map_err(|_| anyhow!("not a pipeline"))?;
    let sink = pipeline
        .by_name("sink")
        .ok_or_else(|| anyhow!("no element named 'sink'"))?;
    let frames = Arc::new(AtomicU64::new(0));
    let counter = frames.clone();
    sink.static_pad("sink")
        .ok_or_else(|| anyhow!("sink has no sink pad"))?
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            counter.fetch_add(1, Ordering::Relaxed);
            gst::PadProbeReturn::Ok
        });
    let start = Instant::now();
    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline.bus().ok_or_else(|| anyhow!("no bus"))?;
    let mut result = Ok(());
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                result = Err(anyhow!("{}", e.error()));
                break;
            }
            _ => {}
        }
    }
    let secs = start.elapsed().as_secs_f64();
    pipeline.set_state(gst::State::Null)?;
    result?;
    let n = frames.load(Ordering::Relaxed);
    println!("{n} frames in {secs:.2} s: {:.2} frames/s", n as f64 / secs);
    Ok(())
}
