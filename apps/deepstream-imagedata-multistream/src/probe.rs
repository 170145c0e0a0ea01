//! The sample's `tiler_sink_pad_buffer_probe`: counts objects per class,
//! reads each frame's RGBA pixels through `ds_core::surface`, and every 30
//! frames of a stream, when the frame holds an object of borderline
//! confidence (0.3 < confidence < 0.4, a possible false positive), draws
//! that object's box and label into the frame and saves it as
//! `<folder>/stream_<pad_index>/frame_<frame_num>.jpg`.
use crate::draw::{self, BoxI, RgbaImage};
use ds_core::app::PerfData;
use ds_core::surface::{FrameSurface, FrameSurfaceMut, SurfaceError};
use ds_core::BatchMeta;
use gstreamer as gst;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Class ids of the sample's 4-class detector.
pub const PGIE_CLASS_ID_VEHICLE: i32 = 0;
/// Two-wheelers.
pub const PGIE_CLASS_ID_BICYCLE: i32 = 1;
/// Persons.
pub const PGIE_CLASS_ID_PERSON: i32 = 2;
/// Road signs.
pub const PGIE_CLASS_ID_ROADSIGN: i32 = 3;
/// The sample's `pgie_classes_str`.
pub const PGIE_CLASSES_STR: [&str; 4] = ["Vehicle", "TwoWheeler", "Person", "RoadSign"];
/// Objects above this confidence (exclusive) ...
pub const MIN_CONFIDENCE: f32 = 0.3;
/// ... and below this one (exclusive) are "borderline".
pub const MAX_CONFIDENCE: f32 = 0.4;
/// A stream's frames are checked for borderline objects every this many
/// frames (`saved_count % 30 == 0`).
pub const SAVE_EVERY: u64 = 30;

/// Objects per class in one frame (the sample's `obj_counter`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ObjCounter {
    /// Vehicles.
    pub vehicle: u32,
    /// Two-wheelers.
    pub bicycle: u32,
    /// Persons.
    pub person: u32,
    /// Road signs.
    pub roadsign: u32,
}

impl ObjCounter {
    /// Counts one object of `class_id` (other classes are ignored).
    pub fn count(&mut self, class_id: i32) {
        match class_id {
            PGIE_CLASS_ID_VEHICLE => self.vehicle += 1,
            PGIE_CLASS_ID_BICYCLE => self.bicycle += 1,
            PGIE_CLASS_ID_PERSON => self.person += 1,
            PGIE_CLASS_ID_ROADSIGN => self.roadsign += 1,
            _ => {}
        }
    }
}

/// The line the sample prints per frame (Python's `print` with commas puts
/// a space after each `=`).
pub fn frame_line(frame_number: i32, num_rects: u32, vehicles: u32, persons: u32) -> String {
    format!(
        "Frame Number= {frame_number} Number of Objects= {num_rects} \
         Vehicle_count= {vehicles} Person_count= {persons}"
    )
}

/// Whether the sample saves a frame because of an object: the stream's
/// frame counter is a multiple of 30 and the confidence is borderline.
pub fn is_borderline(saved_count: u64, confidence: f32) -> bool {
    saved_count.is_multiple_of(SAVE_EVERY)
        && MIN_CONFIDENCE < confidence
        && confidence < MAX_CONFIDENCE
}

/// Name of a class for the label (`pgie_classes_str[class_id]`).
pub fn class_name(class_id: i32) -> &'static str {
    usize::try_from(class_id)
        .ok()
        .and_then(|i| PGIE_CLASSES_STR.get(i).copied())
        .unwrap_or("Unknown")
}

/// The object a saved frame is annotated with (the first borderline one).
#[derive(Debug, Clone, Copy)]
struct Annotation {
    rect: BoxI,
    class_id: i32,
    confidence: f32,
}

/// What the probe learnt from one frame's metadata.
#[derive(Debug)]
struct FramePlan {
    frame_num: i32,
    batch_id: u32,
    pad_index: u32,
    num_rects: u32,
    counts: ObjCounter,
    annotate: Option<Annotation>,
}

/// State shared by the probe's calls.
#[derive(Debug)]
pub struct ProbeState {
    folder: PathBuf,
    verbose: bool,
    perf: Arc<PerfData>,
    /// The sample's `saved_count`: frames seen per stream (pad index).
    saved_count: Mutex<Vec<u64>>,
}

impl ProbeState {
    /// State for `num_sources` streams saving into `folder`.
    pub fn new(folder: PathBuf, num_sources: usize, verbose: bool, perf: Arc<PerfData>) -> Self {
        ProbeState {
            folder,
            verbose,
            perf,
            saved_count: Mutex::new(vec![0; num_sources]),
        }
    }

