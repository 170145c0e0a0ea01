#!/usr/bin/env python3
"""P1 peer: deepstream-test1's probe walk in Python over the same C structures.

The structures live in our open metadata library built as a shared library
(crate ds-sys-shim, `libds_sys_shim.so`, exporting DeepStream's C functions:
nvds_create_batch_meta, nvds_acquire_*_from_pool, ...). Python reaches them
through ctypes, the way a pyds-less Python probe would. Field offsets come
from `cargo run -p ds-sys --example abi_offsets` (the same Rust definitions
that tests/layout.rs pins to DeepStream 7.1's headers).

One iteration = the walk of crates/ds-core/benches/probe_walk.rs: for each of
4 frames x 100 objects, count by class and set the border colour; one display
meta per frame with the summary text; then clear the display metas again.

usage: probe_walk.py LIBDS_SYS_SHIM.so OFFSETS.json
prints one JSON object: {"ns_per_iter": ..., "ns_per_object": ...}
"""
import ctypes as C
import json
import statistics
import sys
import time

FRAMES = 4
OBJECTS = 100


def make_struct(name, size, fields):
    """A ctypes Structure of `size` bytes with `fields` [(name, offset, type)]
    at their offsets and byte padding in between."""
    layout, pos = [], 0
    for i, (fname, off, ctype) in enumerate(sorted(fields, key=lambda f: f[1])):
        if off < pos:
            raise SystemExit(f"{name}.{fname}: overlapping offsets")
        if off > pos:
            layout.append((f"_pad{i}", C.c_char * (off - pos)))
        layout.append((fname, ctype))
        pos = off + C.sizeof(ctype)
    if size > pos:
        layout.append(("_tail", C.c_char * (size - pos)))
    cls = type(name, (C.Structure,), {"_fields_": layout})
    if C.sizeof(cls) != size:
        raise SystemExit(f"{name}: size {C.sizeof(cls)} != {size}")
    return cls


