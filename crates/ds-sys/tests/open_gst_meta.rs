//! The `NvDsMeta` GstMeta of the open backend on real GStreamer buffers
//! (`cargo test -p ds-sys --test open_gst_meta`).
#![cfg(ds_backend = "open")]

use ds_sys::mem;
use ds_sys::*;
use glib_sys::{gpointer, GList};
use gstreamer_sys as gst;
use std::ffi::CStr;
use std::os::raw::c_void;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

fn init() {
    static INIT: Once = Once::new();
    // SAFETY: gst_init accepts NULL argc/argv and is called once.
    INIT.call_once(|| unsafe { gst::gst_init(ptr::null_mut(), ptr::null_mut()) });
}

/// # Safety
/// `l` is NULL or a well-formed list.
unsafe fn items<T>(mut l: *mut GList) -> Vec<*mut T> {
    let mut v = Vec::new();
    while !l.is_null() {
        // SAFETY: l is a live node.
        unsafe {
            v.push((*l).data as *mut T);
            l = (*l).next;
        }
    }
    v
}

/// User meta payload: a pointer to the test's release counter and a value.
#[repr(C)]
struct Payload {
    released: *const AtomicUsize,
    value: u32,
}

unsafe extern "C" fn payload_copy(data: gpointer, _u: gpointer) -> gpointer {
    // SAFETY: data is an NvDsUserMeta carrying a Payload.
    unsafe {
        let src = (*(data as *mut NvDsUserMeta)).user_meta_data as *const Payload;
        let dst = mem::new0::<Payload>();
        dst.write(Payload {
            released: (*src).released,
            value: (*src).value + 1,
        });
        dst as gpointer
    }
}

unsafe extern "C" fn payload_release(data: gpointer, _u: gpointer) {
    // SAFETY: data is an NvDsUserMeta carrying a Payload.
    unsafe {
        let um = data as *mut NvDsUserMeta;
        let p = (*um).user_meta_data as *mut Payload;
        (*(*p).released).fetch_add(1, Ordering::SeqCst);
        mem::free(p as *mut c_void);
    }
}

/// A buffer carrying a batch meta with one frame holding one counted user
/// meta (value 1).
///
/// # Safety
/// `released` outlives the buffer and its copies.
unsafe fn batch_buffer(released: &AtomicUsize) -> (*mut gst::GstBuffer, *mut NvDsBatchMeta) {
    // SAFETY: API pointers used while live.
    unsafe {
        let buf = gst::gst_buffer_new();
        let b = nvds_create_batch_meta(1);
        let f = nvds_acquire_frame_meta_from_pool(b);
        (*f).source_id = 3;
        nvds_add_frame_meta_to_batch(b, f);
        let um = nvds_acquire_user_meta_from_pool(b);
        let p = mem::new0::<Payload>();
        p.write(Payload { released, value: 1 });
        (*um).user_meta_data = p as *mut c_void;
        (*um).base_meta.meta_type = NVDS_START_USER_META + 1;
        (*um).base_meta.copy_func = Some(payload_copy);
        (*um).base_meta.release_func = Some(payload_release);
        nvds_add_user_meta_to_frame(f, um);
        let m = gst_buffer_add_nvds_meta(
            buf,
            b as gpointer,
            ptr::null_mut(),
            Some(nvds_batch_meta_copy_func),
            Some(nvds_batch_meta_release_func),
        );
        assert!(!m.is_null());
        (*m).meta_type = NVDS_BATCH_GST_META;
        (buf, b)
    }
}

/// The user meta payload value of the first frame of a batch.
///
/// # Safety
/// `b` is a batch made by [`batch_buffer`] (or a copy).
unsafe fn frame_value(b: *mut NvDsBatchMeta) -> u32 {
    // SAFETY: contract.
    unsafe {
        let f = items::<NvDsFrameMeta>((*b).frame_meta_list)[0];
        assert_eq!((*f).source_id, 3);
        let um = items::<NvDsUserMeta>((*f).frame_user_meta_list)[0];
        (*((*um).user_meta_data as *const Payload)).value
    }
}

