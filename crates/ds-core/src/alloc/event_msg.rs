//! `NvDsEventMsgMeta`: the event message nvmsgconv turns into a payload.
use super::{
    dup_slice, non_null, replace_str, scalar_accessors, slice_field, str_accessors, AllocError,
    Coordinate, FaceObject, FaceObjectRef, GeoLocation, Joint, PersonObject, PersonObjectRef, Rect,
    VehicleObject, VehicleObjectRef,
};
use crate::meta::UserMetaData;
use crate::time::{Rfc3339, TimestampError};
use ds_sys::{
    NvDsEventMsgMeta, NvDsEventType, NvDsFaceObject, NvDsMetaCopyFunc, NvDsMetaReleaseFunc,
    NvDsMetaType, NvDsObjectType, NvDsPersonObject, NvDsUserMeta, NvDsVehicleObject,
    NVDS_EVENT_MSG_META, NVDS_OBJECT_TYPE_FACE, NVDS_OBJECT_TYPE_PERSON, NVDS_OBJECT_TYPE_VEHICLE,
};
use std::fmt;
use std::os::raw::c_void;
use std::ptr::NonNull;
use std::time::SystemTime;

/// Borrowed view of an `NvDsEventMsgMeta`: what
/// `user_meta.downcast::<EventMsgMeta>()` returns, and what an
/// [`EventMsgMeta`] dereferences to.
///
/// Its setters follow DeepStream's convention that the strings of an event
/// message are `g_malloc`'d and owned by it: setting one frees the old
/// value.
///
/// ```
/// use ds_core::alloc::{EventMsgMeta, EventMsgMetaRef};
/// let mut msg = EventMsgMeta::new();
/// msg.set_frame_id(30);
/// msg.set_confidence(0.8);
/// let view: &EventMsgMetaRef = &msg;
/// assert_eq!((view.frame_id(), view.confidence()), (30, 0.8));
/// ```
#[repr(transparent)]
pub struct EventMsgMetaRef(pub(crate) NvDsEventMsgMeta);

