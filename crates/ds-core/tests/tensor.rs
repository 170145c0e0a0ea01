//! Tensor output meta: building, reading layers, attaching as user meta,
//! deep copy and release. No GStreamer needed; runs under Miri:
//! `cargo +nightly miri test -p ds-core --test tensor`.
use ds_core::tensor::{DataType, LayerData, NetworkInfo, TensorError, TensorMeta, TensorOutput};
use ds_core::OwnedBatchMeta;

fn detector_output() -> TensorOutput {
    let mut out = TensorOutput::new(
        1,
        NetworkInfo {
            width: 640,
            height: 368,
            channels: 3,
        },
    );
    out.set_maintain_aspect_ratio(true);
    let boxes: Vec<f32> = (0..4 * 10 * 2).map(|i| i as f32 * 0.5).collect();
    out.push_layer("output_bbox", &[4, 10, 2], LayerData::Float(&boxes))
        .unwrap();
    out.push_layer("output_cov", &[2], LayerData::Half(&[0x3c00, 0x3800]))
        .unwrap();
    out.push_layer("classes", &[3], LayerData::Int32(&[0, 2, -1]))
        .unwrap();
    out.push_layer("q", &[2, 2], LayerData::Int8(&[-128, 127, 0, 1]))
        .unwrap();
    out
}

fn check_detector_output(t: &TensorMeta) {
    assert_eq!(t.unique_id(), 1);
    assert_eq!(t.num_output_layers(), 4);
    assert_eq!(
        t.network_info(),
        NetworkInfo {
            width: 640,
            height: 368,
            channels: 3
        }
    );
    assert!(t.maintain_aspect_ratio());
    let layers: Vec<_> = t.layers().collect();
    assert_eq!(layers.len(), 4);
    let bbox = &layers[0];
    assert_eq!(bbox.name(), "output_bbox");
    assert_eq!(bbox.dims(), &[4, 10, 2]);
    assert_eq!(bbox.num_elements(), 80);
    assert_eq!(bbox.data_type(), DataType::Float);
    assert!(!bbox.is_input());
    assert_eq!(bbox.binding_index(), 0);
    let f = bbox.as_f32().unwrap();
    assert_eq!(f.len(), 80);
    assert_eq!(f[79], 39.5);
    assert_eq!(layers[1].data(), Ok(LayerData::Half(&[0x3c00, 0x3800])));
    assert_eq!(layers[1].as_f32(), None);
    assert_eq!(layers[2].data(), Ok(LayerData::Int32(&[0, 2, -1])));
    assert_eq!(layers[2].binding_index(), 2);
    assert_eq!(layers[3].data(), Ok(LayerData::Int8(&[-128, 127, 0, 1])));
    assert_eq!(t.layer_by_name("classes").unwrap().dims(), &[3]);
    assert!(t.layer(4).is_none());
    // Reverse iteration and exact size.
    assert_eq!(t.layers().next_back().unwrap().name(), "q");
    assert_eq!(t.layers().len(), 4);
}

#[test]
fn build_and_read() {
    let out = detector_output();
    check_detector_output(&out);
    assert!(format!("{out:?}").contains("output_cov"));
}

#[test]
fn bad_layers_are_refused() {
    let mut out = TensorOutput::new(2, NetworkInfo::default());
    assert_eq!(
        out.push_layer("x", &[3, 3], LayerData::Float(&[0.0; 8])),
        Err(TensorError::LengthMismatch {
            dims_elements: 9,
            data_elements: 8
        })
    );
    assert_eq!(
        out.push_layer("x", &[1; 9], LayerData::Float(&[0.0])),
        Err(TensorError::TooManyDims(9))
    );
    assert_eq!(
        out.push_layer("x", &[u32::MAX, u32::MAX, u32::MAX], LayerData::Uint8(&[])),
        Err(TensorError::TooLarge)
    );
    assert_eq!(out.num_output_layers(), 0);
    // Zero-sized layers are fine.
    out.push_layer("empty", &[0], LayerData::Int64(&[]))
        .unwrap();
    assert_eq!(out.layer(0).unwrap().data(), Ok(LayerData::Int64(&[])));
    assert!(TensorError::TooManyDims(9).to_string().contains('8'));
}

#[test]
fn clone_is_deep() {
    let a = detector_output();
    let b = a.clone();
    assert_ne!(
        a.layer(0).unwrap().as_f32().unwrap().as_ptr(),
        b.layer(0).unwrap().as_f32().unwrap().as_ptr()
    );
    drop(a);
    check_detector_output(&b);
}

#[test]
fn attached_as_user_meta_downcast_copy_and_release() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    {
        let frame = batch.new_frame().unwrap();
        let um = frame.add_user_meta(detector_output()).unwrap();
        assert_eq!(um.meta_type(), ds_sys::NVDSINFER_TENSOR_OUTPUT_META);
    }
    let check = |batch: &ds_core::BatchMeta| {
        let frame = batch.frames().next().unwrap();
        let um = frame.user_metas().next().unwrap();
        let t = TensorMeta::from_user_meta(um).expect("tensor meta");
        check_detector_output(t);
        check_detector_output(um.downcast::<TensorOutput>().unwrap());
    };
    check(&batch);
    let copy = batch.try_copy().unwrap();
    drop(batch);
    check(&copy);
}

#[test]
fn other_user_metas_are_not_tensor_meta() {
    let mut batch = OwnedBatchMeta::new(1).unwrap();
    let frame = batch.new_frame().unwrap();
    frame
        .add_user_meta(ds_core::alloc::Payload::new(b"x", 0).unwrap())
        .unwrap();
    let um = frame.user_metas().next().unwrap();
    assert!(TensorMeta::from_user_meta(um).is_none());
}
