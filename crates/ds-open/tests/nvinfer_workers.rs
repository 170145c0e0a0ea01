//! The open nvinfer's inference workers (`nvinfer/workers.rs`, config keys
//! `inference-workers` / `inference-threads`): however many ONNX Runtime
//! sessions run batches at once, every batch leaves in order with the same
//! objects as with one session, and the frames of a batch split over the
//! workers keep their own objects.
use ds_core::BatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn need(p: PathBuf, script: &str) -> PathBuf {
    assert!(p.exists(), "{} is missing: run {script}", p.display());
    p
}

/// test1's config with `extra` keys in `[property]` (absolute paths), in a
/// scratch file removed on drop.
struct Config(PathBuf);

impl Config {
    fn new(tag: &str, extra: &str) -> Config {
        let text = std::fs::read_to_string(root().join("configs/dstest1_pgie_config.txt")).unwrap();
        let models = need(root().join("models"), "ci/models.sh")
            .canonicalize()
            .unwrap();
        let configs = root().join("configs").canonicalize().unwrap();
        let text = text
            .replace("=../models/", &format!("={}/", models.display()))
            .replace(
                "labelfile-path=",
                &format!("labelfile-path={}/", configs.display()),
            )
            .replace("[property]\n", &format!("[property]\n{extra}\n"));
        let p = std::env::temp_dir().join(format!("ds-workers-{tag}-{}.txt", std::process::id()));
        std::fs::write(&p, text).unwrap();
        Config(p)
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One object: class, box (left, top, width, height) and confidence.
type Object = (i32, [f32; 4], f32);

/// Per frame leaving nvinfer, in order: (source, frame number, objects).
type Seen = Vec<(u32, i32, Vec<Object>)>;

/// Elements between a source's decoder and the muxer: none, or a crop of
/// the top-left quarter (another picture from the same file).
const WHOLE: &str = "";
const CROPPED: &str = "nvvideoconvert src-crop=0:0:640:360 ! ";

/// Runs one source per entry of `sources` (the 60-frame sample through
/// those elements) through a muxer of that batch size and nvinfer with
/// `config`.
fn run(config: &Path, sources: &[&str]) -> Seen {
    ds_open::init().unwrap();
    let video = need(root().join("samples/sample_720p_60.h264"), "ci/samples.sh");
    let mut desc = format!(
        "nvstreammux name=m batch-size={} width=640 height=360 ! \
         nvinfer config-file-path=\"{}\" ! fakesink name=sink sync=false",
        sources.len(),
        config.display()
    );
    for (i, via) in sources.iter().enumerate() {
        desc += &format!(
            " filesrc location=\"{}\" ! h264parse ! nvv4l2decoder ! {via}m.sink_{i}",
            video.display()
        );
    }
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    pipeline
        .by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_ref() {
                let batch = BatchMeta::from_buffer(buffer).unwrap();
                for frame in batch.frames() {
                    assert!(frame.infer_done(), "a frame left nvinfer uninferred");
                    let objects = frame
                        .objects()
                        .map(|o| {
                            let r = o.rect_params();
                            (
                                o.class_id(),
                                [r.left, r.top, r.width, r.height],
                                o.confidence(),
                            )
                        })
                        .collect();
                    s.lock()
                        .unwrap()
                        .push((frame.pad_index(), frame.frame_num(), objects));
                }
            }
            gst::PadProbeReturn::Ok
        });
    let result = ds_core::app::run(&pipeline).map_err(|e| e.to_string());
    pipeline.set_state(gst::State::Null).unwrap();
    result.unwrap();
    let out = std::mem::take(&mut *seen.lock().unwrap());
    out
}

/// Same objects within float noise (ONNX Runtime may sum in another order
/// with another thread count).
fn assert_same_objects(a: &[Object], b: &[Object], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.0, y.0, "{what}: class");
        for k in 0..4 {
            assert!((x.1[k] - y.1[k]).abs() < 0.05, "{what}: box {x:?} vs {y:?}");
        }
        assert!(
            (x.2 - y.2).abs() < 1e-3,
            "{what}: confidence {x:?} vs {y:?}"
        );
    }
}

#[test]
fn any_number_of_workers_gives_the_same_objects_in_order() {
    let one = Config::new("one", "inference-workers=1\ninference-threads=1");
    let reference = run(&one.0, &[WHOLE]);
    assert_eq!(
        reference.iter().map(|f| f.1).collect::<Vec<_>>(),
        (0..60).collect::<Vec<i32>>()
    );
    assert!(
        reference.iter().map(|f| f.2.len()).sum::<usize>() > 100,
        "too few objects to compare"
    );
    for (tag, extra) in [
        ("three", "inference-workers=3\ninference-threads=1"),
        ("auto", ""),
    ] {
        let c = Config::new(tag, extra);
        let got = run(&c.0, &[WHOLE]);
        assert_eq!(got.len(), reference.len(), "{tag}");
        for (g, r) in got.iter().zip(&reference) {
            assert_eq!(g.1, r.1, "{tag}: frames out of order");
            assert_same_objects(&g.2, &r.2, &format!("{tag}, frame {}", g.1));
        }
    }
}

#[test]
fn frames_of_one_batch_split_over_workers_keep_their_objects() {
    // Batches of 2 frames, the whole picture and its top-left quarter: the
    // config runs one frame per inference, so each batch is two runs, on
    // two workers; each frame must carry the objects its source gives
    // alone.
    let one = Config::new("split-one", "inference-workers=1\ninference-threads=1");
    let references = [run(&one.0, &[WHOLE]), run(&one.0, &[CROPPED])];
    assert_ne!(
        references[0].iter().map(|f| &f.2).collect::<Vec<_>>(),
        references[1].iter().map(|f| &f.2).collect::<Vec<_>>(),
        "the two sources should differ"
    );
    let two = Config::new("split-two", "inference-workers=2\ninference-threads=1");
    let got = run(&two.0, &[WHOLE, CROPPED]);
    for (source, reference) in references.iter().enumerate() {
        let frames: Vec<_> = got.iter().filter(|f| f.0 == source as u32).collect();
        assert_eq!(frames.len(), reference.len(), "source {source}");
        for (g, r) in frames.iter().zip(reference) {
            assert_eq!(g.1, r.1, "source {source}: frames out of order");
            assert_same_objects(&g.2, &r.2, &format!("source {source}, frame {}", g.1));
        }
    }
}