/// The object attached to an event message (`extMsg`), by kind.
///
/// ```
/// use ds_core::alloc::{EventMsgMeta, ExtObjectRef, FaceObject};
/// let mut msg = EventMsgMeta::new();
/// msg.set_face(FaceObject::new().with_name("Ada"));
/// match msg.ext() {
///     Some(ExtObjectRef::Face(f)) => assert_eq!(f.name(), Some("Ada")),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub enum ExtObjectRef<'a> {
    /// `objType == NVDS_OBJECT_TYPE_VEHICLE`.
    Vehicle(&'a VehicleObjectRef),
    /// `objType == NVDS_OBJECT_TYPE_PERSON`.
    Person(&'a PersonObjectRef),
    /// `objType == NVDS_OBJECT_TYPE_FACE`.
    Face(&'a FaceObjectRef),
}

/// An owned object taken out of (or replaced in) an event message.
///
/// ```
/// use ds_core::alloc::{EventMsgMeta, ExtObject, PersonObject};
/// let mut msg = EventMsgMeta::new();
/// msg.set_person(PersonObject::new().with_age(45));
/// let Some(ExtObject::Person(p)) = msg.take_ext() else { panic!() };
/// assert_eq!(p.age(), 45);
/// assert!(msg.ext().is_none());
/// ```
#[derive(Debug, Clone)]
pub enum ExtObject {
    /// A vehicle.
    Vehicle(VehicleObject),
    /// A person.
    Person(PersonObject),
    /// A face.
    Face(FaceObject),
}

impl EventMsgMetaRef {
    /// The raw C struct.
    ///
    /// ```
    /// let msg = ds_core::alloc::EventMsgMeta::new();
    /// assert!(msg.as_raw().ts.is_null());
    /// ```
    pub fn as_raw(&self) -> &NvDsEventMsgMeta {
        &self.0
    }

    /// The raw C struct, mutably.
    ///
    /// # Safety
    /// Pointer fields may only be set to memory that the struct's owner can
    /// release: strings, `objSignature`, `pose.joints`,
    /// `embedding.embedding_vector` and `extMsg` from `ds_sys::mem` (with
    /// `objType` / `extMsgSize` matching `extMsg`); every other pointer
    /// field must stay NULL or outlive every copy of the meta (copies share
    /// it, nobody frees it).
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// // SAFETY: only a plain number is written.
    /// unsafe { msg.as_raw_mut().has3DTracking = true };
    /// assert!(msg.as_raw().has3DTracking);
    /// ```
    pub unsafe fn as_raw_mut(&mut self) -> &mut NvDsEventMsgMeta {
        &mut self.0
    }

    scalar_accessors!(
        type_,
        NvDsEventType,
        event_type,
        set_event_type,
        "event type",
        "ds_core::alloc::EventMsgMeta::new()",
        "ds_sys::NVDS_EVENT_ENTRY"
    );

    /// The object type (`objType`), e.g. `NVDS_OBJECT_TYPE_VEHICLE`.
    ///
    /// ```
    /// let msg = ds_core::alloc::EventMsgMeta::new();
    /// assert_eq!(msg.obj_type(), ds_sys::NVDS_OBJECT_TYPE_VEHICLE); // 0
    /// ```
    pub fn obj_type(&self) -> NvDsObjectType {
        self.0.objType
    }

    /// Sets the object type (`objType`). Refused while an object of another
    /// kind is attached (`extMsg`), since readers choose the struct type of
    /// `extMsg` from `objType`.
    ///
    /// ```
    /// use ds_core::alloc::EventMsgMeta;
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_obj_type(ds_sys::NVDS_OBJECT_TYPE_ROADSIGN).unwrap();
    /// assert_eq!(msg.obj_type(), ds_sys::NVDS_OBJECT_TYPE_ROADSIGN);
    /// ```
    pub fn set_obj_type(&mut self, obj_type: NvDsObjectType) -> Result<(), AllocError> {
        if !self.0.extMsg.is_null() && obj_type != self.0.objType {
            return Err(AllocError::ObjTypeLocked {
                current: self.0.objType,
                requested: obj_type,
            });
        }
        self.0.objType = obj_type;
        Ok(())
    }

    scalar_accessors!(
        bbox,
        Rect,
        bbox,
        set_bbox,
        "object's bounding box",
        "ds_core::alloc::EventMsgMeta::new()",
        "ds_core::alloc::Rect { top: 1.0, left: 2.0, width: 3.0, height: 4.0 }"
    );
    scalar_accessors!(
        location,
        GeoLocation,
        location,
        set_location,
        "geolocation",
        "ds_core::alloc::EventMsgMeta::new()",
        "ds_core::alloc::GeoLocation { lat: 48.1, lon: 11.6, alt: 519.0 }"
    );
    scalar_accessors!(
        coordinate,
        Coordinate,
        coordinate,
        set_coordinate,
        "object's coordinates",
        "ds_core::alloc::EventMsgMeta::new()",
        "ds_core::alloc::Coordinate { x: 1.0, y: 2.0, z: 0.0 }"
    );
    scalar_accessors!(
        objClassId,
        i32,
        obj_class_id,
        set_obj_class_id,
        "object class id",
        "ds_core::alloc::EventMsgMeta::new()",
        "2"
    );
    scalar_accessors!(
        sensorId,
        i32,
        sensor_id,
        set_sensor_id,
        "sensor id",
        "ds_core::alloc::EventMsgMeta::new()",
        "3"
    );
    scalar_accessors!(
        moduleId,
        i32,
        module_id,
        set_module_id,
        "analytics module id",
        "ds_core::alloc::EventMsgMeta::new()",
        "4"
    );
    scalar_accessors!(
        placeId,
        i32,
        place_id,
        set_place_id,
        "place id",
        "ds_core::alloc::EventMsgMeta::new()",
        "5"
    );
    scalar_accessors!(
        componentId,
        i32,
        component_id,
        set_component_id,
        "component id",
        "ds_core::alloc::EventMsgMeta::new()",
        "6"
    );
    scalar_accessors!(
        frameId,
        i32,
        frame_id,
        set_frame_id,
        "video frame id",
        "ds_core::alloc::EventMsgMeta::new()",
        "30"
    );
    scalar_accessors!(
        confidence,
        f64,
        confidence,
        set_confidence,
        "inference confidence",
        "ds_core::alloc::EventMsgMeta::new()",
        "0.75"
    );
    scalar_accessors!(
        trackingId,
        u64,
        tracking_id,
        set_tracking_id,
        "tracking id",
        "ds_core::alloc::EventMsgMeta::new()",
        "u64::MAX"
    );

    str_accessors!(
        ts,
        ts,
        ts_c,
        set_ts,
        clear_ts,
        "timestamp",
        "ds_core::alloc::EventMsgMeta::new()"
    );
    str_accessors!(
        objectId,
        object_id,
        object_id_c,
        set_object_id,
        clear_object_id,
        "object id",
        "ds_core::alloc::EventMsgMeta::new()"
    );
    str_accessors!(
        sensorStr,
        sensor_str,
        sensor_str_c,
        set_sensor_str,
        clear_sensor_str,
        "sensor identity",
        "ds_core::alloc::EventMsgMeta::new()"
    );
    str_accessors!(
        otherAttrs,
        other_attrs,
        other_attrs_c,
        set_other_attrs,
        clear_other_attrs,
        "other attributes",
        "ds_core::alloc::EventMsgMeta::new()"
    );
    str_accessors!(
        videoPath,
        video_path,
        video_path_c,
        set_video_path,
        clear_video_path,
        "video file path",
        "ds_core::alloc::EventMsgMeta::new()"
    );

    /// Sets the timestamp (`ts`) to `t` in RFC 3339 form
    /// (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_ts_time(UNIX_EPOCH + Duration::from_millis(1_500)).unwrap();
    /// assert_eq!(msg.ts(), Some("1970-01-01T00:00:01.500Z"));
    /// ```
    pub fn set_ts_time(&mut self, t: SystemTime) -> Result<(), TimestampError> {
        let ts = Rfc3339::new(t)?;
        self.set_ts(ts.as_str());
        Ok(())
    }

    /// Sets the timestamp (`ts`) to the current time (what pyds's
    /// `generate_ts_rfc3339` does in deepstream-test4).
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_ts_now().unwrap();
    /// assert_eq!(msg.ts().unwrap().len(), 24);
    /// ```
    pub fn set_ts_now(&mut self) -> Result<(), TimestampError> {
        self.set_ts_time(SystemTime::now())
    }

    /// The object signature (`objSignature`).
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_signature(&[0.5, 0.25]).unwrap();
    /// assert_eq!(msg.signature(), &[0.5, 0.25]);
    /// ```
    pub fn signature(&self) -> &[f64] {
        let s = &self.0.objSignature;
        // SAFETY: a non-NULL signature holds `size` doubles owned by the
        // meta (DeepStream contract; upheld by set_signature).
        unsafe { slice_field(s.signature, s.size as usize) }
    }

    /// The embedding vector (`embedding`).
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_embedding(&[1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(msg.embedding(), &[1.0, 2.0, 3.0]);
    /// ```
    pub fn embedding(&self) -> &[f32] {
        let e = &self.0.embedding;
        // SAFETY: a non-NULL vector holds `embedding_length` floats owned by
        // the meta (DeepStream contract; upheld by set_embedding).
        unsafe { slice_field(e.embedding_vector, e.embedding_length as usize) }
    }

    /// The pose joints (`pose.joints`).
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, Joint};
    /// let mut msg = EventMsgMeta::new();
    /// let j = Joint { x: 1.0, y: 2.0, z: 0.0, confidence: 0.9 };
    /// msg.set_pose(&[j], 0).unwrap();
    /// assert_eq!(msg.pose_joints(), &[j]);
    /// ```
    pub fn pose_joints(&self) -> &[Joint] {
        let p = &self.0.pose;
        let n = usize::try_from(p.num_joints).unwrap_or(0);
        // SAFETY: non-NULL joints hold `num_joints` entries owned by the meta
        // (DeepStream contract; upheld by set_pose).
        unsafe { slice_field(p.joints, n) }
    }

    /// The pose type (`pose.pose_type`: 0 = 2-D, 1 = 3-D).
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_pose(&[], 1).unwrap();
    /// assert_eq!(msg.pose_type(), 1);
    /// ```
    pub fn pose_type(&self) -> i32 {
        self.0.pose.pose_type
    }

    /// Size in bytes of the attached object (`extMsgSize`).
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, VehicleObject};
    /// let mut msg = EventMsgMeta::new();
    /// assert_eq!(msg.ext_msg_size(), 0);
    /// msg.set_vehicle(VehicleObject::new());
    /// assert_eq!(msg.ext_msg_size() as usize, std::mem::size_of::<ds_sys::NvDsVehicleObject>());
    /// ```
    pub fn ext_msg_size(&self) -> u32 {
        self.0.extMsgSize
    }

    /// Whether `extMsg` holds a struct of `objType`'s kind at least `size`
    /// bytes large.
    fn ext_ptr(&self, kind: NvDsObjectType, size: usize) -> Option<*mut c_void> {
        let m = &self.0;
        (m.objType == kind && !m.extMsg.is_null() && m.extMsgSize as usize >= size)
            .then_some(m.extMsg)
    }

    /// The attached object, by `objType` (vehicle, person or face; `None`
    /// for no or another kind of object).
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, ExtObjectRef, VehicleObject};
    /// let mut msg = EventMsgMeta::new();
    /// assert!(msg.ext().is_none());
    /// msg.set_vehicle(VehicleObject::new().with_make("Bugatti"));
    /// assert!(matches!(msg.ext(), Some(ExtObjectRef::Vehicle(v)) if v.make() == Some("Bugatti")));
    /// ```
    pub fn ext(&self) -> Option<ExtObjectRef<'_>> {
        if let Some(v) = self.vehicle() {
            Some(ExtObjectRef::Vehicle(v))
        } else if let Some(p) = self.person() {
            Some(ExtObjectRef::Person(p))
        } else {
            self.face().map(ExtObjectRef::Face)
        }
    }

    /// The attached vehicle, if `objType` is `NVDS_OBJECT_TYPE_VEHICLE`.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, VehicleObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_vehicle(VehicleObject::new().with_region("CA"));
    /// assert_eq!(msg.vehicle().unwrap().region(), Some("CA"));
    /// assert!(msg.person().is_none());
    /// ```
    pub fn vehicle(&self) -> Option<&VehicleObjectRef> {
        let p = self.ext_ptr(NVDS_OBJECT_TYPE_VEHICLE, size_of::<NvDsVehicleObject>())?;
        // SAFETY: objType says extMsg is an NvDsVehicleObject of extMsgSize
        // bytes (checked), owned by the meta; the view is transparent.
        Some(unsafe { &*(p as *const VehicleObjectRef) })
    }

    /// The attached vehicle, mutably.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, VehicleObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_vehicle(VehicleObject::new());
    /// msg.vehicle_mut().unwrap().set_color("red");
    /// assert_eq!(msg.vehicle().unwrap().color(), Some("red"));
    /// ```
    pub fn vehicle_mut(&mut self) -> Option<&mut VehicleObjectRef> {
        let p = self.ext_ptr(NVDS_OBJECT_TYPE_VEHICLE, size_of::<NvDsVehicleObject>())?;
        // SAFETY: as in `vehicle`; `&mut self` gives exclusive access.
        Some(unsafe { &mut *(p as *mut VehicleObjectRef) })
    }

    /// The attached person, if `objType` is `NVDS_OBJECT_TYPE_PERSON`.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, PersonObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_person(PersonObject::new().with_apparel("formal"));
    /// assert_eq!(msg.person().unwrap().apparel(), Some("formal"));
    /// ```
    pub fn person(&self) -> Option<&PersonObjectRef> {
        let p = self.ext_ptr(NVDS_OBJECT_TYPE_PERSON, size_of::<NvDsPersonObject>())?;
        // SAFETY: as in `vehicle`, for NvDsPersonObject.
        Some(unsafe { &*(p as *const PersonObjectRef) })
    }

    /// The attached person, mutably.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, PersonObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_person(PersonObject::new());
    /// msg.person_mut().unwrap().set_age(7);
    /// assert_eq!(msg.person().unwrap().age(), 7);
    /// ```
    pub fn person_mut(&mut self) -> Option<&mut PersonObjectRef> {
        let p = self.ext_ptr(NVDS_OBJECT_TYPE_PERSON, size_of::<NvDsPersonObject>())?;
        // SAFETY: as in `person`; `&mut self` gives exclusive access.
        Some(unsafe { &mut *(p as *mut PersonObjectRef) })
    }

    /// The attached face, if `objType` is `NVDS_OBJECT_TYPE_FACE`.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, FaceObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_face(FaceObject::new().with_hair("grey"));
    /// assert_eq!(msg.face().unwrap().hair(), Some("grey"));
    /// ```
    pub fn face(&self) -> Option<&FaceObjectRef> {
        let p = self.ext_ptr(NVDS_OBJECT_TYPE_FACE, size_of::<NvDsFaceObject>())?;
        // SAFETY: as in `vehicle`, for NvDsFaceObject.
        Some(unsafe { &*(p as *const FaceObjectRef) })
    }

    /// The attached face, mutably.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, FaceObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_face(FaceObject::new());
    /// msg.face_mut().unwrap().set_name("Ada");
    /// assert_eq!(msg.face().unwrap().name(), Some("Ada"));
    /// ```
    pub fn face_mut(&mut self) -> Option<&mut FaceObjectRef> {
        let p = self.ext_ptr(NVDS_OBJECT_TYPE_FACE, size_of::<NvDsFaceObject>())?;
        // SAFETY: as in `face`; `&mut self` gives exclusive access.
        Some(unsafe { &mut *(p as *mut FaceObjectRef) })
    }
}

