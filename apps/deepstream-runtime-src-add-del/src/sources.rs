//! The sample's source handling: `create_uridecode_bin` with its
//! `cb_newpad` and `decodebin_child_added`, and the timers `add_sources`
//! and `delete_sources` with `stop_release_source`.
use crate::{App, GPU_ID, MAX_NUM_SOURCES};
use anyhow::Result;
use deepstream_common::{make, PlatformInfo};
use ds_core::app::props;
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// `decodebin_child_added`: prints `Decodebin child added: <name> ` and an
/// empty line, follows nested decodebins, and sets the decoder's
/// properties for the platform.
fn decodebin_child_added(object: &glib::Object, name: &str, platform_info: &Arc<PlatformInfo>) {
    println!("Decodebin child added: {name} \n");
    if name.contains("decodebin") {
        if let Some(proxy) = object.dynamic_cast_ref::<gst::ChildProxy>() {
            let p = Arc::clone(platform_info);
            proxy.connect_child_added(move |_, obj, name| decodebin_child_added(obj, name, &p));
        }
    }
    if name.contains("nvv4l2decoder") {
        if platform_info.is_integrated_gpu() {
            props::set_property(object, "enable-max-performance", true);
            props::set_property(object, "drop-frame-interval", 0u32);
            props::set_property(object, "num-extra-surfaces", 0u32);
        } else {
            props::set_property(object, "gpu-id", GPU_ID);
        }
    }
}

/// `cb_newpad`: links a video pad of the decodebin to a new `sink_<id>`
/// pad of the muxer.
fn cb_newpad(pad: &gst::Pad, source_id: usize, streammux: &gst::Element) {
    println!("In cb_newpad\n");
    let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
    let Some(gststruct) = caps.structure(0) else {
        return;
    };
    let gstname = gststruct.name();
    // Need to check that the pad is video, not audio.
    println!("gstname= {gstname}");
    if gstname.contains("video") {
        let pad_name = format!("sink_{source_id}");
        println!("{pad_name}");
        // A sink pad from the muxer, linked to the decodebin.
        let Some(sinkpad) = streammux.request_pad_simple(&pad_name) else {
            eprintln!("Unable to create sink pad bin ");
            return;
        };
        if pad.link(&sinkpad).is_ok() {
            println!("Decodebin linked to pipeline");
        } else {
            eprintln!("Failed to link decodebin to pipeline");
        }
    }
}

/// `create_uridecode_bin`: a `uridecodebin` named `source-bin-NN` reading
/// `filename`, whose video pad goes to the muxer's `sink_<index>`.
pub fn create_uridecode_bin(app: &mut App, index: usize, filename: &str) -> Result<gst::Element> {
    println!("Creating uridecodebin for [{filename}]");
    app.source_id_list[index] = index;
    let bin_name = format!("source-bin-{index:02}");
    println!("{bin_name}");
    // uridecodebin figures out the container format and codec and plugs
    // the demuxer and decoder.
    let bin = make("uridecodebin", &bin_name, "uri decode bin")?;
    props::set_property(&bin, "uri", filename);
    let streammux = app.streammux.clone();
    let source_id = app.source_id_list[index];
    bin.connect_pad_added(move |_, pad| cb_newpad(pad, source_id, &streammux));
    if let Some(proxy) = bin.dynamic_cast_ref::<gst::ChildProxy>() {
        let p = Arc::clone(&app.platform_info);
        proxy.connect_child_added(move |_, obj, name| decodebin_child_added(obj, name, &p));
    }
    // The source is enabled.
    app.source_enabled[index] = true;
    Ok(bin)
}

/// `stop_release_source`: the source bin to NULL, its muxer pad flushed
/// and released, the bin removed.
fn stop_release_source(app: &mut App, source_id: usize) {
    let Some(bin) = app.source_bin_list[source_id].take() else {
        return;
    };
    let release = |app: &mut App| {
        let pad_name = format!("sink_{source_id}");
        println!("{pad_name}");
        // The sink pad to release (none when the source never linked).
        if let Some(sinkpad) = app.streammux.static_pad(&pad_name) {
            sinkpad.send_event(gst::event::FlushStop::new(false));
            app.streammux.release_request_pad(&sinkpad);
        }
    };
    match bin.set_state(gst::State::Null) {
        Ok(gst::StateChangeSuccess::Async) => {
            let _ = bin.state(gst::ClockTime::NONE);
            release(app);
            println!("STATE CHANGE ASYNC\n");
        }
        Ok(_) => {
            println!("STATE CHANGE SUCCESS\n");
            release(app);
            println!("STATE CHANGE SUCCESS\n");
        }
        Err(_) => {
            println!("STATE CHANGE FAILURE\n");
            app.source_bin_list[source_id] = Some(bin);
            return;
        }
    }
    // The source bin leaves the pipeline.
    let _ = app.pipeline.remove(&bin);
    app.num_sources -= 1;
}

