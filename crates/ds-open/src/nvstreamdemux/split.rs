//! One frame of a batch as a buffer of its own: surface and metadata.
use ds_core::latency::NewComponentLatency;
use ds_core::planes::SurfaceRef;
use ds_core::surface::SurfaceBatch;
use ds_core::BatchMeta;
use gstreamer as gst;

/// What the demuxer needs to know of one frame of a batch.
#[derive(Debug, Clone, Copy)]
pub(super) struct FrameInfo {
    /// The muxer pad of the frame's source (`src_N`).
    pub pad_index: u32,
    /// Its slot in the batch surface.
    pub batch_id: u32,
    /// Its frame number.
    pub frame_num: i32,
    /// The source's own timestamp.
    pub buf_pts: u64,
}

/// The frames of `batch`, in list order.
pub(super) fn frames(batch: &BatchMeta) -> Vec<FrameInfo> {
    batch
        .frames()
        .map(|f| FrameInfo {
            pad_index: f.pad_index(),
            batch_id: f.batch_id(),
            frame_num: f.frame_num(),
            buf_pts: f.buf_pts(),
        })
        .collect()
}

/// Builds the one-frame buffer of `frame` from the batched `input`.
pub(super) fn frame_buffer(
    input: &gst::BufferRef,
    frame: FrameInfo,
) -> Result<gst::Buffer, String> {
    let surface =
        SurfaceRef::from_buffer(input).map_err(|e| format!("input is not a batch surface: {e}"))?;
    let src = surface
        .frame(frame.batch_id)
        .map_err(|e| format!("frame {} of the batch: {e}", frame.batch_id))?;
    let mut single = SurfaceBatch::new(1, src.width(), src.height(), src.format())
        .map_err(|e| format!("cannot allocate a frame surface: {e}"))?;
    single.set_num_filled(1).map_err(|e| e.to_string())?;
    {
        let mut dst = single
            .planes_mut(0)
            .map_err(|e| format!("cannot map the frame surface: {e}"))?;
        for (i, plane) in src.planes().iter().enumerate() {
            let Some(out) = dst.plane_mut(i) else {
                break;
            };
            for y in 0..plane.height() {
                if let (Some(from), Some(to)) = (plane.row(y), out.row_mut(y)) {
                    let n = from.len().min(to.len());
                    to[..n].copy_from_slice(&from[..n]);
                }
            }
        }
    }
    drop(surface);

    let batch = BatchMeta::from_buffer(input).ok_or("input buffer has no NvDsBatchMeta")?;
    let mut meta = batch
        .try_copy()
        .map_err(|e| format!("cannot copy the batch meta: {e}"))?;
    meta.retain_frames(|f| f.batch_id() == frame.batch_id && f.pad_index() == frame.pad_index);
    for mut f in meta.frames_mut() {
        f.set_batch_id(0);
    }
    meta.retain_user_metas(|um| {
        um.downcast::<NewComponentLatency>().is_some_and(|c| {
            c.source_id() == frame.pad_index && c.frame_num() == frame.frame_num as u32
        })
    });

    let mut buffer = single.into_buffer();
    {
        let b = buffer.get_mut().ok_or("new buffer is shared")?;
        let pts = if frame.buf_pts != 0 || input.pts().is_none() {
            Some(gst::ClockTime::from_nseconds(frame.buf_pts))
        } else {
            input.pts()
        };
        b.set_pts(pts);
        b.set_dts(gst::ClockTime::NONE);
        b.set_duration(input.duration());
        b.set_offset(frame.frame_num.max(0) as u64);
        if meta.attach(b).is_err() {
            return Err("cannot attach the frame's batch meta".into());
        }
    }
    Ok(buffer)
}
