//! ABI check: size, alignment and field offsets of every `#[repr(C)]`
//! struct of ds-sys, and the numeric values of the C enums, against the
//! DeepStream 7.1 headers.
//!
//! The numbers were printed by a throwaway C program (not committed) that
//! includes copies of the DeepStream headers adjusted to 7.1 (the decisions
//! are documented in each ds-sys module) and was built with
//! `gcc $(pkg-config --cflags gstreamer-1.0 gstreamer-video-1.0)` on x86_64
//! Linux. aarch64 Linux (Jetson) is also LP64 with the same alignment rules
//! for these types (no long double, no bit-fields), so the table holds
//! there too; it is not valid for 32-bit targets.
#![cfg(target_pointer_width = "64")]
#![allow(non_upper_case_globals)]

use ds_sys::*;
use std::mem::{align_of, offset_of, size_of};

/// `check!(Type, size, align, [field: offset, ...])`
macro_rules! check {
    ($t:ty, $size:expr, $align:expr, [$($f:ident: $off:expr,)*]) => {{
        assert_eq!(size_of::<$t>(), $size, concat!("size_of::<", stringify!($t), ">"));
        assert_eq!(align_of::<$t>(), $align, concat!("align_of::<", stringify!($t), ">"));
        $(
            assert_eq!(
                offset_of!($t, $f),
                $off,
                concat!("offset_of!(", stringify!($t), ", ", stringify!($f), ")")
            );
        )*
    }};
}

/// `enums!((CONST, value), ...)`: the constant has the C enumerator's value.
macro_rules! enums {
    ($(($c:ident, $v:expr),)*) => {{
        $( assert_eq!($c as i64, $v, stringify!($c)); )*
    }};
}

#[test]
fn layout_osd() {
    check!(NvBbox_Coords, 16, 4, [left: 0, top: 4, width: 8, height: 12,]);
    check!(NvOSD_ColorParams, 32, 8, [red: 0, green: 8, blue: 16, alpha: 24,]);
    check!(NvOSD_FontParams, 48, 8, [font_name: 0, font_size: 8, font_color: 16,]);
    check!(NvOSD_TextParams, 104, 8, [display_text: 0, x_offset: 8, y_offset: 12, font_params: 16, set_bg_clr: 64, text_bg_clr: 72,]);
    check!(NvOSD_Color_info, 40, 8, [id: 0, color: 8,]);
    check!(NvOSD_RectParams, 104, 8, [left: 0, top: 4, width: 8, height: 12, border_width: 16, border_color: 24, has_bg_color: 56, reserved: 60, bg_color: 64, has_color_info: 96, color_id: 100,]);
    check!(NvOSD_MaskParams, 24, 8, [data: 0, size: 8, threshold: 12, width: 16, height: 20,]);
    check!(NvOSD_LineParams, 56, 8, [x1: 0, y1: 4, x2: 8, y2: 12, line_width: 16, line_color: 24,]);
    check!(NvOSD_ArrowParams, 64, 8, [x1: 0, y1: 4, x2: 8, y2: 12, arrow_width: 16, arrow_head: 20, arrow_color: 24, reserved: 56,]);
    check!(NvOSD_CircleParams, 96, 8, [xc: 0, yc: 4, radius: 8, circle_color: 16, has_bg_color: 48, bg_color: 56, reserved: 88,]);
}

