//! The bounded retry queue between `render()` (producer) and the sender
//! thread (consumer).
//!
//! A message leaves the queue only when the broker has acknowledged it
//! ([`SendQueue::ack`]), so the message in flight when a connection breaks
//! is sent again after the reconnect (at-least-once). When the queue is
//! full, [`SendQueue::push`] drops the oldest message and counts it.
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One payload to publish.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    /// Sequence number (unique per queue), used to match acknowledgements.
    pub seq: u64,
    /// Destination topic (MQTT topic, Redis stream, AMQP routing key).
    pub topic: String,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

#[derive(Default)]
struct State {
    messages: VecDeque<Message>,
    next_seq: u64,
    dropped: u64,
    stopping: bool,
}

/// A bounded FIFO shared by the element and its sender thread.
pub(crate) struct SendQueue {
    state: Mutex<State>,
    changed: Condvar,
    capacity: usize,
}

impl SendQueue {
    /// A queue of at most `capacity` (at least 1) messages.
    pub(crate) fn new(capacity: usize) -> SendQueue {
        SendQueue {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends a message; when full, drops the oldest first. Returns how
    /// many messages were dropped by this call (0 or 1).
    pub(crate) fn push(&self, topic: String, payload: Vec<u8>) -> u64 {
        let mut st = self.lock();
        let mut dropped = 0;
        while st.messages.len() >= self.capacity {
            st.messages.pop_front();
            dropped += 1;
        }
        st.dropped += dropped;
        let seq = st.next_seq;
        st.next_seq += 1;
        st.messages.push_back(Message {
            seq,
            topic,
            payload,
        });
        drop(st);
        self.changed.notify_all();
        dropped
    }

    /// The oldest unacknowledged message, waiting up to `timeout` for one.
    /// `None` on timeout or once [`stop`](Self::stop) was called.
    pub(crate) fn front(&self, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if st.stopping {
                return None;
            }
            if let Some(m) = st.messages.front() {
                return Some(m.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            st = self
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Removes message `seq` (acknowledged by the broker) if it is still
    /// queued (it may have been dropped meanwhile).
    pub(crate) fn ack(&self, seq: u64) {
        let mut st = self.lock();
        if st.messages.front().map(|m| m.seq) == Some(seq) {
            st.messages.pop_front();
        } else if let Some(i) = st.messages.iter().position(|m| m.seq == seq) {
            st.messages.remove(i);
        }
        drop(st);
        self.changed.notify_all();
    }

    /// Messages waiting (including the one in flight).
    pub(crate) fn len(&self) -> usize {
        self.lock().messages.len()
    }

    /// Total messages dropped because the queue was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Waits until the queue is empty or `timeout` passed; true if empty.
    pub(crate) fn wait_empty(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if st.messages.is_empty() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || st.stopping {
                return false;
            }
            st = self
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Sleeps up to `d`, returning early (true) when stopping.
    pub(crate) fn sleep(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut st = self.lock();
        loop {
            if st.stopping {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            st = self
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Asks the sender thread to end; wakes every waiter.
    pub(crate) fn stop(&self) {
        self.lock().stopping = true;
        self.changed.notify_all();
    }

    /// Whether [`stop`](Self::stop) was called.
    pub(crate) fn is_stopping(&self) -> bool {
        self.lock().stopping
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_oldest_and_acks_in_order() {
        let q = SendQueue::new(2);
        assert_eq!(q.push("t".into(), b"a".to_vec()), 0);
        assert_eq!(q.push("t".into(), b"b".to_vec()), 0);
        assert_eq!(q.push("t".into(), b"c".to_vec()), 1);
        assert_eq!(q.dropped(), 1);
        let m = q.front(Duration::ZERO).unwrap();
        assert_eq!(m.payload, b"b");
        // still there until acknowledged
        assert_eq!(q.front(Duration::ZERO).unwrap().seq, m.seq);
        q.ack(m.seq);
        assert_eq!(q.front(Duration::ZERO).unwrap().payload, b"c");
        assert_eq!(q.len(), 1);
        assert!(!q.wait_empty(Duration::from_millis(1)));
        q.stop();
        assert!(q.front(Duration::from_secs(5)).is_none());
    }
}
