// deepstream-rs: our own C++ declarations of DeepStream's custom output-parser
// ABI (the functions nvinfer resolves with parse-bbox-func-name and
// parse-classifier-func-name in the library named by custom-lib-path).
//
// Written from the facts of NVIDIA's public headers (nvdsinfer.h and
// nvdsinfer_custom_impl.h of DeepStream 6.3 and 8.0, which bracket 7.1):
// type and field names, order and types; no header text is copied. The C
// structs match ds-sys' #[repr(C)] definitions (crates/ds-sys/src/infer.rs,
// checked by ds-sys' layout test). A parser written against NVIDIA's header
// compiles against this one.
#ifndef DS_CUSTOM_PARSER_H
#define DS_CUSTOM_PARSER_H

#include <stddef.h>

#ifdef __cplusplus
#include <string>
#include <vector>
extern "C" {
#endif

#define NVDSINFER_MAX_DIMS 8

// Element type of a layer (a C enum: int-sized).
typedef enum { FLOAT = 0, HALF = 1, INT8 = 2, INT32 = 3 } NvDsInferDataType;

typedef struct {
  unsigned int numDims;
  unsigned int d[NVDSINFER_MAX_DIMS];
  unsigned int numElements;
} NvDsInferDims;

// One output layer: dimensions without the batch dimension, data in host
// memory, name NUL-terminated.
typedef struct {
  NvDsInferDataType dataType;
  union {
    NvDsInferDims inferDims;
    NvDsInferDims dims;  // deprecated alias
  };
  int bindingIndex;
  const char *layerName;
  void *buffer;
  int isInput;
} NvDsInferLayerInfo;

typedef struct {
  unsigned int width;
  unsigned int height;
  unsigned int channels;
} NvDsInferNetworkInfo;

// A detection in network-input pixels.
typedef struct {
  unsigned int classId;
  float left;
  float top;
  float width;
  float height;
  float detectionConfidence;
} NvDsInferObjectDetectionInfo;
typedef NvDsInferObjectDetectionInfo NvDsInferParseObjectInfo;

// One classifier result; attributeLabel is malloc'ed by the parser and
// freed by the caller with free().
typedef struct {
  unsigned int attributeIndex;
  unsigned int attributeValue;
  float attributeConfidence;
  char *attributeLabel;
} NvDsInferAttribute;

#ifdef __cplusplus
}  // extern "C"

// The detection parameters nvinfer passes to a bounding-box parser.
// 6.3 and 8.0 declare the deprecated name perClassThreshold as a reference
// member after the two vectors (not a union); a parser may read either name.
typedef struct {
  unsigned int numClassesConfigured;
  std::vector<float> perClassPreclusterThreshold;
  std::vector<float> perClassPostclusterThreshold;
  std::vector<float> &perClassThreshold = perClassPreclusterThreshold;
} NvDsInferParseDetectionParams;

// parse-bbox-func-name: an extern "C" function of this type.
typedef bool (*NvDsInferParseCustomFunc)(
    std::vector<NvDsInferLayerInfo> const &outputLayersInfo,
    NvDsInferNetworkInfo const &networkInfo,
    NvDsInferParseDetectionParams const &detectionParams,
    std::vector<NvDsInferObjectDetectionInfo> &objectList);

// parse-classifier-func-name: an extern "C" function of this type.
typedef bool (*NvDsInferClassiferParseCustomFunc)(
    std::vector<NvDsInferLayerInfo> const &outputLayersInfo,
    NvDsInferNetworkInfo const &networkInfo, float classifierThreshold,
    std::vector<NvDsInferAttribute> &attrList, std::string &descString);

// Compile-time checks that a parser has the type nvinfer calls (the
// equivalents of NVIDIA's CHECK_CUSTOM_*_PROTOTYPE macros).
#define DS_CHECK_BBOX_PARSER(fn) \
  static_assert(sizeof(NvDsInferParseCustomFunc{fn}) > 0, #fn " has the bbox parser type")
#define DS_CHECK_CLASSIFIER_PARSER(fn)                                \
  static_assert(sizeof(NvDsInferClassiferParseCustomFunc{fn}) > 0, \
                #fn " has the classifier parser type")
#endif  // __cplusplus

#endif  // DS_CUSTOM_PARSER_H
