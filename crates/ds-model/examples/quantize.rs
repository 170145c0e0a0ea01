//! `cargo run -p ds-model --example quantize -- MODEL.onnx CACHE OUT.onnx [--symmetric] [KEEP_FP32_NODE...]`
//!
//! Writes the QDQ INT8 model `ds_model::quantize` makes (what the open nvinfer runs for
//! `network-mode=1`), e.g. for the Python peers of ci/bench.sh.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: quantize MODEL.onnx CACHE OUT.onnx [--symmetric] [KEEP_FP32_NODE...]");
        std::process::exit(2);
    }
    let run = || -> Result<(), String> {
        let model = ds_model::onnx_read::OnnxModel::read(std::path::Path::new(&a[1]))?;
        let cache = ds_model::calib::CalibrationCache::read(std::path::Path::new(&a[2]))?;
        let options = ds_model::quantize::Options {
            symmetric_only: a[4..].iter().any(|s| s == "--symmetric"),
            keep_fp32: a[4..]
                .iter()
                .filter(|s| *s != "--symmetric")
                .cloned()
                .collect(),
        };
        let (q, report) = ds_model::quantize::quantize(&model, &cache, &options)?;
        std::fs::write(&a[3], q.encode()).map_err(|e| e.to_string())?;
        println!("{report:?}");
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("quantize: {e}");
        std::process::exit(1);
    }
}
