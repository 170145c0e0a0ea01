//! Running a sample's pipeline: the main loop with the samples' `bus_call`
//! lines, Ctrl-C, and the exit status.
use anyhow::{Context, Result};
use ds_core::app;
use gstreamer as gst;
use gstreamer::prelude::*;

/// Plays `pipeline` until end-of-stream or an error, as the samples'
/// `loop.run()` with `bus_call`. Ctrl-C sends end-of-stream first (an MP4
/// being written is finalised), a second Ctrl-C stops at once. The pipeline
/// is set to `NULL` afterwards in every case.
pub fn run(pipeline: &gst::Pipeline) -> Result<()> {
    let stopper = app::Interrupter::new(pipeline);
    ctrlc::set_handler(move || {
        stopper.interrupt();
    })
    .context("cannot install the Ctrl-C handler")?;
    let result = app::run(pipeline);
    pipeline.set_state(gst::State::Null)?;
    Ok(result?)
}

/// The end of every port's `main`: on `Err`, prints `Error: <reason>`
/// unless the bus handler already printed the pipeline's error, runs
/// `cleanup`, and exits with status 1.
pub fn exit_on_error(result: Result<()>, cleanup: impl FnOnce()) {
    if let Err(e) = result {
        if e.downcast_ref::<app::PipelineError>().is_none() {
            eprintln!("Error: {e:#}");
        }
        cleanup();
        std::process::exit(1);
    }
}
