//! The sender thread: owns the connection, publishes the queue's messages
//! in order, reconnects with exponential back-off (100 ms doubling to 5 s)
//! and keeps every unacknowledged message queued meanwhile.
use super::queue::SendQueue;
use super::{Connection, Settings};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// What the thread tells the element.
pub(crate) enum Event {
    /// The connection failed or broke (first failure of an outage).
    Lost(String),
    /// Connected again after an outage.
    Reconnected,
}

/// Handle on a running sender thread.
pub(crate) struct Sender {
    queue: Arc<SendQueue>,
    socket: Arc<Mutex<Option<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl Sender {
    /// Starts the thread with an established connection (or none: it
    /// connects itself, retrying).
    pub(crate) fn start(
        settings: Settings,
        queue: Arc<SendQueue>,
        conn: Option<Box<dyn Connection>>,
        notify: Box<dyn Fn(Event) + Send>,
    ) -> std::io::Result<Sender> {
        let socket = Arc::new(Mutex::new(None));
        if let Some(c) = &conn {
            *socket.lock().unwrap_or_else(|e| e.into_inner()) =
                c.socket().and_then(|s| s.try_clone().ok());
        }
        let (q, s) = (queue.clone(), socket.clone());
        let thread = std::thread::Builder::new()
            .name("nvmsgbroker".into())
            .spawn(move || run(&settings, &q, &s, conn, notify.as_ref()))?;
        Ok(Sender {
            queue,
            socket,
            thread: Some(thread),
        })
    }

    /// Stops the thread (interrupting a blocked send) and joins it.
    pub(crate) fn stop(mut self) {
        self.queue.stop();
        if let Some(s) = self
            .socket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    settings: &Settings,
    queue: &SendQueue,
    socket: &Mutex<Option<TcpStream>>,
    mut conn: Option<Box<dyn Connection>>,
    notify: &dyn Fn(Event),
) {
    let set_socket = |s: Option<TcpStream>| {
        *socket.lock().unwrap_or_else(|e| e.into_inner()) = s;
    };
    // Started without a connection (retry-on-start): the first failure
    // is reported like a lost connection (one warning per outage).
    let mut down = false;
    let mut backoff = BACKOFF_MIN;
    let mut last_io = Instant::now();
    let keep_alive = Duration::from_secs(u64::from(settings.keep_alive_s.max(2)) / 2);
    while !queue.is_stopping() {
        let Some(c) = conn.as_mut() else {
            match settings.connect() {
                Ok(c) => {
                    set_socket(c.socket().and_then(|s| s.try_clone().ok()));
                    if queue.is_stopping() {
                        // stop() may have missed this socket
                        let mut c = c;
                        c.close();
                        break;
                    }
                    conn = Some(c);
                    backoff = BACKOFF_MIN;
                    last_io = Instant::now();
                    if down {
                        notify(Event::Reconnected);
                    }
                    down = false;
                }
                Err(e) => {
                    if !down {
                        notify(Event::Lost(e.to_string()));
                    }
                    down = true;
                    if queue.sleep(backoff) {
                        break;
                    }
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
            }
            continue;
        };
        let result = match queue.front(Duration::from_millis(500)) {
            Some(m) => c.publish(&m.topic, &m.payload).map(|()| queue.ack(m.seq)),
            None if queue.is_stopping() => break,
            None if last_io.elapsed() >= keep_alive => c.keep_alive(),
            None => continue,
        };
        last_io = Instant::now();
        if let Err(e) = result {
            if queue.is_stopping() {
                break;
            }
            if let Some(mut c) = conn.take() {
                c.close();
            }
            set_socket(None);
            notify(Event::Lost(e.to_string()));
            down = true;
            if queue.sleep(backoff) {
                break;
            }
        }
    }
    if let Some(mut c) = conn {
        c.close();
    }
    set_socket(None);
}