def main():
    lib = C.CDLL(sys.argv[1])
    glib = C.CDLL("libglib-2.0.so.0")
    with open(sys.argv[2]) as f:
        abi = json.load(f)
    sizes = abi["sizes"]
    off = {(t, f): o for t, f, o in abi["fields"]}

    class Color(C.Structure):
        _fields_ = [("red", C.c_double), ("green", C.c_double),
                    ("blue", C.c_double), ("alpha", C.c_double)]
    assert C.sizeof(Color) == sizes["NvOSD_ColorParams"]

    class GList(C.Structure):
        pass
    GList._fields_ = [("data", C.c_void_p), ("next", C.POINTER(GList)),
                      ("prev", C.POINTER(GList))]
    assert C.sizeof(GList) == sizes["GList"]
    assert off[("GList", "next")] == GList.next.offset

    Rect = make_struct("NvOSD_RectParams", sizes["NvOSD_RectParams"], [
        ("border_color", off[("NvOSD_RectParams", "border_color")], Color)])
    Font = make_struct("NvOSD_FontParams", sizes["NvOSD_FontParams"], [
        ("font_name", off[("NvOSD_FontParams", "font_name")], C.c_void_p),
        ("font_size", off[("NvOSD_FontParams", "font_size")], C.c_uint),
        ("font_color", off[("NvOSD_FontParams", "font_color")], Color)])
    Text = make_struct("NvOSD_TextParams", sizes["NvOSD_TextParams"], [
        ("display_text", off[("NvOSD_TextParams", "display_text")], C.c_void_p),
        ("x_offset", off[("NvOSD_TextParams", "x_offset")], C.c_uint),
        ("y_offset", off[("NvOSD_TextParams", "y_offset")], C.c_uint),
        ("font_params", off[("NvOSD_TextParams", "font_params")], Font),
        ("set_bg_clr", off[("NvOSD_TextParams", "set_bg_clr")], C.c_int),
        ("text_bg_clr", off[("NvOSD_TextParams", "text_bg_clr")], Color)])
    Display = make_struct("NvDsDisplayMeta", sizes["NvDsDisplayMeta"], [
        ("num_labels", off[("NvDsDisplayMeta", "num_labels")], C.c_uint),
        ("text_params", off[("NvDsDisplayMeta", "text_params")], Text * 16)])
    Obj = make_struct("NvDsObjectMeta", sizes["NvDsObjectMeta"], [
        ("class_id", off[("NvDsObjectMeta", "class_id")], C.c_int),
        ("rect_params", off[("NvDsObjectMeta", "rect_params")], Rect)])
    Frame = make_struct("NvDsFrameMeta", sizes["NvDsFrameMeta"], [
        ("frame_num", off[("NvDsFrameMeta", "frame_num")], C.c_int),
        ("num_obj_meta", off[("NvDsFrameMeta", "num_obj_meta")], C.c_uint),
        ("obj_meta_list", off[("NvDsFrameMeta", "obj_meta_list")], C.POINTER(GList)),
        ("display_meta_list", off[("NvDsFrameMeta", "display_meta_list")],
         C.POINTER(GList))])
    Batch = make_struct("NvDsBatchMeta", sizes["NvDsBatchMeta"], [
        ("frame_meta_list", off[("NvDsBatchMeta", "frame_meta_list")],
         C.POINTER(GList))])

    P = C.POINTER
    lib.nvds_create_batch_meta.restype = P(Batch)
    lib.nvds_create_batch_meta.argtypes = [C.c_uint]
    lib.nvds_destroy_batch_meta.argtypes = [P(Batch)]
    lib.nvds_acquire_frame_meta_from_pool.restype = P(Frame)
    lib.nvds_acquire_frame_meta_from_pool.argtypes = [P(Batch)]
    lib.nvds_add_frame_meta_to_batch.argtypes = [P(Batch), P(Frame)]
    lib.nvds_acquire_obj_meta_from_pool.restype = P(Obj)
    lib.nvds_acquire_obj_meta_from_pool.argtypes = [P(Batch)]
    lib.nvds_add_obj_meta_to_frame.argtypes = [P(Frame), P(Obj), P(Obj)]
    lib.nvds_acquire_display_meta_from_pool.restype = P(Display)
    lib.nvds_acquire_display_meta_from_pool.argtypes = [P(Batch)]
    lib.nvds_add_display_meta_to_frame.argtypes = [P(Frame), P(Display)]
    lib.nvds_clear_display_meta_list.argtypes = [P(Frame), P(GList)]
    glib.g_strdup.restype = C.c_void_p
    glib.g_strdup.argtypes = [C.c_char_p]

    batch = lib.nvds_create_batch_meta(FRAMES)
    for f in range(FRAMES):
        frame = lib.nvds_acquire_frame_meta_from_pool(batch)
        frame.contents.frame_num = f
        lib.nvds_add_frame_meta_to_batch(batch, frame)
        for o in range(OBJECTS):
            obj = lib.nvds_acquire_obj_meta_from_pool(batch)
            obj.contents.class_id = o % 4
            lib.nvds_add_obj_meta_to_frame(frame, obj, None)

    serif = C.c_char_p(b"Serif")  # lives as long as the process, as pyds' strings
    serif_ptr = C.cast(serif, C.c_void_p).value
    acquire_display = lib.nvds_acquire_display_meta_from_pool
    add_display = lib.nvds_add_display_meta_to_frame
    strdup = glib.g_strdup
    FrameP, ObjP = P(Frame), P(Obj)

    def walk():
        total = 0
        l_frame = batch.contents.frame_meta_list
        while l_frame:
            frame_p = C.cast(l_frame.contents.data, FrameP)
            frame = frame_p.contents
            vehicle = person = 0
            l_obj = frame.obj_meta_list
            while l_obj:
                obj = C.cast(l_obj.contents.data, ObjP).contents
                cid = obj.class_id
                if cid == 0:
                    vehicle += 1
                elif cid == 2:
                    person += 1
                c = obj.rect_params.border_color
                c.red, c.green, c.blue, c.alpha = 0.0, 0.0, 1.0, 0.8
                l_obj = l_obj.contents.next
            text = (f"Frame Number={frame.frame_num} Number of Objects={frame.num_obj_meta} "
                    f"Vehicle_count={vehicle} Person_count={person}")
            display_p = acquire_display(batch)
            display = display_p.contents
            display.num_labels = 1
            tp = display.text_params[0]
            tp.display_text = strdup(text.encode())
            tp.x_offset = 10
            tp.y_offset = 12
            tp.font_params.font_name = serif_ptr
            tp.font_params.font_size = 10
            fc = tp.font_params.font_color
            fc.red, fc.green, fc.blue, fc.alpha = 1.0, 1.0, 1.0, 1.0
            tp.set_bg_clr = 1
            bg = tp.text_bg_clr
            bg.red, bg.green, bg.blue, bg.alpha = 0.0, 0.0, 0.0, 1.0
            add_display(frame_p, display_p)
            total += vehicle + person
            l_frame = l_frame.contents.next
        return total

    def reset():
        l_frame = batch.contents.frame_meta_list
        while l_frame:
            frame_p = C.cast(l_frame.contents.data, FrameP)
            lib.nvds_clear_display_meta_list(frame_p, frame_p.contents.display_meta_list)
            l_frame = l_frame.contents.next

    if walk() != FRAMES * OBJECTS // 2:
        raise SystemExit("walk counted the wrong number of objects")
    reset()
    # Size the rounds to ~0.3 s each, then take the median of the rounds.
    n, t = 1, 0.0
    while t < 0.3:
        n *= 2
        start = time.perf_counter()
        for _ in range(n):
            walk()
            reset()
        t = time.perf_counter() - start
    rounds = []
    for _ in range(int(sys.argv[3]) if len(sys.argv) > 3 else 9):
        start = time.perf_counter_ns()
        for _ in range(n):
            walk()
            reset()
        rounds.append((time.perf_counter_ns() - start) / n)
    lib.nvds_destroy_batch_meta(batch)
    ns = statistics.median(rounds)
    print(json.dumps({"ns_per_iter": round(ns, 1),
                      "ns_per_object": round(ns / (FRAMES * OBJECTS), 2),
                      "iterations_per_round": n, "rounds": len(rounds)}))


if __name__ == "__main__":
    main()
