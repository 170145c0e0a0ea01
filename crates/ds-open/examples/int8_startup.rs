//! Start-up of the open nvinfer's model preparation, with and without
//! `model-engine-file` (BENCHMARKS.md, issue 17):
//! `cargo run --release -p ds-open --example int8_startup -- CONFIG CACHE`
//! prints milliseconds to prepare the model and create the ONNX Runtime session,
//! for FP32, INT8 built from the cache, and INT8 loaded from the engine file.
use ds_open::nvinfer::config::{InferConfig, NetworkMode};
use ds_open::nvinfer::engine::Engine;
use ds_open::nvinfer::int8;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), String> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 3 {
        return Err("usage: int8_startup CONFIG CACHE".into());
    }
    let (mut c, _) = InferConfig::from_file(a[1].as_ref()).map_err(|e| e.to_string())?;
    let onnx = c.onnx_file.clone().ok_or("no onnx-file")?;
    let engine_file =
        std::env::temp_dir().join(format!("int8-startup-{}.engine", std::process::id()));
    let _ = std::fs::remove_file(&engine_file);
    let time = |label: &str, c: &InferConfig, file: Option<&PathBuf>| -> Result<(), String> {
        let t = Instant::now();
        let p = int8::prepare(c, &onnx, file.map(|f| f.as_path()))?;
        let prep = t.elapsed().as_secs_f64() * 1e3;
        let e = Engine::load_bytes(&p.bytes, &onnx, c.onnxruntime_lib.as_deref(), 2, false)?;
        let total = t.elapsed().as_secs_f64() * 1e3;
        drop(e);
        println!(
            "{label:<34} prepare {prep:7.1} ms  + session {:7.1} ms = {total:7.1} ms{}",
            total - prep,
            if p.from_engine_file {
                " (engine file)"
            } else {
                ""
            }
        );
        Ok(())
    };
    c.network_mode = NetworkMode::Fp32;
    time("fp32 (warm-up)", &c, None)?;
    time("fp32", &c, None)?;
    c.network_mode = NetworkMode::Int8;
    c.int8_calib_file = Some(PathBuf::from(&a[2]));
    time("int8, no model-engine-file", &c, None)?;
    time("int8, engine file written", &c, Some(&engine_file))?;
    time("int8, engine file reused", &c, Some(&engine_file))?;
    let _ = std::fs::remove_file(&engine_file);
    Ok(())
}
