//! The sample's source bins (`create_source_bin`, `cb_newpad`,
//! `decodebin_child_added`): a bin `source-bin-NN` holding `uridecodebin`
//! (or, with `--file-loop`, DeepStream's `nvurisrcbin` with `file-loop=1`)
//! and a ghost `src` pad that gets its target when the decoder's NVMM video
//! pad appears.
use anyhow::{Context, Result};
use deepstream_common::make;
use ds_core::app::props;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;

/// `decodebin_child_added`: prints `Decodebin child added: <name> ` and an
/// empty line (Python's `print("Decodebin child added:", name, "\n")`),
/// follows the children of nested decodebins, and sets `drop-on-latency`
/// on a source that has it (`rtspsrc`).
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
    let (Some(gststruct), Some(features)) = (caps.structure(0), caps.features(0)) else {
        return;
    };
    let gstname = gststruct.name();
    // Need to check that the pad is video, not audio.
    println!("gstname= {gstname}");
    if gstname.contains("video") {
        // Link it only if decodebin picked NVIDIA's decoder: its caps have
        // the NVMM memory feature.
        println!("features= {features}");
        if features.contains("memory:NVMM") {
            let linked = source_bin
                .static_pad("src")
                .and_then(|p| p.downcast::<gst::GhostPad>().ok())
                .is_some_and(|bin_ghost_pad| {
                    bin_ghost_pad.set_target(Some(decoder_src_pad)).is_ok()
                });
            if !linked {
                eprintln!("Failed to link decoder src pad to source bin ghost pad");
            }
        } else {
            eprintln!(" Error: Decodebin did not pick nvidia decoder plugin.");
        }
    }
}

/// `create_source_bin`: a bin `source-bin-NN` reading `uri`, with an
/// unlinked ghost `src` pad. With `file_loop`, `nvurisrcbin` (`file-loop=1`,
/// `cudadec-memtype=0`) plays every input, as the sample does; otherwise
/// `uridecodebin`.
/// With `reconnect` = (interval s, attempts) and an `rtsp://` URI (the
/// port's extra, as deepstream-app's `rtsp-reconnect-interval-sec`), the
/// source is `nvurisrcbin` with `rtsp-reconnect-interval` /
/// `rtsp-reconnect-attempts` and `source-id` = `index`.
pub fn create_source_bin(
    index: usize,
    uri: &str,
    file_loop: bool,
    reconnect: Option<(u32, i32)>,
) -> Result<gst::Bin> {
    println!("Creating source bin");

    // A bin to abstract this source's content from the rest of the pipeline.
    let bin_name = format!("source-bin-{index:02}");
    println!("{bin_name}");
    let nbin = gst::Bin::with_name(&bin_name);

    // The source element: decodebin figures out the container format and
    // the codec and plugs the demuxer and decoder.
    let reconnect = reconnect.filter(|_| uri.starts_with("rtsp://"));
    let uri_decode_bin = if let Some((interval, attempts)) = reconnect {
        let bin = make("nvurisrcbin", "uri-decode-bin", "uri decode bin")?;
        props::set_property(&bin, "rtsp-reconnect-interval", interval);
        props::set_property(&bin, "rtsp-reconnect-attempts", attempts);
        props::set_property(&bin, "source-id", index as i32);
        props::set_property(&bin, "file-loop", file_loop);
        props::set_property_from_str(&bin, "cudadec-memtype", "0");
        bin
    } else if file_loop {
        // nvurisrcbin, to loop the file.
        let bin = make("nvurisrcbin", "uri-decode-bin", "uri decode bin")?;
        props::set_property(&bin, "file-loop", true);
        props::set_property_from_str(&bin, "cudadec-memtype", "0");
        bin
    } else {
        make("uridecodebin", "uri-decode-bin", "uri decode bin")?
    };
    props::set_property(&uri_decode_bin, "uri", uri);
    // "pad-added": a pad for raw data has been created.
    let weak_bin = nbin.downgrade();
    uri_decode_bin.connect_pad_added(move |_, pad| {
        if let Some(bin) = weak_bin.upgrade() {
            cb_newpad(pad, &bin);
        }
    });
    if let Some(proxy) = uri_decode_bin.dynamic_cast_ref::<gst::ChildProxy>() {
        proxy.connect_child_added(|_, obj, name| decodebin_child_added(obj, name));
    }

    // The ghost pad has no target yet: cb_newpad sets it to the decoder's
    // src pad.
    nbin.add(&uri_decode_bin)?;
    let bin_pad = gst::GhostPad::builder(gst::PadDirection::Src)
        .name("src")
        .build();
    nbin.add_pad(&bin_pad)
        .context(" Failed to add ghost pad in source bin ")?;
    Ok(nbin)
}
