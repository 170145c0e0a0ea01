//! The nvmsgbroker test rig shared by `nvmsgbroker.rs`, `nvmsgbroker_tls.rs`
//! and `nvmsgbroker_kafka.rs`: `appsrc ! nvmsgbroker`, fed buffers that
//! carry one payload user meta each, as nvmsgconv attaches them.
//! Each test binary uses a part of it.
#![allow(dead_code)]

use ds_core::alloc::Payload;
use ds_core::OwnedBatchMeta;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use std::time::{Duration, Instant};

/// A buffer with a batch meta carrying one payload user meta.
pub fn buffer_with_payload(json: &str) -> gst::Buffer {
    let mut buffer = gst::Buffer::new();
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    batch.new_frame().unwrap();
    batch
        .add_user_meta(Payload::new(json.as_bytes(), 0).unwrap())
        .unwrap();
    batch.attach(buffer.get_mut().unwrap()).unwrap();
    buffer
}

/// How appsrc queues what the test pushes.
#[derive(Clone, Copy)]
pub enum Feed {
    /// Unbounded: pushes never wait.
    Unbounded,
    /// At most this many buffers; pushes wait for the element, so memory
    /// measures the element, not appsrc's own queue.
    Blocking(u64),
}

/// `appsrc ! nvmsgbroker` with the given element properties.
pub struct BrokerPipeline {
    pub pipeline: gst::Pipeline,
    pub src: gst_app::AppSrc,
    pub bus: gst::Bus,
}

impl BrokerPipeline {
    pub fn new(props: &[(&str, glib::Value)], feed: Feed) -> BrokerPipeline {
        ds_open::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let src = gst_app::AppSrc::builder().format(gst::Format::Time);
        let src = match feed {
            Feed::Unbounded => src.max_buffers(0).build(),
            Feed::Blocking(n) => src.max_buffers(n).block(true).build(),
        };
        let sink = gst::ElementFactory::make("nvmsgbroker").build().unwrap();
        for (k, v) in props {
            sink.set_property_from_value(k, v);
        }
        pipeline.add_many([src.upcast_ref(), &sink]).unwrap();
        src.link(&sink).unwrap();
        let bus = pipeline.bus().unwrap();
        BrokerPipeline { pipeline, src, bus }
    }

    /// PLAYING, or the element's error message.
    pub fn play(&self) -> Result<(), String> {
        self.pipeline
            .set_state(gst::State::Playing)
            .map(|_| ())
            .map_err(|_| self.error(Duration::from_secs(1)).unwrap_or_default())
    }

    pub fn push(&self, json: &str) {
        self.src.push_buffer(buffer_with_payload(json)).unwrap();
    }

    /// The first error message posted within `timeout`.
    pub fn error(&self, timeout: Duration) -> Option<String> {
        let msg = self.bus.timed_pop_filtered(
            gst::ClockTime::from_nseconds(timeout.as_nanos() as u64),
            &[gst::MessageType::Error],
        )?;
        match msg.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        }
    }

    /// Warnings posted so far (non-blocking).
    pub fn warnings_now(&self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(msg) = self.bus.pop_filtered(&[gst::MessageType::Warning]) {
            if let gst::MessageView::Warning(w) = msg.view() {
                out.push(w.error().to_string());
            }
        }
        out
    }

    /// Sends EOS and waits for it on the bus (the element flushes its queue
    /// first); returns the warnings seen. An error, or no EOS within
    /// `timeout`, fails the test.
    pub fn finish(&self, timeout: Duration) -> Vec<String> {
        self.src.end_of_stream().unwrap();
        let mut warnings = Vec::new();
        let t0 = Instant::now();
        loop {
            assert!(t0.elapsed() < timeout, "no EOS within {timeout:?}");
            let Some(msg) = self.bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
                continue;
            };
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => panic!("pipeline error: {}", e.error()),
                gst::MessageView::Warning(w) => warnings.push(w.error().to_string()),
                _ => {}
            }
        }
        self.pipeline.set_state(gst::State::Null).unwrap();
        warnings
    }
}

impl Drop for BrokerPipeline {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
