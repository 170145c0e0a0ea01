//! `NvDsEvent`: an event handed to a message converter (`nvds_msg2p_*`).
use super::{EventMsgMeta, EventMsgMetaRef};
use ds_sys::{NvDsEvent, NvDsEventMsgMeta, NvDsEventType};
use std::fmt;

/// An owned `NvDsEvent`: an event type and the [`EventMsgMeta`] it owns.
///
/// `#[repr(transparent)]` over the C struct, so a `&[Event]` is the
/// contiguous `NvDsEvent` array that message converter libraries take
/// (see [`Event::as_raw_slice`]). Dropping an event frees its metadata.
///
/// ```
/// use ds_core::alloc::{Event, EventMsgMeta};
/// let mut msg = EventMsgMeta::new();
/// msg.set_sensor_str("sensor-0");
/// let events = vec![Event::new(ds_sys::NVDS_EVENT_ENTRY, msg)];
/// let raw = Event::as_raw_slice(&events);
/// assert_eq!(raw[0].eventType, ds_sys::NVDS_EVENT_ENTRY);
/// assert_eq!(events[0].metadata().sensor_str(), Some("sensor-0"));
/// ```
#[repr(transparent)]
pub struct Event(NvDsEvent);

// SAFETY: an Event exclusively owns its metadata (plain memory).
unsafe impl Send for Event {}
// SAFETY: shared access only reads.
unsafe impl Sync for Event {}

impl Event {
    /// An event of `event_type` owning `metadata`.
    ///
    /// ```
    /// use ds_core::alloc::{Event, EventMsgMeta};
    /// let e = Event::new(ds_sys::NVDS_EVENT_EXIT, EventMsgMeta::new());
    /// assert_eq!(e.event_type(), ds_sys::NVDS_EVENT_EXIT);
    /// ```
    pub fn new(event_type: NvDsEventType, metadata: EventMsgMeta) -> Event {
        Event(NvDsEvent {
            eventType: event_type,
            metadata: metadata.into_raw(),
        })
    }

    /// The event type (`eventType`).
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let e = Event::new(ds_sys::NVDS_EVENT_MOVING, EventMsgMeta::new());
    /// assert_eq!(e.event_type(), ds_sys::NVDS_EVENT_MOVING);
    /// ```
    pub fn event_type(&self) -> NvDsEventType {
        self.0.eventType
    }

    /// Sets the event type.
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let mut e = Event::new(ds_sys::NVDS_EVENT_MOVING, EventMsgMeta::new());
    /// e.set_event_type(ds_sys::NVDS_EVENT_STOPPED);
    /// assert_eq!(e.event_type(), ds_sys::NVDS_EVENT_STOPPED);
    /// ```
    pub fn set_event_type(&mut self, event_type: NvDsEventType) {
        self.0.eventType = event_type;
    }

    /// The event's metadata.
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_frame_id(9);
    /// assert_eq!(Event::new(0, msg).metadata().frame_id(), 9);
    /// ```
    pub fn metadata(&self) -> &EventMsgMetaRef {
        // SAFETY: metadata is the EventMsgMeta-built struct this event owns
        // (never NULL); the view is repr(transparent).
        unsafe { &*(self.0.metadata as *const EventMsgMetaRef) }
    }

    /// The event's metadata, mutably.
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let mut e = Event::new(0, EventMsgMeta::new());
    /// e.metadata_mut().set_sensor_str("cam-1");
    /// assert_eq!(e.metadata().sensor_str(), Some("cam-1"));
    /// ```
    pub fn metadata_mut(&mut self) -> &mut EventMsgMetaRef {
        // SAFETY: as in `metadata`; `&mut self` gives exclusive access.
        unsafe { &mut *(self.0.metadata as *mut EventMsgMetaRef) }
    }

    /// Gives the metadata back, consuming the event.
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_place_id(4);
    /// assert_eq!(Event::new(0, msg).into_metadata().place_id(), 4);
    /// ```
    pub fn into_metadata(self) -> EventMsgMeta {
        let p: *mut NvDsEventMsgMeta = self.0.metadata;
        std::mem::forget(self);
        // SAFETY: the event owned p, built by an EventMsgMeta; ownership
        // moves out (the event is forgotten).
        unsafe { EventMsgMeta::from_raw(p) }
    }

    /// The raw C struct.
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let e = Event::new(ds_sys::NVDS_EVENT_EMPTY, EventMsgMeta::new());
    /// assert!(!e.as_raw().metadata.is_null());
    /// ```
    pub fn as_raw(&self) -> &NvDsEvent {
        &self.0
    }

    /// A slice of events as the C array `const NvDsEvent *events` (pass
    /// `.as_ptr()` and `.len()` to a message converter).
    ///
    /// ```
    /// # use ds_core::alloc::{Event, EventMsgMeta};
    /// let events = [Event::new(0, EventMsgMeta::new()), Event::new(1, EventMsgMeta::new())];
    /// let raw = Event::as_raw_slice(&events);
    /// assert_eq!(raw.len(), 2);
    /// assert_eq!(raw[1].eventType, 1);
    /// ```
    pub fn as_raw_slice(events: &[Event]) -> &[NvDsEvent] {
        // SAFETY: Event is repr(transparent) over NvDsEvent, so the slices
        // have the same layout; the borrow is tied to `events`.
        unsafe { std::slice::from_raw_parts(events.as_ptr() as *const NvDsEvent, events.len()) }
    }
}

impl Clone for Event {
    fn clone(&self) -> Self {
        // SAFETY: metadata was built by an EventMsgMeta.
        let m = unsafe { EventMsgMeta::copy_raw(self.0.metadata) };
        Event(NvDsEvent {
            eventType: self.0.eventType,
            metadata: m,
        })
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        // SAFETY: the event owns its metadata, built by an EventMsgMeta.
        unsafe { EventMsgMeta::free_raw(self.0.metadata) }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("event_type", &self.event_type())
            .field("metadata", self.metadata())
            .finish()
    }
}
