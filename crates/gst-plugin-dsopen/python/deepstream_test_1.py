#!/usr/bin/env python3
"""deepstream-test1's pipeline in Python (PyGObject) with the open elements.

NVIDIA's deepstream_test_1.py builds

    filesrc ! h264parse ! nvv4l2decoder ! nvstreammux ! nvinfer
        ! nvvideoconvert ! nvdsosd ! sink

and reads the detections in a probe on nvdsosd's sink pad through pyds.
This example builds the same pipeline from the `dsopen` plugin (put
target/debug on GST_PLUGIN_PATH, see the README) and counts the frames
in the same probe; reading the metadata from Python (pyds) is out of scope.
With an output file the OSD frames are encoded to MP4, as in the README's
gst-launch-1.0 recipe; without one they go to a fakesink.

Usage: deepstream_test_1.py <h264 file> [<output.mp4>]
Needs Debian's python3-gi and gir1.2-gstreamer-1.0 (ci/setup.sh).
"""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PGIE_CONFIG = os.path.join(REPO, "configs", "dstest1_pgie_config.txt")

frame_count = 0
failed = False


def osd_sink_pad_buffer_probe(pad, info, u_data):
    """Counts the frames reaching nvdsosd (batch-size=1: one per buffer)."""
    global frame_count
    if info.get_buffer() is not None:
        frame_count += 1
    return Gst.PadProbeReturn.OK


def make(factory, name):
    element = Gst.ElementFactory.make(factory, name)
    if element is None:
        sys.stderr.write(
            f"Unable to create {factory}: is the dsopen plugin on GST_PLUGIN_PATH?\n"
        )
        sys.exit(1)
    return element


def bus_call(bus, message, loop):
    if message.type == Gst.MessageType.EOS:
        print("End-of-stream")
        loop.quit()
    elif message.type == Gst.MessageType.ERROR:
        err, debug = message.parse_error()
        sys.stderr.write(f"Error: {err}: {debug}\n")
        global failed
        failed = True
        loop.quit()
    return True


def main(args):
    if len(args) not in (2, 3):
        sys.stderr.write(f"usage: {args[0]} <h264 file> [<output.mp4>]\n")
        return 1
    if not os.path.isfile(args[1]):
        sys.stderr.write(f"Error: {args[1]}: no such file\n")
        return 1
    Gst.init(None)

    print("Creating Pipeline")
    pipeline = Gst.Pipeline()
    source = make("filesrc", "file-source")
    h264parser = make("h264parse", "h264-parser")
    decoder = make("nvv4l2decoder", "nvv4l2-decoder")
    streammux = make("nvstreammux", "Stream-muxer")
    pgie = make("nvinfer", "primary-inference")
    nvvidconv = make("nvvideoconvert", "convertor")
    nvosd = make("nvdsosd", "onscreendisplay")
    if len(args) == 3:
        sink_chain = [
            make("nvvideoconvert", "convertor2"),
            make("nvv4l2h264enc", "encoder"),
            make("h264parse", "h264-parser2"),
            make("mp4mux", "muxer"),
            make("filesink", "file-sink"),
        ]
        sink_chain[-1].set_property("location", args[2])
    else:
        sink_chain = [make("fakesink", "fakesink")]

    source.set_property("location", args[1])
    streammux.set_property("width", 1920)
    streammux.set_property("height", 1080)
    streammux.set_property("batch-size", 1)
    streammux.set_property("batched-push-timeout", 4000000)
    pgie.set_property("config-file-path", PGIE_CONFIG)

    chain = [source, h264parser, decoder, streammux, pgie, nvvidconv, nvosd] + sink_chain
    for element in chain:
        pipeline.add(element)
    source.link(h264parser)
    h264parser.link(decoder)
    decoder.get_static_pad("src").link(streammux.request_pad_simple("sink_0"))
    for upstream, downstream in zip(chain[3:], chain[4:]):
        if not upstream.link(downstream):
            sys.stderr.write(f"Unable to link {upstream.name} to {downstream.name}\n")
            return 1

    nvosd.get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER, osd_sink_pad_buffer_probe, 0
    )

    loop = GLib.MainLoop()
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", bus_call, loop)

    print("Starting pipeline")
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    pipeline.set_state(Gst.State.NULL)
    print(f"Frames: {frame_count}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