#[test]
fn registration_once() {
    init();
    let ts: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                // SAFETY: registration functions have no preconditions.
                unsafe { (nvds_meta_api_get_type(), nvds_meta_get_info() as usize) }
            })
        })
        .collect();
    let r: Vec<_> = ts.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(r.iter().all(|&x| x == r[0]));
    let (api, info) = r[0];
    assert_ne!(api, 0);
    assert_ne!(info, 0);
    // SAFETY: api is a registered GType; info a registered GstMetaInfo.
    unsafe {
        let name = CStr::from_ptr(gobject_sys::g_type_name(api));
        assert_eq!(name.to_str().unwrap(), "NvDsMetaAPI");
        assert_ne!(
            gst::gst_meta_api_type_has_tag(
                api,
                glib_sys::g_quark_from_string(c"nvdsmeta".as_ptr())
            ),
            0
        );
        let info = info as *const gst::GstMetaInfo;
        assert_eq!((*info).api, api);
        assert_eq!((*info).size, std::mem::size_of::<ds_sys::NvDsMeta>());
    }
}

#[test]
fn add_get_and_unref() {
    init();
    let released = AtomicUsize::new(0);
    // SAFETY: buffers and metas used while live.
    unsafe {
        let plain = gst::gst_buffer_new();
        assert!(gst_buffer_get_nvds_batch_meta(plain).is_null());
        assert!(gst_buffer_get_nvds_meta(plain).is_null());
        assert!(gst_buffer_get_nvds_batch_meta(ptr::null_mut()).is_null());
        gst::gst_buffer_unref(plain);

        let (buf, b) = batch_buffer(&released);
        assert_eq!(gst_buffer_get_nvds_batch_meta(buf), b);
        let m = gst_buffer_get_nvds_meta(buf);
        assert_eq!((*m).meta_data, b as gpointer);
        assert_eq!(frame_value(b), 1);

        // A later non-batch NvDsMeta is "the last added"; the batch meta is
        // still found by type.
        let other = gst_buffer_add_nvds_meta(buf, ptr::null_mut(), ptr::null_mut(), None, None);
        (*other).meta_type = NVDS_DECODER_GST_META;
        assert_eq!(gst_buffer_get_nvds_meta(buf), other);
        assert_eq!(gst_buffer_get_nvds_batch_meta(buf), b);

        gst::gst_buffer_unref(buf);
        assert_eq!(released.load(Ordering::SeqCst), 1, "batch destroyed once");
    }
}

#[test]
fn buffer_copy_deep_copies_batch() {
    init();
    let released = AtomicUsize::new(0);
    // SAFETY: buffers and metas used while live.
    unsafe {
        let (buf, b) = batch_buffer(&released);
        let copy = gst::gst_buffer_copy(buf);
        let cb = gst_buffer_get_nvds_batch_meta(copy);
        assert!(!cb.is_null());
        assert_ne!(cb, b);
        assert_eq!((*cb).base_meta.batch_meta, cb);
        assert_eq!(
            (*gst_buffer_get_nvds_meta(copy)).meta_type,
            NVDS_BATCH_GST_META
        );
        assert_eq!(frame_value(cb), 2, "user meta went through copy_func");
        assert_eq!(frame_value(b), 1);

        gst::gst_buffer_unref(buf);
        assert_eq!(released.load(Ordering::SeqCst), 1);
        assert_eq!(frame_value(cb), 2, "copy survives the original");
        gst::gst_buffer_unref(copy);
        assert_eq!(released.load(Ordering::SeqCst), 2);
    }
}

#[test]
fn make_writable_of_shared_buffer() {
    init();
    let released = AtomicUsize::new(0);
    // SAFETY: buffers and metas used while live; refcounts balanced.
    unsafe {
        let (buf, b) = batch_buffer(&released);
        let shared = gst::gst_buffer_ref(buf);
        // gst_buffer_make_writable is a macro over this in GStreamer 1.20.
        let w = gst::gst_mini_object_make_writable(shared as *mut gst::GstMiniObject)
            as *mut gst::GstBuffer;
        assert_ne!(w, buf);
        let wb = gst_buffer_get_nvds_batch_meta(w);
        assert_ne!(wb, b);
        assert_eq!(frame_value(wb), 2);
        // Writable now: can take another meta.
        assert!(
            !gst_buffer_add_nvds_meta(w, ptr::null_mut(), ptr::null_mut(), None, None).is_null()
        );
        gst::gst_buffer_unref(w);
        assert_eq!(released.load(Ordering::SeqCst), 1);
        gst::gst_buffer_unref(buf);
        assert_eq!(released.load(Ordering::SeqCst), 2);
    }
}