#[test]
fn layout_meta() {
    check!(NvDsComp_BboxInfo, 16, 4, [org_bbox_coords: 0,]);
    check!(NvDsMetaPool, 56, 8, [meta_type: 0, max_elements_in_pool: 4, element_size: 8, num_empty_elements: 12, num_full_elements: 16, empty_list: 24, full_list: 32, copy_func: 40, release_func: 48,]);
    check!(NvDsBaseMeta, 40, 8, [batch_meta: 0, meta_type: 8, uContext: 16, copy_func: 24, release_func: 32,]);
    check!(NvDsBatchMeta, 192, 8, [base_meta: 0, max_frames_in_batch: 40, num_frames_in_batch: 44, frame_meta_pool: 48, obj_meta_pool: 56, classifier_meta_pool: 64, display_meta_pool: 72, user_meta_pool: 80, label_info_meta_pool: 88, frame_meta_list: 96, batch_user_meta_list: 104, meta_mutex: 112, misc_batch_info: 128, reserved: 160,]);
    check!(NvDsFrameMeta, 200, 8, [base_meta: 0, pad_index: 40, batch_id: 44, frame_num: 48, buf_pts: 56, ntp_timestamp: 64, source_id: 72, num_surfaces_per_frame: 76, source_frame_width: 80, source_frame_height: 84, surface_type: 88, surface_index: 92, num_obj_meta: 96, bInferDone: 100, obj_meta_list: 104, display_meta_list: 112, frame_user_meta_list: 120, misc_frame_info: 128, pipeline_width: 160, pipeline_height: 164, reserved: 168,]);
    check!(NvDsObjectMeta, 544, 8, [base_meta: 0, parent: 40, unique_component_id: 48, class_id: 52, object_id: 56, detector_bbox_info: 64, tracker_bbox_info: 80, confidence: 96, tracker_confidence: 100, rect_params: 104, mask_params: 208, text_params: 232, obj_label: 336, classifier_meta_list: 464, obj_user_meta_list: 472, misc_obj_info: 480, reserved: 512,]);
    check!(NvDsClassifierMeta, 64, 8, [base_meta: 0, num_labels: 40, unique_component_id: 44, label_info_list: 48, classifier_type: 56,]);
    check!(NvDsLabelInfo, 200, 8, [base_meta: 0, num_classes: 40, result_label: 44, pResult_label: 176, result_class_id: 184, label_id: 188, result_prob: 192,]);
    check!(NvDsDisplayMeta, 6912, 8, [base_meta: 0, num_rects: 40, num_labels: 44, num_lines: 48, num_arrows: 52, num_circles: 56, rect_params: 64, text_params: 1728, line_params: 3392, arrow_params: 4288, circle_params: 5312, misc_osd_data: 6848, reserved: 6880,]);
    check!(NvDsUserMeta, 48, 8, [base_meta: 0, user_meta_data: 40,]);
}

#[test]
fn layout_gst_meta() {
    check!(NvDsMeta, 72, 8, [meta: 0, meta_data: 16, user_data: 24, meta_type: 32, copyfunc: 40, freefunc: 48, gst_to_nvds_meta_transform_func: 56, gst_to_nvds_meta_release_func: 64,]);
}

#[test]
fn layout_surface() {
    check!(NvBufSurfacePlaneParamsEx, 224, 8, [scanformat: 0, secondfieldoffset: 16, blockheightlog2: 32, physicaladdress: 48, flags: 64, drmModifier: 96, _reserved: 128,]);
    check!(NvBufSurfacePlaneParams, 232, 8, [num_planes: 0, width: 4, height: 20, pitch: 36, offset: 52, psize: 68, bytesPerPix: 84, _reserved: 104,]);
    check!(NvBufSurfaceChromaSubsamplingParams, 2, 1, [chromaLocHoriz: 0, chromaLocVert: 1,]);
    check!(NvBufSurfaceCreateParams, 32, 4, [gpuId: 0, width: 4, height: 8, size: 12, isContiguous: 16, colorFormat: 20, layout: 24, memType: 28,]);
    check!(NvBufSurfaceAllocateParams, 80, 8, [params: 0, displayscanformat: 32, chromaSubsampling: 36, memtag: 40, disablePitchPadding: 44, _reservedParam: 48, _reserved: 56,]);
    check!(NvBufSurfaceMappedAddr, 72, 8, [addr: 0, eglImage: 32, _reserved: 40,]);
    check!(NvBufSurfaceParamsEx, 272, 8, [startofvaliddata: 0, sizeofvaliddatainbytes: 4, chromaSubsampling: 8, is_protected: 10, planeParamsex: 16, _reserved: 240,]);
    check!(NvBufSurfaceParams, 384, 8, [width: 0, height: 4, pitch: 8, colorFormat: 12, layout: 16, bufferDesc: 24, dataSize: 32, dataPtr: 40, planeParams: 48, mappedAddr: 280, paramex: 352, _reserved: 360,]);
    check!(NvBufSurface, 64, 8, [gpuId: 0, batchSize: 4, numFilled: 8, isContiguous: 12, memType: 16, surfaceList: 24, _reserved: 32,]);
}