    fn saved_count(&self) -> std::sync::MutexGuard<'_, Vec<u64>> {
        self.saved_count.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads the batch metadata: counts, and which frames are saved with which
/// object (updating the per-stream frame counters).
fn plan(state: &ProbeState, buffer: &gst::BufferRef) -> Vec<FramePlan> {
    let Some(batch) = BatchMeta::from_buffer(buffer) else {
        return Vec::new();
    };
    let mut saved = state.saved_count();
    let mut plans = Vec::new();
    for frame in batch.frames() {
        let pad = frame.pad_index();
        let slot = pad as usize;
        if saved.len() <= slot {
            saved.resize(slot + 1, 0);
        }
        let count = saved[slot];
        let mut counts = ObjCounter::default();
        let mut annotate = None;
        for obj in frame.objects() {
            counts.count(obj.class_id());
            if annotate.is_none() && is_borderline(count, obj.confidence()) {
                let r = obj.rect_params();
                annotate = Some(Annotation {
                    rect: BoxI {
                        left: r.left as i64,
                        top: r.top as i64,
                        width: r.width as i64,
                        height: r.height as i64,
                    },
                    class_id: obj.class_id(),
                    confidence: obj.confidence(),
                });
            }
        }
        saved[slot] += 1;
        plans.push(FramePlan {
            frame_num: frame.frame_num(),
            batch_id: frame.batch_id(),
            pad_index: pad,
            num_rects: frame.num_obj_meta(),
            counts,
            annotate,
        });
    }
    plans
}

/// Draws the annotation into frame `batch_id` of the buffer, in place as
/// the sample does (the box then shows in the tiled output too), and
/// returns an annotated copy of the frame.
fn annotate_frame(
    buffer: &mut gst::BufferRef,
    batch_id: u32,
    a: &Annotation,
) -> Result<RgbaImage, SurfaceError> {
    let draw = |frame: &FrameSurface<'_>| {
        let mut img = RgbaImage {
            width: frame.width(),
            height: frame.height(),
            data: frame.to_packed_rgba(),
        };
        draw::draw_bounding_boxes(&mut img, a.rect, class_name(a.class_id), a.confidence);
        img
    };
    if !buffer.is_all_memory_writable() {
        // Another buffer shares the pixels: annotate the saved copy only.
        return Ok(draw(&FrameSurface::map(buffer, batch_id)?));
    }
    let mut frame = FrameSurfaceMut::map(buffer, batch_id)?;
    let img = draw(&frame);
    let row_len = img.width as usize * 4;
    for (y, src) in img.data.chunks_exact(row_len).enumerate() {
        if let Some(row) = frame.row_mut(y as u32) {
            row.copy_from_slice(src);
        }
    }
    Ok(img)
}

/// The probe: prints one line per frame, updates the FPS counters, saves
/// annotated frames. An `Err` is a message for the user (the frames are not
/// RGBA, an image cannot be written).
pub fn tiler_sink_pad_buffer_probe(
    state: &ProbeState,
    buffer: &mut gst::BufferRef,
) -> Result<(), String> {
    for p in plan(state, buffer) {
        // The frames reach the probe as RGBA arrays: map each one (no copy),
        // which also checks its format.
        let image =
            {
                let frame = FrameSurface::map(buffer, p.batch_id)
                    .map_err(|e| format!("cannot read the pixels of frame {}: {e}", p.batch_id))?;
                drop(frame);
                match &p.annotate {
                    Some(a) => Some(annotate_frame(buffer, p.batch_id, a).map_err(|e| {
                        format!("cannot read the pixels of frame {}: {e}", p.batch_id)
                    })?),
                    None => None,
                }
            };
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{}",
                frame_line(p.frame_num, p.num_rects, p.counts.vehicle, p.counts.person)
            );
        }
        state.perf.update_fps(p.pad_index as usize);
        if let (Some(img), Some(a)) = (image, &p.annotate) {
            let path = state
                .folder
                .join(format!("stream_{}", p.pad_index))
                .join(format!("frame_{}.jpg", p.frame_num));
            img.save_jpeg(&path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            if state.verbose {
                let r = a.rect;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(
                    out,
                    "Saved {} box={},{},{},{} class={} confidence={:.2}",
                    path.display(),
                    r.left,
                    r.top,
                    r.width,
                    r.height,
                    class_name(a.class_id),
                    a.confidence
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_line_matches_pythons_print() {
        assert_eq!(
            frame_line(7, 5, 1, 4),
            "Frame Number= 7 Number of Objects= 5 Vehicle_count= 1 Person_count= 4"
        );
    }

    #[test]
    fn borderline_is_exclusive_and_every_30_frames() {
        assert!(is_borderline(0, 0.35));
        assert!(is_borderline(60, 0.31));
        assert!(!is_borderline(1, 0.35));
        assert!(!is_borderline(0, 0.3));
        assert!(!is_borderline(0, 0.4));
        assert!(!is_borderline(30, 0.9));
    }

    #[test]
    fn class_names() {
        assert_eq!(class_name(0), "Vehicle");
        assert_eq!(class_name(3), "RoadSign");
        assert_eq!(class_name(7), "Unknown");
        assert_eq!(class_name(-1), "Unknown");
    }
}
