//! NVIDIA's element contract: every property this app sets goes through
//! `ds_core::app::props`, exists on NVIDIA's 7.1 element with a compatible
//! type (the `ds-contract` tables), and was set on this backend.
use std::net::{TcpListener, UdpSocket};
use std::time::Duration;

#[test]
fn every_property_the_app_sets_is_in_nvidias_contract() {
    let input = ds_testkit::sample("sample_720p_60.h264");
    let tcp = TcpListener::bind("0.0.0.0:0").unwrap();
    let udp = UdpSocket::bind("0.0.0.0:0").unwrap();
    let rtsp = tcp.local_addr().unwrap().port().to_string();
    let udp_port = udp.local_addr().unwrap().port().to_string();
    drop((tcp, udp));
    for codec in ["H264", "H265"] {
        let encoder = if codec == "H264" {
            "nvv4l2h264enc"
        } else {
            "nvv4l2h265enc"
        };
        ds_testkit::contract::check_app(
            env!("CARGO_BIN_EXE_deepstream-rtsp-in-rtsp-out"),
            &[
                "-i",
                &input,
                "-c",
                codec,
                "--rtsp-ts",
                "--rtsp-port",
                &rtsp,
                "--udp-port",
                &udp_port,
            ],
            Duration::from_secs(600),
            true,
            &[
                ("nvstreammux", "batch-size"),
                ("nvstreammux", "attach-sys-ts"),
                ("nvinfer", "config-file-path"),
                ("nvmultistreamtiler", "rows"),
                ("nvmultistreamtiler", "columns"),
                (encoder, "bitrate"),
            ],
        );
    }
}
