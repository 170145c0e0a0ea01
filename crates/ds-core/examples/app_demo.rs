//! A small tour of ds-core's app utilities, run by `ci/demo.sh` until the
//! sample apps exist: prints the backend line and the platform, plays a
//! 5-second test pattern in real time, counts frames with a pad probe and
//! prints the samples' `**PERF:` lines every second, then `End-of-stream`.
//!
//! `cargo run -p ds-core --example app_demo`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use ds_core::app::{self, PerfData, PlatformInfo};
use gstreamer as gst;
use gstreamer::prelude::*;

fn main() -> ExitCode {
    match demo() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), Box<dyn std::error::Error>> {
    app::init_and_report()?;
    let platform = PlatformInfo::current();
    println!(
        "Platform: aarch64={} integrated-gpu={} discrete-gpu={} wsl={}",
        platform.aarch64, platform.integrated_gpu, platform.discrete_gpu, platform.wsl
    );

    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=150 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! fakesink name=sink sync=true",
    )?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline")?;

    let perf = Arc::new(PerfData::new(1));
    let sink_pad = pipeline
        .by_name("sink")
        .and_then(|s| s.static_pad("sink"))
        .ok_or("no sink pad")?;
    let counter = Arc::clone(&perf);
    sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        counter.update_fps(0);
        gst::PadProbeReturn::Ok
    });
    let timer = perf.start_printing(Duration::from_secs(1));

    println!("Starting pipeline");
    let result = app::run(&pipeline);
    timer.remove();
    result?;
    Ok(())
}