/// Starts the timer that calls `f` every interval (the sample's
/// `GLib.timeout_add_seconds(10, ...)`).
pub fn start_timer(app: &Rc<RefCell<App>>, f: fn(&Rc<RefCell<App>>) -> glib::ControlFlow) {
    let interval = app.borrow().interval;
    let app = Rc::clone(app);
    if interval.subsec_nanos() == 0 {
        glib::timeout_add_seconds_local(interval.as_secs() as u32, move || f(&app));
    } else {
        glib::timeout_add_local(interval, move || f(&app));
    }
}

/// `delete_sources`: removes the sources that reached EOS, then a random
/// enabled one; quits when none is left.
pub fn delete_sources(app_rc: &Rc<RefCell<App>>) -> glib::ControlFlow {
    let mut app = app_rc.borrow_mut();
    if !app.ready_for_tick() {
        return glib::ControlFlow::Continue;
    }
    // First the sources that reached end-of-stream.
    for source_id in 0..MAX_NUM_SOURCES {
        if app.eos_list[source_id] && app.source_enabled[source_id] {
            app.source_enabled[source_id] = false;
            stop_release_source(&mut app, source_id);
        }
    }
    // Quit when no source is left.
    if app.num_sources == 0 {
        app.main_loop.quit();
        println!("All sources stopped quitting");
        return glib::ControlFlow::Break;
    }
    // A random enabled source.
    let mut source_id = app.randrange(MAX_NUM_SOURCES);
    while !app.source_enabled[source_id] {
        source_id = app.randrange(MAX_NUM_SOURCES);
    }
    app.source_enabled[source_id] = false;
    println!("Calling Stop {source_id} ");
    stop_release_source(&mut app, source_id);
    app.report();

    if app.num_sources == 0 {
        app.main_loop.quit();
        println!("All sources stopped quitting");
        return glib::ControlFlow::Break;
    }
    // Extra (--cycles): back to adding when one source is left.
    if app.cycles_left > 0 && app.num_sources == 1 {
        app.cycles_left -= 1;
        app.cycle += 1;
        drop(app);
        start_timer(app_rc, add_sources);
        return glib::ControlFlow::Break;
    }
    glib::ControlFlow::Continue
}

/// `add_sources`: adds a random source that is not enabled; from
/// `MAX_NUM_SOURCES` sources on, deletes one per interval instead.
pub fn add_sources(app_rc: &Rc<RefCell<App>>) -> glib::ControlFlow {
    let mut app = app_rc.borrow_mut();
    if !app.ready_for_tick() {
        return glib::ControlFlow::Continue;
    }
    // A random source that is not enabled.
    let mut source_id = app.randrange(MAX_NUM_SOURCES);
    while app.source_enabled[source_id] {
        source_id = app.randrange(MAX_NUM_SOURCES);
    }
    app.source_enabled[source_id] = true;
    println!("Calling Start {source_id} ");

    // A uridecodebin with the chosen source id.
    let uri = app.uri.clone();
    let source_bin = match create_uridecode_bin(&mut app, source_id, &uri) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("Failed to create source bin. Exiting. ({e})");
            std::process::exit(1);
        }
    };
    if let Some(stats) = &app.stats {
        stats.added(source_id);
    }
    app.source_bin_list[source_id] = Some(source_bin.clone());
    if app.pipeline.add(&source_bin).is_err() {
        eprintln!("Failed to add source bin {source_id} to the pipeline. Exiting.");
        std::process::exit(1);
    }
    // The source bin to PLAYING.
    match source_bin.set_state(gst::State::Playing) {
        Ok(gst::StateChangeSuccess::Success) => println!("STATE CHANGE SUCCESS\n"),
        Ok(gst::StateChangeSuccess::Async) => {
            let _ = source_bin.state(gst::ClockTime::NONE);
        }
        Ok(gst::StateChangeSuccess::NoPreroll) => println!("STATE CHANGE NO PREROLL\n"),
        Err(_) => println!("STATE CHANGE FAILURE\n"),
    }
    app.num_sources += 1;

    // With the maximum number of sources, delete one every interval.
    if app.num_sources == MAX_NUM_SOURCES {
        drop(app);
        start_timer(app_rc, delete_sources);
        return glib::ControlFlow::Break;
    }
    glib::ControlFlow::Continue
}
