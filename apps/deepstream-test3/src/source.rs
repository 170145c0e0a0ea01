//! The sample's source bins: `uridecodebin` inside a bin with a ghost `src`
//! pad that gets its target when the decoder's NVMM pad appears, plus the
//! `--file-loop` logic (DeepStream's `nvurisrcbin file-loop=1`).
//!
//! # File loop
//! A probe on the bin's ghost pad catches the source's end-of-stream before
//! it reaches `nvstreammux`, drops it, and seeks the source back to 0 with a
//! flushing seek (from another thread: never from the streaming thread).
//! The seek's flush events are dropped at the ghost pad too, so the muxer
//! neither sees the stream end nor loses the frames it has queued; the new
//! segment's `base` is set to the running time where the previous pass
//! ended, so timestamps keep increasing (as `nvurisrcbin` does), and the
//! muxer's `frame_num` keeps counting. Once the app is stopping
//! ([`SourceShared::stopping`]) end-of-stream passes through again.
use anyhow::{Context, Result};
use ds_core::app::props;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// State the app shares with every source bin's callbacks.
#[derive(Debug, Default)]
pub struct SourceShared {
    /// Set when the app stops: end-of-stream is no longer looped.
    pub stopping: AtomicBool,
}

/// Makes an element, or fails with the sample's message.
pub fn make(factory: &str, name: &str, what: &str) -> Result<gst::Element> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .with_context(|| format!("Unable to create {what} ({factory})"))
}

/// `print("Decodebin child added:", name, "\n")`, recursing into
/// decodebins, and `drop-on-latency` on a source that has it (RTSP).
fn decodebin_child_added(object: &glib::Object, name: &str) {
    println!("Decodebin child added: {name} \n");
    if name.contains("decodebin") {
        if let Some(proxy) = object.dynamic_cast_ref::<gst::ChildProxy>() {
            proxy.connect_child_added(|_, obj, name| decodebin_child_added(obj, name));
        }
    }
    if name.contains("source") && object.find_property("drop-on-latency").is_some() {
        props::set_property(object, "drop-on-latency", true);
    }
}

/// `cb_newpad`: links the decoder's video pad to the bin's ghost pad when
/// its caps are NVMM (the decoder is `nvv4l2decoder`).
fn cb_newpad(decoder_src_pad: &gst::Pad, source_bin: &gst::Bin) {
    println!("In cb_newpad\n");
    let caps = decoder_src_pad
        .current_caps()
        .unwrap_or_else(|| decoder_src_pad.query_caps(None));
    let (Some(s), Some(features)) = (caps.structure(0), caps.features(0)) else {
        return;
    };
    let gstname = s.name();
    println!("gstname= {gstname}");
    if gstname.contains("video") {
        println!("features= {features}");
        if features.contains("memory:NVMM") {
            let ok = source_bin
                .static_pad("src")
                .and_then(|p| p.downcast::<gst::GhostPad>().ok())
                .is_some_and(|ghost| ghost.set_target(Some(decoder_src_pad)).is_ok());
            if !ok {
                eprintln!("Failed to link decoder src pad to source bin ghost pad");
            }
        } else {
            eprintln!(" Error: Decodebin did not pick nvidia decoder plugin.");
        }
    }
}

/// Loop bookkeeping of one source (see the module doc).
#[derive(Debug, Default)]
struct LoopState {
    /// End-of-stream was dropped and the seek is under way.
    looping: bool,
    /// Base for the segments after a loop.
    offset: Option<gst::ClockTime>,
    /// The segment in force (as sent downstream).
    segment: Option<gst::FormattedSegment<gst::ClockTime>>,
    /// Running time where the last buffer ended.
    end: gst::ClockTime,
}

