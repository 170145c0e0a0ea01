//! The sample's RTSP server (gst-rtsp-server): one shared media at
//! `/ds-test` whose pipeline is `udpsrc name=pay0` reading the RTP packets
//! the app's `udpsink` sends, so that every RTSP client gets the one
//! encoded OSD stream.
use anyhow::{Context, Result};
use gstreamer::glib;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

/// The mount point of the stream.
pub const MOUNT: &str = "/ds-test";

/// The launch line of the media: `udpsrc` on `udp_port` with the caps of
/// the RTP stream (`codec` is the sample's `H264` / `H265`, the RTP
/// encoding name).
pub fn launch_line(udp_port: u16, codec: &str) -> String {
    format!(
        "( udpsrc name=pay0 port={udp_port} buffer-size=524288 caps=\"application/x-rtp, \
         media=video, clock-rate=90000, encoding-name=(string){codec}, payload=96 \" )"
    )
}

/// Starts the server on TCP port `rtsp_port` (all addresses) in the
/// default main context, serving [`launch_line`] shared at [`MOUNT`]. The
/// server runs while the returned source id lives (until the main loop
/// ends).
pub fn start(rtsp_port: u16, udp_port: u16, codec: &str) -> Result<glib::SourceId> {
    let server = rtsp::RTSPServer::new();
    server.set_service(&rtsp_port.to_string());
    let id = server
        .attach(None)
        .with_context(|| format!("cannot start the RTSP server on port {rtsp_port}"))?;
    let factory = rtsp::RTSPMediaFactory::new();
    factory.set_launch(&launch_line(udp_port, codec));
    factory.set_shared(true);
    server
        .mount_points()
        .context("the RTSP server has no mount points")?
        .add_factory(MOUNT, factory);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_line_is_the_samples() {
        assert_eq!(
            launch_line(5400, "H264"),
            "( udpsrc name=pay0 port=5400 buffer-size=524288 caps=\"application/x-rtp, \
             media=video, clock-rate=90000, encoding-name=(string)H264, payload=96 \" )"
        );
    }
}
