//! The output thread of an element: a small bounded queue of buffers and
//! serialized events, emptied downstream by a task on the element's source
//! pad.
//!
//! DeepStream's `nvinfer` returns a batch to its upstream as soon as the
//! batch is inferred and pushes it downstream from a separate output thread,
//! so the work after it (conversion, OSD, encoding) overlaps with the
//! inference of the next batch. The open `nvinfer` gets the same decoupling
//! from this queue: its chain function processes a buffer and queues it; the
//! source pad's task pushes it on. Ordering is kept (events travel in the
//! same queue as buffers), flushes empty the queue, and a downstream flow
//! error reaches the upstream on its next push, as with GStreamer's `queue`.
//!
//! An element that finishes its buffers elsewhere (`nvinfer` runs several
//! inferences at once) queues a [`Job`] in the buffer's place: the task runs
//! it when its turn comes, so buffers leave in the order they came whichever
//! inference ends first.
use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// Work that yields a queued buffer, run by the output task in the
/// buffer's turn (it may wait for other threads). An error stops the task
/// as a downstream error would; the job posts its own error message.
pub(crate) type Job = Box<dyn FnOnce() -> Result<gst::Buffer, gst::FlowError> + Send>;

enum Item {
    Buffer(gst::Buffer),
    Job(Job),
    Event(gst::Event),
}

struct State {
    items: VecDeque<Item>,
    /// Buffers and jobs among `items` (events do not count towards the
    /// capacity).
    buffers: usize,
    flushing: bool,
    /// The task holds an item it is pushing.
    busy: bool,
    /// The last downstream result, returned to the upstream.
    flow: Result<gst::FlowSuccess, gst::FlowError>,
    /// Most buffers and jobs queued.
    capacity: usize,
}

/// A bounded queue drained by a task on a source pad.
pub(crate) struct OutputQueue {
    state: Mutex<State>,
    cond: Condvar,
}

impl OutputQueue {
    /// A queue holding at most `capacity` buffers (at least one); it starts
    /// flushing, until [`set_flushing`](Self::set_flushing)`(false)`.
    pub(crate) fn new(capacity: usize) -> OutputQueue {
        OutputQueue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                buffers: 0,
                flushing: true,
                busy: false,
                flow: Ok(gst::FlowSuccess::Ok),
                capacity: capacity.max(1),
            }),
            cond: Condvar::new(),
        }
    }

    /// Changes the capacity (at least one).
    pub(crate) fn set_capacity(&self, capacity: usize) {
        self.lock().capacity = capacity.max(1);
        self.cond.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.cond.wait(guard).unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `buffer`, waiting while the queue is full. Returns the last
    /// downstream result: an error (not linked, EOS, flushing, ...) means
    /// the buffer was not queued and the upstream should stop.
    pub(crate) fn push_buffer(
        &self,
        buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.push_item(Item::Buffer(buffer))
    }

    /// Queues a job in place of a buffer, as [`push_buffer`](Self::push_buffer).
    pub(crate) fn push_job(&self, job: Job) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.push_item(Item::Job(job))
    }

    fn push_item(&self, item: Item) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut s = self.lock();
        loop {
            if s.flushing {
                return Err(gst::FlowError::Flushing);
            }
            s.flow?;
            if s.buffers < s.capacity {
                break;
            }
            s = self.wait(s);
        }
        s.items.push_back(item);
        s.buffers += 1;
        self.cond.notify_all();
        Ok(gst::FlowSuccess::Ok)
    }

    /// Queues a serialized event; `false` while flushing.
    pub(crate) fn push_event(&self, event: gst::Event) -> bool {
        let mut s = self.lock();
        if s.flushing {
            return false;
        }
        s.items.push_back(Item::Event(event));
        self.cond.notify_all();
        true
    }

    /// Waits until everything queued has been pushed (for serialized
    /// queries, which must not overtake the data before them); `false` when
    /// a flush or a downstream error interrupted the wait.
    pub(crate) fn drain(&self) -> bool {
        let mut s = self.lock();
        while (!s.items.is_empty() || s.busy) && !s.flushing && s.flow.is_ok() {
            s = self.wait(s);
        }
        s.items.is_empty() && !s.flushing
    }

    /// Starts (`true`: drops everything queued and wakes every waiter) or
    /// ends a flush (`false`: accepts data again, clears the last error).
    pub(crate) fn set_flushing(&self, flushing: bool) {
        let mut s = self.lock();
        s.flushing = flushing;
        if flushing {
            s.items.clear();
            s.buffers = 0;
        } else {
            s.flow = Ok(gst::FlowSuccess::Ok);
        }
        self.cond.notify_all();
    }

    /// One iteration of the source pad's task: waits for the next item and
    /// pushes it on `srcpad`; pauses the task when flushing or when
    /// downstream stops (posting a stream error for "not linked" and "not
    /// negotiated", as GStreamer's `queue` does; a downstream element that
    /// returns an error has posted its own).
    pub(crate) fn task_iteration(&self, srcpad: &gst::Pad, element: &gst::Element) {
        let item = {
            let mut s = self.lock();
            while s.items.is_empty() && !s.flushing {
                s = self.wait(s);
            }
            if s.flushing {
                drop(s);
                let _ = srcpad.pause_task();
                return;
            }
            let Some(item) = s.items.pop_front() else {
                return;
            };
            if !matches!(item, Item::Event(_)) {
                s.buffers -= 1;
            }
            s.busy = true;
            self.cond.notify_all();
            item
        };
        let buffer = match item {
            Item::Buffer(buffer) => Ok(Some(buffer)),
            Item::Job(job) => job().map(Some),
            Item::Event(event) => {
                let eos = matches!(event.view(), gst::EventView::Eos(_));
                if !srcpad.push_event(event) && eos {
                    gst::debug!(gst::CAT_RUST, obj = element, "EOS not handled downstream");
                }
                Ok(None)
            }
        };
        let result = match buffer {
            Ok(Some(mut buffer)) => {
                if ds_core::latency::enabled() {
                    ds_core::latency::record_output(buffer.make_mut(), element);
                }
                srcpad.push(buffer)
            }
            Ok(None) => Ok(gst::FlowSuccess::Ok),
            Err(e) => Err(e),
        };
        let mut s = self.lock();
        s.busy = false;
        if let Err(err) = result {
            if !s.flushing {
                s.flow = Err(err);
            }
            self.cond.notify_all();
            drop(s);
            if matches!(
                err,
                gst::FlowError::NotLinked | gst::FlowError::NotNegotiated
            ) {
                gst::element_error!(
                    element,
                    gst::StreamError::Failed,
                    ("Internal data stream error."),
                    ["streaming stopped, reason {:?}", err]
                );
            }
            let _ = srcpad.pause_task();
            return;
        }
        self.cond.notify_all();
    }
}
