//! ds_core::parser's caller side against a C++ parser library that the test
//! compiles from our own ABI declarations (ds-sys' cpp/ds_custom_parser.h):
//! vectors in, vector out, `false`, a C++ exception, missing library and
//! missing symbol.
use ds_core::parser::{
    Attribute, CallError, DetectedObject, DetectionParams, LoadError, NetworkInfo, OutputLayer,
    ParserLibrary,
};
use ds_testkit::parser::{compile_cpp_parser, TempDir};
use std::path::PathBuf;

const SOURCE: &str = r#"
#include "ds_custom_parser.h"
#include <cstring>
#include <stdexcept>

// One object per layer: class = last configured class, left = the layer's
// first value, top = its element count, width = pre-cluster threshold of
// class 0 read through the deprecated name, height = network width,
// confidence = the post-cluster threshold of class 1.
extern "C" bool ParseEcho(std::vector<NvDsInferLayerInfo> const &layers,
                          NvDsInferNetworkInfo const &net,
                          NvDsInferParseDetectionParams const &params,
                          std::vector<NvDsInferObjectDetectionInfo> &out) {
  for (const NvDsInferLayerInfo &l : layers) {
    if (l.dataType != FLOAT || std::strlen(l.layerName) == 0) return false;
    const float *d = static_cast<const float *>(l.buffer);
    out.push_back({params.numClassesConfigured - 1, d[0], float(l.inferDims.numElements),
                   params.perClassThreshold[0], float(net.width),
                   params.perClassPostclusterThreshold[1]});
  }
  return true;
}
extern "C" bool ParseFalse(std::vector<NvDsInferLayerInfo> const &, NvDsInferNetworkInfo const &,
                           NvDsInferParseDetectionParams const &,
                           std::vector<NvDsInferObjectDetectionInfo> &) {
  return false;
}
extern "C" bool ParseThrow(std::vector<NvDsInferLayerInfo> const &, NvDsInferNetworkInfo const &,
                           NvDsInferParseDetectionParams const &,
                           std::vector<NvDsInferObjectDetectionInfo> &) {
  throw std::runtime_error("bad tensor");
}
// Argmax of the first layer, labelled, with a description.
extern "C" bool ClassifyArgmax(std::vector<NvDsInferLayerInfo> const &layers,
                               NvDsInferNetworkInfo const &, float threshold,
                               std::vector<NvDsInferAttribute> &out, std::string &desc) {
  const float *d = static_cast<const float *>(layers.at(0).buffer);
  unsigned best = 0;
  for (unsigned i = 1; i < layers[0].inferDims.numElements; i++)
    if (d[i] > d[best]) best = i;
  if (d[best] < threshold) return true;
  out.push_back({0, best, d[best], strdup(best == 1 ? "green" : "other")});
  desc = "colour";
  return true;
}
DS_CHECK_BBOX_PARSER(ParseEcho);
DS_CHECK_BBOX_PARSER(ParseFalse);
DS_CHECK_BBOX_PARSER(ParseThrow);
DS_CHECK_CLASSIFIER_PARSER(ClassifyArgmax);
"#;

/// The C++ parser library, compiled into a folder removed when the test
/// ends (each test its own: nothing is left behind, also on failure).
fn library() -> (TempDir, PathBuf) {
    let dir = TempDir::new("parser-abi");
    let lib = compile_cpp_parser(&dir, "libtestparser.so", SOURCE);
    (dir, lib)
}

const NET: NetworkInfo = NetworkInfo {
    width: 416,
    height: 320,
    channels: 3,
};

#[test]
fn cpp_bbox_parser_gets_vectors_and_returns_objects() {
    let (_dir, path) = library();
    let lib = ParserLibrary::open(&path).unwrap();
    let p = lib.bbox_parser("ParseEcho").unwrap();
    let a = [7.5f32, 1.0, 2.0, 3.0, 4.0, 5.0];
    let b = [-1.0f32; 4];
    let layers = [
        OutputLayer::new("a", &[2, 3], &a).unwrap(),
        OutputLayer::new("b", &[4], &b).unwrap(),
    ];
    let objects = p
        .parse(
            &layers,
            NET,
            DetectionParams::new(4, &[0.25, 0.5], &[0.0, 0.75]),
        )
        .unwrap();
    let o = |left, top| DetectedObject {
        class_id: 3,
        left,
        top,
        width: 0.25,
        height: 416.0,
        confidence: 0.75,
    };
    assert_eq!(objects, vec![o(7.5, 6.0), o(-1.0, 4.0)]);
}

#[test]
fn false_and_exceptions_are_errors_not_crashes() {
    let (_dir, path) = library();
    let lib = ParserLibrary::open(&path).unwrap();
    let params = DetectionParams::new(1, &[0.5], &[0.0]);
    let e = lib
        .bbox_parser("ParseFalse")
        .unwrap()
        .parse(&[], NET, params);
    assert_eq!(e, Err(CallError::Rejected));
    let e = lib
        .bbox_parser("ParseThrow")
        .unwrap()
        .parse(&[], NET, params);
    assert_eq!(e, Err(CallError::Exception("bad tensor".into())));
    assert_eq!(
        e.unwrap_err().to_string(),
        "the parser threw a C++ exception: bad tensor"
    );
    // ClassifyArgmax throws std::out_of_range on an empty layer list.
    let c = lib.classifier_parser("ClassifyArgmax").unwrap();
    assert!(matches!(
        c.parse(&[], NET, 0.5),
        Err(CallError::Exception(_))
    ));
}

#[test]
fn cpp_classifier_parser_returns_labelled_attributes() {
    let (_dir, path) = library();
    let lib = ParserLibrary::open(&path).unwrap();
    let c = lib.classifier_parser("ClassifyArgmax").unwrap();
    let probs = [0.1f32, 0.8, 0.1];
    let layers = [OutputLayer::new("probs", &[3], &probs).unwrap()];
    let (attrs, desc) = c.parse(&layers, NET, 0.5).unwrap();
    assert_eq!(
        attrs,
        vec![Attribute {
            index: 0,
            value: 1,
            confidence: 0.8,
            label: Some("green".into())
        }]
    );
    assert_eq!(desc, "colour");
    let (attrs, _) = c.parse(&layers, NET, 0.9).unwrap();
    assert!(attrs.is_empty());
}

#[test]
fn missing_library_and_symbol_name_the_file_and_function() {
    let e = ParserLibrary::open("/no/such/libparser.so".as_ref()).unwrap_err();
    assert!(matches!(e, LoadError::Library { .. }));
    assert!(e.to_string().contains("/no/such/libparser.so"), "{e}");
    assert!(
        e.to_string().contains("No such file"),
        "dlerror's text: {e}"
    );
    let (_dir, path) = library();
    let lib = ParserLibrary::open(&path).unwrap();
    let e = lib.bbox_parser("NvDsInferParseNope").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "custom-lib-path '{}' has no function 'NvDsInferParseNope'",
            path.display()
        )
    );
}
