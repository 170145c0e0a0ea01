//! Runs NanoDet-m on a 416x416 packed BGR file with tract, prints the detections and the
//! mean inference time.
//!
//! ```text
//! cargo run --release -p ds-model --example nanodet -- \
//!     models/nanodet-m-416.onnx models/.cache/images/dog_416x416.bgr [iterations]
//! ```

use std::time::Instant;

use ds_model::nanodet::{self, Config, Level, COCO_LABELS, NANODET_BGR};
use tract_onnx::prelude::*;

fn main() -> TractResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (onnx, image) = match (args.first(), args.get(1)) {
        (Some(o), Some(i)) => (o, i),
        _ => {
            eprintln!("usage: nanodet <model.onnx> <image_416x416.bgr> [iterations]");
            std::process::exit(2);
        }
    };
    let iterations: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let config = Config::nanodet_m_416();
    let (w, h) = (config.input_width as usize, config.input_height as usize);
    let raw = std::fs::read(image)?;
    let input = nanodet::preprocess_packed(&raw, w, h, &NANODET_BGR)?;

    let t0 = Instant::now();
    let model = tract_onnx::onnx()
        .model_for_path(onnx)?
        .with_input_fact(0, f32::fact([1, 3, h, w]).into())?
        .into_optimized()?
        .into_runnable()?;
    println!(
        "load + optimise: {:.0} ms",
        t0.elapsed().as_secs_f64() * 1e3
    );

    let input: Tensor = tract_ndarray::Array4::from_shape_vec((1, 3, h, w), input)?.into();
    let mut outputs = model.run(tvec!(input.clone().into()))?; // warm-up
    let t1 = Instant::now();
    for _ in 0..iterations {
        outputs = model.run(tvec!(input.clone().into()))?;
    }
    let per_frame = t1.elapsed().as_secs_f64() * 1e3 / iterations.max(1) as f64;

    let t2 = Instant::now();
    let views = outputs
        .iter()
        .map(|o| o.as_slice::<f32>())
        .collect::<TractResult<Vec<_>>>()?;
    let levels: Vec<Level> = config
        .strides
        .iter()
        .enumerate()
        .map(|(l, &stride)| Level {
            stride,
            cls: views[l],
            reg: views[l + 3],
        })
        .collect();
    let dets = nanodet::postprocess(&config, &levels)?;
    let post = t2.elapsed().as_secs_f64() * 1e3;
    println!(
        "inference: {per_frame:.1} ms/frame (mean of {iterations}), post-processing {post:.2} ms"
    );
    for d in dets {
        println!(
            "{:<12} {:.2} [{:.0}, {:.0}, {:.0}, {:.0}] (416x416 input pixels)",
            COCO_LABELS[d.class_id], d.score, d.left, d.top, d.right, d.bottom
        );
    }
    Ok(())
}
