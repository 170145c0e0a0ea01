//! Sources added and removed 20 times over (the port's `--cycles`, at a
//! fast cadence): every added source's frames reach the probe, every
//! removed source's muxer pad and bin are gone, and the process's threads,
//! file descriptors and memory stay bounded.
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-rt-src-add-del");

/// `STATS cycle <c> sources <n> mux-pads <p> children <k> threads <t> fds <f> rss-kb <r>`.
#[derive(Debug, Clone, Copy)]
struct Resources {
    cycle: u64,
    sources: u64,
    mux_pads: u64,
    children: u64,
    threads: u64,
    fds: u64,
    rss_kb: u64,
}

fn parse(line: &str) -> Option<Resources> {
    let v: Vec<u64> = line
        .strip_prefix("STATS cycle ")?
        .split(' ')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .filter_map(|(_, s)| s.parse().ok())
        .collect();
    let [cycle, sources, mux_pads, children, threads, fds, rss_kb] = v[..] else {
        return None;
    };
    Some(Resources {
        cycle,
        sources,
        mux_pads,
        children,
        threads,
        fds,
        rss_kb,
    })
}

#[test]
fn twenty_add_delete_cycles_deliver_every_source_and_leak_nothing() {
    let uri = format!("file://{}", ds_testkit::sample("sample_720p.mp4"));
    let mut cmd = ds_testkit::command(
        BIN,
        &[
            &uri,
            "--interval-ms",
            "200",
            "--cycles",
            "20",
            "--seed",
            "11",
            "--stats",
        ],
    );
    // glibc's malloc raises its mmap threshold as large frames are freed,
    // after which freed frame memory stays in the heap arenas of threads
    // that come and go with the sources: RSS then grows by ~15 MB a cycle
    // with nothing leaked. A fixed threshold (frames always mmapped and
    // returned) makes RSS measure what the process holds.
    cmd.env("MALLOC_MMAP_THRESHOLD_", "131072");
    let child = cmd.spawn().expect("runs deepstream-rt-src-add-del");
    let run = ds_testkit::finish(
        child,
        Duration::from_secs(1800),
        "deepstream-rt-src-add-del",
    );
    assert!(run.status.success(), "{}", run.stderr);
    // Every addition (the first source and 3 per cycle) delivered frames.
    let frames: Vec<u64> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("STATS source "))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(frames.len(), 1 + 3 * 20, "{}", run.stdout);
    assert!(
        frames.iter().all(|&n| n > 0),
        "a source without frames: {frames:?}"
    );

    let res: Vec<Resources> = run.stdout.lines().filter_map(parse).collect();
    // 3 removals per cycle down to one source, and the last 4.
    assert_eq!(res.len(), 3 * 19 + 4, "{}", run.stdout);
    for r in &res {
        // The muxer has one pad per playing source; the pipeline holds the
        // 9 fixed elements and one bin per source.
        assert_eq!(r.mux_pads, r.sources, "{r:?}");
        assert_eq!(r.children, 9 + r.sources, "{r:?}");
    }
    let last = res.last().unwrap();
    assert_eq!((last.cycle, last.sources, last.mux_pads), (20, 0, 0));
    // Threads, fds and memory at one source: the same after 20 cycles as
    // after the first (slack for pool threads and allocator noise).
    let at_one: Vec<&Resources> = res.iter().filter(|r| r.sources == 1).collect();
    let (first, end) = (at_one[1], at_one[at_one.len() - 1]);
    assert!(
        end.threads <= first.threads + 4,
        "threads {first:?} -> {end:?}"
    );
    assert!(end.fds <= first.fds + 4, "fds {first:?} -> {end:?}");
    assert!(
        end.rss_kb <= first.rss_kb + 100 * 1024,
        "memory grew by more than 100 MB over 18 cycles: {first:?} -> {end:?}"
    );
}
