//! Extra of the port (`--stats`, for the tests): what every added source
//! delivered to a probe after the secondaries, and the process's threads,
//! file descriptors and memory after each removal.
use ds_core::BatchMeta;
use gstreamer as gst;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Frame counters: one per source addition, looked up by source id.
#[derive(Debug, Default)]
pub struct FrameCounts {
    /// (source id, frames) of every addition, in order.
    added: Mutex<Vec<(usize, Arc<AtomicU64>)>>,
    /// The counter of each source id's latest addition.
    current: Mutex<Vec<Option<Arc<AtomicU64>>>>,
}

impl FrameCounts {
    /// Starts counting a new addition of `source_id`.
    pub fn added(&self, source_id: usize) {
        let c = Arc::new(AtomicU64::new(0));
        lock(&self.added).push((source_id, Arc::clone(&c)));
        let mut cur = lock(&self.current);
        if cur.len() <= source_id {
            cur.resize(source_id + 1, None);
        }
        cur[source_id] = Some(c);
    }

    /// Counts the frames of a batch by source id.
    pub fn probe(&self, buffer: &gst::BufferRef) {
        let Some(batch) = BatchMeta::from_buffer(buffer) else {
            return;
        };
        let cur = lock(&self.current);
        for f in batch.frames() {
            if let Some(Some(c)) = cur.get(f.source_id() as usize) {
                c.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Whether every enabled source's latest addition has delivered a
    /// frame (with `--stats` the timers wait for that, so that a fast
    /// cadence still lets every source reach the probe).
    pub fn all_delivered(&self, enabled: &[bool]) -> bool {
        let cur = lock(&self.current);
        enabled.iter().enumerate().all(|(id, on)| {
            !on || cur
                .get(id)
                .and_then(|c| c.as_ref())
                .is_some_and(|c| c.load(Ordering::Relaxed) > 0)
        })
    }

    /// One `STATS source <n> id <id> frames <count>` line per addition.
    pub fn print(&self) {
        for (n, (id, c)) in lock(&self.added).iter().enumerate() {
            println!(
                "STATS source {n} id {id} frames {}",
                c.load(Ordering::Relaxed)
            );
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `STATS cycle <c> sources <n> mux-pads <p> children <k> threads <t> fds <f> rss-kb <r>`.
pub fn resources_line(cycle: u32, sources: usize, mux_pads: usize, children: u32) -> String {
    let threads = std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_default();
    format!(
        "STATS cycle {cycle} sources {sources} mux-pads {mux_pads} children {children} \
         threads {threads} fds {fds} rss-kb {rss}"
    )
}