/// `create_source_bin`: a bin `source-bin-NN` holding `uridecodebin` for
/// `uri`, with an unlinked ghost `src` pad.
pub fn create_source_bin(
    index: usize,
    uri: &str,
    file_loop: bool,
    shared: &Arc<SourceShared>,
) -> Result<gst::Bin> {
    println!("Creating source bin");
    let bin_name = format!("source-bin-{index:02}");
    println!("{bin_name}");
    let nbin = gst::Bin::with_name(&bin_name);
    let uri_decode_bin = make("uridecodebin", "uri-decode-bin", "uri decode bin")?;
    props::set_property(&uri_decode_bin, "uri", uri);
    let weak_bin = nbin.downgrade();
    uri_decode_bin.connect_pad_added(move |_, pad| {
        if let Some(bin) = weak_bin.upgrade() {
            cb_newpad(pad, &bin);
        }
    });
    if let Some(proxy) = uri_decode_bin.dynamic_cast_ref::<gst::ChildProxy>() {
        proxy.connect_child_added(|_, obj, name| decodebin_child_added(obj, name));
    }
    nbin.add(&uri_decode_bin)?;
    let ghost = gst::GhostPad::builder(gst::PadDirection::Src)
        .name("src")
        .build();
    nbin.add_pad(&ghost)
        .context(" Failed to add ghost pad in source bin ")?;
    if file_loop && uri.starts_with("file://") {
        add_loop_probe(&ghost, shared);
    }
    Ok(nbin)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the file-loop probe on the source bin's ghost pad.
fn add_loop_probe(ghost: &gst::GhostPad, shared: &Arc<SourceShared>) {
    let state = Arc::new(Mutex::new(LoopState::default()));
    let shared = Arc::clone(shared);
    ghost.add_probe(
        gst::PadProbeType::BUFFER
            | gst::PadProbeType::EVENT_DOWNSTREAM
            | gst::PadProbeType::EVENT_FLUSH,
        move |pad, info| {
            let mut st = lock(&state);
            match &info.data {
                Some(gst::PadProbeData::Buffer(buffer)) => {
                    if let (Some(seg), Some(pts)) = (&st.segment, buffer.pts()) {
                        if let Some(rt) = seg.to_running_time(pts) {
                            let end = rt + buffer.duration().unwrap_or(gst::ClockTime::ZERO);
                            st.end = st.end.max(end);
                        }
                    }
                    gst::PadProbeReturn::Ok
                }
                Some(gst::PadProbeData::Event(event)) => match event.view() {
                    gst::EventView::Eos(_) if !shared.stopping.load(Ordering::SeqCst) => {
                        st.looping = true;
                        st.offset = Some(st.end);
                        let weak = pad.upcast_ref::<gst::Pad>().downgrade();
                        std::thread::spawn(move || {
                            if let Some(pad) = weak.upgrade() {
                                seek_to_start(&pad);
                            }
                        });
                        // Handled (not Drop): the event is released by
                        // gstreamer-rs, and GStreamer does not unref it again.
                        gst::PadProbeReturn::Handled
                    }
                    gst::EventView::FlushStart(_) | gst::EventView::FlushStop(_) if st.looping => {
                        gst::PadProbeReturn::Handled
                    }
                    gst::EventView::Segment(s) => {
                        let Ok(seg) = s.segment().clone().downcast::<gst::ClockTime>() else {
                            return gst::PadProbeReturn::Ok;
                        };
                        let mut seg = seg;
                        if let Some(offset) = st.offset {
                            seg.set_base(offset);
                            let seqnum = event.seqnum();
                            info.data = Some(gst::PadProbeData::Event(
                                gst::event::Segment::builder(&seg).seqnum(seqnum).build(),
                            ));
                        }
                        st.looping = false;
                        st.segment = Some(seg);
                        gst::PadProbeReturn::Ok
                    }
                    _ => gst::PadProbeReturn::Ok,
                },
                _ => gst::PadProbeReturn::Ok,
            }
        },
    );
}

/// Flushing seek of the source behind `pad` back to its start; when the
/// source cannot seek, its end-of-stream goes on to the muxer after all.
fn seek_to_start(pad: &gst::Pad) {
    let seek = gst::event::Seek::new(
        1.0,
        gst::SeekFlags::FLUSH,
        gst::SeekType::Set,
        gst::ClockTime::ZERO,
        gst::SeekType::None,
        gst::ClockTime::NONE,
    );
    if !pad.send_event(seek) {
        eprintln!(
            "Warning: {}: cannot seek to loop the file",
            source_name(pad)
        );
        // Let the end-of-stream through: the probe passes it once stopping
        // or when nothing loops; push it directly past the probe.
        if let Some(peer) = pad.peer() {
            peer.send_event(gst::event::Eos::new());
        }
    }
}

fn source_name(pad: &gst::Pad) -> String {
    pad.parent()
        .map(|p| p.name().to_string())
        .unwrap_or_default()
}