impl fmt::Debug for EventMsgMetaRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventMsgMeta")
            .field("event_type", &self.event_type())
            .field("obj_type", &self.obj_type())
            .field("obj_class_id", &self.obj_class_id())
            .field("sensor_id", &self.sensor_id())
            .field("frame_id", &self.frame_id())
            .field("tracking_id", &self.tracking_id())
            .field("confidence", &self.confidence())
            .field("bbox", &self.bbox())
            .field("ts", &self.ts_c())
            .field("sensor_str", &self.sensor_str_c())
            .field("object_id", &self.object_id_c())
            .field("ext", &self.ext())
            .finish_non_exhaustive()
    }
}

/// An owned `NvDsEventMsgMeta` with the object it carries (`extMsg`).
///
/// Fill it through the [`EventMsgMetaRef`] setters it dereferences to and
/// [`set_vehicle`](Self::set_vehicle) / [`set_person`](Self::set_person) /
/// [`set_face`](Self::set_face), then attach it as user meta (type
/// `NVDS_EVENT_MSG_META`): ds-core's copy function deep-copies strings,
/// signature, pose, embedding and the object; its release function frees
/// them. Dropped unattached, it frees everything.
///
/// ```
/// use ds_core::alloc::{EventMsgMeta, PersonObject, Rect};
/// let mut msg = EventMsgMeta::new();
/// msg.set_bbox(Rect { top: 10.0, left: 20.0, width: 30.0, height: 60.0 });
/// msg.set_tracking_id(42);
/// msg.set_event_type(ds_sys::NVDS_EVENT_ENTRY);
/// msg.set_obj_class_id(2);
/// msg.set_person(PersonObject::new().with_age(45).with_cap("none"));
/// let copy = msg.clone();
/// drop(msg);
/// assert_eq!(copy.person().unwrap().cap(), Some("none"));
/// assert_eq!(copy.obj_type(), ds_sys::NVDS_OBJECT_TYPE_PERSON);
/// ```
pub struct EventMsgMeta {
    raw: NonNull<NvDsEventMsgMeta>,
}

