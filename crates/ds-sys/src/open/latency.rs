//! Latency measurement (`nvds_latency_meta.h`), as DeepStream's library
//! behaves.
//!
//! * The switches are read once per process: frame latency is on when
//!   `NVDS_ENABLE_LATENCY_MEASUREMENT` is set (to any value: the header says
//!   "exported"), per-component printing when
//!   `NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT` is set.
//! * `nvds_set_input_system_timestamp` / `nvds_set_output_system_timestamp`
//!   record a component's pass over a batch as one `NvDsMetaCompLatency` in
//!   a batch user meta of type `NVDS_LATENCY_MEASUREMENT_META` (recorded
//!   while frame latency is on; the component switch only decides what
//!   `nvds_measure_buffer_latency` prints). The output call finds the meta
//!   of the input call through the buffer's qdata under the element name.
//! * `nvds_add_reference_timestamp_meta` marks a decoded frame with a
//!   `GstReferenceTimestampMeta` whose caps (`any`) carry `component_name`,
//!   `frame_num`, `in_timestamp` and `out_timestamp`; the muxer turns it
//!   into the frame's first component meta.
//! * `nvds_measure_buffer_latency` walks the batch user metas in order: a
//!   decoder meta (`nvv4l2decoder*` / `audiodecoder*`) gives the next
//!   frame's start time, a muxer meta (`nvstreammux-*`) closes that frame
//!   (source id, frame number); latency = now - start.
//!
//! Facts (meta layout, caps fields, name prefixes, the order of the walk,
//! and the two `Comp name = ...` line formats, with their embedded runs of
//! spaces) follow NVIDIA's open-sourced `nvds_latency_meta.c` (Apache-2.0,
//! 2019-2026) and the 8.0 new-nvstreammux sources
//! (levipereira/deepstream_8.0_plugins,
//! `gst-plugins/gst-nvmultistream2/gstnvstreammux_pads.cpp`,
//! `add_component_latency_metadata`); the line formats also appear in a
//! DeepStream 6.0 log at
//! <https://forums.developer.nvidia.com/t/measuring-frame-and-element-wise-latency/253843>.
//! The code is our own. The CSV output of `NVDS_PERF_CSV_PREFIX` is not
//! implemented.
use super::user::{nvds_acquire_user_meta_from_pool, nvds_add_user_meta_to_batch};
use crate::functions::gst_buffer_get_nvds_batch_meta;
use crate::latency::*;
use crate::meta::*;
use glib_sys::{gboolean, gpointer, GFALSE, GTRUE};
use gstreamer_sys::{GstBuffer, GstMiniObject};
use std::ffi::CStr;
use std::io::Write;
use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::ptr;
use std::sync::OnceLock;

/// The three switches, read once.
struct Switches {
    frame: bool,
    component: bool,
    silent: bool,
}

fn switches() -> &'static Switches {
    static S: OnceLock<Switches> = OnceLock::new();
    S.get_or_init(|| Switches {
        frame: std::env::var_os("NVDS_ENABLE_LATENCY_MEASUREMENT").is_some(),
        component: std::env::var_os("NVDS_ENABLE_COMPONENT_LATENCY_MEASUREMENT").is_some(),
        silent: std::env::var_os("NVDS_LATENCY_MEASUREMENT_SILENT").is_some(),
    })
}

