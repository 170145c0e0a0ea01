//! Inference workers of the open `nvinfer`: a few threads, each with its own
//! ONNX Runtime session, that run the model on consecutive batches at the
//! same time.
//!
//! On the CPU one session with several intra-op threads scales poorly on a
//! model of NanoDet's size (each of its ~100 nodes is split over the threads
//! and joined again): on the 2-core machine of BENCHMARKS.md, NanoDet INT8
//! took 16.8 ms per frame on one thread and 14.4-15.2 ms on two, while two
//! one-thread sessions side by side each kept ~17 ms, i.e. 1.7x the
//! throughput of one two-thread session. So the element runs several
//! sessions, each on its own batch, and its output thread takes the results
//! in the order the batches came (`super::imp`), so nothing downstream sees
//! a difference but the time.
//!
//! How many workers and how many ONNX Runtime threads each: the extension
//! config keys `inference-workers` and `inference-threads`
//! ([`Workers::plan`]).
use super::engine::{Engine, Output};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The result of one run, as [`Engine::run`] gives it.
pub type RunResult = Result<Vec<Output>, String>;

/// One run: `batch` inputs laid end to end, and where its result goes.
struct Task {
    batch: usize,
    input: Vec<f32>,
    reply: mpsc::SyncSender<RunResult>,
}

/// A running pool of inference workers.
pub struct Workers {
    tx: Option<mpsc::Sender<Task>>,
    handles: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("workers", &self.handles.len())
            .finish()
    }
}

/// Most workers the automatic choice starts: one batch in flight per core
/// up to this; above it, the cores are shared out as intra-op threads.
const AUTO_MAX_WORKERS: usize = 4;

impl Workers {
    /// Workers and ONNX Runtime intra-op threads per worker for `cores`
    /// cores, given the config's `inference-workers` and
    /// `inference-threads` (0: automatic). Automatic: one worker per core
    /// up to 4 workers, and the cores shared among them as threads (at
    /// least one each): 2 cores -> 2 workers of 1 thread, 16 cores -> 4 of 4.
    ///
    /// ```
    /// use ds_open::nvinfer::workers::Workers;
    /// assert_eq!(Workers::plan(2, 0, 0), (2, 1));
    /// assert_eq!(Workers::plan(16, 0, 0), (4, 4));
    /// assert_eq!(Workers::plan(2, 1, 0), (1, 2));
    /// assert_eq!(Workers::plan(8, 0, 3), (4, 3));
    /// ```
    pub fn plan(cores: usize, workers: u32, threads: u32) -> (usize, usize) {
        let cores = cores.max(1);
        let w = match workers {
            0 => cores.min(AUTO_MAX_WORKERS),
            n => n as usize,
        };
        let t = match threads {
            0 => (cores / w).max(1),
            n => n as usize,
        };
        (w, t)
    }

    /// Starts one worker thread per engine.
    pub fn start(engines: Vec<Engine>) -> Result<Workers, String> {
        let (tx, rx) = mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        let mut handles = Vec::with_capacity(engines.len());
        for (i, engine) in engines.into_iter().enumerate() {
            let rx = rx.clone();
            let handle = std::thread::Builder::new()
                .name(format!("nvinfer-run{i}"))
                .spawn(move || loop {
                    let task = {
                        let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
                        rx.recv()
                    };
                    let Ok(task) = task else {
                        return;
                    };
                    // The receiver may be gone (a flush dropped the batch).
                    let _ = task.reply.send(engine.run(task.batch, task.input));
                })
                .map_err(|e| format!("cannot start an inference thread: {e}"))?;
            handles.push(handle);
        }
        Ok(Workers {
            tx: Some(tx),
            handles,
        })
    }

    /// Number of workers.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Always false: a pool has at least one worker once started with one.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Queues a run of `batch` inputs; the result comes on the returned
    /// receiver (an error if the pool stopped first).
    pub fn submit(&self, batch: usize, input: Vec<f32>) -> Pending {
        let (reply, rx) = mpsc::sync_channel(1);
        if let Some(tx) = &self.tx {
            // A send fails only when every worker has gone; then `rx` says so.
            let _ = tx.send(Task {
                batch,
                input,
                reply,
            });
        }
        Pending(rx)
    }
}

/// A submitted run.
pub struct Pending(mpsc::Receiver<RunResult>);

impl Pending {
    /// Waits for the run's result.
    pub fn wait(self) -> RunResult {
        self.0
            .recv()
            .unwrap_or_else(|_| Err("the inference thread stopped".to_string()))
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        // Closing the channel ends each worker after its current run.
        self.tx = None;
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}