// SAFETY: the handle exclusively owns its allocations (plain memory, no
// thread affinity).
unsafe impl Send for EventMsgMeta {}
// SAFETY: shared access only reads.
unsafe impl Sync for EventMsgMeta {}

impl EventMsgMeta {
    /// A new, all-zero event message (strings NULL, numbers 0, no object).
    ///
    /// ```
    /// let msg = ds_core::alloc::EventMsgMeta::new();
    /// assert_eq!(msg.sensor_str(), None);
    /// assert!(msg.ext().is_none());
    /// ```
    pub fn new() -> Self {
        // SAFETY: NvDsEventMsgMeta is valid all-zero; freed by free_raw.
        let p = unsafe { ds_sys::mem::new0::<NvDsEventMsgMeta>() };
        EventMsgMeta { raw: non_null(p) }
    }

    fn raw_mut(&mut self) -> &mut NvDsEventMsgMeta {
        // SAFETY: we own the struct; `&mut self` gives exclusive access.
        unsafe { &mut *self.raw.as_ptr() }
    }

    fn put_ext(
        &mut self,
        kind: NvDsObjectType,
        ptr: *mut c_void,
        size: usize,
    ) -> Option<ExtObject> {
        let old = self.take_ext();
        let m = self.raw_mut();
        m.objType = kind;
        m.extMsg = ptr;
        m.extMsgSize = size as u32;
        old
    }

