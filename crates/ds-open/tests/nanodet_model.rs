//! Runs the converted NanoDet-m ONNX model (made by `ci/models.sh`) with the open nvinfer's
//! engine (ONNX Runtime) on two real photographs from Debian's `darknet` package and checks
//! the detections and raw outputs against the original TensorFlow.js graph.
//!
//! Inputs, all made by `ci/models.sh`:
//! - `models/nanodet-m-416.onnx` (tfjs2onnx output),
//! - `models/coco_labels.txt`,
//! - `models/.cache/images/{dog,person}_416x416.bgr`: the JPEGs decoded and scaled (aspect
//!   ratio not kept, as nvinfer's default) to 416x416 packed BGR by GStreamer.
//!
//! Both images run as one batch of 2, which also checks the dynamic batch dimension.

use std::path::{Path, PathBuf};

use ds_model::nanodet::{self, Config, Detection, Level, COCO_LABELS, NANODET_BGR};
use ds_open::nvinfer::engine::Engine;

type TractResult<T> = Result<T, Box<dyn std::error::Error>>;

fn models_dir() -> PathBuf {
    std::env::var_os("DS_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"))
}

fn need(path: &Path) -> PathBuf {
    assert!(
        path.is_file(),
        "{} is missing: run `ci/models.sh` first (it fetches the model and test images)",
        path.display()
    );
    path.to_path_buf()
}

/// Original sizes of the photographs, to map boxes back.
const DOG: (&str, f32, f32) = ("dog", 768.0, 576.0);
const PERSON: (&str, f32, f32) = ("person", 640.0, 424.0);

/// Runs the images as one batch; returns the raw outputs (cls_8, cls_16, cls_32, reg_8,
/// reg_16, reg_32, batch-major) and the detections per image in original-image pixels.
type Outputs = Vec<Vec<f32>>;

fn run_batch(images: &[(&str, f32, f32)]) -> TractResult<(Outputs, Vec<Vec<Detection>>)> {
    let dir = models_dir();
    let onnx = need(&dir.join("nanodet-m-416.onnx"));
    let config = Config::nanodet_m_416();
    let (w, h) = (config.input_width as usize, config.input_height as usize);
    let batch = images.len();
    let mut input = Vec::with_capacity(batch * 3 * w * h);
    for (name, _, _) in images {
        let raw = std::fs::read(need(&dir.join(format!(".cache/images/{name}_{w}x{h}.bgr"))))?;
        input.extend(nanodet::preprocess_packed(&raw, w, h, &NANODET_BGR)?);
    }
    let engine = Engine::load(&onnx, None, 2)?;
    let outputs = engine.run(batch, input)?;
    assert_eq!(
        outputs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["cls_8", "cls_16", "cls_32", "reg_8", "reg_16", "reg_32"]
    );
    let views: Vec<&[f32]> = outputs.iter().map(|o| o.data.as_slice()).collect();
    let mut all = Vec::new();
    for (b, (_, fw, fh)) in images.iter().enumerate() {
        let levels: Vec<Level> = config
            .strides
            .iter()
            .enumerate()
            .map(|(l, &stride)| {
                let (cls, reg) = (views[l], views[l + 3]);
                let (nc, nr) = (cls.len() / batch, reg.len() / batch);
                Level {
                    stride,
                    cls: &cls[b * nc..(b + 1) * nc],
                    reg: &reg[b * nr..(b + 1) * nr],
                }
            })
            .collect();
        let dets = nanodet::postprocess(&config, &levels)?;
        let (sx, sy) = (fw / w as f32, fh / h as f32);
        all.push(dets.iter().map(|d| d.scaled(sx, sy)).collect());
    }
    let raw = views.iter().map(|v| v.to_vec()).collect();
    Ok((raw, all))
}

fn show(name: &str, dets: &[Detection]) {
    for d in dets {
        eprintln!(
            "{name}: {:<12} {:.2}  [{:.0}, {:.0}, {:.0}, {:.0}]",
            COCO_LABELS[d.class_id], d.score, d.left, d.top, d.right, d.bottom
        );
    }
}

