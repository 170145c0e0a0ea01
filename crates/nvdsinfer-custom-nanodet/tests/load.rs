//! The built shared object loads (`dlopen`) and its exported functions parse
//! a synthetic NanoDet output through NVIDIA's ABI (vectors in, vector out),
//! in-process and without a model or video: quick enough for the aarch64
//! cross check, which runs it under qemu.
use ds_core::parser::{DetectedObject, DetectionParams, NetworkInfo, OutputLayer, ParserLibrary};

const NET: NetworkInfo = NetworkInfo {
    width: 32,
    height: 32,
    channels: 3,
};

/// A 32x32 input: strides 8, 16, 32 -> 16, 4, 1 locations, 80 classes,
/// 8 bins. Location 5 of stride 8 scores COCO class `coco` at 0.9 with all
/// distances at bin 1 (8 px): a 16x16 box at (4, 4).
fn outputs(coco: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let locs = [16usize, 4, 1];
    let mut cls: Vec<Vec<f32>> = locs.iter().map(|n| vec![0.0; n * 80]).collect();
    let mut reg: Vec<Vec<f32>> = locs.iter().map(|n| vec![0.0; n * 32]).collect();
    cls[0][5 * 80 + coco] = 0.9;
    for side in 0..4 {
        reg[0][5 * 32 + side * 8 + 1] = 50.0;
    }
    (cls, reg)
}

fn parse(lib: &ParserLibrary, func: &str, coco: usize, classes: u32) -> Vec<DetectedObject> {
    let (cls, reg) = outputs(coco);
    let locs = [16u32, 4, 1];
    let names = ["cls_8", "cls_16", "cls_32", "reg_8", "reg_16", "reg_32"];
    let mut layers = Vec::new();
    for i in 0..6 {
        let (data, cols) = if i < 3 {
            (&cls[i], 80)
        } else {
            (&reg[i - 3], 32)
        };
        layers.push(OutputLayer::new(names[i], &[locs[i % 3], cols], data).unwrap());
    }
    let pre = vec![0.5; classes as usize];
    let post = vec![0.0; classes as usize];
    lib.bbox_parser(func)
        .unwrap()
        .parse(&layers, NET, DetectionParams::new(classes, &pre, &post))
        .unwrap()
}

#[test]
fn the_shared_object_loads_and_parses_through_the_abi() {
    let path = ds_testkit::parser::cargo_built_library("libnvdsinfer_custom_impl_nanodet.so");
    let lib = ParserLibrary::open(&path).unwrap();
    let object = |class_id| DetectedObject {
        class_id,
        left: 4.0,
        top: 4.0,
        width: 16.0,
        height: 16.0,
        confidence: 0.9,
    };
    // COCO car (2) -> the samples' Car (0); person (0) -> Person (2).
    assert_eq!(
        parse(&lib, "NvDsInferParseCustomNanoDet", 2, 4),
        [object(0)]
    );
    assert_eq!(
        parse(&lib, "NvDsInferParseCustomNanoDet", 0, 4),
        [object(2)]
    );
    // A COCO class the samples do not have (dog, 16) is dropped.
    assert_eq!(parse(&lib, "NvDsInferParseCustomNanoDet", 16, 4), []);
    assert_eq!(
        parse(&lib, "NvDsInferParseCustomNanoDetCoco", 16, 80),
        [object(16)]
    );
    // Not NanoDet's layers: the function returns false, no crash.
    let e = lib
        .bbox_parser("NvDsInferParseCustomNanoDet")
        .unwrap()
        .parse(&[], NET, DetectionParams::new(4, &[0.5; 4], &[0.0; 4]));
    assert_eq!(e, Err(ds_core::parser::CallError::Rejected));
}

/// The dynamic symbols the library defines: the parser functions alone (no
/// nvds_* / NvBufSurface* of the open backend that would meet NVIDIA's
/// libnvds_meta in nvinfer's process). `nm` from binutils (`$NM`) reads the
/// table; dlsym checks a few names too.
#[test]
fn the_shared_object_exports_only_the_parser_functions() {
    let path = ds_testkit::parser::cargo_built_library("libnvdsinfer_custom_impl_nanodet.so");
    let nm = std::env::var("NM").unwrap_or_else(|_| "nm".into());
    let out = std::process::Command::new(&nm)
        .args(["-D", "--defined-only"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{nm} (binutils; or set $NM): {e}"));
    assert!(out.status.success(), "{out:?}");
    let mut names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(str::to_string)
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "NvDsInferParseCustomNanoDet",
            "NvDsInferParseCustomNanoDetCoco"
        ]
    );
    let lib = ParserLibrary::open(&path).unwrap();
    for hidden in [
        "nvds_acquire_obj_meta_from_pool",
        "nvds_meta_api_get_type",
        "gst_buffer_get_nvds_batch_meta",
        "NvBufSurfaceMap",
    ] {
        assert!(lib.bbox_parser(hidden).is_err(), "{hidden} is exported");
    }
}