    /// Attaches a vehicle: `extMsg` = the object, `extMsgSize` = its size,
    /// `objType` = `NVDS_OBJECT_TYPE_VEHICLE`. Returns the object it
    /// replaces.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, ExtObject, PersonObject, VehicleObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_person(PersonObject::new());
    /// let old = msg.set_vehicle(VehicleObject::new().with_type("sedan"));
    /// assert!(matches!(old, Some(ExtObject::Person(_))));
    /// assert_eq!(msg.vehicle().unwrap().type_(), Some("sedan"));
    /// ```
    pub fn set_vehicle(&mut self, vehicle: VehicleObject) -> Option<ExtObject> {
        let p = vehicle.into_raw() as *mut c_void;
        self.put_ext(NVDS_OBJECT_TYPE_VEHICLE, p, size_of::<NvDsVehicleObject>())
    }

    /// Attaches a person (`objType` = `NVDS_OBJECT_TYPE_PERSON`); returns
    /// the object it replaces.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, PersonObject};
    /// let mut msg = EventMsgMeta::new();
    /// assert!(msg.set_person(PersonObject::new().with_hair("black")).is_none());
    /// assert_eq!(msg.person().unwrap().hair(), Some("black"));
    /// ```
    pub fn set_person(&mut self, person: PersonObject) -> Option<ExtObject> {
        let p = person.into_raw() as *mut c_void;
        self.put_ext(NVDS_OBJECT_TYPE_PERSON, p, size_of::<NvDsPersonObject>())
    }