static PLAIN_FREED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn plain_free(data: gpointer, _u: gpointer) {
    PLAIN_FREED.fetch_add(1, Ordering::SeqCst);
    // SAFETY: data came from mem.
    unsafe { mem::free(data) };
}

#[test]
fn meta_without_copy_func_is_not_copied() {
    init();
    // SAFETY: buffers and metas used while live.
    unsafe {
        let buf = gst::gst_buffer_new();
        let m = gst_buffer_add_nvds_meta(
            buf,
            mem::malloc0(4),
            ptr::null_mut(),
            None,
            Some(plain_free),
        );
        assert_eq!((*m).meta_type, NVDS_GST_INVALID_META);
        (*m).meta_type = NVDS_DEWARPER_GST_META;
        let copy = gst::gst_buffer_copy(buf);
        assert!(gst_buffer_get_nvds_meta(copy).is_null());
        gst::gst_buffer_unref(copy);
        assert_eq!(PLAIN_FREED.load(Ordering::SeqCst), 0);
        gst::gst_buffer_unref(buf);
        assert_eq!(PLAIN_FREED.load(Ordering::SeqCst), 1);

        // Not writable: refused.
        let shared = gst::gst_buffer_new();
        let r = gst::gst_buffer_ref(shared);
        assert!(
            gst_buffer_add_nvds_meta(shared, ptr::null_mut(), ptr::null_mut(), None, None)
                .is_null()
        );
        gst::gst_buffer_unref(r);
        gst::gst_buffer_unref(shared);
    }
}

#[repr(C)]
struct DecoderMeta {
    frame_num: u32,
}

static DEC_RELEASED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn dec_copy(data: gpointer, _u: gpointer) -> gpointer {
    // SAFETY: data is a DecoderMeta from mem.
    unsafe {
        let d = mem::new0::<DecoderMeta>();
        (*d).frame_num = (*(data as *const DecoderMeta)).frame_num;
        d as gpointer
    }
}

unsafe extern "C" fn dec_free(data: gpointer, _u: gpointer) {
    // SAFETY: data came from mem.
    unsafe { mem::free(data) };
}

unsafe extern "C" fn dec_to_nvds(data: gpointer, u: gpointer) -> gpointer {
    // SAFETY: data is an NvDsUserMeta whose user_meta_data is a DecoderMeta.
    unsafe { dec_copy((*(data as *mut NvDsUserMeta)).user_meta_data, u) }
}

unsafe extern "C" fn dec_nvds_release(data: gpointer, _u: gpointer) {
    DEC_RELEASED.fetch_add(1, Ordering::SeqCst);
    // SAFETY: data is an NvDsUserMeta whose user_meta_data came from mem.
    unsafe { mem::free((*(data as *mut NvDsUserMeta)).user_meta_data) };
}

#[test]
fn gst_meta_to_frame_user_meta() {
    init();
    // SAFETY: buffers and metas used while live.
    unsafe {
        let src = gst::gst_buffer_new();
        let dm = mem::new0::<DecoderMeta>();
        (*dm).frame_num = 77;
        let m = gst_buffer_add_nvds_meta(
            src,
            dm as gpointer,
            ptr::null_mut(),
            Some(dec_copy),
            Some(dec_free),
        );
        let ty = nvds_get_user_meta_type(c"TEST.DECODER.GST_USER_META".as_ptr() as *mut _);
        (*m).meta_type = ty;
        (*m).gst_to_nvds_meta_transform_func = Some(dec_to_nvds);
        (*m).gst_to_nvds_meta_release_func = Some(dec_nvds_release);

        let b = nvds_create_batch_meta(1);
        let f = nvds_acquire_frame_meta_from_pool(b);
        nvds_add_frame_meta_to_batch(b, f);
        nvds_copy_gst_meta_to_frame_meta(src, b, f);
        let ums = items::<NvDsUserMeta>((*f).frame_user_meta_list);
        assert_eq!(ums.len(), 1);
        assert_eq!((*ums[0]).base_meta.meta_type, ty);
        let copied = (*ums[0]).user_meta_data as *const DecoderMeta;
        assert_ne!(copied, dm as *const DecoderMeta);
        assert_eq!((*copied).frame_num, 77);
        gst::gst_buffer_unref(src);
        assert_eq!((*copied).frame_num, 77, "independent of the source buffer");
        nvds_destroy_batch_meta(b);
        assert_eq!(DEC_RELEASED.load(Ordering::SeqCst), 1);
    }
}
