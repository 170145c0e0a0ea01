//! Parsers written in Rust with `export_bbox_parser!` /
//! `export_classifier_parser!`, called in-process through ds-sys' C++
//! bridge exactly as a loaded library's function would be: Rust arrays ->
//! C++ vectors -> the exported function -> C++ vector -> Rust. An `Err` and a
//! panic both come back as `false`, never as an unwind into C++.
use ds_core::parser::{
    Attribute, Attributes, ClassifierInput, DataType, DetectedObject, Detections, DetectorInput,
};
use ds_sys::parser::{
    ds_parser_call_bbox, ds_parser_call_classifier, DS_PARSER_FALSE, DS_PARSER_OK,
};
use ds_sys::{
    NvDsInferAttribute, NvDsInferLayerInfo, NvDsInferNetworkInfo, NvDsInferObjectDetectionInfo,
};
use std::os::raw::{c_char, c_void};

fn echo(input: &DetectorInput<'_>, out: &mut Detections<'_>) -> Result<(), String> {
    let layer = input.layer("x").ok_or("no layer x")?;
    assert_eq!(layer.dims(), &[2]);
    assert_eq!(layer.data_type(), DataType::Float);
    let x = layer.as_f32().ok_or("not FLOAT")?;
    let p = input.params();
    out.push(DetectedObject {
        class_id: p.num_classes() - 1,
        left: x[0],
        top: x[1],
        width: p.pre_cluster_threshold(1),
        height: p.post_cluster_threshold(0),
        confidence: input.network().width as f32,
    });
    Ok(())
}

fn fails(_: &DetectorInput<'_>, _: &mut Detections<'_>) -> Result<(), String> {
    Err("deliberate".into())
}

fn panics(_: &DetectorInput<'_>, _: &mut Detections<'_>) -> Result<(), String> {
    panic!("deliberate panic in a parser")
}

fn classify(input: &ClassifierInput<'_>, out: &mut Attributes<'_>) -> Result<(), String> {
    out.push(&Attribute {
        index: 0,
        value: 2,
        confidence: input.threshold(),
        label: Some("blue".into()),
    });
    out.set_description("it is blue");
    Ok(())
}

ds_core::export_bbox_parser!(TestParseEcho, echo);
ds_core::export_bbox_parser!(TestParseFails, fails);
ds_core::export_bbox_parser!(TestParsePanics, panics);
ds_core::export_classifier_parser!(TestClassify, classify);

unsafe extern "C" fn sink(
    ctx: *mut c_void,
    objects: *const NvDsInferObjectDetectionInfo,
    n: usize,
) {
    // SAFETY: ctx is the Vec below; objects holds n entries for the call.
    let (out, objs) = unsafe {
        (
            &mut *(ctx as *mut Vec<NvDsInferObjectDetectionInfo>),
            std::slice::from_raw_parts(objects, n),
        )
    };
    out.extend_from_slice(objs);
}

fn call(func: *mut c_void) -> (i32, Vec<NvDsInferObjectDetectionInfo>) {
    let data = [3.0f32, 4.0];
    let mut dims = ds_sys::NvDsInferDims {
        numDims: 1,
        numElements: 2,
        ..Default::default()
    };
    dims.d[0] = 2;
    let layer = NvDsInferLayerInfo {
        dataType: ds_sys::FLOAT,
        inferDims: dims,
        bindingIndex: 1,
        layerName: c"x".as_ptr(),
        buffer: data.as_ptr() as *mut c_void,
        isInput: 0,
    };
    let net = NvDsInferNetworkInfo {
        width: 416,
        height: 416,
        channels: 3,
    };
    let (pre, post) = ([0.25f32, 0.5], [0.75f32, 0.0]);
    let mut out = Vec::new();
    let mut err = [0 as c_char; 64];
    // SAFETY: func is one of the exported parsers above (an
    // NvDsInferParseCustomFunc); every array is valid for the call.
    let rc = unsafe {
        ds_parser_call_bbox(
            func,
            &layer,
            1,
            &net,
            3,
            pre.as_ptr(),
            2,
            post.as_ptr(),
            2,
            sink,
            &mut out as *mut Vec<NvDsInferObjectDetectionInfo> as *mut c_void,
            err.as_mut_ptr(),
            err.len(),
        )
    };
    (rc, out)
}

#[test]
fn rust_parser_round_trips_through_the_cpp_abi() {
    let (rc, out) = call(TestParseEcho as *mut c_void);
    assert_eq!(rc, DS_PARSER_OK);
    assert_eq!(
        out,
        vec![NvDsInferObjectDetectionInfo {
            classId: 2,
            left: 3.0,
            top: 4.0,
            width: 0.5,
            height: 0.75,
            detectionConfidence: 416.0,
        }]
    );
}

#[test]
fn err_and_panic_return_false_without_unwinding() {
    assert_eq!(call(TestParseFails as *mut c_void).0, DS_PARSER_FALSE);
    assert_eq!(call(TestParsePanics as *mut c_void).0, DS_PARSER_FALSE);
}

unsafe extern "C" fn attr_sink(
    ctx: *mut c_void,
    attrs: *const NvDsInferAttribute,
    n: usize,
    desc: *const c_char,
    len: usize,
) {
    // SAFETY: ctx is the Vec below; attrs holds n entries, desc len bytes,
    // labels NUL-terminated, all for the call.
    unsafe {
        let out = &mut *(ctx as *mut Vec<String>);
        for a in std::slice::from_raw_parts(attrs, n) {
            let label = std::ffi::CStr::from_ptr(a.attributeLabel).to_str().unwrap();
            out.push(format!(
                "{} {} {} {label}",
                a.attributeIndex, a.attributeValue, a.attributeConfidence
            ));
        }
        out.push(
            String::from_utf8_lossy(std::slice::from_raw_parts(desc as *const u8, len)).into(),
        );
    }
}

#[test]
fn rust_classifier_parser_round_trips_through_the_cpp_abi() {
    let net = NvDsInferNetworkInfo::default();
    let mut out: Vec<String> = Vec::new();
    let mut err = [0 as c_char; 64];
    // SAFETY: TestClassify is an NvDsInferClassiferParseCustomFunc; no
    // layers; the sink fills `out`.
    let rc = unsafe {
        ds_parser_call_classifier(
            TestClassify as *mut c_void,
            std::ptr::null(),
            0,
            &net,
            0.5,
            attr_sink,
            &mut out as *mut Vec<String> as *mut c_void,
            err.as_mut_ptr(),
            err.len(),
        )
    };
    assert_eq!(rc, DS_PARSER_OK);
    assert_eq!(out, ["0 2 0.5 blue", "it is blue"]);
}