    /// Attaches a face (`objType` = `NVDS_OBJECT_TYPE_FACE`); returns the
    /// object it replaces.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, FaceObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_face(FaceObject::new().with_age(20));
    /// assert_eq!(msg.face().unwrap().age(), 20);
    /// ```
    pub fn set_face(&mut self, face: FaceObject) -> Option<ExtObject> {
        let p = face.into_raw() as *mut c_void;
        self.put_ext(NVDS_OBJECT_TYPE_FACE, p, size_of::<NvDsFaceObject>())
    }

    /// Detaches the object (`extMsg` = NULL, `extMsgSize` = 0; `objType`
    /// is kept) and returns it.
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, ExtObject, FaceObject};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_face(FaceObject::new());
    /// assert!(matches!(msg.take_ext(), Some(ExtObject::Face(_))));
    /// assert_eq!(msg.ext_msg_size(), 0);
    /// assert!(msg.take_ext().is_none());
    /// ```
    pub fn take_ext(&mut self) -> Option<ExtObject> {
        let m = self.raw_mut();
        let p = std::mem::replace(&mut m.extMsg, std::ptr::null_mut());
        m.extMsgSize = 0;
        if p.is_null() {
            return None;
        }
        // SAFETY: only set_vehicle/person/face store extMsg in an owned
        // EventMsgMeta, with objType naming its struct (objType cannot
        // change while it is set); ownership moves out.
        unsafe {
            match m.objType {
                NVDS_OBJECT_TYPE_VEHICLE => Some(ExtObject::Vehicle(VehicleObject::from_raw(
                    p as *mut NvDsVehicleObject,
                ))),
                NVDS_OBJECT_TYPE_PERSON => Some(ExtObject::Person(PersonObject::from_raw(
                    p as *mut NvDsPersonObject,
                ))),
                NVDS_OBJECT_TYPE_FACE => Some(ExtObject::Face(FaceObject::from_raw(
                    p as *mut NvDsFaceObject,
                ))),
                _ => {
                    ds_sys::mem::free(p);
                    None
                }
            }
        }
    }

    /// Sets the object signature (`objSignature`), copying `values`.
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_signature(&[1.0; 4]).unwrap();
    /// assert_eq!(msg.signature().len(), 4);
    /// msg.set_signature(&[]).unwrap();
    /// assert!(msg.signature().is_empty());
    /// ```
    pub fn set_signature(&mut self, values: &[f64]) -> Result<(), AllocError> {
        let n = u32::try_from(values.len()).map_err(|_| AllocError::TooLarge(values.len()))?;
        let new = dup_slice(values);
        let s = &mut self.raw_mut().objSignature;
        let old = std::mem::replace(&mut s.signature, new);
        s.size = n;
        // SAFETY: the old signature of an owned meta came from dup_slice.
        unsafe { ds_sys::mem::free(old as *mut c_void) };
        Ok(())
    }

    /// Sets the embedding vector (`embedding`), copying `values`.
    ///
    /// ```
    /// let mut msg = ds_core::alloc::EventMsgMeta::new();
    /// msg.set_embedding(&[0.1, 0.2]).unwrap();
    /// assert_eq!(msg.as_raw().embedding.embedding_length, 2);
    /// ```
    pub fn set_embedding(&mut self, values: &[f32]) -> Result<(), AllocError> {
        let n = u32::try_from(values.len()).map_err(|_| AllocError::TooLarge(values.len()))?;
        let new = dup_slice(values);
        let e = &mut self.raw_mut().embedding;
        let old = std::mem::replace(&mut e.embedding_vector, new);
        e.embedding_length = n;
        // SAFETY: the old vector of an owned meta came from dup_slice.
        unsafe { ds_sys::mem::free(old as *mut c_void) };
        Ok(())
    }

    /// Sets the pose (`pose.joints`, copied, and `pose.pose_type`).
    ///
    /// ```
    /// use ds_core::alloc::{EventMsgMeta, Joint};
    /// let mut msg = EventMsgMeta::new();
    /// msg.set_pose(&[Joint::default(); 17], 0).unwrap();
    /// assert_eq!(msg.pose_joints().len(), 17);
    /// ```
    pub fn set_pose(&mut self, joints: &[Joint], pose_type: i32) -> Result<(), AllocError> {
        let n = i32::try_from(joints.len()).map_err(|_| AllocError::TooLarge(joints.len()))?;
        let new = dup_slice(joints);
        let p = &mut self.raw_mut().pose;
        let old = std::mem::replace(&mut p.joints, new);
        p.num_joints = n;
        p.pose_type = pose_type;
        // SAFETY: the old joints of an owned meta came from dup_slice.
        unsafe { ds_sys::mem::free(old as *mut c_void) };
        Ok(())
    }

    /// Gives up ownership of the C struct.
    pub(crate) fn into_raw(self) -> *mut NvDsEventMsgMeta {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }

    /// Takes ownership of a C struct.
    ///
    /// # Safety
    /// `p` was built by an `EventMsgMeta` (or [`Self::copy_raw`]) and is
    /// owned by nobody else.
    pub(crate) unsafe fn from_raw(p: *mut NvDsEventMsgMeta) -> Self {
        EventMsgMeta { raw: non_null(p) }
    }

    /// Frees everything an `EventMsgMeta` owns, and the struct.
    ///
    /// # Safety
    /// `p` is NULL or was built by an `EventMsgMeta` / `copy_raw`; not used
    /// afterwards.
    pub(crate) unsafe fn free_raw(p: *mut NvDsEventMsgMeta) {
        if p.is_null() {
            return;
        }
        // SAFETY: per contract every managed pointer is NULL or owned and
        // from ds_sys::mem; from_raw + drop of the ext object frees it once.
        unsafe {
            let mut owned = EventMsgMeta::from_raw(p);
            drop(owned.take_ext());
            let m = owned.raw_mut();
            replace_str(&mut m.ts, None);
            replace_str(&mut m.objectId, None);
            replace_str(&mut m.sensorStr, None);
            replace_str(&mut m.otherAttrs, None);
            replace_str(&mut m.videoPath, None);
            ds_sys::mem::free(m.objSignature.signature as *mut c_void);
            ds_sys::mem::free(m.pose.joints as *mut c_void);
            ds_sys::mem::free(m.embedding.embedding_vector as *mut c_void);
            std::mem::forget(owned);
            ds_sys::mem::free(p as *mut c_void);
        }
    }

    /// A deep copy: strings, signature, pose joints, embedding and the
    /// attached object are duplicated; other fields are copied bitwise.
    ///
    /// # Safety
    /// `src` was built by an `EventMsgMeta` / `copy_raw`.
    pub(crate) unsafe fn copy_raw(src: *const NvDsEventMsgMeta) -> *mut NvDsEventMsgMeta {
        // SAFETY: per contract src is valid; dst is freshly allocated and
        // every managed pointer is replaced by a new copy.
        unsafe {
            let s = &*src;
            let dst = ds_sys::mem::new0::<NvDsEventMsgMeta>();
            std::ptr::copy_nonoverlapping(src, dst, 1);
            let d = &mut *dst;
            d.ts = ds_sys::mem::strdup(s.ts);
            d.objectId = ds_sys::mem::strdup(s.objectId);
            d.sensorStr = ds_sys::mem::strdup(s.sensorStr);
            d.otherAttrs = ds_sys::mem::strdup(s.otherAttrs);
            d.videoPath = ds_sys::mem::strdup(s.videoPath);
            let view = &*(src as *const EventMsgMetaRef);
            d.objSignature.signature = dup_slice(view.signature());
            d.pose.joints = dup_slice(view.pose_joints());
            d.embedding.embedding_vector = dup_slice(view.embedding());
            d.extMsg = std::ptr::null_mut();
            d.extMsgSize = 0;
            if !s.extMsg.is_null() {
                let (p, size) = match s.objType {
                    NVDS_OBJECT_TYPE_VEHICLE => (
                        VehicleObject::copy_raw(s.extMsg as *const NvDsVehicleObject)
                            as *mut c_void,
                        size_of::<NvDsVehicleObject>(),
                    ),
                    NVDS_OBJECT_TYPE_PERSON => (
                        PersonObject::copy_raw(s.extMsg as *const NvDsPersonObject) as *mut c_void,
                        size_of::<NvDsPersonObject>(),
                    ),
                    NVDS_OBJECT_TYPE_FACE => (
                        FaceObject::copy_raw(s.extMsg as *const NvDsFaceObject) as *mut c_void,
                        size_of::<NvDsFaceObject>(),
                    ),
                    _ => (std::ptr::null_mut(), 0),
                };
                d.extMsg = p;
                d.extMsgSize = size as u32;
            }
            dst
        }
    }
}

