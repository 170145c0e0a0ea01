//! deepstream-custom-binding-test's lesson: a custom struct attached as
//! frame user meta upstream (on the muxer's source pad) and read back
//! downstream (on the fakesink's sink pad).
use crate::custom_data::CustomDataStruct;
use ds_core::{BatchMeta, UserData};
use gstreamer as gst;

/// `streammux_src_pad_buffer_probe`: under the batch meta lock, one user
/// meta per frame holding a [`CustomDataStruct`].
pub fn streammux_src_pad_buffer_probe(buffer: &mut gst::BufferRef) {
    let Some(batch_meta) = BatchMeta::from_buffer_mut(buffer) else {
        return;
    };
    // nvds_acquire_meta_lock; released when the guard goes out of scope.
    let mut batch_meta = batch_meta.lock();
    for mut frame_meta in batch_meta.frames_mut() {
        let frame_number = frame_meta.frame_num();
        let data = CustomDataStruct {
            message: format!("test message {frame_number}"),
            struct_id: frame_number,
            sample_int: frame_number + 1,
        };
        // Acquires a user meta from the pool, moves the struct in with its
        // copy and release functions, and adds it to the frame.
        match frame_meta.add_user_meta(UserData::new(data)) {
            Ok(_) => println!("adding user meta"),
            Err(_) => println!("failed to acquire user meta"),
        }
    }
}

/// `fakesink_sink_pad_buffer_probe`: prints the custom struct of every
/// frame's user metas that hold one.
pub fn fakesink_sink_pad_buffer_probe(buffer: &gst::BufferRef) {
    let Some(batch_meta) = BatchMeta::from_buffer(buffer) else {
        return;
    };
    for frame_meta in batch_meta.frames() {
        for user_meta in frame_meta.user_metas() {
            // The sample checks `meta_type == NVDS_USER_META` and casts;
            // `downcast` checks that the meta holds this very type.
            if let Some(custom_msg_meta) = user_meta.downcast::<UserData<CustomDataStruct>>() {
                println!("custom meta structId::  {}", custom_msg_meta.struct_id);
                println!("custom meta msg::  {}", custom_msg_meta.message);
                println!("custom meta sampleInt::  {}", custom_msg_meta.sample_int);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom_data::copies_and_releases;

    #[test]
    fn a_batch_copy_copies_the_struct_and_each_is_released_once() {
        let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        batch.new_frame().unwrap();
        {
            let mut frame = batch.frame_mut(0).unwrap();
            let data = CustomDataStruct {
                message: "test message 4".into(),
                struct_id: 4,
                sample_int: 5,
            };
            frame.add_user_meta(UserData::new(data)).unwrap();
        }
        let (c0, r0) = copies_and_releases();
        let copy = batch.try_copy().unwrap();
        drop(batch);
        let frame = copy.frames().next().unwrap();
        let um = frame.user_metas().next().unwrap();
        let data = um.downcast::<UserData<CustomDataStruct>>().unwrap();
        assert_eq!(
            (data.struct_id, data.message.as_str(), data.sample_int),
            (4, "test message 4", 5)
        );
        drop(copy);
        let (c1, r1) = copies_and_releases();
        // Other tests may run in parallel: at least our copy and releases.
        assert!(c1 > c0 && r1 >= r0 + 2, "{c0} {r0} -> {c1} {r1}");
    }
}