/// Milliseconds since the Unix epoch (`nvds_get_current_system_timestamp`).
fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Whether frame latency measurement is on (`NVDS_ENABLE_LATENCY_MEASUREMENT`
/// set).
#[no_mangle]
pub unsafe extern "C" fn nvds_get_enable_latency_measurement() -> gboolean {
    if switches().frame {
        GTRUE
    } else {
        GFALSE
    }
}

/// `copy_func` of latency metas: a byte copy of the `NvDsMetaCompLatency`.
unsafe extern "C" fn copy_latency(data: gpointer, _user_data: gpointer) -> gpointer {
    let um = data as *const NvDsUserMeta;
    // SAFETY: DeepStream passes the source user meta, whose data (if any) is
    // an NvDsMetaCompLatency from g_malloc0.
    unsafe {
        if um.is_null() || (*um).user_meta_data.is_null() {
            return ptr::null_mut();
        }
        let size = std::mem::size_of::<NvDsMetaCompLatency>();
        let copy = glib_sys::g_malloc(size);
        ptr::copy_nonoverlapping((*um).user_meta_data as *const u8, copy as *mut u8, size);
        copy
    }
}

/// `release_func` of latency metas: frees the struct once.
unsafe extern "C" fn release_latency(data: gpointer, _user_data: gpointer) {
    let um = data as *mut NvDsUserMeta;
    // SAFETY: as in copy_latency; the pointer is cleared so it is freed once.
    unsafe {
        if um.is_null() || (*um).user_meta_data.is_null() {
            return;
        }
        glib_sys::g_free((*um).user_meta_data);
        (*um).user_meta_data = ptr::null_mut();
    }
}

/// Adds a latency meta named `element_name` (in = now) to the buffer's batch
/// and remembers it on the buffer for the output call. NULL when
/// measurement is off or the buffer has no batch meta.
#[no_mangle]
pub unsafe extern "C" fn nvds_set_input_system_timestamp(
    buffer: *mut GstBuffer,
    element_name: *mut c_char,
) -> *mut NvDsUserMeta {
    let s = switches();
    if !(s.frame || s.silent) || buffer.is_null() || element_name.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: caller passes a valid buffer.
    let batch = unsafe { gst_buffer_get_nvds_batch_meta(buffer) };
    if batch.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: live batch.
    let um = unsafe { nvds_acquire_user_meta_from_pool(batch) };
    if um.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: g_malloc0 returns zeroed storage of the struct's size (it
    // aborts rather than return NULL); the name is NUL-terminated.
    unsafe {
        let lat = glib_sys::g_malloc0(std::mem::size_of::<NvDsMetaCompLatency>())
            as *mut NvDsMetaCompLatency;
        set_name(&mut (*lat).component_name, CStr::from_ptr(element_name));
        (*lat).in_system_timestamp = now_ms();
        (*um).user_meta_data = lat as *mut c_void;
        (*um).base_meta.meta_type = NVDS_LATENCY_MEASUREMENT_META;
        (*um).base_meta.copy_func = Some(copy_latency);
        (*um).base_meta.release_func = Some(release_latency);
        gstreamer_sys::gst_mini_object_set_qdata(
            buffer as *mut GstMiniObject,
            glib_sys::g_quark_from_string(element_name),
            lat as gpointer,
            None,
        );
        nvds_add_user_meta_to_batch(batch, um);
    }
    um
}

/// Sets `out_system_timestamp` (now) of the meta the input call made for
/// `element_name` on this buffer; FALSE when there is none.
#[no_mangle]
pub unsafe extern "C" fn nvds_set_output_system_timestamp(
    buffer: *mut GstBuffer,
    element_name: *mut c_char,
) -> gboolean {
    let s = switches();
    if !(s.frame || s.silent) || buffer.is_null() || element_name.is_null() {
        return GFALSE;
    }
    // SAFETY: valid buffer and NUL-terminated name; the qdata, when set,
    // points to the latency struct of a user meta of this buffer's batch.
    unsafe {
        let lat = gstreamer_sys::gst_mini_object_get_qdata(
            buffer as *mut GstMiniObject,
            glib_sys::g_quark_from_string(element_name),
        ) as *mut NvDsMetaCompLatency;
        if lat.is_null() {
            return GFALSE;
        }
        (*lat).out_system_timestamp = now_ms();
    }
    GTRUE
}

/// Copies `name` into a fixed C name field, truncated, NUL-terminated.
fn set_name(dst: &mut [c_char; MAX_COMPONENT_LEN], name: &CStr) {
    let bytes = name.to_bytes();
    let n = bytes.len().min(MAX_COMPONENT_LEN - 1);
    for (d, s) in dst.iter_mut().zip(&bytes[..n]) {
        *d = *s as c_char;
    }
    dst[n] = 0;
}

/// The name field as text (up to the first NUL).
fn name_of(field: &[c_char; MAX_COMPONENT_LEN]) -> String {
    let bytes: Vec<u8> = field
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The line DeepStream prints for one component meta (component
/// measurement on). Muxer metas carry the frame's ids; the runs of spaces
/// are part of NVIDIA's format strings.
fn comp_line(l: &NvDsMetaCompLatency) -> String {
    let name = name_of(&l.component_name);
    let latency = l.out_system_timestamp - l.in_system_timestamp;
    let gap = " ".repeat(15);
    if name.starts_with("nvstreammux-") {
        format!(
            "Comp name = {name} source_id = {} pad_index = {} frame_num = {}{gap}\
             in_system_timestamp = {:.6} out_system_timestamp = {:.6}{gap}\
             component_latency = {latency:.6}\n",
            l.source_id as c_int,
            l.pad_index as c_int,
            l.frame_num as c_int,
            l.in_system_timestamp,
            l.out_system_timestamp,
        )
    } else {
        format!(
            "Comp name = {name} in_system_timestamp = {:.6} out_system_timestamp = {:.6}{gap}\
             component latency= {latency:.6}\n",
            l.in_system_timestamp, l.out_system_timestamp,
        )
    }
}

/// Fills `latency_info` (room for `max_frames_in_batch` entries) with the
/// latency of every frame of the batch and returns how many it filled.
#[no_mangle]
pub unsafe extern "C" fn nvds_measure_buffer_latency(
    buf: *mut GstBuffer,
    latency_info: *mut NvDsFrameLatencyInfo,
) -> c_uint {
    if buf.is_null() || latency_info.is_null() {
        return 0;
    }
    // SAFETY: valid buffer.
    let batch = unsafe { gst_buffer_get_nvds_batch_meta(buf) };
    if batch.is_null() {
        print!("Batch meta not found for buffer {buf:p}");
        return 0;
    }
    // SAFETY: live batch; the caller's array holds max_frames_in_batch
    // entries (header contract); the list holds live user metas, read under
    // the batch lock.
    unsafe {
        let _g = super::lock::Guard::new(batch);
        let max = (*batch).max_frames_in_batch as usize;
        let info = std::slice::from_raw_parts_mut(latency_info, max);
        info.fill(NvDsFrameLatencyInfo::default());
        let now = now_ms();
        let print = switches().component;
        let mut text = String::new();
        let mut count = 0usize;
        let mut l = (*batch).batch_user_meta_list;
        while !l.is_null() {
            let um = (*l).data as *const NvDsUserMeta;
            l = (*l).next;
            if um.is_null()
                || (*um).base_meta.meta_type != NVDS_LATENCY_MEASUREMENT_META
                || (*um).user_meta_data.is_null()
            {
                continue;
            }
            let lat = &*((*um).user_meta_data as *const NvDsMetaCompLatency);
            let name = name_of(&lat.component_name);
            let slot = info.get_mut(count);
            if name.starts_with("nvv4l2decode") || name.starts_with("audiodecode") {
                if let Some(s) = slot {
                    s.comp_in_timestamp = lat.in_system_timestamp;
                }
            }
            if print {
                text += &comp_line(lat);
            }
            if name.starts_with("nvstreammux-") {
                if let Some(s) = info.get_mut(count) {
                    s.source_id = lat.source_id;
                    s.frame_num = lat.frame_num;
                    count += 1;
                }
            }
        }
        for s in &mut info[..count] {
            s.latency = now - s.comp_in_timestamp;
        }
        if !text.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        count as c_uint
    }
}

/// Marks `buffer` as produced by `element_name` now (frame `frame_id`): a
/// `GstReferenceTimestampMeta` with caps `any, component_name, frame_num,
/// in_timestamp, out_timestamp` (both times now).
#[no_mangle]
pub unsafe extern "C" fn nvds_add_reference_timestamp_meta(
    buffer: *mut GstBuffer,
    element_name: *mut c_char,
    frame_id: c_uint,
) {
    if buffer.is_null() || element_name.is_null() {
        return;
    }
    let now = now_ms();
    // SAFETY: valid buffer and NUL-terminated name; the variadic list is
    // (field name, GType, value) triples ending with NULL, the values of the
    // C types the GTypes name; the meta takes its own ref of the caps.
    unsafe {
        let caps = gstreamer_sys::gst_caps_new_simple(
            c"any".as_ptr(),
            c"component_name".as_ptr(),
            gobject_sys::G_TYPE_STRING,
            element_name as *const c_char,
            c"frame_num".as_ptr(),
            gobject_sys::G_TYPE_INT,
            frame_id as c_int,
            c"in_timestamp".as_ptr(),
            gobject_sys::G_TYPE_DOUBLE,
            now,
            c"out_timestamp".as_ptr(),
            gobject_sys::G_TYPE_DOUBLE,
            now,
            ptr::null::<c_char>(),
        );
        gstreamer_sys::gst_buffer_add_reference_timestamp_meta(buffer, caps, 0, 0);
        gstreamer_sys::gst_mini_object_unref(caps as *mut GstMiniObject);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comp_lines_have_nvidias_shape() {
        // SAFETY: all-zero is a valid NvDsMetaCompLatency.
        let mut l: NvDsMetaCompLatency = unsafe { std::mem::zeroed() };
        set_name(&mut l.component_name, c"nvinfer0");
        l.in_system_timestamp = 1000.5;
        l.out_system_timestamp = 1002.0;
        assert_eq!(
            comp_line(&l),
            "Comp name = nvinfer0 in_system_timestamp = 1000.500000 out_system_timestamp = \
             1002.000000               component latency= 1.500000\n"
        );
        set_name(&mut l.component_name, c"nvstreammux-mux");
        l.frame_num = 8;
        assert_eq!(
            comp_line(&l),
            "Comp name = nvstreammux-mux source_id = 0 pad_index = 0 frame_num = 8               \
             in_system_timestamp = 1000.500000 out_system_timestamp = 1002.000000               \
             component_latency = 1.500000\n"
        );
    }
}