impl Default for EventMsgMeta {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for EventMsgMeta {
    fn clone(&self) -> Self {
        // SAFETY: self.raw was built by EventMsgMeta.
        let p = unsafe { Self::copy_raw(self.raw.as_ptr()) };
        EventMsgMeta { raw: non_null(p) }
    }
}

impl Drop for EventMsgMeta {
    fn drop(&mut self) {
        // SAFETY: we own the struct and all it points to; free_raw takes a
        // temporary handle that it forgets, so this is the only free.
        unsafe { Self::free_raw(self.raw.as_ptr()) }
    }
}

impl std::ops::Deref for EventMsgMeta {
    type Target = EventMsgMetaRef;
    fn deref(&self) -> &EventMsgMetaRef {
        // SAFETY: the view is repr(transparent) over the struct we own.
        unsafe { &*(self.raw.as_ptr() as *const EventMsgMetaRef) }
    }
}

impl std::ops::DerefMut for EventMsgMeta {
    fn deref_mut(&mut self) -> &mut EventMsgMetaRef {
        // SAFETY: as in deref; `&mut self` gives exclusive access.
        unsafe { &mut *(self.raw.as_ptr() as *mut EventMsgMetaRef) }
    }
}

impl fmt::Debug for EventMsgMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// `copy_func` of event message user metas.
unsafe extern "C" fn event_msg_copy(data: *mut c_void, _user_data: *mut c_void) -> *mut c_void {
    let um = data as *const NvDsUserMeta;
    if um.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: DeepStream passes the source NvDsUserMeta; this function is
    // only installed with an EventMsgMeta-built struct as its data.
    unsafe {
        let src = (*um).user_meta_data as *const NvDsEventMsgMeta;
        if src.is_null() {
            return std::ptr::null_mut();
        }
        EventMsgMeta::copy_raw(src) as *mut c_void
    }
}

/// `release_func` of event message user metas.
unsafe extern "C" fn event_msg_release(data: *mut c_void, _user_data: *mut c_void) {
    let um = data as *mut NvDsUserMeta;
    if um.is_null() {
        return;
    }
    // SAFETY: as in event_msg_copy; the pointer is cleared so the data is
    // freed once.
    unsafe {
        let p = std::mem::replace(&mut (*um).user_meta_data, std::ptr::null_mut());
        EventMsgMeta::free_raw(p as *mut NvDsEventMsgMeta);
    }
}

// SAFETY: into_raw gives an EventMsgMeta-built struct that event_msg_release
// frees and event_msg_copy deep-copies; accepts checks NVDS_EVENT_MSG_META,
// whose DeepStream contract is that user_meta_data is an NvDsEventMsgMeta,
// and EventMsgMetaRef is repr(transparent) over it.
unsafe impl UserMetaData for EventMsgMeta {
    type Ref = EventMsgMetaRef;

