// deepstream-rs: the std::vector / std::string bridge of the custom
// output-parser ABI (ds_custom_parser.h). No logic beyond the bridge; the
// Rust side is ds_sys::parser (raw) and ds_core::parser (safe).
//
// Caller side (the open nvinfer calls a parser from a loaded library):
//   ds_parser_call_bbox / ds_parser_call_classifier build the vectors from C
//   arrays, call the function pointer inside try/catch and hand the results
//   back through a C callback.
// Callee side (a parser written in Rust, exported under NVIDIA's ABI):
//   accessors that read the vectors nvinfer passes as C arrays and append to
//   the output vector / string, never letting a C++ exception cross.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "ds_custom_parser.h"

// The C structs must have ds-sys' layouts (checked there by the same
// numbers, in src/parser.rs, on 64-bit targets).
#if defined(__LP64__)
static_assert(sizeof(NvDsInferDims) == 40, "NvDsInferDims");
static_assert(sizeof(NvDsInferLayerInfo) == 72, "NvDsInferLayerInfo");
static_assert(offsetof(NvDsInferLayerInfo, layerName) == 48, "layerName");
static_assert(offsetof(NvDsInferLayerInfo, isInput) == 64, "isInput");
static_assert(sizeof(NvDsInferNetworkInfo) == 12, "NvDsInferNetworkInfo");
static_assert(sizeof(NvDsInferObjectDetectionInfo) == 24, "NvDsInferObjectDetectionInfo");
static_assert(sizeof(NvDsInferAttribute) == 24, "NvDsInferAttribute");
#endif

namespace {
enum : int { DS_PARSER_OK = 0, DS_PARSER_FALSE = 1, DS_PARSER_EXCEPTION = 2 };

void copy_message(const char *what, char *err, size_t err_len) {
  if (err == nullptr || err_len == 0) return;
  std::strncpy(err, what, err_len - 1);
  err[err_len - 1] = '\0';
}
}  // namespace

extern "C" {

typedef void (*ds_objects_sink)(void *ctx, const NvDsInferObjectDetectionInfo *objects, size_t n);
typedef void (*ds_attributes_sink)(void *ctx, const NvDsInferAttribute *attributes, size_t n,
                                   const char *desc, size_t desc_len);

int ds_parser_call_bbox(void *fn, const NvDsInferLayerInfo *layers, size_t num_layers,
                        const NvDsInferNetworkInfo *network, unsigned int num_classes,
                        const float *pre, size_t num_pre, const float *post, size_t num_post,
                        ds_objects_sink sink, void *ctx, char *err, size_t err_len) {
  try {
    std::vector<NvDsInferLayerInfo> in(layers, layers + num_layers);
    NvDsInferParseDetectionParams params;
    params.numClassesConfigured = num_classes;
    params.perClassPreclusterThreshold.assign(pre, pre + num_pre);
    params.perClassPostclusterThreshold.assign(post, post + num_post);
    std::vector<NvDsInferObjectDetectionInfo> out;
    bool ok = reinterpret_cast<NvDsInferParseCustomFunc>(fn)(in, *network, params, out);
    if (!ok) return DS_PARSER_FALSE;
    sink(ctx, out.data(), out.size());
    return DS_PARSER_OK;
  } catch (const std::exception &e) {
    copy_message(e.what(), err, err_len);
  } catch (...) {
    copy_message("unknown C++ exception", err, err_len);
  }
  return DS_PARSER_EXCEPTION;
}

int ds_parser_call_classifier(void *fn, const NvDsInferLayerInfo *layers, size_t num_layers,
                              const NvDsInferNetworkInfo *network, float threshold,
                              ds_attributes_sink sink, void *ctx, char *err, size_t err_len) {
  std::vector<NvDsInferAttribute> out;
  int rc = DS_PARSER_EXCEPTION;
  try {
    std::vector<NvDsInferLayerInfo> in(layers, layers + num_layers);
    std::string desc;
    bool ok = reinterpret_cast<NvDsInferClassiferParseCustomFunc>(fn)(in, *network, threshold,
                                                                        out, desc);
    if (ok) {
      sink(ctx, out.data(), out.size(), desc.data(), desc.size());
      rc = DS_PARSER_OK;
    } else {
      rc = DS_PARSER_FALSE;
    }
  } catch (const std::exception &e) {
    copy_message(e.what(), err, err_len);
  } catch (...) {
    copy_message("unknown C++ exception", err, err_len);
  }
  // The labels are the caller's to free, as in nvinfer.
  for (NvDsInferAttribute &a : out) std::free(a.attributeLabel);
  return rc;
}

size_t ds_parser_layers(const void *layers, const NvDsInferLayerInfo **data) {
  auto *v = static_cast<const std::vector<NvDsInferLayerInfo> *>(layers);
  *data = v->data();
  return v->size();
}

void ds_parser_detection_params(const void *params, unsigned int *num_classes, const float **pre,
                                size_t *num_pre, const float **post, size_t *num_post) {
  auto *p = static_cast<const NvDsInferParseDetectionParams *>(params);
  *num_classes = p->numClassesConfigured;
  *pre = p->perClassPreclusterThreshold.data();
  *num_pre = p->perClassPreclusterThreshold.size();
  *post = p->perClassPostclusterThreshold.data();
  *num_post = p->perClassPostclusterThreshold.size();
}

int ds_parser_push_object(void *objects, const NvDsInferObjectDetectionInfo *object) {
  try {
    static_cast<std::vector<NvDsInferObjectDetectionInfo> *>(objects)->push_back(*object);
    return DS_PARSER_OK;
  } catch (...) {
    return DS_PARSER_EXCEPTION;
  }
}

int ds_parser_push_attribute(void *attributes, unsigned int index, unsigned int value,
                             float confidence, const char *label, size_t label_len) {
  char *copy = nullptr;
  if (label != nullptr) {
    copy = static_cast<char *>(std::malloc(label_len + 1));
    if (copy == nullptr) return DS_PARSER_EXCEPTION;
    std::memcpy(copy, label, label_len);
    copy[label_len] = '\0';
  }
  try {
    static_cast<std::vector<NvDsInferAttribute> *>(attributes)
        ->push_back(NvDsInferAttribute{index, value, confidence, copy});
    return DS_PARSER_OK;
  } catch (...) {
    std::free(copy);
    return DS_PARSER_EXCEPTION;
  }
}

int ds_parser_set_string(void *string, const char *text, size_t len) {
  try {
    static_cast<std::string *>(string)->assign(text, len);
    return DS_PARSER_OK;
  } catch (...) {
    return DS_PARSER_EXCEPTION;
  }
}

}  // extern "C"
