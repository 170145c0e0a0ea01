//! `tfjs2onnx`: converts a TensorFlow.js graph model to ONNX (opset 13).
//!
//! ```text
//! tfjs2onnx [--input-name NAME] [--output TF_TENSOR=NAME]... [--batch N] [--nchw-input]
//!           [--sink-transposes] <model.json> <out.onnx>
//! ```
//! Without `--batch` the batch dimension is dynamic (`batch`). `--nchw-input` exposes an NHWC
//! image input as NCHW (`[batch, C, H, W]`, what nvinfer feeds);
//! `--sink-transposes` moves transposes past elementwise ops and means so more of them cancel.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use ds_model::convert::{convert, Options};
use ds_model::tfjs::GraphModel;

const USAGE: &str = "usage: tfjs2onnx [--input-name NAME] [--output TF_TENSOR=NAME]... \
                     [--batch N] [--nchw-input] [--sink-transposes] <model.json> <out.onnx>";

fn parse_args(args: &[String]) -> Result<(Options, PathBuf, PathBuf), String> {
    let mut options = Options::default();
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "--nchw-input" => options.nchw_input = true,
            "--sink-transposes" => options.sink_transposes = true,
            "--input-name" => options.input_name = Some(value(arg)?),
            "--output" => {
                let v = value(arg)?;
                let (tf, name) = v
                    .split_once('=')
                    .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                    .ok_or_else(|| format!("--output expects TF_TENSOR=NAME, got '{v}'"))?;
                options.outputs.push((tf.to_owned(), name.to_owned()));
            }
            "--batch" => {
                let v = value(arg)?;
                let n: usize = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("--batch expects a positive integer, got '{v}'"))?;
                options.batch = Some(n);
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unknown option '{s}'; {USAGE}"))
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    match <[PathBuf; 2]>::try_from(positional) {
        Ok([input, output]) => Ok((options, input, output)),
        Err(_) => Err(USAGE.into()),
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let (options, input, output) = parse_args(args)?;
    let model = GraphModel::load(&input).map_err(|e| e.to_string())?;
    let (onnx, stats) = convert(&model, &options).map_err(|e| e.to_string())?;
    let bytes = onnx.encode();
    let tmp = output.with_extension("onnx.tmp");
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, &output))
        .map_err(|e| format!("{}: {e}", output.display()))?;
    let ops: Vec<String> = stats
        .op_counts
        .iter()
        .map(|(op, n)| format!("{op} {n}"))
        .collect();
    Ok(format!(
        "wrote {} ({} bytes): {} nodes ({}), {} constants folded",
        output.display(),
        bytes.len(),
        stats.nodes,
        ops.join(", "),
        stats.folded
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tfjs2onnx: {e}");
            ExitCode::FAILURE
        }
    }
}