    fn meta_type(&self) -> NvDsMetaType {
        NVDS_EVENT_MSG_META
    }

    fn accepts(meta: &NvDsUserMeta) -> bool {
        meta.base_meta.meta_type == NVDS_EVENT_MSG_META
    }

    fn into_raw(self) -> *mut c_void {
        EventMsgMeta::into_raw(self) as *mut c_void
    }

    fn copy_func() -> NvDsMetaCopyFunc {
        Some(event_msg_copy)
    }

    fn release_func() -> NvDsMetaReleaseFunc {
        Some(event_msg_release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_meta_copy_and_release_are_deep() {
        let mut msg = EventMsgMeta::new();
        msg.set_sensor_str("sensor-0");
        msg.set_ts("2024-01-01T00:00:00.000Z");
        msg.set_signature(&[1.0, 2.0]).unwrap();
        msg.set_vehicle(VehicleObject::new().with_make("Bugatti"));
        // SAFETY: all-zero NvDsUserMeta is valid.
        let mut um: NvDsUserMeta = unsafe { std::mem::zeroed() };
        um.user_meta_data = UserMetaData::into_raw(msg);
        let copy = EventMsgMeta::copy_func().unwrap();
        let release = EventMsgMeta::release_func().unwrap();
        // SAFETY: um holds an EventMsgMeta-built struct.
        let dup = unsafe { copy(&mut um as *mut _ as *mut c_void, std::ptr::null_mut()) };
        // SAFETY: dup is a deep copy built by copy_raw; take ownership.
        let dup = unsafe { EventMsgMeta::from_raw(dup as *mut NvDsEventMsgMeta) };
        // SAFETY: releases the original once.
        unsafe { release(&mut um as *mut _ as *mut c_void, std::ptr::null_mut()) };
        assert!(um.user_meta_data.is_null());
        assert_eq!(dup.sensor_str(), Some("sensor-0"));
        assert_eq!(dup.signature(), &[1.0, 2.0]);
        assert_eq!(dup.vehicle().unwrap().make(), Some("Bugatti"));
        // Release of a NULL / empty user meta is a no-op.
        // SAFETY: um's data is NULL now.
        unsafe {
            release(&mut um as *mut _ as *mut c_void, std::ptr::null_mut());
            release(std::ptr::null_mut(), std::ptr::null_mut());
            assert!(copy(&mut um as *mut _ as *mut c_void, std::ptr::null_mut()).is_null());
        }
    }
}