#[test]
fn layout_schema() {
    check!(NvDsRect, 16, 4, [top: 0, left: 4, width: 8, height: 12,]);
    check!(NvDsGeoLocation, 24, 8, [lat: 0, lon: 8, alt: 16,]);
    check!(NvDsCoordinate, 24, 8, [x: 0, y: 8, z: 16,]);
    check!(NvDsObjectSignature, 16, 8, [signature: 0, size: 8,]);
    check!(NvDsProductObjectExt, 32, 8, [brand: 0, type_: 8, shape: 16, mask: 24,]);
    check!(NvDsVehicleObject, 48, 8, [type_: 0, make: 8, model: 16, color: 24, region: 32, license: 40,]);
    check!(NvDsPersonObject, 40, 8, [gender: 0, hair: 8, cap: 16, apparel: 24, age: 32,]);
    check!(NvDsFaceObject, 64, 8, [gender: 0, hair: 8, cap: 16, glasses: 24, facialhair: 32, name: 40, eyecolor: 48, age: 56,]);
    check!(NvDsVehicleObjectExt, 56, 8, [type_: 0, make: 8, model: 16, color: 24, region: 32, license: 40, mask: 48,]);
    check!(NvDsPersonObjectExt, 48, 8, [gender: 0, hair: 8, cap: 16, apparel: 24, age: 32, mask: 40,]);
    check!(NvDsFaceObjectWithExt, 72, 8, [gender: 0, hair: 8, cap: 16, glasses: 24, facialhair: 32, name: 40, eyecolor: 48, age: 56, mask: 64,]);
    check!(NvDsJoint, 16, 4, [x: 0, y: 4, z: 8, confidence: 12,]);
    check!(NvDsJoints, 16, 8, [joints: 0, num_joints: 8, pose_type: 12,]);
    check!(NvDsEmbedding, 16, 8, [embedding_vector: 0, embedding_length: 8,]);
    check!(NvDsProductObject, 24, 8, [brand: 0, type_: 8, shape: 16,]);
    check!(NvDsConvexHull, 16, 8, [points: 0, numFilled: 8,]);
    check!(NvDs3DTracking, 40, 8, [ptWorldFeet: 0, ptImgFeet: 8, visibility: 16, convexHull: 24,]);
    check!(NvDsBbox3dObject, 72, 8, [boxes_3d: 0, scores_3d: 40, labels_3d: 48, cls_scores: 56, instance_ids: 60, instance_feats: 64,]);
    check!(NvDsBbox3dObjectList, 43232, 8, [objects: 0, num_objects: 43200, timestamp: 43208, frame_num: 43216, camera_id: 43220, sensorStr: 43224,]);
    check!(NvDsConversationObject, 24, 8, [id: 0, query: 8, response: 16,]);
    check!(NvDsLLMObject, 40, 8, [info: 0, conversations: 8, num_conversations: 16, embeddings: 24, num_embeddings: 32,]);
    check!(NvDsInteractionObject, 64, 8, [id: 0, objectIds: 8, num_objectIds: 16, coordinates: 24, num_coordinates: 32, description: 40, info: 48, timestamp: 56,]);
    check!(NvDsCongestionObject, 40, 8, [id: 0, objectIds: 8, num_objectIds: 16, amount: 20, info: 24, timestamp: 32,]);
    check!(NvDsTypeMetricsObject, 64, 8, [id: 0, type_: 8, count: 16, coordinates: 24, num_coordinates: 32, objectIds: 40, num_objectIds: 48, info: 56,]);
    check!(NvDsSegmentationObject, 24, 8, [mask: 0, mask_size: 8, info: 16,]);
    check!(NvDsEventMsgMeta, 336, 8, [type_: 0, objType: 4, bbox: 8, location: 24, coordinate: 48, objSignature: 72, objClassId: 88, sensorId: 92, moduleId: 96, placeId: 100, componentId: 104, frameId: 108, confidence: 112, trackingId: 120, ts: 128, objectId: 136, sensorStr: 144, bbox3d: 152, llm: 160, num_interactions: 168, interactions: 176, num_congestions: 184, congestions: 192, num_fov: 200, fov: 208, segmentation: 216, otherAttrs: 224, videoPath: 232, extMsg: 240, extMsgSize: 248, pose: 256, embedding: 272, has3DTracking: 288, singleView3DTracking: 296,]);
    check!(NvDsEvent, 16, 8, [eventType: 0, metadata: 8,]);
    check!(NvDsCustomMsgInfo, 16, 8, [message: 0, size: 8,]);
    check!(NvDsPayload, 16, 8, [payload: 0, payloadSize: 8, componentId: 12,]);
    check!(NvDsMsg2pCtx, 16, 8, [payloadType: 0, privData: 8,]);
}