/// The best detection of `label` whose box overlaps `expected` (left, top, right, bottom in
/// original-image pixels) by IoU ≥ 0.5.
fn assert_found(dets: &[Detection], labels: &[&str], expected: [f32; 4]) {
    let want = Detection {
        class_id: 0,
        score: 1.0,
        left: expected[0],
        top: expected[1],
        right: expected[2],
        bottom: expected[3],
    };
    let hit = dets
        .iter()
        .filter(|d| labels.contains(&COCO_LABELS[d.class_id]))
        .map(|d| d.iou(&want))
        .fold(0.0f32, f32::max);
    assert!(
        hit >= 0.5,
        "no {labels:?} near {expected:?} (best IoU {hit:.2}); detections: {dets:?}"
    );
}

/// Reference values from the original TensorFlow.js graph (tfjs-core 4 CPU backend, same
/// preprocessed input): per image, the best class score of each level, as (image, level,
/// location, class, score, first three box-distribution logits of that location). The
/// converted model matched it within 1.2e-5 everywhere (checked with onnxruntime too); the
/// tolerances here leave room for JPEG decoder differences.
const REFERENCE: [(usize, usize, usize, usize, f32, [f32; 3]); 6] = [
    (0, 0, 610, 7, 0.3644, [-3.273, -2.5946, -2.9562]),
    (0, 1, 424, 16, 0.4434, [-2.1828, -1.0302, 0.0734]),
    (0, 2, 83, 1, 0.6997, [-1.75, 0.6066, 2.1487]),
    (1, 0, 1935, 16, 0.4493, [-5.4741, -4.4746, -3.1644]),
    (1, 1, 372, 0, 0.7347, [8.0734, 9.5783, 6.1947]),
    (1, 2, 99, 19, 0.1361, [1.2303, 1.9208, 1.6789]),
];

fn check_reference(raw: &Outputs) {
    for &(image, level, location, class, score, reg) in &REFERENCE {
        let cls = &raw[level];
        let per_image = cls.len() / 2;
        let got = cls[image * per_image + location * 80 + class];
        assert!(
            (got - score).abs() < 0.01,
            "image {image} level {level} loc {location} class {class}: {got} vs {score}"
        );
        let regs = &raw[level + 3];
        let per_image = regs.len() / 2;
        let at = image * per_image + location * 44;
        for (k, want) in reg.iter().enumerate() {
            let got = regs[at + k];
            assert!(
                (got - want).abs() < 0.05,
                "image {image} level {level} loc {location} reg[{k}]: {got} vs {want}"
            );
        }
    }
}

#[test]
fn nanodet_detects_objects_in_photographs() -> TractResult<()> {
    let (raw, all) = run_batch(&[DOG, PERSON])?;
    check_reference(&raw);
    show("dog.jpg", &all[0]);
    show("person.jpg", &all[1]);
    let (dog, person) = (&all[0], &all[1]);
    // dog.jpg (768x576): a dog bottom left, a bicycle across the middle, a pick-up truck
    // top right (boxes checked by eye on a rendering of the detections).
    assert_found(dog, &["dog"], [130.0, 220.0, 340.0, 540.0]);
    assert_found(dog, &["bicycle"], [120.0, 125.0, 570.0, 420.0]);
    assert_found(dog, &["truck", "car"], [465.0, 85.0, 695.0, 168.0]);
    // person.jpg (640x424): a person standing left of centre, a horse right, a dog left.
    assert_found(person, &["person"], [188.0, 100.0, 280.0, 378.0]);
    assert_found(person, &["horse"], [405.0, 140.0, 603.0, 348.0]);
    assert_found(person, &["dog"], [70.0, 265.0, 203.0, 346.0]);
    // Nothing in these photographs is, say, a person in dog.jpg or a vehicle in person.jpg.
    assert!(
        !dog.iter().any(|d| COCO_LABELS[d.class_id] == "person"),
        "{dog:?}"
    );
    assert!(
        !person
            .iter()
            .any(|d| ["car", "truck", "bicycle"].contains(&COCO_LABELS[d.class_id])),
        "{person:?}"
    );
    Ok(())
}

#[test]
fn labels_file_matches_the_decoder() {
    let path = need(&models_dir().join("coco_labels.txt"));
    let text = std::fs::read_to_string(path).expect("readable labels file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, COCO_LABELS.to_vec());
}
