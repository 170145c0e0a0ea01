//! Inference-only throughput of an ONNX model through the open nvinfer's
//! engine (ONNX Runtime, all cores): the bound deepstream-test1 can reach.
//!
//! ```sh
//! ci/models.sh
//! cargo run --release -p ds-open --example infer_bench -- models/nanodet-m-416.onnx [frames] [batch] [spin|nospin]
//! ```
//! `spin` (the default here) lets ONNX Runtime's idle threads spin, its own
//! default and the fastest setting for inference alone; nvinfer uses `nospin`
//! because it shares the cores with the rest of the pipeline.
use anyhow::{anyhow, bail, Context, Result};
use ds_open::nvinfer::engine::Engine;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(model) = args.first().map(PathBuf::from) else {
        bail!("usage: infer_bench <model.onnx> [frames] [batch] [spin|nospin]");
    };
    let frames: usize = args
        .get(1)
        .map_or(Ok(100), |s| s.parse())
        .context("frames")?;
    let batch: usize = args.get(2).map_or(Ok(1), |s| s.parse()).context("batch")?;
    let spinning = match args.get(3).map(String::as_str) {
        None | Some("spin") => true,
        Some("nospin") => false,
        Some(other) => bail!("expected spin or nospin, not {other}"),
    };
    let threads = match std::env::var("INFER_THREADS") {
        Ok(t) => t.parse().context("INFER_THREADS")?,
        Err(_) => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let engine = Engine::load_with(&model, None, threads, spinning).map_err(|e| anyhow!(e))?;
    let [c, h, w] = engine.input_chw();
    // A fixed pseudo-random input (the timing does not depend on values).
    let input: Vec<f32> = (0..batch * c * h * w)
        .map(|i| ((i * 7919) % 255) as f32 / 57.0 - 2.0)
        .collect();
    engine.run(batch, input.clone()).map_err(|e| anyhow!(e))?; // warm-up
    let runs = frames.div_ceil(batch).max(1);
    let start = Instant::now();
    for _ in 0..runs {
        engine.run(batch, input.clone()).map_err(|e| anyhow!(e))?;
    }
    let secs = start.elapsed().as_secs_f64();
    let n = runs * batch;
    println!(
        "{}: {n} frames ({c}x{h}x{w}, batch {batch}, {threads} threads) in {secs:.2} s: \
         {:.1} frames/s, {:.1} ms/frame",
        model.display(),
        n as f64 / secs,
        secs * 1000.0 / n as f64
    );
    Ok(())
}