#[test]
fn layout_tracker() {
    check!(NvDsTargetMiscDataFrame, 128, 8, [frameNum: 0, tBbox: 8, confidence: 112, age: 116, trackerState: 120, visibility: 124,]);
    check!(NvDsTargetMiscDataObject, 160, 8, [list: 0, numObj: 8, numAllocated: 12, uniqueId: 16, classId: 24, objLabel: 26,]);
    check!(NvDsTargetMiscDataStream, 32, 8, [list: 0, streamID: 8, surfaceStreamID: 16, numAllocated: 24, numFilled: 28,]);
    check!(NvDsTargetMiscDataBatch, 24, 8, [list: 0, numAllocated: 8, numFilled: 12, priv_data: 16,]);
    check!(NvDsReidTensorBatch, 32, 8, [featureSize: 0, numFilled: 4, ptr_host: 8, ptr_dev: 16, priv_data: 24,]);
    check!(NvDsObjConvexHull, 16, 8, [list: 0, numPointsAllocated: 8, numPoints: 12,]);
    check!(NvDsObjReid, 24, 8, [featureSize: 0, ptr_host: 8, ptr_dev: 16,]);
}

#[test]
fn layout_infer() {
    check!(NvDsInferDims, 40, 4, [numDims: 0, d: 4, numElements: 36,]);
    check!(NvDsInferDimsCHW, 12, 4, [c: 0, h: 4, w: 8,]);
    check!(NvDsInferLayerInfo, 72, 8, [dataType: 0, inferDims: 4, bindingIndex: 44, layerName: 48, buffer: 56, isInput: 64,]);
    check!(NvDsInferNetworkInfo, 12, 4, [width: 0, height: 4, channels: 8,]);
    check!(NvDsInferObjectDetectionInfo, 24, 4, [classId: 0, left: 4, top: 8, width: 12, height: 16, detectionConfidence: 20,]);
    check!(NvDsInferInstanceMaskInfo, 48, 8, [classId: 0, left: 4, top: 8, width: 12, height: 16, detectionConfidence: 20, mask: 24, mask_width: 32, mask_height: 36, mask_size: 40,]);
    check!(NvDsInferAttribute, 24, 8, [attributeIndex: 0, attributeValue: 4, attributeConfidence: 8, attributeLabel: 16,]);
    check!(NvDsInferTensorMeta, 64, 8, [unique_id: 0, num_output_layers: 4, output_layers_info: 8, out_buf_ptrs_host: 16, out_buf_ptrs_dev: 24, gpu_id: 32, priv_data: 40, network_info: 48, maintain_aspect_ratio: 60,]);
    check!(NvDsInferSegmentationMeta, 48, 8, [classes: 0, width: 4, height: 8, class_map: 16, class_probabilities_map: 24, priv_data: 32, unique_id: 40,]);
}

#[test]
fn enum_values() {
    enums!(
        (MODE_CPU, 0),
        (MODE_GPU, 1),
        (MODE_NONE, 2),
        (START_HEAD, 0),
        (END_HEAD, 1),
        (BOTH_HEAD, 2),
        (NVDS_INVALID_META, -1),
        (NVDS_BATCH_META, 1),
        (NVDS_FRAME_META, 2),
        (NVDS_OBJ_META, 3),
        (NVDS_DISPLAY_META, 4),
        (NVDS_CLASSIFIER_META, 5),
        (NVDS_LABEL_INFO_META, 6),
        (NVDS_USER_META, 7),
        (NVDS_PAYLOAD_META, 8),
        (NVDS_EVENT_MSG_META, 9),
        (NVDS_OPTICAL_FLOW_META, 10),
        (NVDS_LATENCY_MEASUREMENT_META, 11),
        (NVDSINFER_TENSOR_OUTPUT_META, 12),
        (NVDSINFER_SEGMENTATION_META, 13),
        (NVDS_CROP_IMAGE_META, 14),
        (NVDS_TRACKER_PAST_FRAME_META, 15),
        (NVDS_TRACKER_BATCH_REID_META, 16),
        (NVDS_TRACKER_OBJ_REID_META, 17),
        (NVDS_TRACKER_TERMINATED_LIST_META, 18),
        (NVDS_TRACKER_SHADOW_LIST_META, 19),
        (NVDS_OBJ_VISIBILITY, 20),
        (NVDS_OBJ_IMAGE_FOOT_LOCATION, 21),
        (NVDS_OBJ_WORLD_FOOT_LOCATION, 22),
        (NVDS_OBJ_IMAGE_CONVEX_HULL, 23),
        (NVDS_AUDIO_BATCH_META, 24),
        (NVDS_AUDIO_FRAME_META, 25),
        (NVDS_PREPROCESS_FRAME_META, 26),
        (NVDS_PREPROCESS_BATCH_META, 27),
        (NVDS_CUSTOM_MSG_BLOB, 28),
        (NVDS_RESERVED_META, 4095),
        (NVDS_GST_CUSTOM_META, 4096),
        (NVDS_START_USER_META, 8193),
        (NVDS_FORCE32_META, 2147483647),
        (NVDS_GST_INVALID_META, -1),
        (NVDS_BATCH_GST_META, 4097),
        (NVDS_DECODER_GST_META, 4098),
        (NVDS_DEWARPER_GST_META, 4099),
        (NVDS_BUFFER_GST_AS_FRAME_USER_META, 4100),
        (NVDS_RESERVED_GST_META, 8192),
        (NVDS_GST_META_FORCE32, 2147483647),
        (NVBUF_MAP_READ, 0),
        (NVBUF_MAP_WRITE, 1),
        (NVBUF_MAP_READ_WRITE, 2),
        (NvBufSurfaceTag_NONE, 0),
        (NvBufSurfaceTag_CAMERA, 512),
        (NvBufSurfaceTag_JPEG, 5376),
        (NvBufSurfaceTag_PROTECTED, 5380),
        (NvBufSurfaceTag_VIDEO_ENC, 4608),
        (NvBufSurfaceTag_VIDEO_DEC, 5120),
        (NvBufSurfaceTag_VIDEO_CONVERT, 3841),
        (NVBUF_COLOR_FORMAT_INVALID, 0),
        (NVBUF_COLOR_FORMAT_GRAY8, 1),
        (NVBUF_COLOR_FORMAT_YUV420, 2),
        (NVBUF_COLOR_FORMAT_YVU420, 3),
        (NVBUF_COLOR_FORMAT_YUV420_ER, 4),
        (NVBUF_COLOR_FORMAT_YVU420_ER, 5),
        (NVBUF_COLOR_FORMAT_NV12, 6),
        (NVBUF_COLOR_FORMAT_NV12_ER, 7),
        (NVBUF_COLOR_FORMAT_NV21, 8),
        (NVBUF_COLOR_FORMAT_NV21_ER, 9),
        (NVBUF_COLOR_FORMAT_UYVY, 10),
        (NVBUF_COLOR_FORMAT_UYVY_ER, 11),
        (NVBUF_COLOR_FORMAT_VYUY, 12),
        (NVBUF_COLOR_FORMAT_VYUY_ER, 13),
        (NVBUF_COLOR_FORMAT_YUYV, 14),
        (NVBUF_COLOR_FORMAT_YUYV_ER, 15),
        (NVBUF_COLOR_FORMAT_YVYU, 16),
        (NVBUF_COLOR_FORMAT_YVYU_ER, 17),
        (NVBUF_COLOR_FORMAT_YUV444, 18),
        (NVBUF_COLOR_FORMAT_RGBA, 19),
        (NVBUF_COLOR_FORMAT_BGRA, 20),
        (NVBUF_COLOR_FORMAT_ARGB, 21),
        (NVBUF_COLOR_FORMAT_ABGR, 22),
        (NVBUF_COLOR_FORMAT_RGBx, 23),
        (NVBUF_COLOR_FORMAT_BGRx, 24),
        (NVBUF_COLOR_FORMAT_xRGB, 25),
        (NVBUF_COLOR_FORMAT_xBGR, 26),
        (NVBUF_COLOR_FORMAT_RGB, 27),
        (NVBUF_COLOR_FORMAT_BGR, 28),
        (NVBUF_COLOR_FORMAT_NV12_10LE, 29),
        (NVBUF_COLOR_FORMAT_NV12_12LE, 30),
        (NVBUF_COLOR_FORMAT_YUV420_709, 31),
        (NVBUF_COLOR_FORMAT_YUV420_709_ER, 32),
        (NVBUF_COLOR_FORMAT_NV12_709, 33),
        (NVBUF_COLOR_FORMAT_NV12_709_ER, 34),
        (NVBUF_COLOR_FORMAT_YUV420_2020, 35),
        (NVBUF_COLOR_FORMAT_NV12_2020, 36),
        (NVBUF_COLOR_FORMAT_NV12_10LE_ER, 37),
        (NVBUF_COLOR_FORMAT_NV12_10LE_709, 38),
        (NVBUF_COLOR_FORMAT_NV12_10LE_709_ER, 39),
        (NVBUF_COLOR_FORMAT_NV12_10LE_2020, 40),
        (NVBUF_COLOR_FORMAT_SIGNED_R16G16, 41),
        (NVBUF_COLOR_FORMAT_R8_G8_B8, 42),
        (NVBUF_COLOR_FORMAT_B8_G8_R8, 43),
        (NVBUF_COLOR_FORMAT_R32F_G32F_B32F, 44),
        (NVBUF_COLOR_FORMAT_B32F_G32F_R32F, 45),
        (NVBUF_COLOR_FORMAT_YUV422, 46),
        (NVBUF_COLOR_FORMAT_NV21_10LE, 47),
        (NVBUF_COLOR_FORMAT_NV21_12LE, 48),
        (NVBUF_COLOR_FORMAT_NV12_12LE_2020, 49),
        (NVBUF_COLOR_FORMAT_NV16, 50),
        (NVBUF_COLOR_FORMAT_NV16_10LE, 51),
        (NVBUF_COLOR_FORMAT_NV24, 52),
        (NVBUF_COLOR_FORMAT_NV24_10LE, 53),
        (NVBUF_COLOR_FORMAT_NV16_ER, 54),
        (NVBUF_COLOR_FORMAT_NV24_ER, 55),
        (NVBUF_COLOR_FORMAT_NV16_709, 56),
        (NVBUF_COLOR_FORMAT_NV24_709, 57),
        (NVBUF_COLOR_FORMAT_NV16_709_ER, 58),
        (NVBUF_COLOR_FORMAT_NV24_709_ER, 59),
        (NVBUF_COLOR_FORMAT_NV24_10LE_709, 60),
        (NVBUF_COLOR_FORMAT_NV24_10LE_709_ER, 61),
        (NVBUF_COLOR_FORMAT_NV24_10LE_2020, 62),
        (NVBUF_COLOR_FORMAT_NV24_12LE_2020, 63),
        (NVBUF_COLOR_FORMAT_RGBA_10_10_10_2_709, 64),
        (NVBUF_COLOR_FORMAT_RGBA_10_10_10_2_2020, 65),
        (NVBUF_COLOR_FORMAT_BGRA_10_10_10_2_709, 66),
        (NVBUF_COLOR_FORMAT_BGRA_10_10_10_2_2020, 67),
        (NVBUF_COLOR_FORMAT_A32, 68),
        (NVBUF_COLOR_FORMAT_UYVP, 69),
        (NVBUF_COLOR_FORMAT_UYVP_ER, 70),
        (NVBUF_COLOR_FORMAT_YUV444_ER, 71),
        (NVBUF_COLOR_FORMAT_YUV444_709, 72),
        (NVBUF_COLOR_FORMAT_YUV444_709_ER, 73),
        (NVBUF_COLOR_FORMAT_YUV444_2020, 74),
        (NVBUF_COLOR_FORMAT_YUV444_10LE, 75),
        (NVBUF_COLOR_FORMAT_YUV444_10LE_ER, 76),
        (NVBUF_COLOR_FORMAT_YUV444_10LE_709, 77),
        (NVBUF_COLOR_FORMAT_YUV444_10LE_709_ER, 78),
        (NVBUF_COLOR_FORMAT_YUV444_10LE_2020, 79),
        (NVBUF_COLOR_FORMAT_YUV444_12LE, 80),
        (NVBUF_COLOR_FORMAT_YUV444_12LE_ER, 81),
        (NVBUF_COLOR_FORMAT_YUV444_12LE_709, 82),
        (NVBUF_COLOR_FORMAT_YUV444_12LE_709_ER, 83),
        (NVBUF_COLOR_FORMAT_YUV444_12LE_2020, 84),
        (NVBUF_COLOR_FORMAT_NV12_12LE_ER, 85),
        (NVBUF_COLOR_FORMAT_NV12_12LE_709, 86),
        (NVBUF_COLOR_FORMAT_NV12_12LE_709_ER, 87),
        (NVBUF_COLOR_FORMAT_GRAY8_ER, 88),
        (NVBUF_COLOR_FORMAT_UYVY_709, 89),
        (NVBUF_COLOR_FORMAT_UYVY_709_ER, 90),
        (NVBUF_COLOR_FORMAT_UYVY_2020, 91),
        (NVBUF_COLOR_FORMAT_GRAY16_LE, 92),
        (NVBUF_COLOR_FORMAT_BGRA64_LE, 93),
        (NVBUF_COLOR_FORMAT_LAST, 94),
        (NVBUF_LAYOUT_PITCH, 0),
        (NVBUF_LAYOUT_BLOCK_LINEAR, 1),
        (NVBUF_MEM_DEFAULT, 0),
        (NVBUF_MEM_CUDA_PINNED, 1),
        (NVBUF_MEM_CUDA_DEVICE, 2),
        (NVBUF_MEM_CUDA_UNIFIED, 3),
        (NVBUF_MEM_SURFACE_ARRAY, 4),
        (NVBUF_MEM_HANDLE, 5),
        (NVBUF_MEM_SYSTEM, 6),
        (NVBUF_DISPLAYSCANFORMAT_PROGRESSIVE, 0),
        (NVBUF_DISPLAYSCANFORMAT_INTERLACED, 1),
        (NVDS_EVENT_ENTRY, 0),
        (NVDS_EVENT_EXIT, 1),
        (NVDS_EVENT_MOVING, 2),
        (NVDS_EVENT_STOPPED, 3),
        (NVDS_EVENT_EMPTY, 4),
        (NVDS_EVENT_PARKED, 5),
        (NVDS_EVENT_RESET, 6),
        (NVDS_EVENT_RESERVED, 256),
        (NVDS_EVENT_CUSTOM, 257),
        (NVDS_EVENT_FORCE32, 2147483647),
        (NVDS_OBJECT_TYPE_VEHICLE, 0),
        (NVDS_OBJECT_TYPE_PERSON, 1),
        (NVDS_OBJECT_TYPE_FACE, 2),
        (NVDS_OBJECT_TYPE_BAG, 3),
        (NVDS_OBJECT_TYPE_BICYCLE, 4),
        (NVDS_OBJECT_TYPE_ROADSIGN, 5),
        (NVDS_OBJECT_TYPE_VEHICLE_EXT, 6),
        (NVDS_OBJECT_TYPE_PERSON_EXT, 7),
        (NVDS_OBJECT_TYPE_FACE_EXT, 8),
        (NVDS_OBJECT_TYPE_3D, 9),
        (NVDS_OBJECT_TYPE_PRODUCT, 10),
        (NVDS_OBJECT_TYPE_PRODUCT_EXT, 11),
        (NVDS_OBJECT_TYPE_RESERVED, 256),
        (NVDS_OBJECT_TYPE_CUSTOM, 257),
        (NVDS_OBJECT_TYPE_UNKNOWN, 258),
        (NVDS_OBEJCT_TYPE_FORCE32, 2147483647),
        (NVDS_PAYLOAD_DEEPSTREAM, 0),
        (NVDS_PAYLOAD_DEEPSTREAM_MINIMAL, 1),
        (NVDS_PAYLOAD_DEEPSTREAM_PROTOBUF, 2),
        (NVDS_PAYLOAD_RESERVED, 256),
        (NVDS_PAYLOAD_CUSTOM, 257),
        (NVDS_PAYLOAD_FORCE32, 2147483647),
        (EMPTY, 0),
        (ACTIVE, 1),
        (INACTIVE, 2),
        (TENTATIVE, 3),
        (PROJECTED, 4),
        (FLOAT, 0),
        (HALF, 1),
        (INT8, 2),
        (INT32, 3),
        (INT64, 4),
        (UINT8, 5),
        (NVDSINFER_SUCCESS, 0),
        (NVDSINFER_CONFIG_FAILED, 1),
        (NVDSINFER_CUSTOM_LIB_FAILED, 2),
        (NVDSINFER_INVALID_PARAMS, 3),
        (NVDSINFER_OUTPUT_PARSING_FAILED, 4),
        (NVDSINFER_CUDA_ERROR, 5),
        (NVDSINFER_TENSORRT_ERROR, 6),
        (NVDSINFER_RESOURCE_ERROR, 7),
        (NVDSINFER_TRITON_ERROR, 8),
        (NVDSINFER_TRTIS_ERROR, 8),
        (NVDSINFER_UNKNOWN_ERROR, 9),
    );
}
